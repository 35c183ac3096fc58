// Card payments made as a customer makes them: on the Payment Page's card form (link signed by the official
// SDK), optionally through the sandbox bank's 3-D Secure page.
import type { FastifyInstance } from 'fastify';
import { paymentPageUrl, tokenIn } from './payment-page-client.js';
import { PROJECT_ID, SECRET } from './sandbox.js';

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

export interface CardPaymentOptions {
  /** `auth` leaves a hold; default `sale`. */
  first?: 'sale' | 'auth';
  /** A test card (data/cards/test-cards.json); default a Visa that pays without 3-D Secure. */
  pan?: string;
  amount?: number;
  currency?: string;
  callbackUrl?: string;
  projectId?: number;
  secret?: string;
}

/** Pays by card on the Payment Page; resolves the checkout token (a challenge card stops at the bank's page). */
export async function cardPayment(app: FastifyInstance, paymentId: string, options: CardPaymentOptions = {}): Promise<string> {
  const url = paymentPageUrl({
    payment_id: paymentId, payment_amount: options.amount ?? 50000, payment_currency: options.currency ?? 'PHP', customer_id: 'card-customer',
    force_payment_method: 'card', operation_type: options.first ?? 'sale', merchant_callback_url: options.callbackUrl,
  }, options.secret ?? SECRET, options.projectId ?? PROJECT_ID);
  const request = url.slice(url.indexOf('?') + 1);
  const fields = { request, method: 'card', pan: options.pan ?? '4000000000000077', expiry: '12/30', cvv: '123', card_holder: 'Juan dela Cruz' };
  const answer = await app.inject({ method: 'POST', url: '/payment/card', payload: new URLSearchParams(fields).toString(), headers: FORM });
  if (answer.statusCode !== 303) throw new Error(`the card form answered ${answer.statusCode}: ${answer.body}`);
  return tokenIn(answer.headers.location);
}

/** The customer's answer on the sandbox bank's page: the right code (1234) approves. */
export async function answerChallenge(app: FastifyInstance, token: string, action: 'approve' | 'decline' | 'cancel' = 'approve', code = '1234'): Promise<void> {
  const answer = await app.inject({ method: 'POST', url: '/acs/challenge', payload: new URLSearchParams({ tokenid: token, code, action }).toString(), headers: FORM });
  if (answer.statusCode !== 303) throw new Error(`the bank's page answered ${answer.statusCode}: ${answer.body}`);
}

/** Pays with a card wallet's simulated sheet (`apple_pay_core`, `google_pay_host`), choosing test card `card` of the list. */
export async function walletSheetPayment(app: FastifyInstance, paymentId: string, code: 'apple_pay_core' | 'google_pay_host', options: CardPaymentOptions & { card?: number } = {}): Promise<void> {
  const url = paymentPageUrl({
    payment_id: paymentId, payment_amount: options.amount ?? 50000, payment_currency: options.currency ?? 'PHP', customer_id: 'card-customer',
    force_payment_method: code, operation_type: options.first ?? 'sale', merchant_callback_url: options.callbackUrl,
  }, options.secret ?? SECRET, options.projectId ?? PROJECT_ID);
  const request = url.slice(url.indexOf('?') + 1);
  const answer = await app.inject({ method: 'POST', url: '/payment/card', payload: new URLSearchParams({ request, method: code, wallet_card: String(options.card ?? 0) }).toString(), headers: FORM });
  if (answer.statusCode !== 303) throw new Error(`the wallet sheet answered ${answer.statusCode}: ${answer.body}`);
}
