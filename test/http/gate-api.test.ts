import t from 'tap';
import { buildTestSandbox, flush, PROJECT_ID, SECRET } from '../helpers/sandbox.js';
import { startReceiver } from '../helpers/receiver.js';
import { payout, payoutBody, post, sale, saleBody, SdkCallback, signed, tokenOf } from '../helpers/gate-client.js';
import { matchCounted } from '../helpers/promises.js';

t.test('a sale is accepted, the redirect callback arrives signed, and paying at the wallet sends a success callback', async (t) => {
  const { app } = await buildTestSandbox(t);
  const receiver = await startReceiver(t);
  const accepted = await sale(app, 'order-1', { general: { project_id: PROJECT_ID, payment_id: 'order-1', merchant_callback_url: receiver.url } });
  t.equal(accepted.status, 200);
  t.match(accepted.body, { status: 'success', project_id: PROJECT_ID, payment_id: 'order-1' });
  t.match(accepted.body.request_id, /^[0-9a-f]{40}-00000001$/);

  await flush(app);
  t.equal(receiver.received.length, 1);
  const redirect = new SdkCallback(SECRET, receiver.received[0]!.body).callback as Record<string, any>;
  t.match(redirect, {
    project_id: PROJECT_ID,
    payment: { id: 'order-1', type: 'purchase', status: 'awaiting redirect result', method: 'PayMaya wallet', sum: { amount: 50000, currency: 'PHP' } },
    operation: { type: 'sale', status: 'awaiting redirect result', request_id: accepted.body.request_id },
    redirect_data: { method: 'GET' },
  });
  t.equal(receiver.received[0]!.headers['content-type'], 'application/json');

  const page = await app.inject({ method: 'GET', url: new URL(redirect.redirect_data.url).pathname + new URL(redirect.redirect_data.url).search });
  t.equal(page.statusCode, 200);
  t.match(page.body, /₱500\.00/);
  const paid = await app.inject({
    method: 'POST',
    url: '/paymaya/checkout',
    payload: `tokenid=${tokenOf(redirect.redirect_data.url)}&mobile=09171234567&action=pay`,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  t.equal(paid.statusCode, 303);
  t.equal(paid.headers.location, 'https://shop.example/ok');

  await flush(app);
  t.equal(receiver.received.length, 2);
  const final = new SdkCallback(SECRET, receiver.received[1]!.body);
  t.ok(final.isPaymentSuccess());
  t.match(final.callback, {
    payment: { status: 'success' },
    account: { number: '09171234567' },
    operation: { status: 'success', code: '0', message: 'Success', provider: { endpoint_id: 'PYMY' } },
  });
});

t.test('a payout to a customer who paid with a PH wallet succeeds; without such a purchase it is declined with 2606', async (t) => {
  const { app, sandbox } = await buildTestSandbox(t);
  const receiver = await startReceiver(t);
  const callbackUrl = receiver.url;
  await sale(app, 'buy-1', { general: { project_id: PROJECT_ID, payment_id: 'buy-1' } }, 'gcash');
  const bought = (await sandbox.lookup.find(PROJECT_ID, 'buy-1'))!;
  await sandbox.lifecycle.customerAction(bought.checkoutToken, 'pay', '09170000000');

  const paid = await payout(app, 'payout-1', { general: { project_id: PROJECT_ID, payment_id: 'payout-1', merchant_callback_url: callbackUrl } });
  t.equal(paid.status, 200);
  const stranger = await payout(app, 'payout-2', {
    general: { project_id: PROJECT_ID, payment_id: 'payout-2', merchant_callback_url: callbackUrl },
    customer: { id: 'someone-else', ip_address: '203.0.113.9' },
  });
  t.equal(stranger.status, 200, 'the request itself is accepted');
  await flush(app);
  const byId = new Map(receiver.received.map((r) => [String((r.json.payment as { id: string }).id), new SdkCallback(SECRET, r.body).callback as Record<string, any>]));
  t.match(byId.get('payout-1'), {
    payment: { type: 'payout', status: 'success', description: 'payout' },
    customer: { id: 'customer-1', phone: '09171234567' },
    operation: { type: 'payout', status: 'success', code: '0', provider: { id: 1994, endpoint_id: 'GRPY', auth_code: '', payment_id: /^[A-Z0-9]{10}$/ } },
  });
  t.match(byId.get('payout-2'), { payment: { status: 'decline' }, operation: { code: '2606', message: 'Withdrawal without initial payment is not allowed' } });
});

t.test('a sale over the card limit (200000000) is declined with 20101', async (t) => {
  const { app } = await buildTestSandbox(t);
  const receiver = await startReceiver(t);
  await sale(app, 'big-1', { general: { project_id: PROJECT_ID, payment_id: 'big-1', merchant_callback_url: receiver.url }, payment: { amount: 200000000, currency: 'PHP' } });
  await flush(app);
  t.equal(receiver.received.length, 1, 'only the final callback, no redirect');
  t.match(new SdkCallback(SECRET, receiver.received[0]!.body).callback, {
    payment: { status: 'decline', sum: { amount: 200000000 } },
    operation: { status: 'decline', code: '20101', message: 'Decline due to amount or frequency limit' },
  });
});

t.test('an amount in another currency is converted to PHP and limits apply to the PHP amount', async (t) => {
  const { app } = await buildTestSandbox(t, { config: { currencyRates: { PHP: 1, USD: 56.5 } } });
  const receiver = await startReceiver(t);
  await sale(app, 'usd-1', { general: { project_id: PROJECT_ID, payment_id: 'usd-1', merchant_callback_url: receiver.url }, payment: { amount: 1000, currency: 'USD' } });
  await flush(app);
  t.match(new SdkCallback(SECRET, receiver.received[0]!.body).callback, {
    payment: { sum: { amount: 1000, currency: 'USD' } },
    operation: { sum_initial: { amount: 1000, currency: 'USD' }, sum_converted: { amount: 56500, currency: 'PHP' } },
  });
});

t.test('status answers signed data with every operation and redirect_data while awaiting the customer', async (t) => {
  const { app } = await buildTestSandbox(t);
  await sale(app, 'st-1');
  const status = await post(app, '/v2/payment/status', signed({ general: { project_id: PROJECT_ID, payment_id: 'st-1' } }));
  t.equal(status.status, 200);
  t.ok(new SdkCallback(SECRET, status.body), 'the SDK verifies the status answer');
  matchCounted(t, status.body, { payment: { id: 'st-1', status: 'awaiting redirect result' }, operations: [{ type: 'sale' }], redirect_data: { method: 'GET' } });
  const missing = await post(app, '/v2/payment/status', signed({ general: { project_id: PROJECT_ID, payment_id: 'nope' } }));
  t.equal(missing.status, 404);
  matchCounted(t, missing.body, { status: 'error', code: '3061', errors: [{ code: '3061', field: 'general.payment_id' }] });
});

t.test('force_disable suppresses the final callback but not the redirect one; callback.delay delays the first attempt', async (t) => {
  const { app } = await buildTestSandbox(t);
  const receiver = await startReceiver(t);
  await sale(app, 'quiet-1', { general: { project_id: PROJECT_ID, payment_id: 'quiet-1', merchant_callback_url: receiver.url }, callback: { force_disable: 1, delay: 30 } });
  await flush(app);
  t.equal(receiver.received.length, 0, 'delayed by 30 s');
  await flush(app, 30);
  t.equal(receiver.received.length, 1, 'redirect callback after the delay');
  await app.inject({ method: 'POST', url: `/_sandbox/payments/${PROJECT_ID}/quiet-1/complete`, payload: { status: 'success' } });
  await flush(app, 60);
  t.equal(receiver.received.length, 1, 'no final callback');
});

t.test('with no callback URL anywhere the callbacks land in the built-in inbox', async (t) => {
  const { app } = await buildTestSandbox(t);
  await sale(app, 'inbox-1');
  await flush(app);
  const inbox = (await app.inject({ url: `/_sandbox/inbox?project_id=${PROJECT_ID}` })).json() as { inbox: Array<{ payment_id: string; body: object }> };
  t.equal(inbox.inbox.length, 1);
  t.equal(inbox.inbox[0]!.payment_id, 'inbox-1');
  t.ok(new SdkCallback(SECRET, inbox.inbox[0]!.body));
});

t.test('refusals', async (t) => {
  const { app, sandbox } = await buildTestSandbox(t);
  const url = '/v2/payment/wallet/paymaya/sale';
  const refusal = async (payload: string | object, headers: Record<string, string> = {}, path = url) => {
    const response = await app.inject({ method: 'POST', url: path, payload, headers: { 'content-type': 'application/json', ...headers } });
    return { status: response.statusCode, body: response.json() as Record<string, any> };
  };

  t.test('malformed JSON is 2003', async (t) => {
    const r = await refusal('{"general": ');
    t.equal(r.status, 400);
    t.match(r.body, { status: 'error', code: '2003', message: 'Invalid JSON string' });
  });
  t.test('a body of another content type is still read as JSON and refused with 2003 when it is not', async (t) => {
    const r = await refusal('general=1', { 'content-type': 'application/x-www-form-urlencoded' });
    t.match(r.body, { code: '2003' });
  });
  t.test('a JSON array is 2003', async (t) => {
    t.match((await refusal('[1,2]')).body, { code: '2003' });
  });
  t.test('an empty body is 2003', async (t) => {
    t.match((await refusal('')).body, { code: '2003' });
  });
  t.test('a missing field is 2004 naming its path', async (t) => {
    const body = signed(saleBody('f-1'));
    delete (body as any).payment.amount;
    const r = await refusal(body);
    t.equal(r.status, 400);
    matchCounted(t, r.body, { code: '2004', message: 'Required field not provided', errors: [{ code: '2004', field: 'payment.amount' }], project_id: PROJECT_ID, payment_id: 'f-1' });
  });
  t.test('a field of the wrong type is 2004 naming its path', async (t) => {
    const r = await refusal(signed(saleBody('f-2', { payment: { amount: '100', currency: 'PHP' } })));
    matchCounted(t, r.body, { code: '2004', errors: [{ field: 'payment.amount' }] });
  });
  t.test('a PayMaya sale without customer.email or return_url.success is 2004 naming each missing field', async (t) => {
    const noEmail = await refusal(signed(saleBody('q-1', { customer: { id: 'c-1', ip_address: '203.0.113.7' } })));
    t.equal(noEmail.status, 400);
    t.same(noEmail.body.errors, [{ code: '2004', field: 'customer.email', message: 'Required field not provided' }]);
    t.match(noEmail.body, { status: 'error', code: '2004', message: 'Required field not provided', project_id: PROJECT_ID, payment_id: 'q-1' });
    const noSuccessUrl = await refusal(signed(saleBody('q-2', { return_url: { decline: 'https://shop.example/fail' } })));
    t.same(noSuccessUrl.body.errors, [{ code: '2004', field: 'return_url.success', message: 'Required field not provided' }]);
    const bare = saleBody('q-3', { customer: { id: 'c-1', ip_address: '203.0.113.7' } });
    delete bare.return_url;
    const neither = await refusal(signed(bare));
    t.equal(neither.status, 400);
    t.same(neither.body.errors.map((e: { field: string }) => e.field), ['customer.email', 'return_url.success']);
  });
  t.test('the sibling wallets keep their own lists: a GCash sale needs neither field', async (t) => {
    const bare = saleBody('q-4', { customer: { id: 'c-1', ip_address: '203.0.113.7' } });
    delete bare.return_url;
    const r = await refusal(signed(bare), {}, '/v2/payment/wallet/gcash/sale');
    t.equal(r.status, 200);
    t.equal(r.body.status, 'success');
  });
  t.test('callback.delay over 600 is a field error', async (t) => {
    const r = await refusal(signed(saleBody('f-3', { callback: { delay: 601 } })));
    matchCounted(t, r.body, { code: '2004', errors: [{ field: 'callback.delay' }] });
  });
  t.test('a missing signature is 3262', async (t) => {
    const r = await refusal(saleBody('s-1'));
    t.equal(r.status, 401);
    matchCounted(t, r.body, { code: '3262', message: 'Empty signature', errors: [{ field: 'general.signature' }] });
  });
  t.test('a wrong signature is 3261 and shows the string the sandbox signed, never the secret', async (t) => {
    const r = await refusal(signed(saleBody('s-2'), 'wrong-secret'));
    t.equal(r.status, 401);
    t.match(r.body, { code: '3261', message: 'Invalid signature', sandbox: { signed_string: /general:payment_id:s-2;general:project_id:445;payment:amount:50000/ } });
    t.notMatch(JSON.stringify(r.body), SECRET);
  });
  t.test('an unknown project is 2442', async (t) => {
    const body = saleBody('p-1');
    body.general.project_id = 999;
    const r = await refusal(signed(body));
    t.equal(r.status, 401);
    matchCounted(t, r.body, { code: '2442', errors: [{ field: 'general.project_id' }] });
  });
  t.test('an unknown method is 2541', async (t) => {
    const r = await refusal(signed(saleBody('m-1')), {}, '/v2/payment/wallet/unknownpay/sale');
    t.equal(r.status, 404);
    t.match(r.body, { code: '2541', message: 'Unknown Payment Method' });
  });
  t.test('a payout on a method without payouts is refused', async (t) => {
    const r = await refusal(signed(payoutBody('m-2')), {}, '/v2/payment/wallet/gcash/payout');
    t.match(r.body, { code: '3610' });
  });
  t.test('a currency that is not ISO 4217 is 3121; one without a rate to PHP is 3023', async (t) => {
    matchCounted(t, (await refusal(signed(saleBody('c-1', { payment: { amount: 5000, currency: 'peso' } })))).body, { code: '3121', errors: [{ field: 'payment.currency' }] });
    matchCounted(t, (await refusal(signed(saleBody('c-2', { payment: { amount: 5000, currency: 'XAU' } })))).body, { code: '3023', errors: [{ field: 'payment.currency' }] });
  });
  t.test('a duplicate payment_id is 3041, while one whose first request was refused may be reused', async (t) => {
    t.equal((await refusal(saleBody('dup-1'))).body.code, '3262');
    t.equal((await refusal(signed(saleBody('dup-1')))).status, 200, 'reused after a refusal');
    const again = await refusal(signed(saleBody('dup-1')));
    t.equal(again.status, 409);
    t.match(again.body, { code: '3041', message: 'Payment ID already exists' });
    t.equal((await sandbox.callbacks.list({ paymentId: 'dup-1', limit: 10, offset: 0 })).length, 1, 'the accepted payment and its callback are intact');
  });
  t.test('a payout account number must be 11 digits starting with 09, and the customer name is required', async (t) => {
    const badNumber = await refusal(signed(payoutBody('a-1', { account: { number: '9171234567', customer_name: 'Juan' } })), {}, '/v2/payment/wallet/paymaya/payout');
    matchCounted(t, badNumber.body, { code: '2004', errors: [{ field: 'account.number' }] });
    const noName = await refusal(signed(payoutBody('a-2', { account: { number: '09171234567' } })), {}, '/v2/payment/wallet/paymaya/payout');
    matchCounted(t, noName.body, { code: '2004', errors: [{ field: 'account.customer_name' }] });
  });
  t.test('refunds are refused on PayMaya through both refund routes', async (t) => {
    await refusal(signed(saleBody('r-1')));
    const refund = { general: { project_id: PROJECT_ID, payment_id: 'r-1' }, payment: { amount: 100, currency: 'PHP' } };
    const byMethod = await refusal(signed(refund), {}, '/v2/payment/wallet/paymaya/refund');
    t.equal(byMethod.status, 400);
    t.match(byMethod.body, { code: '3610', message: 'Refund unavailable for the current operation' });
    t.match((await refusal(signed(refund), {}, '/v2/payment/refund')).body, { code: '3610' });
    const unknown = { general: { project_id: PROJECT_ID, payment_id: 'r-404' }, payment: { amount: 100, currency: 'PHP' } };
    t.match((await refusal(signed(unknown), {}, '/v2/payment/refund')).body, { code: '3061' });
  });
  t.test('nothing was stored for refused requests', async (t) => {
    for (const id of ['f-1', 'f-2', 's-1', 's-2', 'm-1', 'c-1', 'c-2', 'a-1', 'q-1', 'q-2', 'q-3']) t.equal(await sandbox.lookup.find(PROJECT_ID, id), undefined, id);
  });
});
