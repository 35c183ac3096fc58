// Host-to-host card payments through the Gate over real HTTP, every request signed by the official SDK and every
// callback verified by its Callback: 3-D Secure 2 (Method iframe, 3ds_check_iframe, the challenge redirect,
// 3ds_result), saved cards and COF debits, status by request id, clarification, account verification, and
// every refusal of a step out of order.
import t from 'tap';
import type { FastifyInstance } from 'fastify';
import { buildTestSandbox, flush, PROJECT_ID, SECRET } from '../helpers/sandbox.js';
import { startReceiver, type Receiver } from '../helpers/receiver.js';
import { post, SdkCallback, sdkSigner, signed } from '../helpers/gate-client.js';
import { matchCounted, noneOf } from '../helpers/promises.js';

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const SHOP = 'https://shop.example';

function cardBody(paymentId: string, pan: string, extra: Record<string, unknown> = {}) {
  return {
    general: { project_id: PROJECT_ID, payment_id: paymentId },
    card: { pan, year: 2030, month: 12, card_holder: 'JUAN DELA CRUZ', cvv: '123' },
    customer: { id: 'cust-9', ip_address: '203.0.113.7' },
    payment: { amount: 50000, currency: 'PHP', description: 'Order' },
    ...extra,
  };
}

const gate = (app: FastifyInstance, path: string, body: { general: Record<string, unknown> } & Record<string, unknown>) => post(app, `/v2/payment/${path}`, signed(body));
const step = (app: FastifyInstance, path: string, paymentId: string, extra: Record<string, unknown>) => gate(app, path, { general: { project_id: PROJECT_ID, payment_id: paymentId }, ...extra });
const callbacks = (receiver: Receiver) => receiver.received.map((r) => new SdkCallback(SECRET, r.body).callback as Record<string, any>);

t.test('extended 3-D Secure 2: the Method iframe callback, 3ds_check_iframe, the challenge redirect, the ACS page, cres back to the shop, 3ds_result, the final callback', async (t) => {
  const receiver = await startReceiver(t);
  const { app } = await buildTestSandbox(t);
  const acs = { acs_return_url: { return_url: `${SHOP}/3ds/return`, '3ds_notification_url': `${SHOP}/3ds/notify` } };
  const sale = await gate(app, 'card/sale', cardBody('h2h-1', '4314220000000056', { general: { project_id: PROJECT_ID, payment_id: 'h2h-1', merchant_callback_url: receiver.url }, ...acs }));
  t.match(sale, { status: 200, body: { status: 'success', payment_id: 'h2h-1', request_id: /-00000001$/ } });
  await flush(app);
  const [iframe] = callbacks(receiver);
  t.match(iframe, { payment: { status: 'awaiting 3ds result' }, operation: { type: 'sale', status: 'awaiting 3ds result', code: '9999' }, threeds2: { iframe: { url: /\/acs\/method\/[0-9a-f]{16}$/ } } });
  const methodData = iframe!.threeds2.iframe.params.threeDSMethodData as string;
  t.equal(iframe!.threeds2.iframe.params['3DSMethodData'], methodData, 'both spellings carry the same value');
  t.match(JSON.parse(Buffer.from(methodData, 'base64url').toString()), { threeDSMethodNotificationURL: `${SHOP}/3ds/notify` });
  const method = await app.inject({ method: 'POST', url: new URL(iframe!.threeds2.iframe.url).pathname, payload: new URLSearchParams({ threeDSMethodData: methodData }).toString(), headers: FORM });
  t.equal(method.statusCode, 200);
  t.match(method.body, `action="${SHOP}/3ds/notify"`, 'the Method page posts to the shop\'s notification address');
  t.match(method.headers['content-security-policy'], /script-src 'nonce-/, 'with its one script allowed');
  t.match(await step(app, 'card/3ds_result', 'h2h-1', { cres: 'x' }), { status: 400, body: { code: '3060' } }, '3ds_result before the challenge');
  const check = await step(app, 'card/3ds_check_iframe', 'h2h-1', { threeds_completion_indicator: true });
  t.match(check, { status: 200, body: { request_id: sale.body.request_id } }, 'the check answers with the sale\'s request id');
  t.match(await step(app, 'card/3ds_check_iframe', 'h2h-1', { threeds_completion_indicator: true }), { status: 400, body: { code: '3060' } }, 'a second check');
  await flush(app);
  const redirect = callbacks(receiver)[1]!;
  t.match(redirect, { payment: { status: 'awaiting 3ds result' }, threeds2: { redirect: { url: /\/acs\/challenge\/[0-9a-f]{16}$/, params: { creq: /^[A-Za-z0-9_-]+$/, threeDSSessionData: String(redirect.operation.id) } } } });
  const creq = JSON.parse(Buffer.from(redirect.threeds2.redirect.params.creq, 'base64url').toString());
  t.match(creq, { messageType: 'CReq', messageVersion: '2.2.0', challengeWindowSize: '05' });
  const challengePath = new URL(redirect.threeds2.redirect.url).pathname;
  const page = await app.inject({ method: 'POST', url: challengePath, payload: new URLSearchParams(redirect.threeds2.redirect.params).toString(), headers: FORM });
  t.match(page.body, /Verify your payment/);
  const token = challengePath.split('/').pop() as string;
  const answered = await app.inject({ method: 'POST', url: '/acs/challenge', payload: new URLSearchParams({ tokenid: token, code: '1234', action: 'approve' }).toString(), headers: FORM });
  t.match(answered.body, `action="${SHOP}/3ds/return"`, 'the ACS sends the customer back to the shop');
  const cres = /name="cres" value="([^"]+)"/.exec(answered.body)?.[1] as string;
  t.match(answered.body, `name="threeDSSessionData" value="${redirect.operation.id}"`);
  t.match(JSON.parse(Buffer.from(cres, 'base64url').toString()), { messageType: 'CRes', transStatus: 'Y' });
  matchCounted(t, await step(app, 'card/3ds_result', 'h2h-1', { cres: `${cres}x` }), { status: 400, body: { code: '2004', errors: [{ field: 'cres' }] } }, 'a cres not issued for it');
  t.match(await step(app, 'card/3ds_result', 'h2h-1', { cres }), { status: 200, body: { request_id: sale.body.request_id } });
  t.match(await step(app, 'card/3ds_result', 'h2h-1', { cres }), { status: 400, body: { code: '3060' } }, 'the same cres again');
  await flush(app);
  t.equal(receiver.received.length, 3);
  t.match(callbacks(receiver)[2], { payment: { status: 'success' }, operation: { status: 'success', eci: '05' }, mpi_result: { authentication_flow: '02' } });
});

