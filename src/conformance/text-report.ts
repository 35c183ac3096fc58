// The conformance report as a text table for a terminal: case, expected, observed, latency, verdict, why.
import type { ConformanceReport } from '../domain/tools/conformance-report.js';

const HEADER = ['CASE', 'EXPECTED', 'OBSERVED', 'LATENCY', 'VERDICT', 'WHY'];

export function formatText(report: ConformanceReport): string {
  const rows = report.cases.map((result) => [
    result.name,
    result.expected,
    result.observed,
    `${result.latencyMs} ms`,
    result.passed ? 'PASS' : 'FAIL',
    result.why,
  ]);
  const widths = HEADER.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] as string).length)));
  // The last column (why) may hold a shop's answer in any script, so it is never padded and cannot misalign others.
  const line = (cells: string[]): string => cells
    .map((cell, column) => column === cells.length - 1 ? cell : column === 3 ? cell.padStart(widths[column] as number) : cell.padEnd(widths[column] as number))
    .join('  ');
  const summary = `${report.cases.length} cases: ${report.passed} passed, ${report.failed} failed (run ${report.runId}, ${report.callbackUrl}${report.probeUrl === null ? '' : `, probe ${report.probeUrl}`})`;
  return [line(HEADER), ...rows.map(line), '', summary, ''].join('\n');
}
