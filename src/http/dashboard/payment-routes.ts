// The dashboard's payments: the list with its filters and exports, a payment's detail page, and its tool actions
// (force an outcome, capture, cancel or refund a card payment, replay a callback, advance the clock).
import type { FastifyInstance } from 'fastify';
import { Refusal } from '../../domain/errors.js';
import { chosenOutcome } from '../../domain/payments/outcomes.js';
import { cardActionRoutes } from './card-actions.js';
import type { DashboardDeps } from './deps.js';
import { csvExport, xlsxExport, type BrandOf } from './exports.js';
import { INTERFACES, listChoices, listValues, queryString, readListQuery, TYPES, type ListQuery } from './filters.js';
import { detailPath, forceChoicesOf, paymentDetailOf } from './payment-detail.js';
import { labelled, shownDate, type DashboardPages, type Form } from './pages.js';

const PAGE_SIZE = 50;
type PaymentParams = { Params: { projectId: string; paymentId: string } };

export function paymentRoutes(app: FastifyInstance, deps: DashboardDeps, pages: DashboardPages): void {
  const { listing, methods, cards } = deps;
  const choices = listChoices(deps);
  const brandOf: BrandOf = (row, account) => (methods.find(row.method)?.family === 'card' ? cards.brand(account.type ?? '')?.title ?? account.type ?? '' : '');

  app.get('/dashboard', async (_request, reply) => reply.redirect('/dashboard/payments', 303));

  app.get<{ Querystring: Record<string, unknown> }>('/dashboard/payments', async (request, reply) => {
    const common = { title: 'Payments', methods: choices.methods, statuses: choices.statuses, types: TYPES, interfaces: INTERFACES };
    let list: ListQuery;
    let found: Awaited<ReturnType<typeof listing.page>>;
    try {
      list = readListQuery(request.query, choices);
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
    const { filter } = readListQuery(request.query, choices);
    return reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="payments.csv"').send(csvExport(listing, pages.scoped(request, filter), brandOf));
  });

  app.get<{ Querystring: Record<string, unknown> }>('/dashboard/payments/export.xlsx', async (request, reply) => {
    const { filter } = readListQuery(request.query, choices);
    return reply
      .type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
      .header('content-disposition', 'attachment; filename="payments.xlsx"')
      .send(xlsxExport(listing, pages.scoped(request, filter), brandOf));
  });

  paymentActionRoutes(app, deps, pages);
  cardActionRoutes(app, deps, pages);
}

/** A payment's detail page and what a tool does to it. */
function paymentActionRoutes(app: FastifyInstance, deps: DashboardDeps, pages: DashboardPages): void {
  const { tools, scenarios } = deps;
  const detailPage = paymentDetailOf(deps, pages);

  app.get<PaymentParams>('/dashboard/payments/:projectId/:paymentId', async (request, reply) =>
    detailPage(request, reply, await tools.payment(pages.caller(request), request.params.projectId, request.params.paymentId)));

  app.post<PaymentParams & { Body: Form }>('/dashboard/payments/:projectId/:paymentId/complete', async (request, reply) => {
    pages.checkCsrf(request, request.body?.csrf);
    const choice = typeof request.body?.outcome === 'string' ? request.body.outcome : '';
    const completed = await tools.forceOutcome(pages.caller(request), request.params.projectId, request.params.paymentId, (payment) =>
      // scenario:<name> is what earlier versions of the form sent; links and scripts may still send it.
      choice.startsWith('scenario:') ? scenarios.finalOutcome(choice.slice(9), payment.method) : chosenOutcome(forceChoicesOf(deps, payment), choice));
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

