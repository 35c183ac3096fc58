import t from 'tap';
import { freePort } from '../helpers/free-port.js';
import { CASES, ConformanceOptionError, runConformance, UnreachableEndpointError, type ConformanceReport } from '../../src/conformance/run-conformance.js';
import { startSampleShop } from '../helpers/sample-shop.js';
import { atLeast, everyOf } from '../helpers/promises.js';

const SECRET = 'shop-secret-445';
const PROJECT_ID = 445;
const ALL = CASES.map((testCase) => testCase.name);
const FORGED = ['tampered', 'unsigned', 'wrong-secret'];

const failedNames = (report: ConformanceReport) => report.cases.filter((result) => !result.passed).map((result) => result.name);
const caseOf = (report: ConformanceReport, name: string) => report.cases.find((result) => result.name === name)!;

function failureOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(() => undefined, (error: unknown) => error);
}

t.test('a correct shop passes every case without the probe; each case uses its own payment id conf-<runId>-<case>', async (t) => {
  const shop = await startSampleShop(t, { secret: SECRET });
  const report = await runConformance({ callbackUrl: shop.callbackUrl, projectId: PROJECT_ID, secret: SECRET, runId: 'run1' });
  t.same(report.cases.map((result) => result.name), ALL);
  t.same(failedNames(report), []);
  t.equal(report.passed, CASES.length);
  t.equal(report.failed, 0);
  t.same(report.cases.map((result) => result.paymentId), ALL.map((name) => `conf-run1-${name}`));
  t.equal(shop.received.length, CASES.reduce((sum, testCase) => sum + testCase.steps.length, 0), 'every step was sent once');
  everyOf(t, report.cases, CASES.length, (result) => result.probe === null, 'no probe without a probe URL');
});

t.test('a correct shop passes every case with the probe: paid after successes, failed after declines, pending after redirects and forgeries', async (t) => {
  const shop = await startSampleShop(t, { secret: SECRET });
  const report = await runConformance({ callbackUrl: shop.callbackUrl, projectId: PROJECT_ID, secret: SECRET, probeUrl: shop.probeUrl });
  t.same(failedNames(report), []);
  for (const testCase of atLeast(t, CASES, 14, 'cases of the kit')) t.equal(caseOf(report, testCase.name).probe?.state, testCase.order, `${testCase.name}: ${testCase.order}`);
  t.same(report.cases.filter((result) => result.probe?.httpStatus === 404).map((result) => result.name), FORGED, 'the forged payments are unknown to the shop');
  t.equal(caseOf(report, 'reordered').expected, '200, 200; order paid');
  t.equal(caseOf(report, 'reordered').observed, '200, 200; order paid');
});

t.test('a correct shop passes the card cases: pending in 3-D Secure, paid on a hold, a capture and a partial refund, failed after a cancel and a full refund', async (t) => {
  const shop = await startSampleShop(t, { secret: SECRET });
  const report = await runConformance({ callbackUrl: shop.callbackUrl, projectId: PROJECT_ID, secret: SECRET, probeUrl: shop.probeUrl, runId: 'cards' });
  const cards = report.cases.filter((result) => result.name.startsWith('card-'));
  t.same(cards.map((result) => [result.name, result.passed, result.probe?.state]), [
    ['card-3ds-pending', true, 'pending'], ['card-auth-hold', true, 'paid'], ['card-capture', true, 'paid'],
    ['card-cancel', true, 'failed'], ['card-refund-partial', true, 'paid'], ['card-refund-full', true, 'failed'],
  ]);
  t.equal(caseOf(report, 'card-capture').expected, '200, 200; order paid');
  const statuses = (name: string) => shop.received.map((r) => JSON.parse(r.body) as { payment: { id: string; status: string } }).filter((c) => c.payment.id === `conf-cards-${name}`).map((c) => c.payment.status);
  t.same(statuses('card-cancel'), ['awaiting capture', 'canceled'], 'the cancel case sends the hold, then its release');
  t.same(statuses('card-refund-full'), ['success', 'refunded']);
});

