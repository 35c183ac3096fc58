// Reading payments: by id or checkout token, the signed status answer (docs/protocol-notes.md §2.6), a tool's full report
// of a payment, the refusal of a refund by payment id, and the e-mails the wallet sent.
import { buildStatusBody } from '../callbacks/callback-body.js';
import type { CallbackDispatcher } from '../callbacks/callback-dispatcher.js';
import { fieldRefusal } from '../errors.js';
import type { MethodRules } from './method-rules.js';
import type { Mail, MailFilter, Operation, Payment, Project } from '../model.js';
import type { PageLinks } from './page-links.js';
import { paymentReport, type PaymentFacts } from '../reports/payment-report.js';
import type { Storage } from '../ports.js';
import { withSignature } from '../../signature/signer.js';

export interface LookupDeps { storage: Storage; rules: MethodRules; links: PageLinks; dispatcher: CallbackDispatcher }

export class PaymentLookup {
  constructor(private readonly deps: LookupDeps) {}

  find(projectId: number, paymentId: string): Promise<Payment | undefined> {
    return this.deps.storage.read.payments.find(projectId, paymentId);
  }

  findByCheckoutToken(token: string): Promise<Payment | undefined> {
    return this.deps.storage.read.payments.findByCheckoutToken(token);
  }

  /** A payment named by a tool's URL (`/{project_id}/{payment_id}`), or the 3061 refusal. */
  async require(projectParam: string, paymentId: string): Promise<Payment> {
    const projectId = Number(projectParam);
    const payment = Number.isSafeInteger(projectId) ? await this.find(projectId, paymentId) : undefined;
    if (payment === undefined) throw fieldRefusal('payment_id', `No payment "${paymentId}" in project ${projectParam}`, 'payment-not-found');
    return payment;
  }

  operationsOf(payment: Payment): Promise<Operation[]> {
    return this.deps.storage.read.operations.ofPayment(payment.rowId);
  }

  /** The signed status answer. */
  async status(project: Project, paymentId: string): Promise<Record<string, unknown>> {
    const payment = await this.find(project.projectId, paymentId);
    if (payment === undefined) {
      throw fieldRefusal('general.payment_id', `No payment "${paymentId}" in project ${project.projectId}`, 'payment-not-found');
    }
    return this.signedStatus(project, payment);
  }

  /** The signed status answer of the payment a request id belongs to (status/request, docs/card-protocol.md D19). */
  async statusOfRequest(project: Project, requestId: string): Promise<Record<string, unknown>> {
    const rowId = await this.deps.storage.read.operations.paymentOfRequest(project.projectId, requestId);
    const payment = rowId === undefined ? undefined : await this.deps.storage.read.payments.findByRowId(rowId);
    if (payment === undefined) throw fieldRefusal('request_id', `No request "${requestId}" in project ${project.projectId}`, 'payment-not-found');
    return this.signedStatus(project, payment);
  }

  private async signedStatus(project: Project, payment: Payment): Promise<Record<string, unknown>> {
    const prescription = payment.status === 'awaiting redirect result' ? { redirect_data: this.deps.links.redirectDataFor(payment) } : undefined;
    const body = buildStatusBody(payment, await this.operationsOf(payment), this.deps.rules.method(payment.method), prescription);
    return withSignature(body, project.secretKey);
  }

  /** A refund of a payment by its id (`POST /v2/payment/refund`): unknown payment 3061, else refused by its method. */
  async refuseRefundOf(project: Project, paymentId: string): Promise<never> {
    const payment = await this.find(project.projectId, paymentId);
    if (payment === undefined) throw fieldRefusal('general.payment_id', `No payment "${paymentId}"`, 'payment-not-found');
    return this.deps.rules.refuseRefund(payment.method);
  }

  async facts(payment: Payment): Promise<PaymentFacts> {
    const { read } = this.deps.storage;
    const callbacks = await this.deps.dispatcher.ofPayment(payment.rowId);
    return {
      payment,
      operations: await this.operationsOf(payment),
      callbacks: await Promise.all(callbacks.map(async (callback) => ({ callback, attempts: await this.deps.dispatcher.attemptsOf(callback.id) }))),
      limitJob: await read.jobs.find('limit', payment.rowId),
      outcomeJob: await read.jobs.find('outcome', payment.rowId),
    };
  }

  /** A payment with its operations, callbacks and every attempt, and its pending timers. */
  async report(payment: Payment, extra: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    return paymentReport(await this.facts(payment), extra);
  }

  mail(filter: MailFilter): Promise<Mail[]> {
    return this.deps.storage.read.mail.list(filter);
  }
}
