// Every tool action, once: force an outcome, capture, cancel or refund a card payment, replay a callback, move the
// clock, make a payout or a batch of them, run the conformance kit, reset, create a project, cancel a saved card.
// Each checks what the caller may touch, writes the audit entry, and on a manual clock answers only once the work
// it made due has run. The control API and the dashboard are two renderings of these.
import type { CallbackDispatcher } from '../callbacks/callback-dispatcher.js';
import type { ClockControl } from '../clock/clock-control.js';
import type { Clock } from '../clock/clock.js';
import type { Scheduler } from '../clock/scheduler.js';
import { Refusal } from '../errors.js';
import type { CallbackRecord, ConformanceRun, Outcome, Payment, Project, RecurringRegistration } from '../model.js';
import type { Storage } from '../ports.js';
import type { AmountRequest, CardPayments, RefundRequest } from '../payments/card-payments.js';
import type { PaymentLifecycle, PaymentRequest } from '../payments/payment-lifecycle.js';
import type { PaymentLookup } from '../payments/payment-lookup.js';
import type { PayoutBatches, RowError } from '../payments/payout-batches.js';
import type { CardRecurring } from '../payments/card-recurring.js';
import type { CreatedProject, NewProjectRequest, ProjectDirectory } from '../projects/project-directory.js';
import { actorOf, Scope, type Caller } from './access-scope.js';
import type { AuditTrail } from './audit-trail.js';
import type { ConformanceRequest, MerchantConformance } from './merchant-conformance.js';

export interface ToolsDeps {
  storage: Storage;
  clock: Clock;
  clockControl: ClockControl;
  scheduler: Scheduler;
  lifecycle: PaymentLifecycle;
  cards: CardPayments;
  lookup: PaymentLookup;
  callbacks: CallbackDispatcher;
  projects: ProjectDirectory;
  batches: PayoutBatches;
  conformance: MerchantConformance;
  audit: AuditTrail;
  recurring: CardRecurring;
}

/** A move of the clock: by seconds, or to a date; of one project's clock, or (none given) of every clock. */
export type ClockMove = { seconds: number; projectId?: number } | { to: number; projectId?: number };

export class SandboxTools {
  constructor(private readonly deps: ToolsDeps) {}

  scope(caller: Caller): Scope {
    return new Scope(caller);
  }

  private audit(caller: Caller, action: string, projectId: number | undefined, details: Record<string, unknown> = {}): Promise<void> {
    return this.deps.audit.record(actorOf(caller), action, projectId, details);
  }

  /** On a manual clock a tool's action answers once the payment's work that fell due has run (its callbacks included). */
  private async settle(projectId: number, paymentRowId: number): Promise<void> {
    if (this.deps.clock.mode !== 'manual') return;
    await this.deps.scheduler.runDue(this.deps.clock.now(projectId), { paymentRowId });
  }

  /**
   * A payment a tool names by project and payment id. The scope comes first: another project's payment is refused
   * the same way whether it exists or not.
   */
  async payment(caller: Caller, projectParam: string, paymentId: string): Promise<Payment> {
    this.scope(caller).own(Number(projectParam));
    return this.deps.lookup.require(projectParam, paymentId);
  }

  /** Ends a payment in progress with the outcome `choose` picks for it. */
  async forceOutcome(caller: Caller, projectParam: string, paymentId: string, choose: (payment: Payment) => Outcome): Promise<Payment> {
    const payment = await this.payment(caller, projectParam, paymentId);
    const outcome = choose(payment);
    const completed = await this.deps.lifecycle.complete(payment.rowId, outcome);
    await this.audit(caller, 'payment.complete', payment.projectId, { payment_id: payment.paymentId, status: outcome.status, code: outcome.code });
    await this.settle(completed.projectId, completed.rowId);
    return completed;
  }

  /** Debits a card payment's hold: all of it (no amount), or part, the rest released (docs/card-protocol.md D5). */
  capture(caller: Caller, projectParam: string, paymentId: string, request: AmountRequest): Promise<Payment> {
    return this.cardAction(caller, projectParam, paymentId, 'capture', request, (project) => this.deps.cards.capture(project, paymentId, request));
  }

