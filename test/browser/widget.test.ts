import t, { type Test } from 'tap';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import type { Browser, FrameLocator, Page } from 'playwright-core';
import { buildTestSandbox, flush, PROJECT_ID, SECRET } from '../helpers/sandbox.js';
import { startReceiver } from '../helpers/receiver.js';
import { SdkCallback } from '../helpers/gate-client.js';
import { browserSkipReason, keepScreenshot, launchBrowser, pngFacts } from '../helpers/browser.js';
import { startShopPages, widgetEvent, widgetEvents, type CheckoutSetup, type RecordedEvent } from '../helpers/shop-page.js';
import { matchCounted } from '../helpers/promises.js';

const require = createRequire(import.meta.url);
const { Payment } = require('ecommpay') as { Payment: new (projectId: number, secret: string, params?: object, base?: string) => Record<string, any> & { getUrl(): string; params: Record<string, unknown> } };

type Mode = 'popup' | 'iframe' | 'embedded';

const VIEWPORTS = [{ width: 390, height: 844 }, { width: 1280, height: 800 }] as const;

t.test('the checkout widget on a shop page, in a real browser with JavaScript on', { skip: browserSkipReason }, async (t) => {
  const { app } = await buildTestSandbox(t);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const sandboxOrigin = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const shop = await startShopPages(t, sandboxOrigin);
  const receiver = await startReceiver(t);
  const browser: Browser = await launchBrowser(t);
  t.not(shop.origin, sandboxOrigin, 'the shop page and the sandbox are different origins');

  /** Parameters signed by the official SDK's Payment class (its getUrl signs them), as the shop's server does. */
  function signedParams(paymentId: string, mode: Mode | undefined, extra: Record<string, unknown> = {}): Record<string, unknown> {
    const payment = new Payment(PROJECT_ID, SECRET, {}, sandboxOrigin);
    payment.paymentId = paymentId;
    payment.paymentAmount = 50000;
    payment.paymentCurrency = 'PHP';
    payment.customerId = 'customer-7';
    payment.customerEmail = 'juan@example.ph';
    payment.paymentDescription = 'Two mangoes';
    payment.forcePaymentMethod = 'paymaya-wallet';
    payment.merchantCallbackUrl = receiver.url;
    payment.merchantSuccessUrl = `${shop.origin}/thanks`;
    if (mode === 'popup') {
      payment.closeOnMissclick = true;
      payment.cssModalWrap = 'mango-modal';
    }
    if (mode === 'iframe') payment.targetElement = 'ecommpay-iframe';
    if (mode === 'embedded') payment.targetElement = 'ecommpay-iframe-embedded';
    for (const [key, value] of Object.entries(extra)) {
      if (value === undefined) delete payment.params[key];
      else payment.params[key] = value;
    }
    const signature = new URL(payment.getUrl()).searchParams.get('signature') as string;
    return { ...payment.params, signature };
  }

  function setupFor(paymentId: string, mode: Mode, extra: Record<string, unknown> = {}, method: 'GET' | 'POST' = 'POST'): CheckoutSetup {
    // frame_mode is added after signing, as the plugins do: it is never signed.
    const config = { ...signedParams(paymentId, mode, extra), frame_mode: mode, _plugin_version: '5.0.0' };
    return mode === 'embedded' ? { config, call: 'runEmbedded', method } : { config, call: mode === 'popup' ? 'bind' : 'run', method };
  }

  async function openShop(t: Test, name: string, setup: CheckoutSetup, viewport: { width: number; height: number } = VIEWPORTS[1]): Promise<Page> {
    const context = await browser.newContext({ viewport });
    t.teardown(() => context.close());
    const page = await context.newPage();
    // A script error or a CSP refusal in the shop page or the frames fails the test; refused loads (401, 400) are expected.
    page.on('pageerror', (error) => t.fail(`script error on ${name}: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) t.fail(`console error on ${name}: ${message.text()}`);
    });
    await page.goto(shop.checkout(name, setup));
    return page;
  }

  /** Opens the widget the way the shop does: a click for popup and iframe; the embedded form shows at once. */
  async function startWidget(page: Page, mode: Mode): Promise<FrameLocator> {
    if (mode !== 'embedded') await page.getByRole('button', { name: 'Pay with PayMaya' }).click();
    await widgetEvent(page, 'onLoaded');
    const selector = mode === 'popup' ? '.epw-overlay iframe' : mode === 'iframe' ? '#ecommpay-iframe iframe' : '#ecommpay-iframe-embedded iframe';
    return page.frameLocator(selector);
  }

  /** The final callbacks of a payment that reached the shop's receiver; the SDK's Callback throws on a bad signature. */
  async function finalCallbacks(paymentId: string): Promise<Array<Record<string, any>>> {
    await flush(app);
    return receiver.received
      .map((r) => new SdkCallback(SECRET, r.body).callback as Record<string, any>)
      .filter((c) => c.payment.id === paymentId && c.payment.status !== 'awaiting redirect result');
  }

  const names = (events: RecordedEvent[]) => events.map((e) => e.name);

  const actions = [
    { action: 'Pay', status: 'success', code: '0', event: 'onPaymentSuccess', heading: 'Payment successful' },
    { action: 'Decline', status: 'decline', code: '20000', event: 'onPaymentFail', heading: 'Payment declined' },
    { action: 'Cancel', status: 'decline', code: '20301', event: 'onPaymentFail', heading: 'Payment cancelled' },
  ] as const;

  for (const mode of ['popup', 'iframe'] as const) {
    for (const { action, status, code, event, heading } of actions) {
      if (mode === 'popup' && action === 'Cancel') continue;
      t.test(`${mode}: Continue, then ${action} at the wallet fires onPaymentSent and ${event} (${code}) on the shop page and sends a signed ${status} callback`, async (t) => {
        const paymentId = `widget-${mode}-${action.toLowerCase()}`;
        const page = await openShop(t, paymentId, setupFor(paymentId, mode));
        const frame = await startWidget(page, mode);
        await t.resolveMatch(frame.getByLabel('PayMaya').isChecked(), true, 'PayMaya is preselected');
        t.equal(await frame.getByLabel('E-mail').inputValue(), 'juan@example.ph');
        await frame.getByRole('button', { name: 'Continue' }).click();
        await frame.getByLabel('Mobile number').waitFor();
        await widgetEvent(page, 'onPaymentSent');
        if (action === 'Pay') await frame.getByLabel('Mobile number').fill('09171234567');
        await frame.getByRole('button', { name: action }).click();
        const result = await widgetEvent(page, event);
        t.match(result.args[0], { project_id: PROJECT_ID, payment_id: paymentId, status, code, amount: 50000, currency: 'PHP' });
        await t.resolveMatch(frame.locator('h1').textContent(), heading);
        t.same(names(await widgetEvents(page)), ['onLoaded', 'onShowLoader', 'onHideLoader', 'onPaymentSent', 'onShowLoader', 'onHideLoader', event]);
        const callbacks = await finalCallbacks(paymentId);
        t.equal(callbacks.length, 1, 'one final callback');
        matchCounted(t, callbacks, [{ payment: { id: paymentId, status }, operation: { code } }]);
        if (mode === 'popup') {
          t.ok(await page.locator('.epw-overlay.mango-modal').isVisible(), 'css_modal_wrap is on the modal wrapper');
          await page.getByRole('button', { name: 'Close the payment window' }).click();
          await widgetEvent(page, 'onDestroy');
          t.same(names(await widgetEvents(page)).slice(-2), ['onExit', 'onDestroy']);
          t.equal(await page.locator('.epw-overlay').count(), 0, 'the modal is gone');
        } else {
          t.equal(await page.locator('.epw-overlay').count(), 0, 'no modal in iframe mode');
        }
      });
    }
  }

  t.test('popup: closing with ×, a click beside the modal (close_on_missclick) or Escape fires onExit then onDestroy and starts no payment', async (t) => {
    const page = await openShop(t, 'widget-popup-close', setupFor('widget-popup-close', 'popup'));
    const closers: Array<[string, () => Promise<void>]> = [
      ['×', () => page.getByRole('button', { name: 'Close the payment window' }).click()],
      ['a click beside the modal', () => page.locator('.epw-overlay').click({ position: { x: 5, y: 5 } })],
      ['Escape inside the page', async () => {
        await page.frameLocator('.epw-overlay iframe').getByLabel('E-mail').press('Escape');
      }],
    ];
    for (const [how, close] of closers) {
      await page.evaluate(() => { (window as unknown as { widgetEvents: unknown[] }).widgetEvents.length = 0; });
      await startWidget(page, 'popup');
      t.equal(await page.locator('[role="dialog"][aria-modal="true"]').count(), 1, `the modal is open before ${how}`);
      await close();
      await widgetEvent(page, 'onDestroy');
      t.same(names(await widgetEvents(page)), ['onLoaded', 'onExit', 'onDestroy'], how);
      t.equal(await page.locator('.epw-overlay').count(), 0, `the modal is gone after ${how}`);
    }
    const report = await app.inject({ url: `/_sandbox/payments/${PROJECT_ID}/widget-popup-close` });
    t.equal(report.statusCode, 404, 'no payment was started');
  });

  for (const { action, status, code, event } of actions) {
    t.test(`embedded: the shop's Place order runs trySubmit → onCheckSubmit, then ${action} at the wallet fires ${event} (${code}) and a signed ${status} callback`, async (t) => {
      const paymentId = `widget-embedded-${action.toLowerCase()}`;
      // No customer_email in the signed set: the shop hands its checkout's e-mail over through onCheckSubmit.
      const setup = { ...setupFor(paymentId, 'embedded', { customer_email: undefined }), resolveWith: { additional_parameters: { customer_email: 'juana@example.ph' } } };
      const page = await openShop(t, paymentId, setup);
      const frame = await startWidget(page, 'embedded');
      t.equal(await frame.getByRole('button', { name: 'Continue' }).count(), 0, 'the embedded form has no submit button of its own');
      await page.evaluate(() => window.postMessage(JSON.stringify({ message: 'epframe.embedded_mode.check_validation', from_another_domain: true }), window.location.origin));
      const checked = await widgetEvent(page, 'onEmbeddedModeCheckValidationResponse');
      t.same(checked.args, [{ customer_email: 'Enter your e-mail address.' }], 'the plugins\' validation request is answered');
      await page.getByRole('button', { name: 'Place order' }).click();
      const check = await widgetEvent(page, 'onCheckSubmit');
      t.match(check.args[0], { payment_id: paymentId, method: 'paymaya-wallet', customer_email: '' });
      await frame.getByLabel('Mobile number').waitFor();
      await widgetEvent(page, 'onPaymentSent');
      if (action === 'Pay') await frame.getByLabel('Mobile number').fill('09171234567');
      await frame.getByRole('button', { name: action }).click();
      const result = await widgetEvent(page, event);
      t.match(result.args[0], { payment_id: paymentId, status, code });
      t.same(names(await widgetEvents(page)), [
        'onLoaded', 'onEmbeddedModeCheckValidationResponse', 'onValidationError', 'onCheckSubmit', 'onShowLoader', 'onHideLoader',
        'onPaymentSent', 'onShowLoader', 'onHideLoader', event,
      ]);
      const callbacks = await finalCallbacks(paymentId);
      t.equal(callbacks.length, 1, 'one final callback');
      matchCounted(t, callbacks, [{ payment: { id: paymentId, status }, operation: { code } }]);
      const report = (await app.inject({ url: `/_sandbox/payments/${PROJECT_ID}/${paymentId}` })).json() as Record<string, any>;
      t.match(report.payment, { interface: 'payment_page', customer: { email: 'juana@example.ph' } }, 'the e-mail from onCheckSubmit reached the payment');
    });
  }

  t.test('embedded: a bad e-mail raises onValidationError with its code and field, Enter goes to the shop, and nothing is sent', async (t) => {
    const page = await openShop(t, 'widget-embedded-invalid', setupFor('widget-embedded-invalid', 'embedded', { customer_email: undefined }));
    const frame = await startWidget(page, 'embedded');
    await frame.getByLabel('E-mail').fill('not-an-address');
    await frame.getByLabel('E-mail').press('Enter');
    await widgetEvent(page, 'onEnterKeyPressed');
    t.equal(await frame.getByLabel('E-mail').count(), 1, 'Enter did not submit the embedded form');
    await page.getByRole('button', { name: 'Place order' }).click();
    const error = await widgetEvent(page, 'onValidationError');
    t.same(error.args, [
      { customer_email: 'Enter a valid e-mail address.' },
      { code: '2426', message: 'Enter a valid e-mail address.', errors: [{ code: '2426', field: 'customer_email', message: 'Enter a valid e-mail address.' }] },
    ]);
    t.notOk(names(await widgetEvents(page)).includes('onCheckSubmit'), 'onCheckSubmit is not asked while the form is invalid');
    t.equal((await app.inject({ url: `/_sandbox/payments/${PROJECT_ID}/widget-embedded-invalid` })).statusCode, 404);
  });

  t.test('embedded: a plugin\'s own epframe.embedded_mode.submit, posted to the shop\'s window, sends the form with the e-mail it carries', async (t) => {
    const paymentId = 'widget-embedded-legacy-submit';
    const page = await openShop(t, paymentId, setupFor(paymentId, 'embedded', { customer_email: undefined }));
    const frame = await startWidget(page, 'embedded');
    // As WooCommerce's legacy checkout does after creating the order: BillingInfo[…] fields, to its own window.
    await page.evaluate(() => window.postMessage(JSON.stringify({
      message: 'epframe.embedded_mode.submit', fields: { 'BillingInfo[customer_email]': 'maria@example.ph' }, from_another_domain: true,
    }), window.location.origin));
    await frame.getByLabel('Mobile number').waitFor();
    const sent = await widgetEvent(page, 'onPaymentSent');
    t.match(sent.args[0], { payment_id: paymentId, status: 'awaiting redirect result' });
    const report = (await app.inject({ url: `/_sandbox/payments/${PROJECT_ID}/${paymentId}` })).json() as Record<string, any>;
    t.match(report.payment, { customer: { email: 'maria@example.ph' } });
  });

  for (const mode of ['popup', 'iframe', 'embedded'] as const) {
    t.test(`${mode}: a tampered parameter set raises onValidationError with 3261 on the signature field`, async (t) => {
      const setup = setupFor(`widget-${mode}-tampered`, mode);
      setup.config.payment_amount = 1;
      const page = await openShop(t, `widget-${mode}-tampered`, setup);
      await startWidget(page, mode);
      const error = await widgetEvent(page, 'onValidationError');
      t.same(error.args, [
        { signature: 'Invalid signature' },
        { code: '3261', message: 'Invalid signature', errors: [{ code: '3261', field: 'signature', message: 'Invalid signature' }] },
      ]);
      t.equal((await app.inject({ url: `/_sandbox/payments/${PROJECT_ID}/widget-${mode}-tampered` })).statusCode, 404, 'no payment');
    });
  }

  t.test('iframe: a parameter set without customer_id raises onValidationError with 2004 on customer_id', async (t) => {
    const page = await openShop(t, 'widget-iframe-missing', setupFor('widget-iframe-missing', 'iframe', { customer_id: undefined }, 'GET'));
    await startWidget(page, 'iframe');
    const error = await widgetEvent(page, 'onValidationError');
    matchCounted(t, error.args, [{ customer_id: 'Required field not provided' }, { code: '2004', errors: [{ code: '2004', field: 'customer_id' }] }]);
  });

  t.test('iframe: a set that signs baseUrl, as WooCommerce does, opens the page', async (t) => {
    const setup = setupFor('widget-iframe-baseurl', 'iframe', { baseUrl: sandboxOrigin });
    const page = await openShop(t, 'widget-iframe-baseurl', setup);
    const frame = await startWidget(page, 'iframe');
    await t.resolveMatch(frame.locator('h1').textContent(), 'Pay ₱500.00');
    t.notOk(names(await widgetEvents(page)).includes('onValidationError'));
  });

  t.test('without frame_mode, run(config, \'POST\') takes the whole window to a script-free Payment Page', async (t) => {
    const config = { ...signedParams('widget-redirect', undefined) };
    const page = await openShop(t, 'widget-redirect', { config, call: 'run', method: 'POST' });
    const response = page.waitForResponse((r) => r.url() === `${sandboxOrigin}/payment` && r.request().method() === 'POST');
    await page.getByRole('button', { name: 'Pay with PayMaya' }).click();
    const answered = await response;
    await page.waitForURL(`${sandboxOrigin}/payment`);
    t.equal(await page.locator('h1').textContent(), 'Pay ₱500.00');
    t.match(answered.headers()['content-security-policy'], /script-src 'none'/);
    t.equal(await page.locator('script').count(), 0, 'no script on the page');
  });

  for (const mode of ['popup', 'iframe', 'embedded'] as const) {
    t.test(`${mode}: screenshots of the open widget at 390 and 1,280 px`, async (t) => {
      for (const viewport of VIEWPORTS) {
        const paymentId = `widget-${mode}-shot-${viewport.width}`;
        const page = await openShop(t, paymentId, setupFor(paymentId, mode), viewport);
        const frame = await startWidget(page, mode);
        await frame.locator('h1').waitFor();
        // The frame reports its height; wait until the shop page has applied it.
        await page.waitForFunction(() => {
          const iframe = document.querySelector('iframe.epw-frame') as HTMLIFrameElement | null;
          return iframe !== null && iframe.style.height !== '';
        });
        const before = Date.now();
        const shot = pngFacts(await keepScreenshot(page, `widget-${mode}-${viewport.width}`));
        t.ok(shot.png, 'the screenshot is a PNG file');
        t.ok(shot.writtenAt >= before - 1_000, 'written by this run');
        t.equal(shot.width, viewport.width, `the screenshot is the page at ${viewport.width} px`);
        t.ok(shot.height >= viewport.height, `and its full height (${shot.height} px)`);
        const box = await page.locator('iframe.epw-frame').boundingBox();
        t.ok(box !== null && box.width <= viewport.width, `the frame fits ${viewport.width} px`);
      }
    });
  }
});
