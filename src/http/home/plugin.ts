// Home surface: GET / links every surface and its docs, shows the built-in project's credentials and a signed demo
// link; GET /docs renders the README and GET /docs/<page> docs/<page>.md, with the list of pages; the favicon.
// Script-free, under the pages' CSP.
import formbody from '@fastify/formbody';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { readFileSync } from 'node:fs';
import { DEFAULT_PROJECT } from '../../config.js';
import type { SandboxConfig } from '../../config.js';
import type { PageLinks } from '../../domain/payments/page-links.js';
import type { PaymentLookup } from '../../domain/payments/payment-lookup.js';
import { resultOf } from '../../domain/model.js';
import type { ProjectDirectory } from '../../domain/projects/project-directory.js';
import type { SandboxTools } from '../../domain/tools/sandbox-tools.js';

export interface HomeDeps {
  config: SandboxConfig; projects: ProjectDirectory; clockMode: string; storageKind: string;
  lookup: PaymentLookup; links: PageLinks; tools: SandboxTools;
}
import { builtInProjectInUse } from '../../start-banner.js';
import { DEMO_OUTCOMES, demoPaymentPageLink, docsPath, SURFACES, TIMEOUT_DEMO_PREFIX } from '../../surface-directory.js';
import { fromRoot, projectRoot } from '../../project-root.js';
import { DocsSite, type RenderedDocs } from './docs-site.js';
import { views } from '../views.js';

const HTML = 'text/html; charset=utf-8';
const DOCS_IMAGE = /^([a-z0-9-]+)\/([a-z0-9-]+)\.png$/;
const DOCS_PAGE = /^[a-z0-9-]+$/;

export async function homePage(app: FastifyInstance, { config, projects, clockMode, storageKind, lookup, links, tools }: HomeDeps): Promise<void> {
  await app.register(formbody);
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
      demos: project === undefined ? [] : DEMO_OUTCOMES.map((demo) => ({
        ...demo, href: demoPaymentPageLink('', project.projectId, project.secretKey, { amount: demo.amount, idPrefix: `demo-${demo.key}`, description: `Demo: ${demo.label.toLowerCase()}` }),
      })),
      timeout: project === undefined || clockMode !== 'manual' ? undefined : timeoutDemo(project.projectId, project.secretKey),
      clock: clockMode,
      storage: storageKind,
    }));
  });

  /** A ₱500.00 order left at the wallet, and the id the "advance to the limit time" button names. */
  function timeoutDemo(projectId: number, secret: string): { href: string; paymentId: string } {
    const href = demoPaymentPageLink('', projectId, secret, { idPrefix: TIMEOUT_DEMO_PREFIX, description: 'Demo: a time-out' });
    return { href, paymentId: new URLSearchParams(href.split('?')[1]).get('payment_id') as string };
  }

  function refused(reply: FastifyReply, status: number, code: string, message: string): FastifyReply {
    return reply.code(status).type(HTML).send(views.render('./error', { code, message, errors: [], home: true }));
  }

  // The time-out demo's button: the built-in project's manual clock moves to the demo payment's limit time, where
  // the platform gives up on the customer (20602), and the customer's tab is taken to the payment's result.
  app.post<{ Body: Record<string, unknown> }>('/demo/timeout', async (request, reply) => {
    const paymentId = typeof request.body?.payment_id === 'string' ? request.body.payment_id : '';
    if (!builtInProjectInUse(config) || clockMode !== 'manual') {
      return refused(reply, 409, '409', 'The time-out demo needs the built-in project and the manual clock (SANDBOX_CLOCK=manual)');
    }
    if (!paymentId.startsWith(`${TIMEOUT_DEMO_PREFIX}-`)) return refused(reply, 400, '400', 'payment_id: not a time-out demo payment');
    const payment = await lookup.find(DEFAULT_PROJECT.project_id, paymentId);
    if (payment === undefined) return refused(reply, 404, '404', 'Open the demo order and continue to the wallet first, then advance the clock');
    if (resultOf(payment.status) === 'pending') {
      await tools.moveClock({ kind: 'project', projectId: payment.projectId }, { to: payment.limitDueAt, projectId: payment.projectId });
    }
    const now = await lookup.find(payment.projectId, paymentId) ?? payment;
    return reply.redirect(now.interface === 'payment_page' ? links.paymentPageResultPath(now) : '/', 303);
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
