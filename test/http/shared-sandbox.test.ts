import t from 'tap';
import type { FastifyInstance } from 'fastify';
import { buildTestSandbox } from '../helpers/sandbox.js';
import { startReceiver, type Receiver } from '../helpers/receiver.js';
import { post, saleBody, SdkCallback, signed } from '../helpers/gate-client.js';
import { DashboardClient } from '../helpers/dashboard-client.js';
import { atLeast, matchCounted } from '../helpers/promises.js';

const ADMIN = 'admin-token-for-the-shared-sandbox';
const DAY = 24 * 3600;

interface Pipeline { projectId: number; secret: string; token: string }

function as(token: string | undefined): Record<string, string> {
  return token === undefined ? {} : { authorization: `Bearer ${token}` };
}

async function control(app: FastifyInstance, token: string | undefined, method: 'GET' | 'POST', url: string, payload?: object) {
  const response = await app.inject({ method, url, headers: as(token), ...(payload === undefined ? {} : { payload }) });
  return { status: response.statusCode, json: response.json() as Record<string, any> };
}

/** A pipeline creates its own project (no token needed) and keeps the control token it is given once. */
async function pipeline(app: FastifyInstance, projectId: number, receiver: Receiver): Promise<Pipeline> {
  const secret = `secret-${projectId}`;
  const created = await control(app, undefined, 'POST', '/_sandbox/projects', { project_id: projectId, secret_key: secret, callback_url: receiver.url });
  if (created.status !== 201) throw new Error(JSON.stringify(created.json));
  return { projectId, secret, token: created.json.control_token as string };
}

async function saleIn(app: FastifyInstance, p: Pipeline, paymentId: string) {
  return post(app, '/v2/payment/wallet/paymaya/sale', signed(saleBody(paymentId, { general: { project_id: p.projectId, payment_id: paymentId } }), p.secret));
}

t.test('two pipelines with their own tokens and clocks run the limit-time decline at the same time without touching each other', async (t) => {
  const { app } = await buildTestSandbox(t, { config: { adminToken: ADMIN } });
  const receiver = await startReceiver(t);
  const [a, b] = [await pipeline(app, 3001, receiver), await pipeline(app, 3002, receiver)];
  t.match(a.token, /^sbx_[A-Za-z0-9_-]{32}$/, 'each project gets a control token');
  t.not(a.token, b.token);
  await saleIn(app, a, 'order-1');
  await saleIn(app, b, 'order-1');
  const [doneA, stepB] = await Promise.all([
    control(app, a.token, 'POST', '/_sandbox/clock/advance', { seconds: DAY }),
    control(app, b.token, 'POST', '/_sandbox/clock/advance', { seconds: 3600 }),
  ]);
  t.match(doneA.json, { project_id: 3001, now: '2026-01-02T00:00:00.000Z' }, 'a project token moves its own clock');
  t.match(stepB.json, { project_id: 3002, now: '2026-01-01T01:00:00.000Z' });
  matchCounted(t, (await control(app, a.token, 'GET', '/_sandbox/payments/3001/order-1')).json, { payment: { status: 'decline' }, operations: [{ code: '20602' }] });
  t.match((await control(app, b.token, 'GET', '/_sandbox/payments/3002/order-1')).json, { payment: { status: 'awaiting redirect result' } }, 'B\'s payment of the same id waits on');
  const declines = receiver.received.filter((r) => (r.json.payment as { status: string }).status === 'decline');
  t.same(declines.map((r) => r.json.project_id), [3001], 'only A\'s limit-time decline went out');
  t.ok(new SdkCallback(a.secret, declines[0]!.body), 'signed with A\'s secret');
  t.equal((await control(app, b.token, 'POST', '/_sandbox/clock/advance', { seconds: DAY })).status, 200);
  t.match((await control(app, b.token, 'GET', '/_sandbox/payments/3002/order-1')).json, { payment: { status: 'decline', updated_at: '2026-01-02T00:00:00.000Z' } }, 'then B\'s, at its own limit time');
  t.equal((await control(app, b.token, 'GET', '/_sandbox/clock')).json.now, '2026-01-02T01:00:00.000Z');
  t.equal((await control(app, a.token, 'GET', '/_sandbox/clock')).json.now, '2026-01-02T00:00:00.000Z', 'A\'s clock stayed where A put it');
});