t.test('a shop that knows only the wallet\'s statuses fails exactly the card cases it gets wrong, with the probe', async (t) => {
  const shop = await startSampleShop(t, { secret: SECRET, fault: 'wallet-statuses-only' });
  const report = await runConformance({ callbackUrl: shop.callbackUrl, projectId: PROJECT_ID, secret: SECRET, probeUrl: shop.probeUrl });
  t.same(failedNames(report), ['card-auth-hold', 'card-cancel', 'card-refund-full']);
  t.equal(caseOf(report, 'card-cancel').why, 'the order is pending ("pending") after the case where failed was expected');
  t.equal(caseOf(report, 'card-refund-full').why, 'the order is paid ("paid") after the case where failed was expected');
  t.same(failedNames(await runConformance({ callbackUrl: shop.callbackUrl, projectId: PROJECT_ID, secret: SECRET })), [], 'it answers 200 to every valid callback all the same');
});

t.test('a shop that accepts forged signatures fails exactly tampered, unsigned and wrong-secret, each saying what was accepted', async (t) => {
  const shop = await startSampleShop(t, { secret: SECRET, fault: 'accepts-forged' });
  const report = await runConformance({ callbackUrl: shop.callbackUrl, projectId: PROJECT_ID, secret: SECRET });
  t.same(failedNames(report), FORGED);
  t.equal(report.failed, 3);
  t.equal(report.passed, CASES.length - 3);
  t.match(caseOf(report, 'tampered').why, /^a body changed after signing was accepted/);
  t.match(caseOf(report, 'unsigned').why, /^a callback without a signature was accepted/);
  t.match(caseOf(report, 'wrong-secret').why, /^a callback signed with another secret was accepted/);
  t.equal(caseOf(report, 'unsigned').observed, '200');
  t.equal(caseOf(report, 'unsigned').expected, 'not 200');
});

t.test('with the probe, a shop accepting forgeries also shows the forged outcome in its orders', async (t) => {
  const shop = await startSampleShop(t, { secret: SECRET, fault: 'accepts-forged' });
  const report = await runConformance({ callbackUrl: shop.callbackUrl, projectId: PROJECT_ID, secret: SECRET, probeUrl: shop.probeUrl });
  t.same(failedNames(report), FORGED);
  t.same(FORGED.map((name) => caseOf(report, name).probe?.state), ['paid', 'paid', 'paid']);
});

t.test('a shop that answers 500 on a duplicate fails exactly redirect-twice and final-twice, on their second answer', async (t) => {
  const shop = await startSampleShop(t, { secret: SECRET, fault: 'fails-on-duplicate' });
  const report = await runConformance({ callbackUrl: shop.callbackUrl, projectId: PROJECT_ID, secret: SECRET, probeUrl: shop.probeUrl });
  t.same(failedNames(report), ['redirect-twice', 'final-twice']);
  for (const name of ['redirect-twice', 'final-twice']) {
    t.same(caseOf(report, name).answers.map((answer) => answer.httpStatus), [200, 500], name);
    t.match(caseOf(report, name).why, /^answer 2 of 2 was HTTP 500 "refused \(500\)" where 200 was expected$/, name);
  }
});

t.test('a shop that flips a paid order back on an older callback fails exactly reordered with the probe, and passes every case without it', async (t) => {
  const shop = await startSampleShop(t, { secret: SECRET, fault: 'flips-back-on-older' });
  const probed = await runConformance({ callbackUrl: shop.callbackUrl, projectId: PROJECT_ID, secret: SECRET, probeUrl: shop.probeUrl });
  t.same(failedNames(probed), ['reordered']);
  t.equal(caseOf(probed, 'reordered').why, 'the order is pending ("pending") after the case where paid was expected');
  t.equal(caseOf(probed, 'reordered').observed, '200, 200; order pending');
  const unprobed = await runConformance({ callbackUrl: shop.callbackUrl, projectId: PROJECT_ID, secret: SECRET });
  t.same(failedNames(unprobed), [], 'answers alone cannot show this fault');
});

t.test('rejectStatus 403: forgeries refused with 401 fail the three forged cases naming both statuses; refused with 403 they pass', async (t) => {
  const strict = await startSampleShop(t, { secret: SECRET, rejectStatus: 401 });
  const report = await runConformance({ callbackUrl: strict.callbackUrl, projectId: PROJECT_ID, secret: SECRET, rejectStatus: 403 });
  t.same(failedNames(report), FORGED);
  t.match(caseOf(report, 'unsigned').why, /^refused with HTTP 401 "refused \(401\)" where 403 was expected$/);
  t.equal(caseOf(report, 'unsigned').expected, '403');
  const right = await startSampleShop(t, { secret: SECRET, rejectStatus: 403 });
  t.same(failedNames(await runConformance({ callbackUrl: right.callbackUrl, projectId: PROJECT_ID, secret: SECRET, rejectStatus: 403 })), []);
});

