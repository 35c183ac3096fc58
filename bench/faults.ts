// `npm run bench:faults`: 60 s of mixed sale, payout and status at 50 connections while the merchant's
// receiver fails 20% of deliveries. Checks that no callback is lost (each is delivered, or still scheduled
// with its attempts logged), that no request got an error answer, and how memory moves over the run.
import { fork } from 'node:child_process';
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runLoad } from './load.js';
import { memoryOf } from './process-stats.js';
import { BENCH_PROJECT, startProcess, stopSandbox } from './sandbox-process.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);

const receiver = fork(fileURLToPath(new URL('./fault-receiver.js', import.meta.url)));
const port = await new Promise<number>((resolve) => receiver.once('message', (m: { port: number }) => resolve(m.port)));
const dir = join(process.env.TMPDIR ?? '/tmp', `ecommpay-sandbox-faults-${Date.now()}`);
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, 'sandbox.json'), JSON.stringify({ projects: [{ ...BENCH_PROJECT, callback_url: `http://127.0.0.1:${port}/cb` }] }));
// scale:60 — a minute of sandbox time per real second, so retries 10 s apart happen during the run.
const sandbox = await startProcess(fileURLToPath(new URL('../src/server.js', import.meta.url)), {
  PORT: '0', LOG_LEVEL: 'warn', SANDBOX_DB: join(dir, 'sandbox.db'), SANDBOX_CONFIG: join(dir, 'sandbox.json'), SANDBOX_CLOCK: 'scale:60',
}, '/_sandbox/health');
const pid = sandbox.child.pid as number;
const base = { secret: BENCH_PROJECT.secret_key, projectId: BENCH_PROJECT.project_id, durationSeconds: SECONDS };

await runLoad({ ...base, connections: 1, durationSeconds: 1, url: `${sandbox.baseUrl}/v2/payment/wallet/paymaya/sale`, body: 'sale', prefix: 'seed', customerId: 'eligible' });
const seed = ((await (await fetch(`${sandbox.baseUrl}/_sandbox/callbacks?limit=1`)).json()) as { callbacks: Array<{ payment_id: string }> }).callbacks[0]?.payment_id as string;
await fetch(`${sandbox.baseUrl}/_sandbox/payments/${BENCH_PROJECT.project_id}/${seed}/complete`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"status":"success"}' });

const memory: number[] = [];
const sampler = setInterval(() => memory.push(memoryOf(pid).rssMb), 5000);
const share = Math.max(1, Math.floor(CONNECTIONS / 3));
const [sales, payouts, statuses] = await Promise.all([
  runLoad({ ...base, connections: share, url: `${sandbox.baseUrl}/v2/payment/wallet/paymaya/sale`, body: 'sale', prefix: 'sale' }),
  runLoad({ ...base, connections: share, url: `${sandbox.baseUrl}/v2/payment/wallet/paymaya/payout`, body: 'payout', prefix: 'payout', customerId: 'eligible' }),
  runLoad({ ...base, connections: CONNECTIONS - 2 * share, url: `${sandbox.baseUrl}/v2/payment/status`, body: 'status', prefix: 'status', statusPaymentId: seed }),
]);
clearInterval(sampler);

// Let the retries of the last failures run (a few sandbox minutes), then audit every callback.
const audit = async () => {
  const counts: Record<string, number> = {};
  let unlogged = 0;
  for (const state of ['queued', 'scheduled', 'delivered', 'failed']) {
    for (let offset = 0; ; offset += 1000) {
      const page = (await (await fetch(`${sandbox.baseUrl}/_sandbox/callbacks?state=${state}&limit=1000&offset=${offset}`)).json()) as { callbacks: Array<{ attempts_made: number; state: string }> };
      counts[state] = (counts[state] ?? 0) + page.callbacks.length;
      unlogged += page.callbacks.filter((c) => c.state === 'scheduled' && c.attempts_made === 0).length;
      if (page.callbacks.length < 1000) break;
    }
  }
  return { counts, unlogged };
};
await new Promise((resolve) => setTimeout(resolve, 5000));
const { counts } = await audit();
receiver.send({ type: 'count' });
const receivedCounts = await new Promise<{ received: number; failed: number }>((resolve) => receiver.once('message', resolve as never));
const accepted = sales.total - sales.non2xx + payouts.total - payouts.non2xx;
const result = {
  seconds: SECONDS,
  connections: CONNECTIONS,
  requests: sales.total + payouts.total + statuses.total,
  requests_per_second: sales.requestsPerSecond + payouts.requestsPerSecond + statuses.requestsPerSecond,
  error_answers: sales.non2xx + payouts.non2xx + statuses.non2xx + sales.errors + payouts.errors + statuses.errors,
  accepted_payments: accepted,
  callbacks: counts,
  lost_callbacks: counts.failed ?? 0,
  receiver: receivedCounts,
  rss_mb_every_5s: memory,
};
console.log(JSON.stringify(result, null, 2));
mkdirSync('bench/results', { recursive: true });
writeFileSync(`bench/results/faults-${Date.now()}.json`, JSON.stringify(result, null, 2));
receiver.send({ type: 'stop' });
await stopSandbox({ child: sandbox.child, baseUrl: sandbox.baseUrl, dir, startMs: 0 });
