// The report of a merchant conformance run (src/conformance runs the kit): one result per case, with counts.
// The domain keeps it with the run; the kit's errors that stop a run before it judges anything are here too,
// so the domain can turn them into refusals without importing the kit.

/** What a shop's order probe says of an order. */
export type OrderState = 'paid' | 'failed' | 'pending';

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
  /** The payment status the shop stored, read from the member `--probe-payment-status` names (null without it or when absent). */
  paymentStatus?: string | null;
}

/**
 * `refused by crashing`: a forged callback answered with a server error (5xx), which is a crash rather than a
 * refusal; it fails the case under `strict` and is a warning otherwise (the case still counts as passed).
 */
export type CaseVerdict = 'pass' | 'fail' | 'refused by crashing';

export interface CaseResult {
  name: string;
  description: string;
  paymentId: string;
  passed: boolean;
  /** Absent from reports kept before the verdict existed: read `passed` then. */
  verdict?: CaseVerdict;
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
  /** The answer to the prepare request that created the case's order (`--prepare-url`), if any. */
  prepare?: AnswerRecord | null;
}

export interface ConformanceReport {
  passed: number;
  failed: number;
  /** Cases refused by crashing that passed with a warning (not under strict); absent from older reports. */
  warned?: number;
  /** Whether a case refused by crashing failed the run. */
  strict?: boolean;
  /** The shop preset of the probe's status names. */
  shop?: string;
  prepareUrl?: string | null;
  runId: string;
  callbackUrl: string;
  probeUrl: string | null;
  rejectStatus: number | null;
  startedAt: string;
  durationMs: number;
  cases: CaseResult[];
}

/** A bad option; `option` is its name in `ConformanceOptions` (the CLI puts its flag before `detail`). */
export class ConformanceOptionError extends Error {
  constructor(readonly option: string, readonly detail: string) {
    super(`${option} ${detail}`);
    this.name = 'ConformanceOptionError';
  }
}

/** No connection could be made to the callback URL or the probe URL at the start of the run. */
export class UnreachableEndpointError extends Error {
  constructor(readonly option: 'callbackUrl' | 'probeUrl' | 'prepareUrl', readonly url: string, readonly reason: string) {
    super(`cannot reach ${url}: ${reason}`);
    this.name = 'UnreachableEndpointError';
  }
}
