// Peer mock servers (WireMock, Prism, Mockoon) from bench/peers, each started with one Gate-like stub for `npm run bench`.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// From dist/bench/peers.js back to the source tree, where `npm run bench:peers` installs them.
const MODULES = fileURLToPath(new URL('../../bench/peers/node_modules/', import.meta.url));
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 5_000;
const NOT_INSTALLED = 'not installed: run npm run bench:peers';

const STUB_PATH = '/v2/payment/wallet/paymaya/sale';
// What Gate answers to an accepted sale; fixed ids, as a static stub has them.
const ACCEPTED = { status: 'success', request_id: 'bench-request-1', project_id: 445, payment_id: 'bench-payment-1' };

export interface PeerOutcome<M> { name: string; note: string; result?: M; reason?: string }

interface Launch { command: string; args: string[] }
interface Peer {
  name: string;
  note: string;
  /** Writes the peer's stub files into `dir` and says how to start it, or says why it cannot start. */
  launch(dir: string, port: number): Launch | string;
}

function versionOf(pkg: string): string {
  try {
    return ` ${(JSON.parse(readFileSync(join(MODULES, pkg, 'package.json'), 'utf8')) as { version: string }).version}`;
  } catch {
    return '';
  }
}

function binOf(pkg: string, name: string): string | undefined {
  const manifest = join(MODULES, pkg, 'package.json');
  if (!existsSync(manifest)) return undefined;
  const { bin } = JSON.parse(readFileSync(manifest, 'utf8')) as { bin: string | Record<string, string> };
  const file = typeof bin === 'string' ? bin : bin[name];
  return file === undefined ? undefined : join(MODULES, pkg, file);
}

function hasJava(): boolean {
  return spawnSync('java', ['-version'], { stdio: 'ignore' }).error === undefined;
}

function wiremock(journal: boolean): Peer {
  return {
    name: `WireMock${versionOf('wiremock')}${journal ? '' : ' --no-request-journal'}`,
    note: journal ? 'request journal on (its default)' : 'request journal off',
    launch(dir, port) {
      // Run the bundled jar directly rather than through the package's node wrapper, so the pid measured is the JVM's.
      const build = join(MODULES, 'wiremock', 'build');
      const jar = existsSync(build) ? readdirSync(build).find((file) => file.endsWith('.jar')) : undefined;
      if (jar === undefined) return NOT_INSTALLED;
      if (!hasJava()) return 'no java on PATH: npm run bench:peers installs default-jre-headless';
      mkdirSync(join(dir, 'mappings'));
      writeFileSync(join(dir, 'mappings', 'gate-sale.json'), JSON.stringify({
        request: { method: 'POST', urlPath: STUB_PATH },
        response: { status: 200, headers: { 'Content-Type': 'application/json' }, jsonBody: ACCEPTED },
      }));
      return {
        command: 'java',
        args: ['-jar', join(build, jar), '--bind-address', '127.0.0.1', '--port', String(port), '--root-dir', dir, '--disable-banner',
          ...(journal ? [] : ['--no-request-journal'])],
      };
    },
  };
}

const prism: Peer = {
  name: `Prism${versionOf('@stoplight/prism-cli')}`,
  note: 'OpenAPI example; log level warn, as info logs each request',
  launch(dir, port) {
    const bin = binOf('@stoplight/prism-cli', 'prism');
    if (bin === undefined) return NOT_INSTALLED;
    const document = join(dir, 'gate-sale.openapi.json');
    writeFileSync(document, JSON.stringify({
      openapi: '3.0.3',
      info: { title: 'Gate sale stub', version: '1.0.0' },
      paths: {
        [STUB_PATH]: {
          post: {
            // Without a declared request body Prism answers 415 to any POST that has one.
            requestBody: { content: { 'application/json': { schema: { type: 'object' } } } },
            responses: { 200: { description: 'accepted', content: { 'application/json': { example: ACCEPTED } } } },
          },
        },
      },
    }));
    return { command: process.execPath, args: [bin, 'mock', document, '--host', '127.0.0.1', '--port', String(port), '--verboseLevel', 'warn'] };
  },
};

