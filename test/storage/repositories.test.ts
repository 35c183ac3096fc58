import t from 'tap';
import { join } from 'node:path';
import type { NewPayment, Storage } from '../../src/domain/ports.js';
import { PgStorage } from '../../src/storage/postgres/pg-storage.js';
import { SqliteStorage } from '../../src/storage/sqlite/sqlite-storage.js';
import { freshPostgresDatabase, tempDir } from '../helpers/sandbox.js';
import { postgresSkipReason } from '../helpers/postgres-server.js';

const silentLog = { info() {}, warn() {}, error() {} };
const T0 = Date.UTC(2026, 0, 1);

interface Tap { teardown(fn: () => unknown): void }

const backends: Array<{ name: string; skip: string | false; open: (t: Tap) => Promise<Storage> }> = [
  { name: 'SQLite', skip: false, open: async (t) => SqliteStorage.open(join(tempDir(t), 'sandbox.db')) },
  { name: 'PostgreSQL', skip: postgresSkipReason, open: async () => PgStorage.open(await freshPostgresDatabase(), 'contract-test', silentLog) },
];

function newPayment(paymentId: string, overrides: Partial<NewPayment> = {}): NewPayment {
  return {
    projectId: 1, paymentId, method: 'paymaya', type: 'purchase', status: 'awaiting redirect result', interface: 'gate',
    sum: { amount: 5000, currency: 'PHP' }, sumConverted: { amount: 5000, currency: 'PHP' }, description: 'Order', customer: { id: 'Customer-1' },
    account: {}, returnUrl: {}, callbackUrl: undefined, callbackDelaySeconds: 0, callbacksDisabled: false, checkoutToken: `token-${paymentId}`,
    providerPaymentId: 'RF6XIZSW0Q', createdAt: T0, updatedAt: T0, baseDueAt: T0, limitDueAt: T0, extras: {}, ...overrides,
  };
}

