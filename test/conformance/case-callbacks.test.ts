import t from 'tap';
import type { FastifyInstance } from 'fastify';
import { caseBodies, operationCount, type CaseContext } from '../../src/conformance/case-callbacks.js';
import { CASES, isCardCase, type ConformanceCase } from '../../src/conformance/cases.js';
import { IdSource } from '../../src/domain/payments/id-source.js';
import { loadCards, loadCodes, loadMethods } from '../../src/catalogue-loader.js';
import type { PaymentMethod } from '../../src/domain/catalogue/methods.js';
import { buildTestSandbox, flush, PROJECT_ID, SECRET } from '../helpers/sandbox.js';
import { startReceiver } from '../helpers/receiver.js';
import { payout, post, sale, SdkCallback, seedPurchase, signed, tokenOf } from '../helpers/gate-client.js';
import { paymentPageUrl } from '../helpers/payment-page-client.js';
import { atLeast, everyOf } from '../helpers/promises.js';

const method = loadMethods().find('paymaya') as PaymentMethod;
const cardMethod = loadMethods().find('card') as PaymentMethod;
const cards = loadCards();
const codes = loadCodes();
const ids = new IdSource('case-callbacks-test');

function caseNamed(name: string): ConformanceCase {
  const found = CASES.find((testCase) => testCase.name === name);
  if (found === undefined) throw new Error(`no case ${name}`);
  return found;
}

function context(testCase: ConformanceCase): CaseContext {
  return { projectId: PROJECT_ID, secret: SECRET, paymentId: `conf-test-${testCase.name}`, now: Date.parse('2026-03-01T10:00:00Z'), publicUrl: 'http://127.0.0.1:8080', method, cardMethod, cards, codes, ids, operationId: ids.operationIdBase() + 1 };
}

function bodiesOf(name: string): Array<Record<string, any>> {
  const testCase = caseNamed(name);
  return caseBodies(testCase, context(testCase)).map((text) => JSON.parse(text) as Record<string, any>);
}

/** Member names in order, with the JSON type of every leaf: what a shop's parser sees. */
function shape(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(shape);
  if (typeof value === 'object' && value !== null) return Object.entries(value).map(([key, child]) => [key, shape(child)]);
  return typeof value;
}

/** The values that are the same for every callback of a kind, whatever the payment. */
function kindFacts(body: Record<string, any>) {
  const { payment, operation } = body;
  return {
    payment: { type: payment.type, status: payment.status, method: payment.method, currency: payment.sum.currency },
    operation: { type: operation.type, status: operation.status, code: operation.code, message: operation.message, provider: { id: operation.provider.id, endpoint_id: operation.provider.endpoint_id, auth_code: operation.provider.auth_code } },
    redirect: body.redirect_data === undefined ? undefined : { method: body.redirect_data.method, body: body.redirect_data.body },
  };
}

