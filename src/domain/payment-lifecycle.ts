// The payment lifecycle (docs/protocol-notes.md "PayMaya method", docs/lifecycle.md): sales wait for the customer at the
// wallet's checkout, payouts go from processing to a final result; limits, eligibility and limit-time timers
// apply on the sandbox clock. A Payment Page sale whose attempt the wallet declined may await the customer's
// next attempt (docs/protocol-notes.md §3.3 `awaiting customer`), each attempt its own operation. Every state change and
// its callback are committed in one transaction.
import type { Clock } from './clock.js';
import { buildCallbackBody, type RedirectData } from './callback-body.js';
import type { CallbackDispatcher } from './callback-dispatcher.js';
import type { EgressPolicy } from './egress-policy.js';
import { AWAITING_CODE, GENERAL_DECLINE_CODE, codeMessage } from './codes.js';
import { resultMail } from './customer-mail.js';
import { Refusal, fieldRefusal } from './errors.js';
import { IdSource } from './id-source.js';
import type { MethodRules, RequestSections } from './method-rules.js';
import type { Interface, MethodCatalogue, OperationKind, OperationRules, PaymentMethod } from './methods.js';
import {
  FINAL_STATUSES, type FinalStatus, type Job, type Money, type Operation, type Outcome, type Payment, type PaymentStatus, type Project,
} from './model.js';
import { isFinal, operationStatusOf, outcomeOf } from './outcomes.js';
import type { PageLinks } from './page-links.js';
import type { Repositories, Storage } from './ports.js';
import type { ProjectDirectory } from './project-directory.js';
import { ScenarioError, type CallbackFaults, type ScenarioCatalogue, type ScenarioPlan } from './scenarios.js';

export interface PaymentRequest {
  project: Project;
  paymentId: string;
  methodCode: string;
  interface: Interface;
  sum: Money;
  description: string;
  customer: Record<string, unknown>;
  account: Record<string, unknown>;
  returnUrl: Record<string, string>;
  callbackUrl: string | undefined;
  callbackDelaySeconds: number;
  callbacksDisabled: boolean;
  /** A catalogue scenario picked by name (header X-Sandbox-Scenario) instead of by matching. */
  scenario?: string;
  extras?: Record<string, unknown>;
}

export interface Accepted { requestId: string; projectId: number; paymentId: string }

export type CustomerAction = 'pay' | 'decline' | 'cancel';

/** A "try again" scenario, kept with its payment: the wallet declines the first Pay attempts with `code`. */
interface TryAgain { code: string; declined_attempts: number }

export interface LifecycleDeps {
  storage: Storage;
  rules: MethodRules;
  methods: MethodCatalogue;
  scenarios: ScenarioCatalogue;
  ids: IdSource;
  clock: Clock;
  links: PageLinks;
  dispatcher: CallbackDispatcher;
  projects: ProjectDirectory;
  /** Called once new due work is committed, with the earliest time it falls due when that is known. */
  onCommitted: (dueAt?: number, projectId?: number) => void;
  callbackPolicy: EgressPolicy;
}

export class PaymentLifecycle {
  constructor(private readonly deps: LifecycleDeps) {}

  startSale(request: PaymentRequest): Promise<Accepted> {
    return this.start(request, 'sale');
  }

  startPayout(request: PaymentRequest): Promise<Accepted> {
    return this.start(request, 'payout');
  }

  /** Checks a payout as start would, without creating it (method, interface, currency, account). */
  checkPayout(request: PaymentRequest): void {
    const { method, rules } = this.deps.rules.methodThrough(request.methodCode, 'payout', request.interface, 'method');
    this.deps.rules.convert(request.sum);
    this.deps.rules.checkPayoutAccount(method, request.account);
    this.deps.rules.checkRequiredFields(rules, request.interface, sectionsOf(request));
  }

