// The callback outbox: callbacks are rows written with the state change that caused them, then delivered on
// the sandbox clock with ECommPay's retry schedule. Each attempt is recorded; delivery counts only on HTTP 200.
// Callbacks of one payment go out in order — a later one waits while an earlier one is still being retried —
// unless the payment's delivery order is `any`; the redirect callback may be repeated.
import type { Clock } from '../clock/clock.js';
import { Refusal } from '../errors.js';
import type { CallbackAttempt, CallbackFaults, CallbackFilter, CallbackKind, CallbackRecord, InboxEntry, Job, ListFilter, Payment } from '../model.js';
import { StorageFault, type CallbackTransport, type DeliveryResult, type Repositories, type Storage } from '../ports.js';
import type { ProjectDirectory } from '../projects/project-directory.js';
import type { ListenRelay } from './listen-relay.js';
import { nextAttemptAt } from './retry-policy.js';
import { appendSignature } from '../../signature/signer.js';

export const INBOX_URL = 'sandbox:inbox';

/** How far apart the repeats of a redirect callback leave (the first interval of ECommPay's retry schedule). */
export const REDIRECT_REPEAT_MS = 10_000;

export interface DispatcherDeps {
  storage: Storage;
  clock: Clock;
  transport: CallbackTransport;
  projects: ProjectDirectory;
  timeoutMs: number;
  /** Hands a listened project's callbacks to its listeners (`ecommpay-sandbox listen`). */
  listen?: ListenRelay;
}

/** The first and the longest pause (real ms) between tries at recording an attempt the storage refused. */
const RECORD_RETRY_MS = 50;
const RECORD_RETRY_MAX_MS = 1_000;
/** An attempt's result; `url` when it went elsewhere than the callback's URL (through a listener). */
type AttemptResult = DeliveryResult & { url?: string };

export class CallbackDispatcher {
  private stopped = false;

  constructor(private readonly deps: DispatcherDeps) {}

  /** The sandbox stops: an attempt whose record the storage refuses is given up (it is sent again after a restart). */
  stop(): void {
    this.stopped = true;
  }

  /**
   * Adds a callback inside the transaction that changes the payment (which must hold the payment's lock); a
   * redirect callback is added `repeat_redirect` times, each copy 10 s after the one before. In strict order a
   * callback queues behind any earlier one still pending; a queued one keeps the time it may leave at the
   * earliest. The body is committed without its signature, which is added when it is sent (the same bytes, off
   * the request's path). `fresh`: the payment was created in this transaction, so no earlier callback can be
   * pending. `url`: where the payment's callbacks go (its own URL, else its project's; none: the built-in inbox),
   * found by the caller before the unit of work. Resolves the id of the (first) callback.
   */
  async enqueue(
    tx: Repositories, payment: Payment, unsignedBody: string, kind: CallbackKind, faults: CallbackFaults, target: { url: string | undefined; fresh?: boolean },
  ): Promise<number> {
    const now = this.deps.clock.now(payment.projectId);
    const strict = faults.order !== 'any';
    const copies = kind === 'prescriptive' ? faults.repeat_redirect ?? 1 : 1;
    const { url, fresh = false } = target;
    let pending = strict && !fresh && await tx.callbacks.hasPending(payment.rowId);
    const ids: number[] = [];
    for (let copy = 0; copy < copies; copy++) {
      const queued = strict && pending;
      // A scheduled callback is due work at its next attempt; a queued one waits for the one before it.
      ids.push(await tx.callbacks.insert({
        projectId: payment.projectId,
        paymentId: payment.paymentId,
        paymentRowId: payment.rowId,
        kind,
        url,
        body: unsignedBody,
        signed: false,
        state: queued ? 'queued' : 'scheduled',
        createdAt: now,
        nextAttemptAt: now + payment.callbackDelaySeconds * 1000 + copy * REDIRECT_REPEAT_MS,
        replayOf: undefined,
        faults,
      }));
      pending = true;
    }
    return ids[0] as number;
  }

  /** The body as it is sent: with its signature. */
  private async signedBodyOf(callback: CallbackRecord): Promise<string> {
    if (callback.signed) return callback.body;
    const project = await this.deps.projects.find(callback.projectId);
    if (project === undefined) throw new Refusal('unknown-project', [{ field: 'project_id', message: `Project ${callback.projectId} is gone` }]);
    return appendSignature(callback.body, project.secretKey);
  }

  private async withSignature(callback: CallbackRecord): Promise<CallbackRecord> {
    return callback.signed ? callback : { ...callback, body: await this.signedBodyOf(callback), signed: true };
  }

  /** A callback as a tool shows it: with its signed body. */
  async find(id: number): Promise<CallbackRecord | undefined> {
    const callback = await this.deps.storage.read.callbacks.find(id);
    return callback === undefined ? undefined : this.withSignature(callback);
  }

  async list(filter: CallbackFilter): Promise<CallbackRecord[]> {
    return Promise.all((await this.deps.storage.read.callbacks.list(filter)).map((c) => this.withSignature(c)));
  }

  async ofPayment(paymentRowId: number): Promise<CallbackRecord[]> {
    return Promise.all((await this.deps.storage.read.callbacks.ofPayment(paymentRowId)).map((c) => this.withSignature(c)));
  }

  attemptsOf(callbackId: number): Promise<CallbackAttempt[]> {
    return this.deps.storage.read.callbacks.attemptsOf(callbackId);
  }

