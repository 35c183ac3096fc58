// Old Dashboard surface (/dashboard): payments list and detail with actions, manual single and CSV mass
// payouts, exports, analytics, and the merchant conformance kit with its kept reports. Server-rendered, no
// JavaScript; forms carry a CSRF token (double submit).
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import multipart from '@fastify/multipart';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Refusal, type FieldProblem } from '../../domain/errors.js';
import { chosenOutcome, isFinal } from '../../domain/payments/outcomes.js';
import { payoutTemplate, PAYOUT_COLUMNS, type PayoutFields } from '../../domain/payments/payout-batches.js';
import type { PaymentFilter, PaymentListRow } from '../../domain/model.js';
import type { Sandbox } from '../../sandbox.js';
import { sameSecret, SESSION_COOKIE, sessionValue } from '../admin-access.js';
import { Scope } from '../access-scope.js';
import { actorOf, callerOf, PROJECT_SESSION_COOKIE, projectSessionValue } from '../callers.js';
import { views } from '../views.js';
import { ratesByMethod, stackedByDay, STATUS_COLOURS } from './charts.js';
import { csvExport, xlsxExport } from './exports.js';
import { INTERFACES, queryString, readListQuery, STATUSES, TYPES } from './filters.js';

const HTML = 'text/html; charset=utf-8';
const CSRF_COOKIE = 'sandbox_csrf';
const PAGE_SIZE = 50;

/** The single-payout form: its inputs, and the label a person sees for each field a refusal may name. */
const FORM_FIELDS = ['project_id', 'method', 'payment_id', 'amount', 'currency', 'description', 'customer_id', 'customer_email', 'account_number', 'customer_name'];
const FIELD_LABELS: Record<string, string> = {
  project_id: 'Project', method: 'Method', 'general.payment_id': 'Payment id', 'payment.amount': 'Amount', 'payment.currency': 'Currency',
  'payment.description': 'Description', 'customer.id': 'Customer id', 'customer.email': 'Customer e-mail', 'account.number': 'Account number',
  'account.customer_name': 'Customer full name',
};
const FIELD_INPUTS: Record<string, string> = {
  project_id: 'project_id', method: 'method', 'general.payment_id': 'payment_id', 'payment.amount': 'amount', 'payment.currency': 'currency',
  'payment.description': 'description', 'customer.id': 'customer_id', 'customer.email': 'customer_email', 'account.number': 'account_number',
  'account.customer_name': 'customer_name',
};
const formLabel = (field: string): string => FIELD_LABELS[field] ?? field;
const MAX_UPLOAD_BYTES = 20 * 1024 * 1024;

type Form = Record<string, unknown>;

