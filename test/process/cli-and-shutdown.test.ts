import t from 'tap';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { freshDatabase, tempDir, PROJECT_ID, SECRET } from '../helpers/sandbox.js';
import { saleBody, signed } from '../helpers/gate-client.js';
import { call, exitOf, runToExit, startChildSandbox } from '../helpers/child-sandbox.js';

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
  const hanging = createServer(() => {});
  await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => { hanging.closeAllConnections(); hanging.close(() => resolve()); }));
  const config = join(dir, 'sandbox.json');
  writeFileSync(config, JSON.stringify({
    projects: [{ project_id: PROJECT_ID, secret_key: SECRET, callback_url: `http://127.0.0.1:${(hanging.address() as AddressInfo).port}/cb` }],
    callbacks: { timeout_ms: 400 },
  }));
  const args = ['--port', '0', '--db', await freshDatabase(t), '--config', config, '--clock', 'manual', '--seed', 'cli'];
  const first = await startChildSandbox(t, {}, args);
  t.match(first.output.join(''), /clock: manual {3}seed: cli/);
  t.equal((await call(first.baseUrl, '/v2/payment/wallet/paymaya/sale', signed(saleBody('term-1')))).status, 200);
  first.child.kill('SIGTERM');
  t.equal(await exitOf(first.child), 0);
  t.match(first.output.join(''), /stopped \(SIGTERM\)/);

  const second = await startChildSandbox(t, {}, args);
  const report = await call(second.baseUrl, `/_sandbox/payments/${PROJECT_ID}/term-1`);
  t.equal(report.json.payment.status, 'awaiting redirect result', 'the accepted payment is there');
  t.match(report.json.callbacks[0].attempts, [{ number: 1, error: 'timeout' }], 'the attempt in flight at SIGTERM was recorded');
  second.child.kill('SIGINT');
  t.equal(await exitOf(second.child), 0);
});
