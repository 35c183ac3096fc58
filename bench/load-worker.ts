// Load generator in its own process (autocannon), so the server under test has the cores it would have alone.
import autocannon from 'autocannon';
import { bodyFactory } from './signed-requests.js';

export interface LoadSpec {
  url: string;
  connections: number;
  durationSeconds: number;
  body: 'static' | 'sale' | 'card-sale' | 'payout' | 'status';
  secret: string;
  projectId: number;
  prefix: string;
  customerId?: string;
  statusPaymentId?: string;
  amount?: number;
  /** Delays the sales' callbacks past the measured window, to time acceptance apart from delivery. */
  callbackDelay?: number;
  /** Reports the payment_id of every accepted (HTTP 200) request, for an audit of what became of each. */
  collectAccepted?: boolean;
}

process.on('message', async (spec: LoadSpec) => {
  const next = bodyFactory(spec);
  const accepted: string[] = [];
  const onResponse = (status: number, body: string) => {
    if (status !== 200) return;
    const paymentId = (JSON.parse(body) as { payment_id?: unknown }).payment_id;
    if (typeof paymentId === 'string') accepted.push(paymentId);
  };
  const result = await autocannon({
    url: spec.url,
    method: 'POST',
    connections: spec.connections,
    duration: spec.durationSeconds,
    headers: { 'content-type': 'application/json' },
    requests: [{ setupRequest: (request) => ({ ...request, body: next() }), ...(spec.collectAccepted === true ? { onResponse } : {}) }],
  });
  process.send?.({
    requestsPerSecond: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    total: result.requests.total,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    ...(spec.collectAccepted === true ? { accepted } : {}),
  });
  process.exit(0);
});