  /** Answers once the payment, its operation, its callback and its timers are committed. */
  private async start(request: PaymentRequest, kind: OperationKind): Promise<Accepted> {
    const { rules: methodRules, storage, clock } = this.deps;
    const { method, rules } = methodRules.methodThrough(request.methodCode, kind, request.interface);
    const converted = methodRules.convert(request.sum);
    if (kind === 'payout') methodRules.checkPayoutAccount(method, request.account);
    methodRules.checkRequiredFields(rules, request.interface, sectionsOf(request));
    const plan = this.planFor(request, kind, converted);
    this.checkCallbackUrl(request);
    const projectId = request.project.projectId;
    const { accepted, dueAt } = await storage.transact(async (tx) => {
      if (request.project.frequencyLimits.length > 0) await tx.payments.lockCustomer(projectId, String(request.customer.id ?? ''));
      const now = clock.now(projectId);
      const limitDecline = await this.limitDecline(tx, request, rules, kind, method, converted, now);
      const ids = this.deps.ids.forPayment(projectId, request.paymentId);
      const payment = await tx.payments.insert({
        projectId,
        paymentId: request.paymentId,
        method: method.code,
        type: kind === 'sale' ? 'purchase' : 'payout',
        status: kind === 'sale' ? 'awaiting redirect result' : 'processing',
        interface: request.interface,
        sum: { ...request.sum },
        sumConverted: converted,
        description: request.description,
        customer: request.customer,
        account: request.account,
        returnUrl: request.returnUrl,
        callbackUrl: request.callbackUrl,
        callbackDelaySeconds: request.callbackDelaySeconds + (plan.callbacks.extra_delay ?? 0),
        callbacksDisabled: request.callbacksDisabled,
        checkoutToken: ids.checkoutToken,
        providerPaymentId: ids.providerPaymentId,
        createdAt: now,
        updatedAt: now,
        baseDueAt: now + rules.base_seconds * 1000,
        limitDueAt: now + rules.limit_seconds * 1000,
        // The project's delivery options, unless the scenario chooses for this payment.
        extras: {
          ...request.extras,
          scenario: limitDecline === undefined ? plan.name : 'limits',
          callback_faults: { ...request.project.callbackOptions, ...plan.callbacks },
          ...(plan.outcome === 'awaiting customer' ? { try_again: { code: plan.code ?? GENERAL_DECLINE_CODE, declined_attempts: plan.declinedAttempts } satisfies TryAgain } : {}),
        },
      });
      if (payment === undefined) {
        throw fieldRefusal('general.payment_id', `Payment ID "${request.paymentId}" already exists in project ${projectId}`, 'duplicate-payment');
      }
      const storedQuota = request.project.quotas.stored_payments;
      if (storedQuota !== undefined && !(await tx.payments.countStored(projectId, storedQuota))) {
        const field = request.interface === 'gate' ? 'general.project_id' : 'project_id';
        throw fieldRefusal(field, `Project ${projectId} may store ${storedQuota} payments; reset it to make room`, 'quota-exceeded');
      }
      const operation = await this.newOperation(tx, payment, kind, 0, now, ids.requestHex);
      const answer = { requestId: operation.requestId, projectId, paymentId: payment.paymentId };
      if (limitDecline !== undefined) {
        await this.finalize(tx, payment, operation, limitDecline, method, now, true);
        return { accepted: answer, dueAt: now };
      }
      // The limit-time timer is the payment's own limit_due_at, until the payment ends.
      let dueAt = payment.limitDueAt;
      if (kind === 'sale') {
        await this.sendCallback(tx, payment, operation, method, 'prescriptive', this.deps.links.redirectDataFor(payment), true);
        dueAt = Math.min(dueAt, now + payment.callbackDelaySeconds * 1000);
      }
      dueAt = Math.min(dueAt, await this.scheduleOutcome(tx, payment, plan, kind, now) ?? Infinity);
      return { accepted: answer, dueAt };
    });
    this.deps.onCommitted(dueAt, projectId);
    return accepted;
  }

  /** A callback URL the request names must be one the egress policy allows (it is checked again when sent). */
  private checkCallbackUrl(request: PaymentRequest): void {
    if (request.callbackUrl === undefined) return;
    const verdict = this.deps.callbackPolicy.checkUrl(request.callbackUrl);
    if (verdict.allowed) return;
    const field = request.interface === 'payment_page' ? 'merchant_callback_url' : 'general.merchant_callback_url';
    throw fieldRefusal(field, `Callbacks may not go to this URL: ${verdict.reason}`);
  }

