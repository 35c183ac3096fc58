import t from 'tap';
import type { FastifyInstance } from 'fastify';
import { buildTestSandbox, PROJECT_ID, SECRET } from '../helpers/sandbox.js';
import { sdkSigner } from '../helpers/gate-client.js';
import { submitPaymentPage } from '../helpers/payment-page-client.js';
import { samePart } from '../helpers/promises.js';

const base = { project_id: PROJECT_ID, payment_id: 'post-1', payment_amount: 50000, payment_currency: 'PHP', customer_id: 'cust-1', customer_email: 'juan@example.ph' };

/** The parameters as a form body, signed by the official SDK's signer. */
function signedForm(params: Record<string, unknown>): URLSearchParams {
  const form = new URLSearchParams(Object.fromEntries(Object.entries(params).map(([k, v]) => [k, String(v)])));
  form.set('signature', sdkSigner(params, SECRET));
  return form;
}

function both(app: FastifyInstance, form: URLSearchParams) {
  return Promise.all([
    app.inject({ url: `/payment?${form.toString()}` }),
    app.inject({ method: 'POST', url: '/payment', payload: form.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } }),
  ]);
}

t.test('POST /payment refuses a malformed amount, a currency that is no ISO code, a bad URL and a long payment id exactly as the link does', async (t) => {
  const { app } = await buildTestSandbox(t);
  const cases: Array<[string, Record<string, unknown>, string, string]> = [
    ['an amount with a fraction', { ...base, payment_amount: '10.5' }, '2004', 'payment_amount'],
    ['a currency that is no ISO code', { ...base, payment_currency: 'peso' }, '3121', 'payment_currency'],
    ['a merchant URL that is not http(s)', { ...base, merchant_success_url: 'javascript:alert(1)' }, '2004', 'merchant_success_url'],
    ['a payment id over 255 characters', { ...base, payment_id: 'p'.repeat(256) }, '2004', 'payment_id'],
  ];
  for (const [name, params, code, field] of cases) {
    const [viaLink, viaForm] = await both(app, signedForm(params));
    t.equal(viaForm.statusCode, 400, name);
    t.equal(viaLink.statusCode, 400, `${name}: the link`);
    t.match(viaForm.body, new RegExp(`Error ${code}: `), `${name}: code`);
    t.match(viaForm.body, new RegExp(`<code>${field}</code>: `), `${name}: field`);
    samePart(t, /<ul>[\s\S]*<\/ul>/, viaForm.body, viaLink.body, `${name}: the same field list`);
  }
});

t.test('POST /payment shows the expired page for a past best_before, and the result of a payment that exists, as the link does', async (t) => {
  const { app } = await buildTestSandbox(t);
  const [expiredLink, expiredForm] = await both(app, signedForm({ ...base, best_before: '2025-12-31T00:00:00+00:00' }));
  t.equal(expiredForm.statusCode, 200);
  t.match(expiredForm.body, /This payment link has expired/);
  t.match(expiredLink.body, /This payment link has expired/);
  const form = signedForm(base);
  const submitted = await submitPaymentPage(app, `/payment?${form.toString()}`, { method: 'paymaya-wallet', customer_email: 'juan@example.ph' });
  t.equal(submitted.statusCode, 303);
  const [againLink, againForm] = await both(app, form);
  t.equal(againForm.statusCode, 303);
  t.match(againForm.headers.location, /^\/payment\/result\?tokenid=[0-9a-f]{16}$/);
  t.equal(againForm.headers.location, againLink.headers.location);
});
