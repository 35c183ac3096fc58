import t from 'tap';
import { buildTestSandbox, flush, PROJECT_ID, SECRET } from '../helpers/sandbox.js';
import { startReceiver, type Receiver } from '../helpers/receiver.js';
import { payoutBody, post, saleBody, SdkCallback, seedPurchase, signed } from '../helpers/gate-client.js';
import type { FastifyInstance } from 'fastify';
import { paymentPageUrl, submitPaymentPage, tokenIn, tryAgain, walletAction } from '../helpers/payment-page-client.js';
import { atLeast, matchCounted, noneOf } from '../helpers/promises.js';

interface CatalogueEntry {
  name: string; catalogue_only: boolean; magic: string;
  match: { operation?: 'sale' | 'payout'; interface?: string; amount?: { min?: number; max?: number }; account_number?: unknown };
  outcome: { status: 'success' | 'decline' | 'external error' | 'internal error' | 'awaiting customer' | 'no_answer' | 'customer'; code?: string; message?: string; declined_attempts?: number };
  delay: number | 'base_time';
  callbacks: { fail_first?: { count: number }; duplicate?: boolean; never?: boolean; extra_delay?: number; order?: 'strict' | 'any'; repeat_redirect?: number };
}

const DAY = 24 * 3600;
const FINAL_STATUSES = ['success', 'decline', 'external error', 'internal error'];

async function request(app: FastifyInstance, operation: 'sale' | 'payout', paymentId: string, receiver: Receiver, extra: Record<string, unknown>, headers: Record<string, string> = {}) {
  const general = { project_id: PROJECT_ID, payment_id: paymentId, merchant_callback_url: receiver.url };
  const body = operation === 'sale' ? saleBody(paymentId, { general, ...extra }) : payoutBody(paymentId, { general, ...extra });
  const response = await app.inject({ method: 'POST', url: `/v2/payment/wallet/paymaya/${operation}`, payload: signed(body), headers });
  return { status: response.statusCode, body: response.json() as Record<string, any> };
}

function finalsOf(receiver: Receiver, paymentId: string) {
  return receiver.received
    .map((r) => new SdkCallback(SECRET, r.body).callback as Record<string, any>)
    .filter((c) => c.payment.id === paymentId && FINAL_STATUSES.includes(c.payment.status));
}

