import t from 'tap';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { buildTestSandbox, flush, PROJECT_ID, SECRET } from '../helpers/sandbox.js';
import { startReceiver } from '../helpers/receiver.js';
import { SdkCallback } from '../helpers/gate-client.js';
import { browserSkipReason, keepScreenshot, launchBrowser } from '../helpers/browser.js';

const require = createRequire(import.meta.url);
const { Payment } = require('ecommpay') as { Payment: new (projectId: number, secret: string, params?: object, base?: string) => Record<string, any> & { getUrl(): string } };

t.test('the Payment Page in a real browser', { skip: browserSkipReason }, async (t) => {
  const { app } = await buildTestSandbox(t);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const baseUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const shop = await startReceiver(t);
  const shopBase = shop.url.replace('/callback', '');
  const browser = await launchBrowser(t);

  async function open(paymentId: string) {
    const payment = new Payment(PROJECT_ID, SECRET, {}, baseUrl);
    payment.paymentId = paymentId;
    payment.paymentAmount = 50000;
    payment.paymentCurrency = 'PHP';
    payment.customerId = 'customer-7';
    payment.customerEmail = 'juan@example.ph';
    payment.paymentDescription = 'Two mangoes';
    payment.merchantSuccessUrl = `${shopBase}/thanks`;
    payment.merchantFailUrl = `${shopBase}/sorry`;
    payment.merchantCallbackUrl = shop.url;
    // JavaScript off: every page and form must work without it.
    const context = await browser.newContext({ javaScriptEnabled: false });
    t.teardown(() => context.close());
    const page = await context.newPage();
    await page.goto(payment.getUrl());
    return page;
  }

  async function finalCallback(paymentId: string) {
    await flush(app);
    return shop.received
      .filter((r) => r.body !== '')
      .map((r) => new SdkCallback(SECRET, r.body).callback as Record<string, any>)
      .find((c) => c.payment.id === paymentId && c.payment.status !== 'awaiting redirect result');
  }

  t.test('confirm the e-mail, pick PayMaya, pay, land on the shop, get a signed success callback', async (t) => {
    const page = await open('browser-pay');
    t.equal(await page.locator('h1').textContent(), 'Pay ₱500.00');
    await keepScreenshot(page, 'payment-page-form');
    await page.getByLabel('E-mail').fill('juan.dela.cruz@example.ph');
    await page.getByLabel('PayMaya').check();
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL(/\/paymaya\/checkout/);
    t.match(await page.locator('main').textContent(), /PayMaya[\s\S]*₱500\.00/);
    await keepScreenshot(page, 'paymaya-checkout');
    await page.getByLabel('Mobile number').fill('09171234567');
    await page.getByRole('button', { name: 'Pay' }).click();
    await page.waitForURL(/\/payment\/result/);
    t.equal(await page.locator('h1').textContent(), 'Payment successful');
    await keepScreenshot(page, 'payment-page-success');
    await page.getByRole('link', { name: 'Return to the shop' }).click();
    await page.waitForURL(`${shopBase}/thanks`);
    t.equal(page.url(), `${shopBase}/thanks`);
    const callback = await finalCallback('browser-pay');
    t.match(callback, { payment: { status: 'success', method: 'PayMaya wallet' }, account: { number: '09171234567' }, operation: { code: '0' } });
    const mail = (await app.inject({ url: '/_sandbox/mail?payment_id=browser-pay' })).json() as { mail: Array<{ to: string }> };
    t.equal(mail.mail[0]?.to, 'juan.dela.cruz@example.ph');
  });

  for (const [action, code, heading, reason] of [
    ['Decline', '20000', 'Payment declined', 'Reason: 20000 General decline'],
    ['Cancel', '20301', 'Payment cancelled', 'Reason: 20301 Account owner cancelled operation'],
  ] as const) {
    t.test(`${action} at the wallet shows "${heading}" with its reason, then ends on the shop's fail URL with a ${code} decline callback`, async (t) => {
      const paymentId = `browser-${action.toLowerCase()}`;
      const page = await open(paymentId);
      await page.getByLabel('PayMaya').check();
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.waitForURL(/\/paymaya\/checkout/);
      await page.getByRole('button', { name: action }).click();
      await page.waitForURL(/\/payment\/result/);
      t.equal(await page.locator('h1').textContent(), heading);
      t.equal(await page.locator('#decline-reason').textContent(), reason);
      await keepScreenshot(page, `payment-page-${action.toLowerCase()}`);
      await page.getByRole('link', { name: 'Return to the shop' }).click();
      await page.waitForURL(`${shopBase}/sorry`);
      t.match(await finalCallback(paymentId), { payment: { status: 'decline' }, operation: { code } });
    });
  }

});