for (const backend of backends) {
  t.test(`the ${backend.name} repositories`, { skip: backend.skip }, async (t) => {
    const storage = await backend.open(t);
    t.teardown(() => storage.close());

    t.test('a payment id is taken once per project; a second insert resolves undefined and changes nothing', async (t) => {
      const first = await storage.transact((tx) => tx.payments.insert(newPayment('p-1')));
      t.ok(first !== undefined && first.rowId > 0);
      const again = await storage.transact((tx) => tx.payments.insert(newPayment('p-1', { description: 'other' })));
      t.equal(again, undefined);
      t.equal((await storage.read.payments.find(1, 'p-1'))?.description, 'Order');
      t.same(await storage.read.payments.findByCheckoutToken('token-p-1'), first);
      t.same(await storage.read.payments.findByRowId(first!.rowId), first);
      const other = await storage.transact((tx) => tx.payments.insert(newPayment('p-1', { projectId: 2, checkoutToken: 'token-2-p-1' })));
      t.ok(other !== undefined, 'the same id in another project is another payment');
    });

    t.test('a unit of work that throws leaves nothing behind, and units beside it still commit', async (t) => {
      const results = await Promise.allSettled([
        storage.transact((tx) => tx.payments.insert(newPayment('u-1'))),
        storage.transact(async (tx) => {
          await tx.payments.insert(newPayment('u-2'));
          throw new Error('refused');
        }),
        storage.transact((tx) => tx.payments.insert(newPayment('u-3'))),
      ]);
      t.same(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled']);
      t.ok(await storage.read.payments.find(1, 'u-1'));
      t.equal(await storage.read.payments.find(1, 'u-2'), undefined);
      t.ok(await storage.read.payments.find(1, 'u-3'));
    });

    t.test('operation ids count up from the base and are never handed out again, even after a reset', async (t) => {
      const base = 5_028_800_010_128_000;
      const ids = [await storage.transact((tx) => tx.operations.nextId(base)), await storage.transact((tx) => tx.operations.nextId(base))];
      t.same(ids, [base + 1, base + 2]);
      await storage.transact((tx) => tx.payments.deleteAll(undefined));
      t.equal(await storage.transact((tx) => tx.operations.nextId(base)), base + 3);
      t.equal(await storage.transact((tx) => tx.operations.nextId(base - 1000)), base + 4, 'a lower base never moves the counter back');
    });

    t.test('frequency counts and the payout precondition read the customer\'s payments', async (t) => {
      await storage.transact(async (tx) => {
        await tx.payments.insert(newPayment('f-1', { customer: { id: 'c-9' }, createdAt: T0 + 1000 }));
        await tx.payments.insert(newPayment('f-2', { customer: { id: 'c-9' }, createdAt: T0 + 2000, status: 'success', method: 'gcash' }));
        await tx.payments.insert(newPayment('f-3', { customer: { id: 'c-9' }, createdAt: T0 + 3000, type: 'payout', method: 'paymaya' }));
      });
      t.equal(await storage.read.payments.countRecent(1, 'c-9', T0), 3);
      t.equal(await storage.read.payments.countRecent(1, 'c-9', T0 + 1500), 2);
      t.equal(await storage.read.payments.countRecent(1, 'c-9', T0, 'paymaya', 'purchase'), 1);
      t.equal(await storage.read.payments.hasSuccessfulPurchase(1, 'c-9', ['gcash', 'paymaya']), true);
      t.equal(await storage.read.payments.hasSuccessfulPurchase(1, 'c-9', ['paymaya']), false);
      t.equal(await storage.read.payments.hasSuccessfulPurchase(1, 'c-9', []), false);
    });

    t.test('due work of every kind is leased to one owner until the lease ends; ending a payment ends its limit timer', async (t) => {
      const now = Date.now();
      // Payments of the tests before are in progress too, each with its limit timer: start from none.
      await storage.transact((tx) => tx.payments.deleteAll(undefined));
      const payment = await storage.transact((tx) => tx.payments.insert(newPayment('jobs-1', { limitDueAt: T0 + 10, checkoutToken: 'jobs-1' })));
      const rowId = payment!.rowId;
      const callbackId = await storage.transact(async (tx) => {
        await tx.jobs.put({ kind: 'outcome', ref: rowId, dueAt: T0 + 1_000_000, projectId: 2, paymentRowId: rowId, payload: '{}' });
        return tx.callbacks.insert({
          projectId: 1, paymentId: 'jobs-1', paymentRowId: rowId, kind: 'prescriptive', url: undefined, body: '{}', signed: true, state: 'scheduled', createdAt: T0,
          nextAttemptAt: T0, replayOf: undefined, faults: {},
        });
      });
      t.same(await storage.read.jobs.find('limit', rowId), { kind: 'limit', ref: rowId, dueAt: T0 + 10, payload: '', projectId: 1 });
      t.same(await storage.read.jobs.find('callback', callbackId), { kind: 'callback', ref: callbackId, dueAt: T0, payload: '', projectId: 1 });
      const mine = await storage.transact((tx) => tx.jobs.claim(T0 + 100, 10, { owner: 'a', until: now + 15_000 }, now));
      t.same(mine.map((j) => [j.kind, j.ref]), [['callback', callbackId], ['limit', rowId]], 'the due work, earliest first');
      t.same(await storage.transact((tx) => tx.jobs.claim(T0 + 100, 10, { owner: 'b', until: now + 15_000 }, now)), [], 'nothing for another owner meanwhile');
      t.same(await storage.read.jobs.nextDue(now), { dueAt: T0 + 1_000_000, leaseEndsAt: now + 15_000 });
      t.equal(await storage.read.jobs.anyDue(T0 + 100, { paymentRowId: rowId }), true, 'held work is still due');
      t.equal(await storage.read.jobs.anyDue(T0 + 100, { projectId: 2 }), false);
      t.equal(await storage.read.jobs.anyDue(T0 + 2_000_000, { projectId: 2 }), true);
      t.equal(await storage.read.jobs.earliestDueAt(), T0);
      const takenOver = await storage.transact((tx) => tx.jobs.claim(T0 + 100, 10, { owner: 'b', until: now + 30_000 }, now + 15_001));
      t.equal(takenOver.length, 2, 'an ended lease lets another owner take the work');
      await storage.transact((tx) => tx.jobs.holdOff('callback', callbackId, { owner: 'failed', until: now + 60_000 }));
      t.same(await storage.transact((tx) => tx.jobs.claim(T0 + 100, 10, { owner: 'c', until: now + 90_000 }, now + 30_001)).then((jobs) => jobs.map((j) => j.kind)), ['limit'],
        'work held off stays away until its hold ends');
      await storage.transact((tx) => tx.payments.finish(rowId, 'decline', T0 + 50));
      t.equal(await storage.read.jobs.find('limit', rowId), undefined, 'a finished payment has no limit timer');
      await storage.transact((tx) => tx.callbacks.recordAttempt(
        { callbackId, number: 1, at: T0 + 60, url: 'sandbox:inbox', httpStatus: 200, error: undefined, latencyMs: 0, responseExcerpt: 'OK' },
        { state: 'delivered', nextAttemptAt: undefined, deliveredAt: T0 + 60 },
      ));
      t.equal(await storage.read.jobs.find('callback', callbackId), undefined, 'a delivered callback is no longer due');
      await storage.transact((tx) => tx.jobs.put({ kind: 'outcome', ref: rowId, dueAt: T0 + 20, projectId: 2, paymentRowId: rowId, payload: '{"moved":1}' }));
      t.same(await storage.read.jobs.find('outcome', rowId), { kind: 'outcome', ref: rowId, dueAt: T0 + 20, payload: '{"moved":1}', projectId: 2 }, 'put moves a job');
      await storage.transact((tx) => tx.jobs.remove('outcome', rowId));
      t.equal(await storage.read.jobs.earliestDueAt(), undefined, 'no work is left');
    });

    t.test('a later callback of a payment queues behind a pending one, in order', async (t) => {
      const record = (state: 'scheduled' | 'queued', createdAt: number) => ({
        projectId: 1, paymentId: 'cb-1', paymentRowId: 42, kind: 'final' as const, url: undefined, body: '{}', signed: true, state, createdAt,
        nextAttemptAt: state === 'scheduled' ? createdAt : undefined, replayOf: undefined, faults: {},
      });
      t.equal(await storage.read.callbacks.hasPending(42), false);
      const [first, second, third] = await storage.transact(async (tx) => [
        await tx.callbacks.insert(record('scheduled', T0)), await tx.callbacks.insert(record('queued', T0 + 1)), await tx.callbacks.insert(record('queued', T0 + 2)),
      ]);
      t.equal(await storage.read.callbacks.hasPending(42), true);
      t.equal((await storage.read.callbacks.nextQueued(42))?.id, second);
      await storage.transact((tx) => tx.callbacks.recordAttempt(
        { callbackId: first!, number: 1, at: T0 + 5, url: 'sandbox:inbox', httpStatus: 200, error: undefined, latencyMs: 0, responseExcerpt: '' },
        { state: 'delivered', nextAttemptAt: undefined, deliveredAt: T0 + 5 },
      ));
      await storage.transact((tx) => tx.callbacks.schedule(second!, T0 + 6, 1));
      t.equal((await storage.read.callbacks.nextQueued(42))?.id, third);
      t.match(await storage.read.callbacks.find(first!), { state: 'delivered', attempts: 1, firstAttemptAt: T0 + 5, deliveredAt: T0 + 5 });
      t.same((await storage.read.callbacks.ofPayment(42)).map((c) => c.state), ['delivered', 'scheduled', 'queued']);
      t.same((await storage.read.callbacks.list({ paymentId: 'cb-1', state: 'queued', limit: 10, offset: 0 })).map((c) => c.id), [third]);
    });

    t.test('a project id is created once; the first free id skips the taken ones', async (t) => {
      const project = { projectId: 1000, secretKey: 's', name: '', callbackUrl: undefined, origin: 'runtime' as const, frequencyLimits: [], callbackOptions: {}, tokenHash: undefined, quotas: {}, cardOptions: {} };
      t.equal(await storage.transact((tx) => tx.projects.create(project, T0)), true);
      t.equal(await storage.transact((tx) => tx.projects.create({ ...project, secretKey: 'other' }, T0)), false);
      t.equal((await storage.read.projects.find(1000))?.secretKey, 's');
      await storage.transact((tx) => tx.projects.create({ ...project, projectId: 1002 }, T0));
      t.equal(await storage.read.projects.freeId(1000), 1001);
      t.equal(await storage.read.projects.freeId(1002), 1003);
      t.equal(await storage.read.projects.freeId(5000), 5000);
    });

    t.test('a project is found by its token\'s hash; a token is one project\'s only', async (t) => {
      const project = { projectId: 3000, secretKey: 's', name: '', callbackUrl: undefined, origin: 'runtime' as const, frequencyLimits: [], callbackOptions: {}, tokenHash: 'b'.repeat(64), quotas: {}, cardOptions: {} };
      t.equal(await storage.transact((tx) => tx.projects.create(project, T0)), true);
      t.equal((await storage.read.projects.findByTokenHash('b'.repeat(64)))?.projectId, 3000);
      t.equal(await storage.read.projects.findByTokenHash('c'.repeat(64)), undefined);
      t.equal(await storage.transact((tx) => tx.projects.create({ ...project, projectId: 3001 }, T0)), false, 'the same token for another project is refused');
    });

    t.test('a project\'s stored payments are counted against its quota, and recounted after a reset', async (t) => {
      const project = { projectId: 4000, secretKey: 's', name: '', callbackUrl: undefined, origin: 'runtime' as const, frequencyLimits: [], callbackOptions: {}, tokenHash: undefined, quotas: { stored_payments: 2 }, cardOptions: {} };
      await storage.transact((tx) => tx.projects.create(project, T0));
      const counted = [];
      for (let n = 0; n < 3; n++) counted.push(await storage.transact((tx) => tx.payments.countStored(4000, 2)));
      t.same(counted, [true, true, false]);
      await storage.transact(async (tx) => {
        await tx.payments.insert(newPayment('q-1', { projectId: 4000, checkoutToken: 'q-1' }));
        await tx.projects.recountStoredPayments(4000);
      });
      t.equal(await storage.transact((tx) => tx.payments.countStored(4000, 2)), true, 'one stored, room for one more');
      t.equal(await storage.transact((tx) => tx.payments.countStored(4000, 2)), false);
    });

    t.test('a project keeps its frequency limits and callback delivery options; saving it again replaces them', async (t) => {
      const project = {
        projectId: 2000, secretKey: 's', name: 'Shop', callbackUrl: 'http://shop.example/cb', origin: 'config' as const,
        frequencyLimits: [{ operation: 'sale' as const, max: 2, window_seconds: 60 }], callbackOptions: { order: 'any' as const, repeat_redirect: 3 },
        tokenHash: 'a'.repeat(64), quotas: { requests_per_second: 5, stored_payments: 10 }, cardOptions: {},
      };
      await storage.transact((tx) => tx.projects.save(project, T0));
      t.same(await storage.read.projects.find(2000), project);
      await storage.transact((tx) => tx.projects.save({ ...project, frequencyLimits: [], callbackOptions: {} }, T0));
      t.same(await storage.read.projects.find(2000), { ...project, frequencyLimits: [], callbackOptions: {} });
    });

    t.test('reports count days in UTC and search payment ids regardless of case', async (t) => {
      await storage.transact(async (tx) => {
        await tx.payments.insert(newPayment('Report-A', { projectId: 9, createdAt: Date.UTC(2026, 0, 1, 23, 59), status: 'success', checkoutToken: 'r-a' }));
        await tx.payments.insert(newPayment('report-b', { projectId: 9, createdAt: Date.UTC(2026, 0, 2, 0, 1), status: 'decline', checkoutToken: 'r-b' }));
      });
      t.same(await storage.reports.dailyTotals({ projectIds: [9] }), [
        { day: '2026-01-01', status: 'success', n: 1, amount: 5000 },
        { day: '2026-01-02', status: 'decline', n: 1, amount: 5000 },
      ]);
      t.same(await storage.reports.methodStatuses({ projectIds: [9] }), [{ method: 'paymaya', status: 'decline', n: 1 }, { method: 'paymaya', status: 'success', n: 1 }]);
      t.equal(await storage.reports.count({ projectIds: [9], search: 'REPORT' }), 2);
      t.same((await storage.reports.page({ projectIds: [9] }, 10, 0)).map((r) => r.payment_id), ['report-b', 'Report-A'], 'newest first');
    });

    t.test('conformance runs keep their report, list newest first by project, and are cleared per project', async (t) => {
      const report = { passed: 13, failed: 1, runId: 'r1', callbackUrl: 'http://shop/cb', probeUrl: null, rejectStatus: null, startedAt: '2026-01-01T00:00:00.000Z', durationMs: 5, cases: [] };
      const run = (projectId: number, createdAt: number) => ({ projectId, createdAt, callbackUrl: 'http://shop/cb', probeUrl: undefined, passed: 13, failed: 1, report });
      const [a, b, c] = await storage.transact(async (tx) => [
        await tx.conformanceRuns.insert(run(1, T0)), await tx.conformanceRuns.insert({ ...run(2, T0 + 1), probeUrl: 'http://shop/o/{payment_id}' }), await tx.conformanceRuns.insert(run(1, T0 + 2)),
      ]);
      t.same(await storage.read.conformanceRuns.find(b!), { id: b, ...run(2, T0 + 1), probeUrl: 'http://shop/o/{payment_id}' });
      t.same((await storage.read.conformanceRuns.list({ limit: 10, offset: 0 })).map((r) => r.id), [c, b, a]);
      t.same((await storage.read.conformanceRuns.list({ projectId: 1, limit: 1, offset: 1 })).map((r) => r.id), [a]);
      await storage.transact((tx) => tx.conformanceRuns.deleteAll(1));
      t.same((await storage.read.conformanceRuns.list({ limit: 10, offset: 0 })).map((r) => r.id), [b]);
      t.equal(await storage.read.conformanceRuns.find(a!), undefined);
    });

    t.test('meta keeps the last value of a key', async (t) => {
      await storage.transact((tx) => tx.meta.put('k', '1'));
      await storage.transact((tx) => tx.meta.put('k', '2'));
      t.equal(await storage.read.meta.get('k'), '2');
      t.equal(await storage.read.meta.get('missing'), undefined);
    });

    t.test('work under one lock name runs one at a time; a listener hears what is published', async (t) => {
      const order: string[] = [];
      const step = (name: string) => storage.exclusive('contract', async () => {
        order.push(`${name} in`);
        await new Promise((resolve) => setImmediate(resolve));
        order.push(`${name} out`);
      });
      await Promise.all([step('one'), step('two')]);
      t.same(order, ['one in', 'one out', 'two in', 'two out']);
      const heard = new Promise((resolve) => storage.subscribe(resolve));
      storage.publish({ topic: 'clock' });
      t.same(await heard, { topic: 'clock' });
    });
  });
}
