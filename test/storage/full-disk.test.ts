// A full disk, for real: the sandbox's SQLite file on a 6 MiB tmpfs the test mounts, filled by sales and by a
// filler file. Writes are refused clearly (601, HTTP 503, "storage full"), reads go on, nothing hangs, the log
// says so once, and once the filler is removed writes resume in the same process: every accepted sale kept,
// every callback delivered exactly once.
import t from 'tap';
import { join } from 'node:path';
import { buildApp } from '../../src/app.js';
import type { Logger } from '../../src/domain/ports.js';
import { createSandbox } from '../../src/sandbox.js';
import { post, sale, sdkSigner, signed } from '../helpers/gate-client.js';
import { startReceiver } from '../helpers/receiver.js';
import { PROJECT_ID, SECRET, testConfig } from '../helpers/sandbox.js';
import { paymentPageUrl, submitPaymentPage, walletAction } from '../helpers/payment-page-client.js';
import { mountSmallDisk, smallDiskSkipReason } from '../helpers/small-disk.js';
import { atLeast, everyOf, matchCounted } from '../helpers/promises.js';

const TOKEN = 'full-disk-data-api-token';
const TOKEN_SECRET = 'full-disk-secret';

function capturingLog(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const note = (_obj: object, msg?: string) => void lines.push(msg ?? '');
  return { lines, info: note, warn: note, error: note };
}

