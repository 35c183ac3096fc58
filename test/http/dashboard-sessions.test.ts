// Dashboard log-ins are server-side sessions: a random id in the cookie (nothing stored works as one), revoked at
// log-out, expiring; the login form has the CSRF check of every other form; log-ins and failures are audited; and
// a project's token learns nothing of another project's payments, existing or not.
import t from 'tap';
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { buildTestSandbox, TEST_BACKEND, PROJECT_ID } from '../helpers/sandbox.js';
import { DashboardClient } from '../helpers/dashboard-client.js';
import { sale } from '../helpers/gate-client.js';
import { noneOf } from '../helpers/promises.js';

const ADMIN = 'admin-token-of-the-session-tests';
const hash = (text: string) => createHash('sha256').update(text).digest('hex');

async function project(app: Parameters<typeof sale>[0], id: number): Promise<string> {
  const created = await app.inject({ method: 'POST', url: '/_sandbox/projects', headers: { authorization: `Bearer ${ADMIN}` }, payload: { project_id: id, secret_key: `s-${id}` } });
  return (created.json() as { control_token: string }).control_token;
}

t.test('a log-in opens a session whose cookie is a fresh random id; log-out revokes it; a stored value never works as a cookie', async (t) => {
  const { app, sandbox, dbPath } = await buildTestSandbox(t, { config: { adminToken: ADMIN } });
  const token = await project(app, 7001);
  const first = new DashboardClient(app);
  await first.get('/dashboard/login');
  const login = await first.post('/dashboard/login', { token });
  t.equal(login.statusCode, 303);
  const cookie = /sandbox_session=([^;]+)/.exec(String(login.headers['set-cookie']))?.[1] as string;
  t.match(cookie, /^[A-Za-z0-9_-]{43}$/, 'a 256-bit random id');
  t.match(String(login.headers['set-cookie']), /HttpOnly.*SameSite=Strict|SameSite=Strict.*HttpOnly/);
  const second = new DashboardClient(app);
  await second.get('/dashboard/login');
  const again = await second.post('/dashboard/login', { token });
  t.not(/sandbox_session=([^;]+)/.exec(String(again.headers['set-cookie']))?.[1], cookie, 'each log-in its own id');
  t.equal((await first.get('/dashboard/payments')).statusCode, 200, 'the session opens the dashboard');
  const stored = await sandbox.projects.find(7001);
  const asCookie = (value: string) => app.inject({ url: '/dashboard/payments', headers: { cookie: `sandbox_session=${value}` } });
  t.equal((await asCookie(stored!.tokenHash as string)).statusCode, 303, 'the stored token hash is no cookie');
  t.equal((await asCookie(hash(cookie))).statusCode, 303, 'nor the stored session hash');
  if (TEST_BACKEND === 'sqlite') {
    const db = new Database(dbPath, { readonly: true });
    t.teardown(() => db.close());
    const rows = db.prepare('SELECT id_hash FROM sessions').all() as Array<{ id_hash: string }>;
    t.equal(rows.length, 2);
    noneOf(t, rows, 2, (r) => r.id_hash === cookie, 'the id itself is not in the database');
    t.ok(rows.some((r) => r.id_hash === hash(cookie)), 'only its hash');
  }
  await first.post('/dashboard/logout', {});
  t.equal((await asCookie(cookie)).statusCode, 303, 'after log-out the old cookie opens nothing');
  t.equal((await second.get('/dashboard/payments')).statusCode, 200, 'the other session lives on');
});

t.test('the login form checks its CSRF token like every other form', async (t) => {
  const { app } = await buildTestSandbox(t, { config: { adminToken: ADMIN } });
  const client = new DashboardClient(app);
  await client.get('/dashboard/login');
  const forged = await client.post('/dashboard/login', { token: ADMIN }, false);
  t.equal(forged.statusCode, 403);
  t.match(forged.body, /Error 303/);
  t.notMatch(String(forged.headers['set-cookie'] ?? ''), /sandbox_session/, 'no session');
  t.equal((await client.post('/dashboard/login', { token: ADMIN })).statusCode, 303);
});

t.test('the audit log records log-ins, failed log-ins and log-outs', async (t) => {
  const { app } = await buildTestSandbox(t, { config: { adminToken: ADMIN } });
  const token = await project(app, 7002);
  const client = new DashboardClient(app);
  await client.get('/dashboard/login');
  await client.post('/dashboard/login', { token: 'not-a-token' });
  await client.post('/dashboard/login', { token });
  await client.post('/dashboard/logout', {});
  const audit = (await app.inject({ url: '/_sandbox/audit', headers: { authorization: `Bearer ${ADMIN}` } })).json() as { audit: Array<{ actor: string; action: string; project_id: number | null }> };
  const sessionEntries = audit.audit.filter((e) => e.action.startsWith('log')).map((e) => [e.action, e.actor, e.project_id]);
  t.same(sessionEntries, [['logout', 'project:7002', 7002], ['login', 'project:7002', 7002], ['login.failed', 'anonymous', null]]);
});

t.test('a project\'s token gets the same answer for another project\'s payment whether it exists or not', async (t) => {
  const { app } = await buildTestSandbox(t, { config: { adminToken: ADMIN } });
  const token = await project(app, 7003);
  await sale(app, 'exists');
  const control = async (paymentId: string) => {
    const r = await app.inject({ url: `/_sandbox/payments/${PROJECT_ID}/${paymentId}`, headers: { authorization: `Bearer ${token}` } });
    return [r.statusCode, r.body.replaceAll(paymentId, '…')];
  };
  t.same(await control('exists'), await control('never-made'), 'control API');
  t.equal((await control('exists'))[0], 403);
  const dashboard = async (paymentId: string) => {
    const r = await app.inject({ url: `/dashboard/payments/${PROJECT_ID}/${paymentId}`, headers: { authorization: `Bearer ${token}` } });
    return [r.statusCode, r.body.replace(/name="csrf" value="[^"]+"/, '').replaceAll(paymentId, '…')];
  };
  t.same(await dashboard('exists'), await dashboard('never-made'), 'dashboard');
  t.equal((await dashboard('exists'))[0], 403);
});
