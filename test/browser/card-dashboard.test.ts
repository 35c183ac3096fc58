// A card payment's dashboard page in Chromium at 390 and 1,280 px: a hold after the bank's challenge, a sale
// refunded in part and a released hold fit the window; a hold is captured in part from its page and a refund
// above what was debited is refused on the page, with the typed amount kept.
import t, { type Test } from 'tap';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { buildTestSandbox, flush, PROJECT_ID } from '../helpers/sandbox.js';
import { answerChallenge, cardPayment } from '../helpers/card-client.js';
import { browserSkipReason, keepScreenshot, launchBrowser } from '../helpers/browser.js';

const WIDTHS = [390, 1280] as const;

t.test('card payments\' dashboard pages at 390 px and 1,280 px in a real browser', { skip: browserSkipReason }, async (t) => {
  const { app } = await buildTestSandbox(t);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  await answerChallenge(app, await cardPayment(app, 'card-hold-0001', { first: 'auth', pan: '4314220000000056', amount: 1234567 }));
  await cardPayment(app, 'card-refund-0001', { pan: '5252000000000004' });
  await app.inject({ method: 'POST', url: `/_sandbox/payments/${PROJECT_ID}/card-refund-0001/refund`, payload: { amount: 12500, currency: 'PHP', merchant_refund_id: 'refund-with-a-long-merchant-identifier-0001' } });
  await cardPayment(app, 'card-released-0001', { first: 'auth' });
  await app.inject({ method: 'POST', url: `/_sandbox/payments/${PROJECT_ID}/card-released-0001/cancel`, payload: {} });
  await flush(app);
  const browser = await launchBrowser(t);

  async function open(width: number, path: string): Promise<{ page: Page; missing: string[] }> {
    const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width, height: 900 } });
    t.teardown(() => context.close());
    const page = await context.newPage();
    const missing: string[] = [];
    page.on('response', (response) => {
      if (response.status() === 404) missing.push(response.url());
    });
    await page.goto(`${base}${path}`);
    return { page, missing };
  }

  async function assertNoOverflow(t: Test, page: Page, what: string): Promise<void> {
    const { scrollWidth, innerWidth } = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth }));
    t.ok(scrollWidth <= innerWidth, `${what}: ${scrollWidth} px of content in a ${innerWidth} px window`);
  }

  const pages: Array<{ name: string; paymentId: string; status: string; buttons: string[] }> = [
    { name: 'hold', paymentId: 'card-hold-0001', status: 'awaiting capture', buttons: ['Capture', 'Cancel the hold'] },
    { name: 'refunded', paymentId: 'card-refund-0001', status: 'partially refunded', buttons: ['Refund'] },
    { name: 'released', paymentId: 'card-released-0001', status: 'canceled', buttons: [] },
  ];

  for (const width of WIDTHS) {
    t.test(`at ${width} px a card payment's page fits the window and offers the actions of its status`, async (t) => {
      for (const { name, paymentId, status, buttons } of pages) {
        const { page, missing } = await open(width, `/dashboard/payments/${PROJECT_ID}/${paymentId}`);
        await keepScreenshot(page, `pages-dashboard-card-${name}-${width}`);
        await assertNoOverflow(t, page, name);
        t.same(missing, [], `${name}: no 404`);
        t.equal(await page.locator('#payment-status .badge').textContent(), status);
        t.same(await page.locator('#capture-form button, #cancel-form button, #refund-form button').allTextContents(), buttons, `${name}: ${buttons.join(', ') || 'no action'}`);
        t.equal(await page.getByLabel('Force an outcome').count(), 0, `${name}: nothing to force`);
      }
    });

    t.test(`at ${width} px a card hold is captured in part from its page, and a refund above what was debited is refused on the page`, async (t) => {
      const paymentId = `card-browser-${width}`;
      await cardPayment(app, paymentId, { first: 'auth' });
      const { page } = await open(width, `/dashboard/payments/${PROJECT_ID}/${paymentId}`);
      t.equal(await page.locator('#card-number').textContent(), '400000******0077');
      t.equal(await page.locator('#card-hold').textContent(), '₱500.00');
      await page.getByLabel('Amount to capture, PHP (empty: the whole hold)').fill('300.00');
      await page.getByRole('button', { name: 'Capture' }).click();
      await page.waitForURL(`${base}/dashboard/payments/${PROJECT_ID}/${paymentId}`);
      t.equal(await page.locator('#payment-status .badge').textContent(), 'success');
      t.equal(await page.locator('#card-debited').textContent(), '₱300.00');
      await page.getByLabel('Amount to refund, PHP').fill('300.01');
      await page.getByRole('button', { name: 'Refund' }).click();
      await page.waitForURL(/\/refund$/);
      const alert = page.getByRole('alert');
      t.equal(await alert.locator('p').textContent(), 'The refund was refused: 3283 Refund amount more than init amount');
      t.equal(await alert.locator('li').textContent(), 'Amount: ₱300.01 is more than the ₱300.00 debited');
      t.ok(await alert.isVisible());
      t.equal(await page.getByLabel('Amount to refund, PHP').inputValue(), '300.01', 'what was typed stays');
      t.equal(await page.getByLabel('Amount to refund, PHP').getAttribute('aria-invalid'), 'true');
      await keepScreenshot(page, `pages-dashboard-card-refusal-${width}`);
      await assertNoOverflow(t, page, 'card refusal');
    });
  }
});
