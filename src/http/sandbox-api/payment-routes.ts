// The control API's payments and callbacks: a payment's full report, forcing its outcome, a card payment's
// capture, cancel and refund, the callback log and replay, the built-in inbox and the wallet's e-mails.
import type { FastifyInstance } from 'fastify';
import { Refusal, renamedFields } from '../../domain/errors.js';
import type { CallbackState, FinalStatus, Outcome, Payment } from '../../domain/model.js';
import { callbackReport } from '../../domain/reports/payment-report.js';
import { callerOf } from './caller.js';
import { listQuery, queryText, validateControlBody } from './control-request.js';
import type { SandboxApiDeps } from './deps.js';

const CALLBACK_STATES = new Set<CallbackState>(['queued', 'scheduled', 'delivered', 'failed']);

type PaymentParams = { Params: { projectId: string; paymentId: string } };

export function paymentRoutes(app: FastifyInstance, { tools, lookup, callbacks, scenarios, outcomes, methods }: SandboxApiDeps): void {
  app.get<PaymentParams>('/_sandbox/payments/:projectId/:paymentId', async (request) =>
    lookup.report(await tools.payment(callerOf(request), request.params.projectId, request.params.paymentId)));

  app.post<PaymentParams>('/_sandbox/payments/:projectId/:paymentId/complete', async (request) => {
    const body = validateControlBody<{ status?: FinalStatus; code?: string; scenario?: string }>('sandbox/complete.json', request.body ?? {});
    if (body.scenario !== undefined && (body.status !== undefined || body.code !== undefined)) {
      throw new Refusal('invalid-fields', [{ field: 'scenario', message: 'Give either a scenario or a status and code' }]);
    }
    // Checked against the payment: a card payment takes the card family's codes and rules, a wallet payment its own.
    const outcome = (payment: Payment): Outcome => body.scenario === undefined
      ? outcomes.requested(body.status ?? 'success', body.code, methods.find(payment.method)?.family ?? 'wallet')
      : scenarios.finalOutcome(body.scenario, payment.method);
    return lookup.report(await tools.forceOutcome(callerOf(request), request.params.projectId, request.params.paymentId, outcome));
  });

  cardRoutes(app, tools, lookup);

  app.get<{ Querystring: Record<string, unknown> }>('/_sandbox/callbacks', async (request) => {
    const query = listQuery(request.query);
    const state = queryText(request.query, 'state');
    if (state !== undefined && !CALLBACK_STATES.has(state as CallbackState)) {
      throw new Refusal('invalid-fields', [{ field: 'state', message: 'Expected queued, scheduled, delivered or failed' }]);
    }
    const list = await callbacks.list({ ...query, projectId: tools.scope(callerOf(request)).listed(query.projectId), state: state as CallbackState | undefined });
    return { callbacks: await Promise.all(list.map(async (c) => callbackReport(c, await callbacks.attemptsOf(c.id)))) };
  });

  app.post<{ Params: { id: string } }>('/_sandbox/callbacks/:id/replay', async (request) => {
    const replay = await tools.replay(callerOf(request), request.params.id);
    return { callback: replay === undefined ? null : callbackReport(replay, await callbacks.attemptsOf(replay.id)) };
  });

  app.get<{ Querystring: Record<string, unknown> }>('/_sandbox/inbox', async (request) => {
    const query = listQuery(request.query);
    const entries = await callbacks.inbox({ ...query, projectId: tools.scope(callerOf(request)).listed(query.projectId) });
    return {
      inbox: entries.map((entry) => ({
        id: entry.id, callback_id: entry.callbackId, project_id: entry.projectId, payment_id: entry.paymentId,
        received_at: new Date(entry.receivedAt).toISOString(), body: entry.body,
      })),
    };
  });

  app.get<{ Querystring: Record<string, unknown> }>('/_sandbox/mail', async (request) => {
    const query = listQuery(request.query);
    const mails = await lookup.mail({ ...query, projectId: tools.scope(callerOf(request)).listed(query.projectId), to: queryText(request.query, 'to') });
    return {
      mail: mails.map((m) => ({
        id: m.id, project_id: m.projectId, payment_id: m.paymentId, sent_at: new Date(m.sentAt).toISOString(), from: m.from, to: m.to, subject: m.subject, body: m.body,
      })),
    };
  });
}

/** The card service names the request's members by their Gate paths; this API's bodies are flat. */
const FLAT_FIELDS: Record<string, string> = { 'payment.amount': 'amount', 'payment.currency': 'currency', 'payment.merchant_refund_id': 'merchant_refund_id' };

async function flatFields<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    throw error instanceof Refusal ? renamedFields(error, (field) => FLAT_FIELDS[field] ?? field) : error;
  }
}

interface AmountBody { amount?: number; currency?: string }

/** Capture, cancel and refund of a card payment, as the shop would ask them through the Gate (docs/card-protocol.md D4, D5). */
function cardRoutes(app: FastifyInstance, tools: SandboxApiDeps['tools'], lookup: SandboxApiDeps['lookup']): void {
  for (const action of ['capture', 'cancel'] as const) {
    app.post<PaymentParams>(`/_sandbox/payments/:projectId/:paymentId/${action}`, async (request) => {
      const body = validateControlBody<AmountBody>('sandbox/capture.json', request.body ?? {});
      const { projectId, paymentId } = request.params;
      return lookup.report(await flatFields(tools[action](callerOf(request), projectId, paymentId, body)));
    });
  }

  app.post<PaymentParams>('/_sandbox/payments/:projectId/:paymentId/refund', async (request) => {
    const body = validateControlBody<AmountBody & { merchant_refund_id?: string }>('sandbox/refund.json', request.body ?? {});
    const { merchant_refund_id: merchantRefundId, ...amount } = body;
    const refund = { ...amount, ...(merchantRefundId === undefined ? {} : { merchantRefundId }) };
    return lookup.report(await flatFields(tools.refund(callerOf(request), request.params.projectId, request.params.paymentId, refund)));
  });
}
