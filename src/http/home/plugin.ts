// Home surface: GET / links every surface and its docs, shows the built-in project's credentials and a signed demo
// link; GET /docs renders the README; the favicon. Script-free, under the pages' CSP.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { readFileSync } from 'node:fs';
import { DEFAULT_PROJECT } from '../../config.js';
import type { SandboxConfig } from '../../config.js';
import type { ProjectDirectory } from '../../domain/projects/project-directory.js';

export interface HomeDeps { config: SandboxConfig; projects: ProjectDirectory; clockMode: string; storageKind: string }
import { builtInProjectInUse } from '../../start-banner.js';
import { demoPaymentPageLink, docsAnchor, SURFACES } from '../../surface-directory.js';
import { fromRoot } from '../../project-root.js';
import { views } from '../views.js';

const HTML = 'text/html; charset=utf-8';
const DOCS_IMAGE = /^([a-z0-9-]+)\/([a-z0-9-]+)\.png$/;

export async function homePage(app: FastifyInstance, { config, projects, clockMode, storageKind }: HomeDeps): Promise<void> {
  const favicon = readFileSync(fromRoot('views', 'assets', 'favicon.ico'));
  const faviconSvg = readFileSync(fromRoot('views', 'assets', 'favicon.svg'));
  let docs: string | undefined;

  /** The origin the browser reached, so API addresses shown on the page are the ones that work from there. */
  function origin(request: FastifyRequest): string {
    return `${request.protocol}://${request.host}`;
  }

  app.get('/', async (request, reply) => {
    const builtIn = builtInProjectInUse(config);
    const project = builtIn ? await projects.find(DEFAULT_PROJECT.project_id) : undefined;
    const surfaces = SURFACES.map((surface) => ({
      ...surface,
      docs: surface.docsHeadings.map((heading) => ({ heading: heading.replaceAll('`', ''), href: `/docs#${docsAnchor(heading)}` })),
    }));
    return reply.type(HTML).send(views.render('./home/index', {
      title: 'ecommpay-sandbox',
      origin: origin(request),
      surfaces,
      project: project === undefined ? undefined : { id: project.projectId, secret: project.secretKey, callbackUrl: project.callbackUrl },
      demoLink: project === undefined ? undefined : demoPaymentPageLink('', project.projectId, project.secretKey),
      clock: clockMode,
      storage: storageKind,
    }));
  });

  app.get('/docs', async (_request, reply) => {
    // The Markdown renderer loads at the first visit, keeping it off the start path.
    if (docs === undefined) {
      const [{ Marked }, { gfmHeadingId }] = await Promise.all([import('marked'), import('marked-gfm-heading-id')]);
      docs = await new Marked(gfmHeadingId()).parse(readFileSync(fromRoot('README.md'), 'utf8'));
    }
    return reply.type(HTML).send(views.render('./home/docs', { title: 'ecommpay-sandbox — README', docs }));
  });

  // The README's pictures (docs/…/*.png), where a checkout has them; a package install ships none.
  app.get<{ Params: { '*': string } }>('/docs/*', async (request, reply) => {
    const match = DOCS_IMAGE.exec(request.params['*']);
    let image: Buffer | undefined;
    try {
      image = match === null ? undefined : readFileSync(fromRoot('docs', match[1] as string, `${match[2] as string}.png`));
    } catch {
      image = undefined;
    }
    if (image === undefined) return reply.code(404).type(HTML).send(views.render('./error', { code: '404', message: 'No such picture in the docs', errors: [] }));
    return reply.type('image/png').header('cache-control', 'max-age=300').send(image);
  });

  app.get('/favicon.ico', async (_request, reply) => reply.type('image/x-icon').header('cache-control', 'max-age=86400').send(favicon));
  app.get('/assets/favicon.svg', async (_request, reply) => reply.type('image/svg+xml').header('cache-control', 'max-age=86400').send(faviconSvg));
}
