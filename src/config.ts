// Reads the environment and the optional JSON config file once, validates both, and returns a frozen config.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fieldOf, validatorFor } from './schema-registry.js';
import { fromRoot } from './project-root.js';
import { EgressPolicy, EgressRuleError, parseRules, type EgressRule } from './domain/callbacks/egress-policy.js';
import type { OperationOverride } from './domain/catalogue/methods.js';
import type { CardOptions } from './domain/model.js';
import type { ClockSetting } from './domain/clock/clock.js';
import type { DataApiToken } from './domain/reports/data-api.js';

export type { ClockSetting, DataApiToken, OperationOverride };

export interface ProjectConfig {
  project_id: number;
  secret_key: string;
  name?: string;
  callback_url?: string;
  frequency_limits?: Array<{ method?: string; operation?: 'sale' | 'payout'; max: number; window_seconds: number }>;
  control_token?: string;
  quotas?: { requests_per_second?: number; stored_payments?: number };
  callbacks?: { order?: 'strict' | 'any'; repeat_redirect?: number };
  card?: CardOptions;
}
export interface ConfigFile {
  projects?: ProjectConfig[];
  currency_rates?: Record<string, number>;
  data_api_tokens?: DataApiToken[];
  scenarios_dir?: string;
  callbacks?: { timeout_ms?: number; user_agent?: string; max_in_flight?: number };
  methods?: Record<string, { sale?: OperationOverride; payout?: OperationOverride }>;
}

export type LogFormat = 'pretty' | 'json';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];


