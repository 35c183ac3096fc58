// Options of a conformance run, their defaults and their checks (shared by the CLI and the control API).
import { customAlphabet } from 'nanoid';
import { ConformanceOptionError } from '../domain/tools/conformance-report.js';
import { loadShopPresets, type ShopPreset } from '../catalogue-loader.js';
import { CASES, type ConformanceCase, type OrderState } from './cases.js';
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
  /** The shop's own status names per state; a state given here replaces that state's names in the preset. */
  probeMapping?: ProbeMapping;
  /** The shop platform whose status names the probe uses (data/conformance/shops.json); default `generic`. */
  shop?: string;
  /** The probe's member holding the ECommPay payment status the shop stored; a final status replaced by an earlier one fails the case. */
  probePaymentStatus?: string;
  /**
   * Called before each case so the shop creates the order: `[METHOD ]URL` (default method POST), sent JSON
   * `{"payment_id","amount","currency"}`; any 2xx answer is a success.
   */
  prepareUrl?: string;
  /** Ids of orders that exist in the shop, used one per case in the run's order instead of `conf-<runId>-<case>`. */
  paymentIds?: string[];
  /** Only these cases (by name), in the catalogue's order. */
  cases?: string[];
  /** Leave these cases out (by name). */
  skip?: string[];
  /** Leave out the payout cases: for a shop that only sells. */
  salesOnly?: boolean;
  /** A forged callback refused by crashing (a 5xx) fails the case; otherwise it is a warning. */
  strict?: boolean;
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

export interface PrepareRequest { method: 'POST' | 'PUT'; url: string }

export interface ResolvedOptions {
  callbackUrl: string;
  projectId: number;
  secret: string;
  probeUrl: string | undefined;
  probeMapping: ProbeMapping;
  shop: string;
  /** The preset's names with `probeMapping`'s states in place of the preset's. */
  statusNames: Record<OrderState, readonly string[]>;
  probePaymentStatus: string | undefined;
  prepare: PrepareRequest | undefined;
  paymentIds: string[] | undefined;
  cases: ConformanceCase[];
  strict: boolean;
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
  const shop = options.shop ?? 'generic';
  const statusNames = namesOf(shop, probeMapping);
  const probePaymentStatus = memberPath(options.probePaymentStatus, probeUrl);
  const prepare = options.prepareUrl === undefined ? undefined : prepareRequest(options.prepareUrl);
  const cases = selectCases(options);
  const paymentIds = options.paymentIds === undefined ? undefined : checkPaymentIds(options.paymentIds, cases.length);
  return {
    callbackUrl, projectId, secret: options.secret, probeUrl, probeMapping, shop, statusNames, probePaymentStatus, prepare, paymentIds, cases,
    strict: options.strict === true, rejectStatus, timeoutMs, runId, publicUrl, now: options.now ?? Date.now,
  };
}

/** The shop preset's names per state, each state named in `mapping` replaced by the mapping's names. */
function namesOf(shop: string, mapping: ProbeMapping): Record<OrderState, readonly string[]> {
  const presets = loadShopPresets();
  const preset: ShopPreset | undefined = Object.hasOwn(presets, shop) ? presets[shop] : undefined;
  if (preset === undefined) throw new ConformanceOptionError('shop', `must be one of ${Object.keys(presets).join(', ')}, not ${JSON.stringify(shop)}`);
  return { paid: mapping.paid ?? preset.paid, failed: mapping.failed ?? preset.failed, pending: mapping.pending ?? preset.pending };
}

function memberPath(value: string | undefined, probeUrl: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!/^[A-Za-z0-9_$-]+(\.[A-Za-z0-9_$-]+)*$/.test(value)) throw new ConformanceOptionError('probePaymentStatus', `must be a member name (a.b for a nested one), not ${JSON.stringify(value)}`);
  if (probeUrl === undefined) throw new ConformanceOptionError('probePaymentStatus', 'needs the probe URL, which it reads');
  return value;
}

function prepareRequest(value: unknown): PrepareRequest {
  if (typeof value !== 'string') throw new ConformanceOptionError('prepareUrl', 'must be "[POST|PUT ]URL"');
  const match = /^(?:(POST|PUT)\s+)?(\S+)$/i.exec(value.trim());
  if (match === null) throw new ConformanceOptionError('prepareUrl', `must be "[POST|PUT ]URL", not ${JSON.stringify(value)}`);
  return { method: (match[1]?.toUpperCase() ?? 'POST') as 'POST' | 'PUT', url: httpUrl('prepareUrl', match[2]) };
}

/** The catalogue's cases the run asks for, in the catalogue's order. */
function selectCases(options: ConformanceOptions): ConformanceCase[] {
  const known = new Set(CASES.map((testCase) => testCase.name));
  for (const [option, names] of [['cases', options.cases], ['skip', options.skip]] as const) {
    if (names === undefined) continue;
    if (!Array.isArray(names) || names.some((name) => typeof name !== 'string')) throw new ConformanceOptionError(option, 'must be a list of case names');
    const unknown = names.filter((name) => !known.has(name));
    if (unknown.length > 0) throw new ConformanceOptionError(option, `names no case ${unknown.map((name) => JSON.stringify(name)).join(', ')} (cases: ${[...known].join(', ')})`);
  }
  const chosen = CASES.filter((testCase) => (options.cases === undefined || options.cases.includes(testCase.name))
    && !(options.skip ?? []).includes(testCase.name)
    && !(options.salesOnly === true && testCase.operation === 'payout'));
  if (chosen.length === 0) throw new ConformanceOptionError('cases', 'leave no case to run');
  return chosen;
}

function checkPaymentIds(ids: unknown, needed: number): string[] {
  if (!Array.isArray(ids) || ids.some((id) => typeof id !== 'string' || id.trim() === '' || id.length > 255)) {
    throw new ConformanceOptionError('paymentIds', 'must be a list of payment ids (non-empty strings of at most 255 characters)');
  }
  const clean = ids.map((id: string) => id.trim());
  const repeated = clean.find((id, index) => clean.indexOf(id) !== index);
  if (repeated !== undefined) throw new ConformanceOptionError('paymentIds', `has ${JSON.stringify(repeated)} twice: each case needs an order of its own`);
  if (clean.length < needed) throw new ConformanceOptionError('paymentIds', `has ${clean.length} ids where the run needs ${needed}, one order per case`);
  return clean.slice(0, needed);
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
