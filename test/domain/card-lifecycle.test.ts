// The card family's state machine driven through the domain services on a real database, without HTTP: the card
// decides (at once, frictionless, or after the ACS challenge), holds are captured or cancelled in whole or part,
// and refunds go up to what was debited; every wrong order of operations is refused with the platform's code.
import t from 'tap';
import { loadCards } from '../../src/catalogue-loader.js';
import type { Payment } from '../../src/domain/model.js';
import { readCard } from '../../src/domain/payments/card-details.js';
import type { Sandbox } from '../../src/sandbox.js';
import { buildDomainSandbox, paymentRequest, testProject } from '../helpers/domain-sandbox.js';

const ADMIN = { kind: 'admin', open: true } as const;
const cardsData = loadCards();
const START = Date.UTC(2026, 0, 1);

async function pay(sandbox: Sandbox, paymentId: string, pan: string, first: 'sale' | 'auth' = 'sale', amount = 50_000) {
  const project = await testProject(sandbox);
  const details = readCard({ pan, month: 12, year: 2030, cvv: '123', holder: 'JUAN DELA CRUZ' }, cardsData, START);
  return sandbox.cards.start(paymentRequest(project, paymentId, { methodCode: 'card', sum: { amount, currency: 'PHP' } }), { first }, details);
}

async function story(sandbox: Sandbox, paymentId: string) {
  const project = await testProject(sandbox);
  const payment = await sandbox.lookup.find(project.projectId, paymentId) as Payment;
  const operations = await sandbox.lookup.operationsOf(payment);
  const callbacks = (await sandbox.callbacks.ofPayment(payment.rowId)).map((c) => JSON.parse(c.body) as Record<string, any>);
  return { payment, operations, callbacks, last: callbacks[callbacks.length - 1] as Record<string, any> };
}

t.test('a card without 3-D Secure is decided at once: success with ECI 07 and an approval code, or its decline code; the callback shows the masked card only', async (t) => {
  const sandbox = await buildDomainSandbox(t);
  await pay(sandbox, 'ok', '4000000000000077');
  await pay(sandbox, 'no', '4111111111111111');
  const ok = await story(sandbox, 'ok');
  t.equal(ok.payment.status, 'success');
  t.same(ok.callbacks.length, 1, 'one callback: the final one');
  t.match(ok.last, {
    payment: { status: 'success', method: 'card', sum: { amount: 50_000, currency: 'PHP' } },
    account: { number: '400000******0077', type: 'visa', card_holder: 'JUAN DELA CRUZ', expiry_month: '12', expiry_year: '2030' },
    customer: { id: 'customer-1' },
    operation: { type: 'sale', status: 'success', code: '0', eci: '07', provider: { id: 6, endpoint_id: 6, auth_code: /^\d{6}$/, payment_id: /^\d{14}$/ } },
  });
  t.notOk('mpi_result' in ok.last, 'no 3-D Secure, no mpi_result');
  const no = await story(sandbox, 'no');
  t.match(no.last, { payment: { status: 'decline' }, operation: { status: 'decline', code: '10000', message: 'General decline', provider: { auth_code: '' } } });
  t.notOk('eci' in no.last.operation, 'a decline carries no ECI');
  const everything = JSON.stringify([ok, no]);
  t.notOk(everything.includes('4000000000000077') || everything.includes('4111111111111111'), 'no full number anywhere');
});

t.test('frictionless 3-D Secure decides at once with ECI 05 and mpi_result flow 01', async (t) => {
  const sandbox = await buildDomainSandbox(t);
  await pay(sandbox, 'frictionless', '4477000000000006');
  const { payment, last } = await story(sandbox, 'frictionless');
  t.equal(payment.status, 'success');
  t.match(last, { operation: { eci: '05' }, mpi_result: { authentication_flow: '01', mpi_timestamp: /^\d{12}$/, cardholder_info: '' } });
});

