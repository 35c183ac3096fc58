// The card pages a customer sees, with JavaScript off, at 390 px and 1,280 px: the card form (empty and with field
// errors), the card wallets' sheet, the sandbox bank's 3-D Secure page and the result pages. Each page is kept as
// a screenshot under test-artifacts/ and must not make a person scroll sideways.
import t, { type Test } from 'tap';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { buildTestSandbox, flush, SECRET } from '../helpers/sandbox.js';
import { startReceiver } from '../helpers/receiver.js';
import { SdkCallback } from '../helpers/gate-client.js';
import { paymentPageUrl } from '../helpers/payment-page-client.js';
import { browserSkipReason, keepScreenshot, launchBrowser } from '../helpers/browser.js';

const WIDTHS = [390, 1280] as const;

t.test('the card pages with JavaScript off at 390 px and 1,280 px', { skip: browserSkipReason }, async (t) => {
  const { app } = await buildTestSandbox(t);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const shop = await startReceiver(t);
  const browser: Browser = await launchBrowser(t);

  function link(paymentId: string, extra: Record<string, unknown> = {}): string {
    return base + paymentPageUrl({
      payment_id: paymentId, payment_amount: 129900, payment_currency: 'PHP', customer_id: 'customer-7',
      payment_description: 'A mango slicer with a rather long name that has to wrap on a phone', force_payment_method: 'card',
      merchant_callback_url: shop.url, merchant_success_url: `${shop.url.replace('/callback', '')}/thanks`, ...extra,
    });
  }

  async function open(t: Test, width: number, url: string): Promise<Page> {
    const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width, height: 900 } });
    t.teardown(() => context.close());
    const page = await context.newPage();
    await page.goto(url);
    return page;
  }

  /** Kept as a screenshot, with nothing wider than the window and no script on the page. */
  async function look(t: Test, page: Page, name: string): Promise<void> {
    const { scrollWidth, innerWidth, scripts } = await page.evaluate(() => ({
      scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth, scripts: document.scripts.length,
    }));
    t.ok(scrollWidth <= innerWidth, `${name}: ${scrollWidth} px of content in a ${innerWidth} px window`);
    t.equal(scripts, 0, `${name}: no script on the page`);
    t.match(await keepScreenshot(page, name), new RegExp(`test-artifacts/${name}\\.png$`));
  }

  async function typeCard(page: Page, card: { pan: string; expiry: string; cvv: string; holder: string }): Promise<void> {
    await page.getByLabel('Card number').fill(card.pan);
    await page.getByLabel('Expiry (MM/YY)').fill(card.expiry);
    await page.getByLabel('CVV').fill(card.cvv);
    await page.getByLabel('Name on the card').fill(card.holder);
  }

  for (const width of WIDTHS) {
    t.test(`${width} px: the card form, its field errors, the bank's challenge and the authorised result`, async (t) => {
      const page = await open(t, width, link(`card-auth-${width}`, { operation_type: 'auth' }));
      t.equal(await page.locator('h1').textContent(), 'Authorise ₱1,299.00 by card');
      await look(t, page, `card-form-${width}`);
      await typeCard(page, { pan: '4111 1111 1111 1112', expiry: '01/20', cvv: '12', holder: '' });
      await page.getByRole('button', { name: 'Authorise ₱1,299.00' }).click();
      await page.getByRole('alert').waitFor();
      t.match(await page.getByRole('alert').textContent(), /Enter a valid card number[\s\S]*expired[\s\S]*CVV[\s\S]*name/);
      t.equal(await page.locator('#expiry-error').textContent(), 'The card expired at the end of 01/2020', 'the problem is under its field too');
      t.equal(await page.getByLabel('Card number').inputValue(), '', 'the number typed is not shown again');
      await look(t, page, `card-form-errors-${width}`);
      await typeCard(page, { pan: '4314 2200 0000 0056', expiry: '12/30', cvv: '123', holder: 'Juan dela Cruz' });
      await page.getByRole('button', { name: 'Authorise ₱1,299.00' }).click();
      await page.waitForURL(/\/acs\/challenge/);
      t.equal(await page.locator('h1').textContent(), 'Verify your payment');
      t.match(await page.locator('main').textContent(), /Visa sandbox bank[\s\S]*431422\*{6}0056/);
      await look(t, page, `acs-challenge-${width}`);
      await page.getByLabel('One-time code').fill('0000');
      await page.getByRole('button', { name: 'Approve' }).click();
      await page.getByRole('alert').waitFor();
      t.match(await page.getByRole('alert').textContent(), /Wrong code: 2 tries left/);
      await look(t, page, `acs-challenge-wrong-code-${width}`);
      await page.getByLabel('One-time code').fill('1234');
      await page.getByRole('button', { name: 'Approve' }).click();
      await page.waitForURL(/\/payment\/result/);
      t.equal(await page.locator('h1').textContent(), 'Payment authorised');
      t.match(await page.locator('main').textContent(), /Card: Visa 431422\*{6}0056/);
      await look(t, page, `card-result-authorised-${width}`);
      await flush(app);
      const final = shop.received.map((r) => new SdkCallback(SECRET, r.body).callback as Record<string, any>).filter((c) => c.payment.id === `card-auth-${width}`).at(-1);
      t.match(final, { payment: { status: 'awaiting capture', sum: { amount: 129900 } }, operation: { type: 'auth', status: 'success' } });
    });

    t.test(`${width} px: a declined card's result, and the Apple Pay sheet paying with its first card`, async (t) => {
      const declined = await open(t, width, link(`card-decline-${width}`));
      await typeCard(declined, { pan: '4111111111111111', expiry: '12/30', cvv: '123', holder: 'Juan dela Cruz' });
      await declined.getByRole('button', { name: 'Pay ₱1,299.00' }).click();
      await declined.waitForURL(/\/payment\/result/);
      t.equal(await declined.locator('h1').textContent(), 'Payment declined');
      await look(t, declined, `card-result-declined-${width}`);
      const sheet = await open(t, width, link(`sheet-${width}`, { force_payment_method: 'apple_pay_core' }));
      t.match(await sheet.locator('.brand').textContent(), /Apple Pay/);
      t.equal(await sheet.getByRole('radio').count(), 9, 'one test card for each thing a card does in a wallet');
      t.ok(await sheet.getByRole('radio', { name: '400000******0077 Visa: approved' }).isChecked());
      await look(t, sheet, `wallet-sheet-${width}`);
      await sheet.getByRole('button', { name: 'Pay with Apple Pay' }).click();
      await sheet.waitForURL(/\/payment\/result/);
      t.equal(await sheet.locator('h1').textContent(), 'Payment successful');
      await look(t, sheet, `card-result-paid-${width}`);
    });
  }
});
