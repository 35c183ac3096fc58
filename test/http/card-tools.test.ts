// Capture, cancel and refund of card payments through the control API over real HTTP: the payment's report as
// the answer, the callbacks already delivered on the manual clock (each verified by the official SDK), an audit
// entry per action, every refusal in the control API's envelope naming the body's fields, and a project token
// kept to its own project's payments.
import t from 'tap';
import type { FastifyInstance } from 'fastify';
import { buildTestSandbox, PROJECT_ID, SECRET } from '../helpers/sandbox.js';
import { startReceiver } from '../helpers/receiver.js';
import { sale, SdkCallback } from '../helpers/gate-client.js';
import { cardPayment } from '../helpers/card-client.js';
import { DashboardClient } from '../helpers/dashboard-client.js';
import { matchCounted } from '../helpers/promises.js';

async function control(app: FastifyInstance, url: string, payload?: object, token?: string) {
  const response = await app.inject({ method: payload === undefined ? 'GET' : 'POST', url, ...(payload === undefined ? {} : { payload }), headers: token === undefined ? {} : { authorization: `Bearer ${token}` } });
  return { status: response.statusCode, json: response.json() as Record<string, any> };
}

const pay = (paymentId: string, action: string) => `/_sandbox/payments/${PROJECT_ID}/${paymentId}/${action}`;

t.test('a hold released in part, captured in part and refunded in part through the control API: each answer is the payment\'s report after its callback went out, and each writes an audit entry', async (t) => {
  const receiver = await startReceiver(t);
  const { app } = await buildTestSandbox(t);
  await cardPayment(app, 'hold-1', { first: 'auth', callbackUrl: receiver.url });

  const cancel = await control(app, pay('hold-1', 'cancel'), { amount: 10000, currency: 'PHP' });
  t.equal(cancel.status, 200);
  t.match(cancel.json.payment, { status: 'awaiting capture', sum: { amount: 50000 }, card: { operation: 'auth', hold: 40000, debited: null } });
  t.equal(receiver.received.length, 2, 'the auth\'s callback and the cancel\'s are delivered before the answer');

  const capture = await control(app, pay('hold-1', 'capture'), { amount: 30000, currency: 'PHP' });
  t.match(capture.json.payment, { status: 'success', card: { hold: null, debited: 30000, refunded: 0, refundable: 30000 } });
  const refund = await control(app, pay('hold-1', 'refund'), { amount: 5000, currency: 'PHP', merchant_refund_id: 'refund-77' });
  t.match(refund.json.payment, { status: 'partially refunded', card: { debited: 30000, refunded: 5000, refundable: 25000 } });
  t.same(refund.json.operations.map((o: { type: string; status: string }) => `${o.type}:${o.status}`), ['auth:success', 'cancel:success', 'capture:success', 'refund:success']);

  const callbacks = receiver.received.map((r) => new SdkCallback(SECRET, r.body).callback as Record<string, any>);
  t.same(callbacks.map((c) => [c.operation.type, c.payment.status, c.payment.sum.amount]), [
    ['auth', 'awaiting capture', 50000], ['cancel', 'awaiting capture', 40000], ['capture', 'success', 30000], ['refund', 'partially refunded', 25000],
  ], 'every callback verified by the SDK, in order, with the sums the shop expects');
  t.equal(callbacks[3]!.payment.merchant_refund_id, 'refund-77');

  const whole = await cardPayment(app, 'hold-2', { first: 'auth', callbackUrl: receiver.url }).then(() => control(app, pay('hold-2', 'capture'), {}));
  t.match(whole.json.payment, { status: 'success', card: { debited: 50000 } }, 'no amount captures the whole hold');
  t.match((await control(app, pay('hold-2', 'refund'), { amount: 50000, currency: 'PHP' })).json.payment, { status: 'refunded', card: { refundable: 0 } });

  const audit = (await control(app, `/_sandbox/audit?project_id=${PROJECT_ID}`)).json.audit as Array<Record<string, any>>;
  const requestIds = refund.json.operations.map((o: { request_id: string }) => o.request_id);
  t.same(audit.filter((e) => e.details.payment_id === 'hold-1').reverse().map((e) => [e.actor, e.action, e.details]), [
    ['open', 'payment.cancel', { payment_id: 'hold-1', request_id: requestIds[1], amount: 10000, currency: 'PHP' }],
    ['open', 'payment.capture', { payment_id: 'hold-1', request_id: requestIds[2], amount: 30000, currency: 'PHP' }],
    ['open', 'payment.refund', { payment_id: 'hold-1', request_id: requestIds[3], amount: 5000, currency: 'PHP', merchant_refund_id: 'refund-77' }],
  ], 'who, what, the new operation\'s request id and the amounts');
  t.match(audit.find((e) => e.details.payment_id === 'hold-2' && e.action === 'payment.capture'), { details: { amount: 'whole hold' } });
});