t.test('a project token sees and changes its own project only: every attempt on another is refused', async (t) => {
  const { app } = await buildTestSandbox(t, { config: { adminToken: ADMIN } });
  const receiver = await startReceiver(t);
  const [a, b] = [await pipeline(app, 3101, receiver), await pipeline(app, 3102, receiver)];
  await saleIn(app, b, 'theirs-1');
  await control(app, ADMIN, 'POST', '/_sandbox/clock/advance', { seconds: 0 });
  const theirCallback = (await control(app, b.token, 'GET', '/_sandbox/callbacks')).json.callbacks[0].id as number;
  // The kit's callbacks break the contract on purpose (unsigned, wrong secret, …): they go to a receiver of their own.
  const kit = await startReceiver(t, [], { contract: false });
  const theirRun = await control(app, ADMIN, 'POST', '/_sandbox/conformance', { project_id: 3102, callback_url: kit.url });
  const forbidden: Array<[string, 'GET' | 'POST', string, object?]> = [
    ['read a payment', 'GET', '/_sandbox/payments/3102/theirs-1'],
    ['force an outcome', 'POST', '/_sandbox/payments/3102/theirs-1/complete', { status: 'success' }],
    ['replay a callback', 'POST', `/_sandbox/callbacks/${theirCallback}/replay`],
    ['reset the project', 'POST', '/_sandbox/reset', { project_id: 3102 }],
    ['move the clock', 'POST', '/_sandbox/clock/advance', { seconds: 60, project_id: 3102 }],
    ['set the clock', 'POST', '/_sandbox/clock', { to: '2026-02-01T00:00:00Z', project_id: 3102 }],
    ['read the clock', 'GET', '/_sandbox/clock?project_id=3102'],
    ['run the conformance kit', 'POST', '/_sandbox/conformance', { project_id: 3102 }],
    ['read a conformance report', 'GET', `/_sandbox/conformance/${theirRun.json.id}`],
  ];
  for (const [what, method, url, payload] of forbidden) {
    const answer = await control(app, a.token, method, url, payload);
    t.equal(answer.status, 403, what);
    matchCounted(t, answer.json, { status: 'error', code: '303', errors: [{ message: /This token is for project 3101, not project 3102/ }] }, what);
  }
  for (const list of ['callbacks', 'inbox', 'mail', 'conformance', 'audit']) {
    const answer = await control(app, a.token, 'GET', `/_sandbox/${list}?project_id=3102`);
    t.equal(answer.status, 404, `${list} of another project: as if it did not exist`);
    matchCounted(t, answer.json, { code: '2442', errors: [{ field: 'project_id', message: 'No project 3102' }] }, list);
  }
  t.same((await control(app, a.token, 'GET', '/_sandbox/callbacks')).json.callbacks, [], 'a list without a project shows its own only');
  t.same((await control(app, a.token, 'GET', '/_sandbox/projects')).json.projects.map((p: { project_id: number }) => p.project_id), [3101]);
  t.match((await control(app, b.token, 'GET', '/_sandbox/payments/3102/theirs-1')).json, { payment: { status: 'awaiting redirect result' } }, 'B\'s payment is untouched');
  t.equal((await control(app, b.token, 'GET', '/_sandbox/clock')).json.now, '2026-01-01T00:00:00.000Z', 'B\'s clock is untouched');
  t.equal((await control(app, a.token, 'POST', '/_sandbox/reset', {})).json.reset, 3101, 'a reset with a project token resets its own project');
  t.equal((await control(app, b.token, 'GET', '/_sandbox/callbacks')).json.callbacks.length, 1, 'B kept its callback');
  t.equal((await control(app, ADMIN, 'GET', '/_sandbox/callbacks?project_id=3102')).json.callbacks.length, 1, 'the admin token sees every project');
  t.equal((await control(app, ADMIN, 'GET', '/_sandbox/projects')).json.projects.length, 3);
  for (const [token, why] of [[undefined, 'no token'], ['sbx_not-a-token', 'a token of no project']] as const) {
    const answer = await control(app, token, 'GET', '/_sandbox/callbacks');
    t.equal(answer.status, 401, why);
    matchCounted(t, answer.json, { code: '303', errors: [{ field: 'authorization' }] }, why);
  }
  t.equal((await control(app, undefined, 'GET', '/_sandbox/health')).status, 200, 'health stays open');
});

