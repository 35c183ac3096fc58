// The callback outbox driven through the domain services on a real database and a real HTTP receiver, without
// the sandbox's own HTTP surfaces: delivery only on 200, the retry ladder on the manual clock, strict order,
// the built-in inbox, and replay.
import t from 'tap';
import type { Sandbox } from '../../src/sandbox.js';
import { buildDomainSandbox, paymentRequest, testProject } from '../helpers/domain-sandbox.js';
import { startReceiver } from '../helpers/receiver.js';

const ADMIN = { kind: 'admin', open: true } as const;

async function paymentOf(sandbox: Sandbox, paymentId: string) {
  const project = await testProject(sandbox);
  const payment = await sandbox.lookup.find(project.projectId, paymentId);
  if (payment === undefined) throw new Error(`no payment ${paymentId}`);
  return payment;
}

async function advance(sandbox: Sandbox, seconds: number): Promise<void> {
  await sandbox.tools.moveClock(ADMIN, { seconds });
}

t.test('a callback is delivered only on 200: each failure is an attempt on the retry ladder, 10 s apart, until the receiver answers 200', async (t) => {
  const sandbox = await buildDomainSandbox(t);
  const receiver = await startReceiver(t, [500, 503]);
  const project = await testProject(sandbox);
  await sandbox.lifecycle.startSale(paymentRequest(project, 'ladder', { callbackUrl: receiver.url }));
  await advance(sandbox, 0);
  const payment = await paymentOf(sandbox, 'ladder');
  let [callback] = await sandbox.callbacks.ofPayment(payment.rowId);
  t.match(callback, { state: 'scheduled', attempts: 1 }, 'the first attempt failed and a second is scheduled');
  await advance(sandbox, 10);
  await advance(sandbox, 10);
  [callback] = await sandbox.callbacks.ofPayment(payment.rowId);
  t.match(callback, { state: 'delivered', attempts: 3 });
  const attempts = await sandbox.callbacks.attemptsOf(callback!.id);
  t.same(attempts.map((a) => a.httpStatus), [500, 503, 200]);
  t.same(attempts.map((a) => a.at - attempts[0]!.at), [0, 10_000, 20_000], 'attempts 2 and 3 come 10 s apart');
  t.equal(receiver.received.length, 3, 'the receiver saw three posts');
  t.equal(new Set(receiver.received.map((r) => r.body)).size, 1, 'all three the same signed bytes');
});

t.test('in strict order a payment\'s later callback waits while an earlier one is retried, then follows it', async (t) => {
  const sandbox = await buildDomainSandbox(t);
  const receiver = await startReceiver(t, [500]);
  const project = await testProject(sandbox);
  await sandbox.lifecycle.startSale(paymentRequest(project, 'ordered', { callbackUrl: receiver.url }));
  await advance(sandbox, 0);
  const payment = await paymentOf(sandbox, 'ordered');
  await sandbox.lifecycle.complete(payment.rowId, sandbox.outcomes.of('success'));
  t.same((await sandbox.callbacks.ofPayment(payment.rowId)).map((c) => [c.kind, c.state]), [['prescriptive', 'scheduled'], ['final', 'queued']], 'the final callback queues');
  await advance(sandbox, 10);
  t.same((await sandbox.callbacks.ofPayment(payment.rowId)).map((c) => [c.kind, c.state]), [['prescriptive', 'delivered'], ['final', 'delivered']]);
  t.same(receiver.received.map((r) => (r.json.payment as { status: string }).status), ['awaiting redirect result', 'awaiting redirect result', 'success'], 'the receiver saw them in order');
});

t.test('without a callback URL the signed body lands in the built-in inbox; a replay is a new delivery of the same bytes', async (t) => {
  const sandbox = await buildDomainSandbox(t);
  const project = await testProject(sandbox);
  await sandbox.lifecycle.startSale(paymentRequest(project, 'inboxed'));
  await advance(sandbox, 0);
  const payment = await paymentOf(sandbox, 'inboxed');
  const inbox = await sandbox.callbacks.inbox({ projectId: project.projectId, paymentId: 'inboxed', limit: 10, offset: 0 });
  t.equal(inbox.length, 1);
  const [original] = await sandbox.callbacks.ofPayment(payment.rowId);
  t.same(inbox[0]!.body, JSON.parse(original!.body), 'the inbox holds the signed body');
  const replay = await sandbox.tools.replay(ADMIN, String(original!.id));
  t.match(replay, { kind: 'replay', replayOf: original!.id, state: 'delivered', body: original!.body });
  t.equal((await sandbox.callbacks.inbox({ projectId: project.projectId, paymentId: 'inboxed', limit: 10, offset: 0 })).length, 2, 'the replay arrived as a second entry');
});
