// A card payment's 3-D Secure steps and saved cards in the dashboard and the control API, over real HTTP and SQLite:
// the steps of a Payment Page challenge, a frictionless card and a Gate payment's extended workflow as each moves
// on; saved cards listed, per customer, with the customer's payments, and a payment's page naming the saved card
// it registered or charged. Only masked numbers show.
import t from 'tap';
import type { FastifyInstance } from 'fastify';
import { buildTestSandbox, flush, PROJECT_ID } from '../helpers/sandbox.js';
import { answerChallenge, cardPayment } from '../helpers/card-client.js';
import { post, signed } from '../helpers/gate-client.js';
import { DashboardClient } from '../helpers/dashboard-client.js';
import { matchCounted } from '../helpers/promises.js';

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const SHOP = 'https://shop.example';
const detail = (paymentId: string) => `/dashboard/payments/${PROJECT_ID}/${paymentId}`;

/** The rows of the page's 3-D Secure steps table: step, state, time, what happened. */
function stepsOf(body: string): string[][] {
  const table = /<table id="threeds-steps"[\s\S]*?<tbody>([\s\S]*?)<\/tbody>/.exec(body)?.[1] ?? '';
  return [...table.matchAll(/<tr[^>]*>([\s\S]*?)<\/tr>/g)].map((row) => [...(row[1] ?? '').matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((cell) => (cell[1] ?? '').replaceAll('&#39;', '\'')));
}

function gateCard(paymentId: string, pan: string, extra: Record<string, unknown> = {}) {
  return signed({
    general: { project_id: PROJECT_ID, payment_id: paymentId },
    card: { pan, year: 2030, month: 12, card_holder: 'JUAN DELA CRUZ', cvv: '123' },
    customer: { id: 'cust-7', ip_address: '203.0.113.7' },
    payment: { amount: 50000, currency: 'PHP', description: 'Order' },
    ...extra,
  });
}
const step = (app: FastifyInstance, path: string, paymentId: string, extra: Record<string, unknown>) =>
  post(app, `/v2/payment/card/${path}`, signed({ general: { project_id: PROJECT_ID, payment_id: paymentId }, ...extra }));

async function report(app: FastifyInstance, paymentId: string): Promise<Record<string, any>> {
  return (await app.inject({ url: `/_sandbox/payments/${PROJECT_ID}/${paymentId}` })).json() as Record<string, any>;
}

t.test('a Payment Page challenge\'s steps: at the bank, a wrong code, then approved; a frictionless card authenticates at once; a card without 3-D Secure has no steps', async (t) => {
  const { app } = await buildTestSandbox(t);
  const client = new DashboardClient(app);
  const token = await cardPayment(app, 'pp-challenge', { pan: '4314220000000056' });
  await flush(app);
  const waiting = stepsOf((await client.get(detail('pp-challenge'))).body);
  t.same(waiting.map((r) => [r[0], r[1]]), [['Challenge', 'Done'], ['The customer at the bank', 'Waiting'], ['Authentication', 'Waiting']]);
  t.match(waiting[0]?.[2], /^2026-01-01T\d\d:\d\d:\d\d\.\d{3}Z$/, 'the challenge at the time of its callback');
  t.equal(waiting[1]?.[3], 'Waiting for the customer\'s answer (no wrong code so far)');
  const wrong = await app.inject({ method: 'POST', url: '/acs/challenge', payload: new URLSearchParams({ tokenid: token, code: '0000', action: 'approve' }).toString(), headers: FORM });
  t.equal(wrong.statusCode, 400, 'a wrong code');
  t.equal(stepsOf((await client.get(detail('pp-challenge'))).body)[1]?.[3], 'Waiting for the customer\'s answer (1 wrong code so far)');
  await answerChallenge(app, token);
  await flush(app);
  const done = stepsOf((await client.get(detail('pp-challenge'))).body);
  t.same(done.map((r) => [r[0], r[1]]), [['Challenge', 'Done'], ['The customer at the bank', 'Done'], ['Authentication', 'Done']]);
  t.equal(done[0]?.[3], 'The customer sent to the sandbox bank\'s page');
  t.equal(done[1]?.[3], 'The customer approved with the right code (1 wrong code)');
  t.match(done[2]?.[3], /^Authenticated \(authentication_flow 02, challenge\); MPI operation \S+$/);
  matchCounted(t, (await report(app, 'pp-challenge')).payment.card.threeds.steps, [{ step: 'Challenge', state: 'done' }, { step: 'The customer at the bank', state: 'done' }, { step: 'Authentication', state: 'done' }], 'the control API\'s report has the same steps');

  const declined = await cardPayment(app, 'pp-declined', { pan: '4314220000000056' });
  await answerChallenge(app, declined, 'decline');
  await flush(app);
  t.same(stepsOf((await client.get(detail('pp-declined'))).body).map((r) => [r[1], r[3]]), [
    ['Done', 'The customer sent to the sandbox bank\'s page'], ['Done', 'The customer did not authenticate (no wrong code)'], ['Done', 'Not authenticated: 10114 Declined by 3DS Check'],
  ]);

  await cardPayment(app, 'pp-frictionless', { pan: '4477000000000006' });
  await flush(app);
  const frictionless = stepsOf((await client.get(detail('pp-frictionless'))).body);
  t.same(frictionless.map((r) => [r[0], r[1]]), [['Authentication', 'Done']]);
  t.match(frictionless[0]?.[3], /^Authenticated \(authentication_flow 01, frictionless\)/);

  await cardPayment(app, 'pp-plain');
  await flush(app);
  const plain = await client.get(detail('pp-plain'));
  t.notMatch(plain.body, /id="threeds-steps"/, 'no steps table without 3-D Secure');
  t.same((await report(app, 'pp-plain')).payment.card.threeds.steps, []);
});

t.test('a Gate payment\'s extended workflow step by step: the Method iframe, 3ds_check_iframe, the redirect, the customer, 3ds_result', async (t) => {
  const { app } = await buildTestSandbox(t);
  const client = new DashboardClient(app);
  const acs = { acs_return_url: { return_url: `${SHOP}/3ds/return`, '3ds_notification_url': `${SHOP}/3ds/notify` } };
  t.equal((await post(app, '/v2/payment/card/sale', gateCard('h2h-steps', '4314220000000056', acs))).status, 200);
  await flush(app);
  const states = async () => stepsOf((await client.get(detail('h2h-steps'))).body);
  let rows = await states();
  t.same(rows.map((r) => [r[0], r[1]]), [['3DS Method iframe', 'Done'], ['3ds_check_iframe', 'Waiting'], ['Authentication', 'Waiting']]);
  t.match(rows[0]?.[2], /^2026-01-01T/, 'handed out at the time of the iframe callback');
  t.match(rows[0]?.[3], /\/acs\/method\/[0-9a-f]{16} handed to the shop in a callback; the shop's hidden iframe has not loaded it$/);
  t.equal(rows[1]?.[3], `Waiting for the shop's 3ds_check_iframe (notification address ${SHOP}/3ds/notify)`);
  const methodUrl = /(\/acs\/method\/[0-9a-f]{16})/.exec(rows[0]?.[3] ?? '')?.[1] as string;
  await app.inject({ method: 'POST', url: methodUrl, payload: '', headers: FORM });
  t.match((await states())[0]?.[3], /the shop's hidden iframe loaded it$/);

  t.equal((await step(app, '3ds_check_iframe', 'h2h-steps', { threeds_completion_indicator: true })).status, 200);
  await flush(app);
  rows = await states();
  t.same(rows.map((r) => [r[0], r[1]]), [['3DS Method iframe', 'Done'], ['3ds_check_iframe', 'Done'], ['Challenge redirect', 'Done'], ['The customer at the bank', 'Waiting'], ['3ds_result', 'Not yet'], ['Authentication', 'Waiting']]);
  t.equal(rows[5]?.[3], 'Not decided yet: the customer has not met the challenge');
  t.match(rows[2]?.[3], new RegExp(`^The customer sent to \\S+/acs/challenge/[0-9a-f]{16} through the shop, back to ${SHOP}/3ds/return$`));
  t.match(rows[2]?.[2], /^2026-01-01T/, 'the redirect at the time of its callback');

  const token = /\/acs\/challenge\/([0-9a-f]{16})/.exec(rows[2]?.[3] ?? '')?.[1] as string;
  const answered = await app.inject({ method: 'POST', url: '/acs/challenge', payload: new URLSearchParams({ tokenid: token, code: '1234', action: 'approve' }).toString(), headers: FORM });
  const cres = /name="cres" value="([^"]+)"/.exec(answered.body)?.[1] as string;
  rows = await states();
  t.same(rows.slice(3).map((r) => [r[0], r[1], r[3]]), [
    ['The customer at the bank', 'Done', 'The customer approved with the right code (no wrong code)'],
    ['3ds_result', 'Waiting', 'Waiting for the shop\'s 3ds_result with the cres'],
    ['Authentication', 'Waiting', 'The bank\'s verdict is kept until the shop\'s 3ds_result (authentication_flow 02)'],
  ], 'the customer answered; the shop has not sent 3ds_result yet');

  t.equal((await step(app, '3ds_result', 'h2h-steps', { cres })).status, 200);
  await flush(app);
  rows = await states();
  t.same(rows.map((r) => r[1]), ['Done', 'Done', 'Done', 'Done', 'Done', 'Done'], 'every step done');
  t.equal(rows[4]?.[3], 'The shop sent back the cres the bank gave the customer');
  t.match(rows[5]?.[3], /^Authenticated \(authentication_flow 02, challenge\)/);

  t.equal((await post(app, '/v2/payment/card/sale', gateCard('h2h-late', '4314220000000056', acs))).status, 200);
  await app.inject({ method: 'POST', url: '/_sandbox/clock/advance', payload: { seconds: 3 * 86400 } });
  await flush(app);
  const late = await report(app, 'h2h-late');
  t.not(late.payment.status, 'awaiting 3ds result', 'the limit time ended it');
  matchCounted(t, late.payment.card.threeds.steps, [{ step: '3DS Method iframe', state: 'done' }, { step: '3ds_check_iframe', state: 'skipped', detail: 'Never sent: the payment ended first' }, { step: 'Authentication', state: 'done', detail: /^Not authenticated: / }]);
});

t.test('saved cards: the list, a customer\'s saved cards and payments, and the payments that registered or charged one', async (t) => {
  const { app } = await buildTestSandbox(t);
  const client = new DashboardClient(app);
  t.match((await client.get('/dashboard/customers')).body, /None yet\./, 'no saved card yet');
  t.equal((await post(app, '/v2/payment/card/sale', gateCard('reg-1', '4000000000000077', { recurring_register: true, recurring: { register: true, type: 'R' } }))).status, 200);
  t.equal((await post(app, '/v2/payment/card/sale', gateCard('reg-2', '5252000000000004', { recurring_register: true, recurring: { register: true, type: 'U' } }))).status, 200);
  t.equal((await post(app, '/v2/payment/card/sale', gateCard('other-customer', '4000000000000077', { recurring_register: true, customer: { id: 'cust-8', ip_address: '203.0.113.8' } }))).status, 200);
  await flush(app);
  const saved = (await app.inject({ url: `/_sandbox/recurring?project_id=${PROJECT_ID}&customer_id=cust-7` })).json() as { recurring: Array<{ id: number; payment_id: string }> };
  const [first, second] = saved.recurring;
  t.same(saved.recurring.map((r) => r.payment_id), ['reg-1', 'reg-2']);
  const debit = await post(app, '/v2/payment/card/recurring', signed({
    general: { project_id: PROJECT_ID, payment_id: 'debit-1' }, payment: { amount: 10000, currency: 'PHP' }, customer: { id: 'cust-7', ip_address: '203.0.113.7' }, recurring: { id: first!.id },
  }));
  t.equal(debit.status, 200);
  await app.inject({ method: 'POST', url: `/_sandbox/recurring/${PROJECT_ID}/${second!.id}/cancel`, payload: { by: 'issuer' } });
  await flush(app);

  const list = await client.get('/dashboard/customers');
  t.equal(list.statusCode, 200);
  t.match(list.body, /<a href="\/dashboard\/customers">Saved cards<\/a>/, 'the menu leads to saved cards');
  const listRows = [...(/<table id="saved-cards">[\s\S]*?<tbody>([\s\S]*?)<\/tbody>/.exec(list.body)?.[1] ?? '').matchAll(/<tr>([\s\S]*?)<\/tr>/g)];
  t.equal(listRows.length, 3, 'every saved card');
  t.match(list.body, '<a href="/dashboard/customers/445/cust-8">cust-8</a>');

  const page = await client.get('/dashboard/customers/445/cust-7');
  t.equal(page.statusCode, 200);
  const cards = [...(/<table id="customer-cards"[\s\S]*?<tbody>([\s\S]*?)<\/tbody>/.exec(page.body)?.[1] ?? '').matchAll(/<tr>([\s\S]*?)<\/tr>/g)]
    .map((row) => [...(row[1] ?? '').matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((cell) => (cell[1] ?? '').replace(/<[^>]+>/g, '')).slice(0, 9));
  t.same(cards, [
    [String(first!.id), '400000******0077', 'Visa', 'Card', 'regular (R)', 'PHP', '2030-12', 'active', 'reg-1'],
    [String(second!.id), '525200******0004', 'Mastercard', 'Card', 'auto-payment (U)', 'PHP', '2030-12', 'cancelled by the customer at the issuer', 'reg-2'],
  ], 'the customer\'s saved cards, masked, with brand, type, validity and status; not the other customer\'s');
  const payments = [...(/<table id="customer-payments"[\s\S]*?<tbody>([\s\S]*?)<\/tbody>/.exec(page.body)?.[1] ?? '').matchAll(/<a href="[^"]+">([^<]+)<\/a><\/td><td>[^<]*<\/td><td>([^<]*)<\/td>/g)].map((m) => [m[1], m[2]]);
  t.same(payments.sort(), [['debit-1', 'recurring'], ['reg-1', 'purchase'], ['reg-2', 'purchase']], 'the customer\'s payments, the debit among them');
  t.notMatch(page.body, /other-customer/);
  t.notMatch(list.body + page.body, /4000000000000077|5252000000000004/, 'never a full number');

  const registering = await client.get(detail('reg-1'));
  t.match(registering.body, `<dd id="card-saved">Saved card ${first!.id}, registered by this payment</dd>`);
  t.match(registering.body, '<a href="/dashboard/customers/445/cust-7" id="customer-link">cust-7</a>', 'the customer links to their page');
  t.match((await client.get(detail('debit-1'))).body, `<dd id="card-saved">A debit of saved card ${first!.id}</dd>`);
  matchCounted(t, (await report(app, 'debit-1')).payment.card, { operation: 'recurring', debit_of: first!.id, recurring_id: null, threeds: { steps: [] } });
  t.equal((await client.get('/dashboard/customers/445/nobody')).statusCode, 200);
  t.match((await client.get('/dashboard/customers/445/nobody')).body, /No saved card\./);
  t.equal((await client.get('/dashboard/customers/x/cust-7')).statusCode, 400, 'a project id that is not a number');
});

t.test('a project\'s token sees its own project\'s saved cards only, and no other project\'s customer page', async (t) => {
  const ADMIN = 'admin-token-of-the-saved-card-tests';
  const { app } = await buildTestSandbox(t, { config: { adminToken: ADMIN } });
  const created = await app.inject({ method: 'POST', url: '/_sandbox/projects', headers: { authorization: `Bearer ${ADMIN}` }, payload: { project_id: 7101, secret_key: 's-7101' } });
  const token = (created.json() as { control_token: string }).control_token;
  t.equal((await post(app, '/v2/payment/card/sale', gateCard('reg-445', '4000000000000077', { recurring_register: true }))).status, 200);
  await app.inject({ method: 'POST', url: '/_sandbox/clock/advance', headers: { authorization: `Bearer ${ADMIN}` }, payload: { seconds: 0 } });
  const as = (url: string, bearer: string) => app.inject({ url, headers: { authorization: `Bearer ${bearer}` } });
  t.match((await as('/dashboard/customers', ADMIN)).body, /reg-445/, 'the admin sees every project\'s saved cards');
  const own = await as('/dashboard/customers', token);
  t.equal(own.statusCode, 200);
  t.notMatch(own.body, /reg-445|cust-7/, 'project 7101 sees none of project 445\'s');
  t.equal((await as(`/dashboard/customers/${PROJECT_ID}/cust-7`, token)).statusCode, 403, 'another project\'s customer page is refused');
  t.equal((await as('/dashboard/customers/7101/cust-7', token)).statusCode, 200, 'its own project\'s customer page');
});

t.test('before 3-D Secure begins (a clarification first) its steps are still to come, on the Gate and on the Payment Page', async (t) => {
  const { app } = await buildTestSandbox(t);
  const client = new DashboardClient(app);
  const customer = { id: 'cust-7', ip_address: '203.0.113.7', email: 'clarify+1@example.ph' };
  t.equal((await post(app, '/v2/payment/card/sale', gateCard('gate-clarify', '5413330000000019', { customer, acs_return_url: { return_url: `${SHOP}/back` } }))).status, 200);
  await flush(app);
  t.equal((await report(app, 'gate-clarify')).payment.status, 'awaiting clarification');
  t.same(stepsOf((await client.get(detail('gate-clarify'))).body).map((r) => [r[0], r[1], r[3]]), [
    ['3-D Secure', 'Not yet', 'Not begun: the shop gets its first 3-D Secure callback once it begins'], ['Authentication', 'Waiting', 'Not decided yet'],
  ]);
  const answer = signed({ general: { project_id: PROJECT_ID, payment_id: 'gate-clarify' }, additional_data: { avs_data: { avs_post_code: '1000', avs_street_address: '1 Ayala Ave' } } });
  t.equal((await post(app, '/v2/payment/clarification', answer)).status, 200);
  await flush(app);
  t.same(stepsOf((await client.get(detail('gate-clarify'))).body).map((r) => [r[0], r[1]]), [['Challenge redirect', 'Done'], ['The customer at the bank', 'Waiting'], ['3ds_result', 'Not yet'], ['Authentication', 'Waiting']], 'then the challenge, as usual');
});
