// Card payments through the checkout widget in a real browser: a shop page on its own origin opens the sandbox's
// card form in a modal, an iframe or embedded in its checkout; 3-D Secure happens on the sandbox bank's page in the
// same frame; the widget's events reach the shop once each. The shop's server is played by the official JS SDK:
// its Payment class signs the widget's parameters, its signer the Gate's capture and refund, and its Callback
// verifies every callback.
import t, { type Test } from 'tap';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import type { Browser, FrameLocator, Page } from 'playwright-core';
import { buildTestSandbox, flush, PROJECT_ID, SECRET } from '../helpers/sandbox.js';
import { startReceiver } from '../helpers/receiver.js';
import { post, SdkCallback, signed } from '../helpers/gate-client.js';
import { browserSkipReason, keepScreenshot, launchBrowser } from '../helpers/browser.js';
import { startShopPages, widgetEvent, widgetEvents, type CheckoutSetup, type RecordedEvent } from '../helpers/shop-page.js';
import { matchCounted } from '../helpers/promises.js';

const require = createRequire(import.meta.url);
const { Payment } = require('ecommpay') as { Payment: new (projectId: number, secret: string, params?: object, base?: string) => Record<string, any> & { getUrl(): string; params: Record<string, unknown> } };

type Mode = 'popup' | 'iframe' | 'embedded';

const FRAME = { popup: '.epw-overlay iframe', iframe: '#ecommpay-iframe iframe', embedded: '#ecommpay-iframe-embedded iframe' } as const;
const CHALLENGE_CARD = { pan: '4314 2200 0000 0056', expiry: '12/30', cvv: '123', holder: 'Juan dela Cruz' };

