// Command-line flags of `ecommpay-sandbox` (npx); each one overrides the environment variable it names.
import { parseArgs } from 'node:util';

export const HELP = `Usage: ecommpay-sandbox [options]

A local stand-in for the ECommPay payment platform (PayMaya and PH wallets).

Options:
  --port <n>          listening port (PORT, default 8080; 0 picks a free one)
  --host <address>    bind address (HOST, default 127.0.0.1)
  --db <path|url>     SQLite database file, :memory:, or a postgres:// URL shared by several
                      instances (SANDBOX_DB, default .sandbox/sandbox.db)
  --config <file>     JSON config file (SANDBOX_CONFIG)
  --clock <mode>      real | manual | scale:N (SANDBOX_CLOCK, default real)
  --seed <text>       seed for deterministic ids (SANDBOX_SEED)
  --public-url <url>  base of links handed to browsers (SANDBOX_PUBLIC_URL)
  --workers <n>       worker processes sharing the port and the database (SANDBOX_WORKERS, default 1)
  --log-level <level> warn (default: warnings and errors only), info (one line per request),
                      debug, error, silent (LOG_LEVEL)
  --log-format <fmt>  pretty (default: readable lines) or json (pino JSON lines) (LOG_FORMAT)
  -h, --help          show this help

Subcommand:
  conformance         check a merchant's callback endpoint (ecommpay-sandbox conformance --help)
  listen              receive a project's callbacks from a shared sandbox on this machine
                      (ecommpay-sandbox listen --help)
`;

const FLAG_TO_ENV: Record<string, string> = {
  port: 'PORT', host: 'HOST', db: 'SANDBOX_DB', config: 'SANDBOX_CONFIG', clock: 'SANDBOX_CLOCK', seed: 'SANDBOX_SEED', 'public-url': 'SANDBOX_PUBLIC_URL', workers: 'SANDBOX_WORKERS',
  'log-level': 'LOG_LEVEL', 'log-format': 'LOG_FORMAT',
};

export type CliResult = { help: true } | { help: false; env: NodeJS.ProcessEnv };

/** Applies the flags over `env`; throws an Error with a readable message on an unknown flag or a missing value. */
export function applyCliOptions(argv: string[], env: NodeJS.ProcessEnv): CliResult {
  const options = Object.fromEntries(Object.keys(FLAG_TO_ENV).map((flag) => [flag, { type: 'string' as const }]));
  const { values } = parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } }, strict: true, allowPositionals: false });
  if (values.help === true) return { help: true };
  const merged = { ...env };
  for (const [flag, name] of Object.entries(FLAG_TO_ENV)) {
    const value = (values as Record<string, unknown>)[flag];
    if (typeof value === 'string') merged[name] = value;
  }
  return { help: false, env: merged };
}
