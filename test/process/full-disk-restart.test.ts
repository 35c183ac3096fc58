// The real server on a full disk (a 6 MiB tmpfs the test mounts): its WAL stays bounded while sales fill it,
// SIGTERM stops it in time, it starts again on the full disk read-only (reads answered, writes refused, health
// 503), and takes writes again once space is freed, without a restart.
import t from 'tap';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { call, exitOf, startChildSandbox } from '../helpers/child-sandbox.js';
import { saleBody, signed } from '../helpers/gate-client.js';
import { PROJECT_ID, SECRET, tempDir } from '../helpers/sandbox.js';
import { mountSmallDisk, smallDiskSkipReason } from '../helpers/small-disk.js';
import { WAL_AUTOCHECKPOINT_PAGES } from '../../src/storage/sqlite/database.js';
import { matchCounted } from '../helpers/promises.js';

const sizeOf = (path: string) => (existsSync(path) ? statSync(path).size : 0);

t.test('on a full disk the server stops within its grace, starts again read-only, and takes writes once space is back', { skip: smallDiskSkipReason }, async (t) => {
  const disk = mountSmallDisk(t, 6);
  const dbPath = join(disk.dir, 'sandbox.db');
  const configPath = join(tempDir(t), 'sandbox.json');
  writeFileSync(configPath, JSON.stringify({ projects: [{ project_id: PROJECT_ID, secret_key: SECRET }] }));
  const env = { SANDBOX_DB: dbPath, SANDBOX_CONFIG: configPath, SANDBOX_CLOCK: 'manual', SANDBOX_SEED: 'full-disk' };
  const sale = (baseUrl: string, id: string) => call(baseUrl, '/v2/payment/wallet/paymaya/sale', signed(saleBody(id)));
  const status = (baseUrl: string, id: string) => call(baseUrl, '/v2/payment/status', signed({ general: { project_id: PROJECT_ID, payment_id: id } }));

  // An operator's other files take 1.5 MiB: removing them later is what gives the disk room again.
  disk.fill(disk.free() - 1.5 * 1024 * 1024);
  const first = await startChildSandbox(t, env);
  // Sales fill the whole disk, 20 at a time (a group commit each), until two groups are refused entirely.
  const accepted: string[] = [];
  let largestWal = 0;
  for (let group = 0, refusedGroups = 0; refusedGroups < 2 && group < 2_000; group++) {
    const ids = Array.from({ length: 20 }, (_, n) => `fill-${group}-${n}`);
    const answers = await Promise.all(ids.map((id) => sale(first.baseUrl, id)));
    answers.forEach((answer, n) => answer.status === 200 && accepted.push(ids[n] as string));
    if (answers.length > 0 && !answers.some((a) => a.status !== 503)) refusedGroups++;
    largestWal = Math.max(largestWal, sizeOf(`${dbPath}-wal`));
  }
  t.ok(accepted.length > 500, `${accepted.length} sales filled the disk`);
  const bound = (WAL_AUTOCHECKPOINT_PAGES + 64) * 4120;
  t.ok(largestWal <= bound, `the WAL never outgrew its checkpoint bound (largest ${(largestWal / 1048576).toFixed(2)} MiB, bound ${(bound / 1048576).toFixed(2)} MiB)`);
  t.ok(sizeOf(dbPath) > largestWal, `most of what is kept is in the database file (${(sizeOf(dbPath) / 1048576).toFixed(2)} MiB)`);
  disk.fill();
  t.equal((await call(first.baseUrl, '/_sandbox/health')).status, 503, 'the full disk shows in health');

  const stopStarted = Date.now();
  first.child.kill('SIGTERM');
  t.equal(await exitOf(first.child), 0, 'SIGTERM stops it cleanly');
  const stopMs = Date.now() - stopStarted;
  t.ok(stopMs < 10_000, `within the 10 s grace (${stopMs} ms)`);

  const second = await startChildSandbox(t, env);
  t.match(second.stdout.join(''), /listening on/, 'it starts again on the full disk');
  const health = await call(second.baseUrl, '/_sandbox/health');
  t.equal(health.status, 503, 'health answers 503');
  t.match(health.json, { status: 'error', storage_state: 'full' }, 'storage full');
  const sample = [accepted[0], accepted[Math.floor(accepted.length / 2)], accepted.at(-1)] as string[];
  for (const id of sample) t.match(await status(second.baseUrl, id), { status: 200, json: { payment: { id } } }, `${id} is read back`);
  const refused = await sale(second.baseUrl, 'while-full');
  matchCounted(t, refused, { status: 503, json: { code: '601', errors: [{ message: /^storage full/ }] } }, 'a sale is refused: storage full');

  disk.release();
  t.match(await sale(second.baseUrl, 'space-again'), { status: 200 }, 'space freed: a sale is accepted, in the same process');
  t.match(await call(second.baseUrl, '/_sandbox/health'), { status: 200, json: { storage_state: 'ok' } }, 'health is ok again');
  t.match(await status(second.baseUrl, 'while-full'), { status: 404 }, 'the refused sale left nothing');
  t.equal(second.stderr.join('').split('storage full').length - 1, 1, 'the second run\'s log says "storage full" once');
  second.child.kill('SIGTERM');
  t.equal(await exitOf(second.child), 0, 'and it stops cleanly');
});
