// The dashboard's polish in a real browser at 390 and 1,280 px: the payment list's filters fold on a phone, the
// conformance report scrolls inside its card, and the pages changed for it fit the window (screenshots kept).
import t, { type Test } from 'tap';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { buildTestSandbox, flush, PROJECT_ID } from '../helpers/sandbox.js';
import { sale, seedPurchase } from '../helpers/gate-client.js';
import { DashboardClient } from '../helpers/dashboard-client.js';
import { startReceiver } from '../helpers/receiver.js';
import { browserSkipReason, keepScreenshot, launchBrowser } from '../helpers/browser.js';

const WIDTHS = [390, 1280] as const;

t.test('the polished dashboard at 390 px and 1,280 px', { skip: browserSkipReason }, async (t) => {
  const { app } = await buildTestSandbox(t);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  await seedPurchase(app, 'shop-order-0001', 'customer-1');
  await sale(app, 'shop-order-0002');
  await flush(app);
  const client = new DashboardClient(app);
  await client.get('/dashboard/manual');
  const upload = await client.upload('/dashboard/manual/batches', { project_id: String(PROJECT_ID) }, {
    name: 'payouts.csv',
    content: ['general.payment_id;payment.amount;payment.currency;customer.id;account.number;account.customer_name', 'csv-0001;10000;PHP;customer-1;09171234567;Juan dela Cruz'].join('\n'),
  });
  const batchId = String(upload.headers.location).split('/').pop() as string;
  await flush(app);
  // A shop that answers 200 to everything, forged callbacks too: a report with failed cases and long reasons.
  // The kit's forged callbacks are meant to break the contract: this receiver does not check them against it.
  const shop = await startReceiver(t, [], { contract: false });
  const run = await client.post('/dashboard/conformance', { project_id: String(PROJECT_ID), callback_url: shop.url, probe_url: '' });
  const reportPath = String(run.headers.location);
  const forced = await client.post(`/dashboard/payments/${PROJECT_ID}/shop-order-0002/complete`, { outcome: 'decline:20105' });

  const browser = await launchBrowser(t);
  // One page per width, reused: a new browser context per visit costs more than the visit.
  const tabs = new Map<number, Page>();
  async function open(width: number, path: string): Promise<Page> {
    let page = tabs.get(width);
    if (page === undefined) {
      const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width, height: 900 } });
      t.teardown(() => context.close());
      page = await context.newPage();
      tabs.set(width, page);
    }
    await page.goto(`${base}${path}`);
    return page;
  }
  async function assertNoOverflow(t: Test, page: Page, what: string): Promise<void> {
    const { scrollWidth, innerWidth } = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth }));
    t.ok(scrollWidth <= innerWidth, `${what}: ${scrollWidth} px of content in a ${innerWidth} px window`);
  }

  const pages = [
    { name: 'payments', path: '/dashboard/payments' },
    { name: 'payments-refused-filter', path: '/dashboard/payments?project_id=abc&status=success' },
    { name: 'payments-of-batch', path: `/dashboard/payments?batch=${batchId}` },
    { name: 'payment-forced', path: String(forced.headers.location) },
    { name: 'batch-missing', path: '/dashboard/manual/batches/99' },
    { name: 'manual', path: '/dashboard/manual' },
    { name: 'inbox', path: '/dashboard/inbox' },
    { name: 'analytics', path: '/dashboard/analytics' },
    { name: 'conformance', path: '/dashboard/conformance' },
    { name: 'conformance-report', path: reportPath },
  ];

  for (const width of WIDTHS) {
    t.test(`at ${width} px every changed page fits the window`, async (t) => {
      for (const { name, path } of pages) {
        const page = await open(width, path);
        await keepScreenshot(page, `polish-${name}-${width}`);
        await assertNoOverflow(t, page, name);
      }
    });

    t.test(`at ${width} px the payment list's filters ${width < 600 ? 'fold under "Filters"' : 'are open'}`, async (t) => {
      const page = await open(width, '/dashboard/payments');
      const summary = page.locator('details.fold > summary');
      const project = page.getByLabel('Project');
      if (width < 600) {
        t.ok(await summary.isVisible(), 'a "Filters" summary');
        t.notOk(await project.isVisible(), 'the filters folded away');
        const folded = await summary.boundingBox();
        const table = await page.locator('table').boundingBox();
        const gap = (table?.y ?? 1000) - ((folded?.y ?? 0) + (folded?.height ?? 0));
        t.ok(gap < 100, `the list follows the folded filters (${Math.round(gap)} px below)`);
        await summary.click();
        t.ok(await project.isVisible(), 'a tap opens them');
        await keepScreenshot(page, `polish-payments-filters-open-${width}`);
        const filtered = await open(width, '/dashboard/payments?status=success');
        t.ok(await filtered.getByLabel('Project').isVisible(), 'open while a filter is applied');
        t.equal(await filtered.locator('details.fold > summary').textContent(), 'Filters (1 applied)');
      } else {
        t.notOk(await summary.isVisible(), 'no summary on a wide screen');
        t.ok(await project.isVisible(), 'the filters shown');
      }
    });

    t.test(`at ${width} px the conformance report's table ${width < 600 ? 'scrolls inside its card' : 'fits its card'}, and the URL fields are wide`, async (t) => {
      const page = await open(width, reportPath);
      await assertNoOverflow(t, page, 'conformance report');
      const wrap = await page.locator('.table-wrap').first().evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth }));
      if (width < 600) t.ok(wrap.scroll > wrap.client, `the table scrolls inside: ${wrap.scroll} px in ${wrap.client} px`);
      else t.ok(wrap.scroll <= wrap.client, `the table fits: ${wrap.scroll} px in ${wrap.client} px`);
      const form = await open(width, '/dashboard/conformance');
      await assertNoOverflow(t, form, 'conformance form');
      const probe = form.locator('input[name="probe_url"]');
      await probe.fill('http://localhost:3000/orders/{payment_id}');
      const box = await probe.evaluate((el: HTMLInputElement) => ({ fits: el.scrollWidth <= el.clientWidth, width: el.clientWidth, form: el.closest('form')?.clientWidth ?? 0 }));
      t.ok(box.width >= box.form * 0.9, `the URL field takes the form's width (${box.width} of ${box.form} px)`);
      if (width >= 600) t.ok(box.fits, 'a probe URL with {payment_id} shows whole');
    });
  }
});
