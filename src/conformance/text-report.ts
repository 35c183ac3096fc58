// The conformance report as a text table for a terminal: case, expected, observed, latency, verdict, why.
import type { CaseResult, ConformanceReport } from '../domain/tools/conformance-report.js';

const HEADER = ['CASE', 'EXPECTED', 'OBSERVED', 'LATENCY', 'VERDICT', 'WHY'];

/** PASS, FAIL, or WARN for a forged callback refused by crashing outside --strict (its why says so). */
export function verdictText(result: CaseResult): string {
  if (!result.passed) return 'FAIL';
  return result.verdict === 'refused by crashing' ? 'WARN' : 'PASS';
}

export function formatText(report: ConformanceReport): string {
  const rows = report.cases.map((result) => [
    result.name,
    result.expected,
    result.observed,
    `${result.latencyMs} ms`,
    verdictText(result),
    result.why,
  ]);
  const widths = HEADER.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] as string).length)));
  // The last column (why) may hold a shop's answer in any script, so it is never padded and cannot misalign others.
  const line = (cells: string[]): string => cells
    .map((cell, column) => column === cells.length - 1 ? cell : column === 3 ? cell.padStart(widths[column] as number) : cell.padEnd(widths[column] as number))
    .join('  ');
  const warned = (report.warned ?? 0) === 0 ? '' : `, ${report.warned} refused by crashing (warnings; --strict fails them)`;
  const summary = `${report.cases.length} cases: ${report.passed} passed, ${report.failed} failed${warned} (run ${report.runId}, ${report.callbackUrl}${report.probeUrl === null ? '' : `, probe ${report.probeUrl}`})`;
  return [line(HEADER), ...rows.map(line), '', summary, ''].join('\n');
}
