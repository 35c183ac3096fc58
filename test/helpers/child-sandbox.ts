// Runs the real server entry (src/server.ts) in a child process, as `npm start` would, for crash tests.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface ChildSandbox { child: ChildProcess; baseUrl: string; output: string[] }

interface Tap { teardown(fn: () => unknown): void }

const serverEntry = fileURLToPath(new URL('../../src/server.ts', import.meta.url));

export function startChildSandbox(t: Tap, env: Record<string, string>, args: string[] = []): Promise<ChildSandbox> {
  // Reuse the TypeScript loader this test runs under, so the child runs the same sources.
  const loaders = process.execArgv.filter((arg) => arg.includes('typescript') || arg === '--enable-source-maps');
  const child = spawn(process.execPath, [...loaders, serverEntry, ...args], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const output: string[] = [];
  return new Promise((resolve, reject) => {
    let ready = false;
    child.stdout?.on('data', (chunk: Buffer) => {
      output.push(chunk.toString());
      const match = ready ? null : /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output.join(''));
      if (match !== null) {
        ready = true;
        resolve({ child, baseUrl: match[1]!, output });
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    // 'close' comes once the output streams are drained, so the message carries everything the child printed.
    child.on('close', (code, signal) => {
      if (!ready) reject(new Error(`sandbox exited early (${code ?? signal}): ${output.join('')}`));
    });
  });
}

export function runToExit(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const loaders = process.execArgv.filter((arg) => arg.includes('typescript') || arg === '--enable-source-maps');
  const child = spawn(process.execPath, [...loaders, serverEntry, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

/** The exit code, once the child's output streams are drained too (so its last lines have been read). */
export function exitOf(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null && child.stdout?.readableEnded !== false) resolve(child.exitCode);
    else child.once('close', (code) => resolve(code));
  });
}

export function killHard(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

export async function call(baseUrl: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const response = await fetch(`${baseUrl}${path}`, body === undefined ? {} : {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: await response.json() };
}