t.test('basic 3-D Secure 2 without a notification address: a frictionless card ends at once, a challenge card goes straight to the redirect', async (t) => {
  const receiver = await startReceiver(t);
  const { app } = await buildTestSandbox(t);
  const cb = { general: { project_id: PROJECT_ID, merchant_callback_url: receiver.url } };
  await gate(app, 'card/sale', cardBody('fr-1', '4477000000000006', { general: { ...cb.general, payment_id: 'fr-1' } }));
  await gate(app, 'card/sale', cardBody('ch-1', '5413330000000019', { general: { ...cb.general, payment_id: 'ch-1' }, acs_return_url: { return_url: `${SHOP}/back` } }));
  await gate(app, 'card/sale', cardBody('dc-1', '4012000000020063', { general: { ...cb.general, payment_id: 'dc-1' } }));
  await flush(app);
  const byId = (id: string) => callbacks(receiver).filter((c) => c.payment.id === id);
  matchCounted(t, byId('fr-1'), [{ payment: { status: 'success' }, operation: { eci: '05' }, mpi_result: { authentication_flow: '01' } }]);
  t.equal(byId('fr-1').length, 1, 'one callback');
  matchCounted(t, byId('ch-1'), [{ payment: { status: 'awaiting 3ds result' }, threeds2: { redirect: { url: /\/acs\/challenge\// } } }]);
  matchCounted(t, byId('dc-1'), [{ payment: { status: 'decline' }, operation: { code: '10114' } }], 'a frictionless decline card');
  t.match(await step(app, 'card/3ds_check_iframe', 'ch-1', { threeds_completion_indicator: false }), { status: 400, body: { code: '3060' } }, 'no Method step to check');
  matchCounted(t, await step(app, 'card/3ds_check_iframe', 'ch-1', { threeds_completion_indicator: 'yes' }), { status: 400, body: { code: '2004', errors: [{ field: 'threeds_completion_indicator' }] } });
  await app.inject({ method: 'POST', url: '/_sandbox/clock/advance', payload: { seconds: 1800 } });
  t.match(byId('ch-1')[1], { payment: { status: 'decline' }, operation: { code: '108' } }, 'nobody finished: 108 at the limit time');
  t.match(await step(app, 'card/3ds_result', 'ch-1', { cres: 'late' }), { status: 400, body: { code: '3060' } }, 'a step after the limit time');
});

t.test('a saved card: the sale registers it (id, never the number), three debits on the manual clock, declines by its state and card', async (t) => {
  const receiver = await startReceiver(t);
  const { app } = await buildTestSandbox(t);
  const general = (id: string) => ({ project_id: PROJECT_ID, payment_id: id, merchant_callback_url: receiver.url });
  await gate(app, 'card/sale', cardBody('reg-1', '4000000000000077', { general: general('reg-1'), recurring_register: true, recurring: { register: true, type: 'R' } }));
  await gate(app, 'card/sale', cardBody('reg-2', '4000000000000119', { general: general('reg-2'), recurring_register: 1 }));
  await flush(app);
  const registered = callbacks(receiver).find((c) => c.payment.id === 'reg-1')!;
  t.match(registered, { payment: { status: 'success' }, recurring: { id: /^\d+$/ as unknown as number, currency: 'PHP', valid_thru: '2030-12-31T23:59:59+0000' } });
  const recurringId = registered.recurring.id as number;
  const failingId = callbacks(receiver).find((c) => c.payment.id === 'reg-2')!.recurring.id as number;
  const debit = (id: string, extra: Record<string, unknown>) => gate(app, 'card/recurring', { general: general(id), payment: { amount: 10000, currency: 'PHP' }, customer: { id: 'cust-9', ip_address: '203.0.113.7' }, ...extra });
  for (const [n, day] of [[1, 0], [2, 30], [3, 30]] as const) {
    await app.inject({ method: 'POST', url: '/_sandbox/clock/advance', payload: { seconds: day * 86400 } });
    t.match(await debit(`debit-${n}`, n === 2 ? { recurring_id: recurringId } : { recurring: { id: recurringId } }), { status: 200 }, `debit ${n}`);
  }
  t.match(await debit('debit-x', { recurring: { id: failingId } }), { status: 200 });
  t.match(await debit('debit-y', { recurring: { id: 999 } }), { status: 404, body: { code: '3181' } }, 'an unknown saved card');
  t.match(await debit('debit-z', { recurring: { id: recurringId }, payment: { amount: 100, currency: 'USD' } }), { status: 400, body: { code: '3121' } }, 'another currency');
  matchCounted(t, await debit('debit-w', { recurring: { id: recurringId }, recurring_id: recurringId + 1 }), { status: 400, body: { code: '2004', errors: [{ field: 'recurring_id' }] } });
  await flush(app);
  const debits = callbacks(receiver).filter((c) => String(c.payment.id).startsWith('debit-'));
  t.same(debits.map((c) => [c.payment.id, c.payment.type, c.operation.type, c.payment.status, c.operation.code]).sort(), [
    ['debit-1', 'recurring', 'recurring', 'success', '0'], ['debit-2', 'recurring', 'recurring', 'success', '0'], ['debit-3', 'recurring', 'recurring', 'success', '0'],
    ['debit-x', 'recurring', 'recurring', 'decline', '10102'],
  ]);
  t.match(debits[0], { account: { number: '400000******0077', type: 'visa' }, operation: { eci: '07' } });
  noneOf(t, receiver.received, 3, (r) => r.body.includes('4000000000000077'), 'no callback carries the number');
  const cancel = await app.inject({ method: 'POST', url: `/_sandbox/recurring/${PROJECT_ID}/${recurringId}/cancel`, payload: { by: 'merchant' } });
  t.equal(cancel.statusCode, 200);
  await debit('debit-after-cancel', { recurring: { id: recurringId } });
  await flush(app);
  t.match(callbacks(receiver).find((c) => c.payment.id === 'debit-after-cancel'), { payment: { status: 'decline' }, operation: { code: '3184' } });
});

t.test('a saved card past its valid_thru (its card\'s expiry month, or recurring.expiry_* when given) declines its debit with 3301; one cancelled at the issuer with 10110 (D17, D18)', async (t) => {
  const receiver = await startReceiver(t);
  const { app } = await buildTestSandbox(t);
  const general = (id: string) => ({ project_id: PROJECT_ID, payment_id: id, merchant_callback_url: receiver.url });
  // The sandbox clock starts in January 2026: a card expiring 01/2026 is still good for the sale that saves it.
  const expiring = cardBody('exp-1', '4000000000000077', { general: general('exp-1'), recurring_register: true });
  await gate(app, 'card/sale', { ...expiring, card: { ...expiring.card, year: 2026, month: 1 } });
  await gate(app, 'card/sale', cardBody('iss-1', '4000000000000077', { general: general('iss-1'), recurring_register: true }));
  await gate(app, 'card/sale', cardBody('named-1', '4000000000000077', { general: general('named-1'), recurring: { register: true, type: 'R', expiry_month: 1, expiry_year: 2026 } }));
  const half = await gate(app, 'card/sale', cardBody('half-1', '4000000000000077', { general: general('half-1'), recurring: { register: true, expiry_month: 1 } }));
  matchCounted(t, half, { status: 400, body: { code: '2004', errors: [{ field: 'recurring.expiry_year' }] } }, 'a month without its year');
  await flush(app);
  const registration = (id: string) => callbacks(receiver).find((c) => c.payment.id === id)!.recurring as { id: number; valid_thru: string };
  t.equal(registration('exp-1').valid_thru, '2026-01-31T23:59:59+0000', 'valid to the end of the card\'s expiry month');
  t.equal(registration('named-1').valid_thru, '2026-01-31T23:59:59+0000', 'or of the month the request named (the card runs to 12/2030)');
  t.equal(registration('iss-1').valid_thru, '2030-12-31T23:59:59+0000');
  const cancel = await app.inject({ method: 'POST', url: `/_sandbox/recurring/${PROJECT_ID}/${registration('iss-1').id}/cancel`, payload: { by: 'issuer' } });
  t.equal(cancel.statusCode, 200);
  await app.inject({ method: 'POST', url: '/_sandbox/clock/advance', payload: { seconds: 31 * 24 * 3600 } });
  const debit = (id: string, recurringId: number) => gate(app, 'card/recurring', { general: general(id), payment: { amount: 10000, currency: 'PHP' }, customer: { id: 'cust-9', ip_address: '203.0.113.7' }, recurring: { id: recurringId } });
  t.match(await debit('exp-debit', registration('exp-1').id), { status: 200 }, 'accepted, then declined');
  t.match(await debit('iss-debit', registration('iss-1').id), { status: 200 });
  t.match(await debit('named-debit', registration('named-1').id), { status: 200 });
  await flush(app);
  const finalOf = (id: string) => callbacks(receiver).filter((c) => c.payment.id === id).map((c) => [c.payment.type, c.payment.status, c.operation.code, c.operation.message]);
  t.same(finalOf('exp-debit'), [['recurring', 'decline', '3301', 'Recurring registration is expired']]);
  t.same(finalOf('iss-debit'), [['recurring', 'decline', '10110', 'Subscription is canceled by customer on the issuer side']]);
  t.same(finalOf('named-debit'), [['recurring', 'decline', '3301', 'Recurring registration is expired']]);
});

t.test('status by request id: any accepted request\'s id finds its payment, signed at the top level both ways', async (t) => {
  const { app } = await buildTestSandbox(t);
  const sale = await gate(app, 'card/auth', cardBody('sr-1', '4000000000000077'));
  const capture = await step(app, 'card/capture', 'sr-1', { payment: { amount: 20000, currency: 'PHP' } });
  for (const requestId of [sale.body.request_id, capture.body.request_id]) {
    const body = { project_id: PROJECT_ID, request_id: requestId };
    const answer = await post(app, '/v2/payment/status/request', { ...body, signature: sdkSigner(body, SECRET) });
    t.match(answer, { status: 200, body: { payment: { id: 'sr-1', status: 'success', sum: { amount: 20000 } } } });
    t.ok(new SdkCallback(SECRET, JSON.stringify(answer.body)), 'the answer is signed');
  }
  const unknown = { project_id: PROJECT_ID, request_id: 'nope' };
  t.match(await post(app, '/v2/payment/status/request', { ...unknown, signature: sdkSigner(unknown, SECRET) }), { status: 404, body: { code: '3061' } });
  t.match(await post(app, '/v2/payment/status/request', { ...unknown, signature: sdkSigner(unknown, 'wrong') }), { status: 401, body: { code: '3261' } });
});

t.test('clarification: the payment awaits the AVS data it lists, goes on once it has it, refuses what it did not ask, declines 603 without it', async (t) => {
  const receiver = await startReceiver(t);
  const { app } = await buildTestSandbox(t);
  const customer = { id: 'cust-9', ip_address: '203.0.113.7', email: 'clarify+1@example.ph' };
  for (const id of ['cl-1', 'cl-2']) await gate(app, 'card/sale', cardBody(id, '4000000000000077', { general: { project_id: PROJECT_ID, payment_id: id, merchant_callback_url: receiver.url }, customer }));
  await flush(app);
  matchCounted(t, callbacks(receiver)[0], { payment: { status: 'awaiting clarification' }, operation: { code: '9999' }, clarification_fields: { avs_data: { type: 'object', required: ['avs_post_code', 'avs_street_address'] } } });
  matchCounted(t, await step(app, 'clarification', 'cl-1', { additional_data: { avs_data: { avs_post_code: '1000' } } }), { status: 400, body: { code: '2004', errors: [{ field: 'additional_data.avs_data.avs_street_address' }] } });
  const unasked = await step(app, 'clarification', 'cl-1', { additional_data: { avs_data: { avs_post_code: '1000', avs_street_address: '1 Ayala Ave', avs_city: 'Makati' } } });
  matchCounted(t, unasked, { status: 400, body: { code: '2004', errors: [{ field: 'additional_data.avs_data.avs_city', message: 'Not asked for: the platform asked for avs_post_code, avs_street_address' }] } }, 'a member it did not ask for');
  t.equal(callbacks(receiver).filter((c) => c.payment.id === 'cl-1').length, 1, 'refused answers change nothing');
  t.match(await step(app, 'clarification', 'cl-1', { additional_data: { avs_data: { avs_post_code: '1000', avs_street_address: '1 Ayala Ave' } } }), { status: 200 });
  t.match(await step(app, 'clarification', 'cl-1', { additional_data: { avs_data: { avs_post_code: '1000', avs_street_address: '1 Ayala Ave' } } }), { status: 400, body: { code: '3060' } }, 'not awaiting any more');
  await app.inject({ method: 'POST', url: '/_sandbox/clock/advance', payload: { seconds: 1800 } });
  const byId = (id: string) => callbacks(receiver).filter((c) => c.payment.id === id).map((c) => [c.payment.status, c.operation.code]);
  t.same(byId('cl-1'), [['awaiting clarification', '9999'], ['success', '0']], 'no processing callback between');
  t.same(byId('cl-2'), [['awaiting clarification', '9999'], ['decline', '603']]);
  t.match(await step(app, 'clarification', 'cl-2', { additional_data: { avs_data: { avs_post_code: '1000', avs_street_address: '1 Ayala Ave' } } }), { status: 400, body: { code: '3060' } }, 'an answer after the limit time');
});

t.test('account verification checks a card for 0 and can save it; its operation says so', async (t) => {
  const receiver = await startReceiver(t);
  const { app } = await buildTestSandbox(t);
  const answer = await gate(app, 'card/account_verification', cardBody('av-1', '5555555555554444', {
    general: { project_id: PROJECT_ID, payment_id: 'av-1', merchant_callback_url: receiver.url }, payment: { amount: 0, currency: 'PHP' }, recurring_register: true,
  }));
  t.equal(answer.status, 200);
  matchCounted(t, await gate(app, 'card/sale', cardBody('zero', '5555555555554444', { payment: { amount: 0, currency: 'PHP' } })), { status: 400, body: { code: '2004', errors: [{ field: 'payment.amount' }] } }, 'a sale of 0 is refused');
  await flush(app);
  t.match(callbacks(receiver)[0], { payment: { type: 'purchase', status: 'success', sum: { amount: 0 } }, operation: { type: 'account verification', status: 'success', eci: '00' }, recurring: { currency: 'PHP' } });
});
