import t from 'tap';
import { createRequire } from 'node:module';
import { buildTestSandbox, flush, PROJECT_ID, SECRET } from '../helpers/sandbox.js';
import { startReceiver } from '../helpers/receiver.js';
import { SdkCallback, sdkSigner } from '../helpers/gate-client.js';
import type { FastifyInstance } from 'fastify';
import { demoPaymentPageLink } from '../../src/surface-directory.js';
import { atLeast, matchCounted } from '../helpers/promises.js';

const require = createRequire(import.meta.url);
const { Payment } = require('ecommpay') as { Payment: new (projectId: number, secret: string, params?: object, base?: string) => Record<string, any> & { getUrl(): string } };

function pageUrl(params: Record<string, unknown>, secret = SECRET): string {
  const payment = new Payment(PROJECT_ID, secret, {}, '');
  for (const [key, value] of Object.entries(params)) if (value !== undefined) payment.params[key] = value;
  return payment.getUrl();
}

const base = { payment_id: 'pp-1', payment_amount: 50000, payment_currency: 'PHP', customer_id: 'cust-1', customer_email: 'juan@example.ph' };

async function submit(app: FastifyInstance, url: string, fields: Record<string, string>) {
  const request = url.slice(url.indexOf('?') + 1);
  const form = new URLSearchParams({ request, ...fields }).toString();
  return app.inject({ method: 'POST', url: '/payment/submit', payload: form, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
}

t.test('a link built by the official SDK shows the form with PayMaya preselected and the e-mail to confirm', async (t) => {
  const { app } = await buildTestSandbox(t);
  const page = await app.inject({ url: pageUrl({ ...base, force_payment_method: 'paymaya-wallet', payment_description: 'Two mangoes' }) });
  t.equal(page.statusCode, 200);
  t.match(page.body, /Pay ₱500\.00/);
  t.match(page.body, /value="paymaya-wallet" checked/);
  t.match(page.body, /value="juan@example\.ph"/);
  t.match(page.body, /Confirm your e-mail or correct it/);
  t.match(page.body, /Two mangoes/);
  t.match(page.headers['content-security-policy'], /script-src 'none'/);
});

t.test('without customer_email the field is empty and required; another currency shows the PHP amount', async (t) => {
  const { app } = await buildTestSandbox(t);
  const page = await app.inject({ url: pageUrl({ ...base, customer_email: undefined, payment_currency: 'USD', payment_amount: 1000 }) });
  t.equal(page.statusCode, 200);
  t.match(page.body, /id="customer_email" name="customer_email" type="email" required autocomplete="email" value=""/);
  t.match(page.body, /Pay 10\.00 USD/);
  t.match(page.body, /about <strong>₱565\.00<\/strong>/);
});

t.test('the PHP and Go ways of writing booleans and spaces in the URL verify, and _ parameters and frame_mode are not signed', async (t) => {
  const { app } = await buildTestSandbox(t);
  const signedParams = { ...base, project_id: PROJECT_ID, payment_description: 'two words', close_on_missclick: true };
  const signature = sdkSigner(signedParams, SECRET);
  for (const bool of ['1', 'true', 'True']) {
    const query = new URLSearchParams({ ...Object.fromEntries(Object.entries(signedParams).map(([k, v]) => [k, String(v)])), close_on_missclick: bool, _plugin_version: '3.1', frame_mode: 'iframe', signature });
    const page = await app.inject({ url: `/payment?${query.toString()}` });
    t.equal(page.statusCode, 200, `boolean written as ${bool}`);
  }
});

t.test('a bad signature or a missing parameter shows an error page naming the code and field', async (t) => {
  const { app } = await buildTestSandbox(t);
  const wrong = await app.inject({ url: pageUrl(base, 'wrong-secret') });
  t.equal(wrong.statusCode, 401);
  t.match(wrong.body, /Error 3261: Invalid signature/);
  t.match(wrong.body, /customer_email:juan@example\.ph;customer_id:cust-1;interface_type:\{&quot;id&quot;:22\}/);
  const missing = await app.inject({ url: pageUrl({ ...base, customer_id: undefined }) });
  t.equal(missing.statusCode, 400);
  t.match(missing.body, /Error 2004/);
  t.match(missing.body, /<code>customer_id<\/code>/);
  const noSignature = await app.inject({ url: '/payment?project_id=445&payment_id=x&payment_amount=100&payment_currency=PHP&customer_id=c' });
  t.match(noSignature.body, /Error 3262: Empty signature/);
  const unknownProject = await app.inject({ url: '/payment?project_id=9&payment_id=x&payment_amount=100&payment_currency=PHP&customer_id=c&signature=x' });
  t.match(unknownProject.body, /Error 2442/);
  const badCurrency = await app.inject({ url: pageUrl({ ...base, payment_currency: 'XAU' }) });
  t.match(badCurrency.body, /Error 3023/);
});

t.test('best_before in the past shows the expired page', async (t) => {
  const { app } = await buildTestSandbox(t);
  const page = await app.inject({ url: pageUrl({ ...base, best_before: '2025-12-31T00:00:00+00:00' }) });
  t.match(page.body, /This payment link has expired/);
  const later = await app.inject({ url: pageUrl({ ...base, best_before: '2026-02-01T00:00:00+00:00' }) });
  t.match(later.body, /Pay ₱500\.00/);
});

t.test('submitting the form starts a Payment Page sale with the same callbacks as Gate and sends the browser to the wallet', async (t) => {
  const { app } = await buildTestSandbox(t);
  const receiver = await startReceiver(t);
  const url = pageUrl({ ...base, merchant_callback_url: receiver.url, merchant_success_url: 'https://shop.example/thanks' });
  const submitted = await submit(app, url, { method: 'paymaya-wallet', customer_email: 'juana@example.ph' });
  t.equal(submitted.statusCode, 303);
  t.match(submitted.headers.location, /^\/paymaya\/checkout\?tokenid=[0-9a-f]{16}$/);
  const paid = await app.inject({
    method: 'POST', url: '/paymaya/checkout', headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: `tokenid=${new URL(`http://x${submitted.headers.location}`).searchParams.get('tokenid')}&mobile=09171234567&action=pay`,
  });
  t.equal(paid.statusCode, 303);
  t.match(paid.headers.location, /^\/payment\/result\?tokenid=/);
  const result = await app.inject({ url: String(paid.headers.location) });
  t.match(result.body, /Payment successful/);
  t.match(result.body, /href="https:\/\/shop\.example\/thanks"/);
  t.match(result.body, /http-equiv="refresh" content="5;url=https:\/\/shop\.example\/thanks"/);
  await flush(app);
  const callbacks = receiver.received.map((r) => new SdkCallback(SECRET, r.body).callback as Record<string, any>);
  matchCounted(t, callbacks, [{ payment: { status: 'awaiting redirect result' }, redirect_data: {} }, { payment: { id: 'pp-1', status: 'success' }, operation: { type: 'sale', code: '0' } }]);
  const report = (await app.inject({ url: `/_sandbox/payments/${PROJECT_ID}/pp-1` })).json() as Record<string, any>;
  t.match(report.payment, { interface: 'payment_page', customer: { id: 'cust-1', email: 'juana@example.ph' } });
  const mail = (await app.inject({ url: '/_sandbox/mail?payment_id=pp-1' })).json() as { mail: Array<Record<string, string>> };
  matchCounted(t, mail.mail, [{ to: 'juana@example.ph', subject: /PayMaya: your payment of ₱500\.00 was successful/ }]);
  const reopened = await app.inject({ url });
  t.equal(reopened.statusCode, 303, 'reopening the link shows the result');
});

t.test('the form refuses a missing method or a bad e-mail and keeps the customer on it', async (t) => {
  const { app } = await buildTestSandbox(t);
  const url = pageUrl(base);
  const noMethod = await submit(app, url, { customer_email: 'juan@example.ph' });
  t.equal(noMethod.statusCode, 400);
  t.match(noMethod.body, /Choose a payment method/);
  const badEmail = await submit(app, url, { method: 'paymaya-wallet', customer_email: 'not-an-email' });
  t.match(badEmail.body, /Enter a valid e-mail address/);
  const tampered = await submit(app, url.replace('payment_amount=50000', 'payment_amount=1'), { method: 'paymaya-wallet', customer_email: 'a@b.ph' });
  t.equal(tampered.statusCode, 401);
  t.match(tampered.body, /Error 3261/);
});

t.test('every echoed parameter is escaped', async (t) => {
  const { app } = await buildTestSandbox(t);
  const payload = '"><script>alert(1)</script><img src=x onerror=alert(2)>';
  const asText = '&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;';
  const inLink = encodeURIComponent(payload);
  const raw = (body: string) => /<script>alert|<img src=x/.test(body);
  // Shown as text on the page, or carried in the form's signed request (URL-encoded): either way echoed.
  for (const [field, forms] of [
    ['payment_id', [asText, inLink]], ['payment_description', [asText, inLink]], ['customer_email', [asText, inLink]],
    ['customer_id', [inLink]], ['language_code', [inLink]],
  ] as const) {
    const response = await app.inject({ url: pageUrl({ ...base, payment_id: `xss-${field}`, [field]: payload }) });
    t.equal(response.statusCode, 200, `${field}: the form is shown`);
    for (const form of atLeast(t, forms, 1, `${field}: ways it is echoed`)) t.ok(response.body.includes(form), `${field} is echoed ${form === asText ? 'as text' : 'in the link'}`);
    t.notOk(raw(response.body), `${field} is escaped wherever it is echoed`);
  }
  // Refused values are named by their field, never echoed.
  for (const field of ['payment_currency', 'merchant_success_url']) {
    const response = await app.inject({ url: pageUrl({ ...base, payment_id: `xss-${field}`, [field]: payload }) });
    t.equal(response.statusCode, 400, `${field}: refused`);
    t.match(response.body, new RegExp(`<li><code>${field}</code>: `), `${field}: the error names it`);
    t.notOk(response.body.includes(asText) || response.body.includes(inLink) || raw(response.body), `${field}: not echoed`);
  }
  const checkout = await app.inject({ url: `/paymaya/checkout?tokenid=${encodeURIComponent(payload)}` });
  t.equal(checkout.statusCode, 404);
  t.notOk(raw(checkout.body), 'an unknown checkout token is not echoed raw');
  const submitted = await submit(app, pageUrl({ ...base, payment_id: 'xss-submit', payment_description: payload }), { method: 'paymaya-wallet', customer_email: payload });
  t.equal(submitted.statusCode, 400, 'a bad e-mail keeps the customer on the form');
  t.match(submitted.body, new RegExp(`value="${asText.replace(/[()]/g, '\\$&')}"`), 'the e-mail typed is echoed in its field, escaped');
  t.ok(submitted.body.includes(`<dd>${asText}</dd>`), 'the description is echoed, escaped');
  t.notOk(raw(submitted.body), 'nothing raw');
  const sale = await submit(app, pageUrl({ ...base, payment_id: 'xss-sale', payment_description: payload }), { method: 'paymaya-wallet', customer_email: 'a@b.ph' });
  const wallet = await app.inject({ url: String(sale.headers.location) });
  t.match(wallet.body, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/, 'the wallet page echoes the description');
  t.notOk(raw(wallet.body), 'escaped');
});

t.test('the SDK validators answer 200 for valid parameters and name each bad one otherwise', async (t) => {
  const { app } = await buildTestSandbox(t);
  for (const path of ['/params/check', '/v1/params/check']) {
    const ok = await app.inject({ url: `${path}?project_id=445&payment_id=a&payment_amount=100&payment_currency=PHP&customer_id=c` });
    t.equal(ok.statusCode, 200);
    const bad = await app.inject({ url: `${path}?project_id=445&payment_amount=1.5&payment_currency=peso&customer_email=nope` });
    t.equal(bad.statusCode, 400);
    const fields = (bad.json() as { errors: Array<{ field: string }> }).errors.map((e) => e.field).sort();
    t.same(fields, ['customer_email', 'customer_id', 'payment_amount', 'payment_currency', 'payment_id']);
  }
  const posted = await app.inject({ method: 'POST', url: '/params/check', payload: { project_id: 445, payment_id: 'a', payment_amount: 100, payment_currency: 'PHP', customer_id: 'c' } });
  t.equal(posted.statusCode, 200);
});

t.test('the wallet page refuses a mobile number that is not 11 digits starting with 09, and an unknown action', async (t) => {
  const { app } = await buildTestSandbox(t);
  const sale = await submit(app, pageUrl(base), { method: 'paymaya-wallet', customer_email: 'a@b.ph' });
  const token = new URL(`http://x${sale.headers.location}`).searchParams.get('tokenid');
  const post = (payload: string) => app.inject({ method: 'POST', url: '/paymaya/checkout', payload, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  const short = await post(`tokenid=${token}&mobile=0917&action=pay`);
  t.equal(short.statusCode, 400);
  t.match(short.body, /role="alert" id="mobile-error">Enter your 11-digit mobile number starting with 09/);
  t.match(short.body, /value="0917"/);
  t.equal((await post(`tokenid=${token}&action=refund`)).statusCode, 400);
  t.equal((await post(`tokenid=nope&action=pay`)).statusCode, 404);
  t.equal((await post(`tokenid=${token}&mobile=09171234567&action=pay`)).statusCode, 303);
});

t.test('Back after paying: checkout pages are never cached, a Decline sent from the stale wallet form leads to the result, which still says paid, and the payment keeps its one success', async (t) => {
  const { app } = await buildTestSandbox(t);
  const sale = await submit(app, pageUrl({ ...base, payment_id: 'back-1' }), { method: 'paymaya-wallet', customer_email: 'a@b.ph' });
  const token = new URL(`http://x${sale.headers.location}`).searchParams.get('tokenid');
  const wallet = await app.inject({ url: `/paymaya/checkout?tokenid=${token}` });
  const form = await app.inject({ url: pageUrl({ ...base, payment_id: 'back-2' }) });
  for (const page of [wallet, form]) t.equal(page.headers['cache-control'], 'no-store');
  const post = (payload: string) => app.inject({ method: 'POST', url: '/paymaya/checkout', payload, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  const paid = await post(`tokenid=${token}&mobile=09171234567&action=pay`);
  const stale = await post(`tokenid=${token}&action=decline`);
  t.equal(stale.statusCode, 303);
  t.equal(stale.headers.location, paid.headers.location, 'the stale form leads where paying did: the result');
  const result = await app.inject({ url: String(stale.headers.location) });
  t.equal(result.headers['cache-control'], 'no-store');
  t.match(result.body, /<strong>paid<\/strong>/);
  await flush(app);
  const report = (await app.inject({ url: `/_sandbox/payments/${PROJECT_ID}/back-1` })).json();
  t.equal(report.payment.status, 'success');
  t.same(report.operations.map((o: { status: string }) => o.status), ['success'], 'one operation, still a success');
});

t.test('the demo link of the banner and the home page is a signed Payment Page link for the default project that opens the form', async (t) => {
  const { app } = await buildTestSandbox(t, { config: { projects: [{ project_id: 1, secret_key: 'sandbox-secret' }] } });
  const link = demoPaymentPageLink('http://127.0.0.1:8080', 1, 'sandbox-secret');
  const page = await app.inject({ url: link.replace('http://127.0.0.1:8080', '') });
  t.equal(page.statusCode, 200);
  t.match(page.body, /value="paymaya-wallet" checked/);
});