t.test('every catalogue scenario, picked by the X-Sandbox-Scenario header, ends as it says', async (t) => {
  const { app } = await buildTestSandbox(t);
  const catalogue = ((await app.inject({ url: '/_sandbox/scenarios' })).json() as { scenarios: CatalogueEntry[] }).scenarios;
  t.ok(catalogue.length >= 10);
  await seedPurchase(app, 'seed-customer-1', 'customer-1');
  for (const entry of atLeast(t, catalogue.filter((e) => e.outcome.status === 'awaiting customer'), 1, 'scenarios of the Payment Page')) {
    t.test(`${entry.name} (Payment Page sale; refused on Gate)`, async (t) => {
      const receiver = await startReceiver(t);
      const paymentId = `${entry.name}-pp`;
      const header = { 'x-sandbox-scenario': entry.name };
      const url = paymentPageUrl({ payment_id: paymentId, payment_amount: 50000, payment_currency: 'PHP', customer_id: 'c-1', customer_email: 'juan@example.ph', merchant_callback_url: receiver.url });
      const submitted = await submitPaymentPage(app, url, { method: 'paymaya-wallet', customer_email: 'juan@example.ph' }, header);
      t.equal(submitted.statusCode, 303);
      const token = tokenIn(submitted.headers.location);
      const declined = entry.outcome.declined_attempts as number;
      t.ok(declined >= 1, `${declined} declined attempt(s) before the one that goes through`);
      for (let attempt = 1; attempt <= declined; attempt++) {
        const paid = await walletAction(app, token, 'pay');
        t.equal(paid.headers.location, `/payment/result?tokenid=${token}`, `attempt ${attempt}: back to the Payment Page`);
        const result = await app.inject({ url: String(paid.headers.location) });
        t.match(result.body, new RegExp(`declined the payment: ${entry.outcome.code} ${entry.outcome.message}`), `attempt ${attempt}: the page says why`);
        t.match(result.body, /Try again<\/button>/);
        t.equal((await tryAgain(app, token)).headers.location, `/paymaya/checkout?tokenid=${token}`);
      }
      t.equal((await walletAction(app, token, 'pay')).statusCode, 303);
      await flush(app);
      const report = (await app.inject({ url: `/_sandbox/payments/${PROJECT_ID}/${paymentId}` })).json() as Record<string, any>;
      t.equal(report.payment.scenario, entry.name, 'the report names the scenario');
      t.equal(report.payment.status, 'success', 'the next attempt went through');
      t.same(report.operations.map((o: { status: string; code: string }) => `${o.status} ${o.code}`), [...Array(declined).fill(`decline ${entry.outcome.code}`), 'success 0']);
      const seen = receiver.received.map((r) => (new SdkCallback(SECRET, r.body).callback as Record<string, any>));
      t.same(seen.map((c) => `${c.payment.status} / ${c.operation.status}`), [
        ...Array(declined).fill(['awaiting redirect result / awaiting redirect result', 'awaiting customer / decline']).flat(),
        'awaiting redirect result / awaiting redirect result', 'success / success',
      ]);
      const onGate = await request(app, 'sale', `${entry.name}-gate`, receiver, {}, header);
      t.equal(onGate.status, 400);
      matchCounted(t, onGate.body, { code: '2004', errors: [{ field: 'X-Sandbox-Scenario', message: /needs a sale on the Payment Page/ }] });
    });
  }
  for (const entry of atLeast(t, catalogue.filter((e) => e.outcome.status !== 'awaiting customer'), 10, 'scenarios of Gate')) {
    const operations = entry.match.operation === undefined ? (['sale', 'payout'] as const) : [entry.match.operation];
    for (const operation of operations) {
      t.test(`${entry.name} (${operation})`, async (t) => {
        const receiver = await startReceiver(t);
        const paymentId = `${entry.name}-${operation}`;
        const accepted = await request(app, operation, paymentId, receiver, {}, { 'x-sandbox-scenario': entry.name });
        t.equal(accepted.status, 200);
        const report = (await app.inject({ url: `/_sandbox/payments/${PROJECT_ID}/${paymentId}` })).json() as Record<string, any>;
        t.equal(report.payment.scenario, entry.name, 'the report names the scenario');
        await flush(app, 3 * DAY);
        const finals = finalsOf(receiver, paymentId);
        const status = (await app.inject({ url: `/_sandbox/payments/${PROJECT_ID}/${paymentId}` })).json() as Record<string, any>;
        const waits = entry.outcome.status === 'customer' || entry.outcome.status === 'no_answer';
        const expectedStatus = !waits ? entry.outcome.status : entry.outcome.status === 'customer' && operation === 'payout' ? 'success' : 'decline';
        const expectedCode = !waits ? entry.outcome.code : expectedStatus === 'success' ? '0' : '20602';
        t.equal(status.payment.status, expectedStatus);
        t.equal(status.operations[0].status, expectedStatus);
        t.equal(status.operations[0].code, expectedCode);
        if (entry.callbacks.never === true) {
          t.equal(receiver.received.length, 0, 'no callback reaches the receiver');
          return;
        }
        const copies = entry.callbacks.duplicate === true ? 2 : 1 + (entry.callbacks.fail_first?.count ?? 0);
        t.equal(finals.length, copies, `the final callback arrives ${copies} time(s)`);
        const mine = receiver.received.map((r) => new SdkCallback(SECRET, r.body).callback as Record<string, any>).filter((c) => c.payment.id === paymentId);
        const redirects = mine.filter((c) => c.payment.status === 'awaiting redirect result').length;
        const expectedRedirects = operation === 'payout' ? 0 : copies * (entry.callbacks.repeat_redirect ?? 1);
        t.equal(redirects, expectedRedirects, `the redirect callback arrives ${expectedRedirects} time(s)`);
        t.same(report.payment.delivery, { order: entry.callbacks.order ?? 'strict', repeat_redirect: entry.callbacks.repeat_redirect ?? 1 }, 'the report shows the delivery options');
        if (operation === 'sale' && (entry.callbacks.repeat_redirect ?? 1) > 1) {
          const last = mine[mine.length - 1]?.payment.status;
          t.equal(last, entry.callbacks.order === 'any' ? 'awaiting redirect result' : expectedStatus,
            entry.callbacks.order === 'any' ? 'the final callback overtook the redirect callback\'s repeat' : 'the final callback waited for every redirect callback');
        }
        t.match(finals[0], { payment: { status: expectedStatus }, operation: { status: expectedStatus, code: expectedCode } });
        if (!waits) t.equal(finals[0]?.operation.message, entry.outcome.message, 'the message of the code table');
      });
    }
  }
});

