// A peer's tool agrees with the document: Prism's validation proxy (from bench/peers, installed from the npm
// registry by `npm run bench:peers` or `npm run contract`) stands in front of a sandbox with openapi.json, and a
// suite of requests signed with the official JS SDK goes through it: every Gate endpoint, the Data API, the
// Payment Page, and the control API calls that drive them. Prism must report no violation of a request or an
// answer.
import t from 'tap';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fromRoot } from '../../src/project-root.js';
import { startChildSandbox } from '../helpers/child-sandbox.js';
import { freePort } from '../helpers/free-port.js';
import { runningInCi } from '../helpers/ci.js';
import { PROJECT_ID, SECRET, tempDir } from '../helpers/sandbox.js';

const require = createRequire(import.meta.url);
const sdk = require('ecommpay') as {
  signer: (obj: object, secret: string) => string;
  Payment: new (projectId: number, secret: string) => { params: Record<string, unknown>; getUrl(): string };
};

const PRISM = fromRoot('bench', 'peers', 'node_modules', '@stoplight', 'prism-cli', 'dist', 'index.js');
const missing = 'Prism is not installed: npm run contract (or npm run bench:peers) installs it from the npm registry';
const skip = !existsSync(PRISM) && !runningInCi ? missing : false;

const ADMIN = 'admin-contract';
const DATA_TOKEN = 'ContractDataApiToken';
const DATA_SECRET = 'contract-data-secret';

interface Answer { status: number; body: string; violations: string | null }

