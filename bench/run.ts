// `npm run bench`: the sandbox (its real start path, a temp database) beside bare Fastify and the peer mocks
// of bench/peers, each driven by autocannon from a separate process. Prints a table and writes JSON.
// BENCH_SECONDS (default 10) sets each measured run; BENCH_FILL (default 0) first stores that many payments
// (e.g. 200000 for the memory target, 1000000 for the scale-with-data target). `--quick` (the regression
// guard) runs only bare Fastify, Gate sale and Gate status, 5 s each after a 2 s warm-up.
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchCallbacks } from './callbacks.js';
import { runLoad, type LoadResult } from './load.js';
import type { LoadSpec } from './load-worker.js';
import { benchPeers } from './peers.js';
import { benchPostgres } from './postgres.js';
import { cpuMsOf, memoryOf, treePeakRssMb } from './process-stats.js';
import { BENCH_PROJECT, startProcess, startSandbox, stopSandbox } from './sandbox-process.js';
import { seedPurchase } from './seed-purchase.js';

const QUICK = process.argv.includes('--quick');
const SECONDS = Number(process.env.BENCH_SECONDS ?? (QUICK ? 5 : 10));
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const FILL = QUICK ? 0 : Number(process.env.BENCH_FILL ?? 0);
const WARMUP = Math.min(QUICK ? 2 : 3, SECONDS);
/** Worker counts measured beside the single process (BENCH_WORKERS, comma-separated). */
const WORKER_COUNTS = (process.env.BENCH_WORKERS ?? '2').split(',').map(Number).filter((n) => n > 1);

interface Row {
  server: string; scenario: string; rps: number; p50: number; p99: number; peakRssMb: number; errors: number; cpuUsPerRequest?: number; ratio?: number; note?: string;
}

async function measure(pid: number, spec: LoadSpec): Promise<LoadResult & { peakRssMb: number; cpuUsPerRequest?: number }> {
  await runLoad({ ...spec, durationSeconds: WARMUP, prefix: `${spec.prefix}-warm` });
  const cpuBefore = cpuMsOf(pid);
  const result = await runLoad(spec);
  // The server's own CPU per answered request: unlike req/s, it hardly moves when other work shares the cores.
  const cpuUsPerRequest = result.total === 0 ? undefined : Math.round(((cpuMsOf(pid) - cpuBefore) * 1000) / result.total);
  return { ...result, peakRssMb: treePeakRssMb(pid), cpuUsPerRequest };
}

function row(server: string, scenario: string, r: LoadResult & { peakRssMb: number; cpuUsPerRequest?: number }, note?: string): Row {
  return {
    server, scenario, rps: r.requestsPerSecond, p50: r.p50, p99: r.p99, peakRssMb: r.peakRssMb, errors: r.errors + r.non2xx,
    ...(r.cpuUsPerRequest === undefined ? {} : { cpuUsPerRequest: r.cpuUsPerRequest }), ...(note === undefined ? {} : { note }),
  };
}

const rows: Row[] = [];
const base = { connections: CONNECTIONS, durationSeconds: SECONDS, secret: BENCH_PROJECT.secret_key, projectId: BENCH_PROJECT.project_id };

const bare = await startProcess(fileURLToPath(new URL('./bare-fastify.js', import.meta.url)), {}, '/');
rows.push(row('bare Fastify', 'small JSON POST', await measure(bare.child.pid as number, { ...base, url: `${bare.baseUrl}/`, body: 'static', prefix: 'bare' })));
bare.child.kill('SIGTERM');
const bareRps = rows[0]!.rps;

const dir = join(process.env.TMPDIR ?? '/tmp', `ecommpay-sandbox-bench-${Date.now()}`);
mkdirSync(dir, { recursive: true });
const config = join(dir, 'sandbox.json');
writeFileSync(config, JSON.stringify({ projects: [BENCH_PROJECT] }));
const dbPath = join(dir, 'sandbox.db');
const sandbox = await startProcess(fileURLToPath(new URL('../src/server.js', import.meta.url)), {
  PORT: '0', LOG_LEVEL: 'warn', SANDBOX_DB: dbPath, SANDBOX_CONFIG: config, SANDBOX_CLOCK: 'manual',
}, '/_sandbox/health');
const pid = sandbox.child.pid as number;
const startMs = Math.round(sandbox.startMs);

const seedId = await seedPurchase(sandbox.baseUrl);

let fill: Record<string, number> | undefined;
if (FILL > 0) {
  const before = statSync(dbPath).size;
  const started = performance.now();
  // Fill through the Gate API itself, the sales' callbacks delayed out of the way.
  for (let stored = 0; stored < FILL;) {
    const r = await runLoad({ ...base, durationSeconds: 10, url: `${sandbox.baseUrl}/v2/payment/wallet/paymaya/sale`, body: 'sale', prefix: `fill${stored}`, callbackDelay: 600 });
    stored += r.total;
  }
  const walFree = existsSync(`${dbPath}-wal`) ? statSync(`${dbPath}-wal`).size : 0;
  fill = { payments: FILL, seconds: Math.round((performance.now() - started) / 1000), rssMb: memoryOf(pid).rssMb, dbBytesPerPayment: Math.round((statSync(dbPath).size + walFree - before) / FILL) };
}

