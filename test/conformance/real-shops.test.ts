import t from 'tap';
import { CASES, ConformanceOptionError, runConformance, type ConformanceReport } from '../../src/conformance/run-conformance.js';
import { BOOLEAN_HINT } from '../../src/conformance/judge.js';
import { startWooShop } from '../helpers/woo-shop.js';

const SECRET = 'woo-secret-445';
const PROJECT_ID = 445;
const FORGED = ['tampered', 'unsigned', 'wrong-secret'];
const PAYOUTS = ['payout-success', 'payout-decline'];
const SALES = CASES.map((testCase) => testCase.name).filter((name) => !PAYOUTS.includes(name));

const failedNames = (report: ConformanceReport) => report.cases.filter((result) => !result.passed).map((result) => result.name);
const caseOf = (report: ConformanceReport, name: string) => report.cases.find((result) => result.name === name)!;

function failureOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(() => undefined, (error: unknown) => error);
}

/** The documented flags for a WooCommerce shop: the shop creates each order first, its statuses, no payouts, its stored payment status. */
function wooRun(shop: Awaited<ReturnType<typeof startWooShop>>, extra: Record<string, unknown> = {}) {
  return runConformance({
    callbackUrl: shop.callbackUrl, projectId: PROJECT_ID, secret: SECRET, probeUrl: shop.probeUrl,
    prepareUrl: `POST ${shop.prepareUrl}`, shop: 'woocommerce', salesOnly: true, probePaymentStatus: 'payment_status', ...extra,
  });
}

t.test('out of the box the WooCommerce-path shop answers 404 "Order not found" to every valid callback of the fresh payment ids', async (t) => {
  const shop = await startWooShop(t, { secret: SECRET });
  const report = await runConformance({ callbackUrl: shop.callbackUrl, projectId: PROJECT_ID, secret: SECRET });
  t.same(failedNames(report), CASES.map((testCase) => testCase.name).filter((name) => !FORGED.includes(name)));
  t.match(caseOf(report, 'sale-success').why, /^the answer was HTTP 404 "Order not found" where 200 was expected$/);
});

t.test('with --prepare-url, --shop woocommerce, --sales-only and --probe-payment-status a correct WooCommerce-path shop passes every case', async (t) => {
  const shop = await startWooShop(t, { secret: SECRET });
  const report = await wooRun(shop, { runId: 'woo1' });
  t.same(report.cases.map((result) => result.name), SALES, 'the payout cases are left out');
  t.same(failedNames(report), []);
  t.equal(report.passed, SALES.length);
  t.same([report.warned, report.shop, report.prepareUrl], [0, 'woocommerce', `POST ${shop.prepareUrl}`]);
  t.same([...shop.orders.keys()], SALES.map((name) => `conf-woo1-${name}`), 'each case had its order created first');
  t.same(shop.orders.get('conf-woo1-sale-decline-20101'), { status: 'failed', paymentStatus: 'decline', amount: 1500100, currency: 'PHP' }, 'the prepare request carries the case\'s amount and currency');
  t.same(caseOf(report, 'sale-success').prepare?.httpStatus, 201);
  t.same(caseOf(report, 'sale-success').probe, { url: shop.probeUrl.replace('{payment_id}', 'conf-woo1-sale-success'), httpStatus: 200, status: 'processing', state: 'paid', problem: null, paymentStatus: 'success' });
  t.equal(caseOf(report, 'card-auth-hold').probe?.status, 'on-hold', 'an authorised hold is on-hold, paid for WooCommerce');
  t.equal(caseOf(report, 'card-refund-full').probe?.status, 'refunded');
  t.equal(caseOf(report, 'reordered').observed, '200, 200; order paid, payment "success"');
  t.same(FORGED.map((name) => caseOf(report, name).probe?.status), ['pending', 'pending', 'pending'], 'a forged callback changed nothing');
});

