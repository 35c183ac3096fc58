// PostgreSQL failing for real, under load: a server of the test's own, stopped and started again while sales,
// completions and deliveries run; its connections killed mid-transaction (pg_terminate_backend); a server that
// refuses connections when the sandbox starts. Counted each time: what was accepted, what was kept, what was
// delivered.
import type { Test } from 'tap';
import t from 'tap';
import pg from 'pg';
import { buildApp } from '../../src/app.js';
import type { Logger } from '../../src/domain/ports.js';
import { createSandbox, type Sandbox } from '../../src/sandbox.js';
import { freePort } from '../helpers/free-port.js';
import { post, sale, signed } from '../helpers/gate-client.js';
import { createPostgres, postgresSkipReason, type ControlledPostgres } from '../helpers/postgres-server.js';
import { runToExit } from '../helpers/child-sandbox.js';
import { startReceiver, type Receiver } from '../helpers/receiver.js';
import { PROJECT_ID, SECRET, testConfig } from '../helpers/sandbox.js';
import type { FastifyInstance } from 'fastify';
import { everyOf, matchCounted } from '../helpers/promises.js';

interface Tap { teardown(fn: () => unknown): void }

function capturingLog(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const note = (_obj: object, msg?: string) => void lines.push(msg ?? '');
  return { lines, info: note, warn: note, error: note };
}

