// Reads see only committed work on SQLite: a batch held open on the writer, whose COMMIT then fails for real (its
// disk, a small tmpfs, is full), was never visible to a Gate status request nor to the scheduler's own reads.
import t from 'tap';
import { join } from 'node:path';
import { buildApp } from '../../src/app.js';
import { StorageFault } from '../../src/domain/ports.js';
import { createSandbox } from '../../src/sandbox.js';
import { SqliteStorage } from '../../src/storage/sqlite/sqlite-storage.js';
import { post, sale, signed } from '../helpers/gate-client.js';
import { startReceiver } from '../helpers/receiver.js';
import { flush, PROJECT_ID, testConfig } from '../helpers/sandbox.js';
import { mountSmallDisk, smallDiskSkipReason } from '../helpers/small-disk.js';

const silentLog = { info() {}, warn() {}, error() {} };

t.test('a batch whose commit fails was never visible to a status request or to the scheduler', { skip: smallDiskSkipReason }, async (t) => {
  const disk = mountSmallDisk(t, 4);
  const receiver = await startReceiver(t);
  const dbPath = join(disk.dir, 'sandbox.db');
  const storage = SqliteStorage.open(dbPath, { instanceId: 'committed-reads' });
  const config = { ...testConfig(dbPath), projects: [{ project_id: PROJECT_ID, secret_key: 'test-secret-445', name: 'Test shop', callback_url: receiver.url }] };
  const sandbox = await createSandbox(config, silentLog, { storage });
  const app = await buildApp(sandbox);
  sandbox.scheduler.start();
  t.teardown(async () => {
    await app.close();
    await sandbox.close();
  });
  const status = (paymentId: string) => post(app, '/v2/payment/status', signed({ general: { project_id: PROJECT_ID, payment_id: paymentId } }));

  t.equal((await sale(app, 'kept-1')).status, 200, 'a sale made while the disk has room is accepted');
  const template = await storage.read.payments.find(PROJECT_ID, 'kept-1');
  if (template === undefined) throw new Error('the accepted sale is not stored');
  const now = sandbox.clock.now(PROJECT_ID);

  disk.fill();
  const seen: Record<string, unknown> = {};
  const outcome = await storage.transact(async (tx) => {
    const { rowId: _rowId, ...rest } = template;
    const payment = await tx.payments.insert({ ...rest, paymentId: 'never-committed', checkoutToken: 'never-committed-token' });
    if (payment === undefined) throw new Error('not inserted');
    const callbackId = await tx.callbacks.insert({
      projectId: PROJECT_ID, paymentId: 'never-committed', paymentRowId: payment.rowId, kind: 'final', url: receiver.url, body: '{"payment":{"id":"never-committed"}}',
      signed: false, state: 'scheduled', createdAt: now, nextAttemptAt: now, replayOf: undefined, faults: {},
    });
    t.ok(await tx.payments.find(PROJECT_ID, 'never-committed'), 'the open batch sees its own row');
    // The batch stays open while a real status request is answered, and while the scheduler's reads look.
    const answer = await status('never-committed');
    seen.statusCode = answer.status;
    seen.statusBody = answer.body;
    t.ok(await tx.jobs.anyDue(now, { paymentRowId: payment.rowId }), 'in the open batch its callback is due now');
    seen.anyDue = await storage.read.jobs.anyDue(now, { paymentRowId: payment.rowId });
    seen.job = await storage.read.jobs.find('callback', callbackId);
    seen.callbacks = (await storage.read.callbacks.ofPayment(payment.rowId)).length;
    return 'work done';
  }).then((value) => ({ committed: true, value, error: undefined as unknown }), (error: unknown) => ({ committed: false, value: undefined, error }));

  t.equal(outcome.committed, false, 'the batch\'s commit fails on the full disk');
  t.ok(!outcome.committed && outcome.error instanceof StorageFault && outcome.error.state === 'full', 'refused as a full disk');
  t.equal(seen.statusCode, 404, 'a status request during the open batch did not find its payment');
  t.match(seen.statusBody, { status: 'error', code: '3061' }, 'the status answer is "Transaction not found"');
  t.equal(seen.anyDue, false, 'the scheduler\'s look for due work did not see its callback');
  t.equal(seen.job, undefined, 'nor did its look at the job it would claim');
  t.equal(seen.callbacks, 0, 'nor did a read of the payment\'s callbacks');

  disk.release();
  t.equal((await status('never-committed')).status, 404, 'after the failed commit the payment does not exist');
  t.equal((await status('kept-1')).status, 200, 'the committed sale is still answered');
  await flush(app);
  t.same(receiver.received.filter((r) => r.body.includes('never-committed')), [], 'the never-committed callback was never sent');
});
