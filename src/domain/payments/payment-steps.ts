// Writes one step of a payment's story in the caller's unit of work, as its family's state machine says: the
// payment's new status, the operation the step ends or opens, the callback it sends and, for a wallet that
// e-mails its customers, the result e-mail. The payment must be held (locked) by the unit of work.
import { buildCallbackBody, type Prescription } from '../callbacks/callback-body.js';
import type { CallbackDispatcher } from '../callbacks/callback-dispatcher.js';
import type { Currencies } from '../catalogue/currencies.js';
import type { PaymentMethod } from '../catalogue/methods.js';
import type { Clock } from '../clock/clock.js';
import type { CallbackFaults, FinalStatus, Money, Operation, OperationKind, OperationType, Outcome, Payment, PaymentStatus } from '../model.js';
import type { Repositories } from '../ports.js';
import { resultMail } from './customer-mail.js';
import { IdSource } from './id-source.js';
import { operationStatusOf, type OutcomeRules } from './outcomes.js';
import type { CallbackStep, PaymentAction, PaymentMachine, Transition } from './state-machine.js';

/** Called in the unit of work when an action moves a payment into another status (a hold starts its timer). */
export type StatusEntered = (tx: Repositories, payment: Payment, before: PaymentStatus, now: number) => Promise<void>;

export interface PaymentStepsDeps {
  machine: PaymentMachine;
  entered?: StatusEntered;
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
  /** The payment's status after an action whose transition leaves it to the service (`to: 'given'`). */
  status?: PaymentStatus;
  /** The amount of an operation the action opens (a partial capture, a refund); the payment's sum when not given. */
  operationSum?: Money;
  /** The approval code of an approved card sale or auth. */
  authCode?: string;
  /** What a prescriptive callback adds so the customer can go on (`redirect_data`, `threeds2`). */
  prescription?: Prescription;
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
    const operation = await this.newOperation(tx, payment, context.method.family, 0, payment.createdAt, payment.status);
    if (!endsAtOnce) await this.sendCallback(tx, payment, operation, context, start?.callback ?? 'none', true);
    return operation;
  }

  /** Refuses (3060) an action the payment's status does not allow, before anything is changed. */
  check(method: PaymentMethod, payment: Payment, action: PaymentAction): void {
    this.deps.machine.transition(method.family, payment, action);
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
    const status = this.statusAfter(transition.to, payment, context, family);
    const operation = await this.operationOf(tx, payment, transition.operation, context, operations, status, now);
    const ends = transition.operation !== 'open' && transition.operation !== 'keep';
    if (ends) this.endOperation(operation, context.outcome as Outcome, now, context.authCode);
    if (transition.operation === 'keep') this.keepOperation(operation, status, now);
    const before = payment.status;
    payment.status = status;
    payment.updatedAt = now;
    if (!machine.isTimed(family, status)) await tx.payments.finish(payment.rowId, status, now);
    else await tx.payments.setStatus(payment.rowId, status, now);
    if (transition.operation !== 'open') await tx.operations.update(operation);
    if (!fresh && ends) await tx.jobs.remove('outcome', payment.rowId);
    // Before the callback, which may then tell what entering the status made (a saved card's id).
    if (status !== before) await this.deps.entered?.(tx, payment, before, now);
    await this.sendCallback(tx, payment, operation, context, transition.callback, fresh);
    if (transition.callback === 'final' && machine.of(family).mailsResult) await this.mailResult(tx, payment, operation, context, now);
    return operation;
  }

  private statusAfter(to: Transition['to'], payment: Payment, context: StepContext, family: string): PaymentStatus {
    if (to === 'outcome') {
      const { status } = context.outcome as Outcome;
      return this.deps.machine.of(family).outcomeStatus?.[this.firstType(payment)]?.[status] ?? status;
    }
    if (to === 'given') return context.status ?? payment.status;
    return to;
  }

  /** The operation an action ends: the open one, a new attempt, or a new operation of its own type. */
  private async operationOf(
    tx: Repositories, payment: Payment, kind: Transition['operation'], context: StepContext, operations: Operation[], status: PaymentStatus, now: number,
  ): Promise<Operation> {
    if (typeof kind === 'object') return this.newOperation(tx, payment, context.method.family, operations.length, now, 'processing', kind.opens, context.operationSum);
    // Between attempts no operation is open: what ends the payment now ends it as a further attempt.
    const between = this.deps.machine.betweenAttempts(context.method.family, payment.status);
    if (kind === 'open' || between) return this.newOperation(tx, payment, context.method.family, operations.length, now, kind === 'open' ? status : 'processing');
    return operations[operations.length - 1] as Operation;
  }

  /** A payment's first operation: its kind, or what its family started it as (a card auth). */
  private firstType(payment: Payment): OperationType {
    const first = (payment.extras.card as { first?: OperationType } | undefined)?.first;
    return first ?? PaymentSteps.kindOf(payment);
  }

  /** An operation's amount in the payment's converted currency, in proportion to the payment's own. */
  private converted(payment: Payment, sum: Money): Money {
    const amount = payment.sum.amount === 0 ? 0 : Math.round((sum.amount * payment.sumConverted.amount) / payment.sum.amount);
    return { amount, currency: payment.sumConverted.currency };
  }

  /** The open operation goes on in the payment's new status, still awaiting processing. */
  private keepOperation(operation: Operation, status: PaymentStatus, now: number): void {
    operation.status = status;
    operation.updatedAt = now;
  }

  private endOperation(operation: Operation, outcome: Outcome, now: number, authCode: string | undefined): void {
    operation.status = operationStatusOf(outcome);
    if (authCode !== undefined) operation.authCode = authCode;
    operation.code = outcome.code;
    operation.message = outcome.message;
    operation.updatedAt = now;
    operation.providerDate = now;
  }

  private async newOperation(
    tx: Repositories, payment: Payment, family: string, index: number, now: number, status: PaymentStatus,
    type: OperationType = this.firstType(payment), sum: Money = payment.sum,
  ): Promise<Operation> {
    const { ids } = this.deps;
    const awaitingCode = this.deps.machine.of(family).awaitingCode;
    const operation: Operation = {
      id: await tx.operations.nextId(ids.operationIdBase()),
      paymentRowId: payment.rowId,
      index,
      type,
      status,
      code: awaitingCode,
      message: this.deps.outcomes.codes.message(awaitingCode),
      requestId: IdSource.requestId(ids.forPayment(payment.projectId, payment.paymentId).requestHex, index),
      createdAt: now,
      updatedAt: now,
      sumInitial: { ...sum },
      sumConverted: this.converted(payment, sum),
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
    const body = JSON.stringify(buildCallbackBody(payment, operation, context.method, step === 'prescriptive' ? context.prescription : undefined));
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
