// The wallet family's state machine, driven through the domain services on a real database, without HTTP:
// every transition of families/wallet.ts, what it writes (status, operation, callback, e-mail), and every
// action a status refuses.
import t from 'tap';
import type { PaymentStatus } from '../../src/domain/model.js';
import { WALLET_FAMILY } from '../../src/domain/payments/families/wallet.js';
import type { PaymentAction } from '../../src/domain/payments/state-machine.js';
import type { Sandbox } from '../../src/sandbox.js';
import { buildDomainSandbox, paymentRequest, payoutRequest, testProject } from '../helpers/domain-sandbox.js';
import { atLeast, matchCounted } from '../helpers/promises.js';

const ACTIONS: PaymentAction[] = ['customer', 'try-again', 'decide', 'force'];
const DAY_MS = 24 * 3600 * 1000;

async function story(sandbox: Sandbox, paymentId: string) {
  const project = await testProject(sandbox);
  const payment = await sandbox.lookup.find(project.projectId, paymentId);
  if (payment === undefined) throw new Error(`no payment ${paymentId}`);
  const operations = await sandbox.lookup.operationsOf(payment);
  const callbacks = (await sandbox.callbacks.ofPayment(payment.rowId)).map((c) => ({ kind: c.kind, body: JSON.parse(c.body) as Record<string, any> }));
  const mail = await sandbox.lookup.mail({ projectId: project.projectId, paymentId, limit: 10, offset: 0 });
  return { payment, operations, callbacks, mail };
}

t.test('the wallet table: a status accepts an action exactly when a transition names it, and a final status accepts none', async (t) => {
  const sandbox = await buildDomainSandbox(t);
  const { machine } = sandbox;
  const statuses = Object.keys(WALLET_FAMILY.statuses) as PaymentStatus[];
  t.equal(statuses.length, 7, 'seven wallet statuses');
  for (const status of atLeast(t, statuses, 7, 'wallet statuses')) {
    const final = machine.isFinal('wallet', status);
    for (const action of ACTIONS) {
      const named = WALLET_FAMILY.transitions[action]?.from.includes(status) === true;
      t.equal(machine.accepts('wallet', status, action), named, `${status} / ${action}`);
      if (final) t.notOk(named, `final ${status} takes no ${action}`);
    }
  }
});

t.test('start: a sale awaits the redirect with one sale operation and a redirect callback; a payout is processing with no callback', async (t) => {
  const sandbox = await buildDomainSandbox(t);
  const project = await testProject(sandbox);
  const accepted = await sandbox.lifecycle.startSale(paymentRequest(project, 'start-sale'));
  const sale = await story(sandbox, 'start-sale');
  t.equal(sale.payment.status, 'awaiting redirect result');
  t.same(sale.operations.map((o) => [o.type, o.status, o.code, o.requestId]), [['sale', 'awaiting redirect result', '29999', accepted.requestId]]);
  t.same(sale.callbacks.map((c) => c.kind), ['prescriptive']);
  t.match(sale.callbacks[0]!.body, { payment: { status: 'awaiting redirect result' }, redirect_data: { method: 'GET', url: new RegExp(`tokenid=${sale.payment.checkoutToken}$`) } });

  await sandbox.lifecycle.startSale(paymentRequest(project, 'paid-before', { customer: { id: 'payee', email: 'p@example.ph' } }));
  await sandbox.lifecycle.complete((await story(sandbox, 'paid-before')).payment.rowId, sandbox.outcomes.of('success'));
  await sandbox.lifecycle.startPayout(payoutRequest(project, 'start-payout', { customer: { id: 'payee', ip_address: '203.0.113.7' }, scenario: 'no-answer' }));
  const payout = await story(sandbox, 'start-payout');
  t.equal(payout.payment.status, 'processing');
  t.same(payout.operations.map((o) => [o.type, o.status]), [['payout', 'processing']]);
  t.same(payout.callbacks, [], 'a payout sends nothing until its result');
});

t.test('the platform decides at the start: an amount over the limit, or a payout with no eligible purchase, ends at once with only the final callback', async (t) => {
  const sandbox = await buildDomainSandbox(t);
  const project = await testProject(sandbox);
  await sandbox.lifecycle.startSale(paymentRequest(project, 'too-much', { sum: { amount: 200_000_000, currency: 'PHP' } }));
  await sandbox.lifecycle.startPayout(payoutRequest(project, 'not-eligible', { customer: { id: 'stranger', ip_address: '203.0.113.7' } }));
  for (const [id, code] of [['too-much', '20101'], ['not-eligible', '2606']] as const) {
    const { payment, operations, callbacks } = await story(sandbox, id);
    t.equal(payment.status, 'decline', id);
    t.same(operations.map((o) => [o.status, o.code]), [['decline', code]], `${id}: one operation, declined with ${code}`);
    t.same(callbacks.map((c) => [c.kind, c.body.operation.code]), [['final', code]], `${id}: only the final callback`);
  }
});

t.test('customer: Pay, Decline and Cancel end the open operation with the method\'s codes, each with a final callback and the wallet\'s e-mail', async (t) => {
  const sandbox = await buildDomainSandbox(t);
  const project = await testProject(sandbox);
  const cases = [['pay', 'success', '0'], ['decline', 'decline', '20000'], ['cancel', 'decline', '20301']] as const;
  for (const [action, status, code] of cases) {
    const id = `customer-${action}`;
    await sandbox.lifecycle.startSale(paymentRequest(project, id));
    const token = (await story(sandbox, id)).payment.checkoutToken;
    await sandbox.lifecycle.customerAction(token, action, action === 'pay' ? '09171234567' : undefined);
    const { payment, operations, callbacks, mail } = await story(sandbox, id);
    t.equal(payment.status, status, action);
    t.same(operations.map((o) => [o.status, o.code]), [[status, code]], `${action}: the one operation ends`);
    t.same(callbacks.map((c) => [c.kind, c.body.payment.status]), [['prescriptive', 'awaiting redirect result'], ['final', status]], `${action}: redirect, then final`);
    t.equal(mail.length, 1, `${action}: one e-mail`);
    if (action === 'pay') t.same(payment.account, { number: '09171234567' }, 'Pay keeps the wallet number');
  }
});