  private planFor(request: PaymentRequest, kind: OperationKind, converted: Money): ScenarioPlan {
    const context = {
      method: request.methodCode,
      operation: kind,
      interface: request.interface,
      amountPhp: converted.amount,
      currency: request.sum.currency,
      customerId: String(request.customer.id ?? ''),
      customerEmail: String(request.customer.email ?? ''),
      accountNumber: String(request.account.number ?? ''),
      paymentId: request.paymentId,
      description: request.description,
    };
    let plan: ScenarioPlan;
    try {
      plan = this.deps.scenarios.choose(context, request.scenario);
    } catch (error) {
      if (error instanceof ScenarioError) throw fieldRefusal('X-Sandbox-Scenario', error.message);
      throw error;
    }
    // Only a scenario picked by name gets here: the loader keeps matching rules of this outcome to the Payment Page.
    if (plan.outcome === 'awaiting customer' && (kind !== 'sale' || request.interface !== 'payment_page')) {
      throw fieldRefusal('X-Sandbox-Scenario', `Scenario "${plan.name}" needs a sale on the Payment Page, where the customer can try again`);
    }
    return plan;
  }

  /**
   * A sale waits for the customer unless its scenario decides; a payout has no customer step. An `awaiting
   * customer` scenario also waits: the wallet declines the customer's Pay (customerAction). Resolves when the
   * outcome falls due, or undefined when the scenario leaves it to the customer or the limit time.
   */
  private async scheduleOutcome(tx: Repositories, payment: Payment, plan: ScenarioPlan, kind: OperationKind, now: number): Promise<number | undefined> {
    const status = plan.outcome === 'customer' ? (kind === 'sale' ? undefined : 'success') : FINAL_STATUSES.has(plan.outcome as FinalStatus) ? plan.outcome as FinalStatus : undefined;
    if (status === undefined) return undefined;
    const dueAt = plan.delay === 'base_time' ? payment.baseDueAt : now + plan.delay * 1000;
    const outcome = outcomeOf(status, status === 'success' ? undefined : plan.code);
    await tx.jobs.put({ kind: 'outcome', ref: payment.rowId, dueAt, projectId: payment.projectId, paymentRowId: payment.rowId, payload: JSON.stringify(outcome) });
    return dueAt;
  }

  /** The card's amount limits, the project's frequency limits and the payout precondition, in that order. */
  private async limitDecline(
    tx: Repositories, request: PaymentRequest, rules: OperationRules, kind: OperationKind, method: PaymentMethod, converted: Money, now: number,
  ): Promise<Outcome | undefined> {
    if (converted.amount < rules.min_amount || converted.amount > rules.max_amount) return outcomeOf('decline', method.decline_codes.limit_decline);
    const projectId = request.project.projectId;
    const customerId = String(request.customer.id ?? '');
    const type = kind === 'sale' ? 'purchase' : 'payout';
    for (const limit of request.project.frequencyLimits) {
      if (limit.method !== undefined && limit.method !== method.code) continue;
      if (limit.operation !== undefined && limit.operation !== kind) continue;
      const since = now - limit.window_seconds * 1000;
      const recent = await tx.payments.countRecent(projectId, customerId, since, limit.method, limit.operation === undefined ? undefined : type);
      if (recent >= limit.max) return outcomeOf('decline', method.decline_codes.limit_decline);
    }
    if (kind === 'payout') {
      const sources = method.payout_requires_purchase_with ?? [];
      if (sources.length > 0 && !(await tx.payments.hasSuccessfulPurchase(projectId, customerId, sources))) {
        return outcomeOf('decline', method.decline_codes.no_eligible_purchase);
      }
    }
    return undefined;
  }

  private async newOperation(
    tx: Repositories, payment: Payment, kind: OperationKind, index: number, now: number, requestHex: string, status: PaymentStatus = payment.status,
  ): Promise<Operation> {
    const operation: Operation = {
      id: await tx.operations.nextId(this.deps.ids.operationIdBase()),
      paymentRowId: payment.rowId,
      index,
      type: kind,
      status,
      code: AWAITING_CODE,
      message: codeMessage(AWAITING_CODE),
      requestId: IdSource.requestId(requestHex, index),
      createdAt: now,
      updatedAt: now,
      sumInitial: { ...payment.sum },
      sumConverted: { ...payment.sumConverted },
      providerDate: undefined,
      // The method card's wallet callbacks always carry an empty auth_code (docs/protocol-notes.md "PayMaya method").
      authCode: '',
    };
    await tx.operations.insert(operation);
    return operation;
  }

