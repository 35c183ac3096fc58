// The Gate's order actions on card payments over real HTTP, every request signed by the official SDK: capture,
// cancel and refund under card, applepay and googlepay, /v2/payment/refund, the status answer, and every wrong
// order of operations refused with the platform's code and the refusal table's HTTP status.
import t from 'tap';
import type { FastifyInstance } from 'fastify';
import { buildTestSandbox, flush, PROJECT_ID, SECRET } from '../helpers/sandbox.js';
import { startReceiver } from '../helpers/receiver.js';
import { post, sale, SdkCallback, signed } from '../helpers/gate-client.js';
import { paymentPageUrl } from '../helpers/payment-page-client.js';
import { matchCounted } from '../helpers/promises.js';

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

/** A card payment made on the Payment Page: a sale, or with `auth` a hold. */
async function cardPayment(app: FastifyInstance, paymentId: string, first: 'sale' | 'auth', callbackUrl: string, pan = '4000000000000077') {
  const url = paymentPageUrl({ payment_id: paymentId, payment_amount: 50000, payment_currency: 'PHP', customer_id: 'c-1', force_payment_method: 'card', operation_type: first, merchant_callback_url: callbackUrl });
  const request = url.slice(url.indexOf('?') + 1);
  const answer = await app.inject({ method: 'POST', url: '/payment/card', payload: new URLSearchParams({ request, method: 'card', pan, expiry: '12/30', cvv: '123', card_holder: 'JUAN' }).toString(), headers: FORM });
  if (answer.statusCode !== 303) throw new Error(answer.body);
}

const action = (app: FastifyInstance, path: string, paymentId: string, payment?: Record<string, unknown>) =>
  post(app, `/v2/payment/${path}`, signed({ general: { project_id: PROJECT_ID, payment_id: paymentId }, ...(payment === undefined ? {} : { payment }) }));

t.test('a hold captured in part through the Gate, then refunded in part: accepted answers with new request ids, and callbacks the SDK verifies', async (t) => {
  const receiver = await startReceiver(t);
  const { app } = await buildTestSandbox(t);
  await cardPayment(app, 'order-1', 'auth', receiver.url);
  const capture = await action(app, 'card/capture', 'order-1', { amount: 30000, currency: 'PHP' });
  t.equal(capture.status, 200);
  t.match(capture.body, { status: 'success', project_id: PROJECT_ID, payment_id: 'order-1', request_id: /^[0-9a-f]{40}-00000002$/ });
  const refund = await action(app, 'card/refund', 'order-1', { amount: 10000, currency: 'PHP', description: 'User 1 create refund', merchant_refund_id: '77_1' });
  t.match(refund.body, { status: 'success', request_id: /-00000003$/ });
  await flush(app);
  const callbacks = receiver.received.map((r) => new SdkCallback(SECRET, r.body).callback as Record<string, any>);
  t.same(callbacks.map((c) => [c.operation.type, c.payment.status, c.payment.sum.amount]), [['auth', 'awaiting capture', 50000], ['capture', 'success', 30000], ['refund', 'partially refunded', 20000]]);
  t.equal(callbacks[1]!.operation.request_id, capture.body.request_id, 'the capture callback carries the capture\'s request id');
  t.equal(callbacks[2]!.operation.request_id, refund.body.request_id);
  t.equal(callbacks[2]!.payment.merchant_refund_id, '77_1');
  const status = await post(app, '/v2/payment/status', signed({ general: { project_id: PROJECT_ID, payment_id: 'order-1' } }));
  t.match(status.body, { payment: { status: 'partially refunded', sum: { amount: 20000 }, method: 'card' }, account: { number: '400000******0077' } });
  t.same(status.body.operations.map((o: { type: string }) => o.type), ['auth', 'capture', 'refund']);
});