t.test('magic amounts trigger their scenario without a header', async (t) => {
  const { app } = await buildTestSandbox(t);
  const catalogue = ((await app.inject({ url: '/_sandbox/scenarios' })).json() as { scenarios: CatalogueEntry[] }).scenarios;
  // The amounts as the catalogue tells people ("amount 10001 (₱100.01)"), checked against its match rules.
  const magic = catalogue.flatMap((e) => {
    const amount = /^amount (\d+) /.exec(e.magic)?.[1];
    return amount === undefined ? [] : [{ name: e.name, amount: Number(amount) }];
  });
  const byRule = catalogue.filter((e) => e.match.interface === undefined && e.match.amount?.min !== undefined && e.match.amount.min === e.match.amount.max);
  t.same(byRule.map((e) => [e.name, e.match.amount!.min]), magic.map((m) => [m.name, m.amount]), 'the magic amounts told are the ones matched');
  const receiver = await startReceiver(t);
  for (const { name, amount } of atLeast(t, magic, 10, 'magic amounts in the catalogue')) {
    const accepted = await request(app, 'sale', `magic-${name}`, receiver, { payment: { amount, currency: 'PHP' } });
    t.equal(accepted.status, 200, `amount ${amount} accepted`);
    const report = (await app.inject({ url: `/_sandbox/payments/${PROJECT_ID}/magic-${name}` })).json() as Record<string, any>;
    t.equal(report.payment.scenario, name, `amount ${amount}`);
  }
});

t.test('a customer e-mail starting with decline+ is declined with 20000', async (t) => {
  const { app } = await buildTestSandbox(t);
  const receiver = await startReceiver(t);
  await request(app, 'sale', 'mail-1', receiver, { customer: { id: 'c-9', ip_address: '203.0.113.7', email: 'decline+qa@example.ph' } });
  await flush(app);
  matchCounted(t, finalsOf(receiver, 'mail-1'), [{ payment: { status: 'decline' }, operation: { code: '20000' } }]);
});

t.test('payouts to the magic account numbers are declined', async (t) => {
  const { app } = await buildTestSandbox(t);
  await seedPurchase(app, 'seed-customer-1', 'customer-1');
  const receiver = await startReceiver(t);
  await request(app, 'payout', 'po-1', receiver, { account: { number: '09000000000', customer_name: 'Juan' } });
  await request(app, 'payout', 'po-2', receiver, { account: { number: '09000000001', customer_name: 'Juan' } });
  await flush(app);
  matchCounted(t, finalsOf(receiver, 'po-1'), [{ payment: { type: 'payout', status: 'decline' }, operation: { code: '20000' } }]);
  matchCounted(t, finalsOf(receiver, 'po-2'), [{ operation: { code: '20204' } }]);
});

t.test('a sale nobody completes is declined with 20602 at the limit time (1 day), not before', async (t) => {
  const { app } = await buildTestSandbox(t);
  const receiver = await startReceiver(t);
  await request(app, 'sale', 'idle-1', receiver, {});
  const report = (await app.inject({ url: `/_sandbox/payments/${PROJECT_ID}/idle-1` })).json() as Record<string, any>;
  const created = Date.parse(report.payment.created_at);
  t.equal(Date.parse(report.payment.base_due_at) - created, 30 * 60 * 1000, 'base time 30 min');
  t.equal(Date.parse(report.payment.limit_due_at) - created, DAY * 1000, 'limit time 1 day');
  t.equal(report.timers.limit, report.payment.limit_due_at);
  await flush(app, DAY - 1);
  t.equal(finalsOf(receiver, 'idle-1').length, 0);
  await flush(app, 1);
  matchCounted(t, finalsOf(receiver, 'idle-1'), [{ payment: { status: 'decline' }, operation: { code: '20602', message: 'Time-out' } }]);
});

t.test('a payout with no answer is declined at 48 h; slow success lands at the base time', async (t) => {
  const { app } = await buildTestSandbox(t);
  await seedPurchase(app, 'seed-customer-1', 'customer-1');
  const receiver = await startReceiver(t);
  await request(app, 'payout', 'slow-po', receiver, {}, { 'x-sandbox-scenario': 'no-answer' });
  await request(app, 'sale', 'slow-sale', receiver, { payment: { amount: 10004, currency: 'PHP' } });
  await flush(app, 30 * 60 - 1);
  t.equal(finalsOf(receiver, 'slow-sale').length, 0);
  await flush(app, 1);
  matchCounted(t, finalsOf(receiver, 'slow-sale'), [{ payment: { status: 'success' } }]);
  await flush(app, 2 * DAY - 30 * 60 - 1);
  t.equal(finalsOf(receiver, 'slow-po').length, 0);
  await flush(app, 1);
  matchCounted(t, finalsOf(receiver, 'slow-po'), [{ payment: { type: 'payout', status: 'decline' }, operation: { code: '20602' } }]);
});