  private async sendCallback(
    tx: Repositories, payment: Payment, operation: Operation, method: PaymentMethod, kind: 'prescriptive' | 'final', redirect: RedirectData | undefined, fresh: boolean,
  ): Promise<void> {
    // force_disable silences informational callbacks only; the redirect callback is needed to go on (docs/protocol-notes.md §3.1).
    if (kind === 'final' && payment.callbacksDisabled) return;
    const body = JSON.stringify(buildCallbackBody(payment, operation, method, redirect));
    await this.deps.dispatcher.enqueue(tx, payment, body, kind, (payment.extras.callback_faults ?? {}) as CallbackFaults, fresh);
  }

  /** Ends the attempt's operation with `outcome`; the payment ends with it unless the customer may try again. */
  private async finalize(tx: Repositories, payment: Payment, operation: Operation, outcome: Outcome, method: PaymentMethod, now: number, fresh = false): Promise<void> {
    payment.status = outcome.status;
    payment.updatedAt = now;
    operation.status = operationStatusOf(outcome);
    operation.code = outcome.code;
    operation.message = outcome.message;
    operation.updatedAt = now;
    operation.providerDate = now;
    // A payment awaiting the customer keeps its limit-time timer: nothing more by then declines it.
    if (isFinal(payment.status)) await tx.payments.finish(payment.rowId, payment.status, now);
    else await tx.payments.setStatus(payment.rowId, payment.status, now);
    await tx.operations.update(operation);
    if (!fresh) await tx.jobs.remove('outcome', payment.rowId);
    await this.sendCallback(tx, payment, operation, method, 'final', undefined, fresh);
    const email = payment.customer.email;
    if (typeof email === 'string' && email !== '') {
      const mail = resultMail(payment, method, { ...outcome, status: operation.status as FinalStatus });
      await tx.mail.insert({ projectId: payment.projectId, paymentId: payment.paymentId, sentAt: now, to: email, ...mail });
    }
  }

  /** Applies a final outcome to a payment still in progress; refused with 3060 when it is already final. */
  complete(rowId: number, outcome: Outcome, changes: { account?: Record<string, unknown> } = {}): Promise<Payment> {
    return this.completeWith(rowId, () => outcome, changes);
  }

  /** Like complete, with the outcome decided under the payment's lock from the payment and its operations. */
  private async completeWith(rowId: number, decide: (payment: Payment, operations: Operation[]) => Outcome, changes: { account?: Record<string, unknown> }): Promise<Payment> {
    const completed = await this.deps.storage.transact(async (tx) => {
      const current = await tx.payments.lock(rowId);
      if (current === undefined) throw new Refusal('payment-not-found');
      if (isFinal(current.status)) {
        throw new Refusal('status-forbids-action', [{ field: 'payment.status', message: `The payment is already final (${current.status})` }], {
          status: current.status,
        });
      }
      const operations = await tx.operations.ofPayment(current.rowId);
      await this.completeLocked(tx, current, decide(current, operations), changes, operations);
      return current;
    });
    this.deps.onCommitted();
    return completed;
  }

  /**
   * Ends the payment's current attempt with `outcome`. A payment awaiting the customer has no attempt open (its
   * last one was declined), so whatever ends it now — a tool, the limit time — ends it as a further attempt.
   */
  private async completeLocked(
    tx: Repositories, payment: Payment, outcome: Outcome, changes: { account?: Record<string, unknown> }, known?: Operation[],
  ): Promise<void> {
    if (changes.account !== undefined) {
      payment.account = { ...payment.account, ...changes.account };
      await tx.payments.updateAccount(payment.rowId, payment.account);
    }
    const now = this.deps.clock.now(payment.projectId);
    const operations = known ?? await tx.operations.ofPayment(payment.rowId);
    const operation = payment.status === 'awaiting customer'
      ? await this.newOperation(tx, payment, 'sale', operations.length, now, this.requestHexOf(payment), 'processing')
      : operations[operations.length - 1] as Operation;
    await this.finalize(tx, payment, operation, outcome, this.deps.rules.method(payment.method), now);
  }

  private requestHexOf(payment: Payment): string {
    return this.deps.ids.forPayment(payment.projectId, payment.paymentId).requestHex;
  }

