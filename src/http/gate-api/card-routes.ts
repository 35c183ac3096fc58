// The Gate's order actions for card-family payments (docs/card-protocol.md §1, D4, D13): capture, cancel and
// refund under /v2/payment/{card|applepay|googlepay}/…, and refunds of card payments through /v2/payment/refund.
// The path's method is not compared with the payment's: plugins send every card-family action to `card`.
import type { FastifyInstance } from 'fastify';
import { Refusal } from '../../domain/errors.js';
import type { Project } from '../../domain/model.js';
import type { AmountRequest, RefundRequest } from '../../domain/payments/card-payments.js';
import type { GateDeps } from './deps.js';
import { validateGateBody, type GateBody } from './gate-request.js';

export const CARD_PATHS = new Set(['card', 'applepay', 'googlepay']);

type Authenticate = (body: GateBody) => Promise<Project>;
type Answer = (result: { requestId: string; projectId: number; paymentId: string }) => Record<string, unknown>;

function amountOf(body: GateBody): AmountRequest {
  const payment = body.payment as { amount?: number; currency?: string } | undefined;
  return { ...(payment?.amount === undefined ? {} : { amount: payment.amount }), ...(payment?.currency === undefined ? {} : { currency: payment.currency }) };
}

function refundOf(body: GateBody): RefundRequest {
  const payment = (body.payment ?? {}) as { description?: string; merchant_refund_id?: string };
  return {
    ...amountOf(body),
    ...(payment.description === undefined ? {} : { description: payment.description }),
    ...(payment.merchant_refund_id === undefined ? {} : { merchantRefundId: payment.merchant_refund_id }),
  };
}

function cardPath(method: string): void {
  if (!CARD_PATHS.has(method)) throw new Refusal('unknown-method', [{ field: 'method', message: `No card-family method "${method}"; use card, applepay or googlepay` }]);
}

export function cardRoutes(app: FastifyInstance, deps: GateDeps, authenticate: Authenticate, answer: Answer): void {
  const { cards, lookup } = deps;
  for (const action of ['capture', 'cancel'] as const) {
    app.post<{ Params: { method: string } }>(`/v2/payment/:method/${action}`, async (request) => {
      cardPath(request.params.method);
      const body = validateGateBody('gate/capture.json', request.body);
      const project = await authenticate(body);
      return answer(await cards[action](project, body.general.payment_id, amountOf(body)));
    });
  }

  app.post<{ Params: { method: string } }>('/v2/payment/:method/refund', async (request) => {
    cardPath(request.params.method);
    const body = validateGateBody('gate/refund.json', request.body);
    const project = await authenticate(body);
    return answer(await refundOrRefuse(deps, project, body));
  });

  app.post('/v2/payment/refund', async (request) => {
    const body = validateGateBody('gate/refund.json', request.body);
    const project = await authenticate(body);
    const payment = await lookup.find(project.projectId, body.general.payment_id);
    // A wallet payment (or none) keeps its refusal: 3061 for none, 3610 for a wallet.
    if (payment === undefined || deps.rules.method(payment.method).family !== 'card') return lookup.refuseRefundOf(project, body.general.payment_id);
    return answer(await refundOrRefuse(deps, project, body));
  });
}

/** A card payment's refund; a wallet payment's refund through a card path is refused as its method refuses it (3610). */
async function refundOrRefuse({ cards, lookup, rules }: GateDeps, project: Project, body: GateBody) {
  const payment = await lookup.find(project.projectId, body.general.payment_id);
  if (payment !== undefined && rules.method(payment.method).family !== 'card') rules.refuseRefund(payment.method);
  return cards.refund(project, body.general.payment_id, refundOf(body));
}
