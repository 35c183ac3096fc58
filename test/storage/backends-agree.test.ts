import t from 'tap';
import { join } from 'node:path';
import { buildTestSandbox, flush, freshPostgresDatabase, PROJECT_ID, tempDir } from '../helpers/sandbox.js';
import { startReceiver } from '../helpers/receiver.js';
import { post, sale, saleBody, sdkSigner, seedPurchase, signed, payout } from '../helpers/gate-client.js';
import { postgresSkipReason } from '../helpers/postgres-server.js';

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
