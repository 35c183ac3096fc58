// Card payments on the Payment Page over real HTTP: the card form (and the card wallets' sheet), field errors in
// the page's style, 3-D Secure on the sandbox bank's page, two-step payments, and the callbacks the shop gets,
// each verified by the official SDK's Callback.
import t from 'tap';
import type { FastifyInstance } from 'fastify';
import { buildTestSandbox, flush, SECRET } from '../helpers/sandbox.js';
import { startReceiver } from '../helpers/receiver.js';
import { SdkCallback } from '../helpers/gate-client.js';
import { paymentPageUrl, tokenIn } from '../helpers/payment-page-client.js';

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const base = { payment_amount: 50000, payment_currency: 'PHP', customer_id: 'cust-1' };

function payByCard(app: FastifyInstance, url: string, card: Record<string, string>, method = 'card') {
  const request = url.slice(url.indexOf('?') + 1);
  return app.inject({ method: 'POST', url: '/payment/card', payload: new URLSearchParams({ request, method, ...card }).toString(), headers: FORM });
}

const good = (pan: string) => ({ pan, expiry: '12/30', cvv: '123', card_holder: 'juan dela cruz' });

t.test('force_payment_method=card opens the card form: number, expiry, CVV and holder, and nothing a shop typed echoed back', async (t) => {
  const { app } = await buildTestSandbox(t);
  const page = await app.inject({ url: paymentPageUrl({ ...base, payment_id: 'form-1', force_payment_method: 'card' }) });
  t.equal(page.statusCode, 200);
  for (const input of ['id="pan"', 'autocomplete="cc-number"', 'id="expiry"', 'autocomplete="cc-exp"', 'id="cvv"', 'autocomplete="cc-csc"', 'id="card_holder"', 'autocomplete="cc-name"']) t.match(page.body, input);
  t.match(page.body, /Pay ₱500\.00 by card/);
  const hold = await app.inject({ url: paymentPageUrl({ ...base, payment_id: 'form-2', force_payment_method: 'card', operation_type: 'auth' }) });
  t.match(hold.body, /Authorise ₱500\.00 by card/, 'operation_type=auth asks to authorise');
  const older = await app.inject({ url: paymentPageUrl({ ...base, payment_id: 'form-3', force_payment_method: 'card', card_operation_type: 'auth' }) });
  t.match(older.body, /Authorise ₱500\.00 by card/, 'and so does the older card_operation_type');
  const wrong = await app.inject({ url: paymentPageUrl({ ...base, payment_id: 'form-4', operation_type: 'hold' }) });
  t.equal(wrong.statusCode, 400);
  t.match(wrong.body, /Error 2004/);
  t.match(wrong.body, /operation_type<\/code>: Must be sale or auth/);
});

t.test('a refused card shows every problem at its field with the code in the widget event, and never the number or CVV', async (t) => {
  const { app } = await buildTestSandbox(t);
  const url = paymentPageUrl({ ...base, payment_id: 'bad-card', force_payment_method: 'card' });
  const refused = await payByCard(app, url, { pan: '4111 1111 1111 1112', expiry: '01/20', cvv: '98', card_holder: '' });
  t.equal(refused.statusCode, 400);
  t.match(refused.body, /Check the card details/);
  t.match(refused.body, /href="#pan">Enter a valid card number/);
  t.match(refused.body, /href="#expiry">The card expired at the end of 01\/2020/);
  t.match(refused.body, /href="#cvv">The CVV has 3 or 4 digits/);
  t.match(refused.body, /href="#card_holder">Enter the name as it is on the card/);
  t.match(refused.body, /id="pan"[^>]*aria-invalid="true"/);
  t.match(refused.body, /id="expiry-error" class="field-error">The card expired at the end of 01\/2020</, 'each problem is also shown under its field');
  t.notMatch(refused.body, /4111 1111 1111 1112|4111111111111112/, 'the number is not echoed');
  t.notMatch(refused.body, /value="98"/, 'nor the CVV');
  t.match(refused.body, /value="01\/20"/, 'the expiry the customer typed stays');
});

