// Host-to-host card payments through the Gate (docs/card-protocol.md §3, D12–D21): sale, auth and account
// verification with the card in the request; the merchant's 3-D Secure steps (3ds_check_iframe, 3ds_result);
// debits of saved cards; clarification; and the status of a payment by the request id of any request made for it.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Refusal } from '../../domain/errors.js';
import type { Project } from '../../domain/model.js';
import { readCard } from '../../domain/payments/card-details.js';
import type { CardStart } from '../../domain/payments/card-payments.js';
import { checkedBody, checkSignature } from '../signed-request.js';
import { CARD_PATHS } from './card-routes.js';
import type { GateDeps } from './deps.js';
import { toPaymentRequest, validateGateBody, type GateBody } from './gate-request.js';

type Authenticate = (body: GateBody) => Promise<Project>;
type Answer = (result: { requestId: string; projectId: number; paymentId: string }) => Record<string, unknown>;

const FIRST: Readonly<Record<string, CardStart['first']>> = { sale: 'sale', auth: 'auth', account_verification: 'account verification' };

interface CardBody extends GateBody {
  card: { pan: string; year: number | string; month: number | string; card_holder?: string; cvv?: string };
  acs_return_url?: { return_url?: string; '3ds_notification_url'?: string };
  recurring_register?: boolean | number | string;
  recurring?: { register?: boolean; type?: string; expiry_month?: number; expiry_year?: number };
}

function scenarioOf(request: FastifyRequest): string | undefined {
  const value = request.headers['x-sandbox-scenario'];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Whether the request asks to save the card (D17): `recurring_register` true or 1, or `recurring.register`. */
function registerOf(body: CardBody): CardStart['register'] {
  const asked = [true, 1, '1'].includes(body.recurring_register as never) || body.recurring?.register === true;
  if (!asked) return undefined;
  const { expiry_month: month, expiry_year: year } = body.recurring ?? {};
  // Both or neither: a registration valid to another month than the card's names the month and its year (D17).
  if ((month === undefined) !== (year === undefined)) {
    throw new Refusal('invalid-fields', [{ field: month === undefined ? 'recurring.expiry_month' : 'recurring.expiry_year', message: 'recurring.expiry_month and recurring.expiry_year come together' }]);
  }
  return { type: body.recurring?.type ?? 'C', ...(month === undefined || year === undefined ? {} : { expiry: { month, year } }) };
}

export function cardPaymentRoutes(app: FastifyInstance, deps: GateDeps, authenticate: Authenticate, answer: Answer): void {
  const { cards, cardParts, clock } = deps;
  for (const [path, first] of Object.entries(FIRST)) {
    app.post(`/v2/payment/card/${path}`, async (request) => {
      const body = validateGateBody('gate/card-payment.json', request.body) as CardBody;
      const project = await authenticate(body);
      if (first !== 'account verification' && (body.payment?.amount ?? 0) < 1) throw new Refusal('invalid-fields', [{ field: 'payment.amount', message: 'payment.amount must be >= 1' }]);
      const details = readCard({ pan: body.card.pan, month: body.card.month, year: body.card.year, cvv: body.card.cvv, holder: body.card.card_holder }, deps.testCards, clock.now(project.projectId));
      const acs = body.acs_return_url ?? {};
      const start: CardStart = {
        first,
        acsReturn: { ...(acs.return_url === undefined ? {} : { returnUrl: acs.return_url }), ...(acs['3ds_notification_url'] === undefined ? {} : { notificationUrl: acs['3ds_notification_url'] }) },
        ...(registerOf(body) === undefined ? {} : { register: registerOf(body) }),
      };
      const paymentRequest = toPaymentRequest(body, project, 'card', scenarioOf(request));
      const avs = body.avs_data === undefined ? {} : { avs_data: body.avs_data };
      return answer(await cards.start({ ...paymentRequest, extras: { ...paymentRequest.extras, ...avs } }, start, details));
    });
  }

  app.post('/v2/payment/card/3ds_check_iframe', async (request) => {
    const body = validateGateBody('gate/threeds.json', request.body);
    if (typeof body.threeds_completion_indicator !== 'boolean') throw new Refusal('invalid-fields', [{ field: 'threeds_completion_indicator', message: 'Required field not provided: true or false' }]);
    return answer(await cardParts.threeds.checkIframe(await authenticate(body), body.general.payment_id));
  });

  app.post('/v2/payment/card/3ds_result', async (request) => {
    const body = validateGateBody('gate/threeds.json', request.body);
    if (typeof body.cres !== 'string') throw new Refusal('invalid-fields', [{ field: 'cres', message: 'Required field not provided' }]);
    return answer(await cardParts.threeds.threeDsResult(await authenticate(body), body.general.payment_id, body.cres));
  });

  app.post<{ Params: { method: string } }>('/v2/payment/:method/recurring', async (request) => {
    if (!CARD_PATHS.has(request.params.method)) throw new Refusal('unknown-method', [{ field: 'method', message: `No card-family method "${request.params.method}"` }]);
    const body = validateGateBody('gate/recurring.json', request.body) as GateBody & { recurring?: { id?: number }; recurring_id?: number };
    const project = await authenticate(body);
    const ids = [body.recurring?.id, body.recurring_id].filter((id): id is number => id !== undefined);
    if (ids.length === 0) throw new Refusal('invalid-fields', [{ field: 'recurring.id', message: 'Required field not provided' }]);
    if (ids.length === 2 && ids[0] !== ids[1]) throw new Refusal('invalid-fields', [{ field: 'recurring_id', message: 'recurring.id and recurring_id name different saved cards' }]);
    return answer(await cardParts.recurring.debit(toPaymentRequest(body, project, 'card', scenarioOf(request)), ids[0] as number));
  });

  app.post('/v2/payment/clarification', async (request) => {
    const body = validateGateBody('gate/clarification.json', request.body) as GateBody & { additional_data?: { avs_data?: Record<string, unknown> }; avs_data?: Record<string, unknown> };
    const project = await authenticate(body);
    return answer(await cardParts.clarification.answer(project, body.general.payment_id, body.additional_data?.avs_data ?? body.avs_data ?? {}));
  });

  statusRequestRoute(app, deps);
}

/** `/v2/payment/status/request` (D19): signed at the top level, no `general`; the answer is the payment's signed status. */
function statusRequestRoute(app: FastifyInstance, { projects, lookup, requestRate }: GateDeps): void {
  app.post('/v2/payment/status/request', async (request) => {
    const body = checkedBody<{ project_id: number; request_id: string; signature?: string }>('gate/status-request.json', request.body);
    const project = await projects.find(body.project_id);
    if (project === undefined) throw new Refusal('unknown-project', [{ field: 'project_id', message: `Project ${body.project_id} is not configured in this sandbox` }]);
    const { signature, ...unsigned } = body;
    checkSignature(unsigned, signature, project.secretKey, 'signature');
    requestRate.admit(project, 'project_id');
    return lookup.statusOfRequest(project, body.request_id);
  });
}
