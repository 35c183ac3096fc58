// The payment lifecycle (docs/lifecycle.md): payments start as their family's state machine says — a wallet sale
// waits for the customer at the checkout, a payout goes from processing to a final result — and then move by
// actions: the customer's, a tool's, the platform's (limits, a scenario's outcome, the limit time). Every state
// change and its callback are committed in one unit of work. Fields named in refusals are Gate's request paths;
// each surface shows them in its own terms.
import type { RedirectData } from '../callbacks/callback-body.js';
import type { EgressPolicy } from '../callbacks/egress-policy.js';
import { GENERAL_DECLINE_CODE } from '../catalogue/codes.js';
import type { MethodCatalogue, OperationRules, PaymentMethod } from '../catalogue/methods.js';
import { ScenarioError, type ScenarioCatalogue, type ScenarioPlan } from '../catalogue/scenarios.js';
import type { Clock } from '../clock/clock.js';
import { Refusal, fieldRefusal } from '../errors.js';
import { FINAL_STATUSES, type PaymentType, type FinalStatus, type Interface, type Job, type Money, type Operation, type OperationKind, type Outcome, type Payment, type Project } from '../model.js';
import type { Repositories, Storage } from '../ports.js';
import type { ProjectDirectory } from '../projects/project-directory.js';
import type { IdSource } from './id-source.js';
import type { MethodRules, RequestSections } from './method-rules.js';
import type { OutcomeRules } from './outcomes.js';
import type { PageLinks } from './page-links.js';
import type { PaymentSteps, StepContext } from './payment-steps.js';
import type { PaymentAction, PaymentMachine } from './state-machine.js';

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
  /** A catalogue scenario picked by name instead of by matching (refused under the field `scenario`). */
  scenario?: string;
  extras?: Record<string, unknown>;
  /** `payment.type` when it is not the kind's own (a COF debit is a `recurring` payment). */
  paymentType?: PaymentType;
  /** The method's amount limits do not apply (a card check may be of 0). */
  skipAmountLimits?: boolean;
}

export interface Accepted { requestId: string; projectId: number; paymentId: string }

export type CustomerAction = 'pay' | 'decline' | 'cancel';

/** A "try again" scenario, kept with its payment: the wallet declines the first Pay attempts with `code`. */
interface TryAgain { code: string; declined_attempts: number }

/** What a family does with a payment when no limit or scenario decides it: a card is decided by the card itself. */
export type Beginning = (tx: Repositories, payment: Payment, context: StepContext, plan: ScenarioPlan) => Promise<void>;

