// The payment lifecycle (method card + DESIGN.md "Lifecycle and time"): sales wait for the customer at the
// wallet's checkout, payouts go from processing to a final result; limits, eligibility and limit-time timers
// apply on the sandbox clock. Every state change and its callback are committed in one transaction.
import type { Clock } from './clock.js';
import { buildCallbackBody, buildStatusBody, type RedirectData } from './callback-body.js';
import type { CallbackDispatcher } from './callback-dispatcher.js';
import { AWAITING_CODE, GENERAL_DECLINE_CODE, SUCCESS_CODE, codeMessage, isKnownCode } from './codes.js';
import type { CurrencyConverter } from './currency-converter.js';
import { Refusal, fieldRefusal } from './errors.js';
import { IdSource } from './id-source.js';
import type { Interface, MethodCatalogue, OperationKind, OperationRules, PaymentMethod } from './methods.js';
import { FINAL_STATUSES, type Job, type Money, type Operation, type Outcome, type Payment, type PaymentStatus } from './model.js';
import { withSignature } from '../signature/signer.js';
import type { PaymentsStore } from '../storage/payments-store.js';
import type { JobsStore } from '../storage/jobs-store.js';
import type { Project } from '../storage/projects-store.js';
import type { MailStore } from '../storage/mail-store.js';
import { resultMail } from './customer-mail.js';
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

export type { Outcome };

export type CustomerAction = 'pay' | 'decline' | 'cancel';


/** An outcome asked for by a tool (control API): the code must be in ECommPay's table and fit the status. */
export function requestedOutcome(status: 'success' | 'decline', code: string | undefined): Outcome {
  if (code !== undefined && !isKnownCode(code)) throw fieldRefusal('code', `Code ${code} is not in ECommPay's code table`);
  if (status === 'success' && code !== undefined && code !== SUCCESS_CODE) throw fieldRefusal('code', 'A success carries code 0');
  return outcomeOf(status, code);
}

export function outcomeOf(status: 'success' | 'decline', code?: string): Outcome {
  const resolved = code ?? (status === 'success' ? SUCCESS_CODE : GENERAL_DECLINE_CODE);
  return { status, code: resolved, message: codeMessage(resolved) };
}

export class PaymentService {
  private lastOperationId: number | undefined;

  constructor(
    private readonly payments: PaymentsStore,
    private readonly jobs: JobsStore,
    private readonly dispatcher: CallbackDispatcher,
    private readonly methods: MethodCatalogue,
    private readonly converter: CurrencyConverter,
    private readonly ids: IdSource,
    private readonly clock: Clock,
    private readonly publicUrl: string,
    private readonly scenarios: ScenarioCatalogue,
    private readonly mail: MailStore,
    private readonly findProject: (projectId: number) => Project | undefined,
    private readonly runInTransaction: <T>(work: () => T) => T,
    private readonly commitGrouped: <T>(work: () => T) => Promise<T>,
    private readonly onCommitted: () => void,
  ) {}

  methodFor(code: string, operation: OperationKind): { method: PaymentMethod; rules: OperationRules } {
    const method = this.methods.find(code);
    if (method === undefined) throw new Refusal('unknown-method', [{ field: 'method', message: `No payment method "${code}"` }]);
    const rules = method.operations[operation];
    if (rules === undefined) {
      throw new Refusal('operation-not-supported', [{ field: 'method', message: `${method.title} does not support ${operation}` }]);
    }
    return { method, rules };
  }

  /** Refunds: no method of this sandbox supports them, as the method card says for PayMaya. */
  refuseRefund(methodCode: string): never {
    const method = this.methods.find(methodCode);
    if (method === undefined) throw new Refusal('unknown-method', [{ field: 'method', message: `No payment method "${methodCode}"` }]);
    throw new Refusal('operation-not-supported', [{ field: 'method', message: `${method.title} does not support refunds` }]);
  }

  /** A refund of a payment by its id (`POST /v2/payment/refund`): unknown payment 3061, else refused by its method. */
  refuseRefundOf(project: Project, paymentId: string): never {
    const payment = this.payments.find(project.projectId, paymentId);
    if (payment === undefined) throw fieldRefusal('general.payment_id', `No payment "${paymentId}"`, 'payment-not-found');
    return this.refuseRefund(payment.method);
  }

