import t from 'tap';
import ExcelJS from 'exceljs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { buildTestSandbox, flush, PROJECT_ID, tempDir } from '../helpers/sandbox.js';
import { sale } from '../helpers/gate-client.js';
import { browserSkipReason, keepScreenshot, launchBrowser } from '../helpers/browser.js';

t.test('the dashboard in a real browser', { skip: browserSkipReason }, async (t) => {
  const { app } = await buildTestSandbox(t);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const baseUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  await sale(app, 'seed-1', { customer: { id: 'cust-1', ip_address: '203.0.113.7', email: 'cust-1@example.ph' } });
  await app.inject({ method: 'POST', url: `/_sandbox/payments/${PROJECT_ID}/seed-1/complete`, payload: { status: 'success' } });
  const browser = await launchBrowser(t);
  const context = await browser.newContext({ javaScriptEnabled: false, acceptDownloads: true });
  t.teardown(() => context.close());
  const page = await context.newPage();

  t.test('upload a CSV of payouts, watch the batch complete, export the list as XLSX and read its rows', async (t) => {
    const dir = tempDir(t);
    const csvPath = join(dir, 'payouts.csv');
    writeFileSync(csvPath, [
      'general.payment_id,payment.amount,payment.currency,customer.id,account.number,account.customer_name',
      'csv-1,10000,PHP,cust-1,09171234567,Juan dela Cruz',
      'csv-2,20000,PHP,cust-1,09000000000,Juan dela Cruz',
      'csv-3,12.5,PHP,cust-1,09171234567,Juan dela Cruz',
    ].join('\n'));
    await page.goto(`${baseUrl}/dashboard/manual`);
    await keepScreenshot(page, 'dashboard-manual');
    await page.locator('form[action="/dashboard/manual/batches"] select[name="project_id"]').selectOption(String(PROJECT_ID));
    await page.getByLabel('CSV file').setInputFiles(csvPath);
    await page.getByRole('button', { name: 'Upload' }).click();
    await page.waitForURL(/\/dashboard\/manual\/batches/);
    t.match(await page.getByRole('alert').textContent(), /Row 4 \(csv-3\): payment\.amount must be a whole number/);
    await flush(app);
    await page.getByRole('link', { name: 'Refresh' }).click();
    t.equal(await page.locator('#batch-status').textContent(), 'done');
    t.equal(await page.locator('#batch-success').textContent(), '1');
    t.equal(await page.locator('#batch-decline').textContent(), '1');
    t.equal(await page.locator('#batch-refused').textContent(), '1');
    await keepScreenshot(page, 'dashboard-batch');

    await page.goto(`${baseUrl}/dashboard/payments?type=payout`);
    await keepScreenshot(page, 'dashboard-payments');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'XLSX' }).click()]);
    const xlsxPath = join(dir, 'payments.xlsx');
    await download.saveAs(xlsxPath);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(xlsxPath);
    const sheet = workbook.getWorksheet('Payments')!;
    const ids = [2, 3].map((n) => String(sheet.getRow(n).getCell(2).value)).sort();
    t.same(ids, ['csv-1', 'csv-2']);
    const statuses = [2, 3].map((n) => String(sheet.getRow(n).getCell(5).value)).sort();
    t.same(statuses, ['decline', 'success']);
  });

  t.test('a payment page lets a QA engineer force an outcome and see the callbacks', async (t) => {
    await sale(app, 'qa-1');
    await flush(app);
    await page.goto(`${baseUrl}/dashboard/payments/${PROJECT_ID}/qa-1`);
    await page.getByLabel('Force an outcome').selectOption('decline:20105');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL(`${baseUrl}/dashboard/payments/${PROJECT_ID}/qa-1?done=forced`);
    t.equal((await page.locator('#payment-status').textContent())?.trim(), 'decline', 'the forced outcome is the payment\'s status');
    t.match(await page.getByRole('row').filter({ hasText: 'Insufficient funds on customer account' }).textContent(), /decline\s*₱500\.00\s*20105/, 'the operation shows its status, amount and code');
    const callbacks = page.locator('article.callback');
    t.equal(await callbacks.count(), 2, 'the redirect callback, then the final one');
    const final = callbacks.filter({ hasText: 'final' });
    t.equal(await final.count(), 1, 'one final callback');
    t.match(await final.locator('h3').textContent(), /final\s+delivered\s+→ sandbox:inbox/, 'delivered, to the inbox');
    t.equal(await final.locator('tbody tr').count(), 1, 'one attempt');
    const body = JSON.parse(String(await final.locator('pre').textContent())) as Record<string, unknown>;
    t.match(body, { payment: { id: 'qa-1', status: 'decline' }, operation: { status: 'decline', code: '20105' } }, 'its body carries the forced outcome');
    t.match(await page.getByRole('status').textContent(), /^Outcome forced: the sale ended in decline 20105/, 'the page says what was done');
    await keepScreenshot(page, 'dashboard-payment');
    await page.goto(`${baseUrl}/dashboard/analytics`);
    t.ok(await page.locator('svg[role="img"]').count() >= 3);
    await keepScreenshot(page, 'dashboard-analytics');
  });
});
