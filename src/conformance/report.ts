// The report of a conformance run: one result per case, with counts, as returned by runConformance.
import type { OrderState } from './cases.js';

export interface AnswerRecord {
  httpStatus: number | null;
  /** `timeout`, or the network error, when there was no answer. */
  error: string | null;
  latencyMs: number;
  excerpt: string;
}

export interface ProbeRecord {
  url: string;
  httpStatus: number | null;
  status: string | null;
  state: OrderState | null;
  problem: string | null;
}

export interface CaseResult {
  name: string;
  description: string;
  paymentId: string;
  passed: boolean;
  /** What a conforming endpoint answers, e.g. `200, 200; order paid` or `not 200`. */
  expected: string;
  /** What this one answered, in the same form. */
  observed: string;
  /** One line: the first thing that went wrong, or what was right. */
  why: string;
  /** The slowest answer of the case. */
  latencyMs: number;
  answers: AnswerRecord[];
  probe: ProbeRecord | null;
}

export interface ConformanceReport {
  passed: number;
  failed: number;
  runId: string;
  callbackUrl: string;
  probeUrl: string | null;
  rejectStatus: number | null;
  startedAt: string;
  durationMs: number;
  cases: CaseResult[];
}
