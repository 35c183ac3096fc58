import t from 'tap';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { Agent, request } from 'undici';
import { freshDatabase, tempDir, PROJECT_ID, SECRET } from '../helpers/sandbox.js';
import { payoutBody, saleBody, signed } from '../helpers/gate-client.js';
import { call, killHard, startChildSandbox } from '../helpers/child-sandbox.js';
import { atLeast, everyOf } from '../helpers/promises.js';

const CONNECTIONS = 20;
const KILL_AFTER = 400;
/** The sandbox's default limit of deliveries in flight: the most attempts a kill can cut off before they are recorded. */
const MAX_IN_FLIGHT = 50;

/** One answer of the receiver: the body it got, the status it answered, and which sandbox process sent it. */
interface Answer { body: string; status: number; run: 1 | 2 }

interface LoggedCallback { id: number; state: string; body: unknown; attempts: Array<{ http_status: number | null; error: string | null }> }

t.test('kill -9 under load with a failing receiver: nothing accepted is lost, every callback is delivered in the end, no payment or callback is stored twice, and a callback is accepted twice only if its answer was in flight at the kill', async (t) => {
  const dir = tempDir(t);
  /** Which process sends now: the first until the second is started (the first is dead by then). */
  let run: 1 | 2 = 1;
  const answers: Answer[] = [];
  // Every fifth delivery fails, as a flaky merchant would.
  const receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const status = (answers.length + 1) % 5 === 0 ? 500 : 200;
      answers.push({ body, status, run });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => { receiver.closeAllConnections(); receiver.close(() => resolve()); }));
  const config = join(dir, 'sandbox.json');
  writeFileSync(config, JSON.stringify({ projects: [{ project_id: PROJECT_ID, secret_key: SECRET, callback_url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/cb` }] }));
  const env = { SANDBOX_DB: await freshDatabase(t), SANDBOX_CONFIG: config, SANDBOX_CLOCK: 'manual', SANDBOX_SEED: 'load' };

  const first = await startChildSandbox(t, env);
  const customer = { id: 'loyal', ip_address: '203.0.113.7', email: 'loyal@example.ph' };
  await call(first.baseUrl, '/v2/payment/wallet/paymaya/sale', signed(saleBody('seed', { customer })));
  await call(first.baseUrl, `/_sandbox/payments/${PROJECT_ID}/seed/complete`, { status: 'success' });

  const agent = new Agent({ connections: CONNECTIONS });
  t.teardown(() => agent.close());
  const accepted = new Set<string>();
  /** Sales and payouts sent whose answer never came: in flight at the kill. */
  const unanswered = new Set<string>();
  let next = 0;
  let stop = false;
  const worker = async () => {
    while (!stop) {
      const n = next++;
      const id = `load-${n}`;
      const kind = n % 3;
      const path = kind === 2 ? '/v2/payment/status' : `/v2/payment/wallet/paymaya/${kind === 0 ? 'sale' : 'payout'}`;
      const body = kind === 0 ? signed(saleBody(id, { customer })) : kind === 1 ? signed(payoutBody(id, { customer })) : signed({ general: { project_id: PROJECT_ID, payment_id: 'seed' } });
      if (kind !== 2) unanswered.add(id);
      try {
        const response = await request(`${first.baseUrl}${path}`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' }, dispatcher: agent });
        await response.body.text();
        if (response.statusCode !== 200) throw new Error(`${path} answered ${response.statusCode}`);
        unanswered.delete(id);
        if (kind !== 2) accepted.add(id);
        if (accepted.size >= KILL_AFTER && !stop) {
          stop = true;
          await killHard(first.child);
        }
      } catch (error) {
        if (!stop) throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: CONNECTIONS }, worker));
  t.ok(accepted.size >= KILL_AFTER, `${accepted.size} payments accepted before the kill`);
  t.ok(unanswered.size <= CONNECTIONS, `${unanswered.size} sale or payout requests in flight at the kill (at most one per connection)`);

  run = 2;
  const second = await startChildSandbox(t, env);
  for (let hour = 0; hour < 3; hour++) await call(second.baseUrl, '/_sandbox/clock/advance', { seconds: 3600 });
  // Each attempt is recorded once the receiver has answered it: let the due work finish before reading the log.
  await call(second.baseUrl, '/_sandbox/clock/advance', { seconds: 0 });

  // Each accepted payment, one by one: stored, and each of its callbacks delivered and accepted by the receiver.
  const callbacks: LoggedCallback[] = [];
  const problems: string[] = [];
  for (const id of atLeast(t, [...accepted], KILL_AFTER, 'accepted payments to check')) {
    const report = await call(second.baseUrl, `/_sandbox/payments/${PROJECT_ID}/${id}`);
    if (report.status !== 200) {
      problems.push(`${id}: not found after the restart (HTTP ${report.status})`);
      continue;
    }
    const own = report.json.callbacks as LoggedCallback[];
    if (own.length === 0) problems.push(`${id}: no callback`);
    for (const callback of own) {
      const body = JSON.stringify(callback.body);
      if (callback.state !== 'delivered') problems.push(`${id}: callback ${callback.id} is ${callback.state}`);
      else if (!answers.some((a) => a.body === body && a.status === 200)) problems.push(`${id}: callback ${callback.id} delivered, but the receiver never accepted it`);
      callbacks.push(callback);
    }
  }
  t.same(problems, [], `each of the ${accepted.size} accepted payments is stored after the restart, each of its callbacks delivered and accepted`);
  const pending = ['scheduled', 'queued', 'failed'].map((state) => `/_sandbox/callbacks?state=${state}&limit=1000`);
  for (const url of pending) t.same((await call(second.baseUrl, url)).json.callbacks, [], `${url}: every committed callback was delivered`);

  // Each callback against what the receiver saw of it: the recorded attempts are the receiver's answers, in
  // order, but for at most one answer of the first process that its kill cut off before it was recorded.
  const all = (await call(second.baseUrl, '/_sandbox/callbacks?limit=1000')).json.callbacks as LoggedCallback[];
  t.ok(all.length < 1000, `${all.length} callbacks in the log, all of them read`);
  const bodies = all.map((c) => JSON.stringify(c.body));
  t.equal(new Set(bodies).size, bodies.length, 'no callback is stored twice');
  let cutOff = 0;
  let acceptedTwice = 0;
  const mismatches: string[] = [];
  for (const callback of atLeast(t, all, accepted.size, 'callbacks in the log')) {
    const body = JSON.stringify(callback.body);
    const seen = answers.filter((a) => a.body === body);
    const recorded = callback.attempts.map((a) => a.http_status);
    const statuses = seen.map((a) => a.status);
    if (JSON.stringify(recorded) === JSON.stringify(statuses)) {
      if (statuses.filter((s) => s === 200).length !== 1) mismatches.push(`callback ${callback.id}: accepted ${statuses.filter((s) => s === 200).length} times, every answer recorded`);
      continue;
    }
    // The one answer not recorded must be the first process's last answer: the one in flight at the kill.
    const lastOfFirst = seen.map((a) => a.run).lastIndexOf(1);
    const withoutIt = statuses.filter((_, index) => index !== lastOfFirst);
    if (lastOfFirst === -1 || JSON.stringify(recorded) !== JSON.stringify(withoutIt)) {
      mismatches.push(`callback ${callback.id}: recorded ${JSON.stringify(recorded)}, the receiver answered ${JSON.stringify(seen.map((a) => `${a.status}@${a.run}`))}`);
      continue;
    }
    cutOff++;
    const twice = statuses.filter((s) => s === 200).length === 2;
    if (twice) acceptedTwice++;
    if (statuses.filter((s) => s === 200).length !== (statuses[lastOfFirst] === 200 ? 2 : 1)) mismatches.push(`callback ${callback.id}: accepted ${statuses.filter((s) => s === 200).length} times with one answer cut off`);
  }
  t.same(mismatches, [], 'each callback\'s recorded attempts are the receiver\'s answers, but for at most one cut off at the kill');
  t.ok(cutOff <= MAX_IN_FLIGHT, `${cutOff} answer(s) cut off at the kill, ${acceptedTwice} of them acceptances, so accepted twice: at most the ${MAX_IN_FLIGHT} deliveries in flight`);
  everyOf(t, answers.filter((a) => a.status === 200), 1, (a) => bodies.includes(a.body), 'every body the receiver accepted is a callback in the log');

  // Stored payments: the accepted ones, plus at most those whose request was in flight at the kill.
  const csv = await fetch(`${second.baseUrl}/dashboard/payments/export.csv?q=load-`);
  const stored = (parse(await csv.text(), { columns: true }) as Array<{ payment_id: string }>).map((row) => row.payment_id);
  t.equal(new Set(stored).size, stored.length, 'no payment is stored twice');
  t.same([...accepted].filter((id) => !stored.includes(id)), [], 'every accepted payment is stored');
  t.same(stored.filter((id) => !accepted.has(id) && !unanswered.has(id)), [], `the others stored (${stored.length - accepted.size}) are requests that were in flight at the kill`);
  await killHard(second.child);
});