t.test('probeMapping maps a shop\'s own status names; without it, every recorded order fails as not mapped', async (t) => {
  const shop = await startSampleShop(t, { secret: SECRET, statusNames: { paid: 'PAID_IN_FULL', failed: 'VOID', pending: 'WAITING' } });
  const unmapped = await runConformance({ callbackUrl: shop.callbackUrl, projectId: PROJECT_ID, secret: SECRET, probeUrl: shop.probeUrl });
  t.same(failedNames(unmapped), ALL.filter((name) => !FORGED.includes(name)));
  t.equal(caseOf(unmapped, 'sale-success').why, 'order probe: status "PAID_IN_FULL" is not mapped to paid, failed or pending');
  const mapped = await runConformance({
    callbackUrl: shop.callbackUrl, projectId: PROJECT_ID, secret: SECRET, probeUrl: shop.probeUrl,
    probeMapping: { paid: ['paid_in_full'], failed: ['void'], pending: ['waiting'] },
  });
  t.same(failedNames(mapped), []);
});

t.test('an endpoint that does not answer in time fails that case only, naming the time-out', async (t) => {
  const shop = await startSampleShop(t, { secret: SECRET, silentFor: (paymentId) => paymentId.endsWith('-long-unicode') });
  // 3 s: every answering case answers well within it on a busy machine, so only the silent one times out.
  const report = await runConformance({ callbackUrl: shop.callbackUrl, projectId: PROJECT_ID, secret: SECRET, timeoutMs: 3_000 });
  t.same(failedNames(report), ['long-unicode']);
  t.equal(caseOf(report, 'long-unicode').why, 'the answer was no answer within 3000 ms where 200 was expected');
  t.equal(caseOf(report, 'long-unicode').observed, 'timeout');
});

t.test('an unreachable callback URL or probe URL stops the run with UnreachableEndpointError naming the URL', async (t) => {
  const port = await freePort();
  const callbackUrl = `http://127.0.0.1:${port}/callback`;
  const noCallback = await failureOf(runConformance({ callbackUrl, projectId: PROJECT_ID, secret: SECRET }));
  t.type(noCallback, UnreachableEndpointError);
  t.equal((noCallback as UnreachableEndpointError).option, 'callbackUrl');
  t.match((noCallback as Error).message, new RegExp(`^cannot reach ${callbackUrl}: .*ECONNREFUSED`));
  const shop = await startSampleShop(t, { secret: SECRET });
  const noProbe = await failureOf(runConformance({ callbackUrl: shop.callbackUrl, projectId: PROJECT_ID, secret: SECRET, probeUrl: `http://127.0.0.1:${port}/orders/{payment_id}` }));
  t.type(noProbe, UnreachableEndpointError);
  t.equal((noProbe as UnreachableEndpointError).option, 'probeUrl');
  t.match((noProbe as Error).message, `cannot reach http://127.0.0.1:${port}/orders/conf-`);
});

t.test('bad options are refused with ConformanceOptionError naming the option, before anything is sent', async (t) => {
  const shop = await startSampleShop(t, { secret: SECRET });
  const base = { callbackUrl: shop.callbackUrl, projectId: PROJECT_ID, secret: SECRET };
  const bad: Array<[Record<string, unknown>, string]> = [
    [{ callbackUrl: 'ftp://shop/cb' }, 'callbackUrl'],
    [{ projectId: 0 }, 'projectId'],
    [{ secret: '' }, 'secret'],
    [{ probeUrl: 'http://shop/orders/1' }, 'probeUrl'],
    [{ rejectStatus: 200 }, 'rejectStatus'],
    [{ timeoutMs: 0 }, 'timeoutMs'],
    [{ runId: 'has space' }, 'runId'],
    [{ probeMapping: { paid: [] } }, 'probeMapping'],
  ];
  for (const [change, option] of bad) {
    const error = await failureOf(runConformance({ ...base, ...change } as never));
    t.type(error, ConformanceOptionError, option);
    t.equal((error as ConformanceOptionError).option, option);
    t.match((error as Error).message, new RegExp(`^${option} `));
  }
  t.equal(shop.received.length, 0);
});