/** Waits for a condition of the running load (real time: the server's restart is real). */
async function waitFor(what: string, done: () => boolean, timeoutMs = 30_000): Promise<void> {
  const started = Date.now();
  while (!done()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function sandboxOn(t: Tap, url: string, receiver: Receiver, log: Logger): Promise<{ sandbox: Sandbox; app: FastifyInstance }> {
  const config = { ...testConfig(url), projects: [{ project_id: PROJECT_ID, secret_key: SECRET, name: 'Test shop', callback_url: receiver.url }] };
  const sandbox = await createSandbox(config, log);
  const app = await buildApp(sandbox);
  sandbox.scheduler.start();
  t.teardown(async () => {
    await app.close();
    await sandbox.close();
  });
  return { sandbox, app };
}

interface Answer { what: string; status: number; started: number; answered: number }

/** Sales and their completions from `workers` loops until stopped; every answer counted, with its time. */
function startLoad(app: FastifyInstance, workers: number, prefix: string) {
  const state = {
    running: true, accepted: new Set<string>(), refused: [] as Array<{ status: number; code: unknown; message: unknown }>, other: [] as string[],
    acceptedAfter: new Map<string, number>(), answers: [] as Answer[], inFlight: new Set<{ what: string; started: number }>(),
  };
  /** Sends one request, keeping it in `inFlight` until it is answered. */
  const timed = async <R extends { status: number; body: Record<string, any> }>(what: string, send: () => Promise<R>): Promise<R> => {
    const request = { what, started: Date.now() };
    state.inFlight.add(request);
    const answer = await send();
    state.inFlight.delete(request);
    state.answers.push({ what, status: answer.status, started: request.started, answered: Date.now() });
    if (answer.status === 503) state.refused.push({ status: answer.status, code: answer.body.code, message: answer.body.errors?.[0]?.message });
    else if (answer.status !== 200) state.other.push(`${answer.status} ${JSON.stringify(answer.body)}`);
    return answer;
  };
  let n = 0;
  const loop = async (w: number) => {
    while (state.running) {
      const id = `${prefix}-${w}-${n++}`;
      const answer = await timed('sale', () => sale(app, id));
      if (answer.status !== 200) continue;
      state.accepted.add(id);
      state.acceptedAfter.set(id, Date.now());
      await timed('complete', async () => {
        const completed = await app.inject({ method: 'POST', url: `/_sandbox/payments/${PROJECT_ID}/${id}/complete`, payload: { status: 'success' } });
        return { status: completed.statusCode, body: completed.json() as Record<string, any> };
      });
    }
  };
  const loops = Array.from({ length: workers }, (_, w) => loop(w));
  return { state, stop: async () => { state.running = false; await Promise.all(loops); } };
}

/** Moves the clock until every callback due has gone out, trying again while the server comes back. */
async function settle(app: FastifyInstance): Promise<void> {
  for (let tries = 0; ; tries++) {
    const answer = await app.inject({ method: 'POST', url: '/_sandbox/clock/advance', payload: { seconds: 1 } });
    if (answer.statusCode === 200) return;
    if (tries > 50) throw new Error(`advance failed: ${answer.body}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** What the database holds, and whether every unit of work in it is whole. */
async function audit(url: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const one = async (sql: string) => Number((await client.query(sql)).rows[0].n);
    return {
      payments: (await client.query('SELECT payment_id, status FROM payments')).rows as Array<{ payment_id: string; status: string }>,
      paymentsWithoutOperation: await one('SELECT count(*) AS n FROM payments p WHERE NOT EXISTS (SELECT 1 FROM operations o WHERE o.payment_row_id = p.row_id)'),
      paidWithoutSuccessOperation: await one(`SELECT count(*) AS n FROM payments p WHERE p.status = 'success' AND NOT EXISTS (SELECT 1 FROM operations o WHERE o.payment_row_id = p.row_id AND o.status = 'success')`),
      paidWithoutCallback: await one(`SELECT count(*) AS n FROM payments p WHERE p.status = 'success' AND NOT EXISTS (SELECT 1 FROM callbacks c WHERE c.payment_row_id = p.row_id AND c.body LIKE '%"status":"success"%')`),
      undelivered: await one(`SELECT count(*) AS n FROM callbacks WHERE state <> 'delivered'`),
    };
  } finally {
    await client.end();
  }
}

/** Callbacks the receiver got per payment: success callbacks, and bodies received more than once. */
function deliveries(receiver: Receiver) {
  const success = new Map<string, number>();
  const bodies = new Map<string, number>();
  for (const r of receiver.received) {
    bodies.set(r.body, (bodies.get(r.body) ?? 0) + 1);
    const payment = r.json.payment as { id?: string; status?: string } | undefined;
    if (payment?.status === 'success' && payment.id !== undefined) success.set(payment.id, (success.get(payment.id) ?? 0) + 1);
  }
  return { success, duplicates: [...bodies.values()].filter((count) => count > 1).length };
}

async function checkKeptAndDeliveredOnce(t: Test, app: FastifyInstance, url: string, receiver: Receiver, accepted: Set<string>) {
  await settle(app);
  const held = await audit(url);
  const stored = new Map(held.payments.map((p) => [p.payment_id, p.status]));
  const lost = [...accepted].filter((id) => !stored.has(id));
  t.same(lost, [], `every one of the ${accepted.size} accepted sales is kept`);
  const statuses = await Promise.all([...accepted].slice(0, 20).map((id) => post(app, '/v2/payment/status', signed({ general: { project_id: PROJECT_ID, payment_id: id } }))));
  everyOf(t, statuses, 1, (s) => s.status === 200, 'and answered by status');
  t.equal(held.paymentsWithoutOperation, 0, 'no payment without its operation: each sale committed whole or not at all');
  t.equal(held.paidWithoutSuccessOperation + held.paidWithoutCallback, 0, 'no paid payment without its success operation and callback: each completion whole or not at all');
  const paid = held.payments.filter((p) => p.status === 'success').map((p) => p.payment_id);
  const { success, duplicates } = deliveries(receiver);
  const notOnce = paid.filter((id) => success.get(id) !== 1);
  t.same(notOnce, [], `each of the ${paid.length} paid payments got its success callback exactly once`);
  t.equal([...success.keys()].filter((id) => stored.get(id) !== 'success').length, 0, 'no success callback for a payment not paid');
  t.equal(duplicates, 0, `no callback body arrived twice (${receiver.received.length} callbacks)`);
  t.equal(held.undelivered, 0, 'every callback is recorded as delivered');
}

t.test('a PostgreSQL restart under load: refusals, never hangs, recovery in seconds, nothing accepted lost, every callback once', { skip: postgresSkipReason }, async (t) => {
  const server = await createPostgres();
  t.teardown(() => server.stop());
  const receiver = await startReceiver(t);
  const log = capturingLog();
  const { app } = await sandboxOn(t, server.url, receiver, log);
  const load = startLoad(app, 8, 'restart');
  await waitFor('40 sales before the restart', () => load.state.accepted.size >= 40);

  await server.halt('fast');
  const downAt = Date.now();
  // Requests in flight as the server went away are answered while it is still away: none waits for its return.
  const inFlightAtStop = [...load.state.inFlight];
  await waitFor('every request in flight when the server stopped to be answered while it is down', () => !inFlightAtStop.some((r) => load.state.inFlight.has(r)), 20_000);
  t.pass(`the ${inFlightAtStop.length} requests in flight when the server stopped were answered while it was down`);
  const refusedBefore = load.state.refused.length;
  await waitFor('sales refused while the server is down', () => load.state.refused.length >= refusedBefore + 20);
  const health = await app.inject({ method: 'GET', url: '/_sandbox/health' });
  t.equal(health.statusCode, 503, 'health answers 503 while the server is down');
  t.match(health.json(), { status: 'error', storage: 'postgres', storage_state: 'unavailable' }, `and says the storage is unavailable: ${health.body}`);
  const advance = await app.inject({ method: 'POST', url: '/_sandbox/clock/advance', payload: { seconds: 1 } });
  matchCounted(t, { status: advance.statusCode, body: advance.json() }, { status: 503, body: { code: '601', errors: [{ message: /^storage unavailable/ }] } }, 'a clock advance is refused, 601');

  const resumeAt = Date.now();
  await server.resume();
  const upAt = Date.now();
  await waitFor('a sale accepted after the restart', () => [...load.state.acceptedAfter.values()].some((at) => at > upAt), 15_000);
  const recoveredMs = Math.min(...[...load.state.acceptedAfter.values()].filter((at) => at > upAt)) - upAt;
  t.ok(recoveredMs < 5_000, `sales are accepted again ${recoveredMs} ms after the server is back`);
  const acceptedAtRecovery = load.state.accepted.size;
  await waitFor('40 sales after the restart', () => load.state.accepted.size >= acceptedAtRecovery + 40);
  await load.stop();

  t.ok(load.state.refused.length >= 20, `${load.state.refused.length} requests refused while it was down`);
  everyOf(t, load.state.refused, 1, (r) => r.code === '601' && /^storage unavailable/.test(String(r.message)), 'each as 601 storage unavailable (HTTP 503)');
  t.same(load.state.other, [], 'no other error, no 500');
  const whileDown = load.state.answers.filter((a) => a.started >= downAt && a.started < resumeAt);
  t.same(whileDown.filter((a) => a.status !== 503), [], `the ${whileDown.length} requests sent while it was down were all refused, none waited for it`);
  const slowestDown = Math.max(...whileDown.map((a) => a.answered - a.started));
  t.ok(slowestDown < 6_000, `the slowest refusal took ${slowestDown} ms (a connection is waited for 5 s at most)`);
  t.equal((await app.inject({ method: 'GET', url: '/_sandbox/health' })).statusCode, 200, 'health is ok again');
  t.equal(log.lines.filter((line) => line.startsWith('storage unavailable')).length, 1, `the log says "storage unavailable" once: ${JSON.stringify(log.lines)}`);
  await checkKeptAndDeliveredOnce(t, app, server.url, receiver, load.state.accepted);
});

t.test('connections killed mid-transaction (pg_terminate_backend): each unit of work commits whole or leaves nothing', { skip: postgresSkipReason }, async (t) => {
  const server = await createPostgres();
  t.teardown(() => server.stop());
  const receiver = await startReceiver(t);
  const { app } = await sandboxOn(t, server.url, receiver, capturingLog());
  const admin = new pg.Client({ connectionString: server.url });
  await admin.connect();
  t.teardown(() => admin.end());
  const load = startLoad(app, 8, 'killed');
  await waitFor('sales under way', () => load.state.accepted.size >= 10);
  const killed = { inTransaction: 0, all: 0 };
  const started = Date.now();
  while ((killed.inTransaction < 10 || killed.all < 30) && Date.now() - started < 20_000) {
    const { rows } = await admin.query(
      `SELECT pid, state, xact_start IS NOT NULL AS in_transaction FROM pg_stat_activity
        WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend' AND state <> 'idle'`,
    );
    for (const row of rows as Array<{ pid: number; in_transaction: boolean }>) {
      const { rows: [done] } = await admin.query('SELECT pg_terminate_backend($1) AS done', [row.pid]);
      if (done.done !== true) continue;
      killed.all++;
      if (row.in_transaction) killed.inTransaction++;
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  t.ok(killed.inTransaction >= 10, `${killed.inTransaction} connections killed inside a transaction (${killed.all} in all)`);
  const acceptedAfterKills = load.state.accepted.size;
  await waitFor('sales after the kills', () => load.state.accepted.size >= acceptedAfterKills + 20, 15_000);
  await load.stop();
  everyOf(t, load.state.refused, 1, (r) => r.code === '601', `the ${load.state.refused.length} requests cut off were refused as 601 (HTTP 503)`);
  t.same(load.state.other, [], 'no other error, no 500');
  await checkKeptAndDeliveredOnce(t, app, server.url, receiver, load.state.accepted);
});

t.test('a server that refuses connections at the start is waited for, with backoff, up to SANDBOX_DB_WAIT_S', { skip: postgresSkipReason }, async (t) => {
  const server: ControlledPostgres = await createPostgres({ start: false });
  t.teardown(() => server.stop());
  const receiver = await startReceiver(t);
  const log = capturingLog();
  const config = { ...testConfig(server.url), dbWaitMs: 60_000, projects: [{ project_id: PROJECT_ID, secret_key: SECRET, name: 'Test shop', callback_url: receiver.url }] };
  let opened = false;
  const opening = createSandbox(config, log).finally(() => (opened = true));
  await waitFor('the wait to be logged', () => log.lines.some((line) => line.includes('refuses connections')));
  t.equal(opened, false, 'the start waits');
  t.equal(log.lines.filter((line) => line.includes('refuses connections')).length, 1, 'and says so once');
  await server.resume();
  const sandbox = await opening;
  const app = await buildApp(sandbox);
  t.teardown(async () => {
    await app.close();
    await sandbox.close();
  });
  t.equal((await sale(app, 'after-wait')).status, 200, 'once the server answers, the sandbox starts and takes sales');

  const nowhere = `postgres://postgres@127.0.0.1:${await freePort()}/postgres`;
  const exitStarted = Date.now();
  const exited = await runToExit([], { SANDBOX_DB: nowhere, SANDBOX_DB_WAIT_S: '1', PORT: '0', LOG_LEVEL: 'warn' });
  t.equal(exited.code, 1, 'past SANDBOX_DB_WAIT_S the process exits with code 1');
  t.match(exited.stderr, /refuses connections; trying again for up to 1 s/, 'having said it waits');
  t.match(exited.stderr, /cannot open the database postgres:\/\/postgres@127\.0\.0\.1:\d+\/postgres/, 'and then that it cannot open the database');
  t.ok(Date.now() - exitStarted < 60_000, 'without waiting longer than told (plus the start of node)');
});
