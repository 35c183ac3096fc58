import t from 'tap';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { CASES, runConformance, type ConformanceReport } from '../../src/conformance/run-conformance.js';
import { formatText } from '../../src/conformance/text-report.js';
import { formatJson } from '../../src/conformance/json-report.js';
import { formatJunit, JUNIT_SUITE_NAME } from '../../src/conformance/junit-report.js';
import { startSampleShop } from '../helpers/sample-shop.js';
import { atLeast, everyOf } from '../helpers/promises.js';

const SECRET = 'shop-secret-445';

interface Tap { teardown(fn: () => unknown): void }

async function duplicateFailingReport(t: Tap): Promise<ConformanceReport> {
  const shop = await startSampleShop(t, { secret: SECRET, fault: 'fails-on-duplicate' });
  return runConformance({ callbackUrl: shop.callbackUrl, projectId: 445, secret: SECRET, probeUrl: shop.probeUrl, runId: 'fmt' });
}

function parseJunit(xml: string) {
  const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (name) => name === 'testcase' || name === 'property' });
  return parser.parse(xml) as { testsuites: { tests: string; failures: string; testsuite: { name: string; tests: string; failures: string; properties: { property: Array<{ name: string; value: string }> }; testcase: Array<{ name: string; classname: string; time: string; failure?: { message: string; type: string }; 'system-out': string }> } } };
}

t.test('the text table has a header, one row per case with expected, observed, latency, verdict and why, then the counts', async (t) => {
  const report = await duplicateFailingReport(t);
  const lines = formatText(report).split('\n');
  t.match(lines[0], /^CASE\s+EXPECTED\s+OBSERVED\s+LATENCY\s+VERDICT\s+WHY$/);
  const rows = lines.slice(1, 1 + CASES.length);
  for (const [index, result] of atLeast(t, report.cases, CASES.length, 'cases in the report').entries()) {
    const row = rows[index] as string;
    t.ok(row.startsWith(`${result.name} `), result.name);
    for (const cell of [result.expected, result.observed, `${result.latencyMs} ms`, result.passed ? 'PASS' : 'FAIL']) t.ok(row.includes(`${cell} `), `${result.name}: ${cell}`);
    t.ok(row.endsWith(`  ${result.why}`), `${result.name}: why last`);
  }
  const verdictColumn = lines[0]!.indexOf('VERDICT');
  t.same(rows.map((row) => row.slice(verdictColumn, verdictColumn + 4)), report.cases.map((result) => (result.passed ? 'PASS' : 'FAIL')), 'columns are aligned');
  t.match(lines.at(-2), new RegExp(`^${CASES.length} cases: ${CASES.length - 2} passed, 2 failed \\(run fmt, http://127\\.0\\.0\\.1:\\d+/callback, probe http://127\\.0\\.0\\.1:\\d+/orders/\\{payment_id\\}\\)$`));
});

t.test('the JSON report parses back to passed, failed and each case\'s name, passed, expected, observed and why', async (t) => {
  const report = await duplicateFailingReport(t);
  const parsed = JSON.parse(formatJson(report)) as ConformanceReport;
  t.equal(parsed.passed, CASES.length - 2);
  t.equal(parsed.failed, 2);
  t.same(parsed.cases.map(({ name, passed, expected, observed, why }) => ({ name, passed, expected, observed, why })),
    report.cases.map(({ name, passed, expected, observed, why }) => ({ name, passed, expected, observed, why })));
  t.match(parsed.cases.find((result) => result.name === 'final-twice'), {
    name: 'final-twice', passed: false, expected: '200, 200; order paid', observed: '200, 500; order paid', why: /^answer 2 of 2 was HTTP 500/,
  });
});

t.test('the JUnit XML is valid and parses back to one testcase per case, a failure with the why for each failed case, and the counts', async (t) => {
  const report = await duplicateFailingReport(t);
  const xml = formatJunit(report);
  t.equal(XMLValidator.validate(xml), true);
  const { testsuites } = parseJunit(xml);
  t.equal(testsuites.tests, String(CASES.length));
  t.equal(testsuites.failures, '2');
  const suite = testsuites.testsuite;
  t.equal(suite.name, JUNIT_SUITE_NAME);
  t.equal(suite.failures, '2');
  t.same(suite.properties.property.map((property) => property.name), ['run_id', 'callback_url', 'probe_url']);
  t.same(suite.testcase.map((testCase) => testCase.name), CASES.map((testCase) => testCase.name));
  everyOf(t, suite.testcase, CASES.length, (testCase) => testCase.classname === 'conformance', 'every test case in the conformance class');
  const failures = suite.testcase.filter((testCase) => testCase.failure !== undefined);
  t.same(failures.map((testCase) => [testCase.name, testCase.failure!.message]), report.cases.filter((result) => !result.passed).map((result) => [result.name, result.why]));
  t.match(suite.testcase[0]!['system-out'], /^final success callback of a sale\nexpected: 200; order paid\nobserved: 200; order paid\n/);
});

t.test('JUnit keeps markup, quotes, ampersands, CDATA ends and emoji from a shop\'s answer, drops control characters, and stays valid XML', async (t) => {
  const nasty = '<b class="x">Tom & Jerry\'s</b> ]]> 🙂\u0001\u0007\ufffe done';
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => response.writeHead(500, { 'content-type': 'text/html; charset=utf-8' }).end(nasty));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const report = await runConformance({ callbackUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/cb`, projectId: 445, secret: SECRET });
  const xml = formatJunit(report);
  t.equal(XMLValidator.validate(xml), true);
  const kept = '<b class=\\"x\\">Tom & Jerry\'s</b> ]]> 🙂  done';
  const failure = parseJunit(xml).testsuites.testsuite.testcase[0]!;
  t.equal(failure.failure!.message, `the answer was HTTP 500 "${kept}" where 200 was expected`);
  t.ok(failure['system-out'].includes(kept), 'the CDATA section keeps the text whole');
});
