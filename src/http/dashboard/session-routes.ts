// Logging in and out of the dashboard: the admin token, or a project's control token for that project alone.
import type { FastifyInstance } from 'fastify';
import { sameSecret, SESSION_COOKIE, sessionValue } from '../admin-access.js';
import { PROJECT_SESSION_COOKIE, projectSessionValue } from '../callers.js';
import type { DashboardDeps } from './deps.js';
import type { DashboardPages, Form } from './pages.js';

export function sessionRoutes(app: FastifyInstance, { adminToken, projects }: DashboardDeps, pages: DashboardPages): void {
  app.get('/dashboard/login', async (request, reply) => pages.page(reply, request, './dashboard/login', { title: 'Log in' }));

  app.post<{ Body: Form }>('/dashboard/login', async (request, reply) => {
    const token = typeof request.body?.token === 'string' ? request.body.token.trim() : '';
    const session = { path: '/', httpOnly: true, sameSite: 'strict' as const };
    if (adminToken !== undefined && token !== '' && sameSecret(token, adminToken)) {
      reply.clearCookie(PROJECT_SESSION_COOKIE, { path: '/' });
      reply.setCookie(SESSION_COOKIE, sessionValue(adminToken), session);
      return reply.redirect('/dashboard/payments', 303);
    }
    const project = token === '' ? undefined : await projects.findByToken(token);
    if (project !== undefined) {
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      reply.setCookie(PROJECT_SESSION_COOKIE, projectSessionValue(token), session);
      return reply.redirect('/dashboard/payments', 303);
    }
    if (adminToken === undefined && token === '') return reply.redirect('/dashboard/payments', 303);
    return pages.page(reply, request, './dashboard/login', { title: 'Log in', error: 'Wrong token: neither the admin token nor a project\'s control token' }, 401);
  });

  app.post<{ Body: Form }>('/dashboard/logout', async (request, reply) => {
    pages.checkCsrf(request, request.body?.csrf);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    reply.clearCookie(PROJECT_SESSION_COOKIE, { path: '/' });
    return reply.redirect('/dashboard/login', 303);
  });
}
