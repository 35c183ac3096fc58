// Callback fan-out: 10,000 callbacks to a local receiver at 50 in flight, with Gate sales measured meanwhile.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { bodyFactory } from './signed-requests.js';
import { runLoad } from './load.js';
import { postJson } from './seed-purchase.js';
import { BENCH_PROJECT, startSandbox, stopSandbox } from './sandbox-process.js';

const CALLBACKS = Number(process.env.BENCH_CALLBACKS ?? 10_000);

export async function benchCallbacks(): Promise<Record<string, number>> {
  const receiver = fork(fileURLToPath(new URL('./receiver.js', import.meta.url)));
  const port = await new Promise<number>((resolve) => receiver.once('message', (m: { port: number }) => resolve(m.port)));
  const sandbox = await startSandbox({ SANDBOX_CLOCK: 'manual' }, { ...BENCH_PROJECT, callback_url: `http://127.0.0.1:${port}/cb` });
  try {
    // Commit the callbacks first with a 60 s delay, then release them all at once by moving the clock.
    const nextSale = bodyFactory({ body: 'sale', secret: BENCH_PROJECT.secret_key, projectId: BENCH_PROJECT.project_id, prefix: 'fan', callbackDelay: 60 });
    for (let sent = 0; sent < CALLBACKS; sent += 100) {
      await Promise.all(Array.from({ length: Math.min(100, CALLBACKS - sent) }, () =>
        postJson(`${sandbox.baseUrl}/v2/payment/wallet/paymaya/sale`, nextSale())));
    }
    receiver.send({ type: 'expect', expected: CALLBACKS });
    const delivered = new Promise<{ ms: number }>((resolve) => receiver.on('message', (m: { type: string; ms: number }) => m.type === 'done' && resolve(m)));
    // Sales meanwhile, from the load worker's own process; their callbacks fall outside the window (600 s).
    const load = runLoad({
      url: `${sandbox.baseUrl}/v2/payment/wallet/paymaya/sale`, connections: 5, durationSeconds: 3, body: 'sale',
      secret: BENCH_PROJECT.secret_key, projectId: BENCH_PROJECT.project_id, prefix: 'load', callbackDelay: 600,
    });
    await postJson(`${sandbox.baseUrl}/_sandbox/clock/advance`, JSON.stringify({ seconds: 60 }));
    const { ms } = await delivered;
    const gate = await load;
    return {
      callbacks: CALLBACKS,
      callbacks_per_second: Math.round((CALLBACKS / ms) * 1000),
      gate_sales_per_second_meanwhile: gate.requestsPerSecond,
      gate_p99_ms_meanwhile: gate.p99,
      gate_errors: gate.errors + gate.non2xx,
    };
  } finally {
    receiver.send({ type: 'stop' });
    await stopSandbox(sandbox);
  }
}
