// The sandbox bank's 3-D Secure pages (ACS): the challenge a card asks for — reached from the Payment Page, in its
// window or widget frame, or by a Gate merchant's form post of `creq` — looks like a bank's page: the merchant, the
// amount, the masked card and a one-time code shown on the page, as test ACS pages do, with Approve, Decline and
// Cancel. A Gate payment's answer goes back to the merchant's `acs_return_url` with `cres`; its 3DS Method page,
// loaded in the merchant's hidden iframe, notifies the merchant's `3ds_notification_url` (docs/card-protocol.md D14).
import formbody from '@fastify/formbody';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { CardCatalogue } from '../../domain/catalogue/cards.js';
import type { Currencies } from '../../domain/catalogue/currencies.js';
import { Refusal } from '../../domain/errors.js';
import type { Payment } from '../../domain/model.js';
import type { CardParts, CardPayments, ChallengeAction } from '../../domain/payments/card-payments.js';
import { cardStateOf } from '../../domain/payments/card-state.js';
import type { PageLinks } from '../../domain/payments/page-links.js';
import type { PaymentLookup } from '../../domain/payments/payment-lookup.js';
import type { ProjectDirectory } from '../../domain/projects/project-directory.js';
import { useHtmlErrors } from '../html-errors.js';
import { framablePages, frameOfPayment, inFrame, pageScript, paymentSentEvent } from '../page-frame.js';
import { statusWord } from '../payment-words.js';
import { views } from '../views.js';

export interface AcsDeps {
  cardPayments: CardPayments;
  cardParts: CardParts;
  testCards: CardCatalogue;
  lookup: PaymentLookup;
  links: PageLinks;
  projects: ProjectDirectory;
  currencies: Currencies;
}

const HTML = 'text/html; charset=utf-8';
const ACTIONS = new Set<ChallengeAction>(['approve', 'decline', 'cancel']);

export async function acsPage(app: FastifyInstance, deps: AcsDeps): Promise<void> {
  await app.register(formbody, { bodyLimit: 16 * 1024 });
  useHtmlErrors(app);
  framablePages(app);
  const { lookup, links, testCards, cardPayments } = deps;

  async function page(reply: FastifyReply, payment: Payment, extra: Record<string, unknown> = {}, status = 200): Promise<FastifyReply> {
    const project = await deps.projects.find(payment.projectId);
    // A Gate payment's challenge is over once answered, though the payment waits on for the merchant's 3ds_result.
    const step = (payment.extras.card as { threeds?: { step: string } } | undefined)?.threeds?.step;
    const done = payment.status !== 'awaiting 3ds result' || (step !== undefined && step !== 'challenge');
    return reply.code(status).type(HTML).send(views.render('./acs/challenge', {
      bank: `${testCards.brand(String(payment.account.type))?.title ?? 'Card'} sandbox bank`,
      merchant: project?.name || `Project ${payment.projectId}`,
      amount: deps.currencies.text(payment.sum, payment.sumConverted),
      card: String(payment.account.number ?? ''),
      token: payment.checkoutToken,
      code: testCards.challenge.code,
      tries: testCards.challenge.wrong_codes_allowed,
      done,
      word: statusWord(payment.status),
      next: done ? links.paymentPageResultPath(payment) : undefined,
      // In a widget, the payment exists and the customer is at the bank: onPaymentSent (once; the shop's widget counts).
      frame: inFrame(reply, frameOfPayment(payment), done ? [] : [paymentSentEvent(payment)]),
      ...extra,
    }));
  }

  const paymentOf = async (token: unknown): Promise<Payment> => {
    const payment = typeof token === 'string' && token !== '' ? await lookup.findByCheckoutToken(token) : undefined;
    if (payment === undefined || payment.account.number === undefined) throw new Refusal('payment-not-found', [{ field: 'tokenid', message: 'No such 3-D Secure check' }]);
    return payment;
  };

  app.get<{ Querystring: { tokenid?: string } }>('/acs/challenge', async (request, reply) => page(reply, await paymentOf(request.query.tokenid)));
  // A Gate merchant's customer arrives by a form post of `creq` and `threeDSSessionData` to the redirect URL.
  app.route<{ Params: { token: string } }>({ method: ['GET', 'POST'], url: '/acs/challenge/:token', handler: async (request, reply) => page(reply, await paymentOf(request.params.token)) });
  methodRoutes(app, deps);

  app.post<{ Body: Record<string, unknown> }>('/acs/challenge', async (request, reply) => {
    const body = typeof request.body === 'object' && request.body !== null ? request.body : {};
    const payment = await paymentOf(body.tokenid);
    const action = body.action as ChallengeAction;
    if (!ACTIONS.has(action)) return page(reply, payment, { error: 'Choose Approve, Decline or Cancel' }, 400);
    let answered: { payment: Payment; triesLeft: number | undefined };
    try {
      answered = await cardPayments.challenge(payment.checkoutToken, action, typeof body.code === 'string' ? body.code : '');
    } catch (error) {
      // Answered already, or declined at the limit time meanwhile: the page says how it ended.
      if (!(error instanceof Refusal) || error.kind !== 'status-forbids-action') throw error;
      return page(reply, await paymentOf(payment.checkoutToken), {}, 409);
    }
    if (answered.triesLeft !== undefined) {
      const tries = answered.triesLeft === 1 ? 'one try left' : `${answered.triesLeft} tries left`;
      return page(reply, answered.payment, { error: `Wrong code: ${tries}.` }, 400);
    }
    const threeds = cardStateOf(answered.payment).threeds;
    if (threeds === undefined) return reply.redirect(links.paymentPageResultPath(answered.payment), 303);
    return reply.type(HTML).send(views.render('./acs/return', {
      verdict: threeds.answer === 'approve' ? 'passed' : 'not passed',
      returnUrl: threeds.returnUrl,
      cres: threeds.cres,
      sessionData: String((await lookup.operationsOf(answered.payment))[0]?.id ?? ''),
      nonce: threeds.returnUrl === undefined ? undefined : pageScript(reply),
    }));
  });
}

/** The 3DS Method page a Gate merchant loads in a hidden iframe: kept as loaded, and the merchant is notified. */
function methodRoutes(app: FastifyInstance, { cardParts }: AcsDeps): void {
  app.route<{ Params: { token: string } }>({
    method: ['GET', 'POST'],
    url: '/acs/method/:token',
    handler: async (request, reply) => {
      const payment = await cardParts.threeds.methodLoaded(request.params.token);
      const threeds = cardStateOf(payment).threeds;
      if (threeds === undefined) throw new Refusal('payment-not-found', [{ field: 'token', message: 'No 3DS Method for this payment' }]);
      const methodData = Buffer.from(JSON.stringify({ threeDSServerTransID: threeds.transId, threeDSMethodNotificationURL: threeds.notificationUrl ?? '' })).toString('base64url');
      return reply.type(HTML).send(views.render('./acs/method', {
        notificationUrl: threeds.notificationUrl, methodData, transId: threeds.transId, nonce: threeds.notificationUrl === undefined ? undefined : pageScript(reply),
      }));
    },
  });
}