t.test('a challenge card waits in awaiting 3ds result; the right code approves it, wrong codes fail it after three tries, Cancel declines with 104', async (t) => {
  const sandbox = await buildDomainSandbox(t);
  for (const id of ['approve', 'wrong', 'cancel']) await pay(sandbox, id, '4314220000000056');
  const waiting = await story(sandbox, 'approve');
  t.equal(waiting.payment.status, 'awaiting 3ds result');
  t.match(waiting.last, { payment: { status: 'awaiting 3ds result' }, operation: { status: 'awaiting 3ds result', code: '9999', message: 'Awaiting processing' } });
  await sandbox.cards.challenge(waiting.payment.checkoutToken, 'approve', '1234');
  const approved = await story(sandbox, 'approve');
  t.match(approved.last, { payment: { status: 'success' }, operation: { status: 'success', eci: '05' }, mpi_result: { authentication_flow: '02' } });
  t.equal(approved.operations.length, 1, 'the sale operation went on and ended');

  const wrong = (await story(sandbox, 'wrong')).payment.checkoutToken;
  t.same((await sandbox.cards.challenge(wrong, 'approve', '0000')).triesLeft, 2);
  t.same((await sandbox.cards.challenge(wrong, 'approve', '9999')).triesLeft, 1);
  t.same((await sandbox.cards.challenge(wrong, 'approve', '1111')).triesLeft, undefined, 'the third wrong code ends it');
  t.match((await story(sandbox, 'wrong')).last, { payment: { status: 'decline' }, operation: { code: '10104', message: 'Incorrect 3DS password' } });

  await sandbox.cards.challenge((await story(sandbox, 'cancel')).payment.checkoutToken, 'cancel', '');
  t.match((await story(sandbox, 'cancel')).last, { payment: { status: 'decline' }, operation: { code: '104' } });
  await t.rejects(sandbox.cards.challenge(wrong, 'approve', '1234'), { code: '3060' }, 'an answer after the end is refused');
});

t.test('a challenge nobody answers is declined with 108 at the limit time, 30 minutes on the clock', async (t) => {
  const sandbox = await buildDomainSandbox(t);
  await pay(sandbox, 'abandoned', '5413330000000019');
  await sandbox.tools.moveClock(ADMIN, { seconds: 1_799 });
  t.equal((await story(sandbox, 'abandoned')).payment.status, 'awaiting 3ds result');
  await sandbox.tools.moveClock(ADMIN, { seconds: 1 });
  t.match((await story(sandbox, 'abandoned')).last, { payment: { status: 'decline' }, operation: { code: '108', message: 'Customer has not returned from ACS' } });
});

t.test('two steps: an auth awaits capture; a partial capture debits part and releases the rest; refunds then go up to what was debited', async (t) => {
  const sandbox = await buildDomainSandbox(t);
  const project = await testProject(sandbox);
  const auth = await pay(sandbox, 'held', '5555555555554444', 'auth');
  let now = await story(sandbox, 'held');
  t.match(now.last, { payment: { status: 'awaiting capture', sum: { amount: 50_000 } }, operation: { type: 'auth', status: 'success', eci: '00', request_id: auth.requestId } });
  const capture = await sandbox.cards.capture(project, 'held', { amount: 30_000, currency: 'PHP' });
  now = await story(sandbox, 'held');
  t.match(now.last, { payment: { status: 'success', sum: { amount: 30_000 } }, operation: { type: 'capture', status: 'success', request_id: capture.requestId, sum_initial: { amount: 30_000 } } });
  t.not(capture.requestId, auth.requestId, 'a new request id');
  await t.rejects(sandbox.cards.capture(project, 'held', {}), { code: '3060' }, 'capture twice');
  await t.rejects(sandbox.cards.cancel(project, 'held', {}), { code: '3060' }, 'cancel after capture');
  await t.rejects(sandbox.cards.refund(project, 'held', { amount: 30_001, currency: 'PHP' }), { code: '3283' }, 'more than was debited');
  await sandbox.cards.refund(project, 'held', { amount: 10_000, currency: 'PHP', merchantRefundId: 'r-1' });
  now = await story(sandbox, 'held');
  t.match(now.last, { payment: { status: 'partially refunded', sum: { amount: 20_000 }, merchant_refund_id: 'r-1' }, operation: { type: 'refund', sum_initial: { amount: 10_000 } } });
  await t.rejects(sandbox.cards.refund(project, 'held', { amount: 1, currency: 'PHP', merchantRefundId: 'r-1' }), { code: '3230' }, 'the same merchant_refund_id');
  await sandbox.cards.refund(project, 'held', { amount: 25_000, currency: 'PHP' });
  now = await story(sandbox, 'held');
  t.match(now.last, { payment: { status: 'partially refunded', sum: { amount: 20_000 } }, operation: { type: 'refund', status: 'decline', code: '903' } }, 'more than is left: accepted, then declined 903');
  t.notOk('merchant_refund_id' in now.last.payment, 'a refund without a merchant id says none');
  await sandbox.cards.refund(project, 'held', { amount: 20_000, currency: 'PHP' });
  now = await story(sandbox, 'held');
  t.match(now.last, { payment: { status: 'refunded', sum: { amount: 0 } } });
  t.same(now.operations.map((o) => [o.type, o.status]), [['auth', 'success'], ['capture', 'success'], ['refund', 'success'], ['refund', 'decline'], ['refund', 'success']]);
  await t.rejects(sandbox.cards.refund(project, 'held', { amount: 1, currency: 'PHP' }), { code: '3060' }, 'nothing left to refund');
});

