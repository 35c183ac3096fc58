// Read models for tools: a payment with its operations, callbacks, attempts and due times (and a card payment's
// 3-D Secure and amounts); callback summaries.
import { shapeOf } from '../callbacks/family-shapes.js';
import type { CallbackAttempt, CallbackOptions, CallbackRecord, Job, Operation, Payment } from '../model.js';
import { refundableOf, type CardState } from '../payments/card-state.js';
import { threeDsSteps } from './card-threeds-steps.js';

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

const DEBITED = new Set(['success', 'partially refunded', 'refunded']);

/**
 * What a tool shows of a card payment besides its masked account (minor units in the payment's currency): the
 * first operation (sale, auth, recurring, account verification); 3-D Secure as the card went through it — `flow`
 * the card's (`none`, `frictionless`, `challenge`, or `device` for a card wallet's token), `authentication_flow`
 * the `mpi_result`'s once authenticated — the ECI of the first operation once approved, and its steps
 * (card-threeds-steps.ts); the hold (while held, or as released), what was debited and refunded, and what is left to
 * refund; the saved card it registered (`recurring_id`) or, for a debit, the saved card it charged (`debit_of`).
 */
export function cardReport(payment: Payment, operations: Operation[], callbacks: CallbackRecord[] = []): Record<string, unknown> | undefined {
  const state = payment.extras.card as CardState | undefined;
  if (state === undefined) return undefined;
  const [first] = operations;
  // Only an approved first operation has an ECI to show; one in progress has not been decided yet.
  const eci = first?.status === 'success' ? shapeOf('card').operationExtras(payment, first).eci : undefined;
  const hold = payment.status === 'awaiting capture' || payment.status === 'canceled' ? state.held ?? payment.sum.amount : null;
  const debited = DEBITED.has(payment.status) ? state.captured ?? payment.sum.amount : null;
  return {
    operation: state.first,
    threeds: {
      flow: state.walletToken === true ? 'device' : state.profile.flow,
      authentication_flow: state.authentication?.flow ?? null,
      eci: typeof eci === 'string' ? eci : null,
      steps: threeDsSteps(payment, operations, callbacks),
    },
    currency: payment.sum.currency,
    hold,
    debited,
    refunded: state.refunded,
    refundable: debited === null ? null : refundableOf(payment, state),
    recurring_id: state.recurring?.id ?? null,
    debit_of: state.debitOf ?? null,
  };
}

export function paymentReport(facts: PaymentFacts, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const { payment, operations, limitJob, outcomeJob } = facts;
  const card = cardReport(payment, operations, facts.callbacks.map(({ callback }) => callback));
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
      ...(card === undefined ? {} : { card }),
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
