import t from 'tap';
import ExcelJS from 'exceljs';
import { parse } from 'csv-parse/sync';
import { buildTestSandbox, flush, PROJECT_ID } from '../helpers/sandbox.js';
import { sale, seedPurchase as seedPurchaseWith } from '../helpers/gate-client.js';
import { DashboardClient } from '../helpers/dashboard-client.js';
import type { FastifyInstance } from 'fastify';
import { matchCounted, sameSet } from '../helpers/promises.js';

async function seedPurchase(app: FastifyInstance, paymentId: string, customerId: string) {
  await seedPurchaseWith(app, paymentId, customerId);
  await flush(app);
}

t.test('the Payments list filters, searches and paginates; a bad filter names its field', async (t) => {
  const { app } = await buildTestSandbox(t);
  await seedPurchase(app, 'list-1', 'cust-a');
  await sale(app, 'list-2');
  const client = new DashboardClient(app);
  const all = await client.get('/dashboard/payments');
  t.equal(all.statusCode, 200);
  t.match(all.body, /2 payment\(s\)/);
  t.match(all.headers['x-frame-options'], 'DENY');
  const success = await client.get('/dashboard/payments?status=success');
  t.match(success.body, /1 payment\(s\)/);
  t.match(success.body, /list-1/);
  t.notMatch(success.body, />list-2</);
  t.match((await client.get('/dashboard/payments?q=cust-a')).body, /1 payment\(s\)/);
  t.match((await client.get('/dashboard/payments?from=2026-01-01&to=2026-01-01&method=paymaya&type=purchase')).body, /2 payment\(s\)/);
  t.match((await client.get('/dashboard/payments?from=2026-01-02')).body, /0 payment\(s\)/);
  const bad = await client.get('/dashboard/payments?status=lost&from=yesterday');
  t.equal(bad.statusCode, 400);
  t.match(bad.body, /<li data-field="status"><strong>Status<\/strong>/);
  t.match(bad.body, /<li data-field="from"><strong>From<\/strong>/);
  t.equal((await app.inject({ url: '/dashboard' })).statusCode, 303);
});