export interface LifecycleDeps {
  storage: Storage;
  rules: MethodRules;
  methods: MethodCatalogue;
  scenarios: ScenarioCatalogue;
  outcomes: OutcomeRules;
  machine: PaymentMachine;
  steps: PaymentSteps;
  ids: IdSource;
  clock: Clock;
  links: PageLinks;
  projects: ProjectDirectory;
  callbackPolicy: EgressPolicy;
  /** By family: what happens to a payment left to the customer (the wallet's customer acts at its checkout). */
  beginnings?: Readonly<Record<string, Beginning>>;
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
    const { rules: methodRules, storage } = this.deps;
    const { method, rules } = methodRules.methodThrough(request.methodCode, kind, request.interface);
    const converted = methodRules.convert(request.sum);
    if (kind === 'payout') methodRules.checkPayoutAccount(method, request.account);
    methodRules.checkRequiredFields(rules, request.interface, sectionsOf(request));
    const plan = this.planFor(request, kind, converted);
    this.checkCallbackUrl(request);
    const callbackUrl = request.callbackUrl ?? request.project.callbackUrl;
    return storage.transact(async (tx) => {
      const limitDecline = await this.limitDecline(tx, request, rules, kind, method, converted);
      const payment = await this.insert(tx, request, kind, method, rules, converted, plan, limitDecline === undefined ? plan.name : 'limits');
      const redirect = this.redirectOf(payment, kind, method);
      const operation = await this.deps.steps.start(tx, payment, { method, callbackUrl, ...(redirect === undefined ? {} : { prescription: { redirect_data: redirect } }) }, limitDecline !== undefined);
      const beginning = this.deps.beginnings?.[method.family];
      if (limitDecline !== undefined) {
        await this.deps.steps.apply(tx, payment, 'decide', { method, callbackUrl, outcome: limitDecline, operations: [operation] }, true);
      } else if (plan.outcome === 'customer' && beginning !== undefined) {
        await beginning(tx, payment, { method, callbackUrl, operations: [operation] }, plan);
      } else {
        await this.scheduleOutcome(tx, payment, plan, kind);
      }
      return { requestId: operation.requestId, projectId: payment.projectId, paymentId: payment.paymentId };
    });
  }

  /** Stores the new payment: refused when its id is taken (3041) or its project is full (310). */
  private async insert(
    tx: Repositories, request: PaymentRequest, kind: OperationKind, method: PaymentMethod, rules: OperationRules, converted: Money, plan: ScenarioPlan, scenario: string,
  ): Promise<Payment> {
    const projectId = request.project.projectId;
    const now = this.deps.clock.now(projectId);
    const ids = this.deps.ids.forPayment(projectId, request.paymentId);
    const start = this.deps.machine.of(method.family).starts[kind];
    if (start === undefined) throw new Error(`the ${method.family} family does not start a ${kind}`);
    const payment = await tx.payments.insert({
      projectId,
      paymentId: request.paymentId,
      method: method.code,
      type: request.paymentType ?? (kind === 'sale' ? 'purchase' : 'payout'),
      status: start.status,
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
        scenario,
        callback_faults: { ...request.project.callbackOptions, ...plan.callbacks },
        ...(plan.outcome === 'awaiting customer' ? { try_again: { code: plan.code ?? GENERAL_DECLINE_CODE, declined_attempts: plan.declinedAttempts } satisfies TryAgain } : {}),
        // A card's 3-D Secure flow chosen by the scenario, which the card family's beginning follows.
        ...(plan.cardFlow === undefined ? {} : { card_flow: plan.cardFlow }),
      },
    });
    if (payment === undefined) {
      throw fieldRefusal('general.payment_id', `Payment ID "${request.paymentId}" already exists in project ${projectId}`, 'duplicate-payment');
    }
    const storedQuota = request.project.quotas.stored_payments;
    if (storedQuota !== undefined && !(await tx.payments.countStored(projectId, storedQuota))) {
      throw fieldRefusal('general.project_id', `Project ${projectId} may store ${storedQuota} payments; reset it to make room`, 'quota-exceeded');
    }
    return payment;
  }

  /** The wallet's checkout link a wallet sale's redirect callback carries. */
  private redirectOf(payment: Payment, kind: OperationKind, method: PaymentMethod): RedirectData | undefined {
    return kind === 'sale' && method.family === 'wallet' ? this.deps.links.redirectDataFor(payment) : undefined;
  }

  /** A callback URL the request names must be one the egress policy allows (it is checked again when sent). */
  private checkCallbackUrl(request: PaymentRequest): void {
    if (request.callbackUrl === undefined) return;
    const verdict = this.deps.callbackPolicy.checkUrl(request.callbackUrl);
    if (verdict.allowed) return;
    throw fieldRefusal('general.merchant_callback_url', `Callbacks may not go to this URL: ${verdict.reason}`);
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
      if (error instanceof ScenarioError) throw fieldRefusal('scenario', error.message);
      throw error;
    }
    // Only a scenario picked by name gets here: the loader keeps matching rules of this outcome to the Payment Page.
    if (plan.outcome === 'awaiting customer' && (kind !== 'sale' || request.interface !== 'payment_page' || this.deps.rules.method(request.methodCode).family !== 'wallet')) {
      throw fieldRefusal('scenario', `Scenario "${plan.name}" needs a wallet sale on the Payment Page, where the customer can try again`);
    }
    return plan;
  }

  /**
   * A sale waits for the customer unless its scenario decides; a payout has no customer step. An `awaiting
   * customer` scenario also waits: the wallet declines the customer's Pay (customerAction). Nothing is scheduled
   * when the scenario leaves it to the customer or the limit time.
   */
  private async scheduleOutcome(tx: Repositories, payment: Payment, plan: ScenarioPlan, kind: OperationKind): Promise<void> {
    const status = plan.outcome === 'customer' ? (kind === 'sale' ? undefined : 'success') : FINAL_STATUSES.has(plan.outcome as FinalStatus) ? plan.outcome as FinalStatus : undefined;
    if (status === undefined) return;
    const dueAt = plan.delay === 'base_time' ? payment.baseDueAt : payment.createdAt + plan.delay * 1000;
    const outcome = this.deps.outcomes.of(status, status === 'success' ? undefined : plan.code);
    await tx.jobs.put({ kind: 'outcome', ref: payment.rowId, dueAt, projectId: payment.projectId, paymentRowId: payment.rowId, payload: JSON.stringify(outcome) });
  }

  /** The method's amount limits, the project's frequency limits and the payout precondition, in that order. */
  private async limitDecline(
    tx: Repositories, request: PaymentRequest, rules: OperationRules, kind: OperationKind, method: PaymentMethod, converted: Money,
  ): Promise<Outcome | undefined> {
    const { outcomes } = this.deps;
    const amountOutside = converted.amount < rules.min_amount || converted.amount > rules.max_amount;
    if (amountOutside && request.skipAmountLimits !== true) return outcomes.of('decline', method.decline_codes.limit_decline);
    const projectId = request.project.projectId;
    const customerId = String(request.customer.id ?? '');
    if (request.project.frequencyLimits.length > 0) await tx.payments.lockCustomer(projectId, customerId);
    const now = this.deps.clock.now(projectId);
    const type = kind === 'sale' ? 'purchase' : 'payout';
    for (const limit of request.project.frequencyLimits) {
      if (limit.method !== undefined && limit.method !== method.code) continue;
      if (limit.operation !== undefined && limit.operation !== kind) continue;
      const since = now - limit.window_seconds * 1000;
      const recent = await tx.payments.countRecent(projectId, customerId, since, limit.method, limit.operation === undefined ? undefined : type);
      if (recent >= limit.max) return outcomes.of('decline', method.decline_codes.limit_decline);
    }
    const sources = kind === 'payout' ? method.payout_requires_purchase_with ?? [] : [];
    if (sources.length > 0 && !(await tx.payments.hasSuccessfulPurchase(projectId, customerId, sources))) {
      return outcomes.of('decline', method.decline_codes.no_eligible_purchase);
    }
    return undefined;
  }

  /** Applies a final outcome to a payment still in progress; refused with 3060 when it is already final. */
  complete(rowId: number, outcome: Outcome): Promise<Payment> {
    return this.act(rowId, 'force', () => ({ outcome }));
  }

  /**
   * Applies `action` to a payment under its lock; `decide` chooses what the action carries from the payment and
   * its operations as they are then. The callback URL is found before the unit of work begins.
   */
  private async act(
    rowId: number, action: PaymentAction,
    decide: (payment: Payment, operations: Operation[]) => { outcome?: Outcome; refusal?: string; account?: Record<string, unknown> },
  ): Promise<Payment> {
    const found = await this.deps.storage.read.payments.findByRowId(rowId);
    if (found === undefined) throw new Refusal('payment-not-found');
    const callbackUrl = await this.callbackUrlOf(found);
    const method = this.deps.rules.method(found.method);
    return this.deps.storage.transact(async (tx) => {
      const payment = await tx.payments.lock(rowId);
      if (payment === undefined) throw new Refusal('payment-not-found');
      const operations = await tx.operations.ofPayment(payment.rowId);
      const { outcome, refusal, account } = decide(payment, operations);
      // The refusal comes before any change: a payment already final keeps its account as it was.
      this.deps.machine.transition(method.family, payment, action, refusal);
      if (account !== undefined) {
        payment.account = { ...payment.account, ...account };
        await tx.payments.updateAccount(payment.rowId, payment.account);
      }
      const redirect = action === 'try-again' ? { redirect_data: this.deps.links.redirectDataFor(payment) } : undefined;
      await this.deps.steps.apply(tx, payment, action, {
        method, callbackUrl, operations, ...(outcome === undefined ? {} : { outcome }), ...(refusal === undefined ? {} : { refusal }), ...(redirect === undefined ? {} : { prescription: redirect }),
      });
      return payment;
    });
  }

  private async callbackUrlOf(payment: Payment): Promise<string | undefined> {
    return payment.callbackUrl ?? (await this.deps.projects.find(payment.projectId))?.callbackUrl;
  }

  /**
   * The customer's choice at the wallet checkout; Cancel and Decline decline with the method's codes. Under a
   * "try again" scenario the wallet declines the first Pay attempts, and the payment awaits the customer.
   */
  async customerAction(token: string, action: CustomerAction, mobileNumber: string | undefined): Promise<Payment> {
    const payment = await this.deps.storage.read.payments.findByCheckoutToken(token);
    if (payment === undefined) throw new Refusal('payment-not-found');
    const codes = this.deps.rules.method(payment.method).decline_codes;
    const { outcomes } = this.deps;
    return this.act(payment.rowId, 'customer', (current, operations) => {
      const refusal = current.status === 'awaiting customer' ? 'The wallet declined this attempt; try again on the Payment Page' : undefined;
      const account = mobileNumber === undefined ? undefined : { number: mobileNumber };
      if (action !== 'pay') return { outcome: outcomes.of('decline', action === 'cancel' ? codes.customer_cancel : codes.customer_decline), refusal, account };
      const tryAgain = current.extras.try_again as TryAgain | undefined;
      const outcome = tryAgain !== undefined && operations.length <= tryAgain.declined_attempts ? outcomes.of('awaiting customer', tryAgain.code) : outcomes.of('success');
      return { outcome, refusal, account };
    });
  }

  /**
   * "Try again" on the Payment Page: a payment awaiting the customer opens a new attempt — a new sale operation
   * and its redirect callback — and the customer goes back to the wallet. Pressed twice, the attempt already
   * open is the answer; a final payment is refused with 3060.
   */
  async tryAgain(token: string): Promise<Payment> {
    const found = await this.deps.storage.read.payments.findByCheckoutToken(token);
    if (found === undefined) throw new Refusal('payment-not-found', [{ field: 'tokenid', message: 'No such payment' }]);
    if (found.status === 'awaiting redirect result') return found;
    try {
      return await this.act(found.rowId, 'try-again', (current) => ({ refusal: `The payment is ${current.status}; it takes no further attempt` }));
    } catch (error) {
      // Pressed twice at once: the other press opened the attempt.
      const now = await this.deps.storage.read.payments.findByRowId(found.rowId);
      if (error instanceof Refusal && now?.status === 'awaiting redirect result') return now;
      throw error;
    }
  }

  /**
   * A timer's outcome, applied under the payment's lock: a payment already final (completed meanwhile, here or
   * on another instance) just loses its timer. The timer row goes in the same transaction as the outcome, so a
   * crash in between leaves it to run again rather than a payment stuck in progress.
   */
  private async runTimer(job: Job, outcomeFor: (payment: Payment) => Outcome): Promise<void> {
    const found = await this.deps.storage.read.payments.findByRowId(job.ref);
    const callbackUrl = found === undefined ? undefined : await this.callbackUrlOf(found);
    await this.deps.storage.transact(async (tx) => {
      const payment = await tx.payments.lock(job.ref);
      const method = payment === undefined ? undefined : this.deps.rules.method(payment.method);
      if (payment === undefined || method === undefined || !this.deps.machine.accepts(method.family, payment.status, 'decide')) {
        if (job.kind === 'outcome') await tx.jobs.remove('outcome', job.ref);
        return;
      }
      await this.deps.steps.apply(tx, payment, 'decide', { method, callbackUrl, outcome: outcomeFor(payment) });
    });
  }

  /** At the limit time: the method's time-out, or for a card still in 3-D Secure "Customer has not returned from ACS" (D10). */
  readonly runLimitTimer = (job: Job): Promise<void> => this.runTimer(job, (payment) => {
    const method = this.deps.rules.method(payment.method);
    const code = payment.status === 'awaiting 3ds result' ? method.card_codes?.threeds_timeout
      : payment.status === 'awaiting clarification' ? method.card_codes?.clarification_timeout : undefined;
    return this.deps.outcomes.of('decline', code ?? method.decline_codes.auto_decline);
  });

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
