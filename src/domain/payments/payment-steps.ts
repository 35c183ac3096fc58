// Writes one step of a payment's story in the caller's unit of work, as its family's state machine says: the
// payment's new status, the operation the step ends or opens, the callback it sends and, for a wallet that
// e-mails its customers, the result e-mail. The payment must be held (locked) by the unit of work.
import { buildCallbackBody, type RedirectData } from '../callbacks/callback-body.js';
import type { CallbackDispatcher } from '../callbacks/callback-dispatcher.js';
import { AWAITING_CODE } from '../catalogue/codes.js';
import type { Currencies } from '../catalogue/currencies.js';
import type { PaymentMethod } from '../catalogue/methods.js';
import type { Clock } from '../clock/clock.js';
import type { CallbackFaults, FinalStatus, Operation, OperationKind, Outcome, Payment, PaymentStatus } from '../model.js';
import type { Repositories } from '../ports.js';
import { resultMail } from './customer-mail.js';
import { IdSource } from './id-source.js';
import { operationStatusOf, type OutcomeRules } from './outcomes.js';
import type { CallbackStep, PaymentAction, PaymentMachine } from './state-machine.js';

export interface PaymentStepsDeps {
  machine: PaymentMachine;
  outcomes: OutcomeRules;
  dispatcher: CallbackDispatcher;
  ids: IdSource;
  clock: Clock;
  currencies: Currencies;
}

/** What a step needs besides the payment: where its callbacks go, and what the action carries. */
export interface StepContext {
  method: PaymentMethod;
  /** The callback URL of the payment (its own, else its project's); undefined: the built-in inbox. */
  callbackUrl: string | undefined;
  /** The outcome of an action that ends an operation with one. */
  outcome?: Outcome;
  /** The redirect data of a prescriptive callback. */
  redirect?: RedirectData;
  /** The payment's operations, when the caller has read them already. */
  operations?: Operation[];
  /** Why the action is refused, in words the caller chose, when the status does not allow it. */
  refusal?: string;
}

export class PaymentSteps {
  constructor(private readonly deps: PaymentStepsDeps) {}

  /** The kind a payment was created as: its operations open further attempts of that kind. */
  static kindOf(payment: Payment): OperationKind {
    return payment.type === 'payout' ? 'payout' : 'sale';
  }

  /**
   * The first operation of a payment just inserted, with the callback its family's start sends — unless the
   * platform ends the payment at once (`endsAtOnce`: a limit declines it), when only the final callback goes.
   */
  async start(tx: Repositories, payment: Payment, context: StepContext, endsAtOnce = false): Promise<Operation> {
    const kind = PaymentSteps.kindOf(payment);
    const start = this.deps.machine.of(context.method.family).starts[kind];
    const operation = await this.newOperation(tx, payment, 0, payment.createdAt, payment.status);
    if (!endsAtOnce) await this.sendCallback(tx, payment, operation, context, start?.callback ?? 'none', true);
    return operation;
  }

  /**
   * Applies `action` to a payment it holds: refused (3060) unless its status accepts the action. `fresh`: the
   * payment was created in this unit, so no earlier callback or timer of it can exist.
   */
  async apply(tx: Repositories, payment: Payment, action: PaymentAction, context: StepContext, fresh = false): Promise<Operation> {
    const { machine } = this.deps;
    const family = context.method.family;
    const transition = machine.transition(family, payment, action, context.refusal);
    const now = this.deps.clock.now(payment.projectId);
    const operations = context.operations ?? await tx.operations.ofPayment(payment.rowId);
    const status: PaymentStatus = transition.to === 'outcome' ? (context.outcome as Outcome).status : transition.to;
    // Between attempts no operation is open: what ends the payment now ends it as a further attempt.
    const opens = transition.operation === 'open' || machine.betweenAttempts(family, payment.status);
    const operation = opens
      ? await this.newOperation(tx, payment, operations.length, now, transition.operation === 'open' ? status : 'processing')
      : operations[operations.length - 1] as Operation;
    if (transition.to === 'outcome') this.endOperation(operation, context.outcome as Outcome, now);
    payment.status = status;
    payment.updatedAt = now;
    const final = machine.isFinal(family, status);
    if (final) await tx.payments.finish(payment.rowId, status, now);
    else await tx.payments.setStatus(payment.rowId, status, now);
    if (transition.to === 'outcome') await tx.operations.update(operation);
    if (!fresh && transition.to === 'outcome') await tx.jobs.remove('outcome', payment.rowId);
    await this.sendCallback(tx, payment, operation, context, transition.callback, fresh);
    if (transition.callback === 'final' && machine.of(family).mailsResult) await this.mailResult(tx, payment, operation, context, now);
    return operation;
  }

  private endOperation(operation: Operation, outcome: Outcome, now: number): void {
    operation.status = operationStatusOf(outcome);
    operation.code = outcome.code;
    operation.message = outcome.message;
    operation.updatedAt = now;
    operation.providerDate = now;
  }

  private async newOperation(tx: Repositories, payment: Payment, index: number, now: number, status: PaymentStatus): Promise<Operation> {
    const { ids } = this.deps;
    const operation: Operation = {
      id: await tx.operations.nextId(ids.operationIdBase()),
      paymentRowId: payment.rowId,
      index,
      type: PaymentSteps.kindOf(payment),
      status,
      code: AWAITING_CODE,
      message: this.deps.outcomes.codes.message(AWAITING_CODE),
      requestId: IdSource.requestId(ids.forPayment(payment.projectId, payment.paymentId).requestHex, index),
      createdAt: now,
      updatedAt: now,
      sumInitial: { ...payment.sum },
      sumConverted: { ...payment.sumConverted },
      providerDate: undefined,
      // The PayMaya method's wallet callbacks always carry an empty auth_code (docs/protocol-notes.md "PayMaya method").
      authCode: '',
    };
    await tx.operations.insert(operation);
    return operation;
  }

  private async sendCallback(tx: Repositories, payment: Payment, operation: Operation, context: StepContext, step: CallbackStep, fresh: boolean): Promise<void> {
    if (step === 'none') return;
    // force_disable silences informational callbacks only; the redirect callback is needed to go on (docs/protocol-notes.md §3.1).
    if (step === 'final' && payment.callbacksDisabled) return;
    const body = JSON.stringify(buildCallbackBody(payment, operation, context.method, step === 'prescriptive' ? context.redirect : undefined));
    const faults = (payment.extras.callback_faults ?? {}) as CallbackFaults;
    await this.deps.dispatcher.enqueue(tx, payment, body, step, faults, { url: context.callbackUrl, fresh });
  }

  private async mailResult(tx: Repositories, payment: Payment, operation: Operation, context: StepContext, now: number): Promise<void> {
    const email = payment.customer.email;
    if (typeof email !== 'string' || email === '') return;
    const outcome = context.outcome as Outcome;
    const mail = resultMail(payment, context.method, { ...outcome, status: operation.status as FinalStatus }, this.deps.currencies);
    await tx.mail.insert({ projectId: payment.projectId, paymentId: payment.paymentId, sentAt: now, to: email, ...mail });
  }
}
