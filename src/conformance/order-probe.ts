// Reads the shop's order state after a case (`GET` of the probe URL, JSON `status`) and maps it to paid/failed/pending.
// The status names per state come from the run's shop preset (data/conformance/shops.json) and its own mapping.
import type { OrderState } from './cases.js';
import { PAYMENT_ID_PLACEHOLDER } from './options.js';
import type { Exchange, Sender } from './sender.js';

export interface ProbeResult {
  url: string;
  httpStatus: number | undefined;
  /** The shop's `status` value as it sent it. */
  status: string | undefined;
  /** `pending` also stands for "no such order" (404): a shop that has recorded nothing has not moved. */
  state: OrderState | undefined;
  /** Why no state could be read (no answer, not JSON, no `status`, a status not in the mapping). */
  problem: string | undefined;
  /** The payment status the shop stored, from the member the run names (undefined when absent or not asked). */
  paymentStatus: string | undefined;
  latencyMs: number;
  exchange: Exchange;
}

export function probeUrlFor(template: string, paymentId: string): string {
  return template.replaceAll(PAYMENT_ID_PLACEHOLDER, encodeURIComponent(paymentId));
}

/** Shop status name → state, without regard to case and surrounding spaces. */
export function stateLookup(names: Readonly<Record<OrderState, readonly string[]>>): Map<string, OrderState> {
  const lookup = new Map<string, OrderState>();
  for (const state of ['pending', 'failed', 'paid'] as const) {
    for (const name of names[state]) lookup.set(name.trim().toLowerCase(), state);
  }
  return lookup;
}

/** The string at `path` (`a.b` for a nested member) of a parsed answer, if there is one. */
function memberAt(parsed: unknown, path: string): string | undefined {
  let node: unknown = parsed;
  for (const key of path.split('.')) node = typeof node === 'object' && node !== null && Object.hasOwn(node, key) ? (node as Record<string, unknown>)[key] : undefined;
  return typeof node === 'string' ? node : undefined;
}

export async function probeOrder(sender: Sender, url: string, lookup: Map<string, OrderState>, paymentStatusMember?: string): Promise<ProbeResult> {
  const exchange = await sender.get(url);
  const result = { url, httpStatus: exchange.httpStatus, status: undefined, paymentStatus: undefined, latencyMs: exchange.latencyMs, exchange };
  if (exchange.httpStatus === undefined) return { ...result, state: undefined, problem: `no answer (${exchange.error ?? 'unknown error'})` };
  if (exchange.httpStatus === 404) return { ...result, state: 'pending', problem: undefined };
  if (exchange.httpStatus !== 200) return { ...result, state: undefined, problem: `HTTP ${exchange.httpStatus}` };
  let parsed: unknown;
  try {
    parsed = JSON.parse(exchange.body);
  } catch {
    return { ...result, state: undefined, problem: 'the answer is not JSON' };
  }
  const status = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>).status : undefined;
  if (typeof status !== 'string') return { ...result, state: undefined, problem: 'the answer has no string "status" member' };
  const paymentStatus = paymentStatusMember === undefined ? undefined : memberAt(parsed, paymentStatusMember);
  const state = lookup.get(status.trim().toLowerCase());
  if (state === undefined) return { ...result, status, paymentStatus, state: undefined, problem: `status ${JSON.stringify(status)} is not mapped to paid, failed or pending` };
  return { ...result, status, paymentStatus, state, problem: undefined };
}
