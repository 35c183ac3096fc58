import t from 'tap';
import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { startReceiver } from '../helpers/receiver.js';
import { buildTestSandbox, PROJECT_ID, SECRET, type TestSandbox } from '../helpers/sandbox.js';
import { sale } from '../helpers/gate-client.js';
import { spawnListen } from '../helpers/listen-cli.js';
import { freePort } from '../helpers/free-port.js';
import { backoffMs } from '../../src/listen/cli.js';
import { atLeast, everyOf, matchCounted } from '../helpers/promises.js';

const TOKEN = 'sbx_listen_test_445';
const OTHER_TOKEN = 'sbx_listen_test_446';
const ADMIN = 'admin-listen-test';

const sha256 = (text: string) => createHash('sha256').update(Buffer.from(text, 'utf8')).digest('hex');

/** A sandbox on a real port whose egress policy denies the receiver's port: only a listener can reach it. */
async function sandboxDenying(t: Parameters<typeof buildTestSandbox>[0], deniedPort: number): Promise<TestSandbox & { base: string }> {
  const built = await buildTestSandbox(t, {
    env: { SANDBOX_CALLBACK_DENY: `127.0.0.1:${deniedPort}`, SANDBOX_ADMIN_TOKEN: ADMIN },
    config: {
      projects: [
        { project_id: PROJECT_ID, secret_key: SECRET, name: 'Laptop shop', control_token: TOKEN },
        { project_id: 446, secret_key: 'other-secret', name: 'Another team', control_token: OTHER_TOKEN },
      ],
    },
  });
  await built.app.listen({ port: 0, host: '127.0.0.1' });
  return { ...built, base: `http://127.0.0.1:${(built.app.server.address() as AddressInfo).port}` };
}

const admin = { authorization: `Bearer ${ADMIN}` };

/** Runs what is due after `seconds` on the manual clock, as the admin, and waits for it. */
async function flush(app: TestSandbox['app'], seconds = 0): Promise<void> {
  const response = await app.inject({ method: 'POST', url: '/_sandbox/clock/advance', headers: admin, payload: { seconds } });
  if (response.statusCode !== 200) throw new Error(`advance failed: ${response.body}`);
}

async function callbacksOf(app: TestSandbox['app'], paymentId: string): Promise<Array<Record<string, any>>> {
  const response = await app.inject({ url: `/_sandbox/callbacks?project_id=${PROJECT_ID}&payment_id=${paymentId}`, headers: admin });
  return (response.json() as { callbacks: Array<Record<string, any>> }).callbacks;
}

