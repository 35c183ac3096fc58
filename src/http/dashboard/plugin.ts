// Old Dashboard surface (/dashboard): payments list and detail with actions, manual single and CSV mass payouts,
// exports, analytics, the audit log, and the merchant conformance kit with its kept reports. Server-rendered, no
// JavaScript; forms carry a CSRF token (double submit). Tool actions are the domain's (SandboxTools).
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import multipart from '@fastify/multipart';
import type { FastifyInstance } from 'fastify';
import { Refusal } from '../../domain/errors.js';
import { callerOf } from '../callers.js';
import { conformanceRoutes } from './conformance-routes.js';
import type { DashboardDeps } from './deps.js';
import { manualRoutes } from './manual-routes.js';
import { DashboardPages } from './pages.js';
import { paymentRoutes } from './payment-routes.js';
import { reportRoutes } from './report-routes.js';
import { sessionRoutes } from './session-routes.js';

export type { DashboardDeps };

const MAX_UPLOAD_BYTES = 20 * 1024 * 1024;

export async function dashboard(app: FastifyInstance, deps: DashboardDeps): Promise<void> {
  await app.register(cookie);
  await app.register(formbody, { bodyLimit: 64 * 1024 });
  await app.register(multipart, { limits: { fileSize: MAX_UPLOAD_BYTES, files: 1, fields: 10 } });
  const pages = new DashboardPages(deps);
  pages.useErrorPages(app);

  // The admin token (or none set) shows every project; a project's control token that project alone.
  app.addHook('onRequest', async (request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    const caller = await callerOf(request, deps);
    if (caller !== undefined && caller !== 'refused') {
      request.sandboxCaller = caller;
      return;
    }
    if (path === '/dashboard/login') return;
    if (request.method === 'GET') return reply.redirect('/dashboard/login', 303);
    throw new Refusal('not-authenticated', [{ field: '', message: 'Log in to the dashboard first' }]);
  });

  sessionRoutes(app, deps, pages);
  paymentRoutes(app, deps, pages);
  manualRoutes(app, deps, pages);
  conformanceRoutes(app, deps, pages);
  reportRoutes(app, deps, pages);
}
