// Saved cards in the dashboard (docs/card-protocol.md D17, D18): every recurring registration, newest first, and a
// customer's page with its saved cards (masked, with brand, type, validity and status) and its payments, debits
// of those cards included. Only the masked number and the brand of a card are shown.
import type { FastifyInstance } from 'fastify';
import { Refusal } from '../../domain/errors.js';
import type { RecurringRegistration } from '../../domain/model.js';
import type { DashboardDeps } from './deps.js';
import { shownDate, type DashboardPages } from './pages.js';

const LIST_SIZE = 200;
/** The registration types of D17, in words. */
const TYPES: Record<string, string> = { C: 'one-click (C)', R: 'regular (R)', U: 'auto-payment (U)' };
const STATUSES: Record<RecurringRegistration['status'], string> = {
  active: 'active', cancelled: 'cancelled by the merchant', 'issuer-cancelled': 'cancelled by the customer at the issuer',
};

export const customerPath = (projectId: number, customerId: string): string => `/dashboard/customers/${projectId}/${encodeURIComponent(customerId)}`;

function savedCardRow(r: RecurringRegistration, { cards, methods }: DashboardDeps) {
  const account = r.account as { number?: string; type?: string };
  const type = account.type ?? '';
  return {
    id: r.id, projectId: r.projectId, customerId: r.customerId, customerPath: customerPath(r.projectId, r.customerId),
    paymentId: r.paymentId, paymentPath: `/dashboard/payments/${r.projectId}/${encodeURIComponent(r.paymentId)}`,
    number: account.number ?? '—', brand: cards.brand(type)?.title ?? type, method: methods.find(r.method)?.title ?? r.method,
    type: TYPES[r.type] ?? r.type, currency: r.currency, validThru: new Date(r.validThru).toISOString().slice(0, 7),
    status: STATUSES[r.status], statusClass: r.status, created: shownDate(r.createdAt),
  };
}

export function customerRoutes(app: FastifyInstance, deps: DashboardDeps, pages: DashboardPages): void {
  const { savedCards, listing, currencies } = deps;

  app.get('/dashboard/customers', async (request, reply) => {
    const projectId = pages.scope(request).listed(undefined);
    const registrations = await savedCards.list({ ...(projectId === undefined ? {} : { projectId }), limit: LIST_SIZE, offset: 0 });
    return pages.page(reply, request, './dashboard/saved-cards', { title: 'Saved cards', cards: registrations.map((r) => savedCardRow(r, deps)), limit: LIST_SIZE });
  });

  app.get<{ Params: { projectId: string; customerId: string } }>('/dashboard/customers/:projectId/:customerId', async (request, reply) => {
    const projectId = Number(request.params.projectId);
    if (!Number.isSafeInteger(projectId)) throw new Refusal('invalid-fields', [{ field: 'project_id', message: 'Expected a project id' }]);
    pages.scope(request).own(projectId);
    const { customerId } = request.params;
    const registrations = await savedCards.ofCustomer(projectId, customerId);
    // The search finds the customer's payments among others whose id looks alike; the page keeps the customer's.
    const found = await listing.latest({ projectIds: [projectId], search: customerId }, LIST_SIZE);
    const payments = found.filter((row) => row.customer_id === customerId).map((row) => ({
      ...row, created: shownDate(row.created_at), amountText: currencies.text({ amount: row.amount, currency: row.currency }),
      path: `/dashboard/payments/${row.project_id}/${encodeURIComponent(row.payment_id)}`, number: (JSON.parse(row.account) as { number?: string }).number ?? '',
    }));
    return pages.page(reply, request, './dashboard/customer', {
      title: `Customer ${customerId}`, projectId, customerId, cards: registrations.map((r) => savedCardRow(r, deps)), payments, limit: LIST_SIZE,
    });
  });
}
