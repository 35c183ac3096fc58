// Builds a sandbox with a manual clock and its Fastify app, torn down after the test, on the backend the run
// asks for: a temporary SQLite file, or (SANDBOX_TEST_DB=postgres) a fresh database on a real PostgreSQL server.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import pg from 'pg';
import { buildApp } from '../../src/app.js';
import { loadConfig, type SandboxConfig } from '../../src/config.js';
import { createSandbox, type Sandbox } from '../../src/sandbox.js';
import { startPostgres, type PostgresServer } from './postgres-server.js';
import { answerViolation } from './contract.js';

export const PROJECT_ID = 445;
export const SECRET = 'test-secret-445';

/** The storage backend of this run: `SANDBOX_TEST_DB=postgres` runs the suite on PostgreSQL. */
export const TEST_BACKEND: 'sqlite' | 'postgres' = process.env.SANDBOX_TEST_DB === 'postgres' ? 'postgres' : 'sqlite';

export interface TestSandbox { app: FastifyInstance; sandbox: Sandbox; config: SandboxConfig; dbPath: string }

interface Tap { teardown(fn: () => unknown): void }

const silentLog = { info() {}, warn() {}, error() {} };

export function tempDir(t: Tap): string {
  const dir = mkdtempSync(join(tmpdir(), 'ecommpay-sandbox-test-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

let server: Promise<PostgresServer> | undefined;
let databases = 0;

/** The URL of a PostgreSQL server for this test process: SANDBOX_TEST_PG, else one started here (stopped at exit). */
export async function postgresServerUrl(): Promise<string> {
  if (process.env.SANDBOX_TEST_PG !== undefined && process.env.SANDBOX_TEST_PG !== '') return process.env.SANDBOX_TEST_PG;
  server ??= startPostgres();
  return (await server).url;
}

/** A new, empty PostgreSQL database on the test server. */
export async function freshPostgresDatabase(): Promise<string> {
  const url = new URL(await postgresServerUrl());
  const name = `sandbox_test_${process.pid}_${++databases}_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: url.toString() });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  url.pathname = `/${name}`;
  return url.toString();
}

/** Where a new sandbox keeps its data on this run's backend: a SQLite file in a temp dir, or a fresh database. */
export async function freshDatabase(t: Tap): Promise<string> {
  return TEST_BACKEND === 'postgres' ? freshPostgresDatabase() : join(tempDir(t), 'sandbox.db');
}

export function testConfig(dbPath: string, env: Record<string, string> = {}): SandboxConfig {
  const config = loadConfig({ SANDBOX_DB: dbPath, SANDBOX_CLOCK: 'manual', SANDBOX_SEED: 'test-seed', PORT: '8080', ...env });
  return { ...config, projects: [{ project_id: PROJECT_ID, secret_key: SECRET, name: 'Test shop' }] };
}

export async function buildTestSandbox(
  t: Tap,
  options: { env?: Record<string, string>; config?: Partial<SandboxConfig>; dbPath?: string; logger?: FastifyBaseLogger } = {},
): Promise<TestSandbox> {
  const dbPath = options.dbPath ?? await freshDatabase(t);
  const config = { ...testConfig(dbPath, options.env), ...options.config } as SandboxConfig;
  // `logger`: a real logger (pino) for the domain and the app, as the server has; else nothing is logged.
  const sandbox = await createSandbox(config, options.logger ?? silentLog);
  const app = await buildApp(sandbox, options.logger === undefined ? {} : { loggerInstance: options.logger });
  checkAnswersAgainstContract(t, app);
  sandbox.scheduler.start();
  t.teardown(async () => {
    await app.close();
    await sandbox.close();
  });
  return { app, sandbox, config, dbPath };
}

/**
 * The one contract hook of the harness: every Gate, Data API and control API answer of the app is validated against
 * the OpenAPI document (test/helpers/contract.ts); the test fails at its end naming each answer that drifted.
 */
export function checkAnswersAgainstContract(t: Tap, app: FastifyInstance): void {
  const violations: string[] = [];
  app.addHook('onSend', async (request, reply, payload) => {
    if (typeof payload === 'string' || Buffer.isBuffer(payload)) {
      const header = reply.getHeader('content-type');
      const violation = answerViolation(request.method, request.url, reply.statusCode, typeof header === 'string' ? header : undefined, payload.toString());
      if (violation !== undefined) violations.push(violation);
    }
    return payload;
  });
  t.teardown(() => {
    if (violations.length > 0) throw new Error(`answers that differ from the OpenAPI document:\n${[...new Set(violations)].join('\n')}`);
  });
}

/** Runs everything that is due now on the manual clock (callbacks, timers) and waits for it. */
export async function flush(app: FastifyInstance, seconds = 0): Promise<void> {
  const response = await app.inject({ method: 'POST', url: '/_sandbox/clock/advance', payload: { seconds } });
  if (response.statusCode !== 200) throw new Error(`advance failed: ${response.body}`);
}
