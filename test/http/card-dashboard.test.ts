// Card payments in the dashboard over real HTTP: the list and its filters know the card statuses and methods; a
// card payment's page shows the card, 3-D Secure and exactly the forms its status allows; capture, cancel and
// refund from the page (CSRF-protected, amounts in major units), a refusal shown on the page with its code.
import t from 'tap';
import type { FastifyInstance } from 'fastify';
import { buildTestSandbox, flush, PROJECT_ID } from '../helpers/sandbox.js';
import { answerChallenge, cardPayment } from '../helpers/card-client.js';
import { DashboardClient } from '../helpers/dashboard-client.js';
import { atLeast, matchCounted } from '../helpers/promises.js';

const detail = (paymentId: string) => `/dashboard/payments/${PROJECT_ID}/${paymentId}`;

async function control(app: FastifyInstance, paymentId: string, action: string, payload: object = {}) {
  const response = await app.inject({ method: 'POST', url: `/_sandbox/payments/${PROJECT_ID}/${paymentId}/${action}`, payload });
  if (response.statusCode !== 200) throw new Error(response.body);
}

/** One card payment in each status a card payment can be in. */
async function everyStatus(app: FastifyInstance): Promise<void> {
  await cardPayment(app, 'in-processing', { amount: 10003 });
  await cardPayment(app, 'in-3ds', { first: 'auth', pan: '4314220000000056' });
  await answerChallenge(app, await cardPayment(app, 'on-hold', { first: 'auth', pan: '4314220000000056' }));
  await cardPayment(app, 'paid', { pan: '5252000000000004' });
  await cardPayment(app, 'declined', { pan: '4111111111111111' });
  await cardPayment(app, 'released', { first: 'auth' });
  await control(app, 'released', 'cancel');
  await cardPayment(app, 'part-refunded', {});
  await control(app, 'part-refunded', 'refund', { amount: 10000, currency: 'PHP' });
  await cardPayment(app, 'refunded', {});
  await control(app, 'refunded', 'refund', { amount: 50000, currency: 'PHP' });
  await flush(app);
}