export async function dashboard(app: FastifyInstance, { sandbox }: { sandbox: Sandbox }): Promise<void> {
  const moneyText = sandbox.catalogue.currencies.text.bind(sandbox.catalogue.currencies);
  await app.register(cookie);
  await app.register(formbody, { bodyLimit: 64 * 1024 });
  await app.register(multipart, { limits: { fileSize: MAX_UPLOAD_BYTES, files: 1, fields: 10 } });
  const { listing, lookup, lifecycle, methods, projects, callbacks, clock, clockControl, control, batches, config } = sandbox;
  const adminToken = config.adminToken;
  const methodCodes = methods.all().map((m) => m.code);

  // The admin token (or none set) shows every project; a project's control token that project alone.
  app.addHook('onRequest', async (request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    const caller = await callerOf(request, adminToken, projects);
    if (caller !== undefined && caller !== 'refused') {
      request.sandboxCaller = caller;
      return;
    }
    if (path === '/dashboard/login') return;
    if (request.method === 'GET') return reply.redirect('/dashboard/login', 303);
    throw new Refusal('not-authenticated', [{ field: '', message: 'Log in to the dashboard first' }]);
  });

  const scopeOf = (request: FastifyRequest): Scope => new Scope(request.sandboxCaller ?? { kind: 'admin', open: true });
  const audit = (request: FastifyRequest, action: string, projectId: number | undefined, details: Record<string, unknown> = {}) =>
    sandbox.audit.record(actorOf(request.sandboxCaller), action, projectId, details);
  /** The payments a page lists: a project's session sees its own project only. */
  const scoped = <T extends { projectIds?: number[] }>(request: FastifyRequest, filter: T): T => {
    const own = scopeOf(request).listed(filter.projectIds?.[0]);
    return own === undefined ? filter : { ...filter, projectIds: [own] };
  };

  /** Double-submit CSRF token: a random cookie (SameSite=Strict) that every form must echo. */
  function csrfToken(request: FastifyRequest, reply: FastifyReply): string {
    const existing = request.cookies[CSRF_COOKIE];
    if (existing !== undefined && /^[A-Za-z0-9_-]{32,}$/.test(existing)) return existing;
    const token = randomBytes(24).toString('base64url');
    reply.setCookie(CSRF_COOKIE, token, { path: '/dashboard', httpOnly: true, sameSite: 'strict' });
    return token;
  }

  function checkCsrf(request: FastifyRequest, sent: unknown): void {
    const expected = request.cookies[CSRF_COOKIE];
    const given = typeof sent === 'string' ? sent : '';
    const ok = expected !== undefined && given.length === expected.length && timingSafeEqual(Buffer.from(given), Buffer.from(expected));
    if (!ok) throw new Refusal('access-denied', [{ field: 'csrf', message: 'The form expired or came from another site; reload the page and try again' }]);
  }

  function page(reply: FastifyReply, request: FastifyRequest, view: string, data: Record<string, unknown>, status = 200): FastifyReply {
    const own = scopeOf(request).projectId;
    const common = {
      csrf: csrfToken(request, reply),
      clock: { mode: clock.mode, now: new Date(clock.now(own)).toISOString() },
      loggedIn: adminToken !== undefined || own !== undefined,
      // Who the pages are for: one project through its token, or every project.
      viewer: own === undefined ? undefined : `Project ${own}`,
    };
    // Framing would let another site click the dashboard's buttons.
    reply.header('x-frame-options', 'DENY');
    return reply.code(status).type(HTML).send(views.render(view, { ...common, ...data }));
  }

  app.setErrorHandler((error, request, reply) => {
    const refusal = error instanceof Refusal ? error : undefined;
    if (refusal === undefined && (error as { statusCode?: number }).statusCode !== undefined && ((error as { statusCode: number }).statusCode < 500)) {
      return reply.code((error as { statusCode: number }).statusCode).type(HTML).send(views.render('./error', { code: String((error as { statusCode: number }).statusCode), message: (error as Error).message, errors: [] }));
    }
    if (refusal === undefined) {
      request.log.error({ err: error }, 'unexpected error in the dashboard');
      return reply.code(500).type(HTML).send(views.render('./error', { code: '501', message: 'Internal error', errors: [] }));
    }
    return reply.code(refusal.httpStatus).type(HTML).send(views.render('./error', { code: refusal.code, message: refusal.message, errors: refusal.fields }));
  });

  const money = (row: PaymentListRow) => moneyText({ amount: row.amount, currency: row.currency }, { amount: row.converted_amount, currency: row.converted_currency });

  app.get('/dashboard', async (_request, reply) => reply.redirect('/dashboard/payments', 303));

  app.get('/dashboard/login', async (request, reply) => page(reply, request, './dashboard/login', { title: 'Log in' }));

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
    return page(reply, request, './dashboard/login', { title: 'Log in', error: 'Wrong token: neither the admin token nor a project\'s control token' }, 401);
  });

  app.post<{ Body: Form }>('/dashboard/logout', async (request, reply) => {
    checkCsrf(request, request.body?.csrf);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    reply.clearCookie(PROJECT_SESSION_COOKIE, { path: '/' });
    return reply.redirect('/dashboard/login', 303);
  });

  app.get<{ Querystring: Record<string, unknown> }>('/dashboard/payments', async (request, reply) => {
    const list = readListQuery(request.query, methodCodes);
    const found = await listing.page(scoped(request, list.filter), PAGE_SIZE, list.page);
    const { total, pages } = found;
    const rows = found.rows.map((row) => ({
      ...row,
      amountText: money(row),
      created: new Date(row.created_at).toISOString().replace('T', ' ').slice(0, 19),
    }));
    return page(reply, request, './dashboard/payments', {
      title: 'Payments', rows, total, values: list.values, methods: methodCodes, statuses: STATUSES, types: TYPES, interfaces: INTERFACES,
      pageNumber: list.page, pages,
      previous: list.page > 1 ? queryString(list.values, { page: String(list.page - 1) }) : undefined,
      next: list.page < pages ? queryString(list.values, { page: String(list.page + 1) }) : undefined,
      exportQuery: queryString(list.values),
    });
  });

  app.get<{ Querystring: Record<string, unknown> }>('/dashboard/payments/export.csv', async (request, reply) => {
    const { filter } = readListQuery(request.query, methodCodes);
    return reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="payments.csv"').send(csvExport(listing, scoped(request, filter)));
  });

  app.get<{ Querystring: Record<string, unknown> }>('/dashboard/payments/export.xlsx', async (request, reply) => {
    const { filter } = readListQuery(request.query, methodCodes);
    return reply
      .type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
      .header('content-disposition', 'attachment; filename="payments.xlsx"')
      .send(xlsxExport(listing, scoped(request, filter)));
  });


  app.get<{ Params: { projectId: string; paymentId: string } }>('/dashboard/payments/:projectId/:paymentId', async (request, reply) => {
    scopeOf(request).own(Number(request.params.projectId));
    const payment = await lookup.require(request.params.projectId, request.params.paymentId);
    const report = await lookup.report(payment);
    const mail = await lookup.mail({ projectId: payment.projectId, paymentId: payment.paymentId, limit: 50, offset: 0 });
    return page(reply, request, './dashboard/payment', {
      title: `Payment ${payment.paymentId}`, report, mail, final: isFinal(payment.status),
      amount: moneyText(payment.sum, payment.sumConverted),
      choices: sandbox.scenarios.forceChoices(payment.type === 'payout' ? 'payout' : 'sale', payment.method),
      detailPath: `/dashboard/payments/${payment.projectId}/${encodeURIComponent(payment.paymentId)}`,
    });
  });

  app.post<{ Params: { projectId: string; paymentId: string }; Body: Form }>('/dashboard/payments/:projectId/:paymentId/complete', async (request, reply) => {
    checkCsrf(request, request.body?.csrf);
    scopeOf(request).own(Number(request.params.projectId));
    const payment = await lookup.require(request.params.projectId, request.params.paymentId);
    const choice = typeof request.body?.outcome === 'string' ? request.body.outcome : '';
    // scenario:<name> is what earlier versions of the form sent; links and scripts may still send it.
    const outcome = choice.startsWith('scenario:')
      ? sandbox.scenarios.finalOutcome(choice.slice(9))
      : chosenOutcome(sandbox.scenarios.forceChoices(payment.type === 'payout' ? 'payout' : 'sale', payment.method), choice);
    const completed = await lifecycle.complete(payment.rowId, outcome);
    await audit(request, 'payment.complete', payment.projectId, { payment_id: payment.paymentId, status: outcome.status, code: outcome.code });
    if (clock.mode === 'manual') await control.settlePayment(completed);
    return reply.redirect(`/dashboard/payments/${payment.projectId}/${encodeURIComponent(payment.paymentId)}`, 303);
  });

  app.post<{ Params: { id: string }; Body: Form }>('/dashboard/callbacks/:id/replay', async (request, reply) => {
    checkCsrf(request, request.body?.csrf);
    const id = Number(request.params.id);
    const original = Number.isSafeInteger(id) ? await callbacks.find(id) : undefined;
    if (original === undefined) throw new Refusal('payment-not-found', [{ field: 'id', message: `No callback ${request.params.id}` }]);
    scopeOf(request).own(original.projectId, 'id');
    const replay = await callbacks.replay(id);
    await audit(request, 'callback.replay', original.projectId, { callback_id: id, payment_id: original.paymentId, replay_id: replay.id });
    if (clock.mode === 'manual') await sandbox.scheduler.runDue(clock.now(replay.projectId), { paymentRowId: replay.paymentRowId });
    return reply.redirect(`/dashboard/payments/${replay.projectId}/${encodeURIComponent(replay.paymentId)}`, 303);
  });

  app.post<{ Body: Form }>('/dashboard/clock/advance', async (request, reply) => {
    checkCsrf(request, request.body?.csrf);
    const seconds = Number(request.body?.seconds);
    if (clock.mode !== 'manual') throw new Refusal('invalid-fields', [{ field: 'seconds', message: 'Only a manual clock can be moved (SANDBOX_CLOCK=manual)' }]);
    if (!Number.isFinite(seconds) || seconds < 0 || seconds > 315_360_000) throw new Refusal('invalid-fields', [{ field: 'seconds', message: 'Expected a number of seconds from 0' }]);
    // A project's session moves its own clock; the admin's moves every clock.
    const own = scopeOf(request).projectId;
    await clockControl.advanceBy(seconds, own);
    await audit(request, 'clock.advance', own, { seconds });
    const back = typeof request.body?.back === 'string' && request.body.back.startsWith('/dashboard') ? request.body.back : '/dashboard/payments';
    return reply.redirect(back, 303);
  });

  async function manualPage(request: FastifyRequest, reply: FastifyReply, extra: Record<string, unknown> = {}, status = 200): Promise<FastifyReply> {
    const own = scopeOf(request).projectId;
    const manualFilter: PaymentFilter = { interface: 'dashboard' };
    const manual = (await listing.latest(scoped(request, manualFilter), 50)).map((row) => ({ ...row, amountText: money(row) }));
    return page(reply, request, './dashboard/manual', {
      title: 'Manual payments',
      projects: (await projects.all()).filter((p) => own === undefined || p.projectId === own).map((p) => ({ id: p.projectId, name: p.name })),
      payoutMethods: methods.all().filter((m) => m.operations.payout?.interfaces.includes('dashboard')).map((m) => ({ code: m.code, title: m.title })),
      batches: await batches.list(100, own),
      manual,
      columns: PAYOUT_COLUMNS,
      form: {},
      ...extra,
    }, status);
  }

  app.get('/dashboard/manual', async (request, reply) => manualPage(request, reply));

  app.get('/dashboard/manual/template.csv', async (_request, reply) =>
    reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="payouts-template.csv"').send(payoutTemplate()));

  app.post<{ Body: Form }>('/dashboard/manual/payout', async (request, reply) => {
    const body = request.body ?? {};
    checkCsrf(request, body.csrf);
    const text = (name: string) => (typeof body[name] === 'string' ? (body[name] as string) : '');
    const project = await projects.find(Number(text('project_id')));
    if (project !== undefined) scopeOf(request).own(project.projectId);
    const form = Object.fromEntries(FORM_FIELDS.map((k) => [k, text(k)]));
    const fields: PayoutFields = {
      paymentId: text('payment_id').trim() || `manual-${clock.now().toString(36)}-${randomBytes(3).toString('hex')}`,
      amount: text('amount'), currency: text('currency'), description: text('description') || 'payout',
      customerId: text('customer_id'), ipAddress: '', email: text('customer_email'), accountNumber: text('account_number'),
      customerName: text('customer_name'), method: text('method'),
    };
    let problems: FieldProblem[];
    try {
      const payoutRequest = batches.manualRequest(project, fields, formLabel);
      await lifecycle.startPayout(payoutRequest);
      await audit(request, 'payout.create', payoutRequest.project.projectId, { payment_id: payoutRequest.paymentId });
      const created = await lookup.find(payoutRequest.project.projectId, payoutRequest.paymentId);
      if (created !== undefined && clock.mode === 'manual') await control.settlePayment(created);
      return reply.redirect(`/dashboard/payments/${payoutRequest.project.projectId}/${encodeURIComponent(payoutRequest.paymentId)}`, 303);
    } catch (error) {
      if (!(error instanceof Refusal)) throw error;
      problems = error.fields.length > 0 ? error.fields : [{ field: '', message: error.message }];
    }
    const payoutErrors = problems.map((p) => ({ ...p, label: p.field === '' ? '' : formLabel(p.field), input: FIELD_INPUTS[p.field] }));
    return manualPage(request, reply, { form, payoutErrors, invalid: new Set(payoutErrors.map((e) => e.input)) }, 400);
  });

  app.post('/dashboard/manual/batches', async (request, reply) => {
    const fields: Record<string, string> = {};
    let csv: string | undefined;
    let fileName = 'upload.csv';
    for await (const part of request.parts()) {
      if (part.type === 'file') {
        fileName = part.filename || fileName;
        csv = (await part.toBuffer()).toString('utf8');
      } else if (typeof part.value === 'string') {
        fields[part.fieldname] = part.value;
      }
    }
    checkCsrf(request, fields.csrf);
    const project = await projects.find(Number(fields.project_id));
    if (project === undefined) return manualPage(request, reply, { uploadErrors: [{ row: 0, column: 'project_id', message: 'Choose a project' }] }, 400);
    scopeOf(request).own(project.projectId);
    if (csv === undefined || csv.trim() === '') return manualPage(request, reply, { uploadErrors: [{ row: 0, column: '', message: 'Choose a CSV file' }] }, 400);
    const result = await batches.upload(project, fileName, csv);
    if (result.batchId !== undefined) await audit(request, 'batch.upload', project.projectId, { batch_id: result.batchId, file_name: fileName, accepted: result.accepted });
    if (result.batchId === undefined) return manualPage(request, reply, { uploadErrors: result.errors }, 400);
    // The batch page lists the refused rows from storage, so they read the same after a reload.
    return reply.redirect(`/dashboard/manual/batches/${result.batchId}`, 303);
  });

  app.get<{ Params: { id: string } }>('/dashboard/manual/batches/:id', async (request, reply) => {
    const id = Number(request.params.id);
    const batch = Number.isSafeInteger(id) ? await batches.find(id) : undefined;
    if (batch === undefined) throw new Refusal('payment-not-found', [{ field: 'id', message: `No batch ${request.params.id}` }]);
    scopeOf(request).own(batch.projectId, 'id');
    const rowErrors = (await batches.refusedRows(batch.id)).map((r) => ({ rowNumber: r.rowNumber, paymentId: r.paymentId, error: r.error }));
    return page(reply, request, './dashboard/batch', { title: `Batch ${batch.id}`, batch, rowErrors });
  });

  async function conformancePage(request: FastifyRequest, reply: FastifyReply, extra: Record<string, unknown> = {}, status = 200): Promise<FastifyReply> {
    const own = scopeOf(request).projectId;
    const runs = (await sandbox.conformance.list({ limit: 50, offset: 0, ...(own === undefined ? {} : { projectId: own }) })).map((run) => ({
      ...run, created: new Date(run.createdAt).toISOString().replace('T', ' ').slice(0, 19),
    }));
    return page(reply, request, './dashboard/conformance', {
      title: 'Conformance',
      projects: (await projects.all()).filter((p) => own === undefined || p.projectId === own).map((p) => ({ id: p.projectId, name: p.name, callbackUrl: p.callbackUrl ?? '' })),
      runs,
      form: {},
      ...extra,
    }, status);
  }

  app.get('/dashboard/conformance', async (request, reply) => conformancePage(request, reply));

  app.post<{ Body: Form }>('/dashboard/conformance', async (request, reply) => {
    const body = request.body ?? {};
    checkCsrf(request, body.csrf);
    const text = (name: string) => (typeof body[name] === 'string' ? (body[name] as string).trim() : '');
    const form = { project_id: text('project_id'), callback_url: text('callback_url'), probe_url: text('probe_url') };
    const projectId = Number(form.project_id);
    try {
      if (!Number.isSafeInteger(projectId) || projectId < 1) throw new Refusal('invalid-fields', [{ field: 'project_id', message: 'Choose a project' }]);
      scopeOf(request).own(projectId);
      const run = await sandbox.conformance.run({
        projectId,
        ...(form.callback_url === '' ? {} : { callbackUrl: form.callback_url }),
        ...(form.probe_url === '' ? {} : { probeUrl: form.probe_url }),
      });
      await audit(request, 'conformance.run', run.projectId, { run_id: run.id, passed: run.passed, failed: run.failed });
      return reply.redirect(`/dashboard/conformance/${run.id}`, 303);
    } catch (error) {
      if (!(error instanceof Refusal)) throw error;
      const problems = (error.fields.length > 0 ? error.fields : [{ field: '', message: error.message }]).map((f) => ({ ...f, message: `${error.code} ${f.message}` }));
      return conformancePage(request, reply, { form, runErrors: problems }, 400);
    }
  });

  app.get<{ Params: { id: string } }>('/dashboard/conformance/:id', async (request, reply) => {
    const run = await sandbox.conformance.require(request.params.id);
    scopeOf(request).own(run.projectId, 'id');
    return page(reply, request, './dashboard/conformance-run', {
      title: `Conformance report ${run.id}`, run, created: new Date(run.createdAt).toISOString().replace('T', ' ').slice(0, 19),
    });
  });

  app.get('/dashboard/audit', async (request, reply) => {
    const own = scopeOf(request).projectId;
    const entries = (await sandbox.audit.list({ limit: 200, offset: 0, ...(own === undefined ? {} : { projectId: own }) })).map((e) => ({
      ...e,
      when: new Date(e.at).toISOString().replace('T', ' ').slice(0, 19),
      details: Object.entries(e.details).map(([key, value]) => `${key}: ${String(value)}`).join(', '),
    }));
    return page(reply, request, './dashboard/audit', { title: 'Audit log', entries });
  });

  app.get<{ Querystring: Record<string, unknown> }>('/dashboard/analytics', async (request, reply) => {
    const list = readListQuery(request.query, methodCodes);
    const filter = scoped(request, list.filter);
    const daily = await listing.dailyTotals(filter);
    const rates = await listing.successRates(filter);
    return page(reply, request, './dashboard/analytics', {
      title: 'Analytics', values: list.values, colours: STATUS_COLOURS,
      daily: daily.map((d) => ({ ...d, amountText: moneyText({ amount: d.amount, currency: 'PHP' }) })),
      rates: rates.map((r) => ({ ...r, percent: `${(r.rate * 100).toFixed(1)}%` })),
      countChart: stackedByDay(daily.map((d) => ({ day: d.day, status: d.status, value: d.n })), { x: 'Day (UTC)', y: 'Payments' }),
      amountChart: stackedByDay(daily.map((d) => ({ day: d.day, status: d.status, value: d.amount / 100 })), {
        x: 'Day (UTC)', y: 'Amount (₱)', format: (value) => `₱${value.toLocaleString('en-US', { maximumFractionDigits: 0 })}`,
      }),
      rateChart: ratesByMethod(rates.map((r) => ({ method: r.method, rate: r.rate }))),
    });
  });
}
