// The dashboard's payments: the list with its filters and exports, a payment's detail page, and its tool actions
// (force an outcome, replay a callback, advance the clock).
import type { FastifyInstance } from 'fastify';
import { Refusal } from '../../domain/errors.js';
import { chosenOutcome, isFinal } from '../../domain/payments/outcomes.js';
import type { DashboardDeps } from './deps.js';
import { csvExport, xlsxExport } from './exports.js';
import { INTERFACES, listValues, queryString, readListQuery, STATUSES, TYPES, type ListQuery } from './filters.js';
import { labelled, shownDate, shownIso, type DashboardPages, type Form } from './pages.js';

const PAGE_SIZE = 50;
type PaymentParams = { Params: { projectId: string; paymentId: string } };

export function paymentRoutes(app: FastifyInstance, deps: DashboardDeps, pages: DashboardPages): void {
  const { listing, methods } = deps;
  const methodCodes = methods.all().map((m) => m.code);

  app.get('/dashboard', async (_request, reply) => reply.redirect('/dashboard/payments', 303));

  app.get<{ Querystring: Record<string, unknown> }>('/dashboard/payments', async (request, reply) => {
    const common = { title: 'Payments', methods: methodCodes, statuses: STATUSES, types: TYPES, interfaces: INTERFACES };
    let list: ListQuery;
    let found: Awaited<ReturnType<typeof listing.page>>;
    try {
      list = readListQuery(request.query, methodCodes);
      found = await listing.page(pages.scoped(request, list.filter), PAGE_SIZE, list.page);
    } catch (error) {
      if (!(error instanceof Refusal)) throw error;
      // The form as it was sent, its problems above it, and no list: nothing was filtered.
      const values = listValues(request.query);
      return pages.page(reply, request, './dashboard/payments', {
        ...common, values, filterErrors: labelled(error), filterCode: error.httpStatus === 400 ? undefined : error.code, rows: [], total: 0, pageNumber: 1, pages: 1, exportQuery: queryString(values),
      }, error.httpStatus);
    }
    const { total, pages: pageCount } = found;
    const rows = found.rows.map((row) => ({ ...row, amountText: pages.money(row), created: shownDate(row.created_at) }));
    return pages.page(reply, request, './dashboard/payments', {
      ...common, rows, total, values: list.values,
      pageNumber: list.page, pages: pageCount,
      previous: list.page > 1 ? queryString(list.values, { page: String(list.page - 1) }) : undefined,
      next: list.page < pageCount ? queryString(list.values, { page: String(list.page + 1) }) : undefined,
      exportQuery: queryString(list.values),
    });
  });

  app.get<{ Querystring: Record<string, unknown> }>('/dashboard/payments/export.csv', async (request, reply) => {
    const { filter } = readListQuery(request.query, methodCodes);
    return reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="payments.csv"').send(csvExport(listing, pages.scoped(request, filter)));
  });

  app.get<{ Querystring: Record<string, unknown> }>('/dashboard/payments/export.xlsx', async (request, reply) => {
    const { filter } = readListQuery(request.query, methodCodes);
    return reply
      .type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
      .header('content-disposition', 'attachment; filename="payments.xlsx"')
      .send(xlsxExport(listing, pages.scoped(request, filter)));
  });

  paymentActionRoutes(app, deps, pages);
}

