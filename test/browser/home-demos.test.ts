import t from 'tap';
import type { AddressInfo } from 'node:net';
import { buildTestSandbox } from '../helpers/sandbox.js';
import { browserSkipReason, keepScreenshot, launchBrowser } from '../helpers/browser.js';

const VIEWPORTS = [{ width: 390, height: 844 }, { width: 1280, height: 800 }] as const;

t.test('the home page\'s demo orders in a real browser, at 390 and 1,280 px', { skip: browserSkipReason }, async (t) => {
  // The built-in project on the manual clock, as `SANDBOX_CLOCK=manual npm start` runs it.
  const { app } = await buildTestSandbox(t, { config: { projects: [{ project_id: 1, secret_key: 'sandbox-secret' }] } });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const browser = await launchBrowser(t);

  for (const viewport of VIEWPORTS) {
    t.test(`${viewport.width} px: the time-out demo, followed from the home page to its result (20602)`, async (t) => {
      const context = await browser.newContext({ viewport });
      t.teardown(() => context.close());
      const home = await context.newPage();
      await home.goto(`${base}/`);
      const demos = home.getByRole('list', { name: 'Try an outcome' });
      for (const label of ['A success', 'A decline with its reason', 'Try again', 'An error outcome', 'A time-out']) {
        t.equal(await demos.getByRole('link', { name: label, exact: true }).count(), 1, `the demo "${label}"`);
      }
      const width = await home.evaluate(() => document.documentElement.scrollWidth);
      t.ok(width <= viewport.width, `the home page fits ${viewport.width} px (${width})`);
      await keepScreenshot(home, `home-demos-${viewport.width}`);

      // The order opens in a new tab; the customer continues to the wallet and leaves it there.
      const [order] = await Promise.all([context.waitForEvent('page'), demos.getByRole('link', { name: 'A time-out' }).click()]);
      await order.waitForLoadState();
      await order.getByRole('button', { name: 'Continue' }).click();
      await order.waitForURL(/\/paymaya\/checkout/);
      t.equal(await order.getByRole('button', { name: 'Pay' }).count(), 1, 'the customer is at the wallet');

      await home.getByRole('button', { name: 'Advance to the limit time' }).click();
      await home.waitForURL(/\/payment\/result/);
      t.equal(await home.locator('h1').textContent(), 'Payment declined');
      t.match(await home.locator('#decline-reason').textContent(), /^Reason: 20602 /, 'declined at the limit time: 20602');
      t.equal(await home.getByRole('link', { name: 'home' }).getAttribute('href'), '/', 'the result leads home (no return URL given)');
      const resultWidth = await home.evaluate(() => document.documentElement.scrollWidth);
      t.ok(resultWidth <= viewport.width, `the result fits ${viewport.width} px (${resultWidth})`);
      await keepScreenshot(home, `home-timeout-result-${viewport.width}`);

      // The wallet tab kept open leads to the same result rather than taking a payment that has ended.
      await order.getByLabel('Mobile number').fill('09171234567');
      await order.getByRole('button', { name: 'Pay' }).click();
      await order.waitForURL(/\/payment\/result/);
      t.equal(await order.locator('h1').textContent(), 'Payment declined', 'the stale wallet form leads to the result');
    });
  }
});
