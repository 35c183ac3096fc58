// How every dashboard page is answered: the layout's common data (CSRF token, clock, who is looking), the
// caller's scope, the CSRF check of forms, and errors as pages whose status comes from the refusal table.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { asRefusal, Refusal } from '../../domain/errors.js';
import type { PaymentListRow } from '../../domain/model.js';
import type { Caller, Scope } from '../../domain/tools/access-scope.js';
import { views } from '../views.js';
import type { DashboardDeps } from './deps.js';

export const HTML = 'text/html; charset=utf-8';
const CSRF_COOKIE = 'sandbox_csrf';

export type Form = Record<string, unknown>;

/** A date as every dashboard page shows it: `2026-01-01 00:00:00` (UTC). */
export function shownDate(at: number): string {
  return new Date(at).toISOString().replace('T', ' ').slice(0, 19);
}

export class DashboardPages {
  constructor(private readonly deps: DashboardDeps) {}

  caller(request: FastifyRequest): Caller {
    return request.sandboxCaller ?? { kind: 'admin', open: true };
  }

  scope(request: FastifyRequest): Scope {
    return this.deps.tools.scope(this.caller(request));
  }

  /** The payments a page lists: a project's session sees its own project only. */
  scoped<T extends { projectIds?: number[] }>(request: FastifyRequest, filter: T): T {
    const own = this.scope(request).listed(filter.projectIds?.[0]);
    return own === undefined ? filter : { ...filter, projectIds: [own] };
  }

  money(row: PaymentListRow): string {
    return this.deps.currencies.text({ amount: row.amount, currency: row.currency }, { amount: row.converted_amount, currency: row.converted_currency });
  }

  /** Double-submit CSRF token: a random cookie (SameSite=Strict) that every form must echo. */
  private csrfToken(request: FastifyRequest, reply: FastifyReply): string {
    const existing = request.cookies[CSRF_COOKIE];
    if (existing !== undefined && /^[A-Za-z0-9_-]{32,}$/.test(existing)) return existing;
    const token = randomBytes(24).toString('base64url');
    reply.setCookie(CSRF_COOKIE, token, { path: '/dashboard', httpOnly: true, sameSite: 'strict' });
    return token;
  }

  checkCsrf(request: FastifyRequest, sent: unknown): void {
    const expected = request.cookies[CSRF_COOKIE];
    const given = typeof sent === 'string' ? sent : '';
    const ok = expected !== undefined && given.length === expected.length && timingSafeEqual(Buffer.from(given), Buffer.from(expected));
    if (!ok) throw new Refusal('access-denied', [{ field: 'csrf', message: 'The form expired or came from another site; reload the page and try again' }]);
  }

  page(reply: FastifyReply, request: FastifyRequest, view: string, data: Record<string, unknown>, status = 200): FastifyReply {
    const own = this.scope(request).projectId;
    const common = {
      csrf: this.csrfToken(request, reply),
      clock: { mode: this.deps.clock.mode, now: new Date(this.deps.clock.now(own)).toISOString() },
      loggedIn: this.deps.adminToken !== undefined || own !== undefined,
      // Who the pages are for: one project through its token, or every project.
      viewer: own === undefined ? undefined : `Project ${own}`,
    };
    // Framing would let another site click the dashboard's buttons.
    reply.header('x-frame-options', 'DENY');
    return reply.code(status).type(HTML).send(views.render(view, { ...common, ...data }));
  }

  /** Errors as pages; a refusal's status comes from the refusal table, anything unexpected is logged. */
  useErrorPages(app: FastifyInstance): void {
    app.setErrorHandler((error, request, reply) => {
      const statusCode = (error as { statusCode?: number }).statusCode;
      const refusal = asRefusal(error);
      if (refusal === undefined && statusCode !== undefined && statusCode < 500) {
        return reply.code(statusCode).type(HTML).send(views.render('./error', { code: String(statusCode), message: (error as Error).message, errors: [] }));
      }
      if (refusal === undefined) {
        request.log.error({ err: error }, 'unexpected error in the dashboard');
        return reply.code(500).type(HTML).send(views.render('./error', { code: '501', message: 'Internal error', errors: [] }));
      }
      return reply.code(refusal.httpStatus).type(HTML).send(views.render('./error', { code: refusal.code, message: refusal.message, errors: refusal.fields }));
    });
  }
}