  /** A payment named by a tool's URL (`/{project_id}/{payment_id}`), or the 3061 refusal. */
  requirePayment(projectParam: string, paymentId: string): Payment {
    const projectId = Number(projectParam);
    const payment = Number.isSafeInteger(projectId) ? this.payments.find(projectId, paymentId) : undefined;
    if (payment === undefined) throw fieldRefusal('payment_id', `No payment "${paymentId}" in project ${projectParam}`, 'payment-not-found');
    return payment;
  }

  /** The PHP amount of a sum, or the currency refusal (3121 / 3023). */
  convert(sum: Money): Money {
    return this.converter.toPhp(sum);
  }

  /** Checks a payout as start would, without creating it (method, interface, currency, account). */
  checkPayout(request: PaymentRequest): void {
    const { method, rules } = this.methodFor(request.methodCode, 'payout');
    if (!rules.interfaces.includes(request.interface)) {
      throw new Refusal('operation-not-supported', [{ field: 'method', message: `${method.title} payouts are not available through ${request.interface}` }]);
    }
    this.converter.toPhp(request.sum);
    this.checkPayoutAccount(request, method);
  }

  projectOf(projectId: number): Project | undefined {
    return this.findProject(projectId);
  }

  startSale(request: PaymentRequest): Promise<Accepted> {
    return this.start(request, 'sale');
  }

  startPayout(request: PaymentRequest): Promise<Accepted> {
    return this.start(request, 'payout');
  }

  /** Answers once the payment, its operation, its callback and its timers are committed (group commit). */
  private async start(request: PaymentRequest, kind: OperationKind): Promise<Accepted> {
    const { method, rules } = this.methodFor(request.methodCode, kind);
    if (!rules.interfaces.includes(request.interface)) {
      throw new Refusal('operation-not-supported', [{ field: 'interface', message: `${method.title} ${kind} is not available through ${request.interface}` }]);
    }
    const converted = this.converter.toPhp(request.sum);
    if (kind === 'payout') this.checkPayoutAccount(request, method);
    const plan = this.planFor(request, kind, converted);
    const projectId = request.project.projectId;
    const accepted = await this.commitGrouped(() => {
      if (this.payments.find(projectId, request.paymentId) !== undefined) {
        throw fieldRefusal('general.payment_id', `Payment ID "${request.paymentId}" already exists in project ${projectId}`, 'duplicate-payment');
      }
      const now = this.clock.now();
      const ids = this.ids.forPayment(projectId, request.paymentId);
      const limitDecline = this.limitDecline(request, rules, kind, method, converted, now);
      const payment = this.payments.insert({
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
        extras: { ...request.extras, scenario: limitDecline === undefined ? plan.name : 'limits', callback_faults: plan.callbacks },
      });
      const operation = this.newOperation(payment, kind, 0, now, ids.requestHex);
      if (limitDecline !== undefined) {
        this.finalize(payment, operation, limitDecline, method, now);
      } else {
        if (kind === 'sale') this.sendCallback(payment, operation, method, 'prescriptive', this.redirectDataFor(payment));
        this.jobs.put('limit', payment.rowId, payment.limitDueAt, projectId);
        this.scheduleOutcome(payment, plan, kind, now);
      }
      return { requestId: operation.requestId, projectId, paymentId: payment.paymentId };
    });
    this.onCommitted();
    return accepted;
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
    try {
      return this.scenarios.choose(context, request.scenario);
    } catch (error) {
      if (error instanceof ScenarioError) throw fieldRefusal('X-Sandbox-Scenario', error.message);
      throw error;
    }
  }

  /** A sale waits for the customer unless its scenario decides; a payout has no customer step. */
  private scheduleOutcome(payment: Payment, plan: ScenarioPlan, kind: OperationKind, now: number): void {
    const status = plan.outcome === 'customer' ? (kind === 'sale' ? undefined : 'success') : plan.outcome === 'no_answer' ? undefined : plan.outcome;
    if (status === undefined) return;
    const dueAt = plan.delay === 'base_time' ? payment.baseDueAt : now + plan.delay * 1000;
    const outcome = status === 'success' ? outcomeOf('success') : outcomeOf('decline', plan.code);
    this.jobs.put('outcome', payment.rowId, dueAt, payment.projectId, JSON.stringify(outcome));
  }

  /** Scenario plans by name, for forcing an outcome from the control API or the dashboard. */
  catalogueOutcome(name: string): Outcome {
    const plan = this.scenarios.find(name);
    if (plan === undefined) throw fieldRefusal('scenario', `No scenario named "${name}"; see GET /_sandbox/scenarios`);
    if (plan.outcome !== 'success' && plan.outcome !== 'decline') {
      throw fieldRefusal('scenario', `Scenario "${name}" has no final outcome (${plan.outcome})`);
    }
    return plan.outcome === 'success' ? outcomeOf('success') : outcomeOf('decline', plan.code);
  }