t.test('a card without 3-D Secure pays at once and the shop gets one signed card callback', async (t) => {
  const receiver = await startReceiver(t);
  const { app } = await buildTestSandbox(t);
  const url = paymentPageUrl({ ...base, payment_id: 'paid-1', force_payment_method: 'card', merchant_callback_url: receiver.url });
  const paid = await payByCard(app, url, good('4000 0000 0000 0077'));
  t.equal(paid.statusCode, 303);
  t.match(paid.headers.location, /^\/payment\/result\?tokenid=/);
  const result = await app.inject({ url: paid.headers.location as string });
  t.match(result.body, /Payment successful/);
  await flush(app);
  t.equal(receiver.received.length, 1);
  const callback = new SdkCallback(SECRET, receiver.received[0]!.body);
  t.ok(callback.isPaymentSuccess(), 'the SDK verifies it and reads a success');
  t.match(callback.callback, { payment: { id: 'paid-1', method: 'card', status: 'success' }, account: { number: '400000******0077', type: 'visa', card_holder: 'JUAN DELA CRUZ', expiry_month: '12', expiry_year: '2030' }, operation: { type: 'sale', eci: '07' } });
});

t.test('a challenge card goes to the sandbox bank\'s page: the payment awaits 3ds result (and says so), a wrong code warns, the right one pays', async (t) => {
  const receiver = await startReceiver(t);
  const { app } = await buildTestSandbox(t);
  const url = paymentPageUrl({ ...base, payment_id: '3ds-1', force_payment_method: 'card', operation_type: 'auth', merchant_callback_url: receiver.url });
  const sent = await payByCard(app, url, good('4314220000000056'));
  t.equal(sent.statusCode, 303);
  t.match(sent.headers.location, /^\/acs\/challenge\?tokenid=/);
  const token = tokenIn(sent.headers.location);
  const acs = await app.inject({ url: sent.headers.location as string });
  t.equal(acs.statusCode, 200);
  t.match(acs.body, /Verify your payment/);
  t.match(acs.body, /431422\*\*\*\*\*\*0056/);
  t.match(acs.body, /the code is <strong>1234<\/strong>/);
  t.match(acs.body, /Test shop/);
  await flush(app);
  t.match(new SdkCallback(SECRET, receiver.received[0]!.body).callback, { payment: { status: 'awaiting 3ds result' }, operation: { type: 'auth', status: 'awaiting 3ds result', code: '9999' } });
  const wrong = await app.inject({ method: 'POST', url: '/acs/challenge', payload: new URLSearchParams({ tokenid: token, code: '0000', action: 'approve' }).toString(), headers: FORM });
  t.equal(wrong.statusCode, 400);
  t.match(wrong.body, /Wrong code: 2 tries left/);
  const approved = await app.inject({ method: 'POST', url: '/acs/challenge', payload: new URLSearchParams({ tokenid: token, code: '1234', action: 'approve' }).toString(), headers: FORM });
  t.equal(approved.statusCode, 303);
  t.match(approved.headers.location, `/payment/result?tokenid=${token}`);
  t.match((await app.inject({ url: approved.headers.location as string })).body, /Payment authorised/);
  await flush(app);
  t.equal(receiver.received.length, 2);
  t.match(new SdkCallback(SECRET, receiver.received[1]!.body).callback, { payment: { status: 'awaiting capture' }, operation: { type: 'auth', status: 'success', eci: '05' }, mpi_result: { authentication_flow: '02' } });
  const again = await app.inject({ url: `/acs/challenge?tokenid=${token}` });
  t.match(again.body, /This check is over: the payment is <strong>authorised<\/strong>/, 'the page after the end says how it ended');
});

t.test('Apple Pay and Google Pay open a wallet sheet of test cards; the payment carries the wallet\'s method and holder', async (t) => {
  const receiver = await startReceiver(t);
  const { app } = await buildTestSandbox(t);
  for (const code of ['apple_pay_core', 'google_pay_host']) {
    const url = paymentPageUrl({ ...base, payment_id: `sheet-${code}`, force_payment_method: code, merchant_callback_url: receiver.url });
    const sheet = await app.inject({ url });
    t.match(sheet.body, /A stand-in for the (Apple|Google) Pay sheet/);
    t.match(sheet.body, /400000\*\*\*\*\*\*0077/);
    t.notMatch(sheet.body, /4000000000000077/, 'test cards are shown masked');
    const paid = await payByCard(app, url, { wallet_card: '0' }, code);
    t.equal(paid.statusCode, 303, code);
  }
  await flush(app);
  t.equal(receiver.received.length, 2);
  for (const [index, [method, holder]] of [['etoken', 'APPLEPAY USER'], ['etoken-google', 'GOOGLEPAY USER']].entries()) {
    t.match(new SdkCallback(SECRET, receiver.received[index]!.body).callback, { payment: { method, status: 'success' }, account: { card_holder: holder }, operation: { eci: '05' } });
  }
});

