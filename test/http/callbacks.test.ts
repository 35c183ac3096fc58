import t from 'tap';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildTestSandbox, flush, PROJECT_ID, SECRET } from '../helpers/sandbox.js';
import { startReceiver } from '../helpers/receiver.js';
import { sale, SdkCallback } from '../helpers/gate-client.js';
import { nextAttemptAt } from '../../src/domain/callbacks/retry-policy.js';
import { matchCounted } from '../helpers/promises.js';

const general = (paymentId: string, url: string) => ({ general: { project_id: PROJECT_ID, payment_id: paymentId, merchant_callback_url: url } });

async function report(app: Awaited<ReturnType<typeof buildTestSandbox>>['app'], paymentId: string) {
  return (await app.inject({ url: `/_sandbox/payments/${PROJECT_ID}/${paymentId}` })).json() as Record<string, any>;
}

t.test('a receiver that answers 500 three times and then 200 gets exactly 4 attempts 10 s apart', async (t) => {
  const { app } = await buildTestSandbox(t);
  const receiver = await startReceiver(t, [500, 500, 500]);
  await sale(app, 'retry-1', general('retry-1', receiver.url));
  await flush(app, 60);
  t.equal(receiver.received.length, 4);
  const [callback] = (await report(app, 'retry-1')).callbacks;
  t.equal(callback.state, 'delivered');
  const times = callback.attempts.map((a: { at: string }) => Date.parse(a.at));
  t.same(times.slice(1).map((at: number, i: number) => (at - times[i]) / 1000), [10, 10, 10]);
  t.same(callback.attempts.map((a: { http_status: number }) => a.http_status), [500, 500, 500, 200]);
  t.equal(callback.attempts[0].response_excerpt, 'failing with 500');
  t.equal(new Set(receiver.received.map((r) => r.body)).size, 1, 'every attempt carries the same signed body');
});

t.test('a receiver that always fails gets 120 attempts on the documented schedule, then the callback is failed', async (t) => {
  const { app } = await buildTestSandbox(t);
  const receiver = await startReceiver(t, Array.from({ length: 200 }, () => 503));
  await sale(app, 'dead-1', general('dead-1', receiver.url));
  await flush(app, 12 * 24 * 3600);
  const [callback, final] = (await report(app, 'dead-1')).callbacks;
  t.equal(callback.attempts.length, 120);
  t.equal(callback.state, 'failed');
  t.equal(final.payment_id, 'dead-1', 'the automatic decline at the limit time queued behind it and was released after');
  t.equal(receiver.received.length, 120 + final.attempts.length);
  const times: number[] = callback.attempts.map((a: { at: string }) => Date.parse(a.at));
  const expected = [times[0]!];
  for (let made = 1; made < 120; made++) expected.push(nextAttemptAt(times[0]!, expected[made - 1]!, made)!);
  t.same(times, expected);
});

t.test('a later callback of a payment waits while an earlier one is still being retried', async (t) => {
  const { app } = await buildTestSandbox(t);
  const receiver = await startReceiver(t, [500, 500]);
  await sale(app, 'order-2', general('order-2', receiver.url));
  await flush(app);
  await app.inject({ method: 'POST', url: `/_sandbox/payments/${PROJECT_ID}/order-2/complete`, payload: { status: 'decline', code: '20000' } });
  let callbacks = (await report(app, 'order-2')).callbacks;
  t.same(callbacks.map((c: { state: string }) => c.state), ['scheduled', 'queued']);
  await flush(app, 30);
  const statuses = receiver.received.map((r) => (r.json.payment as { status: string }).status);
  t.same(statuses, ['awaiting redirect result', 'awaiting redirect result', 'awaiting redirect result', 'decline']);
  callbacks = (await report(app, 'order-2')).callbacks;
  t.same(callbacks.map((c: { state: string }) => c.state), ['delivered', 'delivered']);
});

t.test('a time-out and a refused connection count as failed attempts and are logged', async (t) => {
  const TIMEOUT_MS = 3_000;
  const hanging = createServer(() => {});
  await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => { hanging.closeAllConnections(); hanging.close(() => resolve()); }));
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const closedPort = (closed.address() as AddressInfo).port;
  await new Promise<void>((resolve) => closed.close(() => resolve()));

  // 3 s: a refused connection answers long before it even on a busy machine, so each attempt ends as itself.
  const { app } = await buildTestSandbox(t, { config: { callbacks: { timeoutMs: TIMEOUT_MS, userAgent: 'test', maxInFlight: 10 } } });
  await sale(app, 'slow-1', general('slow-1', `http://127.0.0.1:${(hanging.address() as AddressInfo).port}/cb`));
  await sale(app, 'gone-1', general('gone-1', `http://127.0.0.1:${closedPort}/cb`));
  await flush(app);
  const slow = (await report(app, 'slow-1')).callbacks[0];
  matchCounted(t, slow, { state: 'scheduled', attempts: [{ number: 1, http_status: null, error: 'timeout' }] });
  // The HTTP client's timers for waits over a second tick every half second, so one may end up to that early.
  t.ok(slow.attempts[0].latency_ms >= TIMEOUT_MS - 500, `waited for the time-out (${slow.attempts[0].latency_ms} ms of ${TIMEOUT_MS})`);
  const gone = (await report(app, 'gone-1')).callbacks[0];
  matchCounted(t, gone, { state: 'scheduled', attempts: [{ number: 1, http_status: null, error: /ECONNREFUSED/ }] });
  t.equal(Date.parse(gone.next_attempt_at) - Date.parse(gone.attempts[0].at), 10_000);
});

