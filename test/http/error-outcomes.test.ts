import t from 'tap';
import { buildTestSandbox, flush, PROJECT_ID, SECRET } from '../helpers/sandbox.js';
import { startReceiver } from '../helpers/receiver.js';
import { post, sale, SdkCallback, signed } from '../helpers/gate-client.js';
import { DashboardClient } from '../helpers/dashboard-client.js';
import { paymentPageUrl, submitPaymentPage, tokenIn } from '../helpers/payment-page-client.js';
import { matchCounted } from '../helpers/promises.js';

const general = (paymentId: string, url: string) => ({ general: { project_id: PROJECT_ID, payment_id: paymentId, merchant_callback_url: url } });

for (const [status, amount, code, message] of [
  ['external error', 10010, '20100', 'Declined by external provider'],
  ['internal error', 10011, '501', 'Internal error'],
] as const) {
  t.test(`a sale of the magic amount ${amount} ends in ${status}: final, signed, with code ${code}, and the status answer agrees`, async (t) => {
    const { app } = await buildTestSandbox(t);
    const receiver = await startReceiver(t);
    const id = `err-${code}`;
    t.equal((await sale(app, id, { ...general(id, receiver.url), payment: { amount, currency: 'PHP' } })).status, 200);
    await flush(app);
    const callbacks = receiver.received.map((r) => new SdkCallback(SECRET, r.body) as { callback: Record<string, any>; isPaymentSuccess(): boolean });
    t.same(callbacks.map((c) => [c.callback.payment.status, c.callback.operation.status]), [
      ['awaiting redirect result', 'awaiting redirect result'], [status, status],
    ], 'the redirect callback, then the final one, each verified by the SDK');
    t.match(callbacks[1]!.callback, { payment: { id, type: 'purchase' }, operation: { type: 'sale', code, message } });
    t.equal(callbacks[1]!.isPaymentSuccess(), false);
    const answer = await post(app, '/v2/payment/status', signed({ general: { project_id: PROJECT_ID, payment_id: id } }));
    matchCounted(t, answer.body, { payment: { status }, operations: [{ status, code, message }] });
    const report = (await app.inject({ url: `/_sandbox/payments/${PROJECT_ID}/${id}` })).json() as Record<string, any>;
    t.same(report.timers, { limit: null, outcome: null }, 'final: no timer is left');
    const forced = await app.inject({ method: 'POST', url: `/_sandbox/payments/${PROJECT_ID}/${id}/complete`, payload: { status: 'success' } });
    t.match(forced.json(), { code: '3060' }, 'a final payment cannot be changed');
    const mail = (await app.inject({ url: `/_sandbox/mail?payment_id=${id}` })).json() as { mail: Array<Record<string, string>> };
    matchCounted(t, mail.mail, [{ subject: /did not go through/, body: new RegExp(`Status: ${status} \\(${code} ${message}\\)`) }]);
  });
}

t.test('the control API forces external or internal error, with its default code or one of its class, and refuses a code of another class', async (t) => {
  const { app } = await buildTestSandbox(t);
  const complete = (id: string, payload: object) => app.inject({ method: 'POST', url: `/_sandbox/payments/${PROJECT_ID}/${id}/complete`, payload });
  for (const id of ['f-1', 'f-2', 'f-3', 'f-4']) await sale(app, id);
  matchCounted(t, (await complete('f-1', { status: 'external error' })).json(), { payment: { status: 'external error' }, operations: [{ status: 'external error', code: '20100' }] });
  matchCounted(t, (await complete('f-2', { status: 'internal error' })).json(), { payment: { status: 'internal error' }, operations: [{ code: '501', message: 'Internal error' }] });
  matchCounted(t, (await complete('f-3', { status: 'external error', code: '20602' })).json(), { operations: [{ status: 'external error', code: '20602', message: 'Time-out' }] });
  const wrong = await complete('f-4', { status: 'internal error', code: '20000' });
  t.equal(wrong.statusCode, 400);
  matchCounted(t, wrong.json(), { status: 'error', code: '2004', errors: [{ field: 'code', message: 'An internal error carries a code of the table\'s "platform" class; 20000 is "APM/provider decline"' }] });
  const byScenario = await complete('f-4', { scenario: 'internal-error' });
  matchCounted(t, byScenario.json(), { payment: { status: 'internal error' }, operations: [{ code: '501' }] });
  const unknownStatus = await complete('f-4', { status: 'expired' });
  matchCounted(t, unknownStatus.json(), { code: '2004', errors: [{ field: 'status' }] });
});

t.test('the dashboard offers the error scenarios among the outcomes to force, and shows the status', async (t) => {
  const { app } = await buildTestSandbox(t);
  await sale(app, 'dash-err');
  const client = new DashboardClient(app);
  const detail = await client.get(`/dashboard/payments/${PROJECT_ID}/dash-err`);
  t.match(detail.body, /<option value="external error:20100">External error 20100 — [^<(]+\(external-error\)<\/option>/);
  t.match(detail.body, /<option value="internal error:501">Internal error 501 — [^<(]+\(internal-error\)<\/option>/);
  const done = await client.post(`/dashboard/payments/${PROJECT_ID}/dash-err/complete`, { outcome: 'scenario:external-error' });
  t.equal(done.statusCode, 303);
  const after = await client.get(`/dashboard/payments/${PROJECT_ID}/dash-err`);
  t.match(after.body, /id="payment-status"><span class="badge status-external-error">external error<\/span>/);
  t.notMatch(after.body, /Force an outcome/, 'final: nothing more to force');
  const list = await client.get('/dashboard/payments?status=external+error');
  t.match(list.body, /dash-err/);
});

t.test('on the Payment Page an error ends like a decline: the result says the payment failed and leads to the fail URL', async (t) => {
  const { app } = await buildTestSandbox(t);
  const receiver = await startReceiver(t);
  const url = paymentPageUrl({
    payment_id: 'pp-err', payment_amount: 10011, payment_currency: 'PHP', customer_id: 'c-1', customer_email: 'juan@example.ph',
    merchant_callback_url: receiver.url, merchant_success_url: 'https://shop.example/thanks', merchant_fail_url: 'https://shop.example/sorry',
  });
  const submitted = await submitPaymentPage(app, url, { method: 'paymaya-wallet', customer_email: 'juan@example.ph' });
  t.equal(submitted.statusCode, 303);
  await flush(app);
  const token = tokenIn(submitted.headers.location);
  const result = await app.inject({ url: `/payment/result?tokenid=${token}` });
  t.match(result.body, /<h1 id="result-title">Payment failed<\/h1>/);
  t.match(result.body, /<strong>failed<\/strong>/);
  t.match(result.body, /Reason: <code>501<\/code> /);
  t.match(result.body, /href="https:\/\/shop\.example\/sorry"/);
  const wallet = await app.inject({ url: `/paymaya/checkout?tokenid=${token}` });
  t.equal(wallet.statusCode, 303, 'the wallet checkout of the ended payment leads to its result');
  t.equal(wallet.headers.location, `/payment/result?tokenid=${token}`);
  t.same(receiver.received.map((r) => (new SdkCallback(SECRET, r.body).callback as Record<string, any>).payment.status), ['awaiting redirect result', 'internal error']);
});