t.test('a payment page shows operations, callback attempts, e-mails and due times, and its actions work with the CSRF token only', async (t) => {
  const { app } = await buildTestSandbox(t);
  await sale(app, 'detail-1', { customer: { id: 'c', ip_address: '203.0.113.7', email: 'juan@example.ph' } });
  await flush(app);
  const client = new DashboardClient(app);
  const page = await client.get(`/dashboard/payments/${PROJECT_ID}/detail-1`);
  t.equal(page.statusCode, 200);
  t.match(page.body, /Base time due<\/dt><dd>2026-01-01 00:30:00</);
  t.match(page.body, /Limit time due<\/dt><dd>2026-01-02 00:00:00</);
  t.match(page.body, /sandbox:inbox/);
  const statusOf = async () => ((await app.inject({ url: `/_sandbox/payments/${PROJECT_ID}/detail-1` })).json() as Record<string, any>).payment.status as string;
  const callbacksOf = async () => ((await app.inject({ url: `/_sandbox/callbacks?payment_id=detail-1` })).json() as { callbacks: Array<Record<string, any>> }).callbacks;
  const clockNow = async () => ((await app.inject({ url: `/_sandbox/clock?project_id=${PROJECT_ID}` })).json() as { now: string }).now;
  t.match(page.body, /<h2>Operations<\/h2>[\s\S]*<tr><td>\d+<\/td><td>sale<\/td><td><span class="badge status-awaiting-redirect-result">awaiting redirect result<\/span>\s*<\/td><td class="num">₱500\.00<\/td><td>29999<\/td><td class="wrap">Awaiting processing<\/td>/, 'the sale operation, its status, amount, code and message');
  const [sent] = await callbacksOf();
  const attempt = sent?.attempts?.[0] as Record<string, unknown> | undefined;
  t.ok(attempt, 'the redirect callback was attempted');
  // The dashboard's one date format: 2026-01-01 00:00:00 (UTC).
  const shownAt = String(attempt?.at).replace('T', ' ').replace(/\.\d+Z$/, '');
  t.ok(page.body.includes(`<tr><td>1</td><td class="when">${shownAt}</td><td>${String(attempt?.http_status ?? '—')}</td>`), 'its attempt is listed with its time and answer');
  const forged = await client.post(`/dashboard/payments/${PROJECT_ID}/detail-1/complete`, { outcome: 'scenario:decline-general' }, false);
  t.equal(forged.statusCode, 403, 'no CSRF token, no action');
  t.equal(await statusOf(), 'awaiting redirect result', 'and the payment is unchanged');
  const done = await client.post(`/dashboard/payments/${PROJECT_ID}/detail-1/complete`, { outcome: 'scenario:decline-general' });
  t.equal(done.statusCode, 303);
  t.equal(done.headers.location, `/dashboard/payments/${PROJECT_ID}/detail-1?done=forced`, 'back to the payment, which says what was done');
  t.equal(await statusOf(), 'decline', 'the outcome was forced');
  const after = await client.get(`/dashboard/payments/${PROJECT_ID}/detail-1`);
  t.match(after.body, /id="payment-status"><span class="badge status-decline">decline<\/span>/);
  t.match(after.body, /PayMaya: your payment of ₱500\.00 did not go through/);

  const before = await callbacksOf();
  const final = before.find((c) => c.body.payment.status === 'decline');
  t.ok(final, 'the final callback is in the log');
  t.match(after.body, new RegExp(`/dashboard/callbacks/${final?.id}/replay`), 'the page offers to replay it');
  t.equal((await client.post(`/dashboard/callbacks/${final?.id}/replay`, {}, false)).statusCode, 403, 'no replay without the CSRF token');
  t.equal((await callbacksOf()).length, before.length, 'and nothing was sent again');
  const replayed = await client.post(`/dashboard/callbacks/${final?.id}/replay`, {});
  t.equal(replayed.statusCode, 303);
  t.match(replayed.headers.location, new RegExp(`^/dashboard/payments/${PROJECT_ID}/detail-1\\?done=resent&callback=\\d+&of=${final?.id}$`));
  const replays = (await callbacksOf()).filter((c) => c.kind === 'replay');
  matchCounted(t, replays, [{ replay_of: final?.id, state: 'delivered', body: final?.body }], 'replay sent the same body again, and it was delivered');

  const clockBefore = await clockNow();
  t.equal((await client.post('/dashboard/clock/advance', { seconds: '60', back: `/dashboard/payments/${PROJECT_ID}/detail-1` }, false)).statusCode, 403, 'no clock move without the CSRF token');
  t.equal(await clockNow(), clockBefore, 'and the clock stayed');
  const advanced = await client.post('/dashboard/clock/advance', { seconds: '60', back: `/dashboard/payments/${PROJECT_ID}/detail-1` });
  t.equal(advanced.statusCode, 303);
  t.equal(advanced.headers.location, `/dashboard/payments/${PROJECT_ID}/detail-1?done=advanced&seconds=60`, 'back where the form was, which says what was done');
  t.equal(Date.parse(await clockNow()) - Date.parse(clockBefore), 60_000, 'the clock moved 60 s');
  t.equal((await client.post('/dashboard/clock/advance', { seconds: '-5' })).statusCode, 400);
  t.equal(Date.parse(await clockNow()) - Date.parse(clockBefore), 60_000, 'a refused move moves nothing');
  t.equal((await client.get(`/dashboard/payments/${PROJECT_ID}/nope`)).statusCode, 404);
});

