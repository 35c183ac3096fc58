// The dashboard's reports: the audit log and analytics (daily totals and success rates by method).
import type { FastifyInstance } from 'fastify';
import { ratesByMethod, stackedByDay, STATUS_COLOURS } from './charts.js';
import type { DashboardDeps } from './deps.js';
import { listChoices, readListQuery } from './filters.js';
import { shownDate, type DashboardPages } from './pages.js';

export function reportRoutes(app: FastifyInstance, deps: DashboardDeps, pages: DashboardPages): void {
  const { audit, listing, currencies } = deps;
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
    const list = readListQuery(request.query, choices);
    const filter = pages.scoped(request, list.filter);
    const daily = await listing.dailyTotals(filter);
    const rates = await listing.successRates(filter);
    return pages.page(reply, request, './dashboard/analytics', {
      title: 'Analytics', values: list.values, colours: STATUS_COLOURS,
      daily: daily.map((d) => ({ ...d, amountText: currencies.text({ amount: d.amount, currency: 'PHP' }) })),
      rates: rates.map((r) => ({ ...r, percent: `${(r.rate * 100).toFixed(1)}%` })),
      countChart: stackedByDay(daily.map((d) => ({ day: d.day, status: d.status, value: d.n })), { x: 'Day (UTC)', y: 'Payments' }),
      amountChart: stackedByDay(daily.map((d) => ({ day: d.day, status: d.status, value: d.amount / 100 })), {
        x: 'Day (UTC)', y: 'Amount (₱)', format: (value) => `₱${value.toLocaleString('en-US', { maximumFractionDigits: 0 })}`,
      }),
      rateChart: ratesByMethod(rates.map((r) => ({ method: r.method, rate: r.rate }))),
    });
  });
}
