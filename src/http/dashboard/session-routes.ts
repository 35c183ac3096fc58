// Logging in and out of the dashboard: the admin token, or a project's control token for that project alone.
// A log-in opens a server-side session (a random id in the cookie, revoked at log-out); the login form carries
// the same CSRF token as every other form; the audit log records log-ins and failed ones.
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Caller } from '../../domain/tools/access-scope.js';
import { actorOf } from '../../domain/tools/access-scope.js';
import { sameSecret, SESSION_COOKIE } from '../admin-access.js';
import type { DashboardDeps } from './deps.js';
import type { DashboardPages, Form } from './pages.js';

export function sessionRoutes(app: FastifyInstance, deps: DashboardDeps, pages: DashboardPages): void {
  const { adminToken, projects, sessions, audit } = deps;

  async function logIn(reply: FastifyReply, caller: Caller): Promise<FastifyReply> {
    const session = await sessions.open(caller);
    reply.setCookie(SESSION_COOKIE, session.id, { path: '/', httpOnly: true, sameSite: 'strict', expires: new Date(session.expiresAt) });
    await audit.record(actorOf(caller), 'login', caller.kind === 'project' ? caller.projectId : undefined);
    return reply.redirect('/dashboard/payments', 303);
  }

  app.get('/dashboard/login', async (request, reply) => pages.page(reply, request, './dashboard/login', { title: 'Log in' }));

  app.post<{ Body: Form }>('/dashboard/login', async (request, reply) => {
    pages.checkCsrf(request, request.body?.csrf);
    const token = typeof request.body?.token === 'string' ? request.body.token.trim() : '';
    if (adminToken !== undefined && token !== '' && sameSecret(token, adminToken)) return logIn(reply, { kind: 'admin', open: false });
    const project = token === '' ? undefined : await projects.findByToken(token);
    if (project !== undefined) return logIn(reply, { kind: 'project', projectId: project.projectId });
    if (adminToken === undefined && token === '') return reply.redirect('/dashboard/payments', 303);
    await audit.record('anonymous', 'login.failed', undefined, { ip: request.ip });
    return pages.page(reply, request, './dashboard/login', { title: 'Log in', error: 'Wrong token: neither the admin token nor a project\'s control token' }, 401);
  });

  app.post<{ Body: Form }>('/dashboard/logout', async (request, reply) => {
    pages.checkCsrf(request, request.body?.csrf);
    const session = request.cookies[SESSION_COOKIE];
    if (session !== undefined && session !== '') await sessions.close(session);
    await audit.record(actorOf(request.sandboxCaller), 'logout', request.sandboxCaller?.kind === 'project' ? request.sandboxCaller.projectId : undefined);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.redirect('/dashboard/login', 303);
  });
}