  /**
   * The customer's choice at the wallet checkout; Cancel and Decline decline with the method's codes. Under a
   * "try again" scenario the wallet declines the first Pay attempts, and the payment awaits the customer.
   */
  async customerAction(token: string, action: CustomerAction, mobileNumber: string | undefined): Promise<Payment> {
    const payment = await this.deps.storage.read.payments.findByCheckoutToken(token);
    if (payment === undefined) throw new Refusal('payment-not-found');
    const codes = this.deps.rules.method(payment.method).decline_codes;
    return this.completeWith(payment.rowId, (current, operations) => {
      if (current.status === 'awaiting customer') {
        throw new Refusal('status-forbids-action', [{ field: 'payment.status', message: 'The wallet declined this attempt; try again on the Payment Page' }], {
          status: current.status,
        });
      }
      if (action !== 'pay') return outcomeOf('decline', action === 'cancel' ? codes.customer_cancel : codes.customer_decline);
      const tryAgain = current.extras.try_again as TryAgain | undefined;
      return tryAgain !== undefined && operations.length <= tryAgain.declined_attempts ? outcomeOf('awaiting customer', tryAgain.code) : outcomeOf('success');
    }, mobileNumber === undefined ? {} : { account: { number: mobileNumber } });
  }

  /**
   * "Try again" on the Payment Page: a payment awaiting the customer opens a new attempt — a new sale operation
   * and its redirect callback — and the customer goes back to the wallet. Pressed twice, the attempt already
   * open is the answer; a final payment is refused with 3060.
   */
  async tryAgain(token: string): Promise<Payment> {
    const found = await this.deps.storage.read.payments.findByCheckoutToken(token);
    if (found === undefined) throw new Refusal('payment-not-found', [{ field: 'tokenid', message: 'No such payment' }]);
    const payment = await this.deps.storage.transact(async (tx) => {
      const current = await tx.payments.lock(found.rowId);
      if (current === undefined) throw new Refusal('payment-not-found', [{ field: 'tokenid', message: 'No such payment' }]);
      if (current.status === 'awaiting redirect result') return current;
      if (current.status !== 'awaiting customer') {
        throw new Refusal('status-forbids-action', [{ field: 'payment.status', message: `The payment is ${current.status}; it takes no further attempt` }], {
          status: current.status,
        });
      }
      const now = this.deps.clock.now(current.projectId);
      const operations = await tx.operations.ofPayment(current.rowId);
      current.status = 'awaiting redirect result';
      current.updatedAt = now;
      await tx.payments.setStatus(current.rowId, current.status, now);
      const operation = await this.newOperation(tx, current, 'sale', operations.length, now, this.requestHexOf(current));
      const method = this.deps.rules.method(current.method);
      await this.sendCallback(tx, current, operation, method, 'prescriptive', this.deps.links.redirectDataFor(current), false);
      return current;
    });
    this.deps.onCommitted();
    return payment;
  }

  /**
   * A timer's outcome, applied under the payment's lock: a payment already final (completed meanwhile, here or
   * on another instance) just loses its timer. The timer row goes in the same transaction as the outcome, so a
   * crash in between leaves it to run again rather than a payment stuck in progress.
   */
  private async runTimer(job: Job, outcomeFor: (payment: Payment) => Outcome): Promise<void> {
    await this.deps.storage.transact(async (tx) => {
      const payment = await tx.payments.lock(job.ref);
      if (payment !== undefined && !isFinal(payment.status)) await this.completeLocked(tx, payment, outcomeFor(payment), {});
      else if (job.kind === 'outcome') await tx.jobs.remove('outcome', job.ref);
    });
    this.deps.onCommitted();
  }

  readonly runLimitTimer = (job: Job): Promise<void> =>
    this.runTimer(job, (payment) => outcomeOf('decline', this.deps.rules.method(payment.method).decline_codes.auto_decline));

  readonly runOutcome = (job: Job): Promise<void> => this.runTimer(job, () => JSON.parse(job.payload) as Outcome);
}

function sectionsOf(request: PaymentRequest): RequestSections {
  return {
    payment: { amount: request.sum.amount, currency: request.sum.currency, description: request.description },
    customer: request.customer,
    account: request.account,
    return_url: request.returnUrl,
  };
}