/** The action forms on a payment's page, by the last part of their address. */
function actionForms(body: string): string[] {
  return [...body.matchAll(/<form method="post" action="\/dashboard\/payments\/\d+\/[^"]+\/(complete|capture|cancel|refund)"/g)].map((m) => m[1] as string);
}

/** The text of an element with an id, tags removed. */
function textOf(body: string, id: string): string | undefined {
  const match = new RegExp(`id="${id}"[^>]*>(.*?)</(dd|div|span)>`, 's').exec(body);
  return match?.[1]?.replace(/<[^>]+>/g, '').replaceAll('&#39;', '\'').trim();
}

t.test('a card payment\'s page shows its card and 3-D Secure, and at each status exactly the actions the state machine allows', async (t) => {
  const { app } = await buildTestSandbox(t);
  await everyStatus(app);
  const client = new DashboardClient(app);
  const expected: Array<[string, string, string[], Record<string, string>]> = [
    ['in-processing', 'processing', ['complete'], { 'card-threeds': 'Not used (the card has no 3-D Secure)', 'card-eci': '—' }],
    ['in-3ds', 'awaiting 3ds result', ['complete'], { 'card-threeds': 'Challenge: waiting for the customer at the bank\'s page', 'card-eci': '—' }],
    ['on-hold', 'awaiting capture', ['capture', 'cancel'], { 'card-threeds': 'Challenge (authentication_flow 02)', 'card-eci': '05', 'card-hold': '₱500.00' }],
    ['paid', 'success', ['refund'], { 'card-brand': 'Mastercard', 'card-threeds': 'Frictionless (authentication_flow 01)', 'card-eci': '02', 'card-debited': '₱500.00', 'card-refundable': '₱500.00' }],
    ['declined', 'decline', [], { 'card-threeds': 'Not used (the card has no 3-D Secure)', 'card-eci': '—' }],
    ['released', 'canceled', [], { 'card-hold': '₱500.00', 'card-operation': 'auth (two-step: a hold, then capture or cancel)' }],
    ['part-refunded', 'partially refunded', ['refund'], { 'card-debited': '₱500.00', 'card-refunded': '₱100.00', 'card-refundable': '₱400.00' }],
    ['refunded', 'refunded', [], { 'card-refunded': '₱500.00', 'card-refundable': '₱0.00', 'card-operation': 'sale (one step)' }],
  ];
  for (const [paymentId, status, forms, facts] of expected) {
    const page = await client.get(detail(paymentId));
    t.equal(page.statusCode, 200, paymentId);
    t.match(page.body, `id="payment-status"><span class="badge status-${status.replaceAll(' ', '-')}">${status}</span>`, `${paymentId}: a ${status} badge`);
    t.same(actionForms(page.body), forms, `${paymentId} (${status}): ${forms.length === 0 ? 'no action' : forms.join(', ')}`);
    for (const [id, text] of atLeast(t, Object.entries(facts), 2, `${paymentId}: facts`)) t.equal(textOf(page.body, id), text, `${paymentId}: ${id}`);
  }
  const hold = await client.get(detail('on-hold'));
  t.equal(textOf(hold.body, 'card-number'), '431422******0056');
  t.equal(textOf(hold.body, 'card-brand'), 'Visa');
  t.equal(textOf(hold.body, 'card-holder'), 'JUAN DELA CRUZ');
  t.equal(textOf(hold.body, 'card-expiry'), '12/2030');
  t.notMatch(hold.body, /4314220000000056/, 'never the number itself');
  t.match(hold.body, /<button type="submit">Capture<\/button>/);
  t.match(hold.body, /<button type="submit">Cancel the hold<\/button>/);
  t.match(hold.body, /placeholder="500\.00"/, 'the hold in major units, as the form takes it');
  t.match((await client.get(detail('paid'))).body, /<button type="submit">Refund<\/button>/);
});

t.test('a card payment in progress is offered the card\'s declines to force, not the wallets\'; forcing one declines it with that code', async (t) => {
  const { app } = await buildTestSandbox(t);
  await cardPayment(app, 'waiting', { first: 'auth', pan: '4314220000000056' });
  const client = new DashboardClient(app);
  const page = await client.get(detail('waiting'));
  const offered = [...page.body.matchAll(/<option value="([^"]+)">/g)].map((m) => m[1]);
  t.same(offered, ['success', 'decline:10000', 'decline:10101', 'decline:10602', 'decline:10114', 'decline:104', 'decline:10104', 'decline:108', 'decline:603', 'decline:10105', 'external error:10100', 'internal error:501'],
    'from data/methods/card.json: general decline first, then the limit, time-out, 3-D Secure, ACS and clarification declines; then the card scenarios\' (insufficient funds, the acquirer\'s external error 10100, not the wallet\'s 20100) and the internal error');
  t.match(page.body, /Decline 10114 — Declined by 3DS Check/);
  t.equal((await client.post(`${detail('waiting')}/complete`, { outcome: 'decline:20000' })).statusCode, 400, 'a wallet decline is not a choice here');
  t.equal((await client.post(`${detail('waiting')}/complete`, { outcome: 'decline:10104' })).statusCode, 303);
  const report = (await app.inject({ url: `/_sandbox/payments/${PROJECT_ID}/waiting` })).json() as Record<string, any>;
  matchCounted(t, report, { payment: { status: 'decline' }, operations: [{ type: 'auth', status: 'decline', code: '10104', message: 'Incorrect 3DS password' }] });
  await cardPayment(app, 'other', { first: 'auth', pan: '4314220000000056' });
  const byApi = (await app.inject({ method: 'POST', url: `/_sandbox/payments/${PROJECT_ID}/other/complete`, payload: { status: 'decline' } })).json() as Record<string, any>;
  matchCounted(t, byApi.operations, [{ code: '10000', message: 'General decline' }], 'the control API\'s decline without a code is the card\'s general decline');
});

t.test('capture, cancel and refund from a card payment\'s page: amounts in major units, CSRF only, each refusal shown on the page with its code and what was typed', async (t) => {
  const { app } = await buildTestSandbox(t);
  await cardPayment(app, 'hold-1', { first: 'auth' });
  const client = new DashboardClient(app);
  await client.get(detail('hold-1'));
  t.equal((await client.post(`${detail('hold-1')}/cancel`, { amount: '100.00' }, false)).statusCode, 403, 'no CSRF token, no action');
  const released = await client.post(`${detail('hold-1')}/cancel`, { amount: '100.00' });
  t.equal(released.statusCode, 303);
  t.equal(released.headers.location, detail('hold-1'));
  t.equal(textOf((await client.get(detail('hold-1'))).body, 'card-hold'), '₱400.00', 'part of the hold released');

  const tooMuch = await client.post(`${detail('hold-1')}/capture`, { amount: '400.01' });
  t.equal(tooMuch.statusCode, 400);
  t.equal(textOf(tooMuch.body, 'card-action-error'), 'The capture was refused: 2642 Operation amount is greater than limitAmount: ₱400.01 is more than the ₱400.00 held');
  t.match(tooMuch.body, /role="alert" id="card-action-error"/);
  t.match(tooMuch.body, /id="capture-amount" name="amount" inputmode="decimal" placeholder="400\.00" value="400\.01" aria-invalid="true" aria-describedby="card-action-error"/, 'the amount typed stays, marked');
  t.match(tooMuch.body, /id="cancel-amount" name="amount" inputmode="decimal" placeholder="400\.00" value="">/, 'the other form is left alone');
  const notAnAmount = await client.post(`${detail('hold-1')}/capture`, { amount: 'lots' });
  t.equal(notAnAmount.statusCode, 400);
  t.equal(textOf(notAnAmount.body, 'card-action-error'), 'The capture was refused: 2004 Required field not providedAmount: Amount must be a number such as 100.50 (PHP)');

  t.equal((await client.post(`${detail('hold-1')}/capture`, { amount: '' })).statusCode, 303, 'an empty amount captures the whole hold');
  const captured = await client.get(detail('hold-1'));
  t.equal(textOf(captured.body, 'card-debited'), '₱400.00');
  t.same(actionForms(captured.body), ['refund']);

  t.equal((await client.post(`${detail('hold-1')}/refund`, { amount: '50', merchant_refund_id: 'desk-1' })).statusCode, 303);
  const again = await client.post(`${detail('hold-1')}/refund`, { amount: '50', merchant_refund_id: 'desk-1' });
  t.equal(again.statusCode, 409);
  t.equal(textOf(again.body, 'card-action-error'), 'The refund was refused: 3230 The operation with such merchant_refund_id already existsMerchant refund id: A refund "desk-1" of this payment exists'.replaceAll('"', '&quot;'));
  t.match(again.body, /id="refund-id" name="merchant_refund_id" value="desk-1"/);
  const late = await client.post(`${detail('hold-1')}/capture`, { amount: '' });
  t.equal(late.statusCode, 400);
  t.match(textOf(late.body, 'card-action-error'), /^The capture was refused: 3060 Current payment or operation status does not allow this action/, 'a form posted after the status moved on is refused with 3060');
  t.equal((await client.post(`${detail('hold-1')}/refund`, { amount: '350.00' })).statusCode, 303);
  const refunded = await client.get(detail('hold-1'));
  t.match(refunded.body, /id="payment-status"><span class="badge status-refunded">refunded<\/span>/);
  t.same(actionForms(refunded.body), [], 'nothing left to do');
  const amounts = [...refunded.body.matchAll(/<tr><td>\d+<\/td><td>([a-z]+)<\/td><td><span class="badge [^"]+">[a-z]+<\/span>\s*<\/td><td class="num">([^<]+)<\/td>/g)].map((m) => `${m[1]} ${m[2]}`);
  t.same(amounts, ['auth ₱500.00', 'cancel ₱100.00', 'capture ₱400.00', 'refund ₱50.00', 'refund ₱350.00'], 'each operation with its own amount');

  const audit = await client.get('/dashboard/audit');
  t.match(audit.body, /payment\.cancel[\s\S]*payment_id: hold-1, request_id: [0-9a-f]{40}-00000002, amount: 10000, currency: PHP/);
  t.match(audit.body, /payment\.refund[\s\S]*merchant_refund_id: desk-1/);
  const wallet = await client.post(`/dashboard/payments/${PROJECT_ID}/nothing/refund`, { amount: '1' });
  t.equal(wallet.statusCode, 404, 'no such payment');
});

t.test('the Payments list filters by the card statuses and methods and shows their badges', async (t) => {
  const { app } = await buildTestSandbox(t);
  await everyStatus(app);
  const client = new DashboardClient(app);
  const list = await client.get('/dashboard/payments');
  for (const status of ['awaiting 3ds result', 'awaiting capture', 'canceled', 'partially refunded', 'refunded']) {
    t.match(list.body, `<option >${status}</option>`, `the status filter offers ${status}`);
    const filtered = await client.get(`/dashboard/payments?status=${encodeURIComponent(status)}`);
    t.equal(filtered.statusCode, 200);
    t.match(filtered.body, /1 payment\(s\)/, `one payment is ${status}`);
    t.match(filtered.body, `<span class="badge status-${status.replaceAll(' ', '-')}">${status}</span>`);
  }
  for (const [code, title] of [['card', 'Card'], ['applepay', 'Apple Pay'], ['googlepay', 'Google Pay']]) t.match(list.body, `<option value="${code}" >${title}</option>`);
  t.match((await client.get('/dashboard/payments?method=card')).body, /8 payment\(s\)/);
  t.match((await client.get('/dashboard/payments?method=applepay')).body, /0 payment\(s\)/);
  t.match((await client.get('/dashboard/payments?method=card&status=awaiting+capture')).body, /<option value="card" selected>Card<\/option>/, 'the chosen method stays chosen');
  t.equal((await client.get('/dashboard/payments?status=held')).statusCode, 400);
});