const mockoon: Peer = {
  name: `Mockoon${versionOf('@mockoon/cli')}`,
  note: 'environment file; templating off; logs each request',
  launch(dir, port) {
    const bin = binOf('@mockoon/cli', 'mockoon-cli');
    if (bin === undefined) return NOT_INSTALLED;
    const route = randomUUID();
    const environment = join(dir, 'gate-sale.mockoon.json');
    // Mockoon fills every field left out with its default; 33 is the data format of @mockoon/cli 9.9, which --repair
    // migrates without a prompt for a later CLI.
    writeFileSync(environment, JSON.stringify({
      uuid: randomUUID(), lastMigration: 33, name: 'Gate sale stub', port, hostname: '127.0.0.1',
      routes: [{
        uuid: route, type: 'http', method: 'post', endpoint: STUB_PATH.slice(1),
        responses: [{
          uuid: randomUUID(), default: true, statusCode: 200, disableTemplating: true,
          headers: [{ key: 'Content-Type', value: 'application/json' }], body: JSON.stringify(ACCEPTED),
        }],
      }],
      rootChildren: [{ type: 'route', uuid: route }],
    }));
    return {
      command: process.execPath,
      args: [bin, 'start', '--data', environment, '--hostname', '127.0.0.1', '--port', String(port), '--disable-log-to-file', '--disable-admin-api', '--repair'],
    };
  },
};

const PEERS: Peer[] = [wiremock(true), wiremock(false), prism, mockoon];

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

// Each peer leads its own process group, so its children (a JVM behind a wrapper, forked workers) stop with it.
const running = new Set<ChildProcess>();
function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, signal);
  } catch {
    // the group is already gone
  }
}
process.on('exit', () => { for (const child of running) killGroup(child, 'SIGKILL'); });

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      killGroup(child, 'SIGKILL');
      running.delete(child);
      resolve();
    };
    const timer = setTimeout(finish, STOP_TIMEOUT_MS);
    if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return finish();
    child.once('exit', finish);
    killGroup(child, 'SIGTERM');
  });
}

function tailOf(file: string): string {
  try {
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    return lines.slice(-3).join(' | ').slice(-400) || '(no output)';
  } catch {
    return '(no output)';
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Starts the peer and waits until its stub answers; the running child, or why it never answered. */
async function start(launch: Launch, dir: string, url: string): Promise<ChildProcess | string> {
  const log = join(dir, 'peer.log');
  const fd = openSync(log, 'a');
  // Output to a file, not a pipe: a peer that logs every request must not cost the bench process CPU.
  const child = spawn(launch.command, launch.args, { cwd: dir, detached: true, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  running.add(child);
  let ended: string | undefined;
  child.once('error', (error) => { ended = `could not start: ${error.message}`; });
  child.once('exit', (code, signal) => { ended = `exited (${signal ?? code})`; });
  let last = 'port never opened';
  for (const deadline = Date.now() + START_TIMEOUT_MS; Date.now() < deadline; await sleep(250)) {
    if (ended !== undefined) break;
    try {
      const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"general":{}}', signal: AbortSignal.timeout(2_000) });
      const text = await response.text();
      if (response.status === 200 && text.includes('"status":"success"')) return child;
      last = `stub answered ${response.status}: ${text.slice(0, 160)}`;
    } catch (error) {
      const code = (error as { cause?: { code?: string } }).cause?.code;
      if (code !== 'ECONNREFUSED') last = `no answer (${code ?? (error as Error).message})`;
    }
  }
  const reason = ended !== undefined
    ? `${ended} before answering: ${tailOf(log)}`
    : `${last} within ${START_TIMEOUT_MS / 1000} s: ${tailOf(log)}`;
  await stop(child);
  return reason;
}

/** Starts each peer in turn on a free loopback port, hands it to `measure`, and stops it (with its children). */
export async function benchPeers<M>(measure: (pid: number, url: string, prefix: string) => Promise<M>): Promise<Array<PeerOutcome<M>>> {
  const interrupted = () => process.exit(130);
  process.once('SIGINT', interrupted);
  const outcomes: Array<PeerOutcome<M>> = [];
  for (const peer of PEERS) {
    const dir = mkdtempSync(join(tmpdir(), 'ecommpay-sandbox-peer-'));
    const outcome: PeerOutcome<M> = { name: peer.name, note: peer.note };
    try {
      const port = await freePort();
      const url = `http://127.0.0.1:${port}${STUB_PATH}`;
      const launch = peer.launch(dir, port);
      const started = typeof launch === 'string' ? launch : await start(launch, dir, url);
      if (typeof started === 'string') {
        outcome.reason = started;
      } else {
        try {
          outcome.result = await measure(started.pid as number, url, `peer${outcomes.length}`);
          if (started.exitCode !== null || started.signalCode !== null) outcome.reason = `crashed during the run: ${tailOf(join(dir, 'peer.log'))}`;
        } finally {
          await stop(started);
        }
      }
    } catch (error) {
      outcome.reason = `failed: ${(error as Error).message}`;
    }
    outcomes.push(outcome);
    rmSync(dir, { recursive: true, force: true });
  }
  process.removeListener('SIGINT', interrupted);
  return outcomes;
}
