// Runs `ecommpay-sandbox listen` (src/server.ts) as a child process with --json, as a developer or CI would, and
// reads its events line by line.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const serverEntry = fileURLToPath(new URL('../../src/server.ts', import.meta.url));

export interface ListenCli {
  child: ChildProcess;
  events: Array<Record<string, any>>;
  stderr: string[];
  /** Resolves once `count` events named `name` were printed. */
  when(name: string, count?: number, timeoutMs?: number): Promise<Array<Record<string, any>>>;
  exit: Promise<number | null>;
}

interface Tap { teardown(fn: () => unknown): void }

export function spawnListen(t: Tap, args: string[], env: Record<string, string> = {}): ListenCli {
  const loaders = process.execArgv.filter((arg) => arg.includes('typescript') || arg === '--enable-source-maps');
  const child = spawn(process.execPath, [...loaders, serverEntry, 'listen', '--json', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const events: Array<Record<string, any>> = [];
  const stderr: string[] = [];
  const waiting: Array<() => void> = [];
  let partial = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    partial += chunk.toString();
    const lines = partial.split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) if (line.trim() !== '') events.push(JSON.parse(line) as Record<string, any>);
    for (const check of waiting.splice(0)) check();
  });
  child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
  const exit = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  const when = (name: string, count = 1, timeoutMs = 30_000) => new Promise<Array<Record<string, any>>>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${count} "${name}" events; got ${JSON.stringify(events)} ${stderr.join('')}`)), timeoutMs);
    const check = () => {
      const found = events.filter((e) => e.event === name);
      if (found.length >= count) {
        clearTimeout(timer);
        resolve(found);
      } else {
        waiting.push(check);
      }
    };
    check();
  });
  return { child, events, stderr, when, exit };
}