t.test('callbacks reach a shop on a port the egress policy denies only through listen: byte for byte, query kept, answers recorded as attempts', async (t) => {
  const receiver = await startReceiver(t);
  const port = Number(new URL(receiver.url).port);
  const { app, sandbox, base, config } = await sandboxDenying(t, port);

  const direct = await sale(app, 'direct-1', { general: { project_id: PROJECT_ID, payment_id: 'direct-1', merchant_callback_url: receiver.url } });
  t.equal(direct.status, 400, 'the sandbox may not call the shop directly');
  matchCounted(t, direct.body, { code: '2004', errors: [{ field: 'general.merchant_callback_url' }] });

  const forwardTo = `${receiver.url}?source=sandbox&team=laptop`;
  const cli = spawnListen(t, ['--sandbox', base, '--token', TOKEN, '--forward-to', forwardTo]);
  const [ready] = await cli.when('ready');
  t.match(ready, { project_id: PROJECT_ID, forward_to: forwardTo }, 'the CLI says what it listens to');

  for (const id of ['lp-1', 'lp-2', 'lp-3']) t.equal((await sale(app, id)).status, 200);
  receiver.script = [500];
  await flush(app);
  await receiver.whenReceived(3);
  const printed = await cli.when('callback', 3);

  const sent = (await sandbox.callbacks.list({ projectId: PROJECT_ID, limit: 100, offset: 0 })).map((c) => sha256(c.body)).sort();
  t.same(receiver.received.map((r) => sha256(r.body)).sort(), sent, 'the SHA-256 of every body sent equals that of every body received');
  for (const received of atLeast(t, receiver.received, 3, 'callbacks received')) {
    t.equal(received.url, '/callback?source=sandbox&team=laptop', 'the query string of --forward-to is kept');
    t.equal(received.headers['content-type'], 'application/json');
    t.equal(received.headers['user-agent'], config.callbacks.userAgent, 'the sandbox\'s headers are forwarded');
  }
  const failed = receiver.received[0]?.json as { payment: { id: string } };
  everyOf(t, printed, 3, (e) => typeof e.payment_id === 'string' && typeof e.status === 'string' && typeof e.latency_ms === 'number' && typeof e.time === 'string',
    'each forward is printed with time, payment id, status and latency');
  t.same(printed.map((e) => e.http_status).sort(), [200, 200, 500], 'and the local answer');

  const [first] = await callbacksOf(app, failed.payment.id);
  t.match(first, { state: 'scheduled', attempts_made: 1 }, 'the shop\'s 500 is a failed attempt, retried on the ladder');
  t.match(first?.attempts[0], { http_status: 500, url: `sandbox:listen → ${forwardTo}`, response_excerpt: 'failing with 500' });
  t.type(first?.attempts[0].latency_ms, 'number');
  await flush(app, 10);
  await receiver.whenReceived(4);
  const [retried] = await callbacksOf(app, failed.payment.id);
  t.match(retried, { state: 'delivered', attempts_made: 2 });
  t.match(retried?.attempts[1], { http_status: 200, response_excerpt: 'OK' });
  t.equal(sha256(receiver.received[3]?.body ?? ''), sha256(receiver.received[0]?.body ?? ''), 'the retry is the same bytes');

  const status = await app.inject({ url: '/_sandbox/listen/status', headers: { authorization: `Bearer ${TOKEN}` } });
  t.same(status.json(), { project_id: PROJECT_ID, listened: true, listeners: 1 });
  cli.child.kill('SIGTERM');
  t.equal(await cli.exit, 0, 'SIGTERM stops it with exit code 0');
});

t.test('the CLI killed in the middle of a delivery: the attempt is logged, "no listener" while away, retried on the ladder after it reconnects', async (t) => {
  const receiver = await startReceiver(t);
  const { app, base } = await sandboxDenying(t, Number(new URL(receiver.url).port));
  const first = spawnListen(t, ['--sandbox', base, '--token', TOKEN, '--forward-to', receiver.url]);
  await first.when('ready');
  receiver.holding = true;
  t.equal((await sale(app, 'kill-1')).status, 200);
  const advancing = flush(app);
  await receiver.whenHeld(1);
  first.child.kill('SIGKILL');
  await advancing;
  let [callback] = await callbacksOf(app, 'kill-1');
  t.match(callback, { state: 'scheduled', attempts_made: 1 });
  t.match(callback?.attempts[0], { http_status: null, error: 'the listener disconnected before the shop answered' }, 'the interrupted attempt is logged');

  await flush(app, 10);
  [callback] = await callbacksOf(app, 'kill-1');
  t.match(callback?.attempts[1], { http_status: null, error: /^no listener/, url: 'sandbox:listen' }, 'with nobody listening, the attempt is "no listener"');
  t.equal(callback?.state, 'scheduled', 'and it stays on the ladder');

  receiver.holding = false;
  const second = spawnListen(t, ['--sandbox', base, '--token', TOKEN, '--forward-to', receiver.url]);
  await second.when('ready');
  await flush(app, 10);
  await receiver.whenReceived(1);
  [callback] = await callbacksOf(app, 'kill-1');
  t.match(callback, { state: 'delivered', attempts_made: 3 }, 'the developer who reconnects gets what is due');
  t.equal(sha256(receiver.received[0]?.body ?? ''), sha256(receiver.held[0]?.body ?? ''), 'the same bytes as the interrupted delivery');
  second.child.kill('SIGINT');
  t.equal(await second.exit, 0);
});

