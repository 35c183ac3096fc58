import t from 'tap';
import { freePort } from '../helpers/free-port.js';
import type { FastifyInstance } from 'fastify';
import { CASES } from '../../src/conformance/run-conformance.js';
import { buildTestSandbox, PROJECT_ID } from '../helpers/sandbox.js';
import { startSampleShop, type ShopOptions } from '../helpers/sample-shop.js';
import { DashboardClient } from '../helpers/dashboard-client.js';
import { post } from '../helpers/gate-client.js';
import { everyOf, matchCounted } from '../helpers/promises.js';

const SHOP_SECRET = 'shop-secret-990';
const ALL = CASES.map((testCase) => testCase.name);
const FORGED = ['tampered', 'unsigned', 'wrong-secret'];

interface Answer { id: number; project_id: number; passed: number; failed: number; callbackUrl: string; cases: Array<{ name: string; passed: boolean; why: string; probe: unknown }> }

const failedNames = (answer: Answer) => answer.cases.filter((c) => !c.passed).map((c) => c.name);

/** A project whose callback URL is a sample shop with that fault; resolves the shop. */
async function projectWithShop(t: Parameters<typeof startSampleShop>[0], app: FastifyInstance, projectId: number, options: Partial<ShopOptions> = {}) {
  const shop = await startSampleShop(t, { secret: SHOP_SECRET, ...options });
  const created = await app.inject({ method: 'POST', url: '/_sandbox/projects', payload: { project_id: projectId, secret_key: SHOP_SECRET, callback_url: shop.callbackUrl } });
  if (created.statusCode !== 201) throw new Error(created.body);
  return shop;
}

t.test('POST /_sandbox/conformance runs the kit against the project\'s callback URL with its secret and answers the report, kept for later', async (t) => {
  const { app } = await buildTestSandbox(t);
  const shop = await projectWithShop(t, app, 990);
  const run = await post(app, '/_sandbox/conformance', { project_id: 990, probe_url: shop.probeUrl });
  t.equal(run.status, 200);
  const answer = run.body as Answer;
  t.match(answer, { project_id: 990, passed: CASES.length, failed: 0, callbackUrl: shop.callbackUrl, probeUrl: shop.probeUrl });
  t.same(answer.cases.map((c) => c.name), ALL);
  everyOf(t, answer.cases, CASES.length, (c) => c.passed && c.probe !== null, 'every case passed, each with its probe');
  t.ok(Number.isInteger(answer.id));
  t.equal(shop.received.length, CASES.reduce((sum, testCase) => sum + testCase.steps.length, 0), 'every step reached the shop');
  const clockAt = Date.UTC(2026, 0, 1);
  const dates = shop.received.map((r) => Date.parse((JSON.parse(r.body) as { payment: { date: string } }).payment.date.replace('+0000', 'Z')));
  everyOf(t, dates, CASES.length, (date) => date <= clockAt && date >= clockAt - 24 * 3600 * 1000, 'dated by the sandbox clock (earlier steps up to the limit time before)');
  t.equal((JSON.parse(shop.received[0]!.body) as { payment: { date: string } }).payment.date, '2026-01-01T00:00:00+0000', 'a final callback at the sandbox time');
  const again = await app.inject({ url: `/_sandbox/conformance/${answer.id}` });
  t.same(again.json(), answer, 'the kept report is the answer');
  const list = (await app.inject({ url: '/_sandbox/conformance?project_id=990' })).json() as { runs: Array<Record<string, unknown>> };
  t.same(list.runs, [{ id: answer.id, project_id: 990, created_at: '2026-01-01T00:00:00.000Z', callback_url: shop.callbackUrl, probe_url: shop.probeUrl, passed: CASES.length, failed: 0 }]);
});

