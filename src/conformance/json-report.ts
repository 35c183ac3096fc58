// The conformance report as JSON: {"passed","failed","cases":[{"name","passed","expected","observed","why",…}],…}.
import type { ConformanceReport } from '../domain/tools/conformance-report.js';

export function formatJson(report: ConformanceReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
