// `npm run bench:faults`: 60 s of mixed sale, payout and status at 50 connections while the merchant's
// receiver fails 20% of deliveries, then lets the retries drain and audits what became of every accepted
// payment: stored with its callbacks, each callback delivered, each acknowledgement recorded once. Prints a
// check per claim and exits 1 when one fails; also reports error answers and how memory moved.
import { fork } from 'node:child_process';
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runLoad } from './load.js';
import { memoryOf } from './process-stats.js';
import { auditFaults, type ListedCallback } from './fault-audit.js';
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

const seeded = await runLoad({ ...base, connections: 1, durationSeconds: 1, url: `${sandbox.baseUrl}/v2/payment/wallet/paymaya/sale`, body: 'sale', prefix: 'seed', customerId: 'eligible', collectAccepted: true });
const seed = seeded.accepted?.[0] as string;
await fetch(`${sandbox.baseUrl}/_sandbox/payments/${BENCH_PROJECT.project_id}/${seed}/complete`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"status":"success"}' });

const memory: number[] = [];
const sampler = setInterval(() => memory.push(memoryOf(pid).rssMb), 5000);
const share = Math.max(1, Math.floor(CONNECTIONS / 3));
const [sales, payouts, statuses] = await Promise.all([
  runLoad({ ...base, connections: share, url: `${sandbox.baseUrl}/v2/payment/wallet/paymaya/sale`, body: 'sale', prefix: 'sale', collectAccepted: true }),
  runLoad({ ...base, connections: share, url: `${sandbox.baseUrl}/v2/payment/wallet/paymaya/payout`, body: 'payout', prefix: 'payout', customerId: 'eligible', collectAccepted: true }),
  runLoad({ ...base, connections: CONNECTIONS - 2 * share, url: `${sandbox.baseUrl}/v2/payment/status`, body: 'status', prefix: 'status', statusPaymentId: seed }),
]);
clearInterval(sampler);

async function callbacksIn(state?: string): Promise<ListedCallback[]> {
  const all: ListedCallback[] = [];
  for (let offset = 0; ; offset += 1000) {
    const page = (await (await fetch(`${sandbox.baseUrl}/_sandbox/callbacks?limit=1000&offset=${offset}${state === undefined ? '' : `&state=${state}`}`)).json()) as { callbacks: ListedCallback[] };
    all.push(...page.callbacks);
    if (page.callbacks.length < 1000) break;
  }
  return all;
}

// Drain: with a scale:60 clock a retry 10 sandbox seconds later is a sixth of a real second, so whatever is
// still queued or scheduled after the load is sent within moments; give it two real minutes at most.
const drainStarted = performance.now();
let pending = Number.POSITIVE_INFINITY;
while (pending > 0 && performance.now() - drainStarted < 120_000) {
  await new Promise((resolve) => setTimeout(resolve, 1000));
  pending = (await callbacksIn('queued')).length + (await callbacksIn('scheduled')).length;
}
const drainSeconds = Math.round((performance.now() - drainStarted) / 100) / 10;

const callbacks = await callbacksIn();
receiver.send({ type: 'count' });
const receivedCounts = await new Promise<{ received: number; failed: number }>((resolve) => receiver.once('message', resolve as never));
const requests = sales.total + payouts.total + statuses.total;
const errorAnswers = sales.non2xx + payouts.non2xx + statuses.non2xx + sales.errors + payouts.errors + statuses.errors;
const acceptedIds = [...(seeded.accepted ?? []), ...(sales.accepted ?? []), ...(payouts.accepted ?? [])];
const audit = auditFaults({ accepted: acceptedIds, callbacks, receiver: receivedCounts, requests, errorAnswers, drainSeconds });
const { checks, lost } = audit;
const result = {
  seconds: SECONDS,
  connections: CONNECTIONS,
  requests,
  requests_per_second: sales.requestsPerSecond + payouts.requestsPerSecond + statuses.requestsPerSecond,
  error_answers: errorAnswers,
  accepted_payments: acceptedIds.length,
  accepted_without_callbacks: audit.withoutCallbacks.length,
  callbacks: audit.states,
  undelivered_after_draining: audit.undelivered,
  drain_seconds: drainSeconds,
  lost,
  receiver: receivedCounts,
  failed_attempts_retried: receivedCounts.failed,
  rss_mb_every_5s: memory,
  checks,
};
console.log(JSON.stringify(result, null, 2));
for (const check of checks) console.log(`${check.passed ? 'ok    ' : 'FAILED'} ${check.claim}`);
console.log(`lost: ${lost} (accepted payments without their callbacks, and callbacks not delivered after draining)`);
mkdirSync('bench/results', { recursive: true });
writeFileSync(`bench/results/faults-${Date.now()}.json`, JSON.stringify(result, null, 2));
receiver.send({ type: 'stop' });
await stopSandbox({ child: sandbox.child, baseUrl: sandbox.baseUrl, dir, startMs: 0 });
if (checks.some((c) => !c.passed)) process.exitCode = 1;
