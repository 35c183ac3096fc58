// The scheduler on the manual clock, through the domain services on a real database: due work runs when the
// clock reaches it and not before, and a clock move answers once everything that fell due has run.
import t from 'tap';
import { buildDomainSandbox, paymentRequest, testProject } from '../helpers/domain-sandbox.js';
import { startReceiver } from '../helpers/receiver.js';

const ADMIN = { kind: 'admin', open: true } as const;

t.test('a timed scenario outcome runs when the project\'s clock reaches it, not a second before', async (t) => {
  const sandbox = await buildDomainSandbox(t);
  const project = await testProject(sandbox);
  // slow-success: a success at the method's base time (1,800 s for a PayMaya sale).
  await sandbox.lifecycle.startSale(paymentRequest(project, 'timed', { sum: { amount: 10_004, currency: 'PHP' } }));
  const status = async () => (await sandbox.lookup.find(project.projectId, 'timed'))?.status;
  await sandbox.scheduler.runDue(sandbox.clock.now(project.projectId));
  t.equal(await status(), 'awaiting redirect result', 'nothing is due yet');
  await sandbox.tools.moveClock(ADMIN, { seconds: 1_799, projectId: project.projectId });
  t.equal(await status(), 'awaiting redirect result', 'one second early: still waiting');
  await sandbox.tools.moveClock(ADMIN, { seconds: 1, projectId: project.projectId });
  t.equal(await status(), 'success', 'at the base time: the outcome ran before the move answered');
  t.equal(sandbox.scheduler.inFlight, 0, 'nothing is left running');
});

t.test('a clock move runs work that work schedules within the move: a failed callback\'s retries inside the window', async (t) => {
  const sandbox = await buildDomainSandbox(t);
  const project = await testProject(sandbox);
  const receiver = await startReceiver(t, [500, 500, 500]);
  await sandbox.lifecycle.startSale(paymentRequest(project, 'retried', { callbackUrl: receiver.url }));
  await sandbox.tools.moveClock(ADMIN, { seconds: 30, projectId: project.projectId });
  t.equal(receiver.received.length, 4, 'the first attempt and three retries 10 s apart all ran within the 30 s move');
  const payment = await sandbox.lookup.find(project.projectId, 'retried');
  const [callback] = await sandbox.callbacks.ofPayment(payment!.rowId);
  t.match(callback, { state: 'delivered', attempts: 4 });
});
