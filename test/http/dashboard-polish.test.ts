// The dashboard reads well to a tester: errors inside the layout with the form kept, uploads that say what is
// wrong with a file, one date format, analytics without odd numbers, payouts in one unit, what an action did at
// the top of the page, and who is logged in, with the callback inbox.
import t from 'tap';
import { buildTestSandbox, flush, PROJECT_ID } from '../helpers/sandbox.js';
import { sale, seedPurchase } from '../helpers/gate-client.js';
import { DashboardClient } from '../helpers/dashboard-client.js';
import { startReceiver } from '../helpers/receiver.js';
import { atLeast } from '../helpers/promises.js';

const ADMIN = 'admin-token-of-the-polish-tests';

/** The text of the page's first h1. */
const heading = (body: string) => /<h1[^>]*>([\s\S]*?)<\/h1>/.exec(body)?.[1]?.replace(/<[^>]+>/g, '').trim();
const inLayout = (body: string) => body.includes('<nav class="dash-nav"');

t.test('errors show inside the dashboard layout with the form kept and a heading that says what happened', async (t) => {
  const { app } = await buildTestSandbox(t, { config: { adminToken: ADMIN } });
  const created = await app.inject({ method: 'POST', url: '/_sandbox/projects', headers: { authorization: `Bearer ${ADMIN}` }, payload: { project_id: 7101, secret_key: 's-7101' } });
  const projectToken = (created.json() as { control_token: string }).control_token;
  const admin = new DashboardClient(app);
  await admin.get('/dashboard/login');
  await admin.post('/dashboard/login', { token: ADMIN });

  const typed = await admin.get('/dashboard/payments?project_id=abc&status=success&q=order-7');
  t.equal(typed.statusCode, 400);
  t.ok(inLayout(typed.body), 'a bad filter: inside the layout');
  t.equal(heading(typed.body), 'Payments');
  t.match(typed.body, /Nothing was listed: the filter has a value that is not accepted/);
  t.match(typed.body, /<strong>Project<\/strong>: A project id is a whole number, such as 1/);
  t.notMatch(typed.body, /Error 2004|Required field not provided/, 'no bare code for a typing slip');
  t.match(typed.body, /name="project_id" inputmode="numeric" value="abc" aria-invalid="true"/, 'the form kept, the field marked');
  t.match(typed.body, /<option selected>success<\/option>/);
  t.match(typed.body, /name="q" value="order-7"/);
  const analytics = await admin.get('/dashboard/analytics?project_id=abc&from=2026-01-01');
  t.equal(analytics.statusCode, 400);
  t.ok(inLayout(analytics.body));
  t.match(analytics.body, /Nothing was counted/);
  t.match(analytics.body, /name="from" type="date" value="2026-01-01"/);

  const batch = await admin.get('/dashboard/manual/batches/99');
  t.equal(batch.statusCode, 404);
  t.ok(inLayout(batch.body), 'a missing batch: inside the layout');
  t.equal(heading(batch.body), 'Not found: No batch 99');
  t.notMatch(batch.body, /Transaction not found/, 'not the code table\'s words for a payment');
  t.match(batch.body, /<a href="\/dashboard\/manual">Back to Manual payments<\/a>/);
  const payment = await admin.get(`/dashboard/payments/${PROJECT_ID}/nobody`);
  t.equal(payment.statusCode, 404);
  t.equal(heading(payment.body), `Not found: No payment &quot;nobody&quot; in project ${PROJECT_ID}`);

  const project = new DashboardClient(app);
  await project.get('/dashboard/login');
  await project.post('/dashboard/login', { token: projectToken });
  const other = await project.get(`/dashboard/payments?project_id=${PROJECT_ID}`);
  t.equal(other.statusCode, 404);
  t.ok(inLayout(other.body), 'another project: inside the layout');
  t.match(other.body, /<strong>Project<\/strong>: No project 445/);
  t.match(other.body, /value="445" aria-invalid="true"/);
  const expired = await admin.post('/dashboard/clock/advance', { seconds: '5', csrf: 'stale-token-from-another-tab-0000000' });
  t.equal(expired.statusCode, 403);
  t.equal(heading(expired.body), 'The form expired: nothing was done');
});