const sale = await measure(pid, { ...base, url: `${sandbox.baseUrl}/v2/payment/wallet/paymaya/sale`, body: 'sale', prefix: 'sale', callbackDelay: 600 });
rows.push(row('sandbox', 'Gate sale (durable, callback in the outbox)', sale));
if (!QUICK) {
  const cardSale = await measure(pid, { ...base, url: `${sandbox.baseUrl}/v2/payment/card/sale`, body: 'card-sale', prefix: 'card', callbackDelay: 600 });
  rows.push(row('sandbox', 'Gate card sale (host-to-host, no 3-D Secure; callback in the outbox)', cardSale));
}
const status = await measure(pid, { ...base, url: `${sandbox.baseUrl}/v2/payment/status`, body: 'status', prefix: 'status', statusPaymentId: seedId });
rows.push(row('sandbox', 'Gate status (signed answer)', status));
if (!QUICK) {
  const payout = await measure(pid, { ...base, url: `${sandbox.baseUrl}/v2/payment/wallet/paymaya/payout`, body: 'payout', prefix: 'payout', customerId: 'eligible' });
  rows.push(row('sandbox', 'Gate payout to an eligible customer', payout, 'its final callback runs meanwhile (to the inbox)'));
}
const rssAfter = memoryOf(pid).rssMb;
await stopSandbox({ child: sandbox.child, baseUrl: sandbox.baseUrl, dir, startMs });

// Every core: the same durable sale and status with worker processes sharing the port and one SQLite file.
for (const workers of QUICK ? [] : WORKER_COUNTS) {
  const several = await startSandbox({ SANDBOX_CLOCK: 'manual', SANDBOX_WORKERS: String(workers) });
  try {
    const workerPid = several.child.pid as number;
    const seed = await seedPurchase(several.baseUrl);
    const note = `${workers} worker processes on one SQLite file (CPU and RSS of all of them)`;
    rows.push(row(`sandbox --workers ${workers}`, 'Gate sale (durable, callback in the outbox)', await measure(workerPid, { ...base, url: `${several.baseUrl}/v2/payment/wallet/paymaya/sale`, body: 'sale', prefix: `w${workers}-sale`, callbackDelay: 600 }), note));
    rows.push(row(`sandbox --workers ${workers}`, 'Gate status (signed answer)', await measure(workerPid, { ...base, url: `${several.baseUrl}/v2/payment/status`, body: 'status', prefix: `w${workers}-status`, statusPaymentId: seed }), note));
  } finally {
    await stopSandbox(several);
  }
}

let postgresCallbacks: number | undefined;
if (!QUICK) {
  try {
    const postgres = await benchPostgres(base, WARMUP);
    for (const r of postgres.rows) rows.push(row('sandbox on PostgreSQL', r.scenario, r.result, r.note));
    postgresCallbacks = postgres.callbacksPerSecondTwoInstances;
  } catch (error) {
    rows.push({ server: 'sandbox on PostgreSQL', scenario: 'Gate sale and status', rps: 0, p50: 0, p99: 0, peakRssMb: 0, errors: 0, note: `could not run: ${(error as Error).message.split('\n')[0]}` });
  }
}

if (!QUICK) {
  // Peers get bare Fastify's small body: their stubs ignore it, and signing sale bodies would load the generator.
  const peers = await benchPeers((peerPid, url, prefix) => measure(peerPid, { ...base, url, body: 'static', prefix }));
  for (const peer of peers) {
    const note = peer.reason === undefined ? peer.note : `${peer.note}; ${peer.reason}`;
    rows.push(peer.result === undefined
      ? { server: peer.name, scenario: 'Gate sale stub (static JSON)', rps: 0, p50: 0, p99: 0, peakRssMb: 0, errors: 0, note: peer.reason ?? '' }
      : row(peer.name, 'Gate sale stub (static JSON)', peer.result, note));
  }
}

const callbacks = QUICK ? undefined : { ...await benchCallbacks(), ...(postgresCallbacks === undefined ? {} : { callbacks_per_second_postgres_two_instances: postgresCallbacks }) };
for (const r of rows) if (r.rps > 0) r.ratio = Math.round((r.rps / bareRps) * 100) / 100;

const results = { date: new Date().toISOString(), node: process.version, cpus: cpus().length, quick: QUICK, connections: CONNECTIONS, seconds: SECONDS, startMs, rssAfterRunsMb: rssAfter, fill, rows, callbacks };
console.table(rows.map((r) => ({ server: r.server, scenario: r.scenario, 'req/s': r.rps, 'p50 ms': r.p50, 'p99 ms': r.p99, 'peak RSS MB': r.peakRssMb, 'CPU µs/req': r.cpuUsPerRequest ?? '', errors: r.errors, 'ratio to bare': r.ratio ?? '', note: r.note ?? '' })));
console.table({ 'first 200 on /_sandbox/health (ms)': startMs, 'RSS after the runs (MB)': rssAfter, ...(callbacks ?? {}), ...(fill ?? {}) });
if (QUICK) {
  console.log(`quick: bare Fastify ${bareRps} req/s (${rows[0]!.cpuUsPerRequest} CPU µs/req); ratio to bare: ${rows.slice(1).map((r) => `${r.scenario.split(' (')[0]} ${r.ratio ?? 0} (${r.cpuUsPerRequest} CPU µs/req)`).join(', ')}`);
}
mkdirSync('bench/results', { recursive: true });
const file = `bench/results/bench-${Date.now()}.json`;
writeFileSync(file, JSON.stringify(results, null, 2));
console.log(`results written to ${file}`);