t.test('a single payout from the dashboard is validated like Gate and follows the same flow', async (t) => {
  const { app } = await buildTestSandbox(t);
  await seedPurchase(app, 'buy-1', 'cust-1');
  const client = new DashboardClient(app);
  await client.get('/dashboard/manual');
  const fields = { project_id: String(PROJECT_ID), method: 'paymaya', currency: 'PHP', amount: '15050', customer_id: 'cust-1', account_number: '09171234567', customer_name: 'Juan dela Cruz', payment_id: 'manual-1', description: 'payout' };
  const sent = await client.post('/dashboard/manual/payout', fields);
  t.equal(sent.statusCode, 303);
  const report = (await app.inject({ url: `/_sandbox/payments/${PROJECT_ID}/manual-1` })).json() as Record<string, any>;
  t.match(report.payment, { type: 'payout', interface: 'dashboard', status: 'success', sum: { amount: 15050, currency: 'PHP' } });
  const bad = await client.post('/dashboard/manual/payout', { ...fields, payment_id: 'manual-2', account_number: '12345', amount: 'lots', customer_id: '', customer_name: '', customer_email: 'nope', currency: 'XYZ' });
  t.equal(bad.statusCode, 400);
  const listed = [...bad.body.matchAll(/<li data-field="([^"]+)">(.*?)<\/li>/g)].map((m) => [m[1], m[2]?.replaceAll('&#39;', "'")]);
  t.same(listed, [
    ['payment.amount', '<strong>Amount</strong> must be a whole number of minor units, such as 15050 for 150.50'],
    ['customer.id', '<strong>Customer id</strong> is required'],
    ['customer.email', '<strong>Customer e-mail</strong> must be an e-mail address such as juan@example.ph'],
    ['account.customer_name', '<strong>Customer full name</strong> is required'],
    ['account.number', '<strong>Account number</strong>: PayMaya account number must be 11 digits starting with 09'],
    ['payment.currency', '<strong>Currency</strong>: No conversion rate from XYZ to PHP is configured (currency_rates)'],
  ], 'every problem of the form at once, each naming its field by its label, none in validator wording');
  t.match(bad.body, /Correct these 6 fields/);
  t.notMatch(bad.body, /must NOT have|must match format|Required field not provided/);
  t.match(bad.body, /name="amount" inputmode="numeric" placeholder="10000 = ₱100\.00" value="lots" aria-invalid="true"/, 'the fields are marked');
  const noProject = await client.post('/dashboard/manual/payout', { ...fields, project_id: '999', payment_id: 'manual-3' });
  t.match(noProject.body, /<strong>Project<\/strong>: Choose a project/);
  const manualList = await client.get('/dashboard/manual');
  t.match(manualList.body, /manual-1/);
});

t.test('a CSV mass payout reports bad rows by row and column and turns valid rows into one batch that completes', async (t) => {
  const { app, sandbox } = await buildTestSandbox(t);
  await seedPurchase(app, 'buy-1', 'cust-1');
  const client = new DashboardClient(app);
  await client.get('/dashboard/manual');
  const template = await client.get('/dashboard/manual/template.csv');
  t.match(template.body, /^general\.payment_id,payment\.amount,payment\.currency/);
  const csv = [
    'general.payment_id,payment.amount,payment.currency,customer.id,account.number,account.customer_name',
    'mass-1,10000,PHP,cust-1,09171234567,Juan dela Cruz',
    'mass-2,abc,PHP,cust-1,09171234567,Juan dela Cruz',
    'mass-3,10000,PHP,cust-1,0917,Juan dela Cruz',
    'mass-4,10000,PHP,stranger,09171234567,Pedro',
    'mass-5,10000,PHP,cust-1,09000000000,Juan dela Cruz',
    'mass-1,10000,PHP,cust-1,09171234567,Juan dela Cruz',
  ].join('\n');
  const uploaded = await client.upload('/dashboard/manual/batches', { project_id: String(PROJECT_ID) }, { name: 'payouts.csv', content: csv });
  t.equal(uploaded.statusCode, 303);
  const batchUrl = String(uploaded.headers.location);
  const batchId = /\/dashboard\/manual\/batches\/(\d+)$/.exec(batchUrl)?.[1];
  t.ok(batchId, 'the upload lands on its batch');
  await flush(app);
  const batch = (await sandbox.batches.find(Number(batchId)))!;
  t.match(batch, { total: 6, processed: 3, status: 'done', success: 1, decline: 2, refused: 3, fileName: 'payouts.csv' });
  for (const reload of [await client.get(batchUrl), await client.get(batchUrl)]) {
    t.match(reload.body, /id="batch-status">done/);
    t.match(reload.body, /id="batch-refused">3</, 'the refused rows are counted');
    t.match(reload.body, /Row 3 \(mass-2\): payment\.amount must be a whole number/);
    t.match(reload.body, /Row 4 \(mass-3\): PayMaya account number must be 11 digits starting with 09/);
    t.match(reload.body, /Row 7 \(mass-1\): general\.payment_id &quot;mass-1&quot; is already used by another payment/);
  }
  t.match((await client.get('/dashboard/manual')).body, /<td class="num">1<\/td><td class="num">2<\/td><td class="num">3<\/td>/);
  const allErrors = await client.upload('/dashboard/manual/batches', { project_id: String(PROJECT_ID) }, {
    name: 'row.csv',
    content: 'general.payment_id,payment.amount,payment.currency,customer.id,account.number,account.customer_name\nrow-1,abc,PHP,,0917,\n',
  });
  const rowPage = await client.get(String(allErrors.headers.location));
  t.match(rowPage.body, /Row 2 \(row-1\): payment\.amount must be a whole number; customer\.id is required; account\.customer_name is required; PayMaya account number must be 11 digits starting with 09/, 'every error of a row at once');
  const badHeader = await client.upload('/dashboard/manual/batches', { project_id: String(PROJECT_ID) }, { name: 'x.csv', content: 'colour,size\nred,big' });
  t.equal(badHeader.statusCode, 400);
  t.match(badHeader.body, /Row 1, <code>colour<\/code>: Unknown column/);
  const noCsrf = await new DashboardClient(app).upload('/dashboard/manual/batches', { project_id: String(PROJECT_ID) }, { name: 'x.csv', content: csv });
  t.equal(noCsrf.statusCode, 403);
});