t.test('the audit log records who did what and when, each project seeing its own entries', async (t) => {
  const { app } = await buildTestSandbox(t, { config: { adminToken: ADMIN } });
  const receiver = await startReceiver(t);
  const [a, b] = [await pipeline(app, 3201, receiver), await pipeline(app, 3202, receiver)];
  await saleIn(app, a, 'audit-1');
  await control(app, a.token, 'POST', '/_sandbox/payments/3201/audit-1/complete', { status: 'decline', code: '20000' });
  await control(app, b.token, 'POST', '/_sandbox/clock/advance', { seconds: 60 });
  await control(app, ADMIN, 'POST', '/_sandbox/reset', { project_id: 3202 });
  const own = (await control(app, a.token, 'GET', '/_sandbox/audit')).json.audit as Array<Record<string, any>>;
  t.same(own.map((e) => [e.actor, e.action, e.project_id]), [['project:3201', 'payment.complete', 3201], ['anonymous', 'project.create', 3201]]);
  t.match(own[0], { details: { payment_id: 'audit-1', status: 'decline', code: '20000' }, at: /^\d{4}-\d\d-\d\dT/ });
  const all = (await control(app, ADMIN, 'GET', '/_sandbox/audit')).json.audit as Array<Record<string, any>>;
  t.same(all.slice(0, 2).map((e) => [e.actor, e.action, e.project_id]), [['admin', 'reset', 3202], ['project:3202', 'clock.advance', 3202]]);
  t.notOk(JSON.stringify(all).includes(a.token), 'no token is written in the log');
});

t.test('without an admin token everything stays open, and a project token still keeps to its project', async (t) => {
  const { app } = await buildTestSandbox(t);
  const receiver = await startReceiver(t);
  const [a] = [await pipeline(app, 3301, receiver), await pipeline(app, 3302, receiver)];
  t.equal((await control(app, undefined, 'GET', '/_sandbox/callbacks?project_id=3302')).status, 200, 'no token: open, for local use');
  t.equal((await control(app, a.token, 'GET', '/_sandbox/callbacks?project_id=3302')).status, 404);
});

t.test('quotas: requests per second and stored payments answer in the surface\'s format, and nothing accepted is lost', async (t) => {
  const { app } = await buildTestSandbox(t, { config: { adminToken: ADMIN } });
  const receiver = await startReceiver(t);
  const limitedProject = async (projectId: number, quotas: object): Promise<Pipeline> => {
    const created = await control(app, ADMIN, 'POST', '/_sandbox/projects', { project_id: projectId, secret_key: `secret-${projectId}`, callback_url: receiver.url, quotas });
    t.same(created.json.quotas, quotas);
    return { projectId, secret: `secret-${projectId}`, token: created.json.control_token };
  };
  const p = await limitedProject(3401, { requests_per_second: 1 });
  const burst = await Promise.all(Array.from({ length: 5 }, (_, n) => saleIn(app, p, `burst-${n}`)));
  const answers = burst.map((answer, n) => ({ ...answer, id: `burst-${n}` }));
  const limited = answers.filter((r) => r.status === 429);
  const accepted = answers.filter((r) => r.status === 200);
  t.equal(limited.length + accepted.length, 5, `each of the 5 requests at once was limited (${limited.length}) or accepted (${accepted.length})`);
  for (const answer of atLeast(t, limited, 1, 'requests over 1 per second')) {
    matchCounted(t, answer.body, { status: 'error', code: '601', message: 'Try again', errors: [{ field: 'general.project_id', message: /may make 1 requests per second/ }] });
    t.equal((await control(app, ADMIN, 'GET', `/_sandbox/payments/3401/${answer.id}`)).status, 404, `${answer.id}, limited, was not stored`);
  }
  for (const answer of atLeast(t, accepted, 1, 'requests accepted')) {
    t.equal(answer.body.payment_id, answer.id);
    t.equal((await control(app, ADMIN, 'GET', `/_sandbox/payments/3401/${answer.id}`)).status, 200, `${answer.id} was kept`);
  }
  const q = await limitedProject(3403, { stored_payments: 2 });
  t.same([(await saleIn(app, q, 'store-1')).status, (await saleIn(app, q, 'store-2')).status], [200, 200]);
  const full = await saleIn(app, q, 'store-3');
  t.equal(full.status, 403, 'once 2 payments are stored, the next is refused');
  matchCounted(t, full.body, { code: '310', message: 'This operation is not allowed by project settings', errors: [{ field: 'general.project_id', message: /may store 2 payments; reset it to make room/ }] });
  t.equal((await control(app, q.token, 'GET', '/_sandbox/payments/3403/store-3')).status, 404, 'the refused one was not stored');
  t.equal((await control(app, q.token, 'GET', '/_sandbox/payments/3403/store-2')).status, 200, 'the accepted ones were');
  await control(app, q.token, 'POST', '/_sandbox/reset', {});
  t.equal((await saleIn(app, q, 'store-3')).status, 200, 'a reset makes room');
  const fresh = await pipeline(app, 3402, receiver);
  t.same((await control(app, ADMIN, 'GET', '/_sandbox/projects')).json.projects.find((x: { project_id: number }) => x.project_id === fresh.projectId).quotas, {}, 'without defaults a project has no quotas');
});

