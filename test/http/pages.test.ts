import t from 'tap';
import { createRequire } from 'node:module';
import type { FastifyInstance } from 'fastify';
import { buildTestSandbox, flush, PROJECT_ID, SECRET } from '../helpers/sandbox.js';
import { payout, sale, seedPurchase, tokenOf } from '../helpers/gate-client.js';
import { DashboardClient } from '../helpers/dashboard-client.js';
import { loadCurrencies } from '../../src/catalogue-loader.js';
import { noneOf } from '../helpers/promises.js';

const require = createRequire(import.meta.url);
const { Payment } = require('ecommpay') as { Payment: new (projectId: number, secret: string, params?: object, base?: string) => Record<string, any> & { getUrl(): string } };

function pageUrl(params: Record<string, unknown>): string {
  const payment = new Payment(PROJECT_ID, SECRET, {}, '');
  for (const [key, value] of Object.entries(params)) payment.params[key] = value;
  return payment.getUrl();
}

const order = { payment_id: 'big-1', payment_amount: 50000, payment_currency: 'USD', customer_id: 'cust-1', customer_email: 'juan@example.ph', force_payment_method: 'paymaya-wallet' };

async function submit(app: FastifyInstance, url: string, fields: Record<string, string>) {
  const form = new URLSearchParams({ request: url.slice(url.indexOf('?') + 1), ...fields }).toString();
  return app.inject({ method: 'POST', url: '/payment/submit', payload: form, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
}

t.test('one money format: major units with the currency, ₱ for PHP, and the PHP amount beside another currency', async (t) => {
  const currencies = loadCurrencies();
  const moneyText = currencies.text.bind(currencies);
  t.equal(moneyText({ amount: 50000, currency: 'PHP' }), '₱500.00');
  t.equal(moneyText({ amount: 5220051, currency: 'PHP' }), '₱52,200.51');
  t.equal(moneyText({ amount: 50000, currency: 'USD' }), '500.00 USD');
  t.equal(moneyText({ amount: 50000, currency: 'USD' }, { amount: 2825000, currency: 'PHP' }), '500.00 USD (₱28,250.00)');
  t.equal(moneyText({ amount: 1500, currency: 'JPY' }, { amount: 55500, currency: 'PHP' }), '1,500 JPY (₱555.00)', 'a currency without minor units');
});

t.test('a 10,000.00 USD order (₱565,000.00 at 56.5) shows every method disabled with its limits, no Continue, and a crafted submit is refused', async (t) => {
  const { app } = await buildTestSandbox(t);
  const { force_payment_method: _forced, ...open } = order;
  const url = pageUrl({ ...open, payment_amount: 1000000 });
  const page = await app.inject({ url });
  t.equal(page.statusCode, 200);
  t.match(page.body, /Pay 10,000\.00 USD/);
  t.match(page.body, /about <strong>₱565,000\.00<\/strong>/);
  t.match(page.body, /value="card"\s+disabled[^>]*> <span>Bank card <span class="limits" id="limits-card">Not available for this amount: ₱1\.00 to ₱500,000\.00 per payment/);
  t.match(page.body, /value="paymaya-wallet"\s+disabled[^>]*> <span>PayMaya <span class="limits" id="limits-paymaya-wallet">Not available for this amount: ₱20\.00 to ₱15,000\.00 per payment/);
  t.match(page.body, /value="gcash-wallet"\s+disabled[^>]*> <span>GCash <span class="limits" id="limits-gcash-wallet">Not available for this amount: ₱1\.00 to ₱10,000\.00 per payment/);
  t.notMatch(page.body, / checked/, 'nothing preselected that cannot be paid');
  t.match(page.body, /id="no-method">No payment method accepts ₱565,000\.00/);
  t.notMatch(page.body, />Continue</);
  t.notMatch(page.body, /name="customer_email"/, 'no e-mail to edit when nothing can be paid');
  const crafted = await submit(app, url, { method: 'paymaya-wallet', customer_email: 'juan@example.ph' });
  t.equal(crafted.statusCode, 400);
  t.match(crafted.body, /PayMaya accepts ₱20\.00 to ₱15,000\.00 per payment; choose another method\./);
  t.equal((await app.inject({ url: `/_sandbox/payments/${PROJECT_ID}/big-1` })).statusCode, 404, 'no payment was started');
});

t.test('a link that forces PayMaya offers PayMaya only: chosen when the amount fits; disabled with its limits, no e-mail field and no Continue when it does not; another method posted anyway is refused', async (t) => {
  const { app } = await buildTestSandbox(t);
  const fits = pageUrl({ ...order, payment_id: 'forced-1', payment_amount: 50000, payment_currency: 'PHP' });
  const fitting = await app.inject({ url: fits });
  t.same([...fitting.body.matchAll(/name="method" value="([^"]+)"/g)].map((m) => m[1]), ['paymaya-wallet'], 'the one method offered');
  t.match(fitting.body, /value="paymaya-wallet" checked\s+required/);
  t.match(fitting.body, /name="customer_email"/);
  t.match(fitting.body, />Continue</);
  const switched = await submit(app, fits, { method: 'gcash-wallet', customer_email: 'juan@example.ph' });
  t.equal(switched.statusCode, 400);
  t.match(switched.body, /<p class="error" role="alert">Choose a payment method\.<\/p>/);
  t.equal((await app.inject({ url: `/_sandbox/payments/${PROJECT_ID}/forced-1` })).statusCode, 404, 'no payment was started');

  const small = await app.inject({ url: pageUrl({ ...order, payment_id: 'small-1', payment_amount: 1500, payment_currency: 'PHP' }) });
  t.same([...small.body.matchAll(/name="method" value="([^"]+)"/g)].map((m) => m[1]), ['paymaya-wallet'], 'GCash, GrabPay and the card are not offered');
  t.match(small.body, /value="paymaya-wallet"\s+disabled/);
  t.match(small.body, /Not available for this amount: ₱20\.00 to ₱15,000\.00/);
  t.match(small.body, /id="no-method">No payment method accepts ₱15\.00/);
  t.notMatch(small.body, /name="customer_email"/);
  t.notMatch(small.body, />Continue</);
});

t.test('a link without force_payment_method offers every method, the first that fits the amount chosen', async (t) => {
  const { app } = await buildTestSandbox(t);
  const { force_payment_method: _forced, ...open } = order;
  const page = await app.inject({ url: pageUrl({ ...open, payment_id: 'small-2', payment_amount: 1500, payment_currency: 'PHP' }) });
  t.match(page.body, /value="paymaya-wallet"\s+disabled/);
  t.match(page.body, /value="card" checked\s+required/, 'the card comes first and takes it');
  t.match(page.body, /value="gcash-wallet"\s+required/, 'GCash stays available');
  t.match(page.body, /<span class="limits" id="limits-gcash-wallet">₱1\.00 to ₱10,000\.00 per payment/);
  t.match(page.body, />Continue</);
});

t.test('every result page names the decline: the Payment Page result and the wallet result; the wallet checkout of a final payment leads to the result', async (t) => {
  const { app } = await buildTestSandbox(t);
  const cases = [['decline', '20000 General decline', 'Payment declined', 'declined'], ['cancel', '20301 Account owner cancelled operation', 'Payment cancelled', 'cancelled']] as const;
  for (const [action, reason, heading, word] of cases) {
    const url = pageUrl({ ...order, payment_id: `pp-${action}`, payment_amount: 50000, payment_currency: 'PHP' });
    const submitted = await submit(app, url, { method: 'paymaya-wallet', customer_email: 'juan@example.ph' });
    const token = tokenOf(`http://x${String(submitted.headers.location)}`);
    const acted = await app.inject({ method: 'POST', url: '/paymaya/checkout', payload: `tokenid=${token}&action=${action}`, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    const result = await app.inject({ url: String(acted.headers.location) });
    const [code, ...words] = reason.split(' ');
    const reasonLine = `Reason: <code>${code}</code> ${words.join(' ')}`;
    t.match(result.body, `<h1 id="result-title">${heading}</h1>`, `${action}: Payment Page heading`);
    t.match(result.body, `<strong>${word}</strong>`);
    t.match(result.body, reasonLine, `${action}: Payment Page reason`);
    const checkout = await app.inject({ url: `/paymaya/checkout?tokenid=${token}` });
    t.equal(checkout.statusCode, 303);
    t.equal(checkout.headers.location, `/payment/result?tokenid=${token}`, `${action}: the wallet checkout leads to the Payment Page's result`);
  }
  await sale(app, 'gate-decline');
  await flush(app);
  const redirect = (await app.inject({ url: '/_sandbox/callbacks?payment_id=gate-decline' })).json().callbacks[0].body.redirect_data.url as string;
  const token = tokenOf(redirect);
  await app.inject({ method: 'POST', url: `/_sandbox/payments/${PROJECT_ID}/gate-decline/complete`, payload: { status: 'decline', code: '20105' } });
  const walletResult = await app.inject({ url: `/paymaya/result?tokenid=${token}` });
  t.match(walletResult.body, '<h1 id="result-title">Payment declined</h1>');
  t.match(walletResult.body, 'Reason: <code>20105</code> Insufficient funds on customer account');
});

t.test('the dashboard shows amounts in the one format, statuses as coloured badges, and the PHP amount beside another currency', async (t) => {
  const { app } = await buildTestSandbox(t);
  await sale(app, 'usd-1', { payment: { amount: 10000, currency: 'USD', description: 'x' } });
  await seedPurchase(app, 'php-1', 'cust-9');
  await flush(app);
  const client = new DashboardClient(app);
  const list = await client.get('/dashboard/payments');
  t.match(list.body, /<td class="num">100\.00 USD \(₱5,650\.00\)<\/td>/);
  t.match(list.body, /<td class="num">₱500\.00<\/td>/);
  t.match(list.body, /<span class="badge status-success">success<\/span>/);
  t.match(list.body, /<span class="badge status-awaiting-redirect-result">awaiting redirect result<\/span>/);
  const detail = await client.get(`/dashboard/payments/${PROJECT_ID}/usd-1`);
  t.match(detail.body, /<dt>Amount<\/dt><dd>100\.00 USD \(₱5,650\.00\)<\/dd>/);
  t.match(detail.body, /<span class="badge status-queued">|<span class="badge status-delivered">/, 'callback states are badges too');
  const analytics = await client.get('/dashboard/analytics');
  t.match(analytics.body, /<td class="num">₱5,650\.00<\/td>|<td class="num">₱500\.00<\/td>/);
  t.notMatch(analytics.body, /<td>\d{5,}<\/td>/, 'no minor units');
  const css = await app.inject({ url: '/assets/sandbox.css' });
  for (const status of ['success', 'decline', 'processing', 'awaiting-redirect-result']) t.match(css.body, new RegExp(`\\.status-${status}[^{]*\\{[^}]*background: #[0-9a-f]{6}; color: #[0-9a-f]{6}`), `${status} has colours`);
  t.match(css.body, /input, select, textarea \{[^}]*font-weight: 400/, 'inputs are not bold');
});

t.test('the force form offers only outcomes that fit the payment\'s type, success once, each decline code once', async (t) => {
  const { app } = await buildTestSandbox(t);
  await sale(app, 'force-sale');
  await seedPurchase(app, 'force-buy', 'cust-f');
  await payout(app, 'force-payout', { customer: { id: 'cust-f', ip_address: '203.0.113.7' }, payment: { amount: 10004, currency: 'PHP' } });
  await flush(app);
  const client = new DashboardClient(app);
  const options = async (paymentId: string) => {
    const page = await client.get(`/dashboard/payments/${PROJECT_ID}/${paymentId}`);
    return [...page.body.matchAll(/<option value="([^"]+)">([^<]+)<\/option>/g)].map((m) => ({ value: m[1] as string, label: m[2] as string }));
  };
  const onSale = await options('force-sale');
  t.equal(onSale.filter((o) => o.value === 'success').length, 1, 'success once');
  t.equal(onSale.filter((o) => /^Success/.test(o.label)).length, 1);
  noneOf(t, onSale, 3, (o) => /payout/.test(o.label), 'no payout scenario on a purchase');
  noneOf(t, onSale, 3, (o) => o.value === 'decline:20204', 'the payout-only decline 20204 is not offered');
  t.same(onSale.map((o) => o.value), [...new Set(onSale.map((o) => o.value))], 'each outcome once');
  t.ok(onSale.some((o) => o.value === 'decline:20000' && /decline-general, decline-general-by-email/.test(o.label)));
  const onPayout = await options('force-payout');
  t.ok(onPayout.some((o) => o.value === 'decline:20204' && /payout-account-blocked/.test(o.label)), 'payout scenarios on a payout');
  const refused = await client.post(`/dashboard/payments/${PROJECT_ID}/force-sale/complete`, { outcome: 'decline:20204' });
  t.equal(refused.statusCode, 400, 'an outcome that was not offered is refused');
  t.match(refused.body, /Choose one of the outcomes offered for this payment/);
  t.equal((await client.post(`/dashboard/payments/${PROJECT_ID}/force-sale/complete`, { outcome: 'decline:20105' })).statusCode, 303);
  t.match((await client.get(`/dashboard/payments/${PROJECT_ID}/force-sale`)).body, /<td>20105<\/td>/);
});

t.test('analytics charts have axes with ticks and titles, and stack each day by status', async (t) => {
  const { app } = await buildTestSandbox(t);
  await seedPurchase(app, 'an-1', 'cust-1');
  await sale(app, 'an-2', { payment: { amount: 10001, currency: 'PHP' } });
  await sale(app, 'an-3');
  await flush(app);
  const page = await new DashboardClient(app).get('/dashboard/analytics');
  const count = /<figure class="chart" aria-labelledby="chart-count">([\s\S]*?)<\/figure>/.exec(page.body)?.[1] ?? '';
  const bars = [...count.matchAll(/<rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)" fill="[^"]+"><title>2026-01-01 ([^:]+): (\d+)<\/title>/g)]
    .map((m) => ({ x: Number(m[1]), y: Number(m[2]), height: Number(m[4]), status: m[5], n: Number(m[6]) }));
  t.same(bars.map((b) => [b.status, b.n]), [['success', 1], ['decline', 1], ['awaiting redirect result', 1]], 'one segment per status of the day');
  t.equal(new Set(bars.map((b) => b.x)).size, 1, 'the segments share the day\'s column');
  for (let i = 1; i < bars.length; i++) t.equal(Math.round((bars[i]!.y + bars[i]!.height) * 10) / 10, bars[i - 1]!.y, 'each segment sits on the one below');
  t.match(count, /<g class="axis axis-x">[\s\S]*>01-01<\/text>[\s\S]*>Day \(UTC\)<\/text>/);
  t.match(count, /<g class="axis axis-y">[\s\S]*>0<\/text>[\s\S]*>3<\/text>[\s\S]*>Payments<\/text>/);
  const amount = /aria-labelledby="chart-amount">([\s\S]*?)<\/figure>/.exec(page.body)?.[1] ?? '';
  t.match(amount, />₱0<\/text>/);
  t.match(amount, />Amount \(₱\)<\/text>/);
  const rate = /aria-labelledby="chart-rate">([\s\S]*?)<\/figure>/.exec(page.body)?.[1] ?? '';
  t.match(rate, />0%<\/text>[\s\S]*>100%<\/text>/);
  t.match(rate, />paymaya<\/text>/);
  t.match(rate, /<title>paymaya: 50\.0% success<\/title>/);
  t.match(page.headers['content-security-policy'], "script-src 'none'");
  t.notMatch(page.body, /<script/);
});
