import { runLoad } from '../dist/bench/load.js';
import { startSandbox, stopSandbox, BENCH_PROJECT } from '../dist/bench/sandbox-process.js';
const kind = process.argv[2] ?? 'sale';
const sb = await startSandbox({ SANDBOX_CLOCK: 'manual' }, BENCH_PROJECT);
const base = { connections: 50, durationSeconds: 10, secret: 'bench-secret', projectId: 445 };
const path = kind === 'status' ? '/v2/payment/status' : `/v2/payment/wallet/paymaya/${kind}`;
let statusPaymentId;
if (kind !== 'sale') {
  await runLoad({ ...base, connections: 1, durationSeconds: 1, url: `${sb.baseUrl}/v2/payment/wallet/paymaya/sale`, body: 'sale', prefix: 'seed', customerId: 'eligible' });
  const seeded = await (await fetch(`${sb.baseUrl}/_sandbox/callbacks?limit=1`)).json();
  statusPaymentId = seeded.callbacks[0].payment_id;
  await fetch(`${sb.baseUrl}/_sandbox/payments/445/${statusPaymentId}/complete`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"status":"success"}' });
}
const r = await runLoad({ ...base, url: `${sb.baseUrl}${path}`, body: kind, prefix: 'p', callbackDelay: 600, customerId: 'eligible', statusPaymentId });
console.log(kind, r.requestsPerSecond, 'req/s p99', r.p99);
await stopSandbox(sb);
