import t from 'tap';
import type { InjectOptions } from 'fastify';
import { join } from 'node:path';
import { buildTestSandbox, flush, freshPostgresDatabase, PROJECT_ID, tempDir } from '../helpers/sandbox.js';
import { startReceiver, type Receiver } from '../helpers/receiver.js';
import { post, sale, saleBody, sdkSigner, seedPurchase, signed, payout } from '../helpers/gate-client.js';
import { postgresSkipReason } from '../helpers/postgres-server.js';
import { paymentPageUrl } from '../helpers/payment-page-client.js';
import { matchCounted } from '../helpers/promises.js';

const TOKEN = 'BackendsAgreeDataApiToken00001';
const TOKEN_SECRET = 'agree-secret';

/**
 * 8 Gate answers, 3 status answers, 1 Data API answer, then the callbacks to the receiver: redirect and final of
 * agree-1, agree-2 (a magic decline) and agree-3 (declined at the limit time), the over-limit sale's decline, one
 * per payout. (The seed purchase's callbacks go to the inbox.)
 */
const EXPECTED_LINES = 8 + 3 + 1 + 2 * 3 + 1 + 2;

interface Tap { teardown(fn: () => unknown): void }

/** One scripted session on a fresh database: every answer and callback body, as text. */
async function session(t: Tap, location: string): Promise<string[]> {
  const { app } = await buildTestSandbox(t, { dbPath: location, config: { dataApiTokens: [{ token: TOKEN, secret_key: TOKEN_SECRET }] } });
  const receiver = await startReceiver(t);
  const general = (id: string) => ({ general: { project_id: PROJECT_ID, payment_id: id, merchant_callback_url: receiver.url } });
  const out: string[] = [];
  const keep = (answer: { status: number; body: unknown }) => out.push(`${answer.status} ${JSON.stringify(answer.body)}`);
  await seedPurchase(app, 'agree-seed', 'customer-1');
  keep(await sale(app, 'agree-1', general('agree-1')));
  keep(await sale(app, 'agree-2', { ...general('agree-2'), payment: { amount: 10001, currency: 'PHP' } }));
  keep(await sale(app, 'agree-3', { ...general('agree-3'), payment: { amount: 2000, currency: 'USD' } }));
  keep(await sale(app, 'agree-4', { ...general('agree-4'), payment: { amount: 9_000_000, currency: 'PHP' } }));
  keep(await sale(app, 'agree-1', general('agree-1')));
  keep(await post(app, '/v2/payment/wallet/paymaya/sale', { ...saleBody('agree-5'), general: { project_id: PROJECT_ID, payment_id: 'agree-5', signature: 'bad' } }));
  keep(await payout(app, 'agree-6', general('agree-6')));
  keep(await payout(app, 'agree-7', { ...general('agree-7'), customer: { id: 'nobody', ip_address: '203.0.113.7' } }));
  await flush(app, 60);
  await app.inject({ method: 'POST', url: `/_sandbox/payments/${PROJECT_ID}/agree-1/complete`, payload: { status: 'success' } });
  await flush(app, 24 * 3600);
  for (const id of ['agree-1', 'agree-3', 'agree-6']) keep(await post(app, '/v2/payment/status', signed({ general: { project_id: PROJECT_ID, payment_id: id } })));
  const query = { token: TOKEN, interval: { from: '2026-01-01 00:00:00', to: '2026-01-03 00:00:00' }, fields: ['operation_id', 'payment_id', 'operation_status', 'code', 'sum_converted_amount'] };
  keep(await post(app, '/operations/get', { ...query, signature: sdkSigner(query, TOKEN_SECRET) }));
  return [...out, ...receiver.received.map((r) => r.body).sort()];
}

t.test('for the same seed and manual clock, SQLite and PostgreSQL give byte-identical answers and callbacks', { skip: postgresSkipReason }, async (t) => {
  const onSqlite = await session(t, join(tempDir(t), 'sandbox.db'));
  const onPostgres = await session(t, await freshPostgresDatabase());
  t.equal(onSqlite.length, EXPECTED_LINES, 'every answer and every callback of the session was kept');
  t.same(onPostgres, onSqlite);
});

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

/**
 * Card flows' answers: card-sale (form, card, result: 3), card-3ds (card, bank's page, wrong code, right code, result: 5),
 * card-hold (card, result, capture, refund, status: 5), card-refused (1). Callbacks: the sale's, the challenge's
 * awaiting and final, the hold's auth, capture and refund.
 */
const CARD_ANSWERS = 3 + 5 + 5 + 1;
const CARD_CALLBACKS = 1 + 2 + 3;

/**
 * Card flows on a fresh database: a sale without 3-D Secure, a sale through the bank's challenge, an auth captured
 * and refunded in part through the Gate, a refused card; every page and answer (status, location, body) and the
 * callbacks sent. The receiver is the same for every run, as its address is in the Payment Page's links.
 */
