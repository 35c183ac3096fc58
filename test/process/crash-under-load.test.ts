import t from 'tap';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { freshDatabase, tempDir, PROJECT_ID, SECRET } from '../helpers/sandbox.js';
import { payoutBody, saleBody, signed } from '../helpers/gate-client.js';
import { call, killHard, startChildSandbox } from '../helpers/child-sandbox.js';

const CONNECTIONS = 20;
const KILL_AFTER = 400;
/** The sandbox's default limit of deliveries in flight: the most attempts a kill can cut off before they are recorded. */
const MAX_IN_FLIGHT = 50;

t.test('kill -9 under load with a failing receiver: nothing accepted is lost, every callback is delivered in the end, no payment or callback is stored twice, and a callback is accepted twice only if its answer was in flight at the kill', async (t) => {
  const dir = tempDir(t);
  let received = 0;
  /** How many times the receiver answered 200 to each body. */
  const accepted200 = new Map<string, number>();
  // Every fifth delivery fails, as a flaky merchant would.
  const receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      received++;
      const ok = received % 5 !== 0;
      if (ok) accepted200.set(body, (accepted200.get(body) ?? 0) + 1);
      res.writeHead(ok ? 200 : 500).end();
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
  let next = 0;
  let stop = false;
  const worker = async () => {
    while (!stop) {
      const n = next++;
      const id = `load-${n}`;
      const kind = n % 3;
      const path = kind === 2 ? '/v2/payment/status' : `/v2/payment/wallet/paymaya/${kind === 0 ? 'sale' : 'payout'}`;
      const body = kind === 0 ? signed(saleBody(id, { customer })) : kind === 1 ? signed(payoutBody(id, { customer })) : signed({ general: { project_id: PROJECT_ID, payment_id: 'seed' } });
      try {
        const response = await request(`${first.baseUrl}${path}`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' }, dispatcher: agent });
        await response.body.text();
        if (response.statusCode !== 200) throw new Error(`${path} answered ${response.statusCode}`);
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

  const second = await startChildSandbox(t, env);
  for (let hour = 0; hour < 3; hour++) await call(second.baseUrl, '/_sandbox/clock/advance', { seconds: 3600 });
  let missing = 0;
  for (const id of accepted) {
    const report = await call(second.baseUrl, `/_sandbox/payments/${PROJECT_ID}/${id}`);
    if (report.status !== 200) missing++;
  }
  t.equal(missing, 0, 'every accepted payment is present after the restart');
  const pending = (await call(second.baseUrl, `/_sandbox/callbacks?state=scheduled&limit=1000`)).json.callbacks.length
    + (await call(second.baseUrl, `/_sandbox/callbacks?state=queued&limit=1000`)).json.callbacks.length
    + (await call(second.baseUrl, `/_sandbox/callbacks?state=failed&limit=1000`)).json.callbacks.length;
  t.equal(pending, 0, 'every committed callback was delivered');
  const delivered = (await call(second.baseUrl, `/_sandbox/callbacks?state=delivered&limit=1000`)).json.callbacks as Array<{ payment_id: string; kind: string; body: unknown }>;
  const acceptedCallbacks = delivered.filter((c) => accepted.has(c.payment_id));
  t.ok(acceptedCallbacks.length >= accepted.size, 'at least one delivered callback per accepted payment');
  const rows = delivered.map((c) => `${c.payment_id} ${c.kind} ${JSON.stringify(c.body)}`);
  t.equal(new Set(rows).size, rows.length, 'no callback is stored twice');
  const bodies = delivered.map((c) => JSON.stringify(c.body));
  t.ok(bodies.every((body) => (accepted200.get(body) ?? 0) >= 1), 'the receiver accepted every delivered callback');
  const twice = [...accepted200.values()].filter((n) => n > 1).length;
  t.ok(twice <= MAX_IN_FLIGHT, `${twice} callback(s) accepted twice: at most the ${MAX_IN_FLIGHT} whose answers could be in flight at the kill`);
  t.ok([...accepted200.values()].every((n) => n <= 2), 'none accepted more than twice');
  const page = await fetch(`${second.baseUrl}/dashboard/payments?q=load-`);
  const stored = Number(/(\d+) payment\(s\)/.exec(await page.text())?.[1]);
  t.ok(stored >= accepted.size && stored <= accepted.size + CONNECTIONS, `${stored} stored: the accepted ones plus at most the requests in flight at the kill`);
  await killHard(second.child);
});