t.test('the generic preset no longer counts processing as pending: without --shop a WooCommerce order that is paid is named unmapped', async (t) => {
  const shop = await startWooShop(t, { secret: SECRET });
  const report = await wooRun(shop, { shop: undefined, cases: ['sale-success', 'card-3ds-pending'] });
  t.same(report.shop, 'generic');
  t.same(failedNames(report), ['sale-success']);
  t.equal(caseOf(report, 'sale-success').why, 'order probe: status "processing" is not mapped to paid, failed or pending');
  t.same(failedNames(await wooRun(shop, { shop: undefined, cases: ['sale-success'], probeMapping: { paid: ['processing'] } })), [], '--probe-paid still replaces a state\'s names');
});

t.test('a shop that only sells acknowledges payouts with 200 and changes nothing: it fails the payout cases unless --sales-only or --skip leaves them out', async (t) => {
  const shop = await startWooShop(t, { secret: SECRET });
  const all = await wooRun(shop, { salesOnly: false });
  t.same(failedNames(all), PAYOUTS);
  t.equal(caseOf(all, 'payout-success').why, 'the order is pending ("pending") after the case where paid was expected');
  t.same(caseOf(all, 'payout-success').answers.map((answer) => answer.excerpt), ['Not supported operation type: payout']);
  const skipped = await wooRun(shop, { salesOnly: false, skip: PAYOUTS });
  t.same(skipped.cases.map((result) => result.name), SALES);
  t.same(failedNames(skipped), []);
  const chosen = await wooRun(shop, { cases: ['final-twice', 'sale-success', 'tampered'] });
  t.same(chosen.cases.map((result) => result.name), ['sale-success', 'final-twice', 'tampered'], '--cases runs those, in the catalogue\'s order');
});

t.test('a shop that overwrites its stored payment status backwards fails exactly reordered with --probe-payment-status, and passes without it', async (t) => {
  const shop = await startWooShop(t, { secret: SECRET, variant: 'overwrites-payment-status' });
  const report = await wooRun(shop);
  t.same(failedNames(report), ['reordered']);
  t.equal(caseOf(report, 'reordered').why, 'status went backwards: the shop\'s stored payment status is "awaiting redirect result" after "success", a later status replaced by an earlier one');
  t.equal(caseOf(report, 'reordered').observed, '200, 200; order paid, payment "awaiting redirect result"');
  t.equal(caseOf(report, 'reordered').probe?.state, 'paid', 'the order itself stays paid');
  t.same(failedNames(await wooRun(shop, { probePaymentStatus: undefined })), [], 'the order status alone cannot show it');
});

t.test('a 500 to a forged callback is "refused by crashing": a warning that passes, and a failure under strict', async (t) => {
  const shop = await startWooShop(t, { secret: SECRET, variant: 'crashes-on-forged' });
  const report = await wooRun(shop);
  t.same(failedNames(report), []);
  t.same(report.cases.filter((result) => result.verdict === 'refused by crashing').map((result) => result.name), FORGED);
  t.equal(report.warned, 3);
  t.equal(caseOf(report, 'unsigned').why, 'refused by crashing: HTTP 500 "Fatal error: Uncaught Exception: Invalid signature" is a server error, not a refusal; answer a forged callback with a 4xx such as 403 (a warning; --strict fails it)');
  t.equal(caseOf(report, 'sale-success').verdict, 'pass');
  const strict = await wooRun(shop, { strict: true });
  t.same(failedNames(strict), FORGED);
  t.same([strict.failed, strict.warned, strict.strict], [3, 0, true]);
  t.equal(caseOf(strict, 'tampered').verdict, 'refused by crashing');
  t.notMatch(caseOf(strict, 'tampered').why, /a warning/);
  const asked = await wooRun(shop, { strict: true, rejectStatus: 500 });
  t.same(failedNames(asked), [], 'a 500 the run asked for with rejectStatus is a refusal');
});

