// Card data as a real provider keeps it (docs/card-protocol.md D12): card payments of every kind are made with full
// numbers and CVVs, then every output of the sandbox is searched for them — the SQLite database and its WAL, the
// log a real pino logger wrote, every callback, every page and answer served, the control API's reports and
// callback list and saved cards, the dashboard's pages (a payment's 3-D Secure steps, saved cards, a customer's
// page), the Data API and the CSV and XLSX exports. Only masks and brands may show.
import t from 'tap';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { pino } from 'pino';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { DATA_API_FIELDS } from '../../src/domain/reports/data-api.js';
import { buildTestSandbox, flush, PROJECT_ID, tempDir } from '../helpers/sandbox.js';
import { startReceiver } from '../helpers/receiver.js';
import { sdkSigner, signed } from '../helpers/gate-client.js';
import { paymentPageUrl, tokenIn } from '../helpers/payment-page-client.js';
import { DashboardClient } from '../helpers/dashboard-client.js';
import { everyOf, matchCounted } from '../helpers/promises.js';

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const TOKEN = 'CardDataApiToken0000000000001';
const TOKEN_SECRET = 'card-data-secret';

/** The cards typed in this test, each with a CVV no other output could hold by chance (four digits, searched as a whole). */
const TYPED = {
  plain: { pan: '4000000000000077', typed: '4000 0000 0000 0077', cvv: '9573' },
  challenge: { pan: '4314220000000056', typed: '4314220000000056', cvv: '8264' },
  declined: { pan: '4111111111111111', typed: '4111-1111-1111-1111', cvv: '6482' },
  expired: { pan: '4242424242424242', typed: '4242 4242 4242 4242', cvv: '7315' },
  mistyped: { pan: '4242424242424241', typed: '4242424242424241', cvv: '5938' },
  saved: { pan: '5555555555554444', typed: '5555555555554444', cvv: '6093' },
  gateChallenge: { pan: '5413330000000019', typed: '5413330000000019', cvv: '8407' },
} as const;

/** Every entry of a ZIP file (an XLSX), inflated: the workbook's XML as it is stored. */
function zipEntries(zip: Buffer): string[] {
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  let at = zip.readUInt32LE(end + 16);
  const texts: string[] = [];
  for (let i = 0; i < zip.readUInt16LE(end + 10); i++) {
    const method = zip.readUInt16LE(at + 10);
    const size = zip.readUInt32LE(at + 20);
    const local = zip.readUInt32LE(at + 42);
    const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const data = zip.subarray(start, start + size);
    texts.push((method === 8 ? inflateRawSync(data) : data).toString('utf8'));
    at += 46 + zip.readUInt16LE(at + 28) + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
  }
  return texts;
}

