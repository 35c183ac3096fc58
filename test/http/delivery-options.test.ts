import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildTestSandbox, flush, PROJECT_ID, tempDir } from '../helpers/sandbox.js';
import { startReceiver } from '../helpers/receiver.js';
import { post, saleBody, SdkCallback, signed } from '../helpers/gate-client.js';
import { loadConfig } from '../../src/config.js';
import { matchCounted } from '../helpers/promises.js';

const SHOP_SECRET = 'delivery-secret';

async function createProject(app: FastifyInstance, projectId: number, callbackUrl: string, callbacks: Record<string, unknown>) {
  const response = await app.inject({ method: 'POST', url: '/_sandbox/projects', payload: { project_id: projectId, secret_key: SHOP_SECRET, callback_url: callbackUrl, callbacks } });
  return { status: response.statusCode, body: response.json() as Record<string, any> };
}

function saleOf(app: FastifyInstance, projectId: number, paymentId: string, headers: Record<string, string> = {}) {
  const body = signed(saleBody(paymentId, { general: { project_id: projectId, payment_id: paymentId } }), SHOP_SECRET);
  return app.inject({ method: 'POST', url: '/v2/payment/wallet/paymaya/sale', payload: body, headers });
}

async function report(app: FastifyInstance, projectId: number, paymentId: string) {
  return (await app.inject({ url: `/_sandbox/payments/${projectId}/${paymentId}` })).json() as Record<string, any>;
}

t.test('with callbacks.order "any" a final callback overtakes the redirect callback still being retried; each verifies with the SDK', async (t) => {
  const { app } = await buildTestSandbox(t);
  const receiver = await startReceiver(t, [500]);
  const created = await createProject(app, 901, receiver.url, { order: 'any' });
  t.equal(created.status, 201);
  t.same(created.body.callbacks, { order: 'any', repeat_redirect: 1 });
  t.equal((await saleOf(app, 901, 'any-1')).statusCode, 200);
  await flush(app);
  await app.inject({ method: 'POST', url: '/_sandbox/payments/901/any-1/complete', payload: { status: 'success' } });
  const during = await report(app, 901, 'any-1');
  t.same(during.callbacks.map((c: { state: string }) => c.state), ['scheduled', 'delivered'], 'the final callback did not queue');
  await flush(app, 30);
  const seen = receiver.received.map((r) => (new SdkCallback(SHOP_SECRET, r.body).callback as Record<string, any>).payment.status);
  t.same(seen, ['awaiting redirect result', 'success', 'awaiting redirect result'], 'refused once, the redirect callback comes again after the final one');
  t.same((await report(app, 901, 'any-1')).callbacks.map((c: { state: string }) => c.state), ['delivered', 'delivered']);
  t.same((await report(app, 901, 'any-1')).payment.delivery, { order: 'any', repeat_redirect: 1 });
});

t.test('callbacks.repeat_redirect 3 sends the same signed redirect callback 3 times, 10 s apart, and the final one after them', async (t) => {
  const { app } = await buildTestSandbox(t);
  const receiver = await startReceiver(t);
  t.equal((await createProject(app, 902, receiver.url, { repeat_redirect: 3 })).status, 201);
  await saleOf(app, 902, 'rep-1');
  await app.inject({ method: 'POST', url: '/_sandbox/payments/902/rep-1/complete', payload: { status: 'decline', code: '20000' } });
  t.same((await report(app, 902, 'rep-1')).callbacks.map((c: { kind: string; state: string }) => `${c.kind} ${c.state}`), [
    'prescriptive delivered', 'prescriptive scheduled', 'prescriptive queued', 'final queued',
  ], 'the next repeat waits for its time; the rest queue behind it');
  await flush(app, 60);
  const callbacks = receiver.received.map((r) => new SdkCallback(SHOP_SECRET, r.body).callback as Record<string, any>);
  t.same(callbacks.map((c) => c.payment.status), ['awaiting redirect result', 'awaiting redirect result', 'awaiting redirect result', 'decline']);
  t.equal(new Set(receiver.received.slice(0, 3).map((r) => r.body)).size, 1, 'byte for byte the same redirect callback');
  const done = (await report(app, 902, 'rep-1')).callbacks;
  const firstAttempts = done.map((c: { attempts: Array<{ at: string }> }) => Date.parse(c.attempts[0]!.at));
  t.same(firstAttempts.map((at: number) => (at - firstAttempts[0]) / 1000), [0, 10, 20, 20], 'repeats 10 s apart; the final right after the last one');
});

