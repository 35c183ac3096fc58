import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startReceiver } from '../helpers/receiver.js';
import { freshDatabase, PROJECT_ID, SECRET, tempDir } from '../helpers/sandbox.js';
import { saleBody, signed } from '../helpers/gate-client.js';
import { call, exitOf, startChildSandbox } from '../helpers/child-sandbox.js';

/** The instance that answers a request on a new connection (the primary hands connections to workers in turn). */
async function instanceOnNewConnection(baseUrl: string): Promise<{ instance: string; now: string }> {
  const response = await fetch(`${baseUrl}/_sandbox/health`, { headers: { connection: 'close' } });
  return response.json() as Promise<{ instance: string; now: string }>;
}

t.test('--workers 2 on one database: both workers answer on one port, each callback is delivered once, the clock is one, SIGTERM stops them all', async (t) => {
  const receiver = await startReceiver(t);
  const config = join(tempDir(t), 'sandbox.json');
  writeFileSync(config, JSON.stringify({ projects: [{ project_id: PROJECT_ID, secret_key: SECRET, callback_url: receiver.url }] }));
  const sandbox = await startChildSandbox(t, { SANDBOX_DB: await freshDatabase(t), SANDBOX_CONFIG: config, SANDBOX_CLOCK: 'manual', SANDBOX_SEED: 'workers' }, ['--workers', '2']);
  t.match(sandbox.output.join(''), /workers: 2/, 'the banner names the workers, once');
  t.equal(sandbox.output.join('').match(/listening on/g)?.length, 1);

  const instances = new Set<string>();
  for (let n = 0; n < 20 && instances.size < 2; n++) instances.add((await instanceOnNewConnection(sandbox.baseUrl)).instance);
  t.equal(instances.size, 2, 'two workers answer on the one port');

  const ids = Array.from({ length: 200 }, (_, n) => `w-${n}`);
  let next = 0;
  await Promise.all(Array.from({ length: 10 }, async () => {
    for (let n = next++; n < ids.length; n = next++) {
      const answer = await call(sandbox.baseUrl, '/v2/payment/wallet/paymaya/sale', signed(saleBody(ids[n]!)));
      if (answer.status !== 200) throw new Error(`${ids[n]}: ${answer.status}`);
    }
  }));
  await receiver.whenReceived(200);
  await call(sandbox.baseUrl, '/_sandbox/clock/advance', { seconds: 0 });
  const paid = receiver.received.map((r) => (r.json.payment as { id: string }).id);
  t.equal(paid.length, 200, 'no callback arrived twice');
  t.same(new Set(paid), new Set(ids), 'one callback per sale');

  const advanced = await call(sandbox.baseUrl, '/_sandbox/clock/advance', { seconds: 24 * 3600 });
  t.equal(advanced.json.now, '2026-01-02T00:00:00.000Z');
  t.equal(receiver.received.length, 400, 'every limit-time decline was delivered before the advance answered');
  const seen = new Set<string>();
  for (let n = 0; n < 20 && seen.size < 2; n++) {
    const health = await instanceOnNewConnection(sandbox.baseUrl);
    seen.add(health.instance);
    t.equal(health.now, '2026-01-02T00:00:00.000Z', `worker ${health.instance} reads the moved clock`);
  }

  sandbox.child.kill('SIGTERM');
  t.equal(await exitOf(sandbox.child), 0);
  t.match(sandbox.output.join(''), /stopped \(SIGTERM\)/);
});
