// The faults benchmark's verdict: what became of every accepted payment and callback, as checks that pass or fail.

export interface ListedCallback { payment_id: string; state: string }

export interface AuditInput {
  /** payment_id of every request the sandbox accepted (HTTP 200). */
  accepted: string[];
  /** Every callback the sandbox lists after the retries drained. */
  callbacks: ListedCallback[];
  /** What the merchant's receiver saw: every request, and those it failed on purpose. */
  receiver: { received: number; failed: number };
  requests: number;
  errorAnswers: number;
  drainSeconds: number;
}

export interface Audit {
  checks: Array<{ passed: boolean; claim: string }>;
  states: Record<string, number>;
  withoutCallbacks: string[];
  undelivered: number;
  /** Accepted payments without their callbacks, plus callbacks not delivered after draining. */
  lost: number;
}

export function auditFaults(input: AuditInput): Audit {
  const byPayment = new Set(input.callbacks.map((c) => c.payment_id));
  const states: Record<string, number> = {};
  for (const callback of input.callbacks) states[callback.state] = (states[callback.state] ?? 0) + 1;
  // A sale has its redirect callback from the start, a payout its final one (the default scenario pays at once).
  const withoutCallbacks = input.accepted.filter((id) => !byPayment.has(id));
  const undelivered = input.callbacks.filter((c) => c.state !== 'delivered').length;
  const delivered = states.delivered ?? 0;
  const acknowledged = input.receiver.received - input.receiver.failed;
  const checks = [
    {
      passed: withoutCallbacks.length === 0,
      claim: `every accepted payment is stored with its callbacks: ${input.accepted.length - withoutCallbacks.length} of ${input.accepted.length}`
        + (withoutCallbacks.length === 0 ? '' : ` (without: ${withoutCallbacks.slice(0, 5).join(', ')}${withoutCallbacks.length > 5 ? ', …' : ''})`),
    },
    {
      passed: undelivered === 0,
      claim: `every callback delivered after draining (${input.drainSeconds} s): ${delivered} delivered, ${states.queued ?? 0} queued, ${states.scheduled ?? 0} scheduled, ${states.failed ?? 0} given up`,
    },
    { passed: acknowledged === delivered, claim: `each delivery the receiver answered 200 is recorded as delivered, once: ${acknowledged} answered 200, ${delivered} recorded` },
    { passed: input.errorAnswers === 0, claim: `no request got an error answer: ${input.errorAnswers} of ${input.requests}` },
  ];
  return { checks, states, withoutCallbacks, undelivered, lost: withoutCallbacks.length + undelivered };
}
