// A throwaway PostgreSQL server from Debian's postgresql package: initdb in a temp dir (as the postgres user
// when run as root), a free port on 127.0.0.1, stopped and removed at the end. Never an in-memory imitation.
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { runningInCi } from './ci.js';
import { freePort } from './free-port.js';

export interface PostgresServer { url: string; stop(): Promise<void> }

/** The folder of initdb and pg_ctl: PG_BINDIR, else the newest /usr/lib/postgresql/N/bin, else PATH. */
export function postgresBinDir(): string | undefined {
  if (process.env.PG_BINDIR !== undefined && process.env.PG_BINDIR !== '') return process.env.PG_BINDIR;
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a));
    if (versions[0] !== undefined) return join(root, versions[0], 'bin');
  }
  const found = spawnSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' }).stdout.trim();
  return found === '' ? undefined : found.replace(/\/initdb$/, '');
}

const missing = 'no PostgreSQL server binaries (install Debian\'s postgresql package, or set PG_BINDIR or SANDBOX_TEST_PG)';

/** Skipped with a reason on a developer's machine without PostgreSQL; under CI=true the tests run and fail instead. */
export const postgresSkipReason: string | false = postgresBinDir() === undefined && process.env.SANDBOX_TEST_PG === undefined && !runningInCi
  ? `${missing}; PostgreSQL tests skipped`
  : false;

/** A server the test stops and starts again (same data, same port), as an operator or a failover would. */
export interface ControlledPostgres extends PostgresServer {
  port: number;
  /** Stops the server: `fast` ends sessions cleanly (a restart), `immediate` as a crash would. */
  halt(mode?: 'fast' | 'immediate'): Promise<void>;
  /** Starts it again on the same port and data. */
  resume(): Promise<void>;
}

/**
 * Creates a server. `durable: false` (tests) turns fsync off: a killed sandbox process loses nothing either way,
 * only a crash of the whole machine would. `start: false` creates it (initdb, a port) without starting it.
 */
export async function createPostgres(options: { durable?: boolean; start?: boolean } = {}): Promise<ControlledPostgres> {
  const bin = postgresBinDir();
  if (bin === undefined) throw new Error(`${missing}: with CI=true a PostgreSQL test fails rather than skips`);
  const dir = mkdtempSync(join(tmpdir(), 'ecommpay-sandbox-pg-'));
  const asRoot = userInfo().uid === 0;
  if (asRoot) chownSync(dir, Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim()), Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim()));
  const run = (program: string, args: string[]) => {
    const [command, prefix] = asRoot ? ['runuser', ['-u', 'postgres', '--', join(bin, program)]] : [join(bin, program), []];
    const result = spawnSync(command as string, [...(prefix as string[]), ...args], { encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`${program} failed: ${result.stderr || result.stdout}`);
  };
  const data = join(dir, 'data');
  run('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C', '--no-sync']);
  const port = await freePort();
  const settings = [`-p ${port}`, `-k ${dir}`, '-c listen_addresses=127.0.0.1', '-c max_connections=300', ...(options.durable === true ? [] : ['-c fsync=off', '-c full_page_writes=off'])];
  // pg_ctl runs beside the test's event loop, so requests in flight go on while the server stops or starts.
  const runAside = (program: string, args: string[]) => new Promise<void>((resolve, reject) => {
    const [command, prefix] = asRoot ? ['runuser', ['-u', 'postgres', '--', join(bin, program)]] : [join(bin, program), []];
    execFile(command as string, [...(prefix as string[]), ...args], (error, stdout, stderr) => (error === null ? resolve() : reject(new Error(`${program} failed: ${stderr || stdout}`))));
  });
  let running = false;
  const startArgs = ['-D', data, '-o', settings.join(' '), '-l', join(dir, 'server.log'), '-w', 'start'];
  const resume = async () => {
    await runAside('pg_ctl', startArgs);
    running = true;
  };
  const halt = async (mode: 'fast' | 'immediate' = 'fast') => {
    if (!running) return;
    running = false;
    await runAside('pg_ctl', ['-D', data, '-m', mode, '-w', 'stop']);
  };
  if (options.start !== false) {
    run('pg_ctl', startArgs);
    running = true;
  }
  let stopped = false;
  const stopNow = () => {
    if (stopped) return;
    stopped = true;
    try {
      if (running) run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  // A test process that ends without its teardown still leaves no server behind.
  process.once('exit', stopNow);
  return { url: `postgres://postgres@127.0.0.1:${port}/postgres`, port, halt, resume, stop: async () => stopNow() };
}

/** Starts a server (see createPostgres), stopped and removed by `stop`. */
export async function startPostgres(options: { durable?: boolean } = {}): Promise<PostgresServer> {
  return createPostgres(options);
}
