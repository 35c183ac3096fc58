// Home surface: GET / links every surface and its docs, shows the built-in project's credentials and a signed demo
// link; GET /docs renders the README and GET /docs/<page> docs/<page>.md, with the list of pages; the favicon.
// Script-free, under the pages' CSP.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { readFileSync } from 'node:fs';
import { DEFAULT_PROJECT } from '../../config.js';
import type { SandboxConfig } from '../../config.js';
import type { ProjectDirectory } from '../../domain/projects/project-directory.js';

export interface HomeDeps { config: SandboxConfig; projects: ProjectDirectory; clockMode: string; storageKind: string }
import { builtInProjectInUse } from '../../start-banner.js';
import { demoPaymentPageLink, docsPath, SURFACES } from '../../surface-directory.js';
import { fromRoot, projectRoot } from '../../project-root.js';
import { DocsSite, type RenderedDocs } from './docs-site.js';
import { views } from '../views.js';

const HTML = 'text/html; charset=utf-8';
const DOCS_IMAGE = /^([a-z0-9-]+)\/([a-z0-9-]+)\.png$/;
const DOCS_PAGE = /^[a-z0-9-]+$/;

export async function homePage(app: FastifyInstance, { config, projects, clockMode, storageKind }: HomeDeps): Promise<void> {
  const favicon = readFileSync(fromRoot('views', 'assets', 'favicon.ico'));
  const faviconSvg = readFileSync(fromRoot('views', 'assets', 'favicon.svg'));
  const docs = new DocsSite(projectRoot);

  /** The origin the browser reached, so API addresses shown on the page are the ones that work from there. */
  function origin(request: FastifyRequest): string {
    return `${request.protocol}://${request.host}`;
  }

  app.get('/', async (request, reply) => {
    const builtIn = builtInProjectInUse(config);
    const project = builtIn ? await projects.find(DEFAULT_PROJECT.project_id) : undefined;
    const surfaces = SURFACES.map((surface) => ({
      ...surface,
      docs: surface.docs.map((link) => ({ heading: link.heading.replaceAll('`', ''), href: docsPath(link) })),
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

  function sendDocs(reply: FastifyReply, current: string | undefined, page: RenderedDocs): FastifyReply {
    const pages = docs.pages().map((entry) => ({ href: `/docs/${entry.name}`, title: entry.title, current: entry.name === current }));
    return reply.type(HTML).send(views.render('./home/docs', { title: `${page.title} — ecommpay-sandbox`, pages, index: current === undefined, docs: page.html }));
  }

  function notFound(reply: FastifyReply, message: string): FastifyReply {
    return reply.code(404).type(HTML).send(views.render('./error', { code: '404', message, errors: [] }));
  }

  app.get('/docs', async (_request, reply) => sendDocs(reply, undefined, await docs.render() as RenderedDocs));

  // A page (docs/<page>.md), or one of the pictures the pages show (docs/<dir>/<name>.png).
  app.get<{ Params: { '*': string } }>('/docs/*', async (request, reply) => {
    const path = request.params['*'];
    if (DOCS_PAGE.test(path)) {
      const page = await docs.render(path);
      return page === undefined ? notFound(reply, 'No such page in the docs') : sendDocs(reply, path, page);
    }
    const match = DOCS_IMAGE.exec(path);
    let image: Buffer | undefined;
    try {
      image = match === null ? undefined : readFileSync(fromRoot('docs', match[1] as string, `${match[2] as string}.png`));
    } catch {
      image = undefined;
    }
    if (image === undefined) return notFound(reply, 'No such picture in the docs');
    return reply.type('image/png').header('cache-control', 'max-age=300').send(image);
  });

  app.get('/favicon.ico', async (_request, reply) => reply.type('image/x-icon').header('cache-control', 'max-age=86400').send(favicon));
  app.get('/assets/favicon.svg', async (_request, reply) => reply.type('image/svg+xml').header('cache-control', 'max-age=86400').send(faviconSvg));
}
