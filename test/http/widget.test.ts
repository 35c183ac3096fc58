import t from 'tap';
import type { FastifyInstance } from 'fastify';
import { buildTestSandbox, PROJECT_ID, SECRET } from '../helpers/sandbox.js';
import { sdkSigner } from '../helpers/gate-client.js';
import { matchCounted, samePart } from '../helpers/promises.js';

const SHOP = 'http://shop.example:3000';
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const base = { project_id: PROJECT_ID, payment_id: 'w-1', payment_amount: 50000, payment_currency: 'PHP', customer_id: 'cust-1', customer_email: 'juan@example.ph' };

/** The signed parameters as text, signed by the official JS SDK's signer; `unsigned` is added afterwards. */
function signedQuery(params: Record<string, unknown>, unsigned: Record<string, string> = {}, secret = SECRET): URLSearchParams {
  const present = Object.fromEntries(Object.entries(params).filter(([, v]) => v !== undefined));
  const query = new URLSearchParams(Object.fromEntries(Object.entries(present).map(([k, v]) => [k, String(v)])));
  query.set('signature', sdkSigner(present, secret));
  for (const [key, value] of Object.entries(unsigned)) query.set(key, value);
  return query;
}

const inWidget = (mode = 'popup') => ({ frame_mode: mode, _referrer: `${SHOP}/checkout?step=pay` });

function postPayment(app: FastifyInstance, form: URLSearchParams | string) {
  return app.inject({ method: 'POST', url: '/payment', payload: form.toString(), headers: FORM });
}

