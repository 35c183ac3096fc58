// Card payments in the reports over real HTTP: the Data API (method type, masked instrument, method title, the
// card operation types as filters, the Gate's host-to-host operations: 3-D Secure and clarification waits, saved
// card debits, account verification), the dashboard's CSV and XLSX exports (masked number and brand only), and
// analytics, whose success rates count a hold and a refunded payment as successes and a released hold as neither.
import t from 'tap';
import ExcelJS from 'exceljs';
import { parse } from 'csv-parse/sync';
import type { FastifyInstance } from 'fastify';
import { buildTestSandbox, flush, PROJECT_ID } from '../helpers/sandbox.js';
import { post, sale, sdkSigner, SdkCallback, signed } from '../helpers/gate-client.js';
import { cardPayment, walletSheetPayment } from '../helpers/card-client.js';
import { DashboardClient } from '../helpers/dashboard-client.js';
import { matchCounted } from '../helpers/promises.js';

const TOKEN = 'card-reports-data-api-token';
const TOKEN_SECRET = 'card-reports-secret';

async function control(app: FastifyInstance, paymentId: string, action: string, payload: object = {}) {
  const response = await app.inject({ method: 'POST', url: `/_sandbox/payments/${PROJECT_ID}/${paymentId}/${action}`, payload });
  if (response.statusCode !== 200) throw new Error(response.body);
}

/** A card sale, a hold captured in part and refunded in part, an Apple Pay sale and a wallet sale, in that order. */
async function seed(app: FastifyInstance): Promise<void> {
  await cardPayment(app, 'card-sale');
  await cardPayment(app, 'card-hold', { first: 'auth', pan: '5252000000000004' });
  await control(app, 'card-hold', 'capture', { amount: 30000 });
  await control(app, 'card-hold', 'refund', { amount: 10000, currency: 'PHP' });
  await walletSheetPayment(app, 'apple-1', 'apple_pay_core');
  await sale(app, 'wallet-1');
  await control(app, 'wallet-1', 'complete', { status: 'success' });
  await flush(app);
}

async function operations(app: FastifyInstance, extra: Record<string, unknown>) {
  const body = { token: TOKEN, interval: { from: '2026-01-01 00:00:00', to: '2026-01-02 00:00:00' }, ...extra };
  const response = await app.inject({ method: 'POST', url: '/operations/get', payload: { ...body, signature: sdkSigner(body, TOKEN_SECRET) } });
  return { status: response.statusCode, json: response.json() as Record<string, any> };
}

t.test('the Data API reports card operations with payment_method_type card, the masked card as the instrument and the method\'s title, and filters by the card operation types', async (t) => {
  const { app } = await buildTestSandbox(t, { config: { dataApiTokens: [{ token: TOKEN, secret_key: TOKEN_SECRET }] } });
  await seed(app);
  const fields = ['payment_id', 'operation_type', 'operation_status', 'payment_method_name', 'payment_method_type', 'payment_instrument', 'sum_initial_amount'];
  const all = await operations(app, { fields });
  t.equal(all.status, 200);
  t.ok(new SdkCallback(TOKEN_SECRET, all.json), 'signed with the token\'s secret');
  t.same(all.json.operations.slice(0, 5), [
    { payment_id: 'card-sale', operation_type: 'sale', operation_status: 'success', payment_method_name: 'Card', payment_method_type: 'card', payment_instrument: '400000******0077', sum_initial_amount: 50000 },
    { payment_id: 'card-hold', operation_type: 'auth', operation_status: 'success', payment_method_name: 'Card', payment_method_type: 'card', payment_instrument: '525200******0004', sum_initial_amount: 50000 },
    { payment_id: 'card-hold', operation_type: 'capture', operation_status: 'success', payment_method_name: 'Card', payment_method_type: 'card', payment_instrument: '525200******0004', sum_initial_amount: 30000 },
    { payment_id: 'card-hold', operation_type: 'refund', operation_status: 'success', payment_method_name: 'Card', payment_method_type: 'card', payment_instrument: '525200******0004', sum_initial_amount: 10000 },
    { payment_id: 'apple-1', operation_type: 'sale', operation_status: 'success', payment_method_name: 'Apple Pay', payment_method_type: 'card', payment_instrument: '400000******0077', sum_initial_amount: 50000 },
  ]);
  t.match(all.json.operations[5], { payment_id: 'wallet-1', payment_method_name: 'PayMaya wallet', payment_method_type: 'ewallet' }, 'a wallet stays an ewallet');
  t.equal(all.json.operations.length, 6);

  const byType = async (type: string) => (await operations(app, { type, fields: ['payment_id', 'operation_type'] })).json.operations.map((o: { payment_id: string }) => o.payment_id);
  t.same(await byType('auth'), ['card-hold']);
  t.same(await byType('capture'), ['card-hold']);
  t.same(await byType('refund'), ['card-hold']);
  t.same(await byType('sale'), ['card-sale', 'apple-1', 'wallet-1']);
  for (const type of ['cancel', 'recurring', 'account verification', 'payout']) t.same(await byType(type), [], `${type} is a filter (none here)`);
  const unknown = await operations(app, { type: 'teleport' });
  t.equal(unknown.status, 400);
  matchCounted(t, unknown.json, { code: '2004', errors: [{ field: 'type', message: 'Expected one of sale, payout, auth, capture, cancel, refund, recurring, account verification' }] });
});

