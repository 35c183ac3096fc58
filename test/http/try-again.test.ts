import t from 'tap';
import type { FastifyInstance } from 'fastify';
import { buildTestSandbox, flush, PROJECT_ID, SECRET } from '../helpers/sandbox.js';
import { startReceiver, type Receiver } from '../helpers/receiver.js';
import { post, SdkCallback, signed } from '../helpers/gate-client.js';
import { paymentPageUrl, submitPaymentPage, tokenIn, tryAgain, walletAction } from '../helpers/payment-page-client.js';
import { matchCounted } from '../helpers/promises.js';

const MAGIC = 10014;

/** A Payment Page sale of the "try again" amount, at the wallet: its checkout token. */
async function startAtWallet(app: FastifyInstance, paymentId: string, receiver: Receiver, amount = MAGIC): Promise<string> {
  const url = paymentPageUrl({
    payment_id: paymentId, payment_amount: amount, payment_currency: 'PHP', customer_id: 'c-1', customer_email: 'juan@example.ph',
    merchant_callback_url: receiver.url, merchant_fail_url: 'https://shop.example/sorry',
  });
  const submitted = await submitPaymentPage(app, url, { method: 'paymaya-wallet', customer_email: 'juan@example.ph' });
  return tokenIn(submitted.headers.location);
}

const callbacksOf = (receiver: Receiver) => receiver.received.map((r) => new SdkCallback(SECRET, r.body).callback as Record<string, any>);

async function report(app: FastifyInstance, paymentId: string) {
  return (await app.inject({ url: `/_sandbox/payments/${PROJECT_ID}/${paymentId}` })).json() as Record<string, any>;
}

t.test('on the Payment Page the amount 10014 declines the first Pay; the payment awaits the customer, who tries again on the same payment and pays', async (t) => {
  const { app } = await buildTestSandbox(t);
  const receiver = await startReceiver(t);
  const token = await startAtWallet(app, 'again-1', receiver);
  const first = await walletAction(app, token, 'pay');
  t.equal(first.statusCode, 303);
  t.equal(first.headers.location, `/payment/result?tokenid=${token}`, 'the wallet sends the customer back to the Payment Page');
  await flush(app);
  let callbacks = callbacksOf(receiver);
  t.same(callbacks.map((c) => `${c.payment.status} / ${c.operation.status}`), ['awaiting redirect result / awaiting redirect result', 'awaiting customer / decline']);
  t.match(callbacks[1], { payment: { id: 'again-1', type: 'purchase' }, account: { number: '09171234567' }, operation: { type: 'sale', code: '20105', message: 'Insufficient funds on customer account' } });
  t.notOk('redirect_data' in callbacks[1]!, 'no redirect data while the customer decides');

  const status = await post(app, '/v2/payment/status', signed({ general: { project_id: PROJECT_ID, payment_id: 'again-1' } }));
  matchCounted(t, status.body, { payment: { status: 'awaiting customer' }, operations: [{ status: 'decline', code: '20105' }] });
  t.notOk('redirect_data' in status.body);

  const page = await app.inject({ url: `/payment/result?tokenid=${token}` });
  t.match(page.body, /<h1 id="result-title">Payment not completed<\/h1>/);
  t.match(page.body, /Your wallet declined the payment: 20105 Insufficient funds on customer account\./);
  t.match(page.body, new RegExp(`<form method="post" action="/payment/retry">\\s*<input type="hidden" name="tokenid" value="${token}">`));
  t.notMatch(page.body, /http-equiv="refresh"/, 'the page waits for the customer');
  t.notMatch(page.body, /shop\.example\/sorry/, 'not a failure yet');
  const wallet = await app.inject({ url: `/paymaya/checkout?tokenid=${token}` });
  t.equal(wallet.statusCode, 303, 'the wallet no longer waits for this attempt');
  t.equal(wallet.headers.location, `/payment/result?tokenid=${token}`, 'it leads back to the payment page, which offers Try again');
  const stale = await walletAction(app, token, 'pay');
  t.equal(stale.statusCode, 303, 'the declined attempt cannot be paid at the wallet: its form leads to the result');
  t.equal(stale.headers.location, `/payment/result?tokenid=${token}`);
  t.equal(callbacksOf(receiver).length, 2, 'the stale Pay sent nothing');
  t.match((await report(app, 'again-1')).payment, { status: 'awaiting customer' }, 'and changed nothing');

  const again = await tryAgain(app, token);
  t.equal(again.statusCode, 303);
  t.equal(again.headers.location, `/paymaya/checkout?tokenid=${token}`);
  await flush(app);
  callbacks = callbacksOf(receiver);
  t.match(callbacks[2], { payment: { status: 'awaiting redirect result' }, operation: { status: 'awaiting redirect result', code: '29999' }, redirect_data: { method: 'GET', url: new RegExp(`/paymaya/checkout\\?tokenid=${token}$`) } });
  t.not(callbacks[2]!.operation.id, callbacks[1]!.operation.id, 'a new attempt is a new operation');
  t.match(callbacks[2]!.operation.request_id, /-00000002$/);
  t.equal((await walletAction(app, token, 'pay')).headers.location, `/payment/result?tokenid=${token}`);
  await flush(app);
  callbacks = callbacksOf(receiver);
  t.equal(callbacks.length, 4);
  t.match(callbacks[3], { payment: { status: 'success' }, operation: { id: callbacks[2]!.operation.id, status: 'success', code: '0' } });
  t.equal(new SdkCallback(SECRET, receiver.received[3]!.body).isPaymentSuccess(), true);
  const done = await report(app, 'again-1');
  t.same(done.operations.map((o: { status: string; code: string }) => `${o.status} ${o.code}`), ['decline 20105', 'success 0']);
  t.same(done.timers, { limit: null, outcome: null });
  const mail = (await app.inject({ url: '/_sandbox/mail?payment_id=again-1' })).json() as { mail: Array<{ subject: string }> };
  t.same(mail.mail.map((m) => m.subject).reverse(), ['PayMaya: your payment of ₱100.14 did not go through', 'PayMaya: your payment of ₱100.14 was successful']);
  const result = await app.inject({ url: `/payment/result?tokenid=${token}` });
  t.match(result.body, /Payment successful/);
});

