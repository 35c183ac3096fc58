// Two builds side by side, in the same minutes: `npm run bench:compare -- <other checkout> [scenarios] [rounds]`.
// The other checkout must be built (its dist/src/server.js); this build's load generator drives both. Each
// scenario runs on the other build, then on this one, `rounds` times over, so that what else the machine does
// weighs on both alike. Prints req/s, p99 and the server's CPU time per answered request, which moves least.
import { cpus } from 'node:os';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { runLoad } from './load.js';
import type { LoadSpec } from './load-worker.js';
import { cpuMsOf } from './process-stats.js';
import { BENCH_PROJECT, startSandbox, stopSandbox } from './sandbox-process.js';
import { seedPurchase } from './seed-purchase.js';

type Scenario = 'sale' | 'status' | 'payout';

const [otherRoot, scenarioList = 'sale,status,payout', roundsText = '2'] = process.argv.slice(2);
const otherEntry = otherRoot === undefined ? '' : resolve(otherRoot, 'dist/src/server.js');
const scenarios = scenarioList.split(',') as Scenario[];
const rounds = Number(roundsText);
if (otherRoot === undefined || !existsSync(otherEntry) || scenarios.some((s) => !['sale', 'status', 'payout'].includes(s)) || !(rounds >= 1)) {
  console.error('usage: npm run bench:compare -- <built checkout of the other commit> [sale,status,payout] [rounds]');
  process.exit(2);
}

const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const base = { connections: Number(process.env.BENCH_CONNECTIONS ?? 50), durationSeconds: SECONDS, secret: BENCH_PROJECT.secret_key, projectId: BENCH_PROJECT.project_id };

interface Row { build: 'other' | 'this'; scenario: Scenario; round: number; requestsPerSecond: number; p99: number; cpuMicrosPerRequest: number; errors: number }
const rows: Row[] = [];

async function measure(label: 'other' | 'this', entry: string | undefined, scenario: Scenario, round: number): Promise<void> {
  const sandbox = await startSandbox({ SANDBOX_CLOCK: 'manual' }, BENCH_PROJECT, entry);
  try {
    const statusPaymentId = scenario === 'sale' ? undefined : await seedPurchase(sandbox.baseUrl);
    const path = scenario === 'status' ? '/v2/payment/status' : `/v2/payment/wallet/paymaya/${scenario}`;
    const spec: LoadSpec = { ...base, url: `${sandbox.baseUrl}${path}`, body: scenario, prefix: scenario, callbackDelay: 600, customerId: 'eligible', ...(statusPaymentId === undefined ? {} : { statusPaymentId }) };
    await runLoad({ ...spec, durationSeconds: 2, prefix: `${scenario}-warm` });
    const pid = sandbox.child.pid as number;
    const cpuBefore = cpuMsOf(pid);
    const result = await runLoad(spec);
    const cpuUs = result.total === 0 ? 0 : Math.round(((cpuMsOf(pid) - cpuBefore) * 1000) / result.total);
    rows.push({ build: label, scenario, round, requestsPerSecond: result.requestsPerSecond, p99: result.p99, cpuMicrosPerRequest: cpuUs, errors: result.errors + result.non2xx });
    console.log(`${label.padEnd(5)} ${scenario.padEnd(6)} ${String(result.requestsPerSecond).padStart(6)} req/s  p99 ${String(result.p99).padStart(3)} ms  ${String(cpuUs).padStart(4)} CPU µs/req  errors ${result.errors + result.non2xx}`);
  } finally {
    await stopSandbox(sandbox);
  }
}

console.log(`other: ${otherEntry}\nthis:  this checkout; ${SECONDS} s per run at ${base.connections} connections after a 2 s warm-up`);
for (let round = 0; round < rounds; round++) {
  for (const scenario of scenarios) {
    await measure('other', otherEntry, scenario, round);
    await measure('this', undefined, scenario, round);
  }
}
const date = new Date().toISOString();
mkdirSync('bench/results', { recursive: true });
const file = `bench/results/compare-${date.replace(/[:.]/g, '-')}.json`;
writeFileSync(file, JSON.stringify({ date, node: process.version, cpus: cpus().length, other: resolve(otherRoot), connections: base.connections, seconds: SECONDS, rows }, null, 2));
console.log(`written to ${file}`);