/** Starts `prism proxy` on a free port; resolves its base URL and what it printed. */
async function startPrism(t: Tap, document: string, upstream: string): Promise<{ base: string; output: string[] }> {
  const port = await freePort();
  const child = spawn(process.execPath, [PRISM, 'proxy', document, upstream, '--host', '127.0.0.1', '--port', String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
  t.teardown(() => {
    child.kill('SIGKILL');
  });
  const output: string[] = [];
  child.stdout.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  let exited: number | null | undefined;
  child.on('exit', (code) => {
    exited = code;
  });
  // Prism reads and resolves the document before it listens: on a busy machine that takes a while.
  const base = `http://127.0.0.1:${port}`;
  for (const started = Date.now(); Date.now() - started < 300_000;) {
    if (exited !== undefined) throw new Error(`Prism exited (${exited}): ${output.join('')}`);
    if (/Prism is listening/.test(output.join(''))) return { base, output };
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`Prism did not start: ${output.join('')}`);
}

interface Tap { teardown(fn: () => unknown): void }

t.test('Prism\'s validation proxy, with openapi.json, reports no violation for the JS SDK\'s signed requests', { skip }, async (t) => {
  const dir = tempDir(t);
  const config = join(dir, 'config.json');
  writeFileSync(config, JSON.stringify({
    projects: [{ project_id: PROJECT_ID, secret_key: SECRET, name: 'Contract shop', control_token: 'sbx_contract_445' }],
    data_api_tokens: [{ token: DATA_TOKEN, secret_key: DATA_SECRET, project_ids: [PROJECT_ID] }],
  }));
  const sandbox = await startChildSandbox(t, { SANDBOX_DB: join(dir, 'sandbox.db'), SANDBOX_CLOCK: 'manual', SANDBOX_CONFIG: config, SANDBOX_ADMIN_TOKEN: ADMIN });
  const { base, output } = await startPrism(t, fromRoot('openapi.json'), sandbox.baseUrl);

  const answers: Array<{ what: string } & Answer> = [];
  const send = async (what: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> => {
    const response = await fetch(`${base}${path}`, {
      method, headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers }, ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const answer = { status: response.status, body: await response.text(), violations: response.headers.get('sl-violations') };
    answers.push({ what, ...answer });
    return answer;
  };
  const signed = <T extends { general: Record<string, unknown> }>(body: T, secret = SECRET): T => {
    const copy = structuredClone(body);
    copy.general.signature = sdk.signer(copy, secret);
    return copy;
  };
  const admin = { authorization: `Bearer ${ADMIN}` };
  const customer = { id: 'contract-customer', ip_address: '203.0.113.7', email: 'juan@example.ph' };
  const general = (paymentId: string) => ({ project_id: PROJECT_ID, payment_id: paymentId });
  const card = (pan: string) => ({ pan, year: 2031, month: 12, card_holder: 'JUAN DELA CRUZ', cvv: '123' });

  // The wallet: a sale, a payout after it, a refused refund, the status, and refusals.
  t.equal((await send('wallet sale', 'POST', '/v2/payment/wallet/paymaya/sale', signed({ general: general('w-1'), payment: { amount: 50000, currency: 'PHP', description: 'Order 1' }, customer, return_url: { success: 'https://shop.example/ok' } }))).status, 200);
  t.equal((await send('complete', 'POST', `/_sandbox/payments/${PROJECT_ID}/w-1/complete`, { status: 'success' }, admin)).status, 200);
  t.equal((await send('wallet payout', 'POST', '/v2/payment/wallet/paymaya/payout', signed({ general: general('w-2'), payment: { amount: 10000, currency: 'PHP' }, customer, account: { number: '09171234567', customer_name: 'Juan dela Cruz' } }))).status, 200);
  t.equal((await send('wallet refund', 'POST', '/v2/payment/wallet/paymaya/refund', signed({ general: general('w-1'), payment: { amount: 100, currency: 'PHP' } }))).status, 400);
  t.equal((await send('status', 'POST', '/v2/payment/status', signed({ general: general('w-1') }))).status, 200);
  t.equal((await send('bad signature', 'POST', '/v2/payment/status', { general: { ...general('w-1'), signature: 'AAAA' } })).status, 401);
  t.equal((await send('unknown payment', 'POST', '/v2/payment/status', signed({ general: general('nobody') }))).status, 404);
  t.equal((await send('duplicate', 'POST', '/v2/payment/wallet/paymaya/sale', signed({ general: general('w-1'), payment: { amount: 50000, currency: 'PHP' }, customer, return_url: { success: 'https://shop.example/ok' } }))).status, 409);

  // Cards: a sale, a hold captured, a hold cancelled, a refund, a saved card debited, 3-D Secure, status by request id.
  const sale = await send('card sale', 'POST', '/v2/payment/card/sale', signed({ general: general('c-1'), card: card('4000000000000077'), customer, payment: { amount: 10000, currency: 'PHP' }, recurring_register: true }));
  t.equal(sale.status, 200);
  t.equal((await send('card auth', 'POST', '/v2/payment/card/auth', signed({ general: general('c-2'), card: card('4000000000000077'), customer, payment: { amount: 10000, currency: 'PHP' } }))).status, 200);
  t.equal((await send('card auth 2', 'POST', '/v2/payment/card/auth', signed({ general: general('c-3'), card: card('4000000000000077'), customer, payment: { amount: 10000, currency: 'PHP' } }))).status, 200);
  t.equal((await send('advance', 'POST', '/_sandbox/clock/advance', { seconds: 1 }, admin)).status, 200);
  t.equal((await send('capture', 'POST', '/v2/payment/card/capture', signed({ general: general('c-2'), payment: { amount: 10000, currency: 'PHP' } }))).status, 200);
  t.equal((await send('cancel', 'POST', '/v2/payment/card/cancel', signed({ general: general('c-3') }))).status, 200);
  t.equal((await send('refund', 'POST', '/v2/payment/refund', signed({ general: general('c-1'), payment: { amount: 5000, currency: 'PHP', description: 'part' } }))).status, 200);
  t.equal((await send('card refund', 'POST', '/v2/payment/card/refund', signed({ general: general('c-1'), payment: { amount: 1000, currency: 'PHP', description: 'more' } }))).status, 200);
  t.equal((await send('account verification', 'POST', '/v2/payment/card/account_verification', signed({ general: general('c-4'), card: card('5555555555554444'), customer, payment: { amount: 0, currency: 'PHP' } }))).status, 200);
  t.equal((await send('advance', 'POST', '/_sandbox/clock/advance', { seconds: 1 }, admin)).status, 200);
  const saved = JSON.parse((await send('saved cards', 'GET', `/_sandbox/recurring?project_id=${PROJECT_ID}`, undefined, admin)).body) as { recurring: Array<{ id: number }> };
  t.ok(saved.recurring.length > 0, 'the sale saved the card');
  t.equal((await send('recurring', 'POST', '/v2/payment/card/recurring', signed({ general: general('c-5'), customer, payment: { amount: 2000, currency: 'PHP' }, recurring: { id: saved.recurring[0]?.id } }))).status, 200);
  t.equal((await send('3ds sale', 'POST', '/v2/payment/card/sale', signed({ general: general('c-6'), card: card('5413330000000019'), customer, payment: { amount: 10000, currency: 'PHP' }, acs_return_url: { return_url: 'https://shop.example/back' } }))).status, 200);
  t.equal((await send('advance', 'POST', '/_sandbox/clock/advance', { seconds: 1 }, admin)).status, 200);
  await send('3ds check', 'POST', '/v2/payment/card/3ds_check_iframe', signed({ general: general('c-6'), threeds_completion_indicator: true }));
  await send('3ds result', 'POST', '/v2/payment/card/3ds_result', signed({ general: general('c-6'), cres: 'not-a-cres' }));
  await send('clarification', 'POST', '/v2/payment/clarification', signed({ general: general('c-1'), additional_data: { avs_data: { avs_post_code: '1000' } } }));
  const requestId = (JSON.parse(sale.body) as { request_id: string }).request_id;
  const byRequest = { project_id: PROJECT_ID, request_id: requestId };
  t.equal((await send('status by request', 'POST', '/v2/payment/status/request', { ...byRequest, signature: sdk.signer(byRequest, SECRET) })).status, 200);

  // The Data API, the Payment Page, and the control API.
  const data = { token: DATA_TOKEN, interval: { from: '2020-01-01 00:00:00', to: '2040-01-01 00:00:00' }, limit: 50 };
  t.equal((await send('data api', 'POST', '/operations/get', { ...data, signature: sdk.signer(data, DATA_SECRET) })).status, 200);
  const page = new sdk.Payment(PROJECT_ID, SECRET);
  Object.assign(page.params, { payment_id: 'pp-1', payment_amount: 50000, payment_currency: 'PHP', customer_id: 'contract-customer', customer_email: 'juan@example.ph' });
  const url = page.getUrl();
  t.equal((await send('payment page', 'GET', `/payment${url.slice(url.indexOf('?'))}`)).status, 200);
  for (const path of ['/_sandbox/health', '/_sandbox/clock', `/_sandbox/payments/${PROJECT_ID}/w-1`, '/_sandbox/callbacks?limit=5', '/_sandbox/inbox', '/_sandbox/projects', '/_sandbox/audit', '/_sandbox/scenarios', `/_sandbox/listen/status?project_id=${PROJECT_ID}`]) {
    t.equal((await send(path, 'GET', path, undefined, admin)).status, 200, path);
  }

  const violations = answers.filter((a) => a.violations !== null).map((a) => `${a.what}: ${a.violations}`);
  t.same(violations, [], 'no answer carries a violation');
  t.notMatch(output.join(''), /[Vv]iolation/, 'and Prism logged none');
  t.ok(answers.length >= 30, `${answers.length} requests went through Prism`);
  t.match(readFileSync(fromRoot('openapi.json'), 'utf8'), /"openapi": "3\.1\.0"/);
});
