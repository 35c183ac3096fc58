import t from 'tap';
import type { FastifyInstance } from 'fastify';
import { CASES } from '../../src/conformance/run-conformance.js';
import { buildTestSandbox } from '../helpers/sandbox.js';
import { startWooShop, type WooShopOptions } from '../helpers/woo-shop.js';
import { DashboardClient } from '../helpers/dashboard-client.js';
import { post } from '../helpers/gate-client.js';
import { matchCounted } from '../helpers/promises.js';

const SHOP_SECRET = 'woo-secret-990';
const SALES = CASES.filter((testCase) => testCase.operation === 'sale').map((testCase) => testCase.name);
const FORGED = ['tampered', 'unsigned', 'wrong-secret'];

interface Answer { passed: number; failed: number; warned: number; strict: boolean; shop: string; prepareUrl: string | null; cases: Array<{ name: string; passed: boolean; verdict: string; why: string }> }

async function projectWithWooShop(t: Parameters<typeof startWooShop>[0], app: FastifyInstance, projectId: number, options: Partial<WooShopOptions> = {}) {
  const shop = await startWooShop(t, { secret: SHOP_SECRET, ...options });
  const created = await app.inject({ method: 'POST', url: '/_sandbox/projects', payload: { project_id: projectId, secret_key: SHOP_SECRET, callback_url: shop.callbackUrl } });
  if (created.statusCode !== 201) throw new Error(created.body);
  return shop;
}

t.test('POST /_sandbox/conformance takes shop, prepare_url, sales_only, probe_payment_status, cases, skip, payment_ids and strict', async (t) => {
  const { app } = await buildTestSandbox(t);
  const shop = await projectWithWooShop(t, app, 990);
  const green = await post(app, '/_sandbox/conformance', {
    project_id: 990, probe_url: shop.probeUrl, shop: 'woocommerce', prepare_url: `POST ${shop.prepareUrl}`, sales_only: true, probe_payment_status: 'payment_status',
  });
  t.equal(green.status, 200);
  const answer = green.body as Answer;
  t.same(answer.cases.map((c) => c.name), SALES);
  t.match(answer, { passed: SALES.length, failed: 0, warned: 0, strict: false, shop: 'woocommerce', prepareUrl: `POST ${shop.prepareUrl}` });
  for (const id of ['wc-1', 'wc-2']) shop.createOrder(id);
  const chosen = await post(app, '/_sandbox/conformance', { project_id: 990, shop: 'woocommerce', probe_url: shop.probeUrl, payment_ids: ['wc-1', 'wc-2'], cases: ['sale-success', 'reordered', 'tampered'], skip: ['tampered'] });
  t.same((chosen.body as Answer).cases.map((c) => [c.name, c.passed]), [['sale-success', true], ['reordered', true]]);
  t.equal(shop.orders.get('wc-2')?.status, 'processing');

  const crashing = await projectWithWooShop(t, app, 991, { variant: 'crashes-on-forged' });
  const strict = await post(app, '/_sandbox/conformance', { project_id: 991, shop: 'woocommerce', prepare_url: crashing.prepareUrl, sales_only: true, strict: true });
  t.match(strict.body, { failed: 3, warned: 0, strict: true });
  t.same((strict.body as Answer).cases.filter((c) => !c.passed).map((c) => [c.name, c.verdict]), FORGED.map((name) => [name, 'refused by crashing']));
});

t.test('the control API refuses bad new options in its error format, naming the field', async (t) => {
  const { app } = await buildTestSandbox(t);
  const shop = await projectWithWooShop(t, app, 992);
  const cases: Array<[Record<string, unknown>, string, RegExp]> = [
    [{ shop: 'shopify' }, 'shop', /shop must be one of generic, woocommerce/],
    [{ cases: ['nope'] }, 'cases', /cases names no case "nope"/],
    [{ probe_payment_status: 'payment_status' }, 'probe_payment_status', /needs the probe URL/],
    [{ prepare_url: 'GET http://shop/x' }, 'prepare_url', /./],
    [{ payment_ids: ['a'] }, 'payment_ids', /has 1 ids where the run needs/],
    [{ sales_only: 'yes' }, 'sales_only', /./],
  ];
  for (const [change, field, message] of cases) {
    const response = await post(app, '/_sandbox/conformance', { project_id: 992, ...change });
    t.equal(response.status, 400, JSON.stringify(change));
    matchCounted(t, response.body, { status: 'error', code: '2004', errors: [{ field, message }] }, JSON.stringify(change));
  }
  t.equal(shop.received.length, 0);
});

