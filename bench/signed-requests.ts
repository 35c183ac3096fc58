// Signed Gate request bodies with a fresh payment_id each, built with the sandbox's own signer.
import { sign } from '../src/signature/signer.js';
import { BENCH_PROJECT } from './sandbox-process.js';

let counter = 0;

export function saleRequest(prefix: string, extra: Record<string, unknown> = {}): string {
  counter++;
  const body: Record<string, any> = {
    general: { project_id: BENCH_PROJECT.project_id, payment_id: `${prefix}-${process.pid}-${counter}` },
    payment: { amount: 50000, currency: 'PHP', description: 'bench order' },
    customer: { id: `customer-${counter % 1000}`, ip_address: '203.0.113.7' },
    return_url: { success: 'https://shop.example/ok' },
    ...extra,
  };
  body.general.signature = sign(body, BENCH_PROJECT.secret_key);
  return JSON.stringify(body);
}
