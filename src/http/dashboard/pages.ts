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

/** An ISO 8601 time of a report, as every dashboard page shows a date; null stays null. */
export function shownIso<T extends string | null | undefined>(iso: T): T {
  return (typeof iso === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(iso) ? shownDate(Date.parse(iso)) : iso) as T;
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
    const now = this.deps.clock.now(own);
    const caller = this.caller(request);
    const common = {
      csrf: this.csrfToken(request, reply),
      clock: { mode: this.deps.clock.mode, now: shownDate(now), iso: new Date(now).toISOString() },
      loggedIn: this.deps.adminToken !== undefined || own !== undefined,
      // Who is logged in: one project through its token, or the admin (open to anyone while no admin token is set).
      viewer: caller.kind === 'project' ? `Logged in as project ${caller.projectId}` : caller.open ? 'Admin (no admin token set)' : 'Logged in as admin',
    };
    // Framing would let another site click the dashboard's buttons.
    reply.header('x-frame-options', 'DENY');
    return reply.code(status).type(HTML).send(views.render(view, { ...common, ...data }));
  }

  /** Errors as dashboard pages; a refusal's status comes from the refusal table, anything unexpected is logged. */
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
      // Without a session there is no dashboard to show it in, nor with storage refusing (the layout reads the
      // session): the bare page, which says to log in or what the storage is doing.
      if (refusal.kind === 'not-authenticated' || refusal.kind === 'storage-unavailable' || request.url.startsWith('/dashboard/login')) {
        return reply.code(refusal.httpStatus).type(HTML).send(views.render('./error', { code: refusal.code, message: refusal.message, errors: refusal.fields }));
      }
      return this.page(reply, request, './dashboard/error', { title: whatHappened(refusal), ...errorPage(refusal, request.url) }, refusal.httpStatus);
    });
  }
}

/** A field as a person reads it on the dashboard's pages. */
export const FIELD_LABELS: Record<string, string> = {
  project_id: 'Project', method: 'Method', type: 'Type', status: 'Status', interface: 'Interface', from: 'From', to: 'To', q: 'Payment or customer id',
  page: 'Page', batch: 'Batch', id: 'Id', payment_id: 'Payment id', seconds: 'Seconds', outcome: 'Outcome', csrf: 'Form',
};

/** A refusal's problems with each field's label. */
export function labelled(error: Refusal): Array<{ field: string; label: string; message: string }> {
  return error.fields.map((f) => ({ field: f.field, label: FIELD_LABELS[f.field] ?? f.field, message: f.message }));
}

/** The heading of an error page: what happened, in words, not a code. */
export function whatHappened(error: Refusal): string {
  const only = error.fields.length === 1 ? error.fields[0] : undefined;
  if (only?.field === 'csrf') return 'The form expired: nothing was done';
  if (error.httpStatus === 404 && only !== undefined) return `Not found: ${only.message}`;
  if (error.httpStatus === 404) return 'Not found';
  if (error.kind === 'access-denied' && only !== undefined) return `Not allowed: ${only.message}`;
  if (error.httpStatus === 400) return error.fields.length > 1 ? `${error.fields.length} values were not accepted` : 'A value was not accepted';
  return error.message;
}

function errorPage(error: Refusal, url: string): Record<string, unknown> {
  const path = url.split('?')[0] ?? '';
  const section = /^\/dashboard\/(manual|analytics|conformance|audit|inbox)/.exec(path)?.[1];
  const names: Record<string, string> = { manual: 'Manual payments', analytics: 'Analytics', conformance: 'Conformance', audit: 'Audit log', inbox: 'Callback inbox' };
  const back = section === undefined ? { href: '/dashboard/payments', label: 'Back to Payments' } : { href: `/dashboard/${section}`, label: `Back to ${names[section]}` };
  const only = error.fields.length === 1 ? error.fields[0] : undefined;
  let errors = labelled(error);
  // The expired form's message says what to do; a single problem the heading already says is not repeated.
  if (only?.field === 'csrf') errors = errors.map((e) => ({ ...e, label: '' }));
  else if (only !== undefined && (error.httpStatus === 404 || error.kind === 'access-denied')) errors = [];
  // The code table's words for a not-found ("Transaction not found") would misname a batch or a callback.
  return { heading: whatHappened(error), code: error.code, message: error.message, showMessage: error.httpStatus !== 404, errors, back };
}
