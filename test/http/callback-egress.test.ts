import t from 'tap';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildTestSandbox, flush, PROJECT_ID, SECRET, tempDir } from '../helpers/sandbox.js';
import { startReceiver } from '../helpers/receiver.js';
import { sale } from '../helpers/gate-client.js';
import { loadConfig } from '../../src/config.js';
import { createRequire } from 'node:module';
import { matchCounted } from '../helpers/promises.js';

const require = createRequire(import.meta.url);
const { Payment } = require('ecommpay') as { Payment: new (projectId: number, secret: string, params?: object, base?: string) => Record<string, any> & { getUrl(): string } };

/** A Payment Page query signed by the official SDK. */
function pageQuery(params: Record<string, unknown>): string {
  const payment = new Payment(PROJECT_ID, SECRET, {}, '');
  Object.assign(payment.params, { payment_amount: 50000, payment_currency: 'PHP', customer_id: 'cust-1', customer_email: 'juan@example.ph', ...params });
  const url = payment.getUrl();
  return url.slice(url.indexOf('?') + 1);
}

const general = (paymentId: string, url: string) => ({ general: { project_id: PROJECT_ID, payment_id: paymentId, merchant_callback_url: url } });

async function report(app: Awaited<ReturnType<typeof buildTestSandbox>>['app'], paymentId: string) {
  return (await app.inject({ url: `/_sandbox/payments/${PROJECT_ID}/${paymentId}` })).json() as Record<string, any>;
}

t.test('a request naming a callback URL the default policy denies is refused naming the field, and nothing is stored', async (t) => {
  const { app } = await buildTestSandbox(t);
  for (const url of ['http://169.254.169.254/latest/meta-data/', 'http://metadata.google.internal/cb', 'http://[fe80::1]/cb']) {
    const refused = await sale(app, 'meta-1', general('meta-1', url));
    t.equal(refused.status, 400, url);
    matchCounted(t, refused.body, { code: '2004', errors: [{ field: 'general.merchant_callback_url', message: /Callbacks may not go to this URL: .*SANDBOX_CALLBACK_DENY/ }] }, url);
  }
  t.equal((await app.inject({ url: `/_sandbox/payments/${PROJECT_ID}/meta-1` })).statusCode, 404, 'no payment was stored');
  const project = await app.inject({ method: 'POST', url: '/_sandbox/projects', payload: { secret_key: 's', callback_url: 'http://169.254.169.254/' } });
  t.equal(project.statusCode, 400);
  matchCounted(t, project.json(), { code: '2004', errors: [{ field: 'callback_url', message: /SANDBOX_CALLBACK_DENY/ }] });
  const query = pageQuery({ payment_id: 'pp-meta', merchant_callback_url: 'http://169.254.169.254/cb' });
  const page = await app.inject({ url: `/payment?${query}` });
  const submit = await app.inject({
    method: 'POST', url: '/payment/submit', headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ request: query, customer_email: 'juan@example.ph', method: 'paymaya-wallet' }).toString(),
  });
  t.equal(page.statusCode, 200, 'the form shows');
  t.equal(submit.statusCode, 400, 'starting the payment is refused');
  t.match(submit.body, /merchant_callback_url/);
});

t.test('an allow list admits its host:port only', async (t) => {
  const receiver = await startReceiver(t);
  const port = Number(new URL(receiver.url).port);
  const { app } = await buildTestSandbox(t, { env: { SANDBOX_CALLBACK_ALLOW: `127.0.0.1:${port}` } });
  t.equal((await sale(app, 'allow-1', general('allow-1', receiver.url))).status, 200);
  const other = await sale(app, 'allow-2', general('allow-2', `http://127.0.0.1:${port + 1}/cb`));
  t.equal(other.status, 400);
  matchCounted(t, other.body, { errors: [{ field: 'general.merchant_callback_url', message: /not in SANDBOX_CALLBACK_ALLOW/ }] });
  await flush(app);
  t.equal(receiver.received.length, 1);
});

t.test('a host that resolves to a denied address is refused when the callback is sent, and the refused attempt is logged', async (t) => {
  const receiver = await startReceiver(t);
  const port = new URL(receiver.url).port;
  const { app } = await buildTestSandbox(t, { env: { SANDBOX_CALLBACK_DENY: '127.0.0.0/8,::1' } });
  // The name passes when the request is made; what it resolves to does not when the callback goes out.
  t.equal((await sale(app, 'rebind-1', general('rebind-1', `http://localhost:${port}/cb`))).status, 200);
  await flush(app);
  t.equal(receiver.received.length, 0, 'nothing reached the address');
  const [callback] = (await report(app, 'rebind-1')).callbacks;
  matchCounted(t, callback, { state: 'scheduled', attempts: [{ number: 1, http_status: null, error: /^refused by the callback egress policy: localhost resolves to (127\.0\.0\.1|::1), denied by SANDBOX_CALLBACK_DENY/ }] });
});

t.test('a redirect from the receiver is not followed', async (t) => {
  const target = await startReceiver(t);
  const redirecting = createServer((_request, response) => {
    response.writeHead(302, { location: target.url }).end();
  });
  await new Promise<void>((resolve) => redirecting.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => { redirecting.closeAllConnections(); redirecting.close(() => resolve()); }));
  const { app } = await buildTestSandbox(t);
  await sale(app, 'redirect-1', general('redirect-1', `http://127.0.0.1:${(redirecting.address() as AddressInfo).port}/cb`));
  await flush(app);
  t.equal(target.received.length, 0, 'the redirect target got nothing');
  matchCounted(t, (await report(app, 'redirect-1')).callbacks[0], { state: 'scheduled', attempts: [{ http_status: 302 }] });
});

t.test('a bad rule or a config project outside the policy stops the start naming the variable or key', async (t) => {
  t.throws(() => loadConfig({ SANDBOX_CALLBACK_ALLOW: 'shop.example, 10.0.0.0/40' }), { name: 'ConfigError', message: /^SANDBOX_CALLBACK_ALLOW: "10\.0\.0\.0\/40" is not a CIDR range/ });
  t.throws(() => loadConfig({ SANDBOX_CALLBACK_DENY: 'bad rule' }), { name: 'ConfigError', message: /^SANDBOX_CALLBACK_DENY: / });
  const file = join(tempDir(t), 'sandbox.json');
  writeFileSync(file, JSON.stringify({ projects: [{ project_id: 9, secret_key: 's', callback_url: 'http://169.254.169.254/cb' }] }));
  t.throws(() => loadConfig({ SANDBOX_CONFIG: file }), { name: 'ConfigError', message: /projects\.0\.callback_url: callbacks may not go there: .*SANDBOX_CALLBACK_DENY/ });
});
