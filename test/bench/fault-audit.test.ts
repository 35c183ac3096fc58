import t from 'tap';
import { auditFaults } from '../../bench/fault-audit.js';

const clean = {
  accepted: ['sale-1', 'payout-1'],
  callbacks: [{ payment_id: 'sale-1', state: 'delivered' }, { payment_id: 'payout-1', state: 'delivered' }],
  receiver: { received: 3, failed: 1 },
  requests: 5,
  errorAnswers: 0,
  drainSeconds: 1,
};

t.test('the faults audit passes a run where every accepted payment has its callbacks and each was delivered once', async (t) => {
  const audit = auditFaults(clean);
  t.same(audit.checks.map((c) => c.passed), [true, true, true, true]);
  t.equal(audit.lost, 0);
  t.match(audit.checks[0]?.claim, 'every accepted payment is stored with its callbacks: 2 of 2');
});

t.test('the faults audit counts as lost an accepted payment without callbacks and a callback still pending or given up after draining', async (t) => {
  const audit = auditFaults({
    ...clean,
    accepted: [...clean.accepted, 'sale-2'],
    callbacks: [...clean.callbacks, { payment_id: 'payout-2', state: 'scheduled' }, { payment_id: 'sale-3', state: 'failed' }],
  });
  t.equal(audit.lost, 3, 'one payment without its callbacks, two callbacks not delivered');
  t.same(audit.withoutCallbacks, ['sale-2']);
  t.same(audit.checks.map((c) => c.passed), [false, false, true, true]);
  t.match(audit.checks[0]?.claim, '2 of 3 (without: sale-2)');
  t.match(audit.checks[1]?.claim, '2 delivered, 0 queued, 1 scheduled, 1 given up');
});

t.test('the faults audit fails when the receiver acknowledged more deliveries than were recorded, or a request got an error', async (t) => {
  const audit = auditFaults({ ...clean, receiver: { received: 4, failed: 1 }, errorAnswers: 2 });
  t.same(audit.checks.map((c) => c.passed), [true, true, false, false]);
  t.match(audit.checks[2]?.claim, '3 answered 200, 2 recorded');
  t.match(audit.checks[3]?.claim, '2 of 5');
});