  private checkPayoutAccount(request: PaymentRequest, method: PaymentMethod): void {
    const number = request.account.number;
    if (method.account_number_pattern !== undefined && (typeof number !== 'string' || !new RegExp(method.account_number_pattern).test(number))) {
      throw fieldRefusal('account.number', `${method.wallet_name} account number must be 11 digits starting with 09`);
    }
    const name = request.account.customer_name;
    if (typeof name !== 'string' || name.trim() === '') throw fieldRefusal('account.customer_name', 'The customer\'s full name is required');
  }

  /** The card's amount limits, the project's frequency limits and the payout precondition, in that order. */
  private limitDecline(request: PaymentRequest, rules: OperationRules, kind: OperationKind, method: PaymentMethod, converted: Money, now: number): Outcome | undefined {
    if (converted.amount < rules.min_amount || converted.amount > rules.max_amount) return outcomeOf('decline', method.decline_codes.limit_decline);
    const projectId = request.project.projectId;
    const customerId = String(request.customer.id ?? '');
    const type = kind === 'sale' ? 'purchase' : 'payout';
    for (const limit of request.project.frequencyLimits) {
      if (limit.method !== undefined && limit.method !== method.code) continue;
      if (limit.operation !== undefined && limit.operation !== kind) continue;
      const since = now - limit.window_seconds * 1000;
      const recent = this.payments.countRecent(projectId, customerId, since, limit.method, limit.operation === undefined ? undefined : type);
      if (recent >= limit.max) return outcomeOf('decline', method.decline_codes.limit_decline);
    }
    if (kind === 'payout') {
      const sources = method.payout_requires_purchase_with ?? [];
      if (sources.length > 0 && !this.payments.hasSuccessfulPurchase(projectId, customerId, sources)) {
        return outcomeOf('decline', method.decline_codes.no_eligible_purchase);
      }
    }
    return undefined;
  }

  private newOperation(payment: Payment, kind: OperationKind, index: number, now: number, requestHex: string): Operation {
    this.lastOperationId = Math.max(this.lastOperationId ?? this.payments.maxOperationId() ?? this.ids.operationIdBase(), this.ids.operationIdBase()) + 1;
    const id = this.lastOperationId;
    const operation: Operation = {
      id,
      paymentRowId: payment.rowId,
      index,
      type: kind,
      status: payment.status,
      code: AWAITING_CODE,
      message: codeMessage(AWAITING_CODE),
      requestId: IdSource.requestId(requestHex, index),
      createdAt: now,
      updatedAt: now,
      sumInitial: { ...payment.sum },
      sumConverted: { ...payment.sumConverted },
      providerDate: undefined,
      // The method card's wallet callbacks always carry an empty auth_code.
      authCode: '',
    };
    this.payments.insertOperation(operation);
    return operation;
  }

  /** The wallet checkout for a payment, as a path on this sandbox. */
  checkoutPath(payment: Payment): string {
    return `/paymaya/checkout?tokenid=${payment.checkoutToken}`;
  }

  redirectDataFor(payment: Payment): RedirectData {
    return { method: 'GET', url: `${this.publicUrl}${this.checkoutPath(payment)}`, body: {} };
  }

  private sendCallback(payment: Payment, operation: Operation, method: PaymentMethod, kind: 'prescriptive' | 'final', redirect?: RedirectData): void {
    // force_disable silences informational callbacks only; the redirect callback is needed to go on (§3.1).
    if (kind === 'final' && payment.callbacksDisabled) return;
    const project = this.findProject(payment.projectId);
    if (project === undefined) return;
    const body = withSignature(buildCallbackBody(payment, operation, method, redirect), project.secretKey);
    this.dispatcher.enqueue(payment, JSON.stringify(body), kind, (payment.extras.callback_faults ?? {}) as CallbackFaults);
  }

  private finalize(payment: Payment, operation: Operation, outcome: Outcome, method: PaymentMethod, now: number): void {
    payment.status = outcome.status;
    payment.updatedAt = now;
    operation.status = outcome.status;
    operation.code = outcome.code;
    operation.message = outcome.message;
    operation.updatedAt = now;
    operation.providerDate = now;
    this.payments.updateStatus(payment.rowId, outcome.status, now);
    this.payments.updateOperation(operation);
    this.jobs.remove('limit', payment.rowId);
    this.jobs.remove('outcome', payment.rowId);
    this.sendCallback(payment, operation, method, 'final');
    const email = payment.customer.email;
    if (typeof email === 'string' && email !== '') {
      this.mail.insert({ projectId: payment.projectId, paymentId: payment.paymentId, sentAt: now, to: email, ...resultMail(payment, method, outcome) });
    }
  }