  /** Releases a card payment's hold: all of it (no amount), or part, which lowers the hold. */
  cancel(caller: Caller, projectParam: string, paymentId: string, request: AmountRequest): Promise<Payment> {
    return this.cardAction(caller, projectParam, paymentId, 'cancel', request, (project) => this.deps.cards.cancel(project, paymentId, request));
  }

  /** Refunds part or all of what a card payment debited; more than is left is accepted and declined (903). */
  refund(caller: Caller, projectParam: string, paymentId: string, request: RefundRequest): Promise<Payment> {
    return this.cardAction(caller, projectParam, paymentId, 'refund', request, (project) => this.deps.cards.refund(project, paymentId, request));
  }

  /**
   * An order action on a card payment, as the shop would make it through the Gate: the card service refuses
   * what the payment's status or amounts do not allow, with the platform's codes. Resolves the payment as it
   * stands once its callback has gone out.
   */
  private async cardAction(
    caller: Caller, projectParam: string, paymentId: string, action: 'capture' | 'cancel' | 'refund', request: RefundRequest,
    run: (project: Project) => Promise<{ requestId: string }>,
  ): Promise<Payment> {
    const payment = await this.payment(caller, projectParam, paymentId);
    const project = await this.deps.projects.find(payment.projectId);
    if (project === undefined) throw new Refusal('unknown-project', [{ field: 'project_id', message: `Project ${payment.projectId} is not configured in this sandbox` }]);
    const { requestId } = await run(project);
    await this.audit(caller, `payment.${action}`, payment.projectId, {
      payment_id: payment.paymentId,
      request_id: requestId,
      amount: request.amount ?? 'whole hold',
      ...(request.currency === undefined ? {} : { currency: request.currency }),
      ...(request.merchantRefundId === undefined ? {} : { merchant_refund_id: request.merchantRefundId }),
    });
    await this.settle(payment.projectId, payment.rowId);
    return this.deps.lookup.require(String(payment.projectId), payment.paymentId);
  }

  /** Sends a callback's signed body again as a new delivery; resolves the new callback as it stands once settled. */
  async replay(caller: Caller, idParam: string): Promise<CallbackRecord | undefined> {
    const id = Number(idParam);
    const original = Number.isSafeInteger(id) ? await this.deps.callbacks.find(id) : undefined;
    if (original === undefined) throw new Refusal('payment-not-found', [{ field: 'id', message: `No callback ${idParam}` }]);
    this.scope(caller).own(original.projectId, 'id');
    const replay = await this.deps.callbacks.replay(id);
    await this.audit(caller, 'callback.replay', original.projectId, { callback_id: id, payment_id: original.paymentId, replay_id: replay.id });
    await this.settle(replay.projectId, replay.paymentRowId);
    return this.deps.callbacks.find(replay.id);
  }

  /** A project a tool names for its clock: it must exist (its clock is created with it). */
  async clockProject(caller: Caller, asked: number | undefined): Promise<number | undefined> {
    const projectId = this.scope(caller).target(asked);
    if (projectId !== undefined && (await this.deps.projects.find(projectId)) === undefined) {
      throw new Refusal('unknown-project', [{ field: 'project_id', message: `Project ${projectId} is not configured in this sandbox` }]);
    }
    return projectId;
  }

  /** Moves a manual clock; a project's token moves its own clock, the admin's every clock unless it names one. */
  async moveClock(caller: Caller, move: ClockMove): Promise<Record<string, unknown>> {
    const projectId = await this.clockProject(caller, move.projectId);
    const { clockControl } = this.deps;
    if ('seconds' in move) await clockControl.advanceBy(move.seconds, projectId);
    else await clockControl.advanceTo(move.to, projectId);
    await this.audit(caller, 'seconds' in move ? 'clock.advance' : 'clock.set', projectId, 'seconds' in move ? { seconds: move.seconds } : { to: new Date(move.to).toISOString() });
    return clockControl.report(projectId);
  }

