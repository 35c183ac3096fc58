import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startReceiver, type Received, type Receiver } from '../helpers/receiver.js';
import { freshPostgresDatabase, PROJECT_ID, SECRET, tempDir } from '../helpers/sandbox.js';
import { payoutBody, saleBody, SdkCallback, sdkSigner, signed, tokenOf } from '../helpers/gate-client.js';
import { call, killHard, startChildSandbox, type ChildSandbox } from '../helpers/child-sandbox.js';
import { postgresSkipReason } from '../helpers/postgres-server.js';
import { everyOf, matchCounted, sameSet } from '../helpers/promises.js';

const LIMITED_PROJECT = 446;
const LIMITED_SECRET = 'limited-secret';
const TOKEN = 'DataApiTokenForSeveralInstances';
const TOKEN_SECRET = 'data-secret';

interface Pair { a: ChildSandbox; b: ChildSandbox; receiver: Receiver }

interface Tap { teardown(fn: () => unknown): void }

/** Two sandbox processes started together on one fresh PostgreSQL database, sharing a config but for `callbacks`. */
async function twoInstances(t: Tap, options: { callbacksA?: object; callbacksB?: object; envB?: Record<string, string> } = {}): Promise<Pair> {
  const receiver = await startReceiver(t);
  const url = await freshPostgresDatabase();
  const dir = tempDir(t);
  const config = (callbacks: object | undefined) => {
    const path = join(dir, `config-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(path, JSON.stringify({
      projects: [
        { project_id: PROJECT_ID, secret_key: SECRET, callback_url: receiver.url },
        { project_id: LIMITED_PROJECT, secret_key: LIMITED_SECRET, callback_url: receiver.url, frequency_limits: [{ operation: 'sale', max: 3, window_seconds: 3600 }] },
      ],
      data_api_tokens: [{ token: TOKEN, secret_key: TOKEN_SECRET }],
      // 30 s for the receiver in this test process to answer: on a machine loaded far past its cores, the default
      // 5 s could pass before it does, and a delivery it accepted would be logged as a time-out and sent again.
      callbacks: { timeout_ms: 30_000, ...callbacks },
    }));
    return path;
  };
  const env = { SANDBOX_DB: url, SANDBOX_CLOCK: 'manual', SANDBOX_SEED: 'several' };
  // Started at the same moment, both run the migrations: the advisory lock keeps them from racing.
  const [a, b] = await Promise.all([
    startChildSandbox(t, { ...env, SANDBOX_CONFIG: config(options.callbacksA) }),
    startChildSandbox(t, { ...env, SANDBOX_CONFIG: config(options.callbacksB), ...options.envB }),
  ]);
  return { a, b, receiver };
}

const paymentOf = (callback: { json: Record<string, unknown> }) => callback.json.payment as { id: string; status: string };

t.test('several instances on one PostgreSQL database', { skip: postgresSkipReason }, async (t) => {
  const { a, b, receiver } = await twoInstances(t);

  t.test('each reports PostgreSQL and its own instance id, on the same clock', async (t) => {
    const [healthA, healthB] = [(await call(a.baseUrl, '/_sandbox/health')).json, (await call(b.baseUrl, '/_sandbox/health')).json];
    t.match(healthA, { status: 'ok', storage: 'postgres', instance: /\S/ });
    t.match(healthB, { status: 'ok', storage: 'postgres', instance: /\S/ });
    t.not(healthA.instance, healthB.instance);
    t.equal(healthA.now, healthB.now);
  });

  t.test('a payment made through A is seen, completed and paid through B: status, control API, checkout page, dashboard, Data API', async (t) => {
    const start = receiver.received.length;
    t.equal((await call(a.baseUrl, '/v2/payment/wallet/paymaya/sale', signed(saleBody('multi-1')))).status, 200);
    await receiver.whenReceived(start + 1);
    // The attempt is recorded once the receiver's answer is back: let the due work finish before reading the log.
    await call(b.baseUrl, '/_sandbox/clock/advance', { seconds: 0 });
    const status = await call(b.baseUrl, '/v2/payment/status', signed({ general: { project_id: PROJECT_ID, payment_id: 'multi-1' } }));
    t.equal(status.status, 200);
    t.match(status.json, { payment: { id: 'multi-1', status: 'awaiting redirect result' } });
    t.ok(new SdkCallback(SECRET, status.json), 'B signs the status of A\'s payment');
    const report = await call(b.baseUrl, `/_sandbox/payments/${PROJECT_ID}/multi-1`);
    matchCounted(t, report.json, { payment: { payment_id: 'multi-1' }, callbacks: [{ state: 'delivered' }] });

    const redirect = receiver.received[start]!.json.redirect_data as { url: string };
    const token = tokenOf(redirect.url);
    const page = await fetch(`${b.baseUrl}/paymaya/checkout?tokenid=${token}`);
    t.equal(page.status, 200);
    t.match(await page.text(), /multi-1/);
    const paid = await fetch(`${b.baseUrl}/paymaya/checkout`, {
      method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ tokenid: token, action: 'pay', mobile: '09171234567' }).toString(),
    });
    t.equal(paid.status, 303);
    await receiver.whenReceived(start + 2);
    const final = receiver.received[start + 1]!;
    t.match(paymentOf(final), { id: 'multi-1', status: 'success' });
    t.ok(new SdkCallback(SECRET, final.body));
    t.match((await call(a.baseUrl, '/v2/payment/status', signed({ general: { project_id: PROJECT_ID, payment_id: 'multi-1' } }))).json, { payment: { status: 'success' } });

    const dashboard = await (await fetch(`${b.baseUrl}/dashboard/payments?q=multi-1`)).text();
    t.match(dashboard, /1 payment\(s\)/);
    const query = { token: TOKEN, project_id: [PROJECT_ID], interval: { from: '2026-01-01 00:00:00', to: '2026-01-02 00:00:00' }, fields: ['payment_id', 'operation_status'] };
    const operations = await call(b.baseUrl, '/operations/get', { ...query, signature: sdkSigner(query, TOKEN_SECRET) });
    t.equal(operations.status, 200);
    t.same((operations.json.operations as Array<Record<string, unknown>>).filter((o) => o.payment_id === 'multi-1'), [{ payment_id: 'multi-1', operation_status: 'success' }]);
  });

  t.test('1,000 callbacks made through both instances are each delivered exactly once', async (t) => {
    const start = receiver.received.length;
    const ids = Array.from({ length: 1000 }, (_, n) => `bulk-${n}`);
    let next = 0;
    await Promise.all(Array.from({ length: 20 }, async () => {
      for (let n = next++; n < ids.length; n = next++) {
        const response = await call(n % 2 === 0 ? a.baseUrl : b.baseUrl, '/v2/payment/wallet/paymaya/sale', signed(saleBody(ids[n]!)));
        if (response.status !== 200) throw new Error(`sale ${ids[n]} answered ${response.status}`);
      }
    }));
    await receiver.whenReceived(start + 1000);
    await call(a.baseUrl, '/_sandbox/clock/advance', { seconds: 0 });
    const bodies = receiver.received.slice(start).map((r) => r.body);
    t.equal(bodies.length, 1000, 'no callback arrived twice, even after all due work ran');
    t.equal(new Set(bodies.map((body) => (JSON.parse(body) as { payment: { id: string } }).payment.id)).size, 1000, 'one callback per payment');
    const delivered = (await call(b.baseUrl, `/_sandbox/callbacks?project_id=${PROJECT_ID}&state=delivered&limit=1000`)).json.callbacks as Array<{ payment_id: string; attempts_made: number }>;
    const bulk = delivered.filter((c) => c.payment_id.startsWith('bulk-'));
    t.equal(bulk.length, 1000);
    everyOf(t, bulk, 1000, (c) => c.attempts_made === 1, 'one attempt each in the delivery log');
  });

  t.test('two instances racing on one payment_id accept it once; the other answer is 3041', async (t) => {
    const start = receiver.received.length;
    for (let round = 0; round < 20; round++) {
      const body = signed(saleBody(`race-${round}`));
      const answers = await Promise.all([call(a.baseUrl, '/v2/payment/wallet/paymaya/sale', body), call(b.baseUrl, '/v2/payment/wallet/paymaya/sale', body)]);
      sameSet(t, answers.map((r) => r.status), [200, 409], `race-${round}: ${JSON.stringify(answers.map((r) => r.json))}`);
      t.match(answers.find((r) => r.status === 409)?.json, { code: '3041' });
    }
    const listed = (await call(a.baseUrl, `/_sandbox/callbacks?project_id=${PROJECT_ID}&limit=1000`)).json.callbacks as Array<{ payment_id: string }>;
    t.equal(listed.filter((c) => c.payment_id.startsWith('race-')).length, 20, 'one payment and one callback per id');
    await receiver.whenReceived(start + 20);
  });

  t.test('a frequency limit stays exact when both instances take the same customer\'s sales at once', async (t) => {
    const start = receiver.received.length;
    const ids = Array.from({ length: 12 }, (_, n) => `freq-${n}`);
    const body = (id: string) => signed(saleBody(id, { general: { project_id: LIMITED_PROJECT, payment_id: id }, customer: { id: 'busy', ip_address: '203.0.113.7', email: 'busy@example.ph' } }), LIMITED_SECRET);
    const answers = await Promise.all(ids.map((id, n) => call(n % 2 === 0 ? a.baseUrl : b.baseUrl, '/v2/payment/wallet/paymaya/sale', body(id))));
    everyOf(t, answers, 12, (r) => r.status === 200, 'each of the 12 sales was accepted');
    const reports = await Promise.all(ids.map(async (id) => (await call(a.baseUrl, `/_sandbox/payments/${LIMITED_PROJECT}/${id}`)).json));
    const declined = reports.filter((r) => r.payment.status === 'decline');
    t.equal(declined.length, 9, 'exactly the sales over the limit of 3 are declined');
    everyOf(t, declined, 9, (r) => r.operations[0].code === '20101', 'each declined with 20101');
    t.equal(reports.filter((r) => r.payment.status === 'awaiting redirect result').length, 3);
    await receiver.whenReceived(start + 12);
  });

  t.test('the callbacks of one payment stay in order when it is completed on the other instance', async (t) => {
    const start = receiver.received.length;
    receiver.script = [500, 500];
    await call(a.baseUrl, '/v2/payment/wallet/paymaya/sale', signed(saleBody('order-1')));
    await receiver.whenReceived(start + 1);
    const done = await call(b.baseUrl, `/_sandbox/payments/${PROJECT_ID}/order-1/complete`, { status: 'decline', code: '20000' });
    matchCounted(t, done.json.callbacks, [{ state: 'scheduled' }, { state: 'queued' }]);
    await call(a.baseUrl, '/_sandbox/clock/advance', { seconds: 30 });
    t.same(receiver.received.slice(start).filter((r) => paymentOf(r).id === 'order-1').map((r) => paymentOf(r).status), ['awaiting redirect result', 'awaiting redirect result', 'awaiting redirect result', 'decline']);
  });
  t.test('a project\'s own clock, moved through A, is the time B reads for it; the other project\'s clock stays', async (t) => {
    const made = await Promise.all([5001, 5002].map((id) => call(a.baseUrl, '/_sandbox/projects', { project_id: id, secret_key: `s-${id}`, callback_url: receiver.url })));
    t.same(made.map((r) => r.status), [201, 201]);
    const sale = (id: number) => call(b.baseUrl, '/v2/payment/wallet/paymaya/sale', signed(saleBody(`clock-${id}`, { general: { project_id: id, payment_id: `clock-${id}` } }), `s-${id}`));
    t.same([(await sale(5001)).status, (await sale(5002)).status], [200, 200]);
    const moved = await call(a.baseUrl, '/_sandbox/clock/advance', { seconds: 24 * 3600, project_id: 5001 });
    t.equal(moved.json.now, '2026-01-02T00:00:00.000Z');
    t.equal((await call(b.baseUrl, '/_sandbox/clock?project_id=5001')).json.now, '2026-01-02T00:00:00.000Z', 'B reads the moved clock');
    t.equal((await call(b.baseUrl, '/_sandbox/clock?project_id=5002')).json.now, '2026-01-01T00:00:00.000Z', 'the other project\'s clock did not move');
    t.match((await call(b.baseUrl, '/_sandbox/payments/5001/clock-5001')).json, { payment: { status: 'decline' } }, 'the moved project\'s due work ran');
    t.match((await call(b.baseUrl, '/_sandbox/payments/5002/clock-5002')).json, { payment: { status: 'awaiting redirect result' } });
  });
});

t.test('an instance that runs no due work, beside one that never polls', { skip: postgresSkipReason }, async (t) => {
  const { a, b, receiver } = await twoInstances(t, { callbacksA: { max_in_flight: 0 }, envB: { SANDBOX_POLL_MS: '3600000' } });

  t.test('new work made on A wakes B at once through the database, not by a poll', async (t) => {
    t.equal((await call(a.baseUrl, '/v2/payment/wallet/paymaya/sale', signed(saleBody('wake-1')))).status, 200);
    await receiver.whenReceived(1, 10_000);
    t.match(paymentOf(receiver.received[0]!), { id: 'wake-1', status: 'awaiting redirect result' });
  });

  t.test('clock/advance on A moves the clock of B and answers after B ran the work that fell due', async (t) => {
    t.equal((await call(b.baseUrl, '/v2/payment/wallet/paymaya/sale', signed(saleBody('idle-1')))).status, 200);
    await receiver.whenReceived(2, 10_000);
    const advanced = await call(a.baseUrl, '/_sandbox/clock/advance', { seconds: 24 * 3600 });
    t.equal(advanced.status, 200);
    const finals = receiver.received.filter((r) => ['success', 'decline'].includes(paymentOf(r).status));
    sameSet(t, finals.map((r) => [paymentOf(r).id, (r.json.operation as { code: string }).code]), [['idle-1', '20602'], ['wake-1', '20602']],
      'both limit-time declines were delivered before A answered');
    t.equal((await call(b.baseUrl, '/_sandbox/clock')).json.now, advanced.json.now);
    t.equal(advanced.json.now, '2026-01-02T00:00:00.000Z');
  });
});

const TAKEOVER_TIMEOUT_MS = 12_000;

t.test('kill -9 of an instance holding leased deliveries: the other takes them over within 30 s', { skip: postgresSkipReason }, async (t) => {
  const receiver = await startReceiver(t);
  const url = await freshPostgresDatabase();
  const dir = tempDir(t);
  // A 12 s time-out gives leases of 22 s (time-out + 10 s): A's deliveries are still in flight at the kill, and
  // their leases end well within the 30 s. A may hold ten deliveries, B one; each instance names itself in its
  // User-Agent, so the receiver sees who sent what. Both are started before any work exists, so no start-up,
  // however slow, falls between A's sends and the kill.
  const configOf = (name: string, maxInFlight: number) => {
    const path = join(dir, `${name}.json`);
    writeFileSync(path, JSON.stringify({ projects: [{ project_id: PROJECT_ID, secret_key: SECRET, callback_url: receiver.url }], callbacks: { timeout_ms: TAKEOVER_TIMEOUT_MS, max_in_flight: maxInFlight, user_agent: name } }));
    return path;
  };
  const env = { SANDBOX_DB: url, SANDBOX_CLOCK: 'manual', SANDBOX_SEED: 'takeover' };
  const [a, b] = await Promise.all([
    startChildSandbox(t, { ...env, SANDBOX_CONFIG: configOf('instance-a', 10) }),
    startChildSandbox(t, { ...env, SANDBOX_CONFIG: configOf('instance-b', 1) }),
  ]);
  const by = (list: Received[], agent: string) => list.filter((r) => r.headers['user-agent'] === agent).map((r) => paymentOf(r).id);
  const ids = Array.from({ length: 11 }, (_, n) => `held-${n}`);
  receiver.holding = true;
  for (const id of ids) t.equal((await call(a.baseUrl, '/v2/payment/wallet/paymaya/payout', signed(payoutBody(id)))).status, 200);
  // Eleven deliveries, at most ten in A's slots: B must have looked at the due work and taken one.
  await receiver.whenHeld(11);
  sameSet(t, receiver.held.map((r) => paymentOf(r).id), ids, 'each callback sent once while every lease was live');
  const [ofA, ofB] = [by(receiver.held, 'instance-a'), by(receiver.held, 'instance-b')];
  t.equal(ofA.length, 10, 'A holds ten');
  t.equal(ofB.length, 1, 'B took the one A had no slot for, and nothing of A\'s');
  t.equal(receiver.release((r) => r.headers['user-agent'] === 'instance-b'), 1, 'B\'s delivery answered');
  const killedAt = Date.now();
  await killHard(a.child);
  receiver.holding = false;
  const heldFor = killedAt - Math.min(...receiver.held.map((r) => r.at));
  t.ok(heldFor < TAKEOVER_TIMEOUT_MS, `A was killed ${heldFor} ms after its first send, before any of its time-outs`);
  // The wait outlasts the promise, so a slow takeover fails the check below with its time, not a time-out.
  await receiver.whenReceived(11, 45_000);
  const tookMs = Date.now() - killedAt;
  t.ok(tookMs < 30_000, `taken over and delivered ${tookMs} ms after the kill`);
  sameSet(t, receiver.received.map((r) => `${paymentOf(r).id} by ${String(r.headers['user-agent'])}`), ids.map((id) => `${id} by instance-b`), 'each callback delivered once, by B: A\'s ten after the kill');
  // B records each attempt once the receiver has answered it: let that work finish before reading the log.
  await call(b.baseUrl, '/_sandbox/clock/advance', { seconds: 0 });
  const log = (await call(b.baseUrl, `/_sandbox/callbacks?project_id=${PROJECT_ID}&limit=100`)).json.callbacks as Array<{ state: string; attempts_made: number }>;
  t.equal(log.length, 11, 'eleven callbacks in the log');
  everyOf(t, log, 11, (c) => c.state === 'delivered' && c.attempts_made === 1, 'the log shows one recorded attempt each: B\'s');
  await killHard(b.child);
});