t.test('with --payment-ids the cases use the shop\'s existing orders, one per case in run order', async (t) => {
  const shop = await startWooShop(t, { secret: SECRET });
  const ids = SALES.map((_, index) => `wc_order_${1000 + index}`);
  for (const id of [...ids, 'wc_order_spare']) shop.createOrder(id);
  const report = await wooRun(shop, { prepareUrl: undefined, paymentIds: [...ids, 'wc_order_spare'] });
  t.same(failedNames(report), []);
  t.same(report.cases.map((result) => result.paymentId), ids);
  t.equal(shop.orders.get('wc_order_1000')?.status, 'processing');
  t.equal(shop.orders.get('wc_order_spare')?.status, 'pending', 'an id beyond the run\'s cases is left alone');
  const error = await failureOf(wooRun(shop, { prepareUrl: undefined, paymentIds: ids.slice(0, 3) }));
  t.type(error, ConformanceOptionError);
  t.equal((error as Error).message, `paymentIds has 3 ids where the run needs ${SALES.length}, one order per case`);
});

t.test('a shop whose signer renders booleans wrongly fails exactly unknown-members, whose why-line says it carries booleans and what that usually means', async (t) => {
  const shop = await startWooShop(t, { secret: SECRET, variant: 'renders-booleans-wrongly' });
  const report = await wooRun(shop);
  t.same(failedNames(report), ['unknown-members']);
  t.equal(caseOf(report, 'unknown-members').why, `the answer was HTTP 400 "Invalid signature" where 200 was expected; ${BOOLEAN_HINT}`);
  t.match(BOOLEAN_HINT, /carries booleans \(true\/false\), which ECommPay signs as 1 and 0/);
  t.match(BOOLEAN_HINT, /a failure here usually means the shop's signer renders booleans another way/);
  t.match(caseOf(report, 'unknown-members').description, /booleans among them/);
});

t.test('a prepare request that is refused fails its case without sending callbacks', async (t) => {
  const shop = await startWooShop(t, { secret: SECRET });
  const report = await wooRun(shop, { prepareUrl: `PUT ${shop.prepareUrl}`, cases: ['sale-success'] });
  t.same(failedNames(report), ['sale-success']);
  t.equal(caseOf(report, 'sale-success').why, `the prepare request (PUT ${shop.prepareUrl}) got HTTP 404, so no order was created and no callback was sent`);
  t.same([caseOf(report, 'sale-success').observed, caseOf(report, 'sale-success').answers], ['not sent', []]);
  t.equal(shop.received.length, 0);
});

t.test('the new options are checked before anything is sent, each error naming its option', async (t) => {
  const shop = await startWooShop(t, { secret: SECRET });
  const base = { callbackUrl: shop.callbackUrl, projectId: PROJECT_ID, secret: SECRET };
  const bad: Array<[Record<string, unknown>, string, RegExp]> = [
    [{ shop: 'shopify' }, 'shop', /must be one of generic, woocommerce, magento, prestashop, commercetools, not "shopify"/],
    [{ cases: ['sale-success', 'nope'] }, 'cases', /names no case "nope" \(cases: sale-success, /],
    [{ skip: ['nope'] }, 'skip', /names no case "nope"/],
    [{ cases: ['payout-success'], salesOnly: true }, 'cases', /leave no case to run/],
    [{ probePaymentStatus: 'payment_status' }, 'probePaymentStatus', /needs the probe URL/],
    [{ probeUrl: shop.probeUrl, probePaymentStatus: 'a..b' }, 'probePaymentStatus', /must be a member name/],
    [{ prepareUrl: 'GET http://shop/test/orders' }, 'prepareUrl', /must be "\[POST\|PUT \]URL"/],
    [{ prepareUrl: 'POST ftp://shop/orders' }, 'prepareUrl', /must be an http\(s\) URL/],
    [{ paymentIds: ['a', 'a'] }, 'paymentIds', /has "a" twice/],
  ];
  for (const [change, option, message] of bad) {
    const error = await failureOf(runConformance({ ...base, ...change } as never));
    t.type(error, ConformanceOptionError, option);
    t.equal((error as ConformanceOptionError).option, option);
    t.match((error as Error).message, message);
  }
  t.equal(shop.received.length, 0);
});