t.test('frequency limits of a project decline the payment over the limit with 20101', async (t) => {
  const { app } = await buildTestSandbox(t);
  const created = await app.inject({
    method: 'POST', url: '/_sandbox/projects',
    payload: { project_id: 777, secret_key: 'freq', frequency_limits: [{ method: 'paymaya', operation: 'sale', max: 2, window_seconds: 3600 }] },
  });
  t.equal(created.statusCode, 201);
  const receiver = await startReceiver(t);
  const send = (id: string) => post(app, '/v2/payment/wallet/paymaya/sale', signed(saleBody(id, { general: { project_id: 777, payment_id: id, merchant_callback_url: receiver.url } }), 'freq'));
  for (const id of ['f1', 'f2', 'f3']) t.equal((await send(id)).status, 200);
  await flush(app);
  const finals = receiver.received.map((r) => r.json as Record<string, any>).filter((c) => c.payment.status === 'decline');
  matchCounted(t, finals, [{ payment: { id: 'f3' }, operation: { code: '20101' } }]);
  await flush(app, 3600);
  t.equal((await send('f4')).status, 200);
  await flush(app);
  noneOf(t, receiver.received.filter((r) => (r.json as any).payment.id === 'f4'), 1, (r) => (r.json as any).payment.status === 'decline', 'a new window allows it again: f4\'s callbacks, none a decline');
});

t.test('the control API completes a payment with any catalogue outcome', async (t) => {
  const { app } = await buildTestSandbox(t);
  const receiver = await startReceiver(t);
  await request(app, 'sale', 'ctl-1', receiver, {});
  const done = await app.inject({ method: 'POST', url: `/_sandbox/payments/${PROJECT_ID}/ctl-1/complete`, payload: { scenario: 'decline-insufficient-funds' } });
  t.equal(done.statusCode, 200);
  matchCounted(t, done.json(), { payment: { status: 'decline' }, operations: [{ code: '20105' }] });
  const bad = await app.inject({ method: 'POST', url: `/_sandbox/payments/${PROJECT_ID}/ctl-1/complete`, payload: { scenario: 'no-answer' } });
  matchCounted(t, bad.json(), { code: '2004', errors: [{ field: 'scenario' }] });
  await request(app, 'sale', 'ctl-3', receiver, {});
  const unknownCode = await app.inject({ method: 'POST', url: `/_sandbox/payments/${PROJECT_ID}/ctl-3/complete`, payload: { status: 'decline', code: '99998' } });
  matchCounted(t, unknownCode.json(), { code: '2004', errors: [{ field: 'code', message: /not in ECommPay's code table/ }] });
  const successWithCode = await app.inject({ method: 'POST', url: `/_sandbox/payments/${PROJECT_ID}/ctl-3/complete`, payload: { status: 'success', code: '20000' } });
  matchCounted(t, successWithCode.json(), { code: '2004', errors: [{ field: 'code', message: 'A success carries code 0' }] });
  const both = await app.inject({ method: 'POST', url: `/_sandbox/payments/${PROJECT_ID}/ctl-3/complete`, payload: { status: 'decline', scenario: 'decline-limit' } });
  matchCounted(t, both.json(), { code: '2004', errors: [{ field: 'scenario' }] });
  const declined = await app.inject({ method: 'POST', url: `/_sandbox/payments/${PROJECT_ID}/ctl-3/complete`, payload: { status: 'decline', code: '20105' } });
  matchCounted(t, declined.json(), { payment: { status: 'decline' }, operations: [{ code: '20105' }] });
  const unknownHeader = await request(app, 'sale', 'ctl-2', receiver, {}, { 'x-sandbox-scenario': 'nope' });
  t.equal(unknownHeader.status, 400);
  matchCounted(t, unknownHeader.body, { code: '2004', errors: [{ field: 'X-Sandbox-Scenario' }] });
});

t.test('two runs with the same seed on the manual clock produce byte-identical answers and callbacks', async (t) => {
  async function run(): Promise<string[]> {
    const { app } = await buildTestSandbox(t);
    const receiver = await startReceiver(t);
    const out: string[] = [];
    await seedPurchase(app, 'seed-customer-1', 'customer-1');
    out.push(JSON.stringify((await request(app, 'sale', 'det-1', receiver, {})).body));
    out.push(JSON.stringify((await request(app, 'sale', 'det-2', receiver, { payment: { amount: 10001, currency: 'PHP' } })).body));
    out.push(JSON.stringify((await request(app, 'payout', 'det-3', receiver, {})).body));
    await flush(app, 60);
    await app.inject({ method: 'POST', url: `/_sandbox/payments/${PROJECT_ID}/det-1/complete`, payload: { status: 'success' } });
    await flush(app, 60);
    out.push((await app.inject({ method: 'POST', url: '/v2/payment/status', payload: signed({ general: { project_id: PROJECT_ID, payment_id: 'det-1' } }) })).body);
    const bodies = receiver.received.map((r) => r.body).sort();
    return [...out, ...bodies];
  }
  const first = await run();
  const second = await run();
  t.ok(first.length >= 8);
  t.same(second, first);
});