t.test('try again: a declined attempt awaits the customer; try-again opens a new attempt with its redirect callback; a tool ends that one', async (t) => {
  const sandbox = await buildDomainSandbox(t);
  const project = await testProject(sandbox);
  await sandbox.lifecycle.startSale(paymentRequest(project, 'again', { interface: 'payment_page', scenario: 'try-again' }));
  const token = (await story(sandbox, 'again')).payment.checkoutToken;
  await sandbox.lifecycle.customerAction(token, 'pay', '09171234567');
  let now = await story(sandbox, 'again');
  t.equal(now.payment.status, 'awaiting customer');
  t.same(now.operations.map((o) => [o.index, o.status, o.code]), [[0, 'decline', '20105']]);
  await t.rejects(sandbox.lifecycle.customerAction(token, 'pay', '09171234567'), { code: '3060', fields: [{ message: /try again on the Payment Page/ }] }, 'no Pay between attempts');
  await sandbox.lifecycle.tryAgain(token);
  now = await story(sandbox, 'again');
  t.equal(now.payment.status, 'awaiting redirect result');
  t.same(now.operations.map((o) => [o.index, o.status]), [[0, 'decline'], [1, 'awaiting redirect result']], 'a new operation');
  t.same(now.callbacks.map((c) => c.kind), ['prescriptive', 'final', 'prescriptive'], 'the new attempt has its redirect callback');
  t.equal((await sandbox.lifecycle.tryAgain(token)).status, 'awaiting redirect result', 'pressed twice: the open attempt');
  t.equal((await story(sandbox, 'again')).operations.length, 2, 'and no third operation');
  await sandbox.lifecycle.complete(now.payment.rowId, sandbox.outcomes.of('success'));
  now = await story(sandbox, 'again');
  t.same(now.operations.map((o) => [o.index, o.status]), [[0, 'decline'], [1, 'success']], 'the tool ends the open attempt');
});

t.test('decide and force end a payment in each in-progress status; between attempts they end it as a further attempt', async (t) => {
  const sandbox = await buildDomainSandbox(t);
  const project = await testProject(sandbox);
  await sandbox.lifecycle.startSale(paymentRequest(project, 'limit-redirect'));
  await sandbox.lifecycle.startSale(paymentRequest(project, 'paid-by-c', { customer: { id: 'c', email: 'c@example.ph' } }));
  await sandbox.lifecycle.complete((await story(sandbox, 'paid-by-c')).payment.rowId, sandbox.outcomes.of('success'));
  await sandbox.lifecycle.startPayout(payoutRequest(project, 'force-processing', { customer: { id: 'c', ip_address: '203.0.113.7' }, scenario: 'no-answer' }));
  await sandbox.lifecycle.startSale(paymentRequest(project, 'limit-between', { interface: 'payment_page', scenario: 'try-again' }));
  await sandbox.lifecycle.customerAction((await story(sandbox, 'limit-between')).payment.checkoutToken, 'pay', '09171234567');
  await sandbox.lifecycle.complete((await story(sandbox, 'force-processing')).payment.rowId, sandbox.outcomes.of('internal error'));
  matchCounted(t, (await story(sandbox, 'force-processing')).operations, [{ status: 'internal error', code: '501' }], 'force from processing');
  await sandbox.tools.moveClock({ kind: 'admin', open: true }, { seconds: DAY_MS / 1000 });
  t.same((await story(sandbox, 'limit-redirect')).operations.map((o) => [o.status, o.code]), [['decline', '20602']], 'the limit time declines the waiting sale');
  const between = await story(sandbox, 'limit-between');
  t.equal(between.payment.status, 'decline');
  t.same(between.operations.map((o) => [o.index, o.status, o.code]), [[0, 'decline', '20105'], [1, 'decline', '20602']], 'a further attempt, declined at the limit time');
});

t.test('a final payment refuses every action with 3060 naming its status, and keeps what it had', async (t) => {
  const sandbox = await buildDomainSandbox(t);
  const project = await testProject(sandbox);
  await sandbox.lifecycle.startSale(paymentRequest(project, 'done'));
  const { payment } = await story(sandbox, 'done');
  await sandbox.lifecycle.customerAction(payment.checkoutToken, 'decline', undefined);
  const attempts: Array<[string, () => Promise<unknown>]> = [
    ['customer', () => sandbox.lifecycle.customerAction(payment.checkoutToken, 'pay', '09170000000')],
    ['try-again', () => sandbox.lifecycle.tryAgain(payment.checkoutToken)],
    ['force', () => sandbox.lifecycle.complete(payment.rowId, sandbox.outcomes.of('success'))],
  ];
  t.equal(attempts.length, 3);
  for (const [action, attempt] of attempts) {
    await t.rejects(attempt(), { code: '3060', kind: 'status-forbids-action', facts: { status: 'decline' } }, action);
  }
  const after = await story(sandbox, 'done');
  t.equal(after.payment.status, 'decline');
  t.same(after.payment.account, {}, 'a refused Pay keeps no wallet number');
  t.equal(after.operations.length, 1);
  t.same(after.callbacks.map((c) => c.kind), ['prescriptive', 'final'], 'and sends nothing more');
});