t.test('a returning customer sees the card the first payment saved, masked, and pays with it again without typing it', async (t) => {
  const receiver = await startReceiver(t);
  const { app } = await buildTestSandbox(t);
  const first = paymentPageUrl({ ...base, payment_id: 'save-1', force_payment_method: 'card', recurring_register: 1, recurring: JSON.stringify({ register: true, type: 'C' }), merchant_callback_url: receiver.url });
  t.equal((await payByCard(app, first, good('4000000000000077'))).statusCode, 303);
  await flush(app);
  const saved = new SdkCallback(SECRET, receiver.received[0]!.body).callback as Record<string, any>;
  t.match(saved, { payment: { status: 'success' }, recurring: { currency: 'PHP' } });
  const again = paymentPageUrl({ ...base, payment_id: 'save-2', force_payment_method: 'card', merchant_callback_url: receiver.url });
  const form = await app.inject({ url: again });
  t.match(form.body, new RegExp(`name="saved_card" value="${saved.recurring.id}"`));
  t.match(form.body, /Pay with 400000\*\*\*\*\*\*0077 \(visa, 12\/2030\)/);
  const stranger = await app.inject({ url: paymentPageUrl({ ...base, customer_id: 'someone-else', payment_id: 'save-3', force_payment_method: 'card' }) });
  t.notMatch(stranger.body, /Your saved cards/, 'another customer sees none');
  const paid = await payByCard(app, again, { saved_card: String(saved.recurring.id) });
  t.equal(paid.statusCode, 303);
  await flush(app);
  t.match(new SdkCallback(SECRET, receiver.received[1]!.body).callback, { payment: { id: 'save-2', status: 'success' }, account: { number: '400000******0077' } });
});

t.test('the Payment Page asks the customer for the data the platform wants, then goes on; a card check may be of 0', async (t) => {
  const receiver = await startReceiver(t);
  const { app } = await buildTestSandbox(t);
  const url = paymentPageUrl({ ...base, payment_id: 'clarify-1', force_payment_method: 'card', customer_email: 'clarify+pp@example.ph', merchant_callback_url: receiver.url });
  const sent = await payByCard(app, url, good('4000000000000077'));
  t.match(sent.headers.location, /^\/payment\/clarification\?tokenid=/);
  const token = tokenIn(sent.headers.location);
  const page = await app.inject({ url: sent.headers.location as string });
  t.match(page.body, /Billing post code/);
  t.match(page.body, /Billing street address/);
  const missing = await app.inject({ method: 'POST', url: '/payment/clarification', payload: new URLSearchParams({ tokenid: token, avs_post_code: '1000' }).toString(), headers: FORM });
  t.equal(missing.statusCode, 400);
  t.match(missing.body, /Billing street address: required/);
  const answered = await app.inject({ method: 'POST', url: '/payment/clarification', payload: new URLSearchParams({ tokenid: token, avs_post_code: '1000', avs_street_address: '1 Ayala Ave' }).toString(), headers: FORM });
  t.equal(answered.statusCode, 303);
  t.match(answered.headers.location, `/payment/result?tokenid=${token}`);
  await flush(app);
  t.same(receiver.received.map((r) => (new SdkCallback(SECRET, r.body).callback as Record<string, any>).payment.status), ['awaiting clarification', 'success']);

  const verify = paymentPageUrl({ ...base, payment_id: 'verify-1', payment_amount: 0, mode: 'card_verify', force_payment_method: 'card', merchant_callback_url: receiver.url });
  t.equal((await payByCard(app, verify, good('5555555555554444'))).statusCode, 303);
  await flush(app);
  t.match(new SdkCallback(SECRET, receiver.received[2]!.body).callback, { payment: { id: 'verify-1', status: 'success', sum: { amount: 0 } }, operation: { type: 'account verification' } });
});