t.test('a hold released whole is canceled with its amount; in part it lowers the hold; amounts and orders that do not fit are refused', async (t) => {
  const sandbox = await buildDomainSandbox(t);
  const project = await testProject(sandbox);
  await pay(sandbox, 'released', '4000000000000077', 'auth');
  await pay(sandbox, 'lowered', '4000000000000077', 'auth');
  await t.rejects(sandbox.cards.refund(project, 'released', { amount: 100, currency: 'PHP' }), { code: '3060' }, 'a hold is not refunded');
  await sandbox.cards.cancel(project, 'released', {});
  t.match((await story(sandbox, 'released')).last, { payment: { status: 'canceled', sum: { amount: 50_000 } }, operation: { type: 'cancel', sum_initial: { amount: 50_000 } } });
  await t.rejects(sandbox.cards.cancel(project, 'released', {}), { code: '3060' }, 'cancel twice');
  await t.rejects(sandbox.cards.capture(project, 'released', {}), { code: '3060' }, 'capture after cancel');
  await sandbox.cards.cancel(project, 'lowered', { amount: 20_000, currency: 'PHP' });
  t.match((await story(sandbox, 'lowered')).last, { payment: { status: 'awaiting capture', sum: { amount: 30_000 } }, operation: { type: 'cancel' } });
  await t.rejects(sandbox.cards.capture(project, 'lowered', { amount: 30_001, currency: 'PHP' }), { code: '2642', fields: [{ field: 'payment.amount' }] }, 'more than is held');
  await t.rejects(sandbox.cards.capture(project, 'lowered', { amount: 100, currency: 'USD' }), { code: '3121' });
  await t.rejects(sandbox.cards.refund(project, 'lowered', { amount: 100, currency: 'USD' }), { code: '3060' });
  await sandbox.cards.capture(project, 'lowered', {});
  t.match((await story(sandbox, 'lowered')).last, { payment: { status: 'success', sum: { amount: 30_000 } }, operation: { type: 'capture', sum_initial: { amount: 30_000 } } }, 'the rest of the hold');
  await t.rejects(sandbox.cards.refund(project, 'lowered', { amount: 100, currency: 'USD' }), { code: '3284' });
  await t.rejects(sandbox.cards.refund(project, 'lowered', { amount: 100 }), { code: '3287' });
  await t.rejects(sandbox.cards.refund(project, 'lowered', { currency: 'PHP' }), { code: '3286' });
  await t.rejects(sandbox.cards.refund(project, 'lowered', {}), { code: '2004' });
  await t.rejects(sandbox.cards.refund(project, 'nobody', { amount: 1, currency: 'PHP' }), { code: '3061' });
});

t.test('a project that asks for it has its holds captured (or cancelled) by the sandbox after its time on the clock', async (t) => {
  const sandbox = await buildDomainSandbox(t, {
    projects: [{ project_id: 445, secret_key: 'test-secret-445', name: 'Test shop', card: { two_step: { auto: 'capture', after_seconds: 3_600 } } }],
  });
  await pay(sandbox, 'auto', '4000000000000077', 'auth');
  await sandbox.tools.moveClock(ADMIN, { seconds: 3_599 });
  t.equal((await story(sandbox, 'auto')).payment.status, 'awaiting capture');
  await sandbox.tools.moveClock(ADMIN, { seconds: 1 });
  t.match((await story(sandbox, 'auto')).last, { payment: { status: 'success', sum: { amount: 50_000 } }, operation: { type: 'capture', status: 'success' } });
});