t.test('card numbers and CVVs typed into card payments of every kind appear in no output of the sandbox; only masks and brands do', async (t) => {
  const dir = tempDir(t);
  const dbPath = join(dir, 'sandbox.db');
  const logPath = join(dir, 'sandbox.log');
  const logger = pino({ level: 'trace' }, pino.destination({ dest: logPath, sync: true }));
  const receiver = await startReceiver(t);
  const { app, sandbox } = await buildTestSandbox(t, { dbPath, logger, config: { dataApiTokens: [{ token: TOKEN, secret_key: TOKEN_SECRET }] } });
  const testCards = sandbox.catalogue.cards.list();

  /** Every answer the sandbox gave, as a browser or a shop's server got it: status line, headers and body. */
  const served: Array<{ what: string; text: string }> = [];
  async function call(options: InjectOptions | string, what = typeof options === 'string' ? options : String(options.url)): Promise<LightMyRequestResponse> {
    const response = await app.inject(options);
    served.push({ what, text: `${response.statusCode} ${JSON.stringify(response.headers)}\n${response.rawPayload.toString('latin1')}` });
    return response;
  }
  const form = (url: string, fields: Record<string, string>) => call({ method: 'POST', url, payload: new URLSearchParams(fields).toString(), headers: FORM });
  const requestOf = (url: string) => url.slice(url.indexOf('?') + 1);
  const link = (paymentId: string, extra: Record<string, unknown> = {}) => paymentPageUrl({
    payment_id: paymentId, payment_amount: 50000, payment_currency: 'PHP', customer_id: 'customer-1', force_payment_method: 'card', merchant_callback_url: receiver.url, ...extra,
  });

  /** Opens the card form, sends a card, and follows the answer to its page (the bank's or the result). */
  async function payByCard(paymentId: string, card: { typed: string; cvv: string }, extra: Record<string, unknown> = {}, expiry = '12/30'): Promise<LightMyRequestResponse & { location?: string }> {
    const url = link(paymentId, extra);
    await call(url, `card form of ${paymentId}`);
    const sent = await form('/payment/card', { request: requestOf(url), method: 'card', pan: card.typed, expiry, cvv: card.cvv, card_holder: 'Juan dela Cruz' });
    if (sent.statusCode !== 303) return sent;
    const location = String(sent.headers.location);
    return Object.assign(await call(location), { location });
  }

  await t.test('the payments: no 3-D Secure, a challenge with a wrong code, a decline, two refused forms, a wallet sheet, a capture and a refund', async (t) => {
    t.match((await payByCard('data-plain', TYPED.plain)).body, /Payment successful/);
    const acs = await payByCard('data-challenge', TYPED.challenge, { operation_type: 'auth' });
    t.match(acs.body, /Verify your payment/);
    const token = tokenIn(acs.location);
    t.equal((await form('/acs/challenge', { tokenid: token, code: '0000', action: 'approve' })).statusCode, 400);
    const approved = await form('/acs/challenge', { tokenid: token, code: '1234', action: 'approve' });
    t.match((await call(String(approved.headers.location))).body, /Payment authorised/);
    await call(`/acs/challenge?tokenid=${token}`, 'the bank\'s page after the end');
    t.match((await payByCard('data-declined', TYPED.declined)).body, /Payment declined/);
    const expired = await payByCard('data-refused', TYPED.expired, {}, '01/21');
    t.equal(expired.statusCode, 400, 'a valid number with a past expiry is refused on the form');
    t.match(expired.body, /The card expired at the end of 01\/2021/);
    const mistyped = await form('/payment/card', { request: requestOf(link('data-refused')), method: 'card', pan: TYPED.mistyped.typed, expiry: '12/30', cvv: TYPED.mistyped.cvv, card_holder: 'Juan' });
    t.match(mistyped.body, /Enter a valid card number/);
    const sheetUrl = link('data-sheet', { force_payment_method: 'apple_pay_core' });
    t.match((await call(sheetUrl, 'the Apple Pay sheet')).body, /A stand-in for the Apple Pay sheet/);
    const partial = testCards.findIndex((c) => c.pan === '5126160000356675');
    const sheet = await form('/payment/card', { request: requestOf(sheetUrl), method: 'apple_pay_core', wallet_card: String(partial) });
    t.match((await call(String(sheet.headers.location))).body, /Payment successful/);
    const gate = (path: string, body: Record<string, unknown>) => call({ method: 'POST', url: path, payload: signed({ general: { project_id: PROJECT_ID, payment_id: 'data-challenge' }, ...body }) });
    t.equal((await gate('/v2/payment/card/capture', { payment: { amount: 30000, currency: 'PHP' } })).statusCode, 200);
    t.equal((await gate('/v2/payment/card/refund', { payment: { amount: 10000, currency: 'PHP', description: 'refund', merchant_refund_id: 'r-1' } })).statusCode, 200);
    t.equal((await gate('/v2/payment/status', {})).statusCode, 200);
  });

  await t.test('hostile requests carrying a card: a wrong signature (whose answer shows the signed string) and broken JSON', async (t) => {
    const card = { pan: TYPED.challenge.pan, cvv: TYPED.challenge.cvv, year: 2030, month: 12, card_holder: 'JUAN' };
    const badSignature = await call({ method: 'POST', url: '/v2/payment/card/capture', payload: { general: { project_id: PROJECT_ID, payment_id: 'data-challenge', signature: 'bad' }, card } });
    t.equal(badSignature.statusCode, 401);
    t.match(badSignature.json(), { code: '3261', sandbox: { signed_string: /card:card_holder:JUAN;card:cvv:\*\*\*;.*card:pan:431422\*{6}0056;/ } }, 'the signed string is shown with the card masked');
    const broken = await call({ method: 'POST', url: '/v2/payment/card/capture', payload: `{"card":{"cvv":x${TYPED.plain.cvv}}}`, headers: { 'content-type': 'application/json' } });
    t.equal(broken.statusCode, 400);
    matchCounted(t, broken.json(), { code: '2003', errors: [{ field: '', message: /^Invalid JSON string/ }] }, 'refused as malformed (and, below, without the piece of the body)');
  });

  await t.test('host-to-host: a Gate sale that saves its card and a debit of it, and a payment at the 3-D Secure challenge', async (t) => {
    const gateCard = (path: string, paymentId: string, card: { pan: string; cvv: string }, extra: Record<string, unknown> = {}) => call({ method: 'POST', url: `/v2/payment/card/${path}`, payload: signed({
      general: { project_id: PROJECT_ID, payment_id: paymentId, merchant_callback_url: receiver.url },
      card: { pan: card.pan, cvv: card.cvv, year: 2030, month: 12, card_holder: 'JUAN DELA CRUZ' },
      customer: { id: 'customer-h2h', ip_address: '203.0.113.9' }, payment: { amount: 50000, currency: 'PHP', description: 'Order' }, ...extra,
    }) });
    t.equal((await gateCard('sale', 'data-saved', TYPED.saved, { recurring_register: true })).statusCode, 200);
    t.equal((await gateCard('sale', 'data-h2h-3ds', TYPED.gateChallenge, { acs_return_url: { return_url: 'https://shop.example/back' } })).statusCode, 200);
    await flush(app);
    const saved = (await call(`/_sandbox/recurring?project_id=${PROJECT_ID}&customer_id=customer-h2h`)).json() as { recurring: Array<{ id: number; account: { number: string } }> };
    t.equal(saved.recurring[0]?.account.number, '555555******4444', 'the saved card is kept masked');
    const debit = await call({ method: 'POST', url: '/v2/payment/card/recurring', payload: signed({
      general: { project_id: PROJECT_ID, payment_id: 'data-debit', merchant_callback_url: receiver.url }, payment: { amount: 10000, currency: 'PHP' },
      customer: { id: 'customer-h2h', ip_address: '203.0.113.9' }, recurring: { id: saved.recurring[0]?.id },
    }) });
    t.equal(debit.statusCode, 200);
  });

  await flush(app);
  const outputs: Array<{ what: string; text: string }> = [];
  await t.test('the outputs: reports, callbacks, dashboard pages, Data API, exports, the log and the database files', async (t) => {
    const ids = ['data-plain', 'data-challenge', 'data-declined', 'data-sheet', 'data-saved', 'data-debit', 'data-h2h-3ds'];
    for (const id of ids) t.equal((await call(`/_sandbox/payments/${PROJECT_ID}/${id}`)).statusCode, 200, `report of ${id}`);
    const callbacks = await call(`/_sandbox/callbacks?project_id=${PROJECT_ID}`);
    t.equal((callbacks.json() as { callbacks: unknown[] }).callbacks.length, receiver.received.length, 'the control API lists every callback sent');
    t.equal((await call(`/_sandbox/audit?project_id=${PROJECT_ID}`)).statusCode, 200);
    t.equal((await call(`/_sandbox/recurring?project_id=${PROJECT_ID}`)).statusCode, 200);
    const dashboard = new DashboardClient(app);
    for (const path of ['/dashboard/payments', ...ids.map((id) => `/dashboard/payments/${PROJECT_ID}/${id}`), '/dashboard/audit', '/dashboard/analytics',
      '/dashboard/customers', `/dashboard/customers/${PROJECT_ID}/customer-h2h`, `/dashboard/customers/${PROJECT_ID}/customer-1`]) {
      const page = await dashboard.get(path);
      t.equal(page.statusCode, 200, path);
      served.push({ what: path, text: page.body });
    }
    const customer = served.find((o) => o.what === `/dashboard/customers/${PROJECT_ID}/customer-h2h`)?.text ?? '';
    t.match(customer, /<code>555555\*{6}4444<\/code>/, 'the customer\'s page shows the saved card masked');
    t.match(served.find((o) => o.what === `/dashboard/payments/${PROJECT_ID}/data-h2h-3ds`)?.text ?? '', /id="threeds-steps"/, 'the Gate payment\'s page shows its 3-D Secure steps');
    const csv = await dashboard.get('/dashboard/payments/export.csv');
    t.match(csv.body, /431422\*{6}0056/, 'the CSV has the masked number');
    served.push({ what: 'export.csv', text: csv.body });
    const xlsx = await dashboard.get('/dashboard/payments/export.xlsx');
    const sheets = zipEntries(xlsx.rawPayload);
    t.ok(sheets.some((xml) => /431422\*{6}0056/.test(xml)), 'the XLSX has the masked number');
    outputs.push({ what: 'export.xlsx (inflated)', text: sheets.join('\n') }, { what: 'export.xlsx (raw)', text: xlsx.rawPayload.toString('latin1') });
    const query = { token: TOKEN, interval: { from: '2026-01-01 00:00:00', to: '2026-01-03 00:00:00' }, fields: DATA_API_FIELDS };
    const data = await call({ method: 'POST', url: '/operations/get', payload: { ...query, signature: sdkSigner(query, TOKEN_SECRET) } });
    t.equal(data.statusCode, 200, 'the Data API answers');
    t.match(data.body, /431422\*{6}0056/, 'with the masked number');
    outputs.push(...served);
    outputs.push(...receiver.received.map((r, i) => ({ what: `callback ${i + 1}`, text: `${JSON.stringify(r.headers)}\n${r.body}` })));
    const log = readFileSync(logPath, 'latin1');
    t.match(log, /"msg":"POST \/payment\/card 303/, 'the log has a line per request');
    outputs.push({ what: 'the log', text: log });
    t.ok(existsSync(dbPath), `${dbPath} exists`);
    outputs.push({ what: dbPath, text: readFileSync(dbPath).toString('latin1') });
    // The WAL is emptied into the database file when writes pause; whatever it still holds is searched too.
    const wal = existsSync(`${dbPath}-wal`) ? readFileSync(`${dbPath}-wal`).toString('latin1') : '';
    if (wal.length > 0) outputs.push({ what: `${dbPath}-wal`, text: wal });
    everyOf(t, outputs, 3, (o) => o.text.length > 0, 'every output was read');
    t.ok(receiver.received.some((r) => r.body.includes('"number":"431422******0056"') && r.body.includes('"type":"visa"')), 'callbacks carry the mask and the brand');
  });

  t.test('no output holds a full number (as typed or as digits) or a CVV', async (t) => {
    const numbers = new Set<string>([...Object.values(TYPED).flatMap((c) => [c.pan, c.typed]), ...testCards.map((c) => c.pan)]);
    const cvvs = Object.values(TYPED).map((c) => c.cvv);
    const found: string[] = [];
    for (const { what, text } of outputs) {
      for (const number of numbers) if (text.includes(number)) found.push(`${number} in ${what}`);
      for (const cvv of cvvs) if (new RegExp(`(?<![0-9A-Za-z])${cvv}(?![0-9A-Za-z])`).test(text)) found.push(`CVV ${cvv} in ${what}`);
    }
    t.same(found, [], `${outputs.length} outputs searched for ${numbers.size} numbers and ${cvvs.length} CVVs`);
  });
});