t.test('a scenario\'s delivery options win over the project\'s, option by option', async (t) => {
  const { app } = await buildTestSandbox(t);
  const receiver = await startReceiver(t);
  await createProject(app, 903, receiver.url, { order: 'any', repeat_redirect: 4 });
  await saleOf(app, 903, 'mix-1', { 'x-sandbox-scenario': 'redirect-twice' });
  await saleOf(app, 903, 'mix-2');
  t.same((await report(app, 903, 'mix-1')).payment.delivery, { order: 'any', repeat_redirect: 2 });
  t.same((await report(app, 903, 'mix-2')).payment.delivery, { order: 'any', repeat_redirect: 4 });
  const projects = (await app.inject({ url: '/_sandbox/projects' })).json() as { projects: Array<Record<string, any>> };
  t.same(projects.projects.find((p) => p.project_id === 903)?.callbacks, { order: 'any', repeat_redirect: 4 });
  t.same(projects.projects.find((p) => p.project_id === PROJECT_ID)?.callbacks, { order: 'strict', repeat_redirect: 1 }, 'the defaults');
});

t.test('POST /_sandbox/projects refuses bad delivery options, naming the field', async (t) => {
  const { app } = await buildTestSandbox(t);
  for (const [callbacks, field] of [
    [{ order: 'random' }, 'callbacks.order'],
    [{ repeat_redirect: 0 }, 'callbacks.repeat_redirect'],
    [{ repeat_redirect: 11 }, 'callbacks.repeat_redirect'],
    [{ repeat_redirect: 2.5 }, 'callbacks.repeat_redirect'],
    [{ shuffle: true }, 'callbacks.shuffle'],
    ['any', 'callbacks'],
  ] as const) {
    const response = await post(app, '/_sandbox/projects', { secret_key: 's', callbacks });
    t.equal(response.status, 400, JSON.stringify(callbacks));
    matchCounted(t, response.body, { status: 'error', code: '2004', errors: [{ field }] }, JSON.stringify(callbacks));
  }
});

t.test('the config file takes projects[].callbacks, and a bad value stops the start naming the key', async (t) => {
  const dir = tempDir(t);
  const write = (content: unknown) => {
    const path = join(dir, `config-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(path, JSON.stringify(content));
    return path;
  };
  const good = loadConfig({ SANDBOX_CONFIG: write({ projects: [{ project_id: 7, secret_key: 's', callbacks: { order: 'any', repeat_redirect: 2 } }] }) });
  t.same(good.projects[0]?.callbacks, { order: 'any', repeat_redirect: 2 });
  t.throws(() => loadConfig({ SANDBOX_CONFIG: write({ projects: [{ project_id: 7, secret_key: 's', callbacks: { order: 'later' } }] }) }), { message: /"projects\.0\.callbacks\.order" must be equal to one of the allowed values/ });
  t.throws(() => loadConfig({ SANDBOX_CONFIG: write({ projects: [{ project_id: 7, secret_key: 's', callbacks: { repeat_redirect: 0 } }] }) }), { message: /"projects\.0\.callbacks\.repeat_redirect" must be >= 1/ });
  t.throws(() => loadConfig({ SANDBOX_CONFIG: write({ projects: [{ project_id: 7, secret_key: 's', callbacks: { shuffle: 1 } }] }) }), { message: /unknown key "projects\.0\.callbacks\.shuffle"/ });

  const receiver = await startReceiver(t);
  const { app } = await buildTestSandbox(t, { config: { projects: [{ project_id: 8, secret_key: SHOP_SECRET, callback_url: receiver.url, callbacks: { order: 'any', repeat_redirect: 2 } }] } });
  await saleOf(app, 8, 'cfg-1');
  t.same((await report(app, 8, 'cfg-1')).payment.delivery, { order: 'any', repeat_redirect: 2 }, 'a configured project\'s payments use its options');
  await flush(app, 20);
  t.equal(receiver.received.length, 2, 'the redirect callback twice');
});

t.test('in strict order a queued callback still waits out callback.delay once the one before it is delivered', async (t) => {
  const { app } = await buildTestSandbox(t);
  const receiver = await startReceiver(t, [500]);
  const body = signed(saleBody('late-1', { general: { project_id: PROJECT_ID, payment_id: 'late-1', merchant_callback_url: receiver.url }, callback: { delay: 30 } }));
  t.equal((await post(app, '/v2/payment/wallet/paymaya/sale', body)).status, 200);
  await flush(app, 35);
  await app.inject({ method: 'POST', url: `/_sandbox/payments/${PROJECT_ID}/late-1/complete`, payload: { status: 'success' } });
  await flush(app, 60);
  const [redirect, final] = (await report(app, PROJECT_ID, 'late-1')).callbacks;
  const start = Date.parse(redirect.created_at);
  t.same(redirect.attempts.map((a: { at: string }) => (Date.parse(a.at) - start) / 1000), [30, 40], 'the redirect callback after 30 s, again 10 s later');
  t.same(final.attempts.map((a: { at: string }) => (Date.parse(a.at) - start) / 1000), [65], 'the final one 30 s after it was made, not at once');
});
