import t from 'tap';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { XMLParser } from 'fast-xml-parser';
import { CASES, type ConformanceReport } from '../../src/conformance/run-conformance.js';
import { runConformanceCli } from '../../src/conformance/cli.js';
import { startSampleShop } from '../helpers/sample-shop.js';
import { tempDir } from '../helpers/sandbox.js';

const SECRET = 'shop-secret-445';
const serverEntry = fileURLToPath(new URL('../../src/server.ts', import.meta.url));

/** The subcommand in this process, for the many argument checks (a child process costs seconds under the TS loader). */
async function runInProcess(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runConformanceCli(args, { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text) });
  return { code, stdout, stderr };
}

/** Runs `ecommpay-sandbox conformance …` through the real entry; output is complete once the streams close. */
function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const loaders = process.execArgv.filter((arg) => arg.includes('typescript') || arg === '--enable-source-maps');
  const child = spawn(process.execPath, [...loaders, serverEntry, 'conformance', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

function junitOf(file: string) {
  const parsed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (name) => name === 'testcase' }).parse(readFileSync(file, 'utf8'));
  return parsed.testsuites.testsuite as { tests: string; failures: string; testcase: Array<{ name: string; failure?: { message: string } }> };
}

t.test('--help prints every flag and the exit codes, and exits 0', async (t) => {
  const result = await runInProcess(['--help']);
  t.equal(result.code, 0);
  for (const flag of ['--callback-url', '--project-id', '--secret', '--json', '--junit', '--probe-url', '--reject-status', '--timeout-ms', '--probe-paid', '--run-id']) {
    t.match(result.stdout, flag, flag);
  }
  t.match(result.stdout, /Exit code: 0 every case passed, 1 a case failed, 2 bad arguments or an unreachable URL/);
});

t.test('against a correct shop it exits 0, prints the table, and writes JSON and JUnit files that parse back with every case passed', async (t) => {
  const shop = await startSampleShop(t, { secret: SECRET });
  const dir = tempDir(t);
  const json = join(dir, 'report.json');
  const junit = join(dir, 'report.xml');
  const result = await runCli(['--callback-url', shop.callbackUrl, '--project-id', '445', '--secret', SECRET, '--probe-url', shop.probeUrl, '--json', json, '--junit', junit, '--run-id', 'cli1']);
  t.equal(result.code, 0, result.stderr);
  t.match(result.stdout, /^CASE\s+EXPECTED\s+OBSERVED\s+LATENCY\s+VERDICT\s+WHY\n/);
  t.match(result.stdout, new RegExp(`${CASES.length} cases: ${CASES.length} passed, 0 failed \\(run cli1, `));
  const report = JSON.parse(readFileSync(json, 'utf8')) as ConformanceReport;
  t.equal(report.passed, CASES.length);
  t.equal(report.failed, 0);
  t.same(report.cases.map((result) => result.paymentId), CASES.map((testCase) => `conf-cli1-${testCase.name}`));
  const suite = junitOf(junit);
  t.equal(suite.tests, String(CASES.length));
  t.equal(suite.failures, '0');
});

t.test('against a shop accepting forgeries it exits 1, and the table, the JSON and the JUnit name the three forged cases as failed', async (t) => {
  const shop = await startSampleShop(t, { secret: SECRET, fault: 'accepts-forged' });
  const dir = tempDir(t);
  const json = join(dir, 'report.json');
  const junit = join(dir, 'report.xml');
  const result = await runCli(['--callback-url', shop.callbackUrl, '--project-id', '445', '--secret', SECRET, '--reject-status', '403', '--json', json, '--junit', junit]);
  t.equal(result.code, 1, result.stderr);
  const failedRows = result.stdout.split('\n').filter((line) => / FAIL /.test(line)).map((line) => line.split(' ')[0]);
  t.same(failedRows, ['tampered', 'unsigned', 'wrong-secret']);
  const report = JSON.parse(readFileSync(json, 'utf8')) as ConformanceReport;
  t.same([report.passed, report.failed], [CASES.length - 3, 3]);
  t.same(report.cases.filter((result) => !result.passed).map((result) => result.name), ['tampered', 'unsigned', 'wrong-secret']);
  const suite = junitOf(junit);
  t.equal(suite.failures, '3');
  t.same(suite.testcase.filter((testCase) => testCase.failure !== undefined).map((testCase) => testCase.name), ['tampered', 'unsigned', 'wrong-secret']);
});

t.test('every kind of bad argument gives exit code 2 and a message naming its flag', async (t) => {
  const base = ['--callback-url', 'http://127.0.0.1:9/cb', '--project-id', '445', '--secret', SECRET];
  const cases: Array<[string[], RegExp]> = [
    [base.slice(2), /--callback-url is required/],
    [base.slice(0, 4), /--secret is required/],
    [[...base.slice(0, 2), '--project-id', '0', '--secret', SECRET], /--project-id must be a whole number from 1 to/],
    [['--callback-url', 'not a url', ...base.slice(2)], /--callback-url must be a URL, not "not a url"/],
    [['--callback-url', 'ftp://shop/cb', ...base.slice(2)], /--callback-url must be an http\(s\) URL, not "ftp:\/\/shop\/cb"/],
    [[...base, '--probe-url', 'http://shop/orders'], /--probe-url must contain \{payment_id\}/],
    [[...base, '--reject-status', '200'], /--reject-status must be an HTTP status other than 200/],
    [[...base, '--timeout-ms', '1.5'], /--timeout-ms must be a whole number, not "1\.5"/],
    [[...base, '--run-id', 'a/b'], /--run-id must be 1 to 32 letters/],
    [[...base, '--colour', 'red'], /Unknown option '--colour'/],
    [[...base, '--json'], /--json/],
  ];
  for (const [args, message] of cases) {
    const result = await runInProcess(args);
    t.equal(result.code, 2, args.join(' '));
    t.match(result.stderr, message, args.join(' '));
    t.equal(result.stdout, '', 'nothing on stdout');
  }
});

t.test('a report file that cannot be written exits 2 naming --json, after the table', async (t) => {
  const shop = await startSampleShop(t, { secret: SECRET });
  const file = join(tempDir(t), 'missing-folder', 'report.json');
  const result = await runInProcess(['--callback-url', shop.callbackUrl, '--project-id', '445', '--secret', SECRET, '--json', file]);
  t.equal(result.code, 2);
  t.match(result.stderr, `ecommpay-sandbox conformance: --json: cannot write ${file}: ENOENT`);
  t.match(result.stdout, /cases: \d+ passed, 0 failed/);
});

t.test('an unreachable --callback-url exits 2 with a message naming the flag and the URL, and writes no report', async (t) => {
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const { port } = closed.address() as AddressInfo;
  await new Promise<void>((resolve) => closed.close(() => resolve()));
  const json = join(tempDir(t), 'report.json');
  const result = await runCli(['--callback-url', `http://127.0.0.1:${port}/cb`, '--project-id', '445', '--secret', SECRET, '--json', json]);
  t.equal(result.code, 2);
  t.match(result.stderr, new RegExp(`^ecommpay-sandbox conformance: --callback-url: cannot reach http://127\\.0\\.0\\.1:${port}/cb: .*ECONNREFUSED`));
  t.equal(existsSync(json), false);
});
