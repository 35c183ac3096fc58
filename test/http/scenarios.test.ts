import t, { type Test } from 'tap';
import { buildTestSandbox, flush, PROJECT_ID, SECRET } from '../helpers/sandbox.js';
import { startReceiver, type Receiver } from '../helpers/receiver.js';
import { payoutBody, post, saleBody, SdkCallback, seedPurchase, signed } from '../helpers/gate-client.js';
import type { FastifyInstance } from 'fastify';
import { paymentPageUrl, submitPaymentPage, tokenIn, tryAgain, walletAction } from '../helpers/payment-page-client.js';
import { atLeast, matchCounted, noneOf } from '../helpers/promises.js';

interface CatalogueEntry {
  name: string; catalogue_only: boolean; magic: string;
  match: { method?: string | string[]; operation?: 'sale' | 'payout'; interface?: string; amount?: { min?: number; max?: number }; account_number?: unknown };
  outcome: { status: 'success' | 'decline' | 'external error' | 'internal error' | 'awaiting customer' | 'no_answer' | 'customer'; code?: string; message?: string; declined_attempts?: number };
  delay: number | 'base_time';
  callbacks: { fail_first?: { count: number }; duplicate?: boolean; never?: boolean; extra_delay?: number; order?: 'strict' | 'any'; repeat_redirect?: number };
  card_flow?: 'challenge' | 'frictionless';
  clarification?: string[];
}

const DAY = 24 * 3600;
const FINAL_STATUSES = ['success', 'decline', 'external error', 'internal error'];
/** The card family's methods, by their Payment Page codes. */
const CARD_METHODS: Record<string, string> = { card: 'card', applepay: 'apple_pay_core', googlepay: 'google_pay_host' };
/** The card methods' limit time: 30 minutes. */
const CARD_LIMIT = 30 * 60;
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

const methodsOf = (entry: CatalogueEntry): string[] => (entry.match.method === undefined ? [] : [entry.match.method].flat());
/** A rule for card payments only: it runs on card payments; every other rule runs on wallet payments. */
const isCardRule = (entry: CatalogueEntry): boolean => methodsOf(entry).length > 0 && !methodsOf(entry).some((code) => !(code in CARD_METHODS));

/**
 * A card payment on the Payment Page, as test/http/card-payment-page.test.ts makes one: the card form with a card
 * that succeeds without 3-D Secure (4000000000000077), or the same card picked in a card wallet's sheet.
 */