t.test('what a card payment\'s status or amounts do not allow is refused in the control API\'s envelope with the platform\'s code, naming the body\'s field, and changes nothing', async (t) => {
  const { app } = await buildTestSandbox(t);
  await cardPayment(app, 'held', { first: 'auth' });
  await cardPayment(app, 'paid', { first: 'sale' });
  await control(app, pay('paid', 'refund'), { amount: 1000, currency: 'PHP', merchant_refund_id: 'r-1' });
  await sale(app, 'wallet-1');
  const cases: Array<[string, string, string, object, number, string, string]> = [
    ['capture above the hold', 'held', 'capture', { amount: 50001 }, 400, '2642', 'amount'],
    ['cancel in another currency', 'held', 'cancel', { amount: 100, currency: 'USD' }, 400, '3121', 'currency'],
    ['refund of a hold', 'held', 'refund', { amount: 100, currency: 'PHP' }, 400, '3060', 'payment.status'],
    ['capture of a paid payment', 'paid', 'capture', {}, 400, '3060', 'payment.status'],
    ['refund above what was debited', 'paid', 'refund', { amount: 50001, currency: 'PHP' }, 400, '3283', 'amount'],
    ['refund in another currency', 'paid', 'refund', { amount: 100, currency: 'USD' }, 400, '3284', 'currency'],
    ['refund without a currency', 'paid', 'refund', { amount: 100 }, 400, '3287', 'currency'],
    ['refund without an amount', 'paid', 'refund', { currency: 'PHP' }, 400, '3286', 'amount'],
    ['refund without a body', 'paid', 'refund', {}, 400, '2004', 'amount'],
    ['a merchant_refund_id used before', 'paid', 'refund', { amount: 100, currency: 'PHP', merchant_refund_id: 'r-1' }, 409, '3230', 'merchant_refund_id'],
    ['an amount that is not a whole number', 'held', 'capture', { amount: 10.5 }, 400, '2004', 'amount'],
    ['a member the request does not take', 'held', 'cancel', { reason: 'changed my mind' }, 400, '2004', 'reason'],
    ['capture of a wallet payment', 'wallet-1', 'capture', {}, 400, '3060', 'payment.status'],
    ['capture of no payment', 'nothing', 'capture', {}, 404, '3061', 'payment_id'],
  ];
  for (const [what, paymentId, action, body, status, code, field] of cases) {
    const answer = await control(app, pay(paymentId, action), body);
    t.equal(answer.status, status, `${what}: HTTP ${status}`);
    matchCounted(t, answer.json, { status: 'error', code, message: String, errors: [{ code, field }] }, `${what}: ${code} naming ${field}`);
  }
  matchCounted(t, (await control(app, `/_sandbox/payments/${PROJECT_ID}/held`)).json, { payment: { status: 'awaiting capture', card: { hold: 50000 } }, operations: [{ type: 'auth' }] }, 'the hold is as it was');
  const paid = (await control(app, `/_sandbox/payments/${PROJECT_ID}/paid`)).json;
  t.match(paid.payment, { status: 'partially refunded', card: { refunded: 1000, refundable: 49000 } });
  t.equal(paid.operations.length, 2, 'only the first refund made an operation');
  const beyond = await control(app, pay('paid', 'refund'), { amount: 49001, currency: 'PHP' });
  t.equal(beyond.status, 200, 'more than is left but not more than was debited is accepted…');
  matchCounted(t, beyond.json, { payment: { status: 'partially refunded', card: { refundable: 49000 } }, operations: [{}, {}, { type: 'refund', status: 'decline', code: '903' }] }, '…and declined with 903, the payment unchanged');
  t.equal((await control(app, `/_sandbox/audit?project_id=${PROJECT_ID}`)).json.audit.filter((e: { action: string }) => e.action.startsWith('payment.')).length, 2, 'refusals write no audit entry');
});

t.test('a project\'s token captures, cancels and refunds its own card payments and is refused another project\'s, in the control API and the dashboard', async (t) => {
  const ADMIN = 'admin-token-of-the-card-tools';
  const { app } = await buildTestSandbox(t, {
    config: {
      adminToken: ADMIN,
      projects: [{ project_id: PROJECT_ID, secret_key: SECRET, control_token: 'token-of-445' }, { project_id: 446, secret_key: 'secret-446', control_token: 'token-of-446' }],
    },
  });
  await cardPayment(app, 'theirs', { first: 'auth', projectId: 446, secret: 'secret-446' });
  await cardPayment(app, 'ours', { first: 'auth' });
  for (const [action, body] of [['capture', {}], ['cancel', { amount: 100 }], ['refund', { amount: 100, currency: 'PHP' }]] as const) {
    const refused = await control(app, `/_sandbox/payments/446/theirs/${action}`, body, 'token-of-445');
    t.equal(refused.status, 403, `${action} of another project's payment: 403`);
    matchCounted(t, refused.json, { status: 'error', code: '303', errors: [{ field: 'project_id', message: 'This token is for project 445, not project 446' }] });
  }
  const dashboard = new DashboardClient(app, { authorization: 'Bearer token-of-445' });
  await dashboard.get('/dashboard/payments');
  const fromPage = await dashboard.post('/dashboard/payments/446/theirs/capture', { amount: '' });
  t.equal(fromPage.statusCode, 403, 'the dashboard refuses it too');
  t.match(fromPage.body, /This token is for project 445, not project 446/);
  t.match((await control(app, '/_sandbox/payments/446/theirs', undefined, ADMIN)).json.payment, { status: 'awaiting capture', card: { hold: 50000 } }, 'their hold is untouched');

  t.match((await control(app, pay('ours', 'capture'), { amount: 20000 }, 'token-of-445')).json.payment, { status: 'success', card: { debited: 20000 } }, 'its own payment: captured');
  t.match((await control(app, '/_sandbox/payments/446/theirs/cancel', {}, 'token-of-446')).json.payment, { status: 'canceled', card: { hold: 50000 } }, 'the other project\'s own token releases it');
  const audit = (await control(app, '/_sandbox/audit', undefined, ADMIN)).json.audit as Array<Record<string, any>>;
  t.same(audit.filter((e) => e.action.startsWith('payment.')).map((e) => [e.actor, e.project_id, e.action]), [['project:446', 446, 'payment.cancel'], ['project:445', PROJECT_ID, 'payment.capture']]);
});
