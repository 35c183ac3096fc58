import t from 'tap';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { freshDatabase, tempDir, PROJECT_ID, SECRET } from '../helpers/sandbox.js';
import { saleBody, signed } from '../helpers/gate-client.js';
import { call, exitOf, runToExit, startChildSandbox } from '../helpers/child-sandbox.js';
import { matchCounted } from '../helpers/promises.js';
import { startReceiver } from '../helpers/receiver.js';

const TIMEOUT_MS = 3_000;

t.test('--help prints the flags; an unknown flag stops with exit code 2', async (t) => {
  const help = await runToExit(['--help']);
  t.equal(help.code, 0);
  t.match(help.stdout, /--port <n>[\s\S]*--db <path\|url>[\s\S]*--config <file>[\s\S]*--clock <mode>/);
  const bad = await runToExit(['--colour', 'red']);
  t.equal(bad.code, 2);
  t.match(bad.stderr, /Unknown option '--colour'/);
});

t.test('flags start the sandbox; SIGTERM lets a delivery in flight finish and record, then closes the database', async (t) => {
  const dir = tempDir(t);
  // The receiver holds the callback unanswered, so the delivery is in flight when SIGTERM comes, however slow the
  // machine; it ends at the sandbox's 3 s time-out.
  const receiver = await startReceiver(t);
  receiver.holding = true;
  const config = join(dir, 'sandbox.json');
  writeFileSync(config, JSON.stringify({
    projects: [{ project_id: PROJECT_ID, secret_key: SECRET, callback_url: receiver.url }],
    callbacks: { timeout_ms: TIMEOUT_MS },
  }));
  const args = ['--port', '0', '--db', await freshDatabase(t), '--config', config, '--clock', 'manual', '--seed', 'cli'];
  const first = await startChildSandbox(t, {}, args);
  t.match(first.output.join(''), /clock: manual {3}seed: cli/);
  t.equal((await call(first.baseUrl, '/v2/payment/wallet/paymaya/sale', signed(saleBody('term-1')))).status, 200);
  await receiver.whenHeld(1);
  first.child.kill('SIGTERM');
  t.equal(await exitOf(first.child), 0);
  t.match(first.output.join(''), /stopped \(SIGTERM\)/);

  const second = await startChildSandbox(t, {}, args);
  const report = await call(second.baseUrl, `/_sandbox/payments/${PROJECT_ID}/term-1`);
  t.equal(report.json.payment.status, 'awaiting redirect result', 'the accepted payment is there');
  matchCounted(t, report.json.callbacks[0].attempts, [{ number: 1, error: 'timeout' }], 'the attempt in flight at SIGTERM was recorded');
  // The HTTP client's timers for waits over a second tick every half second, so one may end up to that early.
  t.ok(report.json.callbacks[0].attempts[0]?.latency_ms >= TIMEOUT_MS - 500, 'it ran to its time-out before the process stopped');
  second.child.kill('SIGINT');
  t.equal(await exitOf(second.child), 0);
});

t.test('request logs stay off the banner: none by default, one readable line per request on stderr at info, JSON with --log-format json', async (t) => {
  const quiet = await startChildSandbox(t, { SANDBOX_DB: await freshDatabase(t), LOG_LEVEL: '' });
  t.equal((await call(quiet.baseUrl, '/_sandbox/health')).status, 200);
  quiet.child.kill('SIGTERM');
  await exitOf(quiet.child);
  t.equal(quiet.stderr.join(''), '', 'nothing logged by default');
  t.match(quiet.stdout.join(''), /Request logs: off/);
  t.notMatch(quiet.stdout.join(''), /"level"|"msg"/, 'no JSON in the banner');

  const pretty = await startChildSandbox(t, { SANDBOX_DB: await freshDatabase(t) }, ['--log-level', 'info']);
  await call(pretty.baseUrl, '/_sandbox/health?probe=1');
  pretty.child.kill('SIGTERM');
  await exitOf(pretty.child);
  t.match(pretty.stderr.join(''), /^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: GET \/_sandbox\/health 200 [\d.]+ ms$/m, 'one line: time, level, method, path without its query, status, time taken');
  t.notMatch(pretty.stdout.join(''), /GET \/_sandbox\/health/);

  const json = await startChildSandbox(t, { SANDBOX_DB: await freshDatabase(t) }, ['--log-level', 'info', '--log-format', 'json']);
  await call(json.baseUrl, '/_sandbox/health');
  json.child.kill('SIGTERM');
  await exitOf(json.child);
  const lines = json.stderr.join('').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
  t.match(lines.find((line) => line.path === '/_sandbox/health'), { level: 30, method: 'GET', path: '/_sandbox/health', status: 200, msg: /^GET \/_sandbox\/health 200 / });
});