t.test('the CSV and XLSX exports list card payments with their masked card as the account and their brand, nothing else of the card', async (t) => {
  const { app } = await buildTestSandbox(t);
  await seed(app);
  const client = new DashboardClient(app);
  const csv = await client.get('/dashboard/payments/export.csv?method=card');
  t.equal(csv.statusCode, 200);
  const rows = parse(csv.body, { columns: true }) as Array<Record<string, string>>;
  t.same(rows.map((r) => [r.payment_id, r.method, r.type, r.status, r.interface, r.amount, r.account_number, r.card_brand, r.code]), [
    ['card-hold', 'card', 'purchase', 'partially refunded', 'payment_page', '50000', '525200******0004', 'Mastercard', '0'],
    ['card-sale', 'card', 'purchase', 'success', 'payment_page', '50000', '400000******0077', 'Visa', '0'],
  ], 'newest first; the code is that of the last operation');
  t.notMatch(csv.body, /Juan dela Cruz|12\/30|2030/, 'of a card only the masked number and the brand: no holder, no expiry');
  const all = parse((await client.get('/dashboard/payments/export.csv')).body, { columns: true }) as Array<Record<string, string>>;
  t.same(all.map((r) => [r.payment_id, r.card_brand]), [['wallet-1', ''], ['apple-1', 'Visa'], ['card-hold', 'Mastercard'], ['card-sale', 'Visa']], 'a wallet payment has no brand');
  const xlsx = await client.get('/dashboard/payments/export.xlsx');
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
  const sheet = workbook.getWorksheet('Payments')!;
  const header = (sheet.getRow(1).values as unknown[]).slice(1);
  const column = (name: string) => header.indexOf(name) + 1;
  const byId = new Map<string, string>();
  const brands = new Map<string, string>();
  for (let n = 2; n <= sheet.rowCount; n++) {
    const id = String(sheet.getRow(n).getCell(column('payment_id')).value);
    byId.set(id, String(sheet.getRow(n).getCell(column('account_number')).value));
    brands.set(id, String(sheet.getRow(n).getCell(column('card_brand')).value ?? ''));
  }
  t.same([...byId.keys()], ['wallet-1', 'apple-1', 'card-hold', 'card-sale'], 'every payment, newest first');
  t.same([byId.get('apple-1'), byId.get('card-hold'), byId.get('card-sale')], ['400000******0077', '525200******0004', '400000******0077'], 'Apple Pay\'s card masked as a card\'s');
  t.same([brands.get('apple-1'), brands.get('card-hold'), brands.get('card-sale')], ['Visa', 'Mastercard', 'Visa'], 'the XLSX has the brand too');
  t.notMatch(csv.body + JSON.stringify([...byId.values()]), /4000000000000077|5252000000000004/, 'never a full number');
});