t.test('each faulty sample shop is named by the right cases, and callback_url in the body wins over the project\'s', async (t) => {
  const { app } = await buildTestSandbox(t);
  await projectWithShop(t, app, 991);
  const faults: Array<[ShopOptions['fault'], string[]]> = [['accepts-forged', FORGED], ['fails-on-duplicate', ['redirect-twice', 'final-twice']], ['flips-back-on-older', ['reordered']]];
  for (const [fault, expected] of faults) {
    const faulty = await startSampleShop(t, { secret: SHOP_SECRET, fault });
    const run = await post(app, '/_sandbox/conformance', { project_id: 991, callback_url: faulty.callbackUrl, probe_url: faulty.probeUrl });
    t.equal(run.status, 200, `${fault}: a failed case is still a report`);
    t.same(failedNames(run.body as Answer), expected, String(fault));
    t.equal((run.body as Answer).callbackUrl, faulty.callbackUrl);
    t.ok(faulty.received.length > 0, `${fault}: the given URL was called`);
  }
  const list = (await app.inject({ url: '/_sandbox/conformance' })).json() as { runs: Array<{ failed: number }> };
  t.same(list.runs.map((r) => r.failed), [1, 2, 3], 'newest first');
  t.equal(((await app.inject({ url: '/_sandbox/conformance?limit=1&offset=2' })).json() as { runs: Array<{ failed: number }> }).runs[0]?.failed, 3);
});

t.test('the control API refuses in its error format: unknown project, no callback URL, bad options, an unreachable URL (602), unknown report', async (t) => {
  const { app } = await buildTestSandbox(t);
  const shop = await projectWithShop(t, app, 992);
  const port = await freePort();
  const cases: Array<[unknown, number, string, string, RegExp?]> = [
    [{ project_id: 5 }, 400, '2004', 'project_id', /No project 5 in this sandbox/],
    [{ project_id: PROJECT_ID }, 400, '2004', 'callback_url', /has no callback URL/],
    [{}, 400, '2004', 'project_id'],
    [{ project_id: 992, callback_url: 'ftp://shop/cb' }, 400, '2004', 'callback_url'],
    [{ project_id: 992, probe_url: 'http://shop/orders/1' }, 400, '2004', 'probe_url', /must contain \{payment_id\}/],
    [{ project_id: 992, reject_status: 200 }, 400, '2004', 'reject_status', /other than 200/],
    [{ project_id: 992, timeout_ms: 10 }, 400, '2004', 'timeout_ms'],
    [{ project_id: 992, secret: 'x' }, 400, '2004', 'secret'],
    [{ project_id: 992, callback_url: `http://127.0.0.1:${port}/cb` }, 400, '602', 'callback_url', new RegExp(`cannot reach http://127\\.0\\.0\\.1:${port}/cb: .*ECONNREFUSED`)],
    [{ project_id: 992, probe_url: `http://127.0.0.1:${port}/orders/{payment_id}` }, 400, '602', 'probe_url', /cannot reach/],
  ];
  for (const [payload, status, code, field, message] of cases) {
    const response = await post(app, '/_sandbox/conformance', payload as object);
    t.equal(response.status, status, JSON.stringify(payload));
    matchCounted(t, response.body, { status: 'error', code, errors: [{ field, ...(message === undefined ? {} : { message }) }] }, JSON.stringify(payload));
  }
  t.match((await post(app, '/_sandbox/conformance', { project_id: 992, callback_url: `http://127.0.0.1:${port}/cb` })).body, { code: '602', message: /^callback_url: cannot reach http:\/\/127\.0\.0\.1:\d+\/cb/ });
  const malformed = await app.inject({ method: 'POST', url: '/_sandbox/conformance', payload: '{', headers: { 'content-type': 'application/json' } });
  t.match(malformed.json(), { status: 'error', code: '2003' });
  for (const id of ['999', 'x']) {
    const missing = await app.inject({ url: `/_sandbox/conformance/${id}` });
    t.equal(missing.statusCode, 404);
    matchCounted(t, missing.json(), { status: 'error', code: '3061', errors: [{ field: 'id', message: `No conformance report ${id}` }] });
  }
  t.same(((await app.inject({ url: '/_sandbox/conformance' })).json() as { runs: unknown[] }).runs, [], 'a refused run keeps nothing');
  t.equal(shop.received.length, 1, 'only the first case\'s callback, sent before the probe was found unreachable');
});

