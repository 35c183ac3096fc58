import t from 'tap';
import type { AddressInfo } from 'node:net';
import { startReceiver } from '../helpers/receiver.js';
import { buildTestSandbox, freshPostgresDatabase, PROJECT_ID, SECRET } from '../helpers/sandbox.js';
import { saleBody, signed } from '../helpers/gate-client.js';
import { spawnListen } from '../helpers/listen-cli.js';
import { postgresSkipReason } from '../helpers/postgres-server.js';
import { everyOf } from '../helpers/promises.js';

const TOKEN = 'sbx_two_instances_445';
const COUNT = 500;

t.test('two listeners on two instances on PostgreSQL: 500 callbacks, each forwarded exactly once', { skip: postgresSkipReason }, async (t) => {
  const receiver = await startReceiver(t);
  const dbPath = await freshPostgresDatabase();
  const options = {
    dbPath,
    // What is measured is which listener takes each callback, not time-outs: on a busy machine an answer relayed
    // through two CLIs may take longer than the default 5 s, and a timed-out attempt is retried (as it should be).
    env: { SANDBOX_CALLBACK_DENY: `127.0.0.1:${new URL(receiver.url).port}`, SANDBOX_CALLBACK_TIMEOUT_MS: '60000' },
    config: { projects: [{ project_id: PROJECT_ID, secret_key: SECRET, name: 'Laptop shop', control_token: TOKEN }] },
  };
  const a = await buildTestSandbox(t, options);
  const b = await buildTestSandbox(t, options);
  const bases = [];
  for (const { app } of [a, b]) {
    await app.listen({ port: 0, host: '127.0.0.1' });
    bases.push(`http://127.0.0.1:${(app.server.address() as AddressInfo).port}`);
  }
  t.not(a.sandbox.instanceId, b.sandbox.instanceId);
  const listeners = bases.map((base) => spawnListen(t, ['--sandbox', base, '--token', TOKEN, '--forward-to', receiver.url]));
  const ready = await Promise.all(listeners.map(async (cli) => (await cli.when('ready', 1, 120_000))[0]));
  t.same(ready.map((r) => r?.instance), [a.sandbox.instanceId, b.sandbox.instanceId], 'one listener on each instance');

  // Payments made through both instances, a few at a time.
  for (let n = 0; n < COUNT; n += 25) {
    await Promise.all(Array.from({ length: 25 }, async (_, i) => {
      const app = (n + i) % 2 === 0 ? a.app : b.app;
      const response = await app.inject({ method: 'POST', url: '/v2/payment/wallet/paymaya/sale', payload: signed(saleBody(`many-${n + i}`)) });
      if (response.statusCode !== 200) throw new Error(response.body);
    }));
  }
  const advanced = await a.app.inject({ method: 'POST', url: '/_sandbox/clock/advance', payload: { seconds: 0 } });
  t.equal(advanced.statusCode, 200);
  await receiver.whenReceived(COUNT, 120_000);

  const callbacks = await a.sandbox.callbacks.list({ projectId: PROJECT_ID, limit: 1000, offset: 0 });
  t.equal(callbacks.length, COUNT);
  const astray = callbacks.filter((c) => c.state !== 'delivered' || c.attempts !== 1);
  const astrayAttempts = await Promise.all(astray.slice(0, 5).map(async (c) => ({ id: c.id, state: c.state, attempts: await a.sandbox.callbacks.attemptsOf(c.id) })));
  t.same(astrayAttempts, [], `every callback delivered at its first attempt (${astray.length} not)`);
  t.equal(receiver.received.length, COUNT, 'the shop received each callback once');
  t.equal(new Set(receiver.received.map((r) => (r.json.payment as { id: string }).id)).size, COUNT, 'one per payment');

  const forwarded = await Promise.all(listeners.map((cli) => cli.when('callback', 0)));
  const ids = forwarded.map((events) => events.map((e) => e.callback_id as number));
  t.equal(ids[0]!.length + ids[1]!.length, COUNT, 'the two listeners forwarded 500 in all');
  t.equal(new Set([...ids[0]!, ...ids[1]!]).size, COUNT, 'and no callback through both');
  t.ok(ids[0]!.length > 0 && ids[1]!.length > 0, `both listeners took part (${ids[0]!.length} and ${ids[1]!.length})`);
  const attempts = await Promise.all(callbacks.slice(0, 20).map((c) => a.sandbox.callbacks.attemptsOf(c.id)));
  everyOf(t, attempts, 20, (list) => list.length === 1 && list[0]!.url === `sandbox:listen → ${receiver.url}`, 'each attempt names the listener\'s target');
  for (const cli of listeners) cli.child.kill('SIGTERM');
  t.same(await Promise.all(listeners.map((cli) => cli.exit)), [0, 0]);
});