  inbox(filter: ListFilter): Promise<InboxEntry[]> {
    return this.deps.storage.read.callbacks.inbox(filter);
  }

  /** Sends the same signed body again as a new delivery with its own attempts; resolves the new callback. */
  async replay(id: number): Promise<CallbackRecord> {
    const original = await this.deps.storage.read.callbacks.find(id);
    if (original === undefined) throw new Refusal('payment-not-found', [{ field: 'id', message: `No callback ${id}` }]);
    const replayId = await this.deps.storage.transact((tx) => this.insertCopy(tx, original));
    return (await this.find(replayId)) as CallbackRecord;
  }

  private async insertCopy(tx: Repositories, original: CallbackRecord): Promise<number> {
    const now = this.deps.clock.now(original.projectId);
    return tx.callbacks.insert({ ...original, kind: 'replay', state: 'scheduled', createdAt: now, nextAttemptAt: now, replayOf: original.id, faults: {} });
  }

  readonly deliver = async (job: Job): Promise<void> => {
    const callback = await this.deps.storage.read.callbacks.find(job.ref);
    // Reset meanwhile, or recorded by another instance after this one's lease ran out.
    if (callback === undefined || callback.state !== 'scheduled') return;
    // Nothing is sent that could not be recorded: while the storage refuses writes, the callback waits.
    const state = this.deps.storage.state();
    if (state !== 'ok') throw new StorageFault(state, 'the callback waits until its attempt can be recorded');
    const body = await this.signedBodyOf(callback);
    const result = await this.attempt(callback, body);
    const at = this.deps.clock.now(callback.projectId);
    await this.recordSurely(callback, body, at, result);
  };

  /**
   * An attempt made is recorded even when the storage refuses writes for a while (a full disk, a database
   * restarting): its outcome is kept here and recorded once writes are taken again, so the callback is not sent
   * twice. Only a sandbox that stops meanwhile gives it up; the callback is then sent again (at least once).
   */
  private async recordSurely(callback: CallbackRecord, body: string, at: number, result: AttemptResult): Promise<void> {
    for (let wait = RECORD_RETRY_MS; ; wait = Math.min(wait * 2, RECORD_RETRY_MAX_MS)) {
      try {
        return await this.deps.storage.transact((tx) => this.record(tx, callback, body, at, result));
      } catch (error) {
        if (!(error instanceof StorageFault) || this.stopped) throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }

  private async attempt(callback: CallbackRecord, body: string): Promise<AttemptResult> {
    if (callback.faults.never === true) {
      return { httpStatus: undefined, error: 'not sent: scenario "never deliver"', latencyMs: 0, responseExcerpt: '' };
    }
    const { listen } = this.deps;
    // A listened project's callbacks go to its listeners whatever their URL: the URL is the developer's machine.
    const result: AttemptResult = listen !== undefined && await listen.listened(callback.projectId)
      ? await listen.forward(callback, body, this.deps.timeoutMs)
      : callback.url === undefined ? inboxResult() : await this.deps.transport.post(callback.url, body, this.deps.timeoutMs);
    const failFirst = callback.faults.fail_first;
    if (failFirst !== undefined && callback.attempts < failFirst.count && result.httpStatus === 200) {
      const status = failFirst.status ?? 500;
      return { ...result, httpStatus: status, error: `scenario: the receiver's 200 was counted as HTTP ${status} (attempt ${callback.attempts + 1} of ${failFirst.count})` };
    }
    return result;
  }

  /**
   * Records an attempt. The payment's lock orders this against a new callback of the same payment being queued
   * on another instance. A crash before the commit leaves the job in place, so the callback is sent again:
   * delivery is at least once.
   */
  private async record(tx: Repositories, sent: CallbackRecord, body: string, at: number, result: AttemptResult): Promise<void> {
    await tx.payments.hold(sent.paymentRowId);
    const callback = await tx.callbacks.find(sent.id);
    // Reset, or recorded by another instance after its lease ran out.
    if (callback === undefined || callback.state !== 'scheduled') return;
    const number = callback.attempts + 1;
    const delivered = result.httpStatus === 200;
    const next = delivered || callback.faults.never === true ? undefined : nextAttemptAt(callback.firstAttemptAt ?? at, at, number);
    const state = delivered ? 'delivered' : next === undefined ? 'failed' : 'scheduled';
    if (callback.url === undefined && result.url === undefined && delivered) await tx.callbacks.addToInbox(callback, body, at);
    if (delivered && callback.faults.duplicate === true) await this.insertCopy(tx, callback);
    await tx.callbacks.recordAttempt(
      { ...result, callbackId: callback.id, number, at, url: result.url ?? callback.url ?? INBOX_URL },
      { state, nextAttemptAt: next, deliveredAt: delivered ? at : undefined },
    );
    if (next === undefined && callback.kind !== 'replay') await this.releaseNext(tx, callback.paymentRowId);
  }

  private async releaseNext(tx: Repositories, paymentRowId: number): Promise<void> {
    const next = await tx.callbacks.nextQueued(paymentRowId);
    if (next === undefined) return;
    const dueAt = Math.max(this.deps.clock.now(next.projectId), next.nextAttemptAt ?? next.createdAt);
    await tx.callbacks.schedule(next.id, dueAt, next.projectId);
  }
}

function inboxResult(): DeliveryResult {
  return { httpStatus: 200, error: undefined, latencyMs: 0, responseExcerpt: 'stored in the sandbox inbox' };
}
