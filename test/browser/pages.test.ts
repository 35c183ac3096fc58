import t, { type Test } from 'tap';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { buildTestSandbox, flush, PROJECT_ID, SECRET } from '../helpers/sandbox.js';
import { payout, sale, seedPurchase } from '../helpers/gate-client.js';
import { DashboardClient } from '../helpers/dashboard-client.js';
import { browserSkipReason, keepScreenshot, launchBrowser } from '../helpers/browser.js';

const require = createRequire(import.meta.url);
const { Payment } = require('ecommpay') as { Payment: new (projectId: number, secret: string, params?: object, base?: string) => Record<string, any> & { getUrl(): string } };

const WIDTHS = [390, 1280] as const;

t.test('the pages at 390 px and 1,280 px in a real browser', { skip: browserSkipReason }, async (t) => {
  const { app } = await buildTestSandbox(t, { config: { projects: [{ project_id: PROJECT_ID, secret_key: SECRET, name: 'Test shop' }, { project_id: 1, secret_key: 'sandbox-secret' }] } });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;

  // Data for every page: paid, declined, waiting and foreign-currency payments, payouts, a batch with refused rows.
  await seedPurchase(app, 'shop-order-0001', 'customer-with-a-rather-long-identifier');
  await sale(app, 'shop-order-0002', { payment: { amount: 10001, currency: 'PHP', description: 'Declined order' } });
  await sale(app, 'shop-order-0003-usd', { payment: { amount: 10000, currency: 'USD', description: 'A USD order' } });
  await payout(app, 'payout-0001', { customer: { id: 'customer-with-a-rather-long-identifier', ip_address: '203.0.113.7' } });
  await flush(app);
  const client = new DashboardClient(app);
  await client.get('/dashboard/manual');
  const upload = await client.upload('/dashboard/manual/batches', { project_id: String(PROJECT_ID) }, {
    name: 'payouts-november.csv',
    content: [
      'general.payment_id,payment.amount,payment.currency,customer.id,account.number,account.customer_name',
      'csv-0001,10000,PHP,customer-with-a-rather-long-identifier,09171234567,Juan dela Cruz',
      'csv-0002,12.5,PHP,,0917,',
    ].join('\n'),
  });
  const batchPath = String(upload.headers.location);
  await flush(app);

  function pageUrl(paymentId: string, amount: number, currency: string): string {
    const payment = new Payment(PROJECT_ID, SECRET, {}, base);
    payment.paymentId = paymentId;
    payment.paymentAmount = amount;
    payment.paymentCurrency = currency;
    payment.customerId = 'customer-7';
    payment.customerEmail = 'juan@example.ph';
    payment.paymentDescription = 'Two mangoes and a very long description that has to wrap on a phone screen';
    payment.forcePaymentMethod = 'paymaya-wallet';
    return payment.getUrl();
  }

  const browser = await launchBrowser(t);

  async function open(width: number, path: string): Promise<{ page: Page; missing: string[] }> {
    const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width, height: 900 } });
    t.teardown(() => context.close());
    const page = await context.newPage();
    const missing: string[] = [];
    page.on('response', (response) => {
      if (response.status() === 404) missing.push(response.url());
    });
    await page.goto(path.startsWith('http') ? path : `${base}${path}`);
    return { page, missing };
  }

  /** The page is no wider than the window: nothing makes a person scroll sideways. */
  async function assertNoOverflow(t: Test, page: Page, what: string): Promise<void> {
    const { scrollWidth, innerWidth } = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth }));
    t.ok(scrollWidth <= innerWidth, `${what}: ${scrollWidth} px of content in a ${innerWidth} px window`);
  }

  const visited: Array<{ name: string; path: string }> = [
    { name: 'home', path: '/' },
    { name: 'docs', path: '/docs' },
    { name: 'payment-form', path: pageUrl('browser-form', 50000, 'PHP') },
    { name: 'payment-form-too-big', path: pageUrl('browser-big', 50000, 'USD') },
    { name: 'dashboard-payments', path: '/dashboard/payments' },
    { name: 'dashboard-payment', path: `/dashboard/payments/${PROJECT_ID}/shop-order-0003-usd` },
    { name: 'dashboard-manual', path: '/dashboard/manual' },
    { name: 'dashboard-batch', path: batchPath },
    { name: 'dashboard-analytics', path: '/dashboard/analytics' },
    { name: 'dashboard-conformance', path: '/dashboard/conformance' },
  ];

  for (const width of WIDTHS) {
    t.test(`every page fits ${width} px without sideways scrolling and asks for nothing missing (favicon included)`, async (t) => {
      for (const { name, path } of visited) {
        const { page, missing } = await open(width, path);
        await keepScreenshot(page, `pages-${name}-${width}`);
        await assertNoOverflow(t, page, name);
        t.same(missing, [], `${name}: no 404`);
        t.equal(await page.locator('link[rel="icon"]').count(), 2, `${name}: links the favicon`);
      }
      const { page } = await open(width, '/favicon.ico');
      t.equal(await page.evaluate(() => document.contentType), 'image/x-icon');
    });

    t.test(`at ${width} px a wallet the amount does not fit is shown disabled with its limits`, async (t) => {
      const { page } = await open(width, pageUrl(`browser-limits-${width}`, 50000, 'USD'));
      const paymaya = page.getByRole('radio', { name: /PayMaya/ });
      t.ok(await paymaya.isDisabled(), 'PayMaya cannot be chosen');
      t.match(await page.locator('#limits-paymaya-wallet').textContent(), 'Not available for this amount: ₱20.00 to ₱15,000.00 per payment');
      t.ok(await page.locator('#limits-paymaya-wallet').isVisible());
      t.match(await page.locator('#no-method').textContent(), 'No payment method accepts ₱28,250.00');
      t.equal(await page.getByRole('button', { name: 'Continue' }).count(), 0);
      const colour = await page.locator('#limits-paymaya-wallet').evaluate((node) => getComputedStyle(node).color);
      t.equal(colour, 'rgb(164, 0, 15)', 'the limits of a disabled wallet read as a warning');
    });

    t.test(`at ${width} px a decline at the wallet ends on a result page with its reason, and going back to the wallet page leads to that result`, async (t) => {
      const { page } = await open(width, pageUrl(`browser-cancel-${width}`, 50000, 'PHP'));
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.waitForURL(/\/paymaya\/checkout/);
      await keepScreenshot(page, `pages-wallet-checkout-${width}`);
      await assertNoOverflow(t, page, 'wallet checkout');
      const checkoutUrl = page.url();
      await page.getByRole('button', { name: 'Cancel' }).click();
      await page.waitForURL(/\/payment\/result/);
      t.equal(await page.locator('h1').textContent(), 'Payment cancelled');
      t.equal(await page.locator('#decline-reason').textContent(), 'Reason: 20301 Account owner cancelled operation');
      t.ok(await page.locator('#decline-reason').isVisible());
      await keepScreenshot(page, `pages-payment-result-cancel-${width}`);
      await assertNoOverflow(t, page, 'result');
      await page.goto(checkoutUrl);
      t.match(page.url(), /\/payment\/result\?tokenid=/, 'the wallet page of an ended payment leads to its result');
      t.equal(await page.locator('h1').textContent(), 'Payment cancelled');
      t.equal(await page.locator('#decline-reason').textContent(), 'Reason: 20301 Account owner cancelled operation');
    });

    t.test(`at ${width} px status badges are coloured, one colour per status, and inputs are not bold`, async (t) => {
      const { page } = await open(width, '/dashboard/payments');
      const colours = async (status: string) => page.locator(`.badge.status-${status}`).first().evaluate((node) => {
        const style = getComputedStyle(node);
        return `${style.backgroundColor} ${style.color}`;
      });
      const seen = new Map<string, string>();
      for (const status of ['success', 'decline', 'awaiting-redirect-result']) {
        const colour = await colours(status);
        t.notMatch(colour, /^rgba\(0, 0, 0, 0\)/, `${status} has a background`);
        seen.set(status, colour);
      }
      t.equal(new Set(seen.values()).size, 3, 'each status its own colours');
      t.equal(await page.locator('input[name="q"]').evaluate((node) => getComputedStyle(node).fontWeight), '400');
      t.equal(await page.locator('label').first().evaluate((node) => getComputedStyle(node).fontWeight), '600');
    });

    t.test(`at ${width} px the payout form shows every error at once, naming the fields`, async (t) => {
      const { page } = await open(width, '/dashboard/manual');
      await page.locator('input[name="amount"]').fill('lots');
      await page.locator('input[name="account_number"]').fill('0917');
      await page.getByRole('button', { name: 'Send payout' }).click();
      await page.waitForURL(/\/dashboard\/manual\/payout/);
      const items = await page.locator('#payout-errors li').allTextContents();
      t.same(items, [
        'Amount must be a number such as 100.50',
        'Customer id is required',
        'Customer full name is required',
        'Account number: PayMaya account number must be 11 digits starting with 09',
      ]);
      t.equal(await page.locator('[aria-invalid="true"]').count(), 4, 'the four fields are marked');
      await keepScreenshot(page, `pages-dashboard-manual-errors-${width}`);
      await assertNoOverflow(t, page, 'manual payout errors');
    });

    t.test(`at ${width} px a batch counts and lists its refused rows, after a reload too`, async (t) => {
      const { page } = await open(width, batchPath);
      await page.reload();
      t.equal(await page.locator('#batch-refused').textContent(), '1');
      t.match(await page.locator('#refused-rows').textContent(), /Row 3 \(csv-0002\): payment\.amount must be a whole number; customer\.id is required; account\.customer_name is required; PayMaya account number must be 11 digits starting with 09/);
    });
  }
});
