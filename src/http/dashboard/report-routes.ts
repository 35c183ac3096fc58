// The dashboard's reports: the audit log and analytics (daily totals and success rates by method).
import type { FastifyInstance } from 'fastify';
import { ratesByMethod, stackedByDay, STATUS_COLOURS } from './charts.js';
import type { DashboardDeps } from './deps.js';
import { listChoices, listValues, readListQuery } from './filters.js';
import { labelled, shownDate, type DashboardPages } from './pages.js';
import { Refusal, type FieldProblem } from '../../domain/errors.js';
import type { InboxEntry, PaymentFilter } from '../../domain/model.js';

export function reportRoutes(app: FastifyInstance, deps: DashboardDeps, pages: DashboardPages): void {
  const { audit, listing, currencies, callbacks } = deps;
  const choices = listChoices(deps);

  app.get('/dashboard/audit', async (request, reply) => {
    const own = pages.scope(request).projectId;
    const entries = (await audit.list({ limit: 200, offset: 0, ...(own === undefined ? {} : { projectId: own }) })).map((e) => ({
      ...e,
      when: shownDate(e.at),
      details: Object.entries(e.details).map(([key, value]) => `${key}: ${String(value)}`).join(', '),
    }));
    return pages.page(reply, request, './dashboard/audit', { title: 'Audit log', entries });
  });

  app.get<{ Querystring: Record<string, unknown> }>('/dashboard/analytics', async (request, reply) => {
    let filter: PaymentFilter;
    try {
      filter = pages.scoped(request, readListQuery(request.query, choices).filter);
    } catch (error) {
      if (!(error instanceof Refusal)) throw error;
      // The form as it was sent with its problems; no charts of a range that was not understood.
      return pages.page(reply, request, './dashboard/analytics', {
        title: 'Analytics', values: listValues(request.query), colours: STATUS_COLOURS, filterErrors: labelled(error), filterCode: error.httpStatus === 400 ? undefined : error.code, daily: [], rates: [],
      }, error.httpStatus);
    }
    const daily = await listing.dailyTotals(filter);
    const rates = await listing.successRates(filter);
    return pages.page(reply, request, './dashboard/analytics', {
      title: 'Analytics', values: listValues(request.query), colours: STATUS_COLOURS,
      daily: daily.map((d) => ({ ...d, amountText: currencies.text({ amount: d.amount, currency: 'PHP' }) })),
      // A method none of whose payments has ended has no rate yet: "—", not 0%.
      rates: rates.map((r) => ({ ...r, percent: r.rate === undefined ? '—' : `${(r.rate * 100).toFixed(1)}%` })),
      countChart: stackedByDay(daily.map((d) => ({ day: d.day, status: d.status, value: d.n })), { x: 'Day (UTC)', y: 'Payments', counts: true }),
      amountChart: stackedByDay(daily.map((d) => ({ day: d.day, status: d.status, value: d.amount / 100 })), {
        x: 'Day (UTC)', y: 'Amount (₱)', format: (value) => `₱${value.toLocaleString('en-US', { maximumFractionDigits: 0 })}`,
      }),
      rateChart: ratesByMethod(rates.map((r) => ({ method: r.method, rate: r.rate }))),
    });
  });

  // The built-in inbox: the callbacks of payments and projects without a callback URL, as the sandbox received them.
  app.get<{ Querystring: Record<string, unknown> }>('/dashboard/inbox', async (request, reply) => {
    const text = (key: string) => (typeof request.query[key] === 'string' ? (request.query[key] as string).trim() : '');
    const values = { project_id: text('project_id'), payment_id: text('payment_id') };
    const problems: FieldProblem[] = [];
    if (values.project_id !== '' && !/^[1-9]\d{0,9}$/.test(values.project_id)) problems.push({ field: 'project_id', message: 'A project id is a whole number, such as 1' });
    if (values.payment_id.length > 255) problems.push({ field: 'payment_id', message: 'A payment id has at most 255 characters' });
    let entries: InboxEntry[] = [];
    try {
      if (problems.length > 0) throw new Refusal('invalid-fields', problems);
      const projectId = pages.scope(request).listed(values.project_id === '' ? undefined : Number(values.project_id));
      entries = await callbacks.inbox({ limit: 100, offset: 0, ...(projectId === undefined ? {} : { projectId }), ...(values.payment_id === '' ? {} : { paymentId: values.payment_id }) });
    } catch (error) {
      if (!(error instanceof Refusal)) throw error;
      return pages.page(reply, request, './dashboard/inbox', { title: 'Callback inbox', values, entries: [], filterErrors: labelled(error), filterCode: error.httpStatus === 400 ? undefined : error.code }, error.httpStatus);
    }
    return pages.page(reply, request, './dashboard/inbox', {
      title: 'Callback inbox', values,
      entries: entries.map((e) => ({ ...e, received: shownDate(e.receivedAt), json: JSON.stringify(e.body, null, 2) })),
    });
  });
}
