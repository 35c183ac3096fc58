// Drives the Payment Page over HTTP as a customer's browser would: a link signed by the official SDK's Payment
// class, the method form, the wallet checkout and the result view.
import { createRequire } from 'node:module';
import type { FastifyInstance } from 'fastify';
import { PROJECT_ID, SECRET } from './sandbox.js';

const require = createRequire(import.meta.url);
const { Payment } = require('ecommpay') as { Payment: new (projectId: number, secret: string, params?: object, base?: string) => Record<string, any> & { getUrl(): string } };

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

/** A Payment Page link (path and query) built and signed by the SDK. */
export function paymentPageUrl(params: Record<string, unknown>, secret = SECRET, projectId = PROJECT_ID): string {
  const payment = new Payment(projectId, secret, {}, '');
  for (const [key, value] of Object.entries(params)) if (value !== undefined) payment.params[key] = value;
  return payment.getUrl();
}

/** Submits the method form of a link, as the page's own form posts it. */
export function submitPaymentPage(app: FastifyInstance, url: string, fields: Record<string, string>, headers: Record<string, string> = {}) {
  const request = url.slice(url.indexOf('?') + 1);
  return app.inject({ method: 'POST', url: '/payment/submit', payload: new URLSearchParams({ request, ...fields }).toString(), headers: { ...FORM, ...headers } });
}

/** The checkout token in a `…?tokenid=` location. */
export function tokenIn(location: unknown): string {
  return new URL(`http://x${String(location)}`).searchParams.get('tokenid') as string;
}

/** Presses a button of the wallet checkout. */
export function walletAction(app: FastifyInstance, token: string, action: 'pay' | 'decline' | 'cancel', mobile = '09171234567') {
  return app.inject({ method: 'POST', url: '/paymaya/checkout', payload: new URLSearchParams({ tokenid: token, mobile, action }).toString(), headers: FORM });
}

/** Presses "Try again" on the Payment Page's result view. */
export function tryAgain(app: FastifyInstance, token: string) {
  return app.inject({ method: 'POST', url: '/payment/retry', payload: new URLSearchParams({ tokenid: token }).toString(), headers: FORM });
}
