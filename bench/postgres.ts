// The PostgreSQL rows of `npm run bench`: one sandbox instance on a throwaway server, then two instances on the
// same database with the load split between them, then 10,000 callbacks delivered by the two together. The
// server runs with PostgreSQL's defaults (fsync and synchronous commit on): a sale answers after a durable commit.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { startPostgres } from '../test/helpers/postgres-server.js';
import { runLoad, type LoadResult } from './load.js';
import type { LoadSpec } from './load-worker.js';
import { memoryOf } from './process-stats.js';
import { BENCH_PROJECT, startSandbox, stopSandbox, type RunningSandbox } from './sandbox-process.js';
import { postJson, seedPurchase } from './seed-purchase.js';
import { bodyFactory } from './signed-requests.js';

const CALLBACKS = Number(process.env.BENCH_CALLBACKS ?? 10_000);

export type Measured = LoadResult & { peakRssMb: number };
export interface PostgresRow { scenario: string; result: Measured; note: string }

interface Base { connections: number; durationSeconds: number; secret: string; projectId: number }

async function database(serverUrl: string, name: string): Promise<string> {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** The same load on several instances at once, its connections split between them; figures summed, worst p99. */
async function split(instances: RunningSandbox[], spec: Omit<LoadSpec, 'url'>, path: string, warmupSeconds: number): Promise<Measured> {
  const run = (durationSeconds: number, prefix: string) => Promise.all(instances.map((instance, n) => runLoad({
    ...spec, durationSeconds, url: `${instance.baseUrl}${path}`, prefix: `${prefix}-${n}`, connections: Math.ceil(spec.connections / instances.length),
  })));
  await run(warmupSeconds, `${spec.prefix}-warm`);
  const results = await run(spec.durationSeconds, spec.prefix);
  return {
    requestsPerSecond: results.reduce((sum, r) => sum + r.requestsPerSecond, 0),
    p50: Math.max(...results.map((r) => r.p50)),
    p99: Math.max(...results.map((r) => r.p99)),
    total: results.reduce((sum, r) => sum + r.total, 0),
    errors: results.reduce((sum, r) => sum + r.errors, 0),
    non2xx: results.reduce((sum, r) => sum + r.non2xx, 0),
    peakRssMb: Math.max(...instances.map((i) => memoryOf(i.child.pid as number).peakRssMb)),
  };
}

async function rowsOn(instances: RunningSandbox[], base: Base, warmupSeconds: number): Promise<PostgresRow[]> {
  const label = instances.length === 1 ? 'one instance' : `${instances.length} instances, load split between them`;
  const seedId = await seedPurchase(instances[0]!.baseUrl);
  const sale = await split(instances, { ...base, body: 'sale', prefix: 'sale', callbackDelay: 600 }, '/v2/payment/wallet/paymaya/sale', warmupSeconds);
  const status = await split(instances, { ...base, body: 'status', prefix: 'status', statusPaymentId: seedId }, '/v2/payment/status', warmupSeconds);
  return [
    { scenario: 'Gate sale (durable, callback in the outbox)', result: sale, note: label },
    { scenario: 'Gate status (signed answer)', result: status, note: label },
  ];
}

/** 10,000 callbacks committed with a delay, released by one clock move, delivered by both instances together. */
async function fanOut(instances: RunningSandbox[]): Promise<number> {
  const receiver = fork(fileURLToPath(new URL('./receiver.js', import.meta.url)));
  try {
    const port = await new Promise<number>((resolve) => receiver.once('message', (m: { port: number }) => resolve(m.port)));
    const project = 9001;
    await postJson(`${instances[0]!.baseUrl}/_sandbox/projects`, JSON.stringify({ project_id: project, secret_key: 'fan-secret', callback_url: `http://127.0.0.1:${port}/cb` }));
    const next = bodyFactory({ body: 'sale', secret: 'fan-secret', projectId: project, prefix: 'fan', callbackDelay: 60 });
    for (let sent = 0; sent < CALLBACKS; sent += 100) {
      await Promise.all(Array.from({ length: Math.min(100, CALLBACKS - sent) }, (_, n) =>
        postJson(`${instances[n % instances.length]!.baseUrl}/v2/payment/wallet/paymaya/sale`, next())));
    }
    receiver.send({ type: 'expect', expected: CALLBACKS });
    const delivered = new Promise<{ ms: number }>((resolve) => receiver.on('message', (m: { type: string; ms: number }) => m.type === 'done' && resolve(m)));
    await postJson(`${instances[0]!.baseUrl}/_sandbox/clock/advance`, JSON.stringify({ seconds: 60 }));
    const { ms } = await delivered;
    return Math.round((CALLBACKS / ms) * 1000);
  } finally {
    receiver.send({ type: 'stop' });
  }
}

export async function benchPostgres(base: Base, warmupSeconds: number): Promise<{ rows: PostgresRow[]; callbacksPerSecondTwoInstances: number }> {
  const server = await startPostgres({ durable: true });
  const config = { ...BENCH_PROJECT };
  try {
    const one = await startSandbox({ SANDBOX_CLOCK: 'manual', SANDBOX_DB: await database(server.url, 'bench_one') }, config);
    const rows = await rowsOn([one], base, warmupSeconds).finally(() => stopSandbox(one));
    const url = await database(server.url, 'bench_two');
    const pair = [await startSandbox({ SANDBOX_CLOCK: 'manual', SANDBOX_DB: url }, config), await startSandbox({ SANDBOX_CLOCK: 'manual', SANDBOX_DB: url }, config)];
    try {
      rows.push(...await rowsOn(pair, base, warmupSeconds));
      return { rows, callbacksPerSecondTwoInstances: await fanOut(pair) };
    } finally {
      await Promise.all(pair.map((instance) => stopSandbox(instance)));
    }
  } finally {
    await server.stop();
  }
}