t.test('the delivery log lists callbacks by project, payment and state, and replay sends the same body again', async (t) => {
  const { app } = await buildTestSandbox(t);
  const receiver = await startReceiver(t);
  await sale(app, 'log-1', general('log-1', receiver.url));
  await sale(app, 'log-2', general('log-2', receiver.url));
  await flush(app);
  const all = (await app.inject({ url: `/_sandbox/callbacks?project_id=${PROJECT_ID}` })).json() as { callbacks: any[] };
  t.equal(all.callbacks.length, 2);
  const one = (await app.inject({ url: `/_sandbox/callbacks?payment_id=log-1&state=delivered` })).json() as { callbacks: any[] };
  t.equal(one.callbacks.length, 1);
  matchCounted(t, one.callbacks[0], { payment_id: 'log-1', state: 'delivered', attempts: [{ number: 1, http_status: 200, url: receiver.url }] });

  const replay = await app.inject({ method: 'POST', url: `/_sandbox/callbacks/${one.callbacks[0].id}/replay` });
  t.equal(replay.statusCode, 200);
  t.match(replay.json(), { callback: { kind: 'replay', replay_of: one.callbacks[0].id, state: 'delivered' } });
  t.equal(receiver.received.length, 3);
  t.equal(receiver.received[2]!.body, receiver.received.find((r) => (r.json.payment as { id: string }).id === 'log-1')!.body);
  t.ok(new SdkCallback(SECRET, receiver.received[2]!.body));
});

t.test('control API refusals answer in the error format', async (t) => {
  const { app } = await buildTestSandbox(t);
  const cases: Array<[string, string, unknown, number, string, string]> = [
    ['POST', '/_sandbox/clock/advance', { seconds: -1 }, 400, '2004', 'seconds'],
    ['POST', '/_sandbox/clock/advance', { seconds: 1, minutes: 1 }, 400, '2004', 'minutes'],
    ['POST', '/_sandbox/clock', { to: 'yesterday' }, 400, '2004', 'to'],
    ['POST', '/_sandbox/clock', { to: '2020-01-01T00:00:00Z' }, 400, '2004', 'to'],
    ['POST', '/_sandbox/callbacks/999/replay', undefined, 404, '3061', 'id'],
    ['POST', `/_sandbox/payments/${PROJECT_ID}/none/complete`, { status: 'success' }, 404, '3061', 'payment_id'],
    ['POST', `/_sandbox/payments/${PROJECT_ID}/none/complete`, { status: 'maybe' }, 400, '2004', 'status'],
    ['GET', '/_sandbox/callbacks?state=lost', undefined, 400, '2004', 'state'],
    ['GET', '/_sandbox/callbacks?limit=0', undefined, 400, '2004', 'limit'],
    ['POST', '/_sandbox/reset', { project_id: 'x' }, 400, '2004', 'project_id'],
    ['POST', '/_sandbox/projects', { name: 'no secret' }, 400, '2004', 'secret_key'],
  ];
  for (const [method, url, payload, status, code, field] of cases) {
    const response = await app.inject({ method: method as 'GET' | 'POST', url, ...(payload === undefined ? {} : { payload: payload as object }) });
    t.equal(response.statusCode, status, `${method} ${url}`);
    matchCounted(t, response.json(), { status: 'error', code, errors: [{ field }] }, `${method} ${url}`);
  }
  const malformed = await app.inject({ method: 'POST', url: '/_sandbox/clock/advance', payload: '{', headers: { 'content-type': 'application/json' } });
  t.match(malformed.json(), { status: 'error', code: '2003' });
});

t.test('forcing an outcome on a final payment is refused with 3060', async (t) => {
  const { app } = await buildTestSandbox(t);
  await sale(app, 'done-1');
  const first = await app.inject({ method: 'POST', url: `/_sandbox/payments/${PROJECT_ID}/done-1/complete`, payload: { status: 'success' } });
  t.equal(first.statusCode, 200);
  const second = await app.inject({ method: 'POST', url: `/_sandbox/payments/${PROJECT_ID}/done-1/complete`, payload: { status: 'decline' } });
  t.equal(second.statusCode, 400);
  t.match(second.json(), { code: '3060' });
});