t.test('on a full disk writes are refused clearly, reads go on, nothing hangs, and writes resume without a restart, nothing lost or sent twice', { skip: smallDiskSkipReason }, async (t) => {
  const disk = mountSmallDisk(t, 6);
  const receiver = await startReceiver(t);
  const log = capturingLog();
  const dbPath = join(disk.dir, 'sandbox.db');
  const config = {
    ...testConfig(dbPath),
    projects: [{ project_id: PROJECT_ID, secret_key: SECRET, name: 'Test shop', callback_url: receiver.url }],
    dataApiTokens: [{ token: TOKEN, secret_key: TOKEN_SECRET, project_ids: [PROJECT_ID] }],
  };
  const sandbox = await createSandbox(config, log);
  const app = await buildApp(sandbox);
  sandbox.scheduler.start();
  t.teardown(async () => {
    await app.close();
    await sandbox.close();
  });
  const status = (paymentId: string) => post(app, '/v2/payment/status', signed({ general: { project_id: PROJECT_ID, payment_id: paymentId } }));
  const complete = (paymentId: string) => app.inject({ method: 'POST', url: `/_sandbox/payments/${PROJECT_ID}/${paymentId}/complete`, payload: { status: 'success' } });
  const advance = (seconds: number) => app.inject({ method: 'POST', url: '/_sandbox/clock/advance', payload: { seconds } });
  const finals = (paymentId: string) => receiver.received.filter((r) => (r.json.payment as { id?: string } | undefined)?.id === paymentId && (r.json.payment as { status?: string }).status === 'success');

  // Room for a few dozen sales, then none: sales in groups of five (one commit each) until three groups are refused.
  disk.fill(256 * 1024);
  const accepted: string[] = [];
  const refused: string[] = [];
  const refusals: Array<{ status: number; body: Record<string, any> }> = [];
  for (let group = 0, refusedGroups = 0; refusedGroups < 3 && group < 200; group++) {
    const ids = Array.from({ length: 5 }, (_, n) => `full-${group}-${n}`);
    const answers = await Promise.all(ids.map((id) => sale(app, id)));
    answers.forEach((answer, n) => {
      if (answer.status === 200) accepted.push(ids[n] as string);
      else {
        refused.push(ids[n] as string);
        refusals.push(answer);
      }
    });
    if (answers.length > 0 && !answers.some((a) => a.status === 200)) refusedGroups++;
  }
  t.ok(accepted.length >= 5, `${accepted.length} sales accepted while the disk had room`);
  t.ok(refused.length >= 15, `${refused.length} sales refused once it was full`);
  everyOf(t, refusals, 1, (r) => r.status === 503, 'every refusal is HTTP 503');
  matchCounted(t, refusals[0]?.body, { status: 'error', code: '601', message: 'Try again', errors: [{ code: '601', field: '', message: /^storage full/ }], sandbox: { storage: 'full' } },
    'in the Gate envelope: 601 Try again, the cause named ("storage full")');

  // Everything else too: a disk filled to the last byte.
  disk.fill();
  const health = await app.inject({ method: 'GET', url: '/_sandbox/health' });
  t.equal(health.statusCode, 503, 'health answers 503');
  t.match(health.json(), { status: 'error', storage: 'sqlite', storage_state: 'full', message: /^storage full/ }, 'and says the storage is full');

  // Reads answer from what is stored.
  const statuses = await Promise.all(accepted.map(status));
  everyOf(t, statuses, 1, (s) => s.status === 200 && s.body.payment.id !== undefined, `all ${accepted.length} accepted sales answer their status`);
  everyOf(t, (await Promise.all(refused.map(status))), 1, (s) => s.status === 404, 'no refused sale left a trace');
  const dashboard = await app.inject({ method: 'GET', url: '/dashboard/payments', headers: { accept: 'text/html' } });
  t.equal(dashboard.statusCode, 200, 'the dashboard\'s list answers');
  t.ok(dashboard.body.includes(accepted[0] as string), 'and lists what is stored');
  const query = { token: TOKEN, project_id: [PROJECT_ID], interval: { from: '2025-12-31 00:00:00', to: '2026-01-02 00:00:00' }, limit: 1000 };
  const dataApi = await app.inject({ method: 'POST', url: '/operations/get', payload: { ...query, signature: sdkSigner(query, TOKEN_SECRET) } });
  t.equal(dataApi.statusCode, 200, 'the Data API answers');
  t.equal((dataApi.json() as { operations: unknown[] }).operations.length, accepted.length, 'with every accepted sale\'s operation');
  const token = (await sandbox.lookup.find(PROJECT_ID, accepted[0] as string))?.checkoutToken ?? '';
  const checkout = await app.inject({ method: 'GET', url: `/paymaya/checkout?tokenid=${encodeURIComponent(token)}` });
  t.equal(checkout.statusCode, 200, 'a stored payment\'s wallet checkout page answers');

  // The pages refuse a write as a page: 503, code 601, the cause named.
  const pageRefusal = /Error 601: Try again[\s\S]*storage full/;
  const paid = await walletAction(app, token, 'pay');
  t.equal(paid.statusCode, 503, 'paying on the wallet checkout is refused with 503');
  t.match(paid.body, pageRefusal, 'on an error page naming 601 and "storage full"');
  const link = paymentPageUrl({ payment_id: 'page-while-full', payment_amount: 50000, payment_currency: 'PHP', customer_id: 'cust-1', customer_email: 'juan@example.ph' });
  const submitted = await submitPaymentPage(app, link, { method: 'paymaya-wallet', customer_email: 'juan@example.ph' });
  t.equal(submitted.statusCode, 503, 'a Payment Page submit is refused with 503');
  t.match(submitted.body, pageRefusal, 'on an error page naming 601 and "storage full"');
  t.equal((await status('page-while-full')).status, 404, 'and the refused page left no payment');
  refused.push('page-while-full');

  // Writes that wait for due work answer at once, refused, instead of waiting for what cannot be recorded.
  const writeStarted = Date.now();
  const [completeAnswer, advanceAnswer] = await Promise.all([complete(accepted[0] as string), advance(60)]);
  const writeMs = Date.now() - writeStarted;
  t.equal(completeAnswer.statusCode, 503, 'a complete is refused with 503');
  matchCounted(t, completeAnswer.json(), { code: '601', errors: [{ message: /^storage full/ }] }, 'as 601 storage full');
  t.equal(advanceAnswer.statusCode, 503, 'a clock advance is refused with 503');
  matchCounted(t, advanceAnswer.json(), { code: '601', errors: [{ message: /^storage full/ }] }, 'as 601 storage full');
  t.ok(writeMs < 2_000, `both answered within 2 s (${writeMs} ms)`);
  t.equal(log.lines.filter((line) => line.startsWith('storage full')).length, 1, `the log says "storage full" once, after ${refused.length + 3} refusals`);
  t.same(receiver.received.filter((r) => refused.includes((r.json.payment as { id?: string } | undefined)?.id ?? '')), [], 'refused sales got no callbacks');

  // Space comes back: writes resume in this process, at the first request.
  disk.release();
  const resumedStarted = Date.now();
  const resumed = await sale(app, 'after-space-returned');
  t.equal(resumed.status, 200, `a sale is accepted again at once (${Date.now() - resumedStarted} ms), without a restart`);
  accepted.push('after-space-returned');
  t.equal((await app.inject({ method: 'GET', url: '/_sandbox/health' })).json().storage_state, 'ok', 'health is ok again');
  t.equal(log.lines.filter((line) => line.startsWith('storage writable again')).length, 1, 'and the log says so once');

  // Every accepted sale completes; its one final callback reaches the receiver once.
  for (const id of atLeast(t, accepted, 1, 'accepted sales')) t.equal((await complete(id)).statusCode, 200, `${id} completes`);
  t.equal((await advance(60)).statusCode, 200, 'the clock moves again');
  await receiver.whenReceived(accepted.length);
  const counts = accepted.map((id) => finals(id).length);
  t.same(counts, accepted.map(() => 1), `each of the ${accepted.length} accepted sales got exactly one success callback`);
  everyOf(t, (await Promise.all(accepted.map(status))), 1, (s) => s.status === 200 && s.body.payment.status === 'success', 'and all are kept, paid');
});

