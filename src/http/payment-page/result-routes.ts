// The Payment Page's result view, and "try again" after the wallet declined an attempt.
import type { FastifyInstance } from 'fastify';
import { Refusal } from '../../domain/errors.js';
import type { Payment } from '../../domain/model.js';
import { resultOf } from '../../domain/model.js';
import { frameOfPayment, inFrame, paymentResultEvents, paymentSentEvent } from '../page-frame.js';
import { paymentResult } from '../payment-words.js';
import { views } from '../views.js';
import { HTML, type CheckoutForm } from './checkout-form.js';
import type { PaymentPageDeps } from './deps.js';

export function resultRoutes(app: FastifyInstance, deps: PaymentPageDeps, form: CheckoutForm): void {
  const { lookup, links, lifecycle, methods } = deps;

  app.get<{ Querystring: { tokenid?: string } }>('/payment/result', async (request, reply) => {
    const payment = typeof request.query.tokenid === 'string' ? await lookup.findByCheckoutToken(request.query.tokenid) : undefined;
    if (payment === undefined) return form.errorPage(reply, new Refusal('payment-not-found', [{ field: 'tokenid', message: 'No such payment' }]));
    const operations = await lookup.operationsOf(payment);
    const result = paymentResult(payment, operations, methods.find(payment.method));
    return reply.type(HTML).send(views.render('./payment-page/result', {
      lang: typeof payment.extras.language === 'string' ? payment.extras.language : 'en',
      status: payment.status,
      result,
      final: resultOf(payment.status) !== 'pending',
      paymentId: payment.paymentId,
      amount: form.money(payment.sum, payment.sumConverted),
      card: cardLine(deps, payment),
      next: nextUrl(payment),
      checkoutUrl: payment.status === 'awaiting redirect result' ? links.checkoutPath(payment) : undefined,
      retry: payment.status === 'awaiting customer' ? { token: payment.checkoutToken, code: result.reason?.code ?? '', message: result.reason?.message ?? '' } : undefined,
      // The customer may land here without passing the wallet (decided at once): onPaymentSent still comes first,
      // and merchant.js announces each event once however often the page loads.
      frame: inFrame(reply, frameOfPayment(payment), [paymentSentEvent(payment), ...paymentResultEvents(payment, operations)]),
    }));
  });

  // "Try again" after the wallet declined an attempt: a new attempt on the same payment, back to the wallet.
  app.post<{ Body: Record<string, unknown> }>('/payment/retry', async (request, reply) => {
    const body = typeof request.body === 'object' && request.body !== null ? request.body : {};
    const token = typeof body.tokenid === 'string' ? body.tokenid : '';
    try {
      return reply.redirect(links.checkoutPath(await lifecycle.tryAgain(token)), 303);
    } catch (error) {
      // Ended meanwhile (the limit time, a tool): the result view says how.
      if (!(error instanceof Refusal) || error.kind !== 'status-forbids-action') throw error;
      const payment = await lookup.findByCheckoutToken(token) as Payment;
      return reply.redirect(links.paymentPageResultPath(payment), 303);
    }
  });
}

/** The card a card payment was made with, as the customer may see it: brand and masked number. */
function cardLine(deps: PaymentPageDeps, payment: Payment): string | undefined {
  if (payment.extras.card === undefined || typeof payment.account.number !== 'string') return undefined;
  const brand = typeof payment.account.type === 'string' ? deps.testCards.brand(payment.account.type)?.title : undefined;
  return `${brand ?? 'Card'} ${payment.account.number}`;
}

/**
 * A card payment without a challenge comes straight here from the card form: the result page is where the shop
 * first hears it was sent (the widget passes each payment's onPaymentSent on once, so a page after the bank's
 * does not repeat it). A wallet payment was announced at the wallet.
 */
/** Where the shop asked the customer to go after this result; nothing while the payment is still open. */
function nextUrl(payment: Payment): string | undefined {
  const urls = (payment.extras.payment_page ?? {}) as Record<string, string | undefined>;
  const result = resultOf(payment.status);
  if (result === 'paid') return urls.redirect_success_url ?? urls.merchant_success_url ?? urls.merchant_return_url;
  if (result === 'failed') return urls.redirect_fail_url ?? urls.merchant_fail_url ?? urls.merchant_return_url;
  return undefined;
}