t.test('every valid kind of kit callback has the members, their order, value types and fixed values of the sandbox\'s own callback of that kind', async (t) => {
  const { app } = await buildTestSandbox(t);
  const receiver = await startReceiver(t);
  const general = (paymentId: string) => ({ general: { project_id: PROJECT_ID, payment_id: paymentId, merchant_callback_url: receiver.url } });
  const callbacksOf = (paymentId: string) => receiver.received.map((r) => r.json as Record<string, any>).filter((body) => body.payment.id === paymentId);
  const checkout = async (paymentId: string, action: 'pay' | 'decline') => {
    await flush(app);
    const [redirect] = callbacksOf(paymentId);
    const mobile = action === 'pay' ? '&mobile=09171234567' : '';
    await app.inject({ method: 'POST', url: '/paymaya/checkout', payload: `tokenid=${tokenOf(redirect!.redirect_data.url)}${mobile}&action=${action}`, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    await flush(app);
  };

  await sale(app, 'real-paid', general('real-paid'));
  await checkout('real-paid', 'pay');
  await sale(app, 'real-declined', general('real-declined'));
  await checkout('real-declined', 'decline');
  await sale(app, 'real-limit', { ...general('real-limit'), payment: { amount: 2_000_000, currency: 'PHP', description: 'too much' } });
  await sale(app, 'real-timeout', general('real-timeout'));
  await seedPurchase(app, 'real-seed', 'payee-1');
  await payout(app, 'real-payout', { ...general('real-payout'), customer: { id: 'payee-1', ip_address: '203.0.113.7' } });
  await payout(app, 'real-payout-declined', { ...general('real-payout-declined'), customer: { id: 'payee-1', ip_address: '203.0.113.7' }, account: { number: '09000000000', customer_name: 'Juan dela Cruz' } });
  await flush(app, 86_400);

  const pairs: Array<[string, Record<string, any>, Record<string, any> | undefined]> = [
    ['redirect-twice', bodiesOf('redirect-twice')[0]!, callbacksOf('real-paid')[0]],
    ['sale-success', bodiesOf('sale-success')[0]!, callbacksOf('real-paid')[1]],
    ['sale-decline-20000', bodiesOf('sale-decline-20000')[0]!, callbacksOf('real-declined')[1]],
    ['sale-decline-20101', bodiesOf('sale-decline-20101')[0]!, callbacksOf('real-limit')[0]],
    ['sale-decline-20602', bodiesOf('sale-decline-20602')[0]!, callbacksOf('real-timeout')[1]],
    ['payout-success', bodiesOf('payout-success')[0]!, callbacksOf('real-payout')[0]],
    ['payout-decline', bodiesOf('payout-decline')[0]!, callbacksOf('real-payout-declined')[0]],
  ];
  for (const [name, kit, real] of pairs) {
    t.ok(real, `${name}: the sandbox sent its callback`);
    if (real === undefined) continue;
    t.same(shape(kit), shape(real), `${name}: same members in the same order, same value types`);
    t.same(kindFacts(kit), kindFacts(real), `${name}: same fixed values`);
  }
  t.equal(callbacksOf('real-limit').length, 1, 'a limit decline is the only callback of its payment, as the kit sends it');
});

/** The values that are the same for every card callback of a kind, whatever the payment (the amounts are the kit's and the test's alike). */
function cardKindFacts(body: Record<string, any>) {
  const { payment, operation, account } = body;
  return {
    payment: { type: payment.type, status: payment.status, method: payment.method, sum: payment.sum, refundIdGiven: typeof payment.merchant_refund_id === 'string' },
    account: { number: account.number, type: account.type, card_holder: account.card_holder, expiry_month: account.expiry_month },
    operation: {
      type: operation.type, status: operation.status, code: operation.code, message: operation.message, eci: operation.eci, sum_initial: operation.sum_initial,
      provider: { id: operation.provider.id, endpoint_id: operation.provider.endpoint_id, authCode: /^\d{6}$/.test(operation.provider.auth_code) ? 'six digits' : operation.provider.auth_code, dated: 'date' in operation.provider },
    },
  };
}

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

/** A card payment on the Payment Page's card form, as test/http/card-payment-page.test.ts makes one. */
async function cardPayment(app: FastifyInstance, paymentId: string, first: 'sale' | 'auth', callbackUrl: string, pan = '4000000000000077') {
  const url = paymentPageUrl({ payment_id: paymentId, payment_amount: 50000, payment_currency: 'PHP', customer_id: 'c-1', force_payment_method: 'card', operation_type: first, merchant_callback_url: callbackUrl });
  const request = url.slice(url.indexOf('?') + 1);
  const answer = await app.inject({ method: 'POST', url: '/payment/card', payload: new URLSearchParams({ request, method: 'card', pan, expiry: '12/30', cvv: '123', card_holder: 'juan dela cruz' }).toString(), headers: FORM });
  if (answer.statusCode !== 303) throw new Error(answer.body);
}

/** A capture, cancel or refund the shop asks for through the Gate, signed by the SDK. */
const action = (app: FastifyInstance, path: string, paymentId: string, payment?: Record<string, unknown>) =>
  post(app, `/v2/payment/${path}`, signed({ general: { project_id: PROJECT_ID, payment_id: paymentId }, ...(payment === undefined ? {} : { payment }) }));

t.test('every card case sends, step by step, callbacks with the members, their order, value types and fixed values of the sandbox\'s own card callbacks of that kind', async (t) => {
  const { app } = await buildTestSandbox(t);
  const receiver = await startReceiver(t);
  const callbacksOf = (paymentId: string) => receiver.received.map((r) => r.json as Record<string, any>).filter((body) => body.payment.id === paymentId);
  await cardPayment(app, 'real-hold', 'auth', receiver.url);
  await cardPayment(app, 'real-capture', 'auth', receiver.url);
  await cardPayment(app, 'real-cancel', 'auth', receiver.url);
  await cardPayment(app, 'real-refund-partial', 'sale', receiver.url);
  await cardPayment(app, 'real-refund-full', 'sale', receiver.url);
  await flush(app, 3600);
  t.equal((await action(app, 'card/capture', 'real-capture')).status, 200);
  t.equal((await action(app, 'card/cancel', 'real-cancel')).status, 200);
  t.equal((await action(app, 'card/refund', 'real-refund-partial', { amount: 20000, currency: 'PHP', description: 'part', merchant_refund_id: 'r-1' })).status, 200);
  t.equal((await action(app, 'card/refund', 'real-refund-full', { amount: 50000, currency: 'PHP', description: 'all', merchant_refund_id: 'r-2' })).status, 200);
  // Left waiting at the sandbox bank's page, as the kit's case leaves it.
  await cardPayment(app, 'real-3ds', 'sale', receiver.url, '4314220000000056');
  await flush(app);
  everyOf(t, receiver.received, 10, (r) => new SdkCallback(SECRET, r.body).callback !== undefined, 'every real callback verifies with the SDK');

  const real: Record<string, string> = {
    'card-3ds-pending': 'real-3ds', 'card-auth-hold': 'real-hold', 'card-capture': 'real-capture', 'card-cancel': 'real-cancel',
    'card-refund-partial': 'real-refund-partial', 'card-refund-full': 'real-refund-full',
  };
  const cardCases = CASES.filter(isCardCase);
  t.same(cardCases.map((testCase) => testCase.name), Object.keys(real), 'every card case is checked here');
  for (const testCase of atLeast(t, cardCases, 6, 'card cases')) {
    const kit = bodiesOf(testCase.name);
    const sandbox = callbacksOf(real[testCase.name] as string);
    t.equal(kit.length, sandbox.length, `${testCase.name}: as many callbacks as the sandbox sent (${sandbox.length})`);
    kit.forEach((body, index) => {
      const mine = sandbox[index];
      t.ok(mine, `${testCase.name} step ${index + 1}: the sandbox sent its callback`);
      if (mine === undefined) return;
      t.same(shape(body), shape(mine), `${testCase.name} step ${index + 1} (${body.payment.status}): same members in the same order, same value types`);
      t.same(cardKindFacts(body), cardKindFacts(mine), `${testCase.name} step ${index + 1} (${body.payment.status}): same fixed values`);
    });
    t.equal(operationCount(testCase), new Set(kit.map((body) => body.operation.id)).size, `${testCase.name}: one operation id per operation`);
    t.same(kit.map((body) => body.operation.request_id.slice(-8)), sandbox.map((body) => body.operation.request_id.slice(-8)), `${testCase.name}: the request ids count the operations as the sandbox does`);
  }
  t.same(bodiesOf('card-refund-partial')[1]!.payment.merchant_refund_id, 'conf-test-card-refund-partial-refund-1', 'a refund callback names its merchant_refund_id');
});

t.test('every valid case\'s callbacks verify with the official SDK\'s Callback; every forged one is refused by it', async (t) => {
  for (const testCase of atLeast(t, CASES, 14, 'cases of the kit')) {
    for (const body of atLeast(t, caseBodies(testCase, context(testCase)), 1, `${testCase.name}: bodies`)) {
      if (testCase.forgery === undefined) t.doesNotThrow(() => new SdkCallback(SECRET, body), testCase.name);
      else t.throws(() => new SdkCallback(SECRET, body), /Invalid signature/, testCase.name);
    }
  }
});

t.test('the forgeries: tampered differs from the signed decline only in payment.status, unsigned has no signature, wrong-secret has another one', async (t) => {
  const valid = caseBodies({ ...caseNamed('tampered'), forgery: undefined }, context(caseNamed('tampered'))).map((text) => JSON.parse(text) as Record<string, any>)[0]!;
  const [tampered] = bodiesOf('tampered');
  t.equal(valid.payment.status, 'decline');
  t.same(tampered, { ...valid, payment: { ...valid.payment, status: 'success' } });
  const [unsigned] = bodiesOf('unsigned');
  t.notOk('signature' in unsigned!);
  const [wrong] = bodiesOf('wrong-secret');
  const rightlySigned = JSON.parse(caseBodies({ ...caseNamed('wrong-secret'), forgery: undefined }, context(caseNamed('wrong-secret')))[0]!) as Record<string, any>;
  t.not(wrong!.signature, rightlySigned.signature);
  t.same({ ...wrong, signature: '' }, { ...rightlySigned, signature: '' });
});

t.test('unknown-members puts a member the shop cannot know into every object of the body, including arrays and empty containers', async (t) => {
  const [body] = bodiesOf('unknown-members');
  const objects: Array<[string, Record<string, unknown>]> = [];
  const walk = (path: string, node: unknown): void => {
    if (typeof node !== 'object' || node === null || Array.isArray(node) || /(^|\.)conformance_/.test(path)) return;
    objects.push([path, node as Record<string, unknown>]);
    for (const [key, child] of Object.entries(node)) walk(path === '' ? key : `${path}.${key}`, child);
  };
  walk('', body);
  t.same(objects.map(([path]) => path), ['', 'payment', 'payment.sum', 'account', 'customer', 'operation', 'operation.sum_initial', 'operation.sum_converted', 'operation.provider']);
  for (const [path, node] of atLeast(t, objects, 9, 'objects in the body')) t.ok(Object.keys(node).some((key) => key.startsWith('conformance_')), `${path || 'top level'} has an unknown member`);
  t.same(body!.conformance_extra.empty_object, {});
  t.same(body!.conformance_extra.empty_list, []);
  t.equal(body!.conformance_extra.flags.length, 2);
});

t.test('long-unicode carries over 6 KB of emoji, Filipino, Chinese, Japanese and Korean text in payment.description', async (t) => {
  const [body] = bodiesOf('long-unicode');
  const description = body!.payment.description as string;
  t.ok(Buffer.byteLength(description, 'utf8') > 6000, `${Buffer.byteLength(description, 'utf8')} bytes`);
  for (const sample of ['🇵🇭', '🙏🏽', '👨‍👩‍👧', 'Salamat po', 'Parañaque', '谢谢', 'ありがとう', '감사합니다']) t.ok(description.includes(sample), sample);
});

t.test('a repeated step is the same bytes; reordered sends the final, then the older redirect callback dated before it', async (t) => {
  const twice = caseBodies(caseNamed('final-twice'), context(caseNamed('final-twice')));
  t.equal(twice[0], twice[1]);
  const redirects = caseBodies(caseNamed('redirect-twice'), context(caseNamed('redirect-twice')));
  t.equal(redirects[0], redirects[1]);
  const [final, older] = bodiesOf('reordered');
  t.equal(final!.payment.status, 'success');
  t.equal(older!.payment.status, 'awaiting redirect result');
  t.ok(older!.redirect_data.url.startsWith('http://127.0.0.1:8080/paymaya/checkout?tokenid='));
  t.ok(older!.operation.date < final!.operation.date, `${older!.operation.date} < ${final!.operation.date}`);
  t.equal(older!.operation.id, final!.operation.id, 'both are callbacks of the same operation');
});