function unescapeHtml(text: string): string {
  return text.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/** The one script tag of a page in a widget: its nonce, its source and the state it reads. */
function frameScript(html: string): { count: number; nonce?: string; src?: string; state?: { mode: string; parent_origin: string; events: Array<{ message: string; data?: any }> } } {
  const tags = [...html.matchAll(/<script\b([^>]*)>/g)];
  const attrs = tags[0]?.[1] ?? '';
  const attr = (name: string) => new RegExp(`${name}="([^"]*)"`).exec(attrs)?.[1];
  const state = attr('data-frame');
  return { count: tags.length, nonce: attr('nonce'), src: attr('src'), state: state === undefined ? undefined : JSON.parse(unescapeHtml(state)) };
}

function tokenOf(location: unknown): string {
  return new URL(`http://x${String(location)}`).searchParams.get('tokenid') as string;
}

t.test('merchant.js, merchant.css and the frame script are served with JavaScript and CSS types, cacheable and loadable by any shop origin', async (t) => {
  const { app } = await buildTestSandbox(t);
  for (const [url, type, marker] of [
    ['/shared/merchant.js', 'text/javascript; charset=utf-8', /\.EPayWidget = Object\.freeze\(\{ run, runEmbedded, bind \}\)/],
    ['/shared/merchant.css', 'text/css; charset=utf-8', /\.epw-overlay \{/],
    ['/shared/payment-frame.js', 'text/javascript; charset=utf-8', /epframe\.embedded_mode\.check_validation/],
  ] as const) {
    const response = await app.inject({ url });
    t.equal(response.statusCode, 200, url);
    t.equal(response.headers['content-type'], type, url);
    t.equal(response.headers['cache-control'], 'max-age=300', url);
    t.equal(response.headers['access-control-allow-origin'], '*', url);
    t.equal(response.headers['x-content-type-options'], 'nosniff', url);
    t.match(response.body, marker, url);
  }
});

t.test('POST /payment with the signed parameters as a form shows the same form as the link, and its submit starts the sale', async (t) => {
  const { app } = await buildTestSandbox(t);
  const query = signedQuery({ ...base, payment_description: 'Two mangoes', force_payment_method: 'paymaya-wallet' });
  const viaLink = await app.inject({ url: `/payment?${query}` });
  const viaForm = await postPayment(app, query);
  t.equal(viaForm.statusCode, 200);
  t.equal(viaLink.statusCode, 200);
  for (const pattern of [/Pay ₱500\.00/, /value="paymaya-wallet" checked/, /value="juan@example\.ph"/, /Two mangoes/]) {
    t.match(viaForm.body, pattern);
    t.match(viaLink.body, pattern);
  }
  const request = unescapeHtml(/name="request" value="([^"]*)"/.exec(viaForm.body)?.[1] ?? '');
  const submitted = await app.inject({
    method: 'POST', url: '/payment/submit', headers: FORM,
    payload: new URLSearchParams({ request, method: 'paymaya-wallet', customer_email: 'juan@example.ph' }).toString(),
  });
  t.equal(submitted.statusCode, 303);
  t.match(submitted.headers.location, /^\/paymaya\/checkout\?tokenid=/);
});

t.test('POST /payment refuses exactly as the link does: same status, code, field and signed string', async (t) => {
  const { app } = await buildTestSandbox(t);
  const cases: Array<[string, URLSearchParams, number, string, string]> = [
    ['a tampered amount', (() => { const q = signedQuery(base); q.set('payment_amount', '1'); return q; })(), 401, '3261', 'signature'],
    ['the wrong secret', signedQuery(base, {}, 'wrong-secret'), 401, '3261', 'signature'],
    ['no signature', (() => { const q = signedQuery(base); q.delete('signature'); return q; })(), 401, '3262', 'signature'],
    ['a missing customer_id', signedQuery({ ...base, customer_id: undefined }), 400, '2004', 'customer_id'],
    ['an unknown project', signedQuery({ ...base, project_id: 9 }), 401, '2442', 'project_id'],
    ['a currency the sandbox cannot convert', signedQuery({ ...base, payment_currency: 'XAU' }), 400, '3023', ''],
    ['a ";" in a value', signedQuery({ ...base, payment_description: 'a;b' }), 400, '2004', 'payment_description'],
  ];
  for (const [name, query, status, code, field] of cases) {
    const viaLink = await app.inject({ url: `/payment?${query}` });
    const viaForm = await postPayment(app, query);
    t.equal(viaForm.statusCode, status, `${name}: status`);
    t.equal(viaLink.statusCode, status, `${name}: the link's status`);
    t.match(viaForm.headers['content-type'], /^text\/html/, name);
    t.match(viaForm.body, new RegExp(`Error ${code}: `), `${name}: code`);
    if (field !== '') t.match(viaForm.body, new RegExp(`<code>${field}</code>: `), `${name}: field`);
    samePart(t, /<ul>[\s\S]*<\/ul>/, viaForm.body, viaLink.body, `${name}: the same field list`);
    // The signed string is shown for a wrong signature only.
    if (code === '3261') samePart(t, /<pre>[\s\S]*<\/pre>/, viaForm.body, viaLink.body, `${name}: the same signed string`);
    else t.notOk(/<pre>/.test(viaForm.body) || /<pre>/.test(viaLink.body), `${name}: no signed string on either`);
    samePart(t, /<h1[^>]*>[^<]*<\/h1>/, viaForm.body, viaLink.body, `${name}: the same message`);
  }
  const tampered = await postPayment(app, (() => { const q = signedQuery(base); q.set('payment_amount', '1'); return q; })());
  t.match(tampered.body, /customer_email:juan@example\.ph;customer_id:cust-1;payment_amount:1;payment_currency:PHP;payment_id:w-1;project_id:445/, 'the string the sandbox signed');
  t.notMatch(tampered.body, new RegExp(SECRET), 'never the secret');
});

t.test('POST /payment reads booleans, "+" spaces and repeated names like the link, and leaves frame_mode and _ parameters unsigned', async (t) => {
  const { app } = await buildTestSandbox(t);
  const signed = { ...base, payment_description: 'two words', close_on_missclick: true };
  const signature = sdkSigner(signed, SECRET);
  for (const bool of ['1', 'true', 'True']) {
    const form = `project_id=445&payment_id=w-1&payment_amount=50000&payment_amount=1&payment_currency=PHP&customer_id=cust-1`
      + `&customer_email=juan%40example.ph&payment_description=two+words&close_on_missclick=${bool}&frame_mode=iframe&_plugin_version=5.0.0`
      + `&signature=${encodeURIComponent(signature)}`;
    const page = await postPayment(app, form);
    t.equal(page.statusCode, 200, `boolean written as ${bool}`);
    t.match(page.body, /Pay ₱500\.00/, 'the first of a repeated name counts');
    const link = await app.inject({ url: `/payment?${form}` });
    t.equal(link.statusCode, 200, `the link, boolean written as ${bool}`);
    t.match(link.body, /Pay ₱500\.00/, 'the link also counts the first of a repeated name');
    t.match(link.body, /<dd>two words<\/dd>/, 'and reads "+" as a space');
    samePart(t, /<dl class="facts">[\s\S]*?<\/dl>/, page.body, link.body, 'the form and the link show the same order (the description with its space)');
  }
});

t.test('POST /payment answers any other body with an error page, never a 500', async (t) => {
  const { app } = await buildTestSandbox(t);
  const empty = await app.inject({ method: 'POST', url: '/payment' });
  t.equal(empty.statusCode, 400);
  t.match(empty.body, /Error 2004/);
  const json = await app.inject({ method: 'POST', url: '/payment', payload: { ...base, signature: 'nope' } });
  t.equal(json.statusCode, 401);
  t.match(json.body, /Error 3261/);
  const multipart = await app.inject({ method: 'POST', url: '/payment', payload: '--b\r\n\r\n--b--', headers: { 'content-type': 'multipart/form-data; boundary=b' } });
  t.equal(multipart.statusCode, 415);
  t.match(multipart.body, /Error 2003[\s\S]*Send the body as a form \(application\/x-www-form-urlencoded\) \(got multipart\/form-data\)/);
  const huge = await postPayment(app, `payment_description=${'x'.repeat(70 * 1024)}`);
  t.equal(huge.statusCode, 413);
  t.match(huge.body, /Error 702/);
});

t.test('a page opened outside a widget is script-free, and any web page may frame it', async (t) => {
  const { app } = await buildTestSandbox(t);
  for (const response of [await app.inject({ url: `/payment?${signedQuery(base)}` }), await postPayment(app, signedQuery(base))]) {
    t.equal(response.statusCode, 200);
    const csp = String(response.headers['content-security-policy']);
    t.match(csp, /script-src 'none'/);
    t.match(csp, /frame-ancestors http: https:$/);
    t.equal(response.headers['x-frame-options'], undefined);
    t.equal(frameScript(response.body).count, 0, 'no script tag');
  }
});

t.test('a page in a widget carries only the messaging script under a fresh nonce, and only the shop\'s origin may frame it', async (t) => {
  const { app } = await buildTestSandbox(t);
  const query = signedQuery(base, inWidget('iframe'));
  const nonces = new Set<string>();
  for (const response of [await app.inject({ url: `/payment?${query}` }), await postPayment(app, query), await app.inject({ url: `/payment?${query}` })]) {
    t.equal(response.statusCode, 200);
    const script = frameScript(response.body);
    t.equal(script.count, 1, 'one script tag');
    t.equal(script.src, '/shared/payment-frame.js');
    const csp = String(response.headers['content-security-policy']);
    t.ok(script.nonce !== undefined && csp.includes(`script-src 'nonce-${script.nonce}';`), 'the CSP allows that nonce and nothing else');
    t.match(csp, /frame-ancestors http:\/\/shop\.example:3000$/);
    t.equal(response.headers['x-frame-options'], undefined);
    t.same(script.state, { mode: 'iframe', parent_origin: SHOP, events: [] });
    nonces.add(script.nonce as string);
  }
  t.equal(nonces.size, 3, 'a new nonce for every page');
  const embedded = await app.inject({ url: `/payment?${signedQuery(base, inWidget('embedded'))}` });
  t.notMatch(embedded.body, />Continue</, 'embedded, the page has no submit button of its own');
  t.match((await app.inject({ url: `/payment?${signedQuery(base, inWidget('popup'))}` })).body, />Continue</);
});

t.test('frame_mode without a web _referrer, or an unknown frame_mode, leaves the page script-free', async (t) => {
  const { app } = await buildTestSandbox(t);
  for (const [unsigned, status] of <Array<[Record<string, string>, number]>>[
    [{ frame_mode: 'popup' }, 200],
    [{ frame_mode: 'popup', _referrer: 'javascript:alert(1)' }, 200],
    [{ frame_mode: 'popup', _referrer: 'data:text/html,hello' }, 200],
    [{ frame_mode: 'popup', _referrer: 'ftp://shop.example' }, 200],
    [{ frame_mode: 'modal', _referrer: SHOP }, 200],
    // ";" is refused in every Payment Page value; the refusal page is script-free too.
    [{ frame_mode: 'popup', _referrer: 'http://shop.example;script-src *' }, 400],
  ]) {
    const response = await app.inject({ url: `/payment?${signedQuery(base, unsigned)}` });
    t.equal(response.statusCode, status, JSON.stringify(unsigned));
    t.match(response.headers['content-security-policy'], /script-src 'none'.*frame-ancestors http: https:$/, JSON.stringify(unsigned));
    t.equal(frameScript(response.body).count, 0);
  }
});

t.test('a signature or parameter error in a widget is announced to the shop with ECommPay\'s code, message and field', async (t) => {
  const { app } = await buildTestSandbox(t);
  const tampered = signedQuery(base, inWidget());
  tampered.set('payment_amount', '1');
  const response = await postPayment(app, tampered);
  t.equal(response.statusCode, 401);
  t.match(response.body, /Error 3261: Invalid signature/);
  t.same(frameScript(response.body).state?.events, [
    { message: 'epframe.validation_error', data: { code: '3261', message: 'Invalid signature', errors: [{ code: '3261', field: 'signature', message: 'Invalid signature' }] } },
  ]);
  const missing = await app.inject({ url: `/payment?${signedQuery({ ...base, customer_id: undefined, payment_amount: 'ten' }, inWidget())}` });
  t.equal(missing.statusCode, 400);
  matchCounted(t, frameScript(missing.body).state?.events, [
    { message: 'epframe.validation_error', data: { code: '2004', errors: [{ code: '2004', field: 'customer_id' }, { code: '2004', field: 'payment_amount' }] } },
  ]);
});

t.test('a widget payment stays in the widget: the wallet checkout and the result page carry the script, the shop\'s origin and their events', async (t) => {
  const { app } = await buildTestSandbox(t);
  const request = signedQuery({ ...base, payment_id: 'w-pay' }, inWidget('embedded')).toString();
  const noMethod = await app.inject({ method: 'POST', url: '/payment/submit', headers: FORM, payload: new URLSearchParams({ request, customer_email: 'juan@example.ph' }).toString() });
  t.equal(noMethod.statusCode, 400);
  t.same(frameScript(noMethod.body).state?.events, [
    { message: 'epframe.validation_error', data: { code: '2004', message: 'Choose a payment method.', errors: [{ code: '2004', field: 'method', message: 'Choose a payment method.' }] } },
  ]);
  const submitted = await app.inject({ method: 'POST', url: '/payment/submit', headers: FORM, payload: new URLSearchParams({ request, method: 'paymaya-wallet', customer_email: 'juan@example.ph' }).toString() });
  const token = tokenOf(submitted.headers.location);
  const checkout = await app.inject({ url: String(submitted.headers.location) });
  t.match(checkout.headers['content-security-policy'], /script-src 'nonce-[^']+'.*frame-ancestors http:\/\/shop\.example:3000$/);
  matchCounted(t, frameScript(checkout.body).state, {
    mode: 'embedded', parent_origin: SHOP,
    events: [{ message: 'epframe.payment.sent', data: { project_id: PROJECT_ID, payment_id: 'w-pay', status: 'awaiting redirect result', amount: 50000, currency: 'PHP' } }],
  });
  const pay = (mobile: string) => app.inject({ method: 'POST', url: '/paymaya/checkout', headers: FORM, payload: `tokenid=${token}&mobile=${mobile}&action=pay` });
  const badMobile = await pay('0917');
  t.equal(badMobile.statusCode, 400);
  matchCounted(t, frameScript(badMobile.body).state?.events, [{ message: 'epframe.validation_error', data: { code: '2004', errors: [{ field: 'mobile' }] } }]);
  const paid = await pay('09171234567');
  t.equal(paid.headers.location, `/payment/result?tokenid=${token}`);
  const result = await app.inject({ url: String(paid.headers.location) });
  t.match(result.body, /Payment successful/);
  t.match(result.headers['content-security-policy'], /script-src 'nonce-[^']+'.*frame-ancestors http:\/\/shop\.example:3000$/);
  t.equal(frameScript(result.body).src, '/shared/payment-frame.js');
  t.notMatch(result.body, /http-equiv="refresh"/, 'in a frame the result page does not move on by itself');
  t.same(frameScript(result.body).state?.events, [
    // Announced again for a customer who never saw the wallet; merchant.js passes each on once.
    { message: 'epframe.payment.sent', data: { project_id: PROJECT_ID, payment_id: 'w-pay', status: 'success', amount: 50000, currency: 'PHP' } },
    { message: 'epframe.payment.success', data: { project_id: PROJECT_ID, payment_id: 'w-pay', status: 'success', amount: 50000, currency: 'PHP', code: '0', message: 'Success' } },
  ]);
});

t.test('the result page of a declined widget payment announces epframe.payment.fail with the decline code; the shop link opens in the shop\'s window', async (t) => {
  const { app } = await buildTestSandbox(t);
  const request = signedQuery({ ...base, payment_id: 'w-decline', merchant_fail_url: `${SHOP}/sorry` }, inWidget('iframe')).toString();
  const submitted = await app.inject({ method: 'POST', url: '/payment/submit', headers: FORM, payload: new URLSearchParams({ request, method: 'paymaya-wallet', customer_email: 'juan@example.ph' }).toString() });
  const declined = await app.inject({ method: 'POST', url: '/paymaya/checkout', headers: FORM, payload: `tokenid=${tokenOf(submitted.headers.location)}&action=cancel` });
  const result = await app.inject({ url: String(declined.headers.location) });
  matchCounted(t, frameScript(result.body).state?.events, [{ message: 'epframe.payment.sent', data: { payment_id: 'w-decline' } }, { message: 'epframe.payment.fail', data: { payment_id: 'w-decline', status: 'decline', code: '20301' } }]);
  t.match(result.body, /<a href="http:\/\/shop\.example:3000\/sorry" id="continue" target="_top">Return to the shop<\/a>/);
});

t.test('the dashboard refuses to be framed (X-Frame-Options: DENY, frame-ancestors \'none\'), while the wallet\'s own error page may be framed', async (t) => {
  const { app } = await buildTestSandbox(t);
  const dashboard = await app.inject({ url: '/dashboard/payments' });
  t.equal(dashboard.statusCode, 200);
  t.equal(dashboard.headers['x-frame-options'], 'DENY');
  t.match(dashboard.headers['content-security-policy'], /script-src 'none'.*frame-ancestors 'none'$/);
  const wallet = await app.inject({ url: '/paymaya/checkout?tokenid=nope' });
  t.equal(wallet.statusCode, 404);
  t.match(wallet.headers['content-security-policy'], /frame-ancestors http: https:$/, 'the wallet\'s own error page may be framed');
  t.equal(wallet.headers['x-frame-options'], undefined);
});
