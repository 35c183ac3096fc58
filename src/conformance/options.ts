// Options of a conformance run, their defaults and their checks (shared by the CLI and the control API).
import { customAlphabet } from 'nanoid';
import { ConformanceOptionError } from '../domain/tools/conformance-report.js';
import type { OrderState } from './cases.js';
import type { EgressPolicy } from '../domain/callbacks/egress-policy.js';

export type ProbeMapping = Partial<Record<OrderState, string[]>>;

export interface ConformanceOptions {
  /** The merchant's callback endpoint. */
  callbackUrl: string;
  projectId: number;
  /** The project's secret key, which signs every valid callback. */
  secret: string;
  /** Where the shop shows an order's state as JSON with a `status` member; `{payment_id}` is replaced. */
  probeUrl?: string;
  /** The shop's own status names per state; a state given here replaces that state's defaults. */
  probeMapping?: ProbeMapping;
  /** The status a forged callback must get; without it any status but 200 passes. */
  rejectStatus?: number;
  /** Per request: no answer by then counts as no answer. */
  timeoutMs?: number;
  /** Part of every payment id (`conf-<runId>-<case>`); random when not given. */
  runId?: string;
  /** Base of `redirect_data.url` in redirect callbacks, as the sandbox's `SANDBOX_PUBLIC_URL`. */
  publicUrl?: string;
  /** The time the callbacks' dates are taken from (epoch ms); a sandbox passes its own clock. Default: the real time. */
  now?: () => number;
  /** Where a sandbox may send: each request's host is resolved and checked as for a callback. The CLI sends anywhere. */
  egressPolicy?: EgressPolicy;
}

export const DEFAULT_TIMEOUT_MS = 5000;
export const DEFAULT_PUBLIC_URL = 'http://127.0.0.1:8080';
export const PAYMENT_ID_PLACEHOLDER = '{payment_id}';

const randomRunId = customAlphabet('0123456789abcdefghijklmnopqrstuvwxyz', 10);

function httpUrl(option: string, value: unknown): string {
  if (typeof value !== 'string' || value === '') throw new ConformanceOptionError(option, 'is required');
  let url: URL;
  try {
    url = new URL(value.replaceAll(PAYMENT_ID_PLACEHOLDER, 'x'));
  } catch {
    throw new ConformanceOptionError(option, `must be a URL, not "${value}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConformanceOptionError(option, `must be an http(s) URL, not "${value}"`);
  return value;
}

function positiveInteger(option: string, value: unknown, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1 || value > max) {
    throw new ConformanceOptionError(option, `must be a whole number from 1 to ${max}, not ${JSON.stringify(value)}`);
  }
  return value;
}

export interface ResolvedOptions {
  callbackUrl: string;
  projectId: number;
  secret: string;
  probeUrl: string | undefined;
  probeMapping: ProbeMapping;
  rejectStatus: number | undefined;
  timeoutMs: number;
  runId: string;
  publicUrl: string;
  now: () => number;
}

/** Checks the options and fills the defaults; throws ConformanceOptionError naming the first bad option. */
export function resolveOptions(options: ConformanceOptions): ResolvedOptions {
  const callbackUrl = httpUrl('callbackUrl', options.callbackUrl);
  const projectId = positiveInteger('projectId', options.projectId);
  if (typeof options.secret !== 'string' || options.secret === '') throw new ConformanceOptionError('secret', 'is required');
  let probeUrl: string | undefined;
  if (options.probeUrl !== undefined) {
    probeUrl = httpUrl('probeUrl', options.probeUrl);
    if (!probeUrl.includes(PAYMENT_ID_PLACEHOLDER)) throw new ConformanceOptionError('probeUrl', `must contain ${PAYMENT_ID_PLACEHOLDER}`);
  }
  let rejectStatus: number | undefined;
  if (options.rejectStatus !== undefined) {
    rejectStatus = positiveInteger('rejectStatus', options.rejectStatus, 599);
    if (rejectStatus < 100 || rejectStatus === 200) throw new ConformanceOptionError('rejectStatus', `must be an HTTP status other than 200, not ${rejectStatus}`);
  }
  const timeoutMs = options.timeoutMs === undefined ? DEFAULT_TIMEOUT_MS : positiveInteger('timeoutMs', options.timeoutMs, 600_000);
  const runId = options.runId ?? randomRunId();
  if (!/^[A-Za-z0-9_-]{1,32}$/.test(runId)) throw new ConformanceOptionError('runId', 'must be 1 to 32 letters, digits, "_" or "-"');
  const publicUrl = httpUrl('publicUrl', options.publicUrl ?? DEFAULT_PUBLIC_URL).replace(/\/+$/, '');
  const probeMapping = checkMapping(options.probeMapping ?? {});
  return { callbackUrl, projectId, secret: options.secret, probeUrl, probeMapping, rejectStatus, timeoutMs, runId, publicUrl, now: options.now ?? Date.now };
}

function checkMapping(mapping: ProbeMapping): ProbeMapping {
  for (const [state, names] of Object.entries(mapping)) {
    if (state !== 'paid' && state !== 'failed' && state !== 'pending') {
      throw new ConformanceOptionError('probeMapping', `has an unknown state "${state}" (paid, failed or pending)`);
    }
    if (!Array.isArray(names) || names.length === 0 || names.some((name) => typeof name !== 'string' || name.trim() === '')) {
      throw new ConformanceOptionError('probeMapping', `${state} must be a list of status names`);
    }
  }
  return mapping;
}