t.test('analytics: the count axis has whole numbers only, and a method with no finished payments shows "—"', async (t) => {
  const { app } = await buildTestSandbox(t);
  // 40 payments in a day: the axis runs 0–40 in tens, which the default format wrote as 1e+1 … 4e+1.
  for (let n = 0; n < 40; n += 1) await sale(app, `axis-${n}`);
  await flush(app);
  const page = await new DashboardClient(app).get('/dashboard/analytics');
  t.equal(page.statusCode, 200);
  const countChart = page.body.slice(page.body.indexOf('id="chart-count"'), page.body.indexOf('id="chart-amount"'));
  const labels = [...countChart.matchAll(/<text x="[\d.]+" y="[\d.]+" text-anchor="end">([^<]*)<\/text>/g)].map((m) => m[1]);
  t.same(labels, ['0', '10', '20', '30', '40']);
  t.match(page.body, /<td>paymaya<\/td><td class="num">40<\/td><td class="num">0<\/td><td class="num">0<\/td><td class="num">0<\/td><td class="num">0<\/td><td class="num">—<\/td>/, 'no finished payment (payments, success, decline, error, released hold): no rate');
  t.notMatch(page.body, /0\.0%/);
  t.match(page.body, /<title>paymaya: no finished payments yet<\/title>—/);

  const few = await buildTestSandbox(t);
  await seedPurchase(few.app, 'few-1', 'c');
  await sale(few.app, 'few-2');
  await sale(few.app, 'few-3');
  await flush(few.app);
  const small = await new DashboardClient(few.app).get('/dashboard/analytics');
  const smallChart = small.body.slice(small.body.indexOf('id="chart-count"'), small.body.indexOf('id="chart-amount"'));
  const smallLabels = [...smallChart.matchAll(/text-anchor="end">([^<]*)<\/text>/g)].map((m) => m[1]);
  t.same(smallLabels, ['0', '1', '2', '3'], 'no half payments on the axis');
});

t.test('one date format on every page: the header, the list and the payment page all write 2026-01-01 00:00:00', async (t) => {
  const { app } = await buildTestSandbox(t);
  await sale(app, 'dates-1');
  await flush(app);
  const client = new DashboardClient(app);
  const list = await client.get('/dashboard/payments');
  const detail = await client.get(`/dashboard/payments/${PROJECT_ID}/dates-1`);
  const iso = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;
  for (const [name, body] of [['list', list.body], ['detail', detail.body]] as const) {
    // What a person reads: the text outside the tags, the callback bodies (as sent) and the datetime attributes aside.
    const visible = body.replace(/<details>[\s\S]*?<\/details>/g, '').replace(/<[^>]+>/g, ' ');
    t.notMatch(visible, iso, `${name}: no ISO 8601 dates shown`);
    t.match(body, /<time datetime="2026-01-01T00:00:00\.000Z">2026-01-01 00:00:00<\/time> UTC/, `${name}: the header's clock`);
  }
  t.match(list.body, /<td class="when">2026-01-01 00:00:00<\/td>/);
  t.match(detail.body, /<dt>Created<\/dt><dd>2026-01-01 00:00:00<\/dd>/);
  t.match(detail.body, /<td class="when">2026-01-01 00:00:00<\/td>/, 'a callback attempt, on one line');
  t.match(detail.body, /&quot;/, 'the callback body as sent');
});