t.test('card payments through the checkout widget, in a real browser with JavaScript on', { skip: browserSkipReason }, async (t) => {
  const { app } = await buildTestSandbox(t);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const sandboxOrigin = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const shop = await startShopPages(t, sandboxOrigin);
  const receiver = await startReceiver(t);
  const browser: Browser = await launchBrowser(t);

  /** The widget's configuration: parameters signed by the SDK's Payment class, then the unsigned frame_mode. */
  function setupFor(paymentId: string, mode: Mode, extra: Record<string, unknown> = {}): CheckoutSetup {
    const payment = new Payment(PROJECT_ID, SECRET, {}, sandboxOrigin);
    payment.paymentId = paymentId;
    payment.paymentAmount = 50000;
    payment.paymentCurrency = 'PHP';
    payment.customerId = 'customer-7';
    payment.paymentDescription = 'Two mangoes';
    payment.forcePaymentMethod = 'card';
    payment.merchantCallbackUrl = receiver.url;
    if (mode === 'popup') payment.closeOnMissclick = true;
    if (mode === 'iframe') payment.targetElement = 'ecommpay-iframe';
    if (mode === 'embedded') payment.targetElement = 'ecommpay-iframe-embedded';
    for (const [key, value] of Object.entries(extra)) payment.params[key] = value;
    const signature = new URL(payment.getUrl()).searchParams.get('signature') as string;
    const config = { ...payment.params, signature, frame_mode: mode };
    if (mode === 'embedded') return { config, call: 'runEmbedded', method: 'POST' };
    return { config, call: mode === 'popup' ? 'bind' : 'run', method: 'POST', button: 'Pay by card' };
  }

  async function openShop(t: Test, name: string, setup: CheckoutSetup, viewport = { width: 1280, height: 900 }): Promise<Page> {
    const context = await browser.newContext({ viewport });
    t.teardown(() => context.close());
    const page = await context.newPage();
    page.on('pageerror', (error) => t.fail(`script error on ${name}: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) t.fail(`console error on ${name}: ${message.text()}`);
    });
    await page.goto(shop.checkout(name, setup));
    return page;
  }

  async function startWidget(page: Page, mode: Mode): Promise<FrameLocator> {
    if (mode !== 'embedded') await page.getByRole('button', { name: 'Pay by card' }).click();
    await widgetEvent(page, 'onLoaded');
    return page.frameLocator(FRAME[mode]);
  }

  async function typeCard(frame: FrameLocator, card: typeof CHALLENGE_CARD): Promise<void> {
    await frame.getByLabel('Card number').fill(card.pan);
    await frame.getByLabel('Expiry (MM/YY)').fill(card.expiry);
    await frame.getByLabel('CVV').fill(card.cvv);
    await frame.getByLabel('Name on the card').fill(card.holder);
  }

  /** The callbacks of a payment, each verified by the SDK's Callback (it throws on a bad signature). */
  async function callbacksOf(paymentId: string): Promise<Array<Record<string, any>>> {
    await flush(app);
    return receiver.received.map((r) => new SdkCallback(SECRET, r.body).callback).filter((c) => c.payment.id === paymentId);
  }

  const names = (events: RecordedEvent[]) => events.map((e) => e.name);
  const count = (events: RecordedEvent[], name: string) => events.filter((e) => e.name === name).length;

  t.test('iframe: an auth with a challenge card, a wrong code then 1234 at the bank, fires onPaymentSent and onPaymentSuccess once; the shop captures part and refunds part through the Gate', async (t) => {
    const paymentId = 'widget-card-auth';
    const page = await openShop(t, paymentId, setupFor(paymentId, 'iframe', { operation_type: 'auth' }));
    const frame = await startWidget(page, 'iframe');
    await t.resolveMatch(frame.locator('h1').textContent(), 'Authorise ₱500.00 by card');
    await typeCard(frame, CHALLENGE_CARD);
    await frame.getByRole('button', { name: 'Authorise ₱500.00' }).click();
    await frame.getByLabel('One-time code').waitFor();
    const sent = await widgetEvent(page, 'onPaymentSent');
    t.match(sent.args[0], { project_id: PROJECT_ID, payment_id: paymentId, status: 'awaiting 3ds result', amount: 50000, currency: 'PHP' });
    await frame.getByLabel('One-time code').fill('9999');
    await frame.getByRole('button', { name: 'Approve' }).click();
    await t.resolveMatch(frame.getByRole('alert').textContent(), /Wrong code: 2 tries left/);
    await frame.getByLabel('One-time code').fill('1234');
    await frame.getByRole('button', { name: 'Approve' }).click();
    const success = await widgetEvent(page, 'onPaymentSuccess');
    t.match(success.args[0], { payment_id: paymentId, status: 'awaiting capture', code: '0', amount: 50000, currency: 'PHP' }, 'a hold is a success for the shop');
    await t.resolveMatch(frame.locator('h1').textContent(), 'Payment authorised');
    await t.resolveMatch(frame.locator('main').textContent(), /Card: Visa 431422\*{6}0056/);
    const events = await widgetEvents(page);
    t.same(names(events), [
      'onLoaded', 'onShowLoader', 'onHideLoader', 'onPaymentSent',
      'onShowLoader', 'onHideLoader',
      'onShowLoader', 'onHideLoader', 'onPaymentSuccess',
    ], 'the wrong code reloads the bank\'s page without a second onPaymentSent');
    t.equal(count(events, 'onPaymentFail'), 0);

    // The shop's server: captures 300.00 of the 500.00 held, then refunds 100.00 of it, each body signed by the SDK.
    const capture = await post(app, '/v2/payment/card/capture', signed({ general: { project_id: PROJECT_ID, payment_id: paymentId }, payment: { amount: 30000, currency: 'PHP' } }));
    t.match(capture, { status: 200, body: { status: 'success', payment_id: paymentId, request_id: /-00000002$/ } });
    const refund = await post(app, '/v2/payment/card/refund', signed({ general: { project_id: PROJECT_ID, payment_id: paymentId }, payment: { amount: 10000, currency: 'PHP', description: 'one mango back', merchant_refund_id: 'refund-1' } }));
    t.match(refund, { status: 200, body: { status: 'success', payment_id: paymentId, request_id: /-00000003$/ } });
    const callbacks = await callbacksOf(paymentId);
    // The Gate-style `awaiting 3ds result` callback (the sandbox sends it on the Payment Page too) is not a result.
    const results = callbacks.filter((c) => c.payment.status !== 'awaiting 3ds result');
    t.same(results.map((c) => [c.operation.type, c.operation.status, c.payment.status, c.payment.sum.amount, c.operation.sum_initial.amount]), [
      ['auth', 'success', 'awaiting capture', 50000, 50000],
      ['capture', 'success', 'success', 30000, 30000],
      ['refund', 'success', 'partially refunded', 20000, 10000],
    ], 'the hold, the captured amount, then what is left after the refund');
    t.match(results[0], { payment: { method: 'card' }, account: { number: '431422******0056', type: 'visa', card_holder: 'JUAN DELA CRUZ' }, operation: { eci: '05' } });
    t.match(results[2], { payment: { merchant_refund_id: 'refund-1' } });
    const status = await post(app, '/v2/payment/status', signed({ general: { project_id: PROJECT_ID, payment_id: paymentId } }));
    t.match(status.body, { payment: { status: 'partially refunded', sum: { amount: 20000 } } });
    t.same(names(await widgetEvents(page)), names(events), 'nothing the shop\'s server did reached the widget again');
  });

  for (const [mode, viewport] of [['popup', { width: 390, height: 844 }], ['embedded', { width: 390, height: 844 }]] as const) {
    t.test(`${mode} at 390 px: a sale with the challenge card through the bank's page fires onPaymentSent and onPaymentSuccess once and sends one signed success`, async (t) => {
      const paymentId = `widget-card-${mode}`;
      const page = await openShop(t, paymentId, setupFor(paymentId, mode), viewport);
      const frame = await startWidget(page, mode);
      if (mode === 'embedded') {
        t.equal(await frame.getByRole('button').count(), 0, 'the embedded card form has no button of its own');
        await page.getByRole('button', { name: 'Place order' }).click();
        const refused = await widgetEvent(page, 'onValidationError');
        t.same(refused.args[0], { pan: 'Enter the card number', expiry: 'Enter the expiry as MM/YY', cvv: 'Enter the CVV: the 3 or 4 digits on the card', card_holder: 'Enter the name as it is on the card' });
        matchCounted(t, refused.args[1], { code: '2004', errors: [{ code: '2004', field: 'pan' }, { code: '2004', field: 'expiry' }, { code: '3141', field: 'cvv' }, { code: '3162', field: 'card_holder' }] });
        t.equal(await frame.getByLabel('Card number').getAttribute('aria-invalid'), 'true', 'the frame marks the field too');
        await typeCard(frame, CHALLENGE_CARD);
        t.equal(await frame.locator('[aria-invalid]').count(), 0, 'a field the customer changed is no longer marked');
        await keepScreenshot(page, 'widget-card-form-embedded-390');
        await page.getByRole('button', { name: 'Place order' }).click();
        const check = await widgetEvent(page, 'onCheckSubmit');
        t.match(check.args[0], { payment_id: paymentId, method: 'card' });
      } else {
        await typeCard(frame, CHALLENGE_CARD);
        await keepScreenshot(page, 'widget-card-form-popup-390');
        await frame.getByRole('button', { name: 'Pay ₱500.00' }).click();
      }
      await frame.getByLabel('One-time code').waitFor();
      await widgetEvent(page, 'onPaymentSent');
      await keepScreenshot(page, `widget-acs-${mode}-390`);
      await frame.getByLabel('One-time code').fill('1234');
      // Embedded, the shop's own button approves on the bank's page as it sent the card form.
      if (mode === 'embedded') await page.getByRole('button', { name: 'Place order' }).click();
      else await frame.getByRole('button', { name: 'Approve' }).click();
      const success = await widgetEvent(page, 'onPaymentSuccess');
      t.match(success.args[0], { payment_id: paymentId, status: 'success', code: '0' });
      await t.resolveMatch(frame.locator('h1').textContent(), 'Payment successful');
      await keepScreenshot(page, `widget-card-result-${mode}-390`);
      const events = await widgetEvents(page);
      for (const name of ['onLoaded', 'onPaymentSent', 'onPaymentSuccess']) t.equal(count(events, name), 1, `${name} once`);
      t.equal(count(events, 'onPaymentFail'), 0);
      if (mode === 'embedded') t.equal(count(events, 'onCheckSubmit'), 1, 'the shop is asked once, for the card form only');
      const results = (await callbacksOf(paymentId)).filter((c) => c.payment.status !== 'awaiting 3ds result');
      matchCounted(t, results, [{ payment: { status: 'success', sum: { amount: 50000 } }, operation: { type: 'sale', status: 'success' } }]);
      t.equal(results.length, 1);
      const box = await page.locator('iframe.epw-frame').boundingBox();
      t.ok(box !== null && box.width <= viewport.width, 'the frame fits the phone');
    });
  }

  t.test('iframe: a declined card goes straight to the result and fires onPaymentSent and onPaymentFail once with the card\'s code', async (t) => {
    const paymentId = 'widget-card-decline';
    const page = await openShop(t, paymentId, setupFor(paymentId, 'iframe'));
    const frame = await startWidget(page, 'iframe');
    await typeCard(frame, { ...CHALLENGE_CARD, pan: '4111111111111111' });
    await frame.getByRole('button', { name: 'Pay ₱500.00' }).click();
    const fail = await widgetEvent(page, 'onPaymentFail');
    t.match(fail.args[0], { payment_id: paymentId, status: 'decline', code: '10000' });
    t.same(names(await widgetEvents(page)), ['onLoaded', 'onShowLoader', 'onHideLoader', 'onPaymentSent', 'onPaymentFail']);
    matchCounted(t, await callbacksOf(paymentId), [{ payment: { status: 'decline' }, operation: { code: '10000' } }]);
  });

  t.test('iframe: a card the server refuses (expired on the sandbox clock) shows its problems in the frame and raises onValidationError with 3021; nothing is sent', async (t) => {
    const paymentId = 'widget-card-expired';
    const page = await openShop(t, paymentId, setupFor(paymentId, 'iframe'));
    const frame = await startWidget(page, 'iframe');
    await typeCard(frame, { ...CHALLENGE_CARD, pan: '4242424242424242', expiry: '01/21' });
    await frame.getByRole('button', { name: 'Pay ₱500.00' }).click();
    const refused = await widgetEvent(page, 'onValidationError');
    t.same(refused.args[0], { expiry: 'The card expired at the end of 01/2021' });
    matchCounted(t, refused.args[1], { code: '3021', errors: [{ code: '3021', field: 'expiry' }] });
    await t.resolveMatch(frame.locator('#expiry-error').textContent(), 'The card expired at the end of 01/2021');
    t.equal(await frame.getByLabel('Card number').inputValue(), '', 'the number is not filled in again');
    t.notOk(names(await widgetEvents(page)).includes('onPaymentSent'));
    t.equal((await app.inject({ url: `/_sandbox/payments/${PROJECT_ID}/${paymentId}` })).statusCode, 404, 'no payment');
  });

  for (const mode of ['popup', 'iframe', 'embedded'] as const) {
    t.test(`${mode}: the Google Pay sheet pays with its first card and fires onPaymentSent and onPaymentSuccess once`, async (t) => {
      const paymentId = `widget-sheet-${mode}`;
      const page = await openShop(t, paymentId, setupFor(paymentId, mode, { force_payment_method: 'google_pay_host' }));
      const frame = await startWidget(page, mode);
      await t.resolveMatch(frame.locator('.brand').textContent(), 'Google Pay (sandbox)');
      if (mode === 'embedded') {
        t.equal(await frame.getByRole('button').count(), 0, 'the embedded sheet has no button of its own');
        await page.getByRole('button', { name: 'Place order' }).click();
        await widgetEvent(page, 'onCheckSubmit');
      } else {
        await frame.getByRole('button', { name: 'Pay with Google Pay' }).click();
      }
      const success = await widgetEvent(page, 'onPaymentSuccess');
      t.match(success.args[0], { payment_id: paymentId, status: 'success', code: '0' });
      const events = await widgetEvents(page);
      for (const name of ['onPaymentSent', 'onPaymentSuccess']) t.equal(count(events, name), 1, `${name} once`);
      matchCounted(t, await callbacksOf(paymentId), [{ payment: { method: 'etoken-google', status: 'success' }, account: { number: '400000******0077', card_holder: 'GOOGLEPAY USER' } }]);
    });
  }
});