t.test('exports carry the filtered list as CSV and XLSX', async (t) => {
  const { app } = await buildTestSandbox(t);
  await seedPurchase(app, 'exp-1', 'cust-1');
  await sale(app, 'exp-2');
  const client = new DashboardClient(app);
  const csv = await client.get('/dashboard/payments/export.csv?status=success');
  t.equal(csv.statusCode, 200);
  const rows = parse(csv.body, { columns: true }) as Array<Record<string, string>>;
  matchCounted(t, rows, [{ payment_id: 'exp-1', status: 'success', amount: '50000', currency: 'PHP', code: '0' }]);
  t.equal(rows.length, 1);
  const xlsx = await client.get('/dashboard/payments/export.xlsx');
  t.equal(xlsx.headers['content-type'], 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
  const sheet = workbook.getWorksheet('Payments')!;
  t.equal(sheet.rowCount, 3);
  t.equal(sheet.getRow(1).getCell(2).value, 'payment_id');
  sameSet(t, [sheet.getRow(2).getCell(2).value, sheet.getRow(3).getCell(2).value], ['exp-1', 'exp-2'], 'both payments, in either order');
});

t.test('analytics draws counts and amounts per status per day and success rate per method, an error counted as a failure', async (t) => {
  const { app } = await buildTestSandbox(t);
  await seedPurchase(app, 'an-1', 'cust-1');
  await sale(app, 'an-2', { payment: { amount: 10001, currency: 'PHP' } });
  await sale(app, 'an-3', { payment: { amount: 10010, currency: 'PHP' } });
  await flush(app);
  const page = await new DashboardClient(app).get('/dashboard/analytics');
  t.equal(page.statusCode, 200);
  t.match(page.body, /<svg role="img"/);
  t.match(page.body, /<title>2026-01-01 success: 1<\/title>/);
  t.match(page.body, /<title>2026-01-01 external error: 1<\/title>/);
  t.match(page.body, /paymaya: 33\.3% success/);
  t.match(page.body, /<tr><td>paymaya<\/td><td class="num">3<\/td><td class="num">1<\/td><td class="num">1<\/td><td class="num">1<\/td><td class="num">0<\/td><td class="num">33\.3%<\/td><\/tr>/, 'payments, success, decline, error, released holds, rate');
});

t.test('with SANDBOX_ADMIN_TOKEN the dashboard and the control API need it', async (t) => {
  const { app } = await buildTestSandbox(t, { config: { adminToken: 'open-sesame' } });
  const anonymous = await app.inject({ url: '/dashboard/payments' });
  t.equal(anonymous.statusCode, 303);
  t.equal(anonymous.headers.location, '/dashboard/login');
  t.equal((await app.inject({ method: 'POST', url: '/dashboard/manual/payout', payload: 'a=b', headers: { 'content-type': 'application/x-www-form-urlencoded' } })).statusCode, 401);
  const client = new DashboardClient(app);
  await client.get('/dashboard/login');
  t.equal((await client.post('/dashboard/login', { token: 'wrong' })).statusCode, 401);
  const login = await client.post('/dashboard/login', { token: 'open-sesame' });
  t.equal(login.statusCode, 303);
  t.notMatch(String(login.headers['set-cookie']), /open-sesame/, 'the cookie is not the token');
  t.equal((await client.get('/dashboard/payments')).statusCode, 200);
  t.equal((await new DashboardClient(app, { authorization: 'Bearer open-sesame' }).get('/dashboard/payments')).statusCode, 200);
  const control = await app.inject({ url: '/_sandbox/callbacks' });
  t.equal(control.statusCode, 401);
  t.match(control.json(), { status: 'error', code: '303' });
  t.equal((await app.inject({ url: '/_sandbox/callbacks', headers: { authorization: 'Bearer open-sesame' } })).statusCode, 200);
  t.equal((await app.inject({ url: '/_sandbox/health' })).statusCode, 200, 'health stays open for probes');
});
