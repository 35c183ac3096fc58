import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startReceiver } from '../helpers/receiver.js';
import { freshDatabase, tempDir, PROJECT_ID, SECRET } from '../helpers/sandbox.js';
import { saleBody, SdkCallback, signed } from '../helpers/gate-client.js';
import { call, killHard, startChildSandbox } from '../helpers/child-sandbox.js';
import { atLeast, matchCounted } from '../helpers/promises.js';

t.test('callbacks committed before a kill -9 are delivered after a restart', async (t) => {
  const dir = tempDir(t);
  const receiver = await startReceiver(t, [500]);
  const configPath = join(dir, 'sandbox.json');
  writeFileSync(configPath, JSON.stringify({ projects: [{ project_id: PROJECT_ID, secret_key: SECRET, callback_url: receiver.url }] }));
  const env = { SANDBOX_DB: await freshDatabase(t), SANDBOX_CONFIG: configPath, SANDBOX_CLOCK: 'manual', SANDBOX_SEED: 'crash' };

  const first = await startChildSandbox(t, env);
  t.equal((await call(first.baseUrl, '/v2/payment/wallet/paymaya/sale', signed(saleBody('crash-1')))).status, 200);
  t.equal((await call(first.baseUrl, '/v2/payment/wallet/paymaya/sale', signed(saleBody('crash-2', { callback: { delay: 60 } })))).status, 200);
  await call(first.baseUrl, '/_sandbox/clock/advance', { seconds: 0 });
  t.equal(receiver.received.length, 1, 'crash-1 was attempted once (and failed) before the crash');
  await killHard(first.child);

  const second = await startChildSandbox(t, env);
  const clock = await call(second.baseUrl, '/_sandbox/clock');
  t.equal(clock.json.mode, 'manual');
  await call(second.baseUrl, '/_sandbox/clock/advance', { seconds: 60 });
  const ids = receiver.received.map((r) => (r.json.payment as { id: string }).id);
  t.same(ids, ['crash-1', 'crash-1', 'crash-2'], 'the retry and the delayed callback both arrive after the restart');
  t.equal(receiver.received[0]!.body, receiver.received[1]!.body, 'the retry carries the same signed body');
  for (const r of atLeast(t, receiver.received, 3, 'callbacks received')) t.ok(new SdkCallback(SECRET, r.body));
  const report = await call(second.baseUrl, `/_sandbox/payments/${PROJECT_ID}/crash-1`);
  matchCounted(t, report.json.callbacks[0], { state: 'delivered', attempts: [{ http_status: 500 }, { http_status: 200 }] });
  await killHard(second.child);
});
