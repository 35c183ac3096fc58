import t from 'tap';
import type { FastifyInstance } from 'fastify';
import { buildTestSandbox } from '../helpers/sandbox.js';
import { startReceiver, type Receiver } from '../helpers/receiver.js';
import { post, saleBody, signed } from '../helpers/gate-client.js';
import { matchCounted } from '../helpers/promises.js';

const DAY = 24 * 3600;
const START = '2026-01-01T00:00:00.000Z';

async function project(app: FastifyInstance, projectId: number, receiver: Receiver): Promise<void> {
  const created = await app.inject({ method: 'POST', url: '/_sandbox/projects', payload: { project_id: projectId, secret_key: `secret-${projectId}`, callback_url: receiver.url } });
  if (created.statusCode !== 201) throw new Error(created.body);
}

async function saleIn(app: FastifyInstance, projectId: number, paymentId: string) {
  return post(app, '/v2/payment/wallet/paymaya/sale', signed(saleBody(paymentId, { general: { project_id: projectId, payment_id: paymentId } }), `secret-${projectId}`));
}

async function clockOf(app: FastifyInstance, projectId?: number): Promise<Record<string, any>> {
  return (await app.inject({ url: `/_sandbox/clock${projectId === undefined ? '' : `?project_id=${projectId}`}` })).json();
}

async function statusOf(app: FastifyInstance, projectId: number, paymentId: string): Promise<Record<string, any>> {
  return (await app.inject({ url: `/_sandbox/payments/${projectId}/${paymentId}` })).json();
}

t.test('each project has its own manual clock: advancing one runs only its due work and leaves the other\'s time alone', async (t) => {
  const { app } = await buildTestSandbox(t);
  const receiver = await startReceiver(t);
  await project(app, 2001, receiver);
  await project(app, 2002, receiver);
  t.equal((await clockOf(app, 2001)).now, START, 'a new project starts at SANDBOX_CLOCK_START');
  await saleIn(app, 2001, 'a-1');
  await saleIn(app, 2002, 'b-1');
  const advanced = await app.inject({ method: 'POST', url: '/_sandbox/clock/advance', payload: { seconds: DAY, project_id: 2001 } });
  t.equal(advanced.statusCode, 200);
  t.match(advanced.json(), { project_id: 2001, now: '2026-01-02T00:00:00.000Z' });
  const a = await statusOf(app, 2001, 'a-1');
  matchCounted(t, a, { payment: { status: 'decline', updated_at: '2026-01-02T00:00:00.000Z' }, operations: [{ code: '20602' }] }, 'the limit time of project 2001 came, by its own clock');
  t.equal(a.callbacks[1].state, 'delivered', 'and its callback went out before the advance answered');
  const finals = receiver.received.filter((r) => (r.json.payment as { status: string }).status === 'decline');
  t.same(finals.map((r) => [r.json.project_id, (r.json.operation as { date: string }).date]), [[2001, '2026-01-02T00:00:00+0000']], 'the callback is dated by that project\'s clock');
  t.match(await statusOf(app, 2002, 'b-1'), { payment: { status: 'awaiting redirect result' } }, 'project 2002\'s payment waits on');
  t.equal((await clockOf(app, 2002)).now, START, 'project 2002\'s clock did not move');
  t.equal((await clockOf(app)).now, START, 'nor did the base time');
});

t.test('two projects advanced at the same moment each reach their own time; an advance with no project moves every clock', async (t) => {
  const { app } = await buildTestSandbox(t);
  const receiver = await startReceiver(t);
  await project(app, 2011, receiver);
  await project(app, 2012, receiver);
  await saleIn(app, 2011, 'p-1');
  await saleIn(app, 2012, 'q-1');
  const [first, second] = await Promise.all([
    app.inject({ method: 'POST', url: '/_sandbox/clock/advance', payload: { seconds: 3600, project_id: 2011 } }),
    app.inject({ method: 'POST', url: '/_sandbox/clock/advance', payload: { seconds: 2 * DAY, project_id: 2012 } }),
  ]);
  t.equal(first.json().now, '2026-01-01T01:00:00.000Z');
  t.equal(second.json().now, '2026-01-03T00:00:00.000Z');
  t.match(await statusOf(app, 2011, 'p-1'), { payment: { status: 'awaiting redirect result' } });
  t.match(await statusOf(app, 2012, 'q-1'), { payment: { status: 'decline' } });
  const all = await app.inject({ method: 'POST', url: '/_sandbox/clock/advance', payload: { seconds: DAY } });
  t.equal(all.json().now, '2026-01-02T00:00:00.000Z', 'the base time moved a day');
  t.equal((await clockOf(app, 2011)).now, '2026-01-02T01:00:00.000Z', 'each project moved a day from its own time');
  t.equal((await clockOf(app, 2012)).now, '2026-01-04T00:00:00.000Z');
  t.match(await statusOf(app, 2011, 'p-1'), { payment: { status: 'decline' } }, 'and its due work ran');
});

t.test('a clock of a project that does not exist is refused naming project_id', async (t) => {
  const { app } = await buildTestSandbox(t);
  for (const request of [
    { method: 'GET' as const, url: '/_sandbox/clock?project_id=99' },
    { method: 'POST' as const, url: '/_sandbox/clock/advance', payload: { seconds: 1, project_id: 99 } },
    { method: 'POST' as const, url: '/_sandbox/clock', payload: { to: '2026-02-01T00:00:00Z', project_id: 99 } },
  ]) {
    const response = await app.inject(request);
    t.equal(response.statusCode, 401, request.url);
    matchCounted(t, response.json(), { code: '2442', errors: [{ field: 'project_id' }] }, request.url);
  }
});