t.test('POST /_sandbox/reset clears the kept reports of the project it names', async (t) => {
  const { app } = await buildTestSandbox(t);
  await projectWithShop(t, app, 993);
  await projectWithShop(t, app, 994);
  await post(app, '/_sandbox/conformance', { project_id: 993 });
  await post(app, '/_sandbox/conformance', { project_id: 994 });
  await post(app, '/_sandbox/reset', { project_id: 993 });
  const left = (await app.inject({ url: '/_sandbox/conformance' })).json() as { runs: Array<{ project_id: number }> };
  t.same(left.runs.map((r) => r.project_id), [994]);
});

t.test('the dashboard runs the kit from a form and keeps the reports, newest first, each with its readable table', async (t) => {
  const { app } = await buildTestSandbox(t);
  await projectWithShop(t, app, 995);
  const faulty = await startSampleShop(t, { secret: SHOP_SECRET, fault: 'accepts-forged' });
  const client = new DashboardClient(app);
  const empty = await client.get('/dashboard/conformance');
  t.equal(empty.statusCode, 200);
  t.match(empty.body, /<a href="\/dashboard\/conformance">Conformance<\/a>/, 'in the navigation');
  t.match(empty.body, /<option value="995" >995  — http:\/\/127\.0\.0\.1:\d+\/callback<\/option>/);
  t.match(empty.body, /None yet\./);

  const first = await client.post('/dashboard/conformance', { project_id: '995', callback_url: faulty.callbackUrl, probe_url: faulty.probeUrl });
  t.equal(first.statusCode, 303);
  const firstPath = String(first.headers.location);
  t.match(firstPath, /^\/dashboard\/conformance\/\d+$/);
  const report = await client.get(firstPath);
  t.equal(report.statusCode, 200);
  t.match(report.body, /Conformance report \d+: <span id="verdict">FAIL<\/span>/);
  t.match(report.body, new RegExp(`${CASES.length} cases: ${CASES.length - 3} passed, 3 failed`));
  t.match(report.body, /<th scope="col">Case<\/th><th scope="col">Expected<\/th><th scope="col">Observed<\/th><th scope="col">Latency<\/th><th scope="col">Verdict<\/th><th scope="col">Why<\/th>/);
  for (const name of FORGED) {
    t.match(report.body, new RegExp(`<tr id="case-${name}"><th scope="row"[^>]*>${name}</th><td>not 200; order pending</td><td>200; order paid</td><td>\\d+ ms</td><td class="error">FAIL</td><td class="wrap">[^<]*was accepted`), name);
  }
  t.match(report.body, /<tr id="case-sale-success">.*<td class="pass">PASS<\/td>/);

  const second = await client.post('/dashboard/conformance', { project_id: '995', callback_url: '', probe_url: '' });
  t.equal(second.statusCode, 303, 'an empty callback URL means the project\'s');
  const passed = await client.get(String(second.headers.location));
  t.match(passed.body, /<span id="verdict">PASS<\/span>/);
  t.match(passed.body, /<dt>Probe URL<\/dt><dd>—<\/dd>/);
  const list = await client.get('/dashboard/conformance');
  const ids = [...list.body.matchAll(/<td><a href="\/dashboard\/conformance\/(\d+)">/g)].map((m) => m[1]);
  t.same(ids, [String(second.headers.location).split('/').pop(), firstPath.split('/').pop()], 'newest first');
  t.match(list.body, new RegExp(`<td>${CASES.length}</td><td>0</td><td>0</td><td>PASS</td>`));
  t.match(list.body, new RegExp(`<td>${CASES.length - 3}</td><td>3</td><td>0</td><td>FAIL</td>`));
});

