// Gate API surface: signed JSON requests for sale, payout, refund and status, and the card family's capture,
// cancel and refund, answered in ECommPay's format.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { parseAnyBodyAsJson, useErrorEnvelope } from '../error-envelope.js';
import { cardPaymentRoutes } from './card-payment-routes.js';
import { cardRoutes } from './card-routes.js';
import type { GateDeps } from './deps.js';
import { authenticate as authenticateSignature, echoOf, toPaymentRequest, validateGateBody, type GateBody } from './gate-request.js';

export type { GateDeps };

interface MethodParams { method: string }

export async function gateApi(app: FastifyInstance, deps: GateDeps): Promise<void> {
  parseAnyBodyAsJson(app);
  // A scenario is picked by a header.
  useErrorEnvelope(app, { echo: echoOf, fieldName: (field) => (field === 'scenario' ? 'X-Sandbox-Scenario' : field) });

  const { rules, lifecycle, lookup, requestRate, projects } = deps;
  /** The signed request's project, within its requests-per-second quota. */
  const authenticate = async (body: GateBody) => {
    const project = await authenticateSignature(body, projects);
    requestRate.admit(project, 'general.project_id');
    return project;
  };

  app.post<{ Params: MethodParams }>('/v2/payment/wallet/:method/sale', async (request) => {
    rules.methodFor(request.params.method, 'sale');
    const body = validateGateBody('gate/sale.json', request.body);
    const project = await authenticate(body);
    return accepted(await lifecycle.startSale(toPaymentRequest(body, project, request.params.method, scenarioHeader(request))));
  });

  app.post<{ Params: MethodParams }>('/v2/payment/wallet/:method/payout', async (request) => {
    rules.methodFor(request.params.method, 'payout');
    const body = validateGateBody('gate/payout.json', request.body);
    const project = await authenticate(body);
    return accepted(await lifecycle.startPayout(toPaymentRequest(body, project, request.params.method, scenarioHeader(request))));
  });

  app.post<{ Params: MethodParams }>('/v2/payment/wallet/:method/refund', async (request) => {
    const body = validateGateBody('gate/refund.json', request.body);
    await authenticate(body);
    return rules.refuseRefund(request.params.method);
  });

  cardRoutes(app, deps, authenticate, accepted);
  cardPaymentRoutes(app, deps, authenticate, accepted);

  app.post('/v2/payment/status', async (request) => {
    const body = validateGateBody('gate/status.json', request.body);
    const project = await authenticate(body);
    return lookup.status(project, body.general.payment_id);
  });
}

function scenarioHeader(request: FastifyRequest): string | undefined {
  const value = request.headers['x-sandbox-scenario'];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function accepted(result: { requestId: string; projectId: number; paymentId: string }): Record<string, unknown> {
  return { status: 'success', request_id: result.requestId, project_id: result.projectId, payment_id: result.paymentId };
}
