// `npm run bench:start [starts]`: the time from spawning `npm start` on a built, unchanged tree to the first 200
// of `GET /_sandbox/health`, over several starts (each on a new temp database), kept in bench/results.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { BENCH_PROJECT } from './sandbox-process.js';

const starts = Number(process.argv[2] ?? 6);
if (!(starts >= 1)) {
  console.error('usage: npm run bench:start -- [number of starts]');
  process.exit(2);
}

/** Spawns `npm start` in its own process group, waits for the first 200 on health, then stops the group. */
async function timeOneStart(): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'ecommpay-sandbox-start-'));
  writeFileSync(join(dir, 'sandbox.json'), JSON.stringify({ projects: [BENCH_PROJECT] }));
  const started = performance.now();
  const child = spawn('npm', ['start', '--', '--port', '0'], {
    detached: true,
    env: { ...process.env, LOG_LEVEL: 'warn', SANDBOX_DB: join(dir, 'sandbox.db'), SANDBOX_CONFIG: join(dir, 'sandbox.json') },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  const baseUrl = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match !== null) resolve(match[1]!);
    });
    child.on('exit', (code) => reject(new Error(`npm start exited (${code}): ${output}`)));
  });
  for (;;) {
    const response = await fetch(`${baseUrl}/_sandbox/health`);
    if (response.status === 200) break;
  }
  const elapsed = performance.now() - started;
  child.removeAllListeners('exit');
  const stopped = new Promise((resolve) => child.once('exit', resolve));
  process.kill(-(child.pid as number), 'SIGTERM');
  await stopped;
  return Math.round(elapsed);
}

const times: number[] = [];
for (let i = 0; i < starts; i++) times.push(await timeOneStart());
const date = new Date().toISOString();
const result = { date, node: process.version, cpus: cpus().length, starts, msToFirst200: times, min: Math.min(...times), max: Math.max(...times) };
mkdirSync('bench/results', { recursive: true });
const file = `bench/results/npm-start-${date.replace(/[:.]/g, '-')}.json`;
writeFileSync(file, JSON.stringify(result, null, 2));
console.log(`npm start to first 200: ${times.join(', ')} ms (min ${result.min}, max ${result.max}); written to ${file}`);