t.test('only a token of the project (or the admin token) listens, and a listener gets nothing of another project', async (t) => {
  const receiver = await startReceiver(t);
  const { app, base } = await sandboxDenying(t, Number(new URL(receiver.url).port));
  const listen = (token: string, query = '') => app.inject({ url: `/_sandbox/listen${query}`, headers: { authorization: `Bearer ${token}` } });
  t.equal((await listen(OTHER_TOKEN, `?project_id=${PROJECT_ID}`)).statusCode, 403, 'another project\'s token is refused');
  t.equal((await listen('sbx_nobody')).statusCode, 401, 'a token of nobody is refused');
  t.match((await app.inject({ url: '/_sandbox/listen' })).json(), { code: '303' }, 'no token is refused');
  matchCounted(t, (await listen(ADMIN)).json(), { code: '2004', errors: [{ field: 'project_id' }] }, 'the admin names the project');
  t.equal((await listen(ADMIN, '?project_id=999')).statusCode, 404);

  const refused = spawnListen(t, ['--sandbox', base, '--token', 'sbx_nobody', '--forward-to', receiver.url]);
  t.equal(await refused.exit, 3, 'the CLI exits 3 when the sandbox refuses its token');
  t.match(refused.stderr.join(''), /refused to let this token listen \(HTTP 401\)/);
  const usage = spawnListen(t, ['--sandbox', base, '--token', TOKEN]);
  t.equal(await usage.exit, 2, 'bad arguments exit 2');

  const cli = spawnListen(t, ['--sandbox', base, '--token', ADMIN, '--project-id', String(PROJECT_ID), '--forward-to', receiver.url]);
  await cli.when('ready');
  const other = await app.inject({
    method: 'POST', url: '/v2/payment/wallet/paymaya/sale',
    payload: (await import('../helpers/gate-client.js')).signed({ ...(await import('../helpers/gate-client.js')).saleBody('other-1'), general: { project_id: 446, payment_id: 'other-1' } }, 'other-secret'),
  });
  t.equal(other.statusCode, 200);
  t.equal((await sale(app, 'mine-1')).status, 200);
  await flush(app);
  await receiver.whenReceived(1);
  const printed = await cli.when('callback', 1);
  t.same(printed.map((e) => e.payment_id), ['mine-1'], 'the listener forwarded its project\'s callback only');
  t.same(receiver.received.map((r) => (r.json as { project_id: number }).project_id), [PROJECT_ID]);
  const inbox = await app.inject({ url: '/_sandbox/inbox?project_id=446', headers: admin });
  matchCounted(t, inbox.json(), { inbox: [{ payment_id: 'other-1' }] }, 'the other project\'s callback went where it goes');

  const [mine] = await callbacksOf(app, 'mine-1');
  const stolen = await app.inject({
    method: 'POST', url: '/_sandbox/listen/answers', headers: { authorization: `Bearer ${OTHER_TOKEN}` },
    payload: { project_id: PROJECT_ID, listener_id: 'x', handoff_id: 1, http_status: 200, latency_ms: 1 },
  });
  t.equal(stolen.statusCode, 403, 'another project cannot answer for this one');
  t.equal(mine?.state, 'delivered');

  const release = await app.inject({ method: 'POST', url: '/_sandbox/listen/release', headers: { authorization: `Bearer ${TOKEN}` }, payload: {} });
  t.match(release.json(), { project_id: PROJECT_ID, listened: false });
  t.equal((await sale(app, 'after-release')).status, 200);
  await flush(app);
  t.match((await callbacksOf(app, 'after-release'))[0], { state: 'delivered', url: 'sandbox:inbox' }, 'released, callbacks go where they went before');
  t.equal(receiver.received.length, 1);
});