t.test('the dashboard shows why a run did not start, in its own page, and refuses a form without its CSRF token', async (t) => {
  const { app } = await buildTestSandbox(t);
  await projectWithShop(t, app, 996);
  const port = await freePort();
  const client = new DashboardClient(app);
  await client.get('/dashboard/conformance');
  const unreachable = await client.post('/dashboard/conformance', { project_id: '996', callback_url: `http://127.0.0.1:${port}/cb` });
  t.equal(unreachable.statusCode, 400);
  t.match(unreachable.headers['content-type'], /text\/html/);
  t.match(unreachable.body, new RegExp(`<code>callback_url</code>: 602 cannot reach http://127\\.0\\.0\\.1:${port}/cb`));
  t.match(unreachable.body, new RegExp(`value="http://127\\.0\\.0\\.1:${port}/cb"`), 'the form keeps what was typed');
  const badProbe = await client.post('/dashboard/conformance', { project_id: '996', probe_url: 'http://shop/orders' });
  t.match(badProbe.body, /<code>probe_url<\/code>: 2004 probe_url must contain \{payment_id\}/);
  const noProject = await client.post('/dashboard/conformance', { project_id: '' });
  t.match(noProject.body, /<code>project_id<\/code>: 2004 Choose a project/);
  const noUrl = await client.post('/dashboard/conformance', { project_id: String(PROJECT_ID) });
  t.match(noUrl.body, /<code>callback_url<\/code>: 2004 Project 445 has no callback URL/);
  const forged = await client.post('/dashboard/conformance', { project_id: '996' }, false);
  t.equal(forged.statusCode, 403);
  const missing = await client.get('/dashboard/conformance/12345');
  t.equal(missing.statusCode, 404);
  t.match(missing.body, /No conformance report 12345/);
  t.match((await client.get('/dashboard/conformance')).body, /None yet\./, 'nothing kept');
});

t.test('a kit run sends only where the callback egress policy allows, refused with 2004 naming the URL\'s field', async (t) => {
  const shop = await startSampleShop(t, { secret: SHOP_SECRET });
  const shopPort = new URL(shop.callbackUrl).port;
  const { app } = await buildTestSandbox(t, { env: { SANDBOX_CALLBACK_ALLOW: `127.0.0.1:${shopPort}` } });
  await app.inject({ method: 'POST', url: '/_sandbox/projects', payload: { project_id: 997, secret_key: SHOP_SECRET, callback_url: shop.callbackUrl } });
  const elsewhere = await post(app, '/_sandbox/conformance', { project_id: 997, callback_url: 'http://127.0.0.1:1/cb' });
  t.equal(elsewhere.status, 400);
  matchCounted(t, elsewhere.body, { code: '2004', errors: [{ field: 'callback_url', message: /^The sandbox may not send there: 127\.0\.0\.1:1 is not in SANDBOX_CALLBACK_ALLOW/ }] });
  const metadata = await post(app, '/_sandbox/conformance', { project_id: 997, probe_url: 'http://169.254.169.254/latest/{payment_id}' });
  matchCounted(t, metadata.body, { code: '2004', errors: [{ field: 'probe_url', message: /SANDBOX_CALLBACK_DENY/ }] });
  t.equal(shop.received.length, 0, 'nothing was sent');
  const allowed = await post(app, '/_sandbox/conformance', { project_id: 997, probe_url: shop.probeUrl });
  t.equal(allowed.status, 200);
  t.match(allowed.body, { passed: CASES.length, failed: 0 });
});

t.test('a kit run to a host that resolves to a denied address is refused when it sends (602 naming the field); nothing reaches the host and no report is kept', async (t) => {
  const shop = await startSampleShop(t, { secret: SHOP_SECRET });
  const { app } = await buildTestSandbox(t, { env: { SANDBOX_CALLBACK_DENY: '127.0.0.0/8,::1' } });
  const byName = `http://localhost:${new URL(shop.callbackUrl).port}/cb`;
  const created = await app.inject({ method: 'POST', url: '/_sandbox/projects', payload: { project_id: 996, secret_key: SHOP_SECRET } });
  t.equal(created.statusCode, 201);
  const refused = await post(app, '/_sandbox/conformance', { project_id: 996, callback_url: byName });
  t.equal(refused.status, 400);
  matchCounted(t, refused.body, {
    code: '602',
    errors: [{ field: 'callback_url', message: /refused by the callback egress policy: localhost resolves to (127\.0\.0\.1|::1), denied by SANDBOX_CALLBACK_DENY/ }],
  });
  t.equal(shop.received.length, 0, 'nothing reached the host');
  t.same((await app.inject({ method: 'GET', url: '/_sandbox/conformance?project_id=996' })).json(), { runs: [] }, 'no report was kept');
});
