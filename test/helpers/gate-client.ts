// Builds Gate requests signed by the official ECommPay JS SDK's signer, as a merchant's server would.
import { createRequire } from 'node:module';
import type { FastifyInstance } from 'fastify';
import { PROJECT_ID, SECRET } from './sandbox.js';

const require = createRequire(import.meta.url);
const ecommpay = require('ecommpay') as {
  signer: (obj: object, secret: string) => string;
  Callback: new (secret: string, data: object | string) => { isPaymentSuccess(): boolean; getPaymentId(): string; callback: Record<string, any> };
};

export const sdkSigner = ecommpay.signer;
export const SdkCallback = ecommpay.Callback;

export function signed<T extends { general: Record<string, unknown> }>(body: T, secret = SECRET): T {
  const copy = structuredClone(body);
  copy.general.signature = sdkSigner(copy, secret);
  return copy;
}

export function saleBody(paymentId: string, overrides: Record<string, unknown> = {}): { general: Record<string, unknown> } & Record<string, unknown> {
  return {
    general: { project_id: PROJECT_ID, payment_id: paymentId },
    payment: { amount: 50000, currency: 'PHP', description: 'Order 1' },
    customer: { id: 'customer-1', ip_address: '203.0.113.7', email: 'juan@example.ph' },
    return_url: { success: 'https://shop.example/ok', decline: 'https://shop.example/fail' },
    ...overrides,
  };
}

export function payoutBody(paymentId: string, overrides: Record<string, unknown> = {}): { general: Record<string, unknown> } & Record<string, unknown> {
  return {
    general: { project_id: PROJECT_ID, payment_id: paymentId },
    payment: { amount: 10000, currency: 'PHP', description: 'payout' },
    customer: { id: 'customer-1', ip_address: '203.0.113.7' },
    account: { number: '09171234567', customer_name: 'Juan dela Cruz' },
    ...overrides,
  };
}

export async function post(app: FastifyInstance, url: string, payload: object) {
  const response = await app.inject({ method: 'POST', url, payload });
  return { status: response.statusCode, body: response.json() as Record<string, any> };
}

export async function sale(app: FastifyInstance, paymentId: string, overrides: Record<string, unknown> = {}, method = 'paymaya') {
  return post(app, `/v2/payment/wallet/${method}/sale`, signed(saleBody(paymentId, overrides)));
}

export async function payout(app: FastifyInstance, paymentId: string, overrides: Record<string, unknown> = {}, method = 'paymaya') {
  return post(app, `/v2/payment/wallet/${method}/payout`, signed(payoutBody(paymentId, overrides)));
}

export function tokenOf(redirectUrl: string): string {
  return new URL(redirectUrl).searchParams.get('tokenid') ?? '';
}

/** A successful purchase of `customerId`, so that payouts to that customer are eligible. */
export async function seedPurchase(app: FastifyInstance, paymentId: string, customerId: string): Promise<void> {
  await sale(app, paymentId, { customer: { id: customerId, ip_address: '203.0.113.7', email: 'juan@example.ph' } });
  await app.inject({ method: 'POST', url: `/_sandbox/payments/${PROJECT_ID}/${encodeURIComponent(paymentId)}/complete`, payload: { status: 'success' } });
}