  /** Applies a final outcome to a payment still in progress. */
  complete(payment: Payment, outcome: Outcome, changes: { account?: Record<string, unknown> } = {}): Payment {
    const result = this.runInTransaction(() => {
      const current = this.payments.findByRowId(payment.rowId);
      if (current === undefined) throw new Refusal('payment-not-found');
      if (FINAL_STATUSES.has(current.status)) {
        throw new Refusal('status-forbids-action', [{ field: 'payment.status', message: `The payment is already final (${current.status})` }], {
          status: current.status,
        });
      }
      if (changes.account !== undefined) {
        current.account = { ...current.account, ...changes.account };
        this.payments.updateAccount(current.rowId, current.account);
      }
      const operations = this.payments.operationsOf(current.rowId);
      const operation = operations[operations.length - 1] as Operation;
      const method = this.methods.find(current.method) as PaymentMethod;
      this.finalize(current, operation, outcome, method, this.clock.now());
      return current;
    });
    this.onCommitted();
    return result;
  }

  customerAction(token: string, action: CustomerAction, mobileNumber: string | undefined): Payment {
    const payment = this.payments.findByCheckoutToken(token);
    if (payment === undefined) throw new Refusal('payment-not-found');
    const codes = (this.methods.find(payment.method) as PaymentMethod).decline_codes;
    const outcome = action === 'pay' ? outcomeOf('success') : outcomeOf('decline', action === 'cancel' ? codes.customer_cancel : codes.customer_decline);
    return this.complete(payment, outcome, mobileNumber === undefined ? {} : { account: { number: mobileNumber } });
  }

  findByCheckoutToken(token: string): Payment | undefined {
    return this.payments.findByCheckoutToken(token);
  }

  find(projectId: number, paymentId: string): Payment | undefined {
    return this.payments.find(projectId, paymentId);
  }

  operationsOf(payment: Payment): Operation[] {
    return this.payments.operationsOf(payment.rowId);
  }

  /** The signed status answer (protocol.md §2.6). */
  status(project: Project, paymentId: string): Record<string, unknown> {
    const payment = this.payments.find(project.projectId, paymentId);
    if (payment === undefined) {
      throw fieldRefusal('general.payment_id', `No payment "${paymentId}" in project ${project.projectId}`, 'payment-not-found');
    }
    const method = this.methods.find(payment.method) as PaymentMethod;
    const redirect = payment.status === 'awaiting redirect result' ? this.redirectDataFor(payment) : undefined;
    return withSignature(buildStatusBody(payment, this.payments.operationsOf(payment.rowId), method, redirect), project.secretKey);
  }

  /** Where the customer goes after the wallet checkout: the Payment Page's result view, or the Gate `return_url`. */
  returnUrlFor(payment: Payment): string | undefined {
    if (payment.interface === 'payment_page') return `/payment/result?tokenid=${payment.checkoutToken}`;
    const urls = payment.returnUrl;
    if (payment.status === 'success') return urls.success ?? urls.return;
    if (payment.status === 'decline') return urls.decline ?? urls.return;
    return urls.return;
  }

  // Timer jobs are removed in the same transaction that applies their outcome (finalize), so a crash in
  // between leaves the job to run again rather than a payment stuck in progress.
  readonly runLimitTimer = async (job: Job): Promise<void> => {
    const payment = this.payments.findByRowId(job.ref);
    if (payment === undefined || FINAL_STATUSES.has(payment.status)) this.jobs.remove('limit', job.ref);
    else this.complete(payment, outcomeOf('decline', (this.methods.find(payment.method) as PaymentMethod).decline_codes.auto_decline));
  };

  readonly runOutcome = async (job: Job): Promise<void> => {
    const payment = this.payments.findByRowId(job.ref);
    if (payment === undefined || FINAL_STATUSES.has(payment.status)) this.jobs.remove('outcome', job.ref);
    else this.complete(payment, JSON.parse(job.payload) as Outcome);
  };
}

export function isFinal(status: PaymentStatus): boolean {
  return FINAL_STATUSES.has(status);
}
