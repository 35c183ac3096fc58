import t from 'tap';
import { buildTestSandbox, flush, freshDatabase } from '../helpers/sandbox.js';
import { startReceiver } from '../helpers/receiver.js';
import { sale } from '../helpers/gate-client.js';
import { PROJECT_ID } from '../helpers/sandbox.js';
import { matchCounted } from '../helpers/promises.js';

t.test('limit-time timers and the manual clock survive a restart of the sandbox on the same database', async (t) => {
  const dbPath = await freshDatabase(t);
  const receiver = await startReceiver(t);
  const first = await buildTestSandbox(t, { dbPath });
  await sale(first.app, 'late-1', { general: { project_id: PROJECT_ID, payment_id: 'late-1', merchant_callback_url: receiver.url } });
  await flush(first.app, 3600);
  const before = first.sandbox.clock.now();
  await first.app.close();
  await first.sandbox.close();

  const second = await buildTestSandbox(t, { dbPath });
  t.equal(second.sandbox.clock.now(), before, 'the manual clock resumes where it was');
  await flush(second.app, 23 * 3600);
  const report = (await second.app.inject({ url: `/_sandbox/payments/${PROJECT_ID}/late-1` })).json() as Record<string, any>;
  matchCounted(t, report, { payment: { status: 'decline' }, operations: [{ code: '20602' }], timers: { limit: null } });
  t.equal(receiver.received.length, 2, 'the redirect callback, then the automatic decline');
});
