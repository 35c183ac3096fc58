// Read models for tools: a payment with its operations, callbacks, attempts and due times; callback summaries.
import type { CallbackAttempt, CallbackOptions, CallbackRecord, Job, Operation, Payment } from '../model.js';

/** Everything known of one payment, gathered for its report. */
export interface PaymentFacts {
  payment: Payment;
  operations: Operation[];
  callbacks: Array<{ callback: CallbackRecord; attempts: CallbackAttempt[] }>;
  limitJob: Job | undefined;
  outcomeJob: Job | undefined;
}

const iso = (ms: number | undefined): string | null => (ms === undefined ? null : new Date(ms).toISOString());

/** Delivery options with their defaults filled in, as tools show them. */
export function deliveryOf(options: CallbackOptions): Required<CallbackOptions> {
  return { order: options.order ?? 'strict', repeat_redirect: options.repeat_redirect ?? 1 };
}

export function attemptReport(attempt: CallbackAttempt): Record<string, unknown> {
  return {
    number: attempt.number,
    at: iso(attempt.at),
    url: attempt.url,
    http_status: attempt.httpStatus ?? null,
    error: attempt.error ?? null,
    latency_ms: attempt.latencyMs,
    response_excerpt: attempt.responseExcerpt,
  };
}

export function callbackReport(callback: CallbackRecord, attempts: CallbackAttempt[] | undefined): Record<string, unknown> {
  const report: Record<string, unknown> = {
    id: callback.id,
    project_id: callback.projectId,
    payment_id: callback.paymentId,
    kind: callback.kind,
    state: callback.state,
    url: callback.url ?? 'sandbox:inbox',
    attempts_made: callback.attempts,
    created_at: iso(callback.createdAt),
    next_attempt_at: iso(callback.nextAttemptAt),
    delivered_at: iso(callback.deliveredAt),
    replay_of: callback.replayOf ?? null,
    body: JSON.parse(callback.body) as unknown,
  };
  if (attempts !== undefined) report.attempts = attempts.map(attemptReport);
  return report;
}

function operationReport(operation: Operation): Record<string, unknown> {
  return {
    id: operation.id,
    type: operation.type,
    status: operation.status,
    code: operation.code,
    message: operation.message,
    request_id: operation.requestId,
    created_at: iso(operation.createdAt),
    updated_at: iso(operation.updatedAt),
    sum_initial: operation.sumInitial,
    sum_converted: operation.sumConverted,
  };
}

export function paymentReport(facts: PaymentFacts, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const { payment, operations, limitJob, outcomeJob } = facts;
  return {
    payment: {
      project_id: payment.projectId,
      payment_id: payment.paymentId,
      method: payment.method,
      type: payment.type,
      status: payment.status,
      interface: payment.interface,
      sum: payment.sum,
      sum_converted: payment.sumConverted,
      description: payment.description,
      customer: payment.customer,
      account: payment.account,
      return_url: payment.returnUrl,
      callback_url: payment.callbackUrl ?? null,
      created_at: iso(payment.createdAt),
      updated_at: iso(payment.updatedAt),
      base_due_at: iso(payment.baseDueAt),
      limit_due_at: iso(payment.limitDueAt),
      scenario: payment.extras.scenario ?? 'default',
      delivery: deliveryOf((payment.extras.callback_faults ?? {}) as CallbackOptions),
      ...extra,
    },
    timers: {
      limit: limitJob === undefined ? null : iso(limitJob.dueAt),
      outcome: outcomeJob === undefined ? null : { due_at: iso(outcomeJob.dueAt), outcome: JSON.parse(outcomeJob.payload) as unknown },
    },
    operations: operations.map(operationReport),
    callbacks: facts.callbacks.map(({ callback, attempts }) => callbackReport(callback, attempts)),
  };
}