/** A payment's detail page and what a tool does to it. */
function paymentActionRoutes(app: FastifyInstance, deps: DashboardDeps, pages: DashboardPages): void {
  const { tools, lookup, scenarios, currencies } = deps;
  const detailPath = (projectId: number, paymentId: string) => `/dashboard/payments/${projectId}/${encodeURIComponent(paymentId)}`;

  app.get<PaymentParams & { Querystring: Record<string, unknown> }>('/dashboard/payments/:projectId/:paymentId', async (request, reply) => {
    const payment = await tools.payment(pages.caller(request), request.params.projectId, request.params.paymentId);
    const report = shownDates(await lookup.report(payment)) as PaymentView;
    return pages.page(reply, request, './dashboard/payment', {
      title: `Payment ${payment.paymentId}`,
      report,
      mail: await lookup.mail({ projectId: payment.projectId, paymentId: payment.paymentId, limit: 50, offset: 0 }),
      final: isFinal(payment.status),
      amount: currencies.text(payment.sum, payment.sumConverted),
      choices: scenarios.forceChoices(payment.type === 'payout' ? 'payout' : 'sale', payment.method),
      detailPath: detailPath(payment.projectId, payment.paymentId),
      notice: whatWasDone(request.query, report, deps.clock.now(payment.projectId)),
    });
  });

  app.post<PaymentParams & { Body: Form }>('/dashboard/payments/:projectId/:paymentId/complete', async (request, reply) => {
    pages.checkCsrf(request, request.body?.csrf);
    const choice = typeof request.body?.outcome === 'string' ? request.body.outcome : '';
    const completed = await tools.forceOutcome(pages.caller(request), request.params.projectId, request.params.paymentId, (payment) =>
      // scenario:<name> is what earlier versions of the form sent; links and scripts may still send it.
      choice.startsWith('scenario:')
        ? scenarios.finalOutcome(choice.slice(9))
        : chosenOutcome(scenarios.forceChoices(payment.type === 'payout' ? 'payout' : 'sale', payment.method), choice));
    // The page it leads to says what was done, at its top.
    return reply.redirect(`${detailPath(completed.projectId, completed.paymentId)}?done=forced`, 303);
  });

  app.post<{ Params: { id: string }; Body: Form }>('/dashboard/callbacks/:id/replay', async (request, reply) => {
    pages.checkCsrf(request, request.body?.csrf);
    const replay = await tools.replay(pages.caller(request), request.params.id);
    if (replay === undefined) return reply.redirect('/dashboard/payments', 303);
    return reply.redirect(`${detailPath(replay.projectId, replay.paymentId)}?done=resent&callback=${replay.id}&of=${encodeURIComponent(request.params.id)}`, 303);
  });

  app.post<{ Body: Form }>('/dashboard/clock/advance', async (request, reply) => {
    pages.checkCsrf(request, request.body?.csrf);
    const seconds = Number(request.body?.seconds);
    if (!Number.isFinite(seconds) || seconds < 0 || seconds > 315_360_000) throw new Refusal('invalid-fields', [{ field: 'seconds', message: 'Expected a number of seconds from 0' }]);
    // A project's session moves its own clock; the admin's moves every clock.
    await tools.moveClock(pages.caller(request), { seconds });
    const back = typeof request.body?.back === 'string' && request.body.back.startsWith('/dashboard/') ? request.body.back.split('?')[0] as string : '/dashboard/payments';
    return reply.redirect(`${back}?done=advanced&seconds=${seconds}`, 303);
  });
}

interface PaymentView {
  payment: { status: string; callback_url: string | null };
  operations: Array<{ type: string; status: string; code: string | null; message: string | null }>;
  callbacks: Array<{ id: number; kind: string; state: string; url: string; attempts: Array<{ http_status: number | null; error: string | null }> }>;
}

/** A report with its times as the dashboard shows dates; a callback's body stays as it was sent. */
function shownDates(value: unknown, key = ''): unknown {
  if (key === 'body') return value;
  if (typeof value === 'string') return shownIso(value);
  if (Array.isArray(value)) return value.map((item) => shownDates(item));
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shownDates(v, k)]));
  return value;
}

/** What the action that led here did, in a line or two at the top of the page (`done` names the action). */
function whatWasDone(query: Record<string, unknown>, report: PaymentView, now: number): string[] | undefined {
  const last = report.operations.at(-1);
  if (query.done === 'forced' && last !== undefined) {
    const outcome = last.status === 'success' ? 'success' : `${last.status} ${last.code ?? ''} — ${last.message ?? ''}`;
    const callback = report.callbacks.at(-1);
    return [
      `Outcome forced: the ${last.type} ended in ${outcome}.`,
      callback === undefined ? 'No callback was sent.' : `Its callback #${callback.id} is ${callback.state}${callback.url === 'sandbox:inbox' ? ' (the built-in inbox)' : ` (to ${callback.url})`}.`,
    ];
  }
  if (query.done === 'resent') {
    const callback = report.callbacks.find((c) => String(c.id) === query.callback);
    if (callback === undefined) return undefined;
    const attempt = callback.attempts.at(-1);
    const answer = attempt === undefined ? 'not sent yet' : attempt.http_status === null ? `not delivered: ${attempt.error ?? 'no answer'}` : `answered HTTP ${attempt.http_status}`;
    return [`Callback #${String(query.of)} resent as callback #${callback.id} to ${callback.url === 'sandbox:inbox' ? 'the built-in inbox' : callback.url}: ${callback.state}, ${answer}.`];
  }
  if (query.done === 'advanced' && typeof query.seconds === 'string') {
    return [`Clock advanced by ${query.seconds} s, to ${shownDate(now)} UTC; what fell due has run.`];
  }
  return undefined;
}