t.test('the dashboard form offers the shop preset, a prepare URL, cases, skip, sales only and strict, and its report shows a crash as WARN', async (t) => {
  const { app } = await buildTestSandbox(t);
  const shop = await projectWithWooShop(t, app, 995, { variant: 'crashes-on-forged' });
  const client = new DashboardClient(app);
  const page = await client.get('/dashboard/conformance');
  t.equal(page.statusCode, 200);
  t.same([...page.body.matchAll(/<option value="([a-z]+)" title="[^"]+" ?(selected)?/g)].map((m) => m[1]), ['generic', 'woocommerce', 'magento', 'prestashop', 'commercetools']);
  t.match(page.body, /<option value="generic" title="[^"]+" selected>generic<\/option>/, 'generic by default');
  for (const field of ['prepare_url', 'probe_payment_status', 'cases', 'skip']) t.match(page.body, new RegExp(`<input name="${field}"`), field);
  for (const box of ['sales_only', 'strict']) t.match(page.body, new RegExp(`<input type="checkbox" name="${box}" value="1" >`), box);

  const posted = await client.post('/dashboard/conformance', {
    project_id: '995', callback_url: '', probe_url: shop.probeUrl, shop: 'woocommerce', prepare_url: `POST ${shop.prepareUrl}`,
    probe_payment_status: 'payment_status', cases: '', skip: 'long-unicode, unknown-members', sales_only: '1',
  });
  t.equal(posted.statusCode, 303, posted.body);
  const report = await client.get(String(posted.headers.location));
  const expected = SALES.filter((name) => !['long-unicode', 'unknown-members'].includes(name));
  t.same([...report.body.matchAll(/<tr id="case-([a-z0-9-]+)">/g)].map((m) => m[1]), expected);
  t.match(report.body, /<span id="verdict">PASS<\/span>/);
  t.match(report.body, new RegExp(`${expected.length} cases: ${expected.length} passed, 0 failed, 3 refused by crashing \\(warnings; strict fails them\\)`));
  t.match(report.body, /<dt>Shop platform<\/dt><dd>woocommerce<\/dd>/);
  t.match(report.body, new RegExp(`<dt>Prepare URL</dt><dd>POST ${shop.prepareUrl.replaceAll('.', '\\.')}</dd>`));
  for (const name of FORGED) t.match(report.body, new RegExp(`<tr id="case-${name}">.*<td class="warn" title="refused by crashing">WARN</td><td>refused by crashing: HTTP 500 `), name);
  t.match(report.body, /<tr id="case-sale-success">.*<td class="pass">PASS<\/td>/);
  const list = await client.get('/dashboard/conformance');
  t.match(list.body, new RegExp(`<td>${expected.length}</td><td>0</td><td>3</td><td>PASS</td>`), 'the list counts the warnings');

  const strict = await client.post('/dashboard/conformance', { project_id: '995', shop: 'woocommerce', prepare_url: shop.prepareUrl, cases: 'sale-success tampered', strict: '1' });
  const strictReport = await client.get(String(strict.headers.location));
  t.match(strictReport.body, /<span id="verdict">FAIL<\/span>/);
  t.match(strictReport.body, /<tr id="case-tampered">.*<td class="error" title="refused by crashing">FAIL<\/td>/);
  t.match(strictReport.body, /2 cases: 1 passed, 1 failed \(strict\)/);

  const bad = await client.post('/dashboard/conformance', { project_id: '995', shop: 'woocommerce', cases: 'nope', prepare_url: 'POST http://127.0.0.1:9/x', sales_only: '1' });
  t.equal(bad.statusCode, 400);
  t.match(bad.body, /<code>cases<\/code>: 2004 cases names no case &quot;nope&quot; \(cases: sale-success, /);
  t.match(bad.body, /<option value="woocommerce" title="[^"]+" selected>/, 'the form keeps the choices');
  t.match(bad.body, /<input type="checkbox" name="sales_only" value="1" checked>/);
  t.match(bad.body, /value="POST http:\/\/127\.0\.0\.1:9\/x"/);
});
