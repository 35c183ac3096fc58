// The conformance report as JUnit XML for CI, one test case per conformance case (junit-report-builder escapes).
import junitModule, { type Builder } from 'junit-report-builder';
import type { ConformanceReport } from '../domain/tools/conformance-report.js';

// The package is CommonJS exporting the builder itself, while its types describe a `default` export.
const junit = ((junitModule as unknown as { default?: Builder }).default ?? junitModule) as Builder;

export const JUNIT_SUITE_NAME = 'ecommpay-sandbox conformance';

export function formatJunit(report: ConformanceReport): string {
  const builder = junit.newBuilder();
  const suite = builder.testSuite().name(JUNIT_SUITE_NAME).timestamp(new Date(report.startedAt)).time(report.durationMs / 1000);
  suite.property('run_id', report.runId).property('callback_url', report.callbackUrl);
  if (report.probeUrl !== null) suite.property('probe_url', report.probeUrl);
  for (const result of report.cases) {
    const testCase = suite.testCase().className('conformance').name(result.name).time(result.latencyMs / 1000)
      .standardOutput(`${result.description}\nexpected: ${result.expected}\nobserved: ${result.observed}\n${result.why}`);
    if (!result.passed) testCase.failure(result.why, result.verdict === 'refused by crashing' ? 'refused by crashing' : 'conformance');
  }
  return `${builder.build()}\n`;
}
