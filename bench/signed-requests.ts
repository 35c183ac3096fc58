// Signed Gate request bodies with a fresh payment_id each, signed with the sandbox's own signer.
import { sign } from '../src/signature/signer.js';
import type { LoadSpec } from './load-worker.js';

export type BodySpec = Pick<LoadSpec, 'body' | 'secret' | 'projectId' | 'prefix' | 'customerId' | 'statusPaymentId' | 'amount' | 'callbackDelay'>;

export function bodyFactory(spec: BodySpec): () => string {
  let counter = 0;
  const signed = (body: Record<string, any>) => {
    body.general.signature = sign(body, spec.secret);
    return JSON.stringify(body);
  };
  const customer = { id: spec.customerId ?? 'bench-customer', ip_address: '203.0.113.7' };
  switch (spec.body) {
    case 'static':
      return () => '{"hello":"world"}';
    case 'status':
      return () => signed({ general: { project_id: spec.projectId, payment_id: spec.statusPaymentId } });
    case 'card-sale':
      // The default success card: decided at once, no 3-D Secure; its callback waits in the outbox like the wallet's.
      return () => signed({
        general: { project_id: spec.projectId, payment_id: `${spec.prefix}-${process.pid}-${++counter}` },
        card: { pan: '4000000000000077', year: 2030, month: 12, card_holder: 'BENCH CUSTOMER', cvv: '123' },
        payment: { amount: spec.amount ?? 50000, currency: 'PHP', description: 'bench order' },
        customer,
        ...(spec.callbackDelay === undefined ? {} : { callback: { delay: spec.callbackDelay } }),
      });
    case 'payout':
      return () => signed({
        general: { project_id: spec.projectId, payment_id: `${spec.prefix}-${process.pid}-${++counter}` },
        payment: { amount: spec.amount ?? 10000, currency: 'PHP', description: 'payout' },
        customer, account: { number: '09171234567', customer_name: 'Juan dela Cruz' },
      });
    default:
      return () => signed({
        general: { project_id: spec.projectId, payment_id: `${spec.prefix}-${process.pid}-${++counter}` },
        payment: { amount: spec.amount ?? 50000, currency: 'PHP', description: 'bench order' },
        customer: { ...customer, email: 'bench@example.ph' }, return_url: { success: 'https://shop.example/ok' },
        ...(spec.callbackDelay === undefined ? {} : { callback: { delay: spec.callbackDelay } }),
      });
  }
}