export interface SandboxConfig {
  port: number;
  host: string;
  databasePath: string;
  publicUrl: string;
  clock: ClockSetting;
  seed: string | undefined;
  adminToken: string | undefined;
  logLevel: string;
  /** `pretty`: one readable line per entry; `json`: pino's JSON lines, for log collectors. */
  logFormat: LogFormat;
  projects: ProjectConfig[];
  currencyRates: Record<string, number>;
  dataApiTokens: DataApiToken[];
  scenariosDir: string;
  /** maxInFlight 0: this instance runs no due work (an API-only instance beside others on a shared database). */
  callbacks: { timeoutMs: number; userAgent: string; maxInFlight: number };
  /** How often an instance on a shared database looks for work it was not told of (real ms). */
  pollMs: number;
  /** Worker processes sharing the listening port and the database. */
  workers: number;
  /** How long a start waits for a PostgreSQL server that refuses connections (SANDBOX_DB_WAIT_S, real ms). */
  dbWaitMs: number;
  /** How long SIGTERM or SIGINT may take before the process exits anyway (SANDBOX_SHUTDOWN_GRACE_S, real ms). */
  shutdownGraceMs: number;
  /** Where callbacks may go (SANDBOX_CALLBACK_ALLOW / SANDBOX_CALLBACK_DENY). */
  callbackPolicy: EgressPolicy;
  /** Quotas of projects that set none (SANDBOX_QUOTA_REQUESTS_PER_SECOND, SANDBOX_QUOTA_STORED_PAYMENTS). */
  defaultQuotas: { requests_per_second?: number; stored_payments?: number };
  methodOverrides: NonNullable<ConfigFile['methods']>;
  configFile: string | undefined;
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export const DEFAULT_PROJECT: ProjectConfig = { project_id: 1, secret_key: 'sandbox-secret', name: 'Default sandbox project' };
export const DEFAULT_MANUAL_START = Date.UTC(2026, 0, 1, 0, 0, 0);
export const packageVersion = (JSON.parse(readFileSync(fromRoot('package.json'), 'utf8')) as { version: string }).version;

function integerSetting(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name}: expected an integer from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

// Quiet by default: warnings and errors only; `info` adds one line per request.
function logLevelSetting(raw: string | undefined): string {
  if (raw === undefined || raw === '') return 'warn';
  if (!LOG_LEVELS.includes(raw)) throw new ConfigError(`LOG_LEVEL: expected one of ${LOG_LEVELS.join(', ')}, got "${raw}"`);
  return raw;
}

function logFormatSetting(raw: string | undefined): LogFormat {
  if (raw === undefined || raw === '') return 'pretty';
  if (raw !== 'pretty' && raw !== 'json') throw new ConfigError(`LOG_FORMAT: expected pretty or json, got "${raw}"`);
  return raw;
}

export function parseClockSetting(raw: string | undefined, startRaw: string | undefined): ClockSetting {
  const value = raw === undefined || raw === '' ? 'real' : raw;
  if (value === 'real') return { mode: 'real' };
  if (value === 'manual') {
    if (startRaw === undefined || startRaw === '') return { mode: 'manual', startAt: DEFAULT_MANUAL_START };
    const startAt = Date.parse(startRaw);
    if (Number.isNaN(startAt)) throw new ConfigError(`SANDBOX_CLOCK_START: not an ISO 8601 date: "${startRaw}"`);
    return { mode: 'manual', startAt };
  }
  const scale = /^scale:(\d+(?:\.\d+)?)$/.exec(value);
  if (scale !== null && Number(scale[1]) > 0) return { mode: 'scale', factor: Number(scale[1]) };
  throw new ConfigError(`SANDBOX_CLOCK: expected real, manual or scale:N (N > 0), got "${value}"`);
}

function readConfigFile(path: string): ConfigFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`SANDBOX_CONFIG: cannot read ${path}: ${(error as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`SANDBOX_CONFIG: ${path} is not valid JSON: ${(error as Error).message}`);
  }
  const validate = validatorFor<ConfigFile>('config/sandbox-config.json');
  if (!validate(parsed)) {
    const problems = (validate.errors ?? []).map((e) => {
      const field = fieldOf(e) || '(root)';
      return e.keyword === 'additionalProperties' ? `unknown key "${field}"` : `"${field}" ${e.message ?? 'is invalid'}`;
    });
    throw new ConfigError(`SANDBOX_CONFIG: ${path}: ${[...new Set(problems)].join('; ')}`);
  }
  const ids = new Set<number>();
  for (const project of parsed.projects ?? []) {
    if (ids.has(project.project_id)) throw new ConfigError(`SANDBOX_CONFIG: ${path}: project_id ${project.project_id} is listed twice`);
    ids.add(project.project_id);
  }
  return parsed;
}

function rulesSetting(env: NodeJS.ProcessEnv, name: string): EgressRule[] | undefined {
  const raw = env[name];
  if (raw === undefined) return undefined;
  try {
    return parseRules(raw);
  } catch (error) {
    if (error instanceof EgressRuleError) throw new ConfigError(`${name}: ${error.message}`);
    throw error;
  }
}

/** Each variable is parsed on its own first, so a bad rule names the variable it is in. */
function policySetting(env: NodeJS.ProcessEnv): EgressPolicy {
  rulesSetting(env, 'SANDBOX_CALLBACK_ALLOW');
  rulesSetting(env, 'SANDBOX_CALLBACK_DENY');
  return EgressPolicy.fromSettings(env.SANDBOX_CALLBACK_ALLOW, env.SANDBOX_CALLBACK_DENY);
}

function optionalInteger<K extends string>(env: NodeJS.ProcessEnv, name: string, key: K, max: number): Partial<Record<K, number>> {
  if (env[name] === undefined || env[name] === '') return {};
  return { [key]: integerSetting(env, name, 1, 1, max) } as Partial<Record<K, number>>;
}

function workersSetting(env: NodeJS.ProcessEnv, databasePath: string): number {
  const workers = integerSetting(env, 'SANDBOX_WORKERS', 1, 1, 64);
  if (workers > 1 && databasePath === ':memory:') throw new ConfigError('SANDBOX_WORKERS: several workers need a database file or PostgreSQL; :memory: is one process\'s own');
  return workers;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): SandboxConfig {
  const configFile = env.SANDBOX_CONFIG === undefined || env.SANDBOX_CONFIG === '' ? undefined : resolve(env.SANDBOX_CONFIG);
  const file = configFile === undefined ? {} : readConfigFile(configFile);
  const port = integerSetting(env, 'PORT', 8080, 0, 65535);
  const host = env.HOST === undefined || env.HOST === '' ? '127.0.0.1' : env.HOST;
  const publicHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  const publicUrl = (env.SANDBOX_PUBLIC_URL ?? `http://${publicHost}:${port}`).replace(/\/+$/, '');
  if (!/^https?:\/\/[^/]+/.test(publicUrl)) throw new ConfigError(`SANDBOX_PUBLIC_URL: expected an http(s) URL, got "${publicUrl}"`);
  const defaults = JSON.parse(readFileSync(fromRoot('data', 'currencies.json'), 'utf8')) as { default_rates_to_php: Record<string, number> };
  const callbackPolicy = policySetting(env);
  (file.projects ?? []).forEach((project, index) => {
    const verdict = project.callback_url === undefined ? undefined : callbackPolicy.checkUrl(project.callback_url);
    if (verdict?.allowed === false) throw new ConfigError(`SANDBOX_CONFIG: projects.${index}.callback_url: callbacks may not go there: ${verdict.reason}`);
  });
  const databasePath = env.SANDBOX_DB === undefined || env.SANDBOX_DB === '' ? resolve('.sandbox', 'sandbox.db') : env.SANDBOX_DB;
  return Object.freeze({
    port,
    host,
    databasePath,
    publicUrl,
    clock: parseClockSetting(env.SANDBOX_CLOCK, env.SANDBOX_CLOCK_START),
    seed: env.SANDBOX_SEED === '' ? undefined : env.SANDBOX_SEED,
    adminToken: env.SANDBOX_ADMIN_TOKEN === '' ? undefined : env.SANDBOX_ADMIN_TOKEN,
    logLevel: logLevelSetting(env.LOG_LEVEL),
    logFormat: logFormatSetting(env.LOG_FORMAT),
    projects: file.projects ?? [DEFAULT_PROJECT],
    currencyRates: { ...defaults.default_rates_to_php, ...file.currency_rates },
    dataApiTokens: file.data_api_tokens ?? [],
    scenariosDir: file.scenarios_dir === undefined ? fromRoot('scenarios') : resolve(file.scenarios_dir),
    callbacks: {
      timeoutMs: file.callbacks?.timeout_ms ?? integerSetting(env, 'SANDBOX_CALLBACK_TIMEOUT_MS', 5000, 100, 120000),
      userAgent: file.callbacks?.user_agent ?? `ecommpay-sandbox/${packageVersion}`,
      maxInFlight: file.callbacks?.max_in_flight ?? 50,
    },
    pollMs: integerSetting(env, 'SANDBOX_POLL_MS', 1000, 100, 3_600_000),
    workers: workersSetting(env, databasePath),
    dbWaitMs: integerSetting(env, 'SANDBOX_DB_WAIT_S', 30, 0, 86_400) * 1000,
    shutdownGraceMs: integerSetting(env, 'SANDBOX_SHUTDOWN_GRACE_S', 10, 1, 3_600) * 1000,
    callbackPolicy,
    defaultQuotas: {
      ...optionalInteger(env, 'SANDBOX_QUOTA_REQUESTS_PER_SECOND', 'requests_per_second', 100_000),
      ...optionalInteger(env, 'SANDBOX_QUOTA_STORED_PAYMENTS', 'stored_payments', 100_000_000),
    },
    methodOverrides: file.methods ?? {},
    configFile,
  });
}