t.test('default quotas bound what a self-service project may ask for; the admin may give more', async (t) => {
  const { app } = await buildTestSandbox(t, { config: { adminToken: ADMIN }, env: { SANDBOX_QUOTA_STORED_PAYMENTS: '5', SANDBOX_QUOTA_REQUESTS_PER_SECOND: '50' } });
  const create = async (token: string | undefined, projectId: number, quotas?: object) =>
    (await control(app, token, 'POST', '/_sandbox/projects', { project_id: projectId, secret_key: 's', ...(quotas === undefined ? {} : { quotas }) })).json.quotas;
  t.same(await create(undefined, 3501), { stored_payments: 5, requests_per_second: 50 }, 'a project asking nothing gets the defaults');
  t.same(await create(undefined, 3502, { stored_payments: 100, requests_per_second: 10 }), { stored_payments: 5, requests_per_second: 10 }, 'less is granted, more is capped');
  t.same(await create(ADMIN, 3503, { stored_payments: 100 }), { stored_payments: 100, requests_per_second: 50 }, 'the admin may give more');
});

t.test('the dashboard, logged in with a project\'s token, shows and changes that project only', async (t) => {
  const { app } = await buildTestSandbox(t, { config: { adminToken: ADMIN } });
  const receiver = await startReceiver(t);
  const [a, b] = [await pipeline(app, 3601, receiver), await pipeline(app, 3602, receiver)];
  await saleIn(app, a, 'mine-1');
  await saleIn(app, b, 'theirs-1');
  const browser = new DashboardClient(app);
  await browser.get('/dashboard/login');
  t.equal((await browser.post('/dashboard/login', { token: 'sbx_nobody' })).statusCode, 401, 'a token of no project is refused');
  t.equal((await browser.post('/dashboard/login', { token: a.token })).statusCode, 303);
  const list = await browser.get('/dashboard/payments');
  t.match(list.body, /mine-1/);
  t.notMatch(list.body, /theirs-1/, 'the other project\'s payments are not listed');
  t.match(list.body, /Logged in as project 3601/, 'the pages say whose they are');
  t.equal((await browser.get('/dashboard/payments?project_id=3602')).statusCode, 404, 'asking for the other project\'s list: as if it did not exist');
  t.equal((await browser.get('/dashboard/payments/3602/theirs-1')).statusCode, 403);
  t.equal((await browser.post('/dashboard/payments/3602/theirs-1/complete', { outcome: 'success' })).statusCode, 403);
  const csv = await browser.get('/dashboard/payments/export.csv');
  t.match(csv.body, /mine-1/);
  t.notMatch(csv.body, /theirs-1/, 'nor exported');
  t.notMatch((await browser.get('/dashboard/manual')).body, /value="3602"/, 'payouts are offered for the own project only');
  t.equal((await browser.post('/dashboard/clock/advance', { seconds: String(DAY), back: '/dashboard/payments' })).statusCode, 303);
  t.equal((await control(app, a.token, 'GET', '/_sandbox/clock')).json.now, '2026-01-02T00:00:00.000Z', 'the clock form moves the own project\'s clock');
  t.equal((await control(app, b.token, 'GET', '/_sandbox/clock')).json.now, '2026-01-01T00:00:00.000Z', 'and not the other\'s');
  const audit = await browser.get('/dashboard/audit');
  t.match(audit.body, /project:3601/);
  t.match(audit.body, /clock\.advance/);
  t.notMatch(audit.body, /3602/, 'the audit log shows the own project\'s entries');
  const admin = new DashboardClient(app);
  await admin.get('/dashboard/login');
  await admin.post('/dashboard/login', { token: ADMIN });
  const all = await admin.get('/dashboard/payments');
  t.match(all.body, /mine-1/);
  t.match(all.body, /theirs-1/, 'the admin sees every project');
});
