// Builds a sandbox on a temporary SQLite file with a manual clock, and its Fastify app, torn down after the test.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.js';
import { loadConfig, type SandboxConfig } from '../../src/config.js';
import { createSandbox, type Sandbox } from '../../src/sandbox.js';

export const PROJECT_ID = 445;
export const SECRET = 'test-secret-445';

export interface TestSandbox { app: FastifyInstance; sandbox: Sandbox; config: SandboxConfig; dbPath: string }

interface Tap { teardown(fn: () => unknown): void }

const silentLog = { info() {}, warn() {}, error() {} };

export function tempDir(t: Tap): string {
  const dir = mkdtempSync(join(tmpdir(), 'ecommpay-sandbox-test-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export function testConfig(dbPath: string, env: Record<string, string> = {}): SandboxConfig {
  const config = loadConfig({ SANDBOX_DB: dbPath, SANDBOX_CLOCK: 'manual', SANDBOX_SEED: 'test-seed', PORT: '8080', ...env });
  return { ...config, projects: [{ project_id: PROJECT_ID, secret_key: SECRET, name: 'Test shop' }] };
}

export async function buildTestSandbox(
  t: Tap,
  options: { env?: Record<string, string>; config?: Partial<SandboxConfig>; dbPath?: string } = {},
): Promise<TestSandbox> {
  const dbPath = options.dbPath ?? join(tempDir(t), 'sandbox.db');
  const config = { ...testConfig(dbPath, options.env), ...options.config } as SandboxConfig;
  const sandbox = createSandbox(config, silentLog);
  const app = await buildApp(sandbox);
  sandbox.scheduler.start();
  t.teardown(async () => {
    await app.close();
    await sandbox.close();
  });
  return { app, sandbox, config, dbPath };
}

/** Runs everything that is due now on the manual clock (callbacks, timers) and waits for it. */
export async function flush(app: FastifyInstance, seconds = 0): Promise<void> {
  const response = await app.inject({ method: 'POST', url: '/_sandbox/clock/advance', payload: { seconds } });
  if (response.statusCode !== 200) throw new Error(`advance failed: ${response.body}`);
}
