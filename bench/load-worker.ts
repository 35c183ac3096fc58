// Load generator in its own process (autocannon), so the server under test has the cores it would have alone.
import autocannon from 'autocannon';
import { createHmac } from 'node:crypto';
import { canonicalString } from '../src/signature/canonical-string.js';

export interface LoadSpec {
  url: string;
  connections: number;
  durationSeconds: number;
  body: 'static' | 'sale' | 'payout' | 'status';
  secret: string;
  projectId: number;
  prefix: string;
  customerId?: string;
  statusPaymentId?: string;
  amount?: number;
  /** Delays the sales' callbacks past the measured window, to time acceptance apart from delivery. */
  callbackDelay?: number;
}

function bodyFactory(spec: LoadSpec): () => string {
  let counter = 0;
  const sign = (body: Record<string, any>) => {
    body.general.signature = createHmac('sha512', spec.secret).update(canonicalString(body)).digest('base64');
    return JSON.stringify(body);
  };
  const customer = { id: spec.customerId ?? 'bench-customer', ip_address: '203.0.113.7' };
  switch (spec.body) {
    case 'static':
      return () => '{"hello":"world"}';
    case 'status':
      return () => sign({ general: { project_id: spec.projectId, payment_id: spec.statusPaymentId } });
    case 'payout':
      return () => sign({
        general: { project_id: spec.projectId, payment_id: `${spec.prefix}-${process.pid}-${++counter}` },
        payment: { amount: spec.amount ?? 10000, currency: 'PHP', description: 'payout' },
        customer, account: { number: '09171234567', customer_name: 'Juan dela Cruz' },
      });
    default:
      return () => sign({
        general: { project_id: spec.projectId, payment_id: `${spec.prefix}-${process.pid}-${++counter}` },
        payment: { amount: spec.amount ?? 50000, currency: 'PHP', description: 'bench order' },
        customer, return_url: { success: 'https://shop.example/ok' },
        ...(spec.callbackDelay === undefined ? {} : { callback: { delay: spec.callbackDelay } }),
      });
  }
}

process.on('message', async (spec: LoadSpec) => {
  const next = bodyFactory(spec);
  const result = await autocannon({
    url: spec.url,
    method: 'POST',
    connections: spec.connections,
    duration: spec.durationSeconds,
    headers: { 'content-type': 'application/json' },
    requests: [{ setupRequest: (request) => ({ ...request, body: next() }) }],
  });
  process.send?.({
    requestsPerSecond: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    total: result.requests.total,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  });
  process.exit(0);
});