function payByCard(app: FastifyInstance, method: string, paymentId: string, receiver: Receiver, amount = 50000, headers: Record<string, string> = {}) {
  const code = CARD_METHODS[method] as string;
  const url = paymentPageUrl({ payment_id: paymentId, payment_amount: amount, payment_currency: 'PHP', customer_id: 'c-1', force_payment_method: code, merchant_callback_url: receiver.url });
  const card: Record<string, string> = method === 'card' ? { pan: '4000000000000077', expiry: '12/30', cvv: '123', card_holder: 'juan dela cruz' } : { wallet_card: '0' };
  const request = url.slice(url.indexOf('?') + 1);
  return app.inject({ method: 'POST', url: '/payment/card', payload: new URLSearchParams({ request, method: code, ...card }).toString(), headers: { ...FORM, ...headers } });
}

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
      matchCounted(t, onGate.body, { code: '2004', errors: [{ field: 'X-Sandbox-Scenario', message: /needs a wallet sale on the Payment Page/ }] });
    });
  }
  // A clarification rule asks the customer first; test/http/card-payment-page.test.ts and card-host-to-host.test.ts follow it.
  const cardOutcomeRules = catalogue.filter((e) => isCardRule(e) && e.clarification === undefined);
  for (const entry of atLeast(t, cardOutcomeRules, 4, 'card outcome rules in the catalogue')) {
    for (const method of atLeast(t, methodsOf(entry), 1, `${entry.name}: its card methods`)) {
      t.test(`${entry.name} (${method} on the Payment Page)`, (t) => cardRuleEndsAsItSays(t, app, entry, method));
    }
  }
  for (const entry of atLeast(t, catalogue.filter((e) => e.outcome.status !== 'awaiting customer' && !isCardRule(e)), 10, 'scenarios of Gate')) {
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

/**
 * A card rule picked by the header on a card payment: a decline or error at once with its card code; no answer
 * until the card's limit time, then 10602; a forced challenge awaits 3ds result until the limit time, then 108; a
 * forced frictionless flow authenticates the card and the card decides (this one succeeds).
 */
async function cardRuleEndsAsItSays(t: Test, app: FastifyInstance, entry: CatalogueEntry, method: string): Promise<void> {
  const receiver = await startReceiver(t);
  const paymentId = `${entry.name}-${method}`;
  const paid = await payByCard(app, method, paymentId, receiver, 50000, { 'x-sandbox-scenario': entry.name });
  t.equal(paid.statusCode, 303);
  const report = (await app.inject({ url: `/_sandbox/payments/${PROJECT_ID}/${paymentId}` })).json() as Record<string, any>;
  t.equal(report.payment.scenario, entry.name, 'the report names the scenario');
  const callbacks = () => receiver.received.map((r) => new SdkCallback(SECRET, r.body).callback as Record<string, any>).filter((c) => c.payment.id === paymentId);
  const waitsUntilLimit = entry.outcome.status === 'no_answer' || entry.card_flow === 'challenge';
  if (entry.card_flow === 'challenge') t.match(paid.headers.location, /^\/acs\/challenge\?tokenid=/, 'whatever the card, the customer goes to the sandbox bank\'s page');
  else t.match(paid.headers.location, /^\/payment\/result\?tokenid=/);
  if (waitsUntilLimit) {
    await flush(app, CARD_LIMIT - 1);
    const waiting = entry.card_flow === 'challenge' ? 'awaiting 3ds result' : 'processing';
    t.equal(((await app.inject({ url: `/_sandbox/payments/${PROJECT_ID}/${paymentId}` })).json() as Record<string, any>).payment.status, waiting, `${waiting} until the limit time`);
    t.same(callbacks().map((c) => `${c.payment.status} ${c.operation.code}`), entry.card_flow === 'challenge' ? ['awaiting 3ds result 9999'] : [], 'no final callback before the limit time');
    await flush(app, 1);
  } else {
    await flush(app);
  }
  const expected = entry.card_flow === 'challenge' ? { status: 'decline', code: '108', message: 'Customer has not returned from ACS' }
    : entry.outcome.status === 'no_answer' ? { status: 'decline', code: '10602', message: 'Time-out' }
      : entry.card_flow === 'frictionless' ? { status: 'success', code: '0', message: 'Success' }
        : { status: entry.outcome.status, code: entry.outcome.code, message: entry.outcome.message };
  const finals = callbacks().filter((c) => FINAL_STATUSES.includes(c.payment.status));
  t.equal(finals.length, 1, 'one final callback');
  t.match(finals[0], { payment: { status: expected.status, method: method === 'card' ? 'card' : /^etoken/ }, operation: { type: 'sale', status: expected.status, code: expected.code, message: expected.message } });
  if (entry.card_flow === 'frictionless') t.match(finals[0], { operation: { eci: '05' }, mpi_result: { authentication_flow: '01' } }, 'authenticated by frictionless 3-D Secure');
  if (expected.status !== 'success') t.notOk(String(expected.code).startsWith('20'), `a card code, not a wallet's (${expected.code})`);
}

t.test('magic amounts trigger their scenario without a header: wallet rules on a wallet sale, card rules on each card method', async (t) => {
  const { app } = await buildTestSandbox(t);
  const catalogue = ((await app.inject({ url: '/_sandbox/scenarios' })).json() as { scenarios: CatalogueEntry[] }).scenarios;
  // The amounts as the catalogue tells people ("amount 10001 (₱100.01)", "card payment of amount 10001 …"), checked
  // against its match rules.
  const magic = catalogue.flatMap((entry) => {
    const amount = /^(?:card payment (?:\(method \w+\) )?of )?amount (\d+) /.exec(entry.magic)?.[1];
    return amount === undefined ? [] : [{ entry, amount: Number(amount) }];
  });
  const byRule = catalogue.filter((e) => e.match.interface === undefined && e.match.amount?.min !== undefined && e.match.amount.min === e.match.amount.max);
  t.same(byRule.map((e) => [e.name, e.match.amount!.min]), magic.map((m) => [m.entry.name, m.amount]), 'the magic amounts told are the ones matched');
  t.ok(magic.filter((m) => isCardRule(m.entry)).length >= 5, 'card rules among them');
  for (const { entry, amount } of atLeast(t, magic, 15, 'magic amounts in the catalogue')) {
    const receiver = await startReceiver(t);
    if (!isCardRule(entry)) {
      const accepted = await request(app, 'sale', `magic-${entry.name}`, receiver, { payment: { amount, currency: 'PHP' } });
      t.equal(accepted.status, 200, `amount ${amount} accepted`);
      const report = (await app.inject({ url: `/_sandbox/payments/${PROJECT_ID}/magic-${entry.name}` })).json() as Record<string, any>;
      t.equal(report.payment.scenario, entry.name, `amount ${amount}`);
      continue;
    }
    for (const method of atLeast(t, methodsOf(entry), 1, `${entry.name}: its card methods`)) {
      t.equal((await payByCard(app, method, `magic-${entry.name}-${method}`, receiver, amount)).statusCode, 303, `${method}, amount ${amount}: paid`);
      const report = (await app.inject({ url: `/_sandbox/payments/${PROJECT_ID}/magic-${entry.name}-${method}` })).json() as Record<string, any>;
      t.equal(report.payment.scenario, entry.name, `${method}, amount ${amount}`);
    }
  }
});

t.test('the same magic value declines a wallet sale with the wallet\'s code and a card payment with the card\'s; a card rule forced on a wallet is refused', async (t) => {
  const { app } = await buildTestSandbox(t);
  const receiver = await startReceiver(t);
  await request(app, 'sale', 'same-wallet', receiver, { payment: { amount: 10001, currency: 'PHP' } });
  await payByCard(app, 'card', 'same-card', receiver, 10001);
  await payByCard(app, 'applepay', 'same-applepay', receiver, 10001);
  await request(app, 'sale', 'mail-wallet', receiver, { customer: { id: 'c-9', ip_address: '203.0.113.7', email: 'decline+qa@example.ph' } });
  const url = paymentPageUrl({ payment_id: 'mail-card', payment_amount: 50000, payment_currency: 'PHP', customer_id: 'c-9', customer_email: 'decline+qa@example.ph', force_payment_method: 'card', merchant_callback_url: receiver.url });
  await app.inject({ method: 'POST', url: '/payment/card', payload: new URLSearchParams({ request: url.slice(url.indexOf('?') + 1), method: 'card', pan: '4000000000000077', expiry: '12/30', cvv: '123', card_holder: 'JUAN', customer_email: 'decline+qa@example.ph' }).toString(), headers: FORM });
  await flush(app);
  const codeOf = (id: string) => finalsOf(receiver, id).map((c) => `${c.payment.status} ${c.operation.code} ${c.operation.message}`);
  t.same(codeOf('same-wallet'), ['decline 20000 General decline'], 'the wallet sale keeps 20000');
  t.same(codeOf('same-card'), ['decline 10000 General decline'], 'the card payment gets 10000');
  t.same(codeOf('same-applepay'), ['decline 10000 General decline'], 'and so does Apple Pay');
  t.same(codeOf('mail-wallet'), ['decline 20000 General decline'], 'decline+ e-mail: 20000 for a wallet');
  t.same(codeOf('mail-card'), ['decline 10000 General decline'], 'decline+ e-mail: 10000 for a card');
  const forced = await request(app, 'sale', 'forced-card-rule', receiver, {}, { 'x-sandbox-scenario': 'card-decline-general' });
  t.equal(forced.status, 400);
  matchCounted(t, forced.body, { code: '2004', errors: [{ field: 'X-Sandbox-Scenario', message: 'Scenario "card-decline-general" is for payments by card, applepay, googlepay, not paymaya' }] });
  const abandonOnWallet = await payByCard(app, 'applepay', 'forced-3ds-applepay', receiver, 50000, { 'x-sandbox-scenario': 'card-3ds-abandon' });
  t.equal(abandonOnWallet.statusCode, 400, 'a 3-D Secure rule is not for a card wallet\'s token');
  t.match(abandonOnWallet.body, /is for payments by card, not applepay/);
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

t.test('the control API forces a card payment with the card family\'s codes (defaults 10000 and 10100) and refuses a wallet\'s naming code; a scenario not for the payment\'s method is refused naming scenario, as the header refuses it', async (t) => {
  const { app } = await buildTestSandbox(t);
  const receiver = await startReceiver(t);
  // A challenge card through the Gate waits in awaiting 3ds result: a card payment in progress.
  const cardSale = (paymentId: string, headers: Record<string, string> = {}) => app.inject({
    method: 'POST', url: '/v2/payment/card/sale', headers,
    payload: signed({
      general: { project_id: PROJECT_ID, payment_id: paymentId, merchant_callback_url: receiver.url },
      card: { pan: '4314220000000056', year: 2030, month: 12, card_holder: 'JUAN DELA CRUZ', cvv: '123' },
      customer: { id: 'c-1', ip_address: '203.0.113.7' }, payment: { amount: 50000, currency: 'PHP' }, acs_return_url: { return_url: 'https://shop.example/back' },
    }),
  });
  for (const id of ['card-1', 'card-2', 'card-3', 'card-4', 'card-5']) t.equal((await cardSale(id)).statusCode, 200, id);
  await request(app, 'sale', 'wallet-1', receiver, {});
  await flush(app);
  const complete = async (id: string, payload: object) => {
    const response = await app.inject({ method: 'POST', url: `/_sandbox/payments/${PROJECT_ID}/${id}/complete`, payload });
    return { status: response.statusCode, body: response.json() as Record<string, any> };
  };
  const statusOf = async (id: string) => ((await app.inject({ url: `/_sandbox/payments/${PROJECT_ID}/${id}` })).json() as Record<string, any>).payment.status;
  const lastOperation = (body: Record<string, any>) => body.operations.at(-1);

  const external = await complete('card-1', { status: 'external error', code: '10100' });
  t.equal(external.status, 200, 'a card\'s external error 10100 is accepted');
  t.match(external.body.payment, { status: 'external error' });
  t.match(lastOperation(external.body), { status: 'external error', code: '10100', message: 'Declined by external provider' });
  const declined = await complete('card-2', { status: 'decline' });
  t.match(lastOperation(declined.body), { status: 'decline', code: '10000', message: 'General decline' }, 'a card\'s decline defaults to 10000');
  const defaultError = await complete('card-3', { status: 'external error' });
  t.match(lastOperation(defaultError.body), { code: '10100' }, 'and its external error to 10100');

  const walletDecline = await complete('card-4', { status: 'decline', code: '20000' });
  t.equal(walletDecline.status, 400);
  matchCounted(t, walletDecline.body, { status: 'error', code: '2004', errors: [{ code: '2004', field: 'code', message: 'A card payment\'s decline carries a code of the table\'s "card/acquirer decline" class, not a wallet\'s; 20000 is "APM/provider decline"' }] });
  const walletError = await complete('card-4', { status: 'external error', code: '20100' });
  matchCounted(t, walletError.body, { code: '2004', errors: [{ field: 'code', message: /^An external error carries a code of the table's "card\/acquirer decline" class; 20100 is "APM\/provider decline"$/ }] });
  const walletRule = await complete('card-4', { scenario: 'decline-general' });
  t.equal(walletRule.status, 400);
  matchCounted(t, walletRule.body, { code: '2004', errors: [{ field: 'scenario', message: 'Scenario "decline-general" ends with 20000, a wallet payment\'s code, not one for card; for card: card-decline-general' }] });
  t.equal(await statusOf('card-4'), 'awaiting 3ds result', 'a refused force leaves the payment as it was');
  const cardRule = await complete('card-4', { scenario: 'card-decline-insufficient-funds' });
  t.match(lastOperation(cardRule.body), { status: 'decline', code: '10105' }, 'the card rule is forced');
  const anyMethod = await complete('card-5', { scenario: 'internal-error' });
  t.match(lastOperation(anyMethod.body), { status: 'internal error', code: '501' }, 'a rule for any method with a code of neither family still applies');

  const cardCodeOnWallet = await complete('wallet-1', { status: 'decline', code: '10000' });
  matchCounted(t, cardCodeOnWallet.body, { code: '2004', errors: [{ field: 'code', message: /^A wallet payment's decline carries a code of the table's "APM\/provider decline" class, not a card's; 10000 is "card\/acquirer decline"$/ }] });
  const cardRuleOnWallet = await complete('wallet-1', { scenario: 'card-decline-general' });
  t.equal(cardRuleOnWallet.status, 400);
  matchCounted(t, cardRuleOnWallet.body, { code: '2004', errors: [{ field: 'scenario', message: 'Scenario "card-decline-general" is for payments by card, applepay, googlepay, not paymaya' }] });
  t.equal(await statusOf('wallet-1'), 'awaiting redirect result', 'still in progress');
  t.match(lastOperation((await complete('wallet-1', { scenario: 'decline-general' })).body), { code: '20000' });

  const byHeader = await cardSale('card-6', { 'x-sandbox-scenario': 'decline-general' });
  t.equal(byHeader.statusCode, 400, 'the header refuses the same rule for a card payment');
  matchCounted(t, byHeader.json(), { code: '2004', errors: [{ field: 'X-Sandbox-Scenario', message: 'Scenario "decline-general" ends with 20000, a wallet payment\'s code, not one for card; for card: card-decline-general' }] });
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
