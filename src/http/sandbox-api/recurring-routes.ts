// The control API's saved cards (COF registrations): a customer's saved cards, and cancelling one as the merchant
// or as the customer at the issuer, so a test can see later debits decline.
import type { FastifyInstance } from 'fastify';
import type { RecurringRegistration } from '../../domain/model.js';
import { callerOf } from './caller.js';
import { listQuery, queryText, validateControlBody } from './control-request.js';
import type { SandboxApiDeps } from './deps.js';

function registrationReport(r: RecurringRegistration): Record<string, unknown> {
  return {
    id: r.id, project_id: r.projectId, customer_id: r.customerId, payment_id: r.paymentId, method: r.method, account: r.account, currency: r.currency,
    type: r.type, valid_thru: new Date(r.validThru).toISOString(), status: r.status, created_at: new Date(r.createdAt).toISOString(),
  };
}

export function recurringRoutes(app: FastifyInstance, { tools, savedCards }: SandboxApiDeps): void {
  app.get<{ Querystring: Record<string, unknown> }>('/_sandbox/recurring', async (request) => {
    const query = listQuery(request.query);
    const projectId = tools.scope(callerOf(request)).listed(query.projectId);
    const customerId = queryText(request.query, 'customer_id');
    const list = projectId !== undefined && customerId !== undefined
      ? await savedCards.ofCustomer(projectId, customerId)
      : await savedCards.list({ ...query, ...(projectId === undefined ? {} : { projectId }) });
    return { recurring: list.map(registrationReport) };
  });

  app.post<{ Params: { projectId: string; id: string } }>('/_sandbox/recurring/:projectId/:id/cancel', async (request) => {
    const body = validateControlBody<{ by?: 'merchant' | 'issuer' }>('sandbox/recurring-cancel.json', request.body ?? {});
    return { recurring: registrationReport(await tools.cancelSavedCard(callerOf(request), request.params.projectId, request.params.id, body.by ?? 'merchant')) };
  });
}