t.test('analytics counts card methods per method: a hold and a refunded payment are successes, a released hold is neither, a payment in progress only a payment', async (t) => {
  const { app } = await buildTestSandbox(t);
  await cardPayment(app, 'paid');
  await cardPayment(app, 'held', { first: 'auth' });
  await cardPayment(app, 'part-refunded');
  await control(app, 'part-refunded', 'refund', { amount: 100, currency: 'PHP' });
  await cardPayment(app, 'refunded');
  await control(app, 'refunded', 'refund', { amount: 50000, currency: 'PHP' });
  await cardPayment(app, 'released', { first: 'auth' });
  await control(app, 'released', 'cancel');
  await cardPayment(app, 'declined', { pan: '4111111111111111' });
  await cardPayment(app, 'in-progress', { amount: 10003 });
  await cardPayment(app, 'in-progress-2', { amount: 10003 });
  await walletSheetPayment(app, 'apple-1', 'apple_pay_core', { card: 1 });
  await sale(app, 'wallet-waiting');
  await flush(app);
  const page = await new DashboardClient(app).get('/dashboard/analytics');
  t.equal(page.statusCode, 200);
  const row = (method: string) => {
    const cells = new RegExp(`<tr><td>${method}</td>((?:<td class="num">[^<]*</td>)+)</tr>`).exec(page.body)?.[1] ?? '';
    return [...cells.matchAll(/<td class="num">([^<]*)<\/td>/g)].map((cell) => cell[1]);
  };
  t.same(row('card'), ['8', '4', '1', '0', '1', '80.0%'], 'payments, success, decline, error, released hold, rate: 4 of the 5 that succeeded or failed');
  t.same(row('applepay'), ['1', '0', '1', '0', '0', '0.0%'], 'Apple Pay has its own row (the chosen test card declines)');
  t.match(page.body, /<title>card: 80\.0% success<\/title>/);
  for (const [status, n] of [['awaiting capture', 1], ['canceled', 1], ['partially refunded', 1], ['refunded', 1], ['processing', 2]] as const) {
    t.match(page.body, `<title>2026-01-01 ${status}: ${n}</title>`, `the daily chart stacks ${status}`);
  }
  t.match(page.body, /<li><svg [^>]*><rect [^>]*fill="#c27c0e"\/><\/svg> awaiting capture<\/li>/, 'the legend names the card statuses\' colours');
  t.same(row('paymaya'), ['1', '0', '0', '0', '0', '—'], 'a wallet sale in progress: a payment, nothing else, and no rate yet (—)');
  t.match(page.body, /text-anchor="end">10<\/text>/, 'ten payments on the count axis read 10');
  t.notMatch(page.body, /text-anchor="end">[0-9.]+e\+/, 'no tick in exponent notation');
});

/** A host-to-host card request of the Gate, signed. */
function gateCard(app: FastifyInstance, path: string, paymentId: string, pan: string, extra: Record<string, unknown> = {}) {
  return post(app, `/v2/payment/card/${path}`, signed({
    general: { project_id: PROJECT_ID, payment_id: paymentId },
    card: { pan, year: 2030, month: 12, card_holder: 'JUAN DELA CRUZ', cvv: '123' },
    customer: { id: 'cust-5', ip_address: '203.0.113.5' },
    payment: { amount: 50000, currency: 'PHP', description: 'Order' },
    ...extra,
  }));
}

