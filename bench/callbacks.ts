// Callback fan-out: 10,000 callbacks to a local receiver at 50 in flight, with Gate sales measured meanwhile.
import autocannon from 'autocannon';
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { saleRequest } from './signed-requests.js';
import { startSandbox, stopSandbox } from './sandbox-process.js';

const CALLBACKS = Number(process.env.BENCH_CALLBACKS ?? 10_000);

async function postJson(url: string, body: string): Promise<void> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  if (response.status !== 200) throw new Error(`${url}: ${response.status} ${await response.text()}`);
}

export async function benchCallbacks(): Promise<Record<string, number>> {
  const receiver = fork(fileURLToPath(new URL('./receiver.js', import.meta.url)));
  const port = await new Promise<number>((resolve) => receiver.once('message', (m: { port: number }) => resolve(m.port)));
  const sandbox = await startSandbox({ SANDBOX_CLOCK: 'manual' }, { project_id: 445, secret_key: 'bench-secret', callback_url: `http://127.0.0.1:${port}/cb` });
  try {
    // Commit the callbacks first with a 60 s delay, then release them all at once by moving the clock.
    for (let sent = 0; sent < CALLBACKS; sent += 100) {
      await Promise.all(Array.from({ length: Math.min(100, CALLBACKS - sent) }, () =>
        postJson(`${sandbox.baseUrl}/v2/payment/wallet/paymaya/sale`, saleRequest('fan', { callback: { delay: 60 } }))));
    }
    receiver.send({ type: 'expect', expected: CALLBACKS });
    const delivered = new Promise<{ ms: number }>((resolve) => receiver.on('message', (m: { type: string; ms: number }) => m.type === 'done' && resolve(m)));
    const load = autocannon({
      url: `${sandbox.baseUrl}/v2/payment/wallet/paymaya/sale`,
      method: 'POST',
      connections: 5,
      duration: 3,
      headers: { 'content-type': 'application/json' },
      // Later callbacks of these sales fall outside the measured window (delay 600 s).
      setupClient: (client) => client.setBody(saleRequest('load', { callback: { delay: 600 } })),
      requests: [{ setupRequest: (request) => ({ ...request, body: saleRequest('load', { callback: { delay: 600 } }) }) }],
    });
    await postJson(`${sandbox.baseUrl}/_sandbox/clock/advance`, JSON.stringify({ seconds: 60 }));
    const { ms } = await delivered;
    const gate = await load;
    return {
      callbacks: CALLBACKS,
      callbacks_per_second: Math.round((CALLBACKS / ms) * 1000),
      gate_sales_per_second_meanwhile: Math.round(gate.requests.average),
      gate_p99_ms_meanwhile: gate.latency.p99,
      gate_errors: gate.errors + gate.non2xx,
    };
  } finally {
    receiver.send({ type: 'stop' });
    await stopSandbox(sandbox);
  }
}
