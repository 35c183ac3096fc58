// The conformance report as JSON: {"passed","failed","cases":[{"name","passed","expected","observed","why",…}],…}.
import type { ConformanceReport } from './report.js';

export function formatJson(report: ConformanceReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
