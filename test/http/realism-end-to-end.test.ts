import t from 'tap';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { CASES } from '../../src/conformance/run-conformance.js';
import { buildTestSandbox } from '../helpers/sandbox.js';
import { saleBody, SdkCallback, sdkSigner } from '../helpers/gate-client.js';
import { startSampleShop } from '../helpers/sample-shop.js';
import { atLeast, everyOf, matchCounted, sameSet } from '../helpers/promises.js';

const require = createRequire(import.meta.url);
const { Payment } = require('ecommpay') as { Payment: new (projectId: number, secret: string, params?: object, base?: string) => Record<string, any> & { getUrl(): string } };

const PROJECT = 700;
const SECRET = 'e2e-shop-secret';
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

t.test('over real HTTP, with the official SDK verifying every callback at a sample shop: delivery options, new outcomes, required fields, POST /payment and the conformance kit', async (t) => {
  const { app } = await buildTestSandbox(t);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const shop = await startSampleShop(t, { secret: SECRET });
  const json = async (path: string, body?: unknown) => {
    const response = await fetch(`${base}${path}`, body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: response.status, body: await response.json() as Record<string, any> };
  };
  const form = (path: string, fields: Record<string, string>, headers: Record<string, string> = {}) =>
    fetch(`${base}${path}`, { method: 'POST', headers: { ...FORM, ...headers }, body: new URLSearchParams(fields).toString(), redirect: 'manual' });
  const advance = (seconds: number) => json('/_sandbox/clock/advance', { seconds });
  const order = (paymentId: string) => shop.orders.get(paymentId);
  const sale = (paymentId: string, overrides: Record<string, unknown> = {}) => {
    const body = saleBody(paymentId, { general: { project_id: PROJECT, payment_id: paymentId }, ...overrides });
    body.general.signature = sdkSigner(body, SECRET);
    return json('/v2/payment/wallet/paymaya/sale', body);
  };
  const redirectOf = (paymentId: string) => {
    const body = shop.received.map((r) => JSON.parse(r.body) as Record<string, any>).find((c) => c.payment.id === paymentId && c.redirect_data !== undefined);
    const url = new URL(body?.redirect_data.url as string);
    return { path: `${url.pathname}${url.search}`, token: url.searchParams.get('tokenid') as string };
  };

  t.test('a project with order "any" and the redirect callback twice', async (t) => {
    const created = await json('/_sandbox/projects', { project_id: PROJECT, secret_key: SECRET, callback_url: shop.callbackUrl, callbacks: { order: 'any', repeat_redirect: 2 } });
    t.equal(created.status, 201);
    t.same(created.body.callbacks, { order: 'any', repeat_redirect: 2 });
  });

  t.test('a PayMaya sale needs customer.email and return_url.success', async (t) => {
    const noEmail = await sale('e2e-0', { customer: { id: 'c-1', ip_address: '203.0.113.7' } });
    t.equal(noEmail.status, 400);
    matchCounted(t, noEmail.body, { code: '2004', errors: [{ field: 'customer.email', message: 'Required field not provided' }] });
    const noReturn = await sale('e2e-0', { return_url: { decline: 'https://shop.example/fail' } });
    matchCounted(t, noReturn.body, { code: '2004', errors: [{ field: 'return_url.success' }] });
  });

  t.test('a Gate sale paid at the wallet: the redirect callback twice, then the final one', async (t) => {
    t.equal((await sale('e2e-1')).status, 200);
    await advance(0);
    const wallet = redirectOf('e2e-1');
    t.equal((await fetch(`${base}${wallet.path}`)).status, 200);
    const paid = await form('/paymaya/checkout', { tokenid: wallet.token, mobile: '09171234567', action: 'pay' });
    t.equal(paid.headers.get('location'), 'https://shop.example/ok');
    await advance(20);
    const statuses = shop.received.map((r) => JSON.parse(r.body) as Record<string, any>).filter((c) => c.payment.id === 'e2e-1').map((c) => c.payment.status);
    t.same(statuses, ['awaiting redirect result', 'success', 'awaiting redirect result'], 'the repeat, sent 10 s later, came after the final callback');
    t.equal(order('e2e-1'), 'paid', 'a correct shop keeps the order paid');
  });

  t.test('external and internal errors end the orders as failures', async (t) => {
    await sale('e2e-2', { payment: { amount: 10010, currency: 'PHP' } });
    await sale('e2e-3', { payment: { amount: 10011, currency: 'PHP' } });
    await advance(20);
    const finals = shop.received.map((r) => JSON.parse(r.body) as Record<string, any>).filter((c) => ['e2e-2', 'e2e-3'].includes(c.payment.id) && c.redirect_data === undefined);
    sameSet(t, finals.map((c) => [c.payment.id, c.payment.status, c.operation.code]), [['e2e-2', 'external error', '20100'], ['e2e-3', 'internal error', '501']], 'the final callbacks of both errors, once each');
    t.equal(order('e2e-2'), 'failed');
    t.equal(order('e2e-3'), 'failed');
  });

  t.test('a Payment Page opened with POST /payment: the wallet declines the first attempt, the customer tries again and pays', async (t) => {
    const link = new Payment(PROJECT, SECRET, {}, '');
    Object.assign(link.params, { payment_id: 'e2e-4', payment_amount: 10014, payment_currency: 'PHP', customer_id: 'c-4', customer_email: 'juan@example.ph' });
    const params = Object.fromEntries(new URL(`http://x${link.getUrl()}`).searchParams);
    const page = await form('/payment', params);
    t.equal(page.status, 200);
    const html = await page.text();
    t.match(html, /Pay ₱100\.14/);
    const request = (/name="request" value="([^"]*)"/.exec(html)?.[1] ?? '').replace(/&amp;/g, '&');
    const submitted = await form('/payment/submit', { request, method: 'paymaya-wallet', customer_email: 'juan@example.ph' });
    const token = new URL(`http://x${submitted.headers.get('location')}`).searchParams.get('tokenid') as string;
    const first = await form('/paymaya/checkout', { tokenid: token, mobile: '09171234567', action: 'pay' });
    t.equal(first.headers.get('location'), `/payment/result?tokenid=${token}`);
    await advance(20);
    t.equal(order('e2e-4'), 'pending', 'awaiting the customer is no failure yet');
    t.match(await (await fetch(`${base}/payment/result?tokenid=${token}`)).text(), /Try again/);
    const retried = await form('/payment/retry', { tokenid: token });
    t.equal(retried.headers.get('location'), `/paymaya/checkout?tokenid=${token}`);
    await form('/paymaya/checkout', { tokenid: token, mobile: '09171234567', action: 'pay' });
    await advance(20);
    const seen = shop.received.map((r) => JSON.parse(r.body) as Record<string, any>).filter((c) => c.payment.id === 'e2e-4').map((c) => `${c.payment.status}/${c.operation.status}`);
    t.same(seen.filter((s) => !s.startsWith('awaiting redirect')), ['awaiting customer/decline', 'success/success']);
    t.equal(seen.filter((s) => s.startsWith('awaiting redirect')).length, 4, 'each attempt\'s redirect callback, twice');
    t.equal(order('e2e-4'), 'paid');
  });

  t.test('the conformance kit from the control API and from the dashboard passes the shop', async (t) => {
    const before = shop.received.length;
    const run = await json('/_sandbox/conformance', { project_id: PROJECT, probe_url: shop.probeUrl });
    t.equal(run.status, 200);
    t.match(run.body, { passed: CASES.length, failed: 0 });
    const first = await fetch(`${base}/dashboard/conformance`);
    const cookie = (first.headers.getSetCookie()[0] ?? '').split(';')[0] as string;
    const csrf = /name="csrf" value="([^"]+)"/.exec(await first.text())?.[1] as string;
    const posted = await form('/dashboard/conformance', { csrf, project_id: String(PROJECT), callback_url: '', probe_url: shop.probeUrl }, { cookie });
    t.equal(posted.status, 303);
    const report = await (await fetch(`${base}${posted.headers.get('location')}`, { headers: { cookie } })).text();
    t.match(report, /<span id="verdict">PASS<\/span>/);
    t.match(report, new RegExp(`${CASES.length} cases: ${CASES.length} passed, 0 failed`));
    const steps = CASES.reduce((sum, testCase) => sum + testCase.steps.length, 0);
    t.equal(shop.received.length - before, 2 * steps, 'both runs reached the shop');
  });

  t.test('every callback of the sandbox verified with the SDK at the shop', async (t) => {
    const sandboxCallbacks = shop.received.filter((r) => (JSON.parse(r.body) as { payment: { id: string } }).payment.id.startsWith('e2e-'));
    t.equal(sandboxCallbacks.length, 3 + 3 + 3 + 6, 'e2e-1, e2e-2, e2e-3: two redirect callbacks and the final one each; e2e-4: two attempts of three');
    everyOf(t, sandboxCallbacks, 15, (r) => r.status === 200, 'the shop, verifying with the SDK\'s Callback, answered 200 to each');
    for (const r of atLeast(t, sandboxCallbacks, 15, 'callbacks of the sandbox at the shop')) t.doesNotThrow(() => new SdkCallback(SECRET, r.body), 'verifies');
  });
});
