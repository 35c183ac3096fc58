// The dashboard's payments: the list with its filters and exports, a payment's detail page, and its tool actions
// (force an outcome, replay a callback, advance the clock).
import type { FastifyInstance } from 'fastify';
import { Refusal } from '../../domain/errors.js';
import { chosenOutcome, isFinal } from '../../domain/payments/outcomes.js';
import type { DashboardDeps } from './deps.js';
import { csvExport, xlsxExport } from './exports.js';
import { INTERFACES, listValues, queryString, readListQuery, STATUSES, TYPES, type ListQuery } from './filters.js';
import { labelled, shownDate, type DashboardPages, type Form } from './pages.js';

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
        ...common, values, filterErrors: labelled(error), rows: [], total: 0, pageNumber: 1, pages: 1, exportQuery: queryString(values),
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
function paymentActionRoutes(app: FastifyInstance, { tools, lookup, scenarios, currencies }: DashboardDeps, pages: DashboardPages): void {
  const detailPath = (projectId: number, paymentId: string) => `/dashboard/payments/${projectId}/${encodeURIComponent(paymentId)}`;

  app.get<PaymentParams>('/dashboard/payments/:projectId/:paymentId', async (request, reply) => {
    const payment = await tools.payment(pages.caller(request), request.params.projectId, request.params.paymentId);
    return pages.page(reply, request, './dashboard/payment', {
      title: `Payment ${payment.paymentId}`,
      report: await lookup.report(payment),
      mail: await lookup.mail({ projectId: payment.projectId, paymentId: payment.paymentId, limit: 50, offset: 0 }),
      final: isFinal(payment.status),
      amount: currencies.text(payment.sum, payment.sumConverted),
      choices: scenarios.forceChoices(payment.type === 'payout' ? 'payout' : 'sale', payment.method),
      detailPath: detailPath(payment.projectId, payment.paymentId),
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
    return reply.redirect(detailPath(completed.projectId, completed.paymentId), 303);
  });

  app.post<{ Params: { id: string }; Body: Form }>('/dashboard/callbacks/:id/replay', async (request, reply) => {
    pages.checkCsrf(request, request.body?.csrf);
    const replay = await tools.replay(pages.caller(request), request.params.id);
    if (replay === undefined) return reply.redirect('/dashboard/payments', 303);
    return reply.redirect(detailPath(replay.projectId, replay.paymentId), 303);
  });

  app.post<{ Body: Form }>('/dashboard/clock/advance', async (request, reply) => {
    pages.checkCsrf(request, request.body?.csrf);
    const seconds = Number(request.body?.seconds);
    if (!Number.isFinite(seconds) || seconds < 0 || seconds > 315_360_000) throw new Refusal('invalid-fields', [{ field: 'seconds', message: 'Expected a number of seconds from 0' }]);
    // A project's session moves its own clock; the admin's moves every clock.
    await tools.moveClock(pages.caller(request), { seconds });
    const back = typeof request.body?.back === 'string' && request.body.back.startsWith('/dashboard') ? request.body.back : '/dashboard/payments';
    return reply.redirect(back, 303);
  });
}
