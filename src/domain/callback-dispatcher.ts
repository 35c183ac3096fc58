// The callback outbox: callbacks are rows written with the state change that caused them, then delivered on
// the sandbox clock with ECommPay's retry schedule. Each attempt is recorded; delivery counts only on HTTP 200.
// Callbacks of one payment go out in order: a later one waits while an earlier one is still being retried.
import type { Clock } from './clock.js';
import type { CallbackKind, CallbackRecord, Job, Payment } from './model.js';
import type { CallbackTransport, DeliveryResult } from './ports.js';
import type { CallbackFaults } from './scenarios.js';
import { nextAttemptAt } from './retry-policy.js';
import type { CallbacksStore } from '../storage/callbacks-store.js';
import type { JobsStore } from '../storage/jobs-store.js';

export const INBOX_URL = 'sandbox:inbox';

export interface DispatcherOptions { timeoutMs: number; resolveProjectUrl: (projectId: number) => string | undefined }

interface PendingRecord { callback: CallbackRecord; at: number; result: DeliveryResult; resolve: () => void; reject: (error: unknown) => void }

export class CallbackDispatcher {
  private pendingRecords: PendingRecord[] = [];

  constructor(
    private readonly callbacks: CallbacksStore,
    private readonly jobs: JobsStore,
    private readonly clock: Clock,
    private readonly transport: CallbackTransport,
    private readonly options: DispatcherOptions,
    private readonly runInTransaction: <T>(work: () => T) => T,
  ) {}

  /** Where a payment's callbacks go: its own URL, else the project's, else the built-in inbox. */
  targetOf(payment: Payment): string | undefined {
    return payment.callbackUrl ?? this.options.resolveProjectUrl(payment.projectId);
  }

  /** Must run inside the transaction that changes the payment. Returns the callback id. */
  enqueue(payment: Payment, signedBody: string, kind: CallbackKind, faults: CallbackFaults = {}): number {
    const now = this.clock.now();
    const queued = this.callbacks.hasPending(payment.rowId);
    const dueAt = now + payment.callbackDelaySeconds * 1000;
    const id = this.callbacks.insert({
      projectId: payment.projectId,
      paymentId: payment.paymentId,
      paymentRowId: payment.rowId,
      kind,
      url: this.targetOf(payment),
      body: signedBody,
      state: queued ? 'queued' : 'scheduled',
      createdAt: now,
      nextAttemptAt: queued ? undefined : dueAt,
      replayOf: undefined,
      faults,
    });
    if (!queued) this.jobs.put('callback', id, dueAt, payment.projectId);
    return id;
  }

  /** Sends the same signed body again as a new delivery with its own attempts. */
  replay(original: CallbackRecord): number {
    return this.runInTransaction(() => this.insertCopy(original));
  }

  private insertCopy(original: CallbackRecord): number {
    const now = this.clock.now();
    const id = this.callbacks.insert({
      ...original,
      kind: 'replay',
      state: 'scheduled',
      createdAt: now,
      nextAttemptAt: now,
      replayOf: original.id,
      faults: {},
    });
    this.jobs.put('callback', id, now, original.projectId);
    return id;
  }

  readonly deliver = async (job: Job): Promise<void> => {
    const callback = this.callbacks.find(job.ref);
    if (callback === undefined || callback.state !== 'scheduled') {
      this.jobs.remove('callback', job.ref);
      return;
    }
    const at = this.clock.now();
    await this.record(callback, at, await this.attempt(callback));
  };

  private async attempt(callback: CallbackRecord): Promise<DeliveryResult> {
    if (callback.faults.never === true) {
      return { httpStatus: undefined, error: 'not sent: scenario "never deliver"', latencyMs: 0, responseExcerpt: '' };
    }
    const result = callback.url === undefined ? inboxResult() : await this.transport.post(callback.url, callback.body, this.options.timeoutMs);
    const failFirst = callback.faults.fail_first;
    if (failFirst !== undefined && callback.attempts < failFirst.count && result.httpStatus === 200) {
      const status = failFirst.status ?? 500;
      return { ...result, httpStatus: status, error: `scenario: the receiver's 200 was counted as HTTP ${status} (attempt ${callback.attempts + 1} of ${failFirst.count})` };
    }
    return result;
  }

  /**
   * Attempts finishing in the same tick are recorded in one transaction (group commit). A crash before the
   * commit leaves the job in place, so the callback is sent again: delivery is at least once.
   */
  private record(callback: CallbackRecord, at: number, result: DeliveryResult): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pendingRecords.push({ callback, at, result, resolve, reject });
      if (this.pendingRecords.length === 1) setImmediate(() => this.flushRecords());
    });
  }

  private flushRecords(): void {
    const batch = this.pendingRecords;
    this.pendingRecords = [];
    try {
      this.runInTransaction(() => {
        for (const { callback, at, result } of batch) this.applyAttempt(callback, at, result);
      });
      for (const entry of batch) entry.resolve();
    } catch (error) {
      for (const entry of batch) entry.reject(error);
    }
  }

  private applyAttempt(callback: CallbackRecord, at: number, result: DeliveryResult): void {
    const number = callback.attempts + 1;
    const delivered = result.httpStatus === 200;
    const next = delivered || callback.faults.never === true ? undefined : nextAttemptAt(callback.firstAttemptAt ?? at, at, number);
    const state = delivered ? 'delivered' : next === undefined ? 'failed' : 'scheduled';
    if (callback.url === undefined && delivered) this.callbacks.addToInbox(callback, at);
    if (delivered && callback.faults.duplicate === true) this.insertCopy(callback);
    this.callbacks.recordAttempt(
      { callbackId: callback.id, number, at, url: callback.url ?? INBOX_URL, ...result },
      { state, nextAttemptAt: next, deliveredAt: delivered ? at : undefined },
    );
    if (next !== undefined) {
      this.jobs.put('callback', callback.id, next, callback.projectId);
      return;
    }
    this.jobs.remove('callback', callback.id);
    if (callback.kind !== 'replay') this.releaseNext(callback.paymentRowId);
  }

  private releaseNext(paymentRowId: number): void {
    const next = this.callbacks.nextQueued(paymentRowId);
    if (next === undefined) return;
    const dueAt = Math.max(this.clock.now(), next.createdAt);
    this.callbacks.schedule(next.id, dueAt);
    this.jobs.put('callback', next.id, dueAt, next.projectId);
  }
}

function inboxResult(): DeliveryResult {
  return { httpStatus: 200, error: undefined, latencyMs: 0, responseExcerpt: 'stored in the sandbox inbox' };
}