t.test('a callback answered while the disk is full is recorded once space returns, and never sent twice', { skip: smallDiskSkipReason }, async (t) => {
  const disk = mountSmallDisk(t, 6);
  const receiver = await startReceiver(t);
  const dbPath = join(disk.dir, 'sandbox.db');
  const config = { ...testConfig(dbPath), projects: [{ project_id: PROJECT_ID, secret_key: SECRET, name: 'Test shop', callback_url: receiver.url }] };
  const sandbox = await createSandbox(config, capturingLog());
  const app = await buildApp(sandbox);
  sandbox.scheduler.start();
  t.teardown(async () => {
    await app.close();
    await sandbox.close();
  });
  const ids = ['held-1', 'held-2', 'held-3'];
  for (const id of ids) t.equal((await sale(app, id)).status, 200, `${id} accepted`);
  await app.inject({ method: 'POST', url: '/_sandbox/clock/advance', payload: { seconds: 1 } });
  const before = receiver.received.length;
  // The receiver holds the final callbacks unanswered; the disk fills meanwhile; then it answers 200.
  receiver.holding = true;
  const completions = ids.map((id) => app.inject({ method: 'POST', url: `/_sandbox/payments/${PROJECT_ID}/${id}/complete`, payload: { status: 'success' } }));
  await receiver.whenHeld(3);
  disk.fill();
  receiver.release();
  const answers = await Promise.all(completions);
  everyOf(t, answers, 1, (a) => a.statusCode === 503 && a.json().code === '601', 'the completes waiting for their callbacks are refused, not left hanging');
  disk.release();
  const advanced = await app.inject({ method: 'POST', url: '/_sandbox/clock/advance', payload: { seconds: 600 } });
  t.equal(advanced.statusCode, 200, 'once space is back, the clock moves across every retry time');
  t.equal(receiver.received.length, before + 3, 'the three answered callbacks were not sent a second time');
  for (const id of ids) {
    const list = (await app.inject({ method: 'GET', url: `/_sandbox/callbacks?payment_id=${id}` })).json() as { callbacks: Array<{ state: string; attempts: unknown[] }> };
    matchCounted(t, list.callbacks[0], { state: 'delivered', attempts: [{ http_status: 200 }] }, `${id}: its final callback is recorded as delivered by its one attempt`);
    t.equal(list.callbacks[0]?.attempts.length, 1, `${id}: one attempt`);
  }
});
