// usage: node tmp-cmp.mjs <distRoot> <kind>
const root = process.argv[2]; const kind = process.argv[3] ?? 'sale';
const { runLoad } = await import(`${root}/bench/load.js`);
const { startSandbox, stopSandbox, BENCH_PROJECT } = await import(`${root}/bench/sandbox-process.js`);
const { cpuMsOf } = await import('/work/main/dist/bench/process-stats.js');
const sb = await startSandbox({ SANDBOX_CLOCK: 'manual' }, BENCH_PROJECT);
const base = { connections: 50, durationSeconds: 8, secret: 'bench-secret', projectId: 445 };
let statusPaymentId;
if (kind !== 'sale') {
  await runLoad({ ...base, connections: 1, durationSeconds: 1, url: `${sb.baseUrl}/v2/payment/wallet/paymaya/sale`, body: 'sale', prefix: 'seed', customerId: 'eligible' });
  const seeded = await (await fetch(`${sb.baseUrl}/_sandbox/callbacks?limit=1`)).json();
  statusPaymentId = seeded.callbacks[0].payment_id;
  await fetch(`${sb.baseUrl}/_sandbox/payments/445/${statusPaymentId}/complete`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"status":"success"}' });
}
const path = kind === 'status' ? '/v2/payment/status' : `/v2/payment/wallet/paymaya/${kind}`;
const spec = { ...base, url: `${sb.baseUrl}${path}`, body: kind, prefix: 'p', callbackDelay: 600, customerId: 'eligible', statusPaymentId };
await runLoad({ ...spec, durationSeconds: 2, prefix: 'w' });
const c0 = cpuMsOf(sb.child.pid);
const r = await runLoad(spec);
console.log(`${root.includes('before') ? 'before' : 'now   '} ${kind}: ${r.requestsPerSecond} req/s, ${Math.round((cpuMsOf(sb.child.pid) - c0) * 1000 / r.total)} CPU us/req, p99 ${r.p99}`);
await stopSandbox(sb);