async function cardSession(t: Tap, location: string, receiver: Receiver): Promise<string[]> {
  const { app } = await buildTestSandbox(t, { dbPath: location });
  const before = receiver.received.length;
  const out: string[] = [];
  const keep = async (options: InjectOptions | string) => {
    const answer = await app.inject(options);
    out.push(`${answer.statusCode} ${answer.headers.location ?? ''} ${answer.body}`);
    return answer;
  };
  const link = (paymentId: string, extra: Record<string, unknown> = {}) => paymentPageUrl({
    payment_id: paymentId, payment_amount: 50000, payment_currency: 'PHP', customer_id: 'customer-1', force_payment_method: 'card', merchant_callback_url: receiver.url, ...extra,
  });
  const card = (url: string, pan: string, expiry = '12/30') => keep({
    method: 'POST', url: '/payment/card', headers: FORM,
    payload: new URLSearchParams({ request: url.slice(url.indexOf('?') + 1), method: 'card', pan, expiry, cvv: '123', card_holder: 'Juan dela Cruz' }).toString(),
  });
  const acs = (tokenid: string, code: string) => keep({ method: 'POST', url: '/acs/challenge', headers: FORM, payload: new URLSearchParams({ tokenid, code, action: 'approve' }).toString() });
  const gate = (path: string, body: Record<string, unknown>) => keep({ method: 'POST', url: path, payload: signed({ general: { project_id: PROJECT_ID, payment_id: 'card-hold' }, ...body }) });

  await keep(link('card-sale'));
  await keep(String((await card(link('card-sale'), '4000000000000077')).headers.location));
  const challenge = String((await card(link('card-3ds'), '4314220000000056')).headers.location);
  await keep(challenge);
  const tokenid = new URL(challenge, 'http://x').searchParams.get('tokenid') as string;
  await acs(tokenid, '0000');
  await keep(String((await acs(tokenid, '1234')).headers.location));
  await keep(String((await card(link('card-hold', { operation_type: 'auth' }), '4242424242424242')).headers.location));
  await flush(app, 60);
  await gate('/v2/payment/card/capture', { payment: { amount: 30000, currency: 'PHP' } });
  await gate('/v2/payment/card/refund', { payment: { amount: 10000, currency: 'PHP', merchant_refund_id: 'refund-1' } });
  await gate('/v2/payment/status', {});
  await card(link('card-refused'), '4242424242424242', '01/21');
  await flush(app, 60);
  await receiver.whenReceived(before + CARD_CALLBACKS);
  return [...out, ...receiver.received.slice(before).map((r) => r.body).sort()];
}

let cardsOnSqlite: string[] | undefined;
// One receiver for every card session: its address is in the Payment Page's links and so in the pages.
const cardReceiver = startReceiver(t);

t.test('card flows (sale, challenge, auth + capture + refund) run twice on SQLite with the same seed and manual clock give byte-identical answers and callbacks', async (t) => {
  const receiver = await cardReceiver;
  const first = await cardSession(t, join(tempDir(t), 'sandbox.db'), receiver);
  const second = await cardSession(t, join(tempDir(t), 'sandbox.db'), receiver);
  t.equal(first.length, CARD_ANSWERS + CARD_CALLBACKS, 'every answer and every callback of the session was kept');
  t.same(first.slice(0, CARD_ANSWERS).map((line) => line.slice(0, 3)), [
    '200', '303', '200', '303', '200', '400', '303', '200', '303', '200', '200', '200', '200', '400',
  ], 'the statuses: form, card, result; card, bank, wrong code, right code, result; card, result, capture, refund, status; refused');
  matchCounted(t, first.slice(CARD_ANSWERS).map((body) => JSON.parse(body) as Record<string, any>).map((c) => [c.payment.id, c.operation.type, c.payment.status]).sort(), [
    ['card-3ds', 'sale', 'awaiting 3ds result'], ['card-3ds', 'sale', 'success'],
    ['card-hold', 'auth', 'awaiting capture'], ['card-hold', 'capture', 'success'], ['card-hold', 'refund', 'partially refunded'],
    ['card-sale', 'sale', 'success'],
  ]);
  t.same(second, first);
  cardsOnSqlite = first;
});

t.test('card flows give byte-identical answers and callbacks on PostgreSQL, run twice, as on SQLite', { skip: postgresSkipReason }, async (t) => {
  const receiver = await cardReceiver;
  const onSqlite = cardsOnSqlite ?? await cardSession(t, join(tempDir(t), 'sandbox.db'), receiver);
  const first = await cardSession(t, await freshPostgresDatabase(), receiver);
  const second = await cardSession(t, await freshPostgresDatabase(), receiver);
  t.same(first, onSqlite, 'PostgreSQL as SQLite');
  t.same(second, first, 'PostgreSQL twice');
});