t.test('applepay and googlepay paths act on any card-family payment; /v2/payment/refund refunds a card payment; an unknown path method is 2541', async (t) => {
  const receiver = await startReceiver(t);
  const { app } = await buildTestSandbox(t);
  await cardPayment(app, 'held-1', 'auth', receiver.url);
  await cardPayment(app, 'paid-1', 'sale', receiver.url);
  t.match(await action(app, 'applepay/cancel', 'held-1', { amount: 1000, currency: 'PHP' }), { status: 200 }, 'applepay/cancel lowers a card hold');
  t.match(await action(app, 'googlepay/capture', 'held-1'), { status: 200 }, 'googlepay/capture takes the rest');
  t.match(await action(app, 'refund', 'paid-1', { amount: 50000, currency: 'PHP' }), { status: 200 }, 'the method-less refund');
  matchCounted(t, await action(app, 'bitcoin/capture', 'held-1'), { status: 404, body: { code: '2541', errors: [{ field: 'method' }] } });
  await flush(app);
  const states = receiver.received.map((r) => new SdkCallback(SECRET, r.body).callback as Record<string, any>).map((c) => [c.payment.id, c.operation.type, c.payment.status, c.payment.sum.amount]);
  // Each payment's callbacks come in order; two payments' may interleave.
  t.same(states.filter(([id]) => id === 'held-1'), [['held-1', 'auth', 'awaiting capture', 50000], ['held-1', 'cancel', 'awaiting capture', 49000], ['held-1', 'capture', 'success', 49000]]);
  t.same(states.filter(([id]) => id === 'paid-1'), [['paid-1', 'sale', 'success', 50000], ['paid-1', 'refund', 'refunded', 0]]);
});

t.test('every wrong order of operations is refused with the platform\'s code, the refusal table\'s status, and changes nothing', async (t) => {
  const receiver = await startReceiver(t);
  const { app } = await buildTestSandbox(t);
  await cardPayment(app, 'held', 'auth', receiver.url);
  await cardPayment(app, 'canceled', 'auth', receiver.url);
  await cardPayment(app, 'declined', 'sale', receiver.url, '4111111111111111');
  await action(app, 'card/cancel', 'canceled');
  await sale(app, 'wallet-1');
  const cases: Array<[string, string, Record<string, unknown> | undefined, number, string, string]> = [
    ['capture twice… first', 'card/capture', undefined, 200, '', 'held'],
    ['capture twice', 'card/capture', undefined, 400, '3060', 'held'],
    ['cancel after capture', 'card/cancel', undefined, 400, '3060', 'held'],
    ['capture after cancel', 'card/capture', undefined, 400, '3060', 'canceled'],
    ['cancel twice', 'card/cancel', undefined, 400, '3060', 'canceled'],
    ['refund of a released hold', 'card/refund', { amount: 100, currency: 'PHP' }, 400, '3060', 'canceled'],
    ['refund of a declined payment', 'card/refund', { amount: 100, currency: 'PHP' }, 400, '3060', 'declined'],
    ['refund beyond what was debited', 'card/refund', { amount: 50001, currency: 'PHP' }, 400, '3283', 'held'],
    ['refund in another currency', 'card/refund', { amount: 100, currency: 'USD' }, 400, '3284', 'held'],
    ['refund without a currency', 'card/refund', { amount: 100 }, 400, '3287', 'held'],
    ['refund without an amount', 'card/refund', { currency: 'PHP' }, 400, '3286', 'held'],
    ['refund of a wallet sale through a card path', 'card/refund', { amount: 100, currency: 'PHP' }, 400, '3610', 'wallet-1'],
    ['capture of a wallet sale', 'card/capture', undefined, 400, '3060', 'wallet-1'],
    ['capture of no payment', 'card/capture', undefined, 404, '3061', 'nothing'],
  ];
  t.equal(cases.length, 14);
  for (const [what, path, payment, status, code, paymentId] of cases) {
    const answer = await action(app, path, paymentId, payment);
    t.equal(answer.status, status, `${what}: HTTP ${status}`);
    if (code !== '') t.match(answer.body, { status: 'error', code, payment_id: paymentId }, `${what}: ${code}`);
  }
  await flush(app);
  const ops = receiver.received.map((r) => new SdkCallback(SECRET, r.body).callback as Record<string, any>).map((c) => `${c.payment.id}:${c.operation.type}`);
  t.same(ops.sort(), ['canceled:auth', 'canceled:cancel', 'declined:sale', 'held:auth', 'held:capture'], 'only the one accepted capture added a callback');
});
