// What the benchmarks send outside their measured loads: a JSON POST that must succeed, and a seeded purchase.
import { BENCH_PROJECT } from './sandbox-process.js';
import { bodyFactory } from './signed-requests.js';

export async function postJson(url: string, body: string): Promise<void> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  if (!response.ok) throw new Error(`${url}: ${response.status} ${await response.text()}`);
}

/** A customer with a successful purchase, for the status and payout loads; resolves the purchase's payment id. */
export async function seedPurchase(baseUrl: string): Promise<string> {
  const body = bodyFactory({ body: 'sale', secret: BENCH_PROJECT.secret_key, projectId: BENCH_PROJECT.project_id, prefix: 'seed', customerId: 'eligible' })();
  await postJson(`${baseUrl}/v2/payment/wallet/paymaya/sale`, body);
  const paymentId = (JSON.parse(body) as { general: { payment_id: string } }).general.payment_id;
  await postJson(`${baseUrl}/_sandbox/payments/${BENCH_PROJECT.project_id}/${paymentId}/complete`, JSON.stringify({ status: 'success' }));
  return paymentId;
}
