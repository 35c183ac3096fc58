import t, { type Test } from 'tap';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { buildTestSandbox, PROJECT_ID, SECRET } from '../helpers/sandbox.js';
import { browserSkipReason, keepScreenshot, launchBrowser } from '../helpers/browser.js';
import { startShopPages, widgetEvent, widgetEvents } from '../helpers/shop-page.js';

const require = createRequire(import.meta.url);
const { Payment } = require('ecommpay') as { Payment: new (projectId: number, secret: string, params?: object, base?: string) => Record<string, any> & { getUrl(): string; params: Record<string, unknown> } };

// The Payment Page sales a scenario decides at once (docs/scenarios.md): each must end on the Payment Page's result
// view, never on a live wallet form, however the decision and the customer's redirect interleave.
const MAGIC = [
  { amount: 10001, heading: 'Payment declined', code: '20000' },
  { amount: 10002, heading: 'Payment declined', code: '20101' },
  { amount: 10005, heading: 'Payment declined', code: '20105' },
  { amount: 10010, heading: 'Payment failed', code: '20100' },
  { amount: 10011, heading: 'Payment failed', code: '501' },
] as const;
const ROUNDS = 3;

t.test('magic-decline Payment Page payments, repeated: each ends on the result view, in a full page and in the popup', { skip: browserSkipReason }, async (t) => {
  const { app } = await buildTestSandbox(t);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const sandboxOrigin = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const shop = await startShopPages(t, sandboxOrigin);
  const browser: Browser = await launchBrowser(t);
  const failUrl = `${shop.origin}/sorry`;
  // The full page and the popup run side by side: two customers at once, and the run stays short.
  t.jobs = 2;

  function signed(paymentId: string, amount: number): Record<string, any> & { getUrl(): string; params: Record<string, unknown> } {
    const payment = new Payment(PROJECT_ID, SECRET, {}, sandboxOrigin);
    payment.paymentId = paymentId;
    payment.paymentAmount = amount;
    payment.paymentCurrency = 'PHP';
    payment.customerId = 'customer-7';
    payment.customerEmail = 'juan@example.ph';
    payment.paymentDescription = 'Two mangoes';
    payment.merchantSuccessUrl = `${shop.origin}/thanks`;
    payment.merchantFailUrl = failUrl;
    return payment;
  }

  /** One tab for every round (a tab per round costs more than the flow itself). */
  async function freshTab(t: Test): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    t.teardown(() => context.close());
    context.setDefaultTimeout(15_000);
    const page = await context.newPage();
    page.on('pageerror', (error) => t.fail(`script error: ${error.message}`));
    return page;
  }

  /** Where the form's submit led: the result view's heading, or "the wallet's checkout" (its form, still live). */
  async function landing(page: Page | ReturnType<Page['frameLocator']>): Promise<string> {
    const reached = page.locator('#result-title, #checkout-title');
    await reached.first().waitFor();
    return await reached.first().getAttribute('id') === 'checkout-title' ? 'the wallet\'s checkout' : (await reached.first().textContent()) ?? '';
  }

  /** The page as it is, at 1,280 px and at 390 px, then back to 1,280 px for the next round. */
  async function screenshots(t: Test, page: Page, name: string): Promise<void> {
    await keepScreenshot(page, `${name}-1280`);
    await page.setViewportSize({ width: 390, height: 844 });
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    t.ok(width <= 390, `${name} fits 390 px (${width})`);
    await keepScreenshot(page, `${name}-390`);
    await page.setViewportSize({ width: 1280, height: 800 });
  }

  t.test(`a full page, ${ROUNDS} rounds of each amount: the result view with its reason, the fail URL and the refresh to it`, async (t) => {
    const page = await freshTab(t);
    for (let round = 1; round <= ROUNDS; round += 1) {
      for (const { amount, heading, code } of MAGIC) {
        const paymentId = `race-page-${amount}-${round}`;
        await page.goto(signed(paymentId, amount).getUrl());
        await page.getByLabel('PayMaya').check();
        await page.getByRole('button', { name: 'Continue' }).click();
        const reached = await landing(page);
        if (!t.equal(reached, heading, `${paymentId}: the result view, not the wallet`)) {
          continue;
        }
        t.match(new URL(page.url()).pathname, '/payment/result', `${paymentId}: on the Payment Page's result`);
        t.match(await page.locator('#decline-reason').textContent(), `Reason: ${code} `, `${paymentId}: its reason`);
        t.equal(await page.locator('#continue').getAttribute('href'), failUrl, `${paymentId}: the link to the fail URL`);
        t.equal(await page.locator('meta[http-equiv="refresh"]').getAttribute('content'), `5;url=${failUrl}`, `${paymentId}: the refresh to the fail URL`);
        if (round === ROUNDS && amount === 10005) await screenshots(t, page, 'race-page-result');
      }
    }
  });

  t.test(`the widget's popup, ${ROUNDS} rounds of each amount: the result view, onPaymentSent and onPaymentFail exactly once each`, async (t) => {
    const page = await freshTab(t);
    for (let round = 1; round <= ROUNDS; round += 1) {
      for (const { amount, heading, code } of MAGIC) {
        const paymentId = `race-popup-${amount}-${round}`;
        const payment = signed(paymentId, amount);
        const signature = new URL(payment.getUrl()).searchParams.get('signature') as string;
        const config = { ...payment.params, signature, frame_mode: 'popup' };
        await page.goto(shop.checkout(paymentId, { config, call: 'bind', method: 'POST' }));
        await page.getByRole('button', { name: 'Pay with PayMaya' }).click();
        await widgetEvent(page, 'onLoaded');
        const frame = page.frameLocator('.epw-overlay iframe');
        await frame.getByLabel('PayMaya').check();
        await frame.getByRole('button', { name: 'Continue' }).click();
        if (!t.equal(await landing(frame), heading, `${paymentId}: the result view, not the wallet`)) {
          continue;
        }
        const failed = await widgetEvent(page, 'onPaymentFail');
        t.match(failed.args[0], { payment_id: paymentId, code }, `${paymentId}: onPaymentFail with its code`);
        t.equal(await frame.locator('#continue').getAttribute('href'), failUrl, `${paymentId}: the link to the fail URL`);
        // The result page posts its events in one go, onPaymentFail last: every event has arrived.
        const names = (await widgetEvents(page)).map((e) => e.name);
        t.equal(names.filter((n) => n === 'onPaymentSent').length, 1, `${paymentId}: onPaymentSent once`);
        t.equal(names.filter((n) => n === 'onPaymentFail').length, 1, `${paymentId}: onPaymentFail once`);
        t.notOk(names.includes('onPaymentSuccess'), `${paymentId}: no onPaymentSuccess`);
        if (round === ROUNDS && amount === 10005) await screenshots(t, page, 'race-popup-result');
      }
    }
  });
});