t.test('the next attempt may still fail: Decline there is final, as is Cancel on the first attempt', async (t) => {
  const { app } = await buildTestSandbox(t);
  const receiver = await startReceiver(t);
  const token = await startAtWallet(app, 'again-2', receiver);
  await walletAction(app, token, 'pay');
  await tryAgain(app, token);
  await walletAction(app, token, 'decline');
  const second = await report(app, 'again-2');
  t.equal(second.payment.status, 'decline');
  t.same(second.operations.map((o: { status: string; code: string }) => `${o.status} ${o.code}`), ['decline 20105', 'decline 20000']);
  const cancelled = await startAtWallet(app, 'again-3', receiver);
  await walletAction(app, cancelled, 'cancel');
  const third = await report(app, 'again-3');
  t.equal(third.payment.status, 'decline', 'the customer gave up: no further attempt');
  t.same(third.operations.map((o: { code: string }) => o.code), ['20301']);
  const result = await app.inject({ url: `/payment/result?tokenid=${cancelled}` });
  t.match(result.body, /<h1 id="result-title">Payment cancelled<\/h1>[\s\S]*Reason: <code>20301<\/code> Account owner cancelled operation/);
  t.match(result.body, /href="https:\/\/shop\.example\/sorry"/);
});

t.test('nothing by the limit time declines a payment awaiting the customer as a further attempt; Try again then shows the result', async (t) => {
  const { app } = await buildTestSandbox(t);
  const receiver = await startReceiver(t);
  const token = await startAtWallet(app, 'again-4', receiver);
  await walletAction(app, token, 'pay');
  await flush(app, 24 * 3600);
  const expired = await report(app, 'again-4');
  t.equal(expired.payment.status, 'decline');
  t.same(expired.operations.map((o: { status: string; code: string }) => `${o.status} ${o.code}`), ['decline 20105', 'decline 20602']);
  t.match(callbacksOf(receiver).at(-1), { payment: { status: 'decline' }, operation: { code: '20602', message: 'Time-out' } });
  const late = await tryAgain(app, token);
  t.equal(late.statusCode, 303);
  t.equal(late.headers.location, `/payment/result?tokenid=${token}`);
});

t.test('a tool forces an outcome on a payment awaiting the customer as a further attempt', async (t) => {
  const { app } = await buildTestSandbox(t);
  const receiver = await startReceiver(t);
  const token = await startAtWallet(app, 'again-5', receiver);
  await walletAction(app, token, 'pay');
  const forced = await app.inject({ method: 'POST', url: `/_sandbox/payments/${PROJECT_ID}/again-5/complete`, payload: { status: 'success' } });
  t.equal(forced.statusCode, 200);
  matchCounted(t, forced.json(), { payment: { status: 'success' }, operations: [{ status: 'decline', code: '20105' }, { status: 'success', code: '0' }] });
});

t.test('Try again pressed twice opens one attempt; an unknown or missing token is a 404 page', async (t) => {
  const { app } = await buildTestSandbox(t);
  const receiver = await startReceiver(t);
  const token = await startAtWallet(app, 'again-6', receiver);
  await walletAction(app, token, 'pay');
  for (let press = 0; press < 2; press++) t.equal((await tryAgain(app, token)).headers.location, `/paymaya/checkout?tokenid=${token}`);
  await flush(app);
  t.equal((await report(app, 'again-6')).operations.length, 2);
  t.equal(callbacksOf(receiver).filter((c) => c.payment.status === 'awaiting redirect result').length, 2, 'one redirect callback per attempt');
  for (const bad of ['nope', '']) {
    const response = await tryAgain(app, bad);
    t.equal(response.statusCode, 404, `token "${bad}"`);
    t.match(response.headers['content-type'], /text\/html/);
    t.match(response.body, /Error 3061/);
  }
  const empty = await app.inject({ method: 'POST', url: '/payment/retry' });
  t.equal(empty.statusCode, 404);
});

t.test('the try-again scenario never applies to a Gate sale, and other Payment Page amounts pay at once', async (t) => {
  const { app } = await buildTestSandbox(t);
  const receiver = await startReceiver(t);
  const token = await startAtWallet(app, 'plain-1', receiver, 10015);
  await walletAction(app, token, 'pay');
  t.equal((await report(app, 'plain-1')).payment.status, 'success');
  const gate = await post(app, '/v2/payment/wallet/paymaya/sale', signed({
    general: { project_id: PROJECT_ID, payment_id: 'gate-1' }, payment: { amount: MAGIC, currency: 'PHP' },
    customer: { id: 'c-1', ip_address: '203.0.113.7', email: 'juan@example.ph' }, return_url: { success: 'https://shop.example/ok' },
  }));
  t.equal(gate.status, 200);
  t.equal((await report(app, 'gate-1')).payment.scenario, 'default', 'the rule matches Payment Page sales only');
});