t.test('force outcome, resend and the clock say what they did at the top of the page', async (t) => {
  const { app } = await buildTestSandbox(t);
  await sale(app, 'done-1');
  await flush(app);
  const client = new DashboardClient(app);
  const path = `/dashboard/payments/${PROJECT_ID}/done-1`;
  await client.get(path);
  const forced = await client.post(`${path}/complete`, { outcome: 'decline:20105' });
  t.equal(forced.statusCode, 303);
  const afterForce = await client.get(String(forced.headers.location));
  const notice = (body: string) => /<div class="notice" role="status" id="notice">([\s\S]*?)<\/div>/.exec(body)?.[1]?.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim();
  t.ok(afterForce.body.indexOf('id="notice"') < afterForce.body.indexOf('<section'), 'above the page');
  t.match(notice(afterForce.body), /^Outcome forced: the sale ended in decline 20105 — .+\. Its callback #\d+ is (queued|delivered) \(the built-in inbox\)\.$/);
  const callbackId = /action="\/dashboard\/callbacks\/(\d+)\/replay"/.exec(afterForce.body)?.[1] as string;
  const resent = await client.post(`/dashboard/callbacks/${callbackId}/replay`, {});
  t.equal(resent.statusCode, 303);
  t.match(notice((await client.get(String(resent.headers.location))).body), new RegExp(`^Callback #${callbackId} resent as callback #\\d+ to the built-in inbox: delivered, answered HTTP 200\\.$`));
  const advanced = await client.post('/dashboard/clock/advance', { seconds: '90', back: path });
  t.equal(advanced.headers.location, `${path}?done=advanced&seconds=90`);
  t.equal(notice((await client.get(String(advanced.headers.location))).body), 'Clock advanced by 90 s, to 2026-01-01 00:01:30 UTC; what fell due has run.');
  t.notMatch((await client.get(path)).body, /id="notice"/, 'a plain visit says nothing');
});

t.test('the dashboard shows who is logged in and has a view of the callback inbox; the home page\'s control-API links work for a logged-in admin', async (t) => {
  const { app } = await buildTestSandbox(t, { config: { adminToken: ADMIN } });
  const created = await app.inject({ method: 'POST', url: '/_sandbox/projects', headers: { authorization: `Bearer ${ADMIN}` }, payload: { project_id: 7201, secret_key: 's-7201' } });
  const projectToken = (created.json() as { control_token: string }).control_token;
  const bearer = { authorization: `Bearer ${ADMIN}` };
  await sale(app, 'inbox-1');
  await app.inject({ method: 'POST', url: `/_sandbox/payments/${PROJECT_ID}/inbox-1/complete`, headers: bearer, payload: { status: 'success' } });
  await app.inject({ method: 'POST', url: '/_sandbox/clock/advance', headers: bearer, payload: { seconds: 0 } });

  const admin = new DashboardClient(app);
  await admin.get('/dashboard/login');
  await admin.post('/dashboard/login', { token: ADMIN });
  const payments = await admin.get('/dashboard/payments');
  t.match(payments.body, /<span id="viewer">Logged in as admin<\/span>/);
  t.match(payments.body, /<a href="\/dashboard\/inbox">Callback inbox<\/a>/);
  const inbox = await admin.get('/dashboard/inbox');
  t.equal(inbox.statusCode, 200);
  t.match(inbox.body, new RegExp(`<a href="/dashboard/payments/${PROJECT_ID}/inbox-1">inbox-1</a>`));
  t.match(inbox.body, /&quot;status&quot;: &quot;success&quot;/, 'the body as received');
  t.match((await admin.get('/dashboard/inbox?payment_id=nobody')).body, /No callbacks in the inbox for this filter\./);
  const typed = await admin.get('/dashboard/inbox?project_id=x');
  t.equal(typed.statusCode, 400);
  t.match(typed.body, /value="x" aria-invalid="true"/);

  // Every control-API link the home page offers opens with the admin's dashboard session, no header needed.
  const home = await app.inject({ url: '/' });
  const links = [...home.body.matchAll(/<a href="(\/_sandbox\/[^"]*)"/g)].map((m) => m[1] as string);
  t.ok(links.length >= 5, `${links.length} control-API links`);
  for (const link of atLeast(t, [...new Set(links)], 1, 'links')) {
    if (link !== '/_sandbox/health') t.equal((await app.inject({ url: link })).statusCode, 401, `${link} needs a log-in`);
    const opened = await admin.get(link);
    t.equal(opened.statusCode, 200, `${link} opens for the logged-in admin`);
    t.match(opened.headers['content-type'], /json/);
  }

  const project = new DashboardClient(app);
  await project.get('/dashboard/login');
  await project.post('/dashboard/login', { token: projectToken });
  const own = await project.get('/dashboard/inbox');
  t.match(own.body, /<span id="viewer">Logged in as project 7201<\/span>/);
  t.match(own.body, /No callbacks in the inbox yet\./, 'another project\'s callbacks are not shown');
  t.equal((await project.get(`/dashboard/inbox?project_id=${PROJECT_ID}`)).statusCode, 404);
  const open = await buildTestSandbox(t);
  t.match((await new DashboardClient(open.app).get('/dashboard/payments')).body, /<span id="viewer">Admin \(no admin token set\)<\/span>/);
});

const HEADER = 'general.payment_id,payment.amount,payment.currency,customer.id,account.number,account.customer_name';

t.test('payouts: the single form and the CSV take minor units; batch counts are counts; "See the payouts" lists that batch only; empty tables say so', async (t) => {
  const { app } = await buildTestSandbox(t);
  const client = new DashboardClient(app);
  const empty = await client.get('/dashboard/manual');
  t.match(empty.body, /No batches yet: upload a CSV above\./);
  t.match(empty.body, /No payouts sent from the dashboard yet\./);
  t.match((await client.get('/dashboard/payments')).body, /<td colspan="9" class="empty">No payments match\.<\/td>/);
  t.match((await client.get('/dashboard/inbox')).body, /No callbacks in the inbox yet\./);

  // A paid purchase first: a payout needs the customer to have paid (as the platform's rules for PayMaya do).
  await seedPurchase(app, 'buy-1', 'c-1');
  await flush(app);
  const single = await client.post('/dashboard/manual/payout', {
    project_id: String(PROJECT_ID), method: 'paymaya', currency: 'PHP', amount: '10000', customer_id: 'c-1', account_number: '09171234567', customer_name: 'Juan dela Cruz', payment_id: 'single-1', description: 'payout',
  });
  t.equal(single.statusCode, 303);
  const upload = async (name: string, rows: string[]) => {
    await client.get('/dashboard/manual');
    return client.upload('/dashboard/manual/batches', { project_id: String(PROJECT_ID) }, { name, content: [HEADER, ...rows].join('\n') });
  };
  const first = await upload('first.csv', ['b1-1,10000,PHP,c-1,09171234567,Juan dela Cruz', 'b1-2,20000,PHP,c-1,09000000000,Juan dela Cruz', 'b1-3,12.5,PHP,c-1,09171234567,Juan']);
  const second = await upload('second.csv', ['b2-1,10000,PHP,c-1,09171234567,Juan dela Cruz']);
  await flush(app);
  const amounts = (await app.inject({ url: `/_sandbox/payments/${PROJECT_ID}/single-1` })).json().payment.sum;
  const csvAmount = (await app.inject({ url: `/_sandbox/payments/${PROJECT_ID}/b1-1` })).json().payment.sum;
  t.same(amounts, { amount: 10000, currency: 'PHP' }, '10000 in the form is ₱100.00');
  t.same(csvAmount, amounts, 'as 10000 in the CSV');
  const manual = await client.get('/dashboard/manual');
  t.match(manual.body, /<label>Amount \(minor units\) <input name="amount" inputmode="numeric" placeholder="10000 = ₱100\.00"/);
  t.match(manual.body, /first\.csv<\/td><td>445<\/td><td class="num">3<\/td><td class="num">1<\/td><td class="num">1<\/td><td class="num">1<\/td>/, 'rows, success, decline, refused as plain counts');
  t.notMatch(manual.body, /\+1|−1/, 'no signs that read as money');

  const batchPage = await client.get(String(first.headers.location));
  const seeLink = /<a href="([^"]+)">See the payouts of this batch<\/a>/.exec(batchPage.body)?.[1]?.replaceAll('&amp;', '&') as string;
  t.ok(seeLink, 'the batch links its payouts');
  const listed = await client.get(seeLink);
  t.match(listed.body, /2 payment\(s\)/, 'the two sent rows of that batch');
  t.match(listed.body, />b1-1</);
  t.match(listed.body, />b1-2</);
  t.notMatch(listed.body, />b2-1<|>single-1<|>b1-3<|>buy-1</, 'not another batch, a single payout, a refused row or a purchase');
  t.match(listed.body, /<input type="hidden" name="batch" value="\d+">/, 'filtering further keeps the batch');
  t.match((await client.get(`/dashboard/payments?batch=${String(second.headers.location).split('/').pop()}`)).body, /1 payment\(s\)/);
  const nothing = await client.get('/dashboard/payments?batch=999');
  t.match(nothing.body, /0 payment\(s\)/);
  t.match(nothing.body, /No payments match\./);
});