  /** Clears payments, callbacks, inbox, mail, batches, conformance reports and timers, of every project or of one. */
  async reset(caller: Caller, asked: number | undefined): Promise<number | undefined> {
    const projectId = this.scope(caller).target(asked);
    await this.deps.storage.transact(async (tx) => {
      await tx.jobs.deleteAll(projectId);
      await tx.callbacks.deleteAll(projectId);
      await tx.mail.deleteAll(projectId);
      await tx.recurring.deleteAll(projectId);
      await tx.batches.deleteAll(projectId);
      await tx.conformanceRuns.deleteAll(projectId);
      await tx.payments.deleteAll(projectId);
      await tx.projects.recountStoredPayments(projectId);
    });
    await this.audit(caller, 'reset', projectId);
    return projectId;
  }

  /** A project with its own control token; only the admin may give it quotas above the defaults. */
  async createProject(caller: Caller | undefined, request: NewProjectRequest): Promise<CreatedProject> {
    const created = await this.deps.projects.create(request, caller?.kind === 'admin');
    await this.deps.audit.record(actorOf(caller), 'project.create', created.project.projectId, {});
    return created;
  }

  /** A single payout a person made in the dashboard, checked as the Gate checks one. */
  async makePayout(caller: Caller, request: PaymentRequest): Promise<Payment | undefined> {
    this.scope(caller).own(request.project.projectId);
    await this.deps.lifecycle.startPayout(request);
    await this.audit(caller, 'payout.create', request.project.projectId, { payment_id: request.paymentId });
    const created = await this.deps.lookup.find(request.project.projectId, request.paymentId);
    if (created !== undefined) await this.settle(created.projectId, created.rowId);
    return created;
  }

  /** A CSV of payouts: the rows' errors, and the batch of the valid rows when there is one. */
  async uploadBatch(caller: Caller, project: Project, fileName: string, csv: string): Promise<{ batchId: number | undefined; errors: RowError[]; accepted: number }> {
    this.scope(caller).own(project.projectId);
    const result = await this.deps.batches.upload(project, fileName, csv);
    if (result.batchId !== undefined) await this.audit(caller, 'batch.upload', project.projectId, { batch_id: result.batchId, file_name: fileName, accepted: result.accepted });
    return result;
  }

  /** Runs the merchant conformance kit for one of the caller's projects and keeps the report. */
  async runConformance(caller: Caller, request: ConformanceRequest): Promise<ConformanceRun> {
    this.scope(caller).own(request.projectId);
    const run = await this.deps.conformance.run(request);
    await this.audit(caller, 'conformance.run', run.projectId, { run_id: run.id, passed: run.passed, failed: run.failed });
    return run;
  }

  /** Cancels a saved card as the merchant would, or as the customer would at the issuer (D18): its debits then decline. */
  async cancelSavedCard(caller: Caller, projectParam: string, idParam: string, by: 'merchant' | 'issuer'): Promise<RecurringRegistration> {
    const projectId = Number(projectParam);
    this.scope(caller).own(projectId);
    const project = await this.deps.projects.find(projectId);
    if (project === undefined) throw new Refusal('unknown-project', [{ field: 'project_id', message: `Project ${projectParam} is not configured in this sandbox` }]);
    const id = Number(idParam);
    if (!Number.isSafeInteger(id)) throw new Refusal('recurring-not-found', [{ field: 'recurring.id', message: `No saved card ${idParam}` }]);
    const cancelled = await this.deps.recurring.cancel(project, id, by);
    await this.audit(caller, 'recurring.cancel', projectId, { recurring_id: id, by });
    return cancelled;
  }

  /** A kept conformance report the caller may see. */
  async conformanceRun(caller: Caller, idParam: string): Promise<ConformanceRun> {
    const run = await this.deps.conformance.require(idParam);
    this.scope(caller).own(run.projectId, 'id');
    return run;
  }
}
