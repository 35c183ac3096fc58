// The dashboard reads well to a tester: errors inside the layout with the form kept, uploads that say what is
// wrong with a file, one date format, analytics without odd numbers, payouts in one unit, what an action did at
// the top of the page, and who is logged in, with the callback inbox.
import t from 'tap';
import { buildTestSandbox, flush, PROJECT_ID } from '../helpers/sandbox.js';
import { sale, seedPurchase } from '../helpers/gate-client.js';
import { DashboardClient } from '../helpers/dashboard-client.js';

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
  t.notMatch(batch.body, /Transaction not found<\/h1>/);
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
  t.match(page.body, /<td>paymaya<\/td><td class="num">40<\/td><td class="num">0<\/td><td class="num">0<\/td><td class="num">0<\/td><td class="num">—<\/td>/, 'no finished payment: no rate');
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