t.test('uploads: a file too large names the limit, a binary file is never echoed, a semicolon CSV is read, an empty file says so', async (t) => {
  const { app } = await buildTestSandbox(t);
  const client = new DashboardClient(app);
  await client.get('/dashboard/manual');
  const send = (name: string, content: string) => client.upload('/dashboard/manual/batches', { project_id: String(PROJECT_ID) }, { name, content });
  const alert = (body: string) => /<div class="error-box" role="alert"><p>The file was not accepted:<\/p><ul><li>(.*?)<\/li>/.exec(body)?.[1];

  const big = await send('huge.csv', HEADER + '\n' + 'x'.repeat(20 * 1024 * 1024));
  t.equal(big.statusCode, 413);
  t.ok(inLayout(big.body));
  t.match(alert(big.body), /^The file is larger than the limit of 20 MB per upload/);

  // The bytes of a zipped spreadsheet: its signature, text cells, and bytes that are not UTF-8.
  const secret = Buffer.concat([Buffer.from('PK\u0003\u0004 zipped-spreadsheet-bytes '), Buffer.from([0xff, 0xfe, 0x80]), Buffer.from(' secret-cell-value')]);
  const binary = await client.upload('/dashboard/manual/batches', { project_id: String(PROJECT_ID) }, { name: 'payouts.xlsx', content: secret });
  t.equal(binary.statusCode, 400);
  t.match(alert(binary.body), /^The file payouts\.xlsx is not a CSV text file \(it holds binary data/);
  t.notMatch(binary.body, /zipped-spreadsheet-bytes|secret-cell-value|PK/, 'none of its bytes on the page');
  const withNul = await send('nul.csv', `${HEADER}\nrow\u0000-secret,1,PHP,c,0917,J`);
  t.match(alert(withNul.body), /is not a CSV text file/);
  t.notMatch(withNul.body, /row.?-secret/);

  const semicolons = await send('excel.csv', [HEADER.replaceAll(',', ';'), 'semi-1;10000;PHP;c-1;09171234567;Juan dela Cruz'].join('\r\n'));
  t.equal(semicolons.statusCode, 303, 'a semicolon-separated file is read');
  await flush(app);
  t.equal((await app.inject({ url: `/_sandbox/payments/${PROJECT_ID}/semi-1` })).json().payment.sum.amount, 10000);

  const emptyFile = await send('empty.csv', '');
  t.equal(emptyFile.statusCode, 400);
  t.equal(alert(emptyFile.body), 'The file empty.csv is empty: it has no header row and no payouts');
  const blank = await send('blank.csv', '\n  \n');
  t.equal(alert(blank.body), 'The file blank.csv is empty: it has no header row and no payouts');
  const headerOnly = await send('header.csv', HEADER);
  t.match(alert(headerOnly.body), /header but no rows/);
});

t.test('the conformance page: report tables scroll inside their card, and the URL fields take a whole row', async (t) => {
  const { app } = await buildTestSandbox(t);
  const shop = await startReceiver(t, [], { contract: false }); // the kit's forged callbacks break the contract on purpose
  const client = new DashboardClient(app);
  const form = await client.get('/dashboard/conformance');
  t.match(form.body, /<label class="wide-field">Callback URL/);
  t.match(form.body, /<label class="wide-field">Probe URL \(optional; <code>\{payment_id\}<\/code> is replaced by each case's payment id\)/);
  const run = await client.post('/dashboard/conformance', { project_id: String(PROJECT_ID), callback_url: shop.url, probe_url: '' });
  t.equal(run.statusCode, 303);
  const report = await client.get(String(run.headers.location));
  t.match(report.body, /<div class="table-wrap"><table class="report">/, 'the report\'s cases');
  const list = await client.get('/dashboard/conformance');
  t.match(list.body, /<div class="table-wrap"><table>\s*<caption class="visually-hidden">Conformance reports/, 'the reports');
  t.match(list.body, /<td class="when">2026-01-01 00:00:00<\/td>/);
});
