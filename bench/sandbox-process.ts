// Starts the sandbox through its real entry point (dist/src/server.js) on a temp database, for benchmarks.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface RunningSandbox { child: ChildProcess; baseUrl: string; dir: string; startMs: number }

export const BENCH_PROJECT = { project_id: 445, secret_key: 'bench-secret' };

/** Starts any server entry that prints `listening on http://…`, and measures until it answers `readyPath`. */
export function startProcess(entry: string, env: Record<string, string>, readyPath: string): Promise<{ child: ChildProcess; baseUrl: string; startMs: number }> {
  const started = performance.now();
  const child = spawn(process.execPath, [entry], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', async (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match === null || output.includes('\u0000ready')) return;
      output += '\u0000ready';
      const response = await fetch(`${match[1]}${readyPath}`, { method: readyPath === '/' ? 'POST' : 'GET', headers: { 'content-type': 'application/json' }, body: readyPath === '/' ? '{}' : undefined });
      if (response.status === 200) resolve({ child, baseUrl: match[1]!, startMs: performance.now() - started });
    });
    child.on('exit', (code) => reject(new Error(`${entry} exited (${code}): ${output}`)));
  });
}

/** `entry`: another build's server (for a comparison between commits); this build's by default. */
export function startSandbox(env: Record<string, string>, project: Record<string, unknown> = BENCH_PROJECT, entry = fileURLToPath(new URL('../src/server.js', import.meta.url))): Promise<RunningSandbox> {
  const dir = mkdtempSync(join(tmpdir(), 'ecommpay-sandbox-bench-'));
  const config = join(dir, 'sandbox.json');
  writeFileSync(config, JSON.stringify({ projects: [project] }));
  const started = performance.now();
  const child = spawn(process.execPath, [...(process.env.BENCH_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`] : []), entry], {
    env: { ...process.env, PORT: '0', LOG_LEVEL: 'warn', SANDBOX_DB: join(dir, 'sandbox.db'), SANDBOX_CONFIG: config, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match !== null) resolve({ child, baseUrl: match[1]!, dir, startMs: performance.now() - started });
    });
    child.on('exit', (code) => reject(new Error(`sandbox exited (${code}): ${output}`)));
  });
}

export function stopSandbox(sandbox: RunningSandbox): Promise<void> {
  return new Promise((resolve) => {
    sandbox.child.removeAllListeners('exit');
    sandbox.child.once('exit', () => resolve());
    sandbox.child.kill('SIGTERM');
  });
}
