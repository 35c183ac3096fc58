// Reads the shop's order state after a case (`GET` of the probe URL, JSON `status`) and maps it to paid/failed/pending.
import type { OrderState } from './cases.js';
import type { ProbeMapping } from './options.js';
import { PAYMENT_ID_PLACEHOLDER } from './options.js';
import type { Exchange, Sender } from './sender.js';

/**
 * Status names shops commonly use, compared without case and surrounding spaces. A card hold is paid for the
 * shop (authorised), and so is an order refunded in part; an order refunded in full has lost its money like a failed one.
 */
export const DEFAULT_PROBE_MAPPING: Readonly<Record<OrderState, readonly string[]>> = {
  paid: ['paid', 'success', 'succeeded', 'successful', 'completed', 'complete', 'captured', 'settled', 'authorized', 'authorised', 'partially refunded', 'partially-refunded'],
  failed: ['failed', 'failure', 'declined', 'decline', 'cancelled', 'canceled', 'rejected', 'expired', 'error', 'voided', 'refunded', 'reversed'],
  pending: ['pending', 'new', 'created', 'open', 'processing', 'awaiting', 'awaiting payment', 'awaiting redirect result', 'on-hold', 'unpaid'],
};

export interface ProbeResult {
  url: string;
  httpStatus: number | undefined;
  /** The shop's `status` value as it sent it. */
  status: string | undefined;
  /** `pending` also stands for "no such order" (404): a shop that has recorded nothing has not moved. */
  state: OrderState | undefined;
  /** Why no state could be read (no answer, not JSON, no `status`, a status not in the mapping). */
  problem: string | undefined;
  latencyMs: number;
  exchange: Exchange;
}

export function probeUrlFor(template: string, paymentId: string): string {
  return template.replaceAll(PAYMENT_ID_PLACEHOLDER, encodeURIComponent(paymentId));
}

/** Shop status name → state; the states given in `mapping` replace their defaults and win over the others. */
export function stateLookup(mapping: ProbeMapping): Map<string, OrderState> {
  const lookup = new Map<string, OrderState>();
  const states: OrderState[] = ['paid', 'failed', 'pending'];
  for (const state of states) {
    if (mapping[state] !== undefined) continue;
    for (const name of DEFAULT_PROBE_MAPPING[state]) lookup.set(name, state);
  }
  for (const state of states) {
    for (const name of mapping[state] ?? []) lookup.set(name.trim().toLowerCase(), state);
  }
  return lookup;
}

export async function probeOrder(sender: Sender, url: string, lookup: Map<string, OrderState>): Promise<ProbeResult> {
  const exchange = await sender.get(url);
  const result = { url, httpStatus: exchange.httpStatus, status: undefined, latencyMs: exchange.latencyMs, exchange };
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
  const state = lookup.get(status.trim().toLowerCase());
  if (state === undefined) return { ...result, status, state: undefined, problem: `status ${JSON.stringify(status)} is not mapped to paid, failed or pending` };
  return { ...result, status, state, problem: undefined };
}
