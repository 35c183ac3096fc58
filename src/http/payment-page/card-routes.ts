// The Payment Page's card payments: the card form (or a card wallet's sheet) posts here; the card is read, the
// payment starts as a sale or an auth (`operation_type`), and the customer goes to the sandbox bank's 3-D Secure
// page when the card asks for a challenge, else to the result. The number and CVV go no further than readCard.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { maskPan } from '../../domain/catalogue/cards.js';
import type { PaymentMethod } from '../../domain/catalogue/methods.js';
import { Refusal } from '../../domain/errors.js';
import type { Payment, Project } from '../../domain/model.js';
import { readCard, type CardDetails } from '../../domain/payments/card-details.js';
import { frameExtras, frameOfParams } from '../page-frame.js';
import { cardInputOf, type CardForm, type CardPage } from './card-form.js';
import { language, type CheckoutForm } from './checkout-form.js';
import type { PaymentPageDeps } from './deps.js';
import { cardOperationOf, cardRegisterOf, parseQuery, type PaymentPageParams } from './params.js';
import { customerOf, merchantUrls, scenarioHeader } from './sale-request.js';

export function cardRoutes(app: FastifyInstance, deps: PaymentPageDeps, form: CheckoutForm, cardForm: CardForm): void {
  app.post<{ Body: Record<string, unknown> }>('/payment/card', async (request, reply) => {
    const body = typeof request.body === 'object' && request.body !== null ? request.body : {};
    const query = typeof body.request === 'string' ? body.request : '';
    const params = parseQuery(query);
    const project = await form.admit(params, reply, frameOfParams(params));
    if (project === undefined) return reply;
    const method = typeof body.method === 'string' ? deps.methods.findByPaymentPageCode(body.method) : undefined;
    if (method === undefined || method.family !== 'card') {
      return form.errorPage(reply, new Refusal('invalid-fields', [{ field: 'method', message: 'Choose a card payment method' }]), frameOfParams(params));
    }
    // The e-mail the method form confirmed, else the link's own.
    const email = typeof body.customer_email === 'string' && body.customer_email.trim() !== '' ? body.customer_email.trim() : params.customer_email ?? '';
    const page: CardPage = { params, query, project, method, email };
    let details: CardDetails;
    try {
      details = await cardOf(deps, page, body);
    } catch (error) {
      if (!(error instanceof Refusal)) throw error;
      return cardForm.show(reply, page, { problems: error.fields, values: { expiry: String(body.expiry ?? ''), card_holder: String(body.card_holder ?? '') } });
    }
    return startCardPayment(request, reply, deps, form, { ...page, details });
  });
}

/** The card the customer gave: typed into the form, chosen in a wallet's sheet, or one of their saved cards. */
async function cardOf(deps: PaymentPageDeps, page: CardPage, body: Record<string, unknown>): Promise<CardDetails> {
  if (page.method.wallet_sheet !== undefined) return sheetCard(deps, page.method, body);
  if (typeof body.saved_card === 'string' && body.saved_card !== '' && body.saved_card !== 'new') return savedCard(deps, page, Number(body.saved_card));
  return readCard(cardInputOf(body), deps.testCards, deps.clock.now(page.project.projectId));
}

/** A returning customer's saved card: what it does and its masked account, as the registration kept them. */
async function savedCard(deps: PaymentPageDeps, page: CardPage, id: number): Promise<CardDetails> {
  const saved = (await deps.cardParts.recurring.ofCustomer(page.project.projectId, page.params.customer_id ?? '')).find((r) => r.id === id && r.status === 'active');
  const card = saved?.card as { profile: CardDetails['profile']; eci: CardDetails['brand']['eci'] } | undefined;
  const brand = saved === undefined ? undefined : deps.testCards.brand(String(saved.account.type));
  if (saved === undefined || card === undefined || brand === undefined) throw new Refusal('invalid-fields', [{ field: 'card.pan', message: 'That saved card cannot be used; enter a card' }]);
  return { brand, profile: card.profile, account: saved.account as unknown as CardDetails['account'] };
}

/** The card a tester chose in a card wallet's sheet: a test card, with the wallet's holder name and no 3-D Secure. */
function sheetCard(deps: PaymentPageDeps, method: PaymentMethod, body: Record<string, unknown>): CardDetails {
  const chosen = deps.testCards.list()[Number(body.wallet_card)];
  if (chosen === undefined) throw new Refusal('invalid-fields', [{ field: 'card.pan', message: 'Choose a card in the wallet' }]);
  const brand = deps.testCards.brandOf(chosen.pan);
  if (brand === undefined) throw new Refusal('invalid-fields', [{ field: 'card.pan', message: 'Unknown card brand' }]);
  const year = new Date(deps.clock.now()).getUTCFullYear() + 3;
  return {
    brand,
    // A wallet's token was authenticated on the device: the card's result, without a challenge (D13).
    profile: { ...deps.testCards.profileOf(chosen.pan), flow: 'none' },
    account: { number: maskPan(chosen.pan), type: brand.type, card_holder: method.wallet_sheet?.holder ?? '', expiry_month: '12', expiry_year: String(year) },
  };
}

interface Started extends CardPage { details: CardDetails }

async function startCardPayment(request: FastifyRequest, reply: FastifyReply, deps: PaymentPageDeps, form: CheckoutForm, started: Started): Promise<FastifyReply> {
  const { lookup, links, cardPayments } = deps;
  const { params, project, method, email, details } = started;
  const paymentId = params.payment_id as string;
  const existing = await lookup.find(project.projectId, paymentId);
  if (existing !== undefined) return reply.redirect(links.paymentPageResultPath(existing), 303);
  try {
    const register = cardRegisterOf(params);
    await cardPayments.start(saleRequest(request, project, params, method, email), {
      first: cardOperationOf(params), walletToken: method.wallet_sheet !== undefined, ...(register === undefined ? {} : { register }),
    }, details);
  } catch (error) {
    if (error instanceof Refusal) return form.errorPage(reply, error, frameOfParams(params));
    throw error;
  }
  const payment = await lookup.find(project.projectId, paymentId) as Payment;
  return reply.redirect(nextPathOf(links, payment), 303);
}

function saleRequest(request: FastifyRequest, project: Project, params: PaymentPageParams, method: PaymentMethod, email: string) {
  return {
    project,
    paymentId: params.payment_id as string,
    methodCode: method.code,
    interface: 'payment_page' as const,
    sum: { amount: Number(params.payment_amount), currency: params.payment_currency as string },
    description: params.payment_description ?? '',
    customer: customerOf(params, email, request.ip),
    account: {},
    returnUrl: {},
    callbackUrl: params.merchant_callback_url || undefined,
    callbackDelaySeconds: 0,
    callbacksDisabled: false,
    extras: { payment_page: merchantUrls(params), language: language(params), ...frameExtras(frameOfParams(params)) },
    ...scenarioHeader(request),
  };
}

/** Where a card payment's customer goes next: more data the platform asks for, the bank's challenge, or the result. */
export function nextPathOf(links: PaymentPageDeps['links'], payment: Payment): string {
  if (payment.status === 'awaiting clarification') return `/payment/clarification?tokenid=${payment.checkoutToken}`;
  if (payment.status === 'awaiting 3ds result') return links.challengePath(payment);
  return links.paymentPageResultPath(payment);
}