t.test('--print-only prints each callback with its body and counts it as delivered, a replayed one too', async (t) => {
  const receiver = await startReceiver(t);
  const { app, base, sandbox } = await sandboxDenying(t, Number(new URL(receiver.url).port));
  const cli = spawnListen(t, ['--sandbox', base, '--print-only'], { ECOMMPAY_SANDBOX_TOKEN: TOKEN });
  await cli.when('ready');
  t.equal((await sale(app, 'print-1')).status, 200);
  await flush(app);
  const [printed] = await cli.when('callback', 1);
  const [sent] = await sandbox.callbacks.list({ projectId: PROJECT_ID, limit: 10, offset: 0 });
  t.equal(printed?.body, sent?.body, 'the body is printed as sent');
  t.equal(printed?.forwarded, false);
  matchCounted(t, (await callbacksOf(app, 'print-1'))[0], { state: 'delivered', attempts: [{ http_status: 200, url: 'sandbox:listen → print-only' }] });
  t.equal(receiver.received.length, 0, 'nothing was forwarded');

  const replay = await app.inject({ method: 'POST', url: `/_sandbox/callbacks/${String(sent?.id)}/replay`, headers: { authorization: `Bearer ${TOKEN}` } });
  t.equal(replay.statusCode, 200);
  await flush(app);
  const [, again] = await cli.when('callback', 2);
  t.equal(again?.body, sent?.body, 'the replay goes through the listener, the same bytes');
  t.not(again?.callback_id, printed?.callback_id, 'as a callback of its own');
  matchCounted(t, (await callbacksOf(app, 'print-1')).map((c) => c.attempts), [[{ url: 'sandbox:listen → print-only' }], [{ url: 'sandbox:listen → print-only' }]]);
  t.equal(receiver.received.length, 0);
});

t.test('with no sandbox to reach the CLI retries after 1, 2, 4, 8, 16, then every 30 s, connects once the sandbox is up, and exits 4 after --give-up-after', async (t) => {
  t.same([1, 2, 3, 4, 5, 6, 7].map(backoffMs), [1000, 2000, 4000, 8000, 16_000, 30_000, 30_000], 'the ladder of waits');
  const receiver = await startReceiver(t);
  const port = await freePort();
  const cli = spawnListen(t, ['--sandbox', `http://127.0.0.1:${port}`, '--token', TOKEN, '--forward-to', receiver.url]);
  const [first] = await cli.when('disconnected');
  t.match(first, { retry_in_ms: 1000, reason: /ECONNREFUSED|connect/ }, 'nothing listens yet: it waits 1 s');
  const built = await buildTestSandbox(t, {
    env: { SANDBOX_CALLBACK_DENY: `127.0.0.1:${new URL(receiver.url).port}` },
    config: { projects: [{ project_id: PROJECT_ID, secret_key: SECRET, name: 'Laptop shop', control_token: TOKEN }] },
  });
  await built.app.listen({ port, host: '127.0.0.1' });
  const [ready] = await cli.when('ready');
  t.match(ready, { project_id: PROJECT_ID, instance: built.sandbox.instanceId }, 'it connects once the sandbox is up');
  const waits = cli.events.filter((e) => e.event === 'disconnected').map((e) => e.retry_in_ms as number);
  t.same(waits, waits.map((_, i) => backoffMs(i + 1)), 'each wait before it followed the ladder');
  t.equal((await sale(built.app, 'after-reconnect')).status, 200);
  await built.app.inject({ method: 'POST', url: '/_sandbox/clock/advance', payload: { seconds: 0 } });
  const [forwarded] = await cli.when('callback');
  t.match(forwarded, { payment_id: 'after-reconnect', http_status: 200, forwarded: true });
  cli.child.kill('SIGTERM');
  t.equal(await cli.exit, 0);

  const nowhere = spawnListen(t, ['--sandbox', `http://127.0.0.1:${await freePort()}`, '--token', TOKEN, '--forward-to', receiver.url, '--give-up-after', '1']);
  t.equal(await nowhere.exit, 4, 'no connection for --give-up-after seconds: exit 4');
  t.same(nowhere.events.filter((e) => e.event === 'disconnected').map((e) => e.retry_in_ms as number), [1000, 2000], 'after trying again once, 1 s later');
  t.match(nowhere.stderr.join(''), /no connection to http:\/\/127\.0\.0\.1:\d+ for 1 s/);
});