t.test('the Data API reports the Gate\'s card operations: a 3-D Secure wait, a clarification wait, a saved card\'s debits (one declined by its cancelled registration), an account verification, a cancel; analytics counts the waits as payments only', async (t) => {
  const { app } = await buildTestSandbox(t, { config: { dataApiTokens: [{ token: TOKEN, secret_key: TOKEN_SECRET }] } });
  t.equal((await gateCard(app, 'sale', 'h2h-3ds', '4314220000000056', { acs_return_url: { return_url: 'https://shop.example/back' } })).status, 200);
  t.equal((await gateCard(app, 'sale', 'h2h-clarify', '4000000000000077', { customer: { id: 'cust-5', ip_address: '203.0.113.5', email: 'clarify+1@example.ph' } })).status, 200);
  t.equal((await gateCard(app, 'sale', 'h2h-saved', '4000000000000077', { recurring_register: true })).status, 200);
  t.equal((await gateCard(app, 'account_verification', 'h2h-check', '5555555555554444', { payment: { amount: 0, currency: 'PHP' } })).status, 200);
  t.equal((await gateCard(app, 'auth', 'h2h-hold', '5252000000000004')).status, 200);
  await flush(app);
  const saved = (await app.inject({ url: `/_sandbox/recurring?project_id=${PROJECT_ID}&customer_id=cust-5` })).json() as { recurring: Array<{ id: number }> };
  const recurringId = saved.recurring[0]!.id;
  const debit = (id: string) => post(app, '/v2/payment/card/recurring', signed({
    general: { project_id: PROJECT_ID, payment_id: id }, payment: { amount: 10000, currency: 'PHP' }, customer: { id: 'cust-5', ip_address: '203.0.113.5' }, recurring: { id: recurringId },
  }));
  t.equal((await debit('debit-1')).status, 200);
  await flush(app);
  await app.inject({ method: 'POST', url: `/_sandbox/recurring/${PROJECT_ID}/${recurringId}/cancel`, payload: { by: 'merchant' } });
  t.equal((await debit('debit-2')).status, 200);
  await control(app, 'h2h-hold', 'cancel');
  await flush(app);

  const fields = ['payment_id', 'operation_type', 'operation_status', 'payment_method_type', 'payment_instrument', 'customer_id', 'sum_initial_amount', 'code'];
  const all = await operations(app, { fields });
  t.equal(all.status, 200);
  t.ok(new SdkCallback(TOKEN_SECRET, all.json), 'signed with the token\'s secret');
  t.same(all.json.operations, [
    { payment_id: 'h2h-3ds', operation_type: 'sale', operation_status: 'awaiting 3ds result', payment_method_type: 'card', payment_instrument: '431422******0056', customer_id: 'cust-5', sum_initial_amount: 50000, code: '9999' },
    { payment_id: 'h2h-clarify', operation_type: 'sale', operation_status: 'awaiting clarification', payment_method_type: 'card', payment_instrument: '400000******0077', customer_id: 'cust-5', sum_initial_amount: 50000, code: '9999' },
    { payment_id: 'h2h-saved', operation_type: 'sale', operation_status: 'success', payment_method_type: 'card', payment_instrument: '400000******0077', customer_id: 'cust-5', sum_initial_amount: 50000, code: '0' },
    { payment_id: 'h2h-check', operation_type: 'account verification', operation_status: 'success', payment_method_type: 'card', payment_instrument: '555555******4444', customer_id: 'cust-5', sum_initial_amount: 0, code: '0' },
    { payment_id: 'h2h-hold', operation_type: 'auth', operation_status: 'success', payment_method_type: 'card', payment_instrument: '525200******0004', customer_id: 'cust-5', sum_initial_amount: 50000, code: '0' },
    { payment_id: 'h2h-hold', operation_type: 'cancel', operation_status: 'success', payment_method_type: 'card', payment_instrument: '525200******0004', customer_id: 'cust-5', sum_initial_amount: 50000, code: '0' },
    { payment_id: 'debit-1', operation_type: 'recurring', operation_status: 'success', payment_method_type: 'card', payment_instrument: '400000******0077', customer_id: 'cust-5', sum_initial_amount: 10000, code: '0' },
    { payment_id: 'debit-2', operation_type: 'recurring', operation_status: 'decline', payment_method_type: 'card', payment_instrument: '400000******0077', customer_id: 'cust-5', sum_initial_amount: 10000, code: '3184' },
  ], 'each operation with the masked card it was made with, a debit with its saved card\'s (a payment\'s operations together, as their ids run)');
  const byType = async (type: string) => (await operations(app, { type, fields: ['payment_id'] })).json.operations.map((o: { payment_id: string }) => o.payment_id);
  t.same(await byType('recurring'), ['debit-1', 'debit-2']);
  t.same(await byType('account verification'), ['h2h-check']);
  t.same(await byType('cancel'), ['h2h-hold']);
  t.notMatch(JSON.stringify(all.json), /4314220000000056|4000000000000077|5555555555554444|5252000000000004/, 'never a full number');

  const page = await new DashboardClient(app).get('/dashboard/analytics');
  const cells = new RegExp('<tr><td>card</td>((?:<td class="num">[^<]*</td>)+)</tr>').exec(page.body)?.[1] ?? '';
  t.same([...cells.matchAll(/<td class="num">([^<]*)<\/td>/g)].map((c) => c[1]), ['7', '3', '1', '0', '1', '75.0%'],
    'payments, success (a sale, a check, a debit), decline (the debit of a cancelled card), error, released hold, rate; the two waits count as payments only');
  for (const status of ['awaiting 3ds result', 'awaiting clarification']) t.match(page.body, `<title>2026-01-01 ${status}: 1</title>`, `the daily chart stacks ${status}`);
});
