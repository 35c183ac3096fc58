// `npm run bench:mass-payout`: uploads a 10,000-row payout CSV through the dashboard and measures how long
// the batch takes to complete and how Gate status requests fare meanwhile.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runLoad } from './load.js';
import { BENCH_PROJECT, startProcess, stopSandbox } from './sandbox-process.js';

const ROWS = Number(process.env.BENCH_ROWS ?? 10_000);
const dir = join(process.env.TMPDIR ?? '/tmp', `ecommpay-sandbox-mass-${Date.now()}`);
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, 'sandbox.json'), JSON.stringify({ projects: [BENCH_PROJECT] }));
const sandbox = await startProcess(fileURLToPath(new URL('../src/server.js', import.meta.url)), {
  PORT: '0', LOG_LEVEL: 'warn', SANDBOX_DB: join(dir, 'sandbox.db'), SANDBOX_CONFIG: join(dir, 'sandbox.json'), SANDBOX_CLOCK: 'manual',
}, '/_sandbox/health');
const base = { secret: BENCH_PROJECT.secret_key, projectId: BENCH_PROJECT.project_id };
await runLoad({ ...base, connections: 1, durationSeconds: 1, url: `${sandbox.baseUrl}/v2/payment/wallet/paymaya/sale`, body: 'sale', prefix: 'seed', customerId: 'eligible' });
const seed = ((await (await fetch(`${sandbox.baseUrl}/_sandbox/callbacks?limit=1`)).json()) as { callbacks: Array<{ payment_id: string }> }).callbacks[0]?.payment_id as string;
await fetch(`${sandbox.baseUrl}/_sandbox/payments/${BENCH_PROJECT.project_id}/${seed}/complete`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"status":"success"}' });

const lines = ['general.payment_id,payment.amount,payment.currency,customer.id,account.number,account.customer_name'];
for (let i = 0; i < ROWS; i++) lines.push(`mass-${i},${10000 + (i % 50)},PHP,eligible,09171234567,Juan dela Cruz`);
const page = await fetch(`${sandbox.baseUrl}/dashboard/manual`);
const cookie = (page.headers.get('set-cookie') ?? '').split(';')[0] as string;
const csrf = /name="csrf" value="([^"]+)"/.exec(await page.text())?.[1] as string;
const form = new FormData();
form.set('csrf', csrf);
form.set('project_id', String(BENCH_PROJECT.project_id));
form.set('file', new Blob([lines.join('\n')], { type: 'text/csv' }), 'payouts.csv');

const statusLoad = runLoad({ ...base, connections: 10, durationSeconds: 8, url: `${sandbox.baseUrl}/v2/payment/status`, body: 'status', prefix: 'status', statusPaymentId: seed });
const started = performance.now();
const upload = await fetch(`${sandbox.baseUrl}/dashboard/manual/batches`, { method: 'POST', body: form, headers: { cookie }, redirect: 'manual' });
const uploadMs = Math.round(performance.now() - started);
const batchPath = upload.headers.get('location') as string;
let doneMs = 0;
// A batch that is not done within two minutes ends the run with what its page says, rather than waiting forever.
for (let seen = ''; ; ) {
  const html = await (await fetch(`${sandbox.baseUrl}${batchPath}`, { headers: { cookie } })).text();
  seen = /id="batch-status">([^<]*)</.exec(html)?.[1] ?? `no batch status on ${batchPath} (HTTP answer of ${html.length} bytes)`;
  if (seen === 'done') {
    doneMs = Math.round(performance.now() - started);
    break;
  }
  if (performance.now() - started > 120_000) {
    await stopSandbox({ child: sandbox.child, baseUrl: sandbox.baseUrl, dir, startMs: 0 });
    throw new Error(`the batch was not done within 120 s: ${seen}`);
  }
  await new Promise((resolve) => setTimeout(resolve, 100));
}
const status = await statusLoad;
const result = { rows: ROWS, upload_and_validate_ms: uploadMs, batch_done_ms: doneMs, payouts_per_second: Math.round(ROWS / (doneMs / 1000)), status_rps_meanwhile: status.requestsPerSecond, status_p99_ms_meanwhile: status.p99, status_errors: status.errors + status.non2xx };
console.log(JSON.stringify(result, null, 2));
mkdirSync('bench/results', { recursive: true });
writeFileSync(`bench/results/mass-payout-${Date.now()}.json`, JSON.stringify(result, null, 2));
await stopSandbox({ child: sandbox.child, baseUrl: sandbox.baseUrl, dir, startMs: 0 });
