// Callbacks through `ecommpay-sandbox listen`: a developer's machine that no callback can reach opens a stream to
// the sandbox, and while its project is listened to, each delivery attempt is handed over to one of the project's
// listeners (on whichever instance it is connected) instead of being POSTed to a URL. The listener forwards the
// signed body as it is to the shop and posts back what the shop answered, which is recorded as the attempt, so
// the retry ladder, the delivery log, replay and the inbox work as for a URL.
//
// The handover goes through the database: the instance that holds the callback's lease offers a handoff row and
// waits; an instance holding a listener of that project takes the row in one statement (so exactly one listener
// gets it) and pushes it down the stream; the answer, posted to any instance, is written to the row; the
// offering instance is told by a 'listen' storage event (and polls as a safety net), records the attempt, and
// removes the row.
import { Refusal } from '../errors.js';
import type { CallbackRecord, ListenAnswer, ListenHandoff } from '../model.js';
import type { DeliveryResult, Logger, Storage } from '../ports.js';

/** Marks a project whose callbacks go to listeners (kept in `meta`, so every instance sees it). */
const MODE_KEY = (projectId: number): string => `listen:${projectId}`;

/** Where an attempt through a listener is logged as sent ("sandbox:listen → <the listener's --forward-to>"). */
export const LISTEN_URL = 'sandbox:listen';

/** How a listener is pushed what it took. */
export type ListenerPush = (handoff: ListenHandoff) => void;

export interface ListenRelayDeps {
  storage: Storage;
  instanceId: string;
  log: Logger;
  /** How often a connected listener is marked seen (real ms); one not seen for three times that is gone. */
  heartbeatMs?: number;
  /** The safety net under the storage events (real ms). */
  pollMs?: number;
}

interface LocalListener { projectId: number; push: ListenerPush; taking: boolean; again: boolean }

interface Waiting { projectId: number; resolve: (handoff: ListenHandoff) => void }

/** A listener's side of its stream: its id, and how it ends. */
export interface ListenerSession { id: string; projectId: number; close(): Promise<void> }

const TAKE_BATCH = 16;

export class ListenRelay {
  private readonly local = new Map<string, LocalListener>();
  private readonly waiting = new Map<number, Waiting>();
  private readonly heartbeatMs: number;
  private readonly pollMs: number;
  private heartbeat: NodeJS.Timeout | undefined;
  private poll: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly deps: ListenRelayDeps) {
    this.heartbeatMs = deps.heartbeatMs ?? 5_000;
    this.pollMs = deps.pollMs ?? 1_000;
    deps.storage.subscribe((event) => {
      if (event.topic === 'listen' && event.projectId !== undefined) this.changed(event.projectId);
    });
  }

  /** Whether the project's callbacks go to its listeners: from a listener's first connection until released. */
  async listened(projectId: number): Promise<boolean> {
    return (await this.deps.storage.read.meta.get(MODE_KEY(projectId))) === 'on';
  }

  /** Hands the project's callbacks back to their URLs (and the inbox). */
  async release(projectId: number): Promise<void> {
    await this.deps.storage.transact((tx) => tx.meta.put(MODE_KEY(projectId), 'off'));
  }

  /** Listeners of the project connected now, on any instance. */
  async listeners(projectId: number): Promise<number> {
    return (await this.deps.storage.read.listens.live(projectId, Date.now() - 3 * this.heartbeatMs)).length;
  }

  /** A listener connects: its project's callbacks go to listeners from now on, and what is offered is pushed to it. */
  async connect(id: string, projectId: number, push: ListenerPush): Promise<ListenerSession> {
    if (this.closed) throw new Error('the listen relay is closed');
    await this.deps.storage.transact(async (tx) => {
      await tx.listens.present({ id, projectId, instance: this.deps.instanceId, seenAt: Date.now() });
      await tx.meta.put(MODE_KEY(projectId), 'on');
    });
    this.local.set(id, { projectId, push, taking: false, again: false });
    this.timers();
    void this.takeFor(id);
    return { id, projectId, close: () => this.disconnect(id) };
  }

  private async disconnect(id: string): Promise<void> {
    if (!this.local.delete(id)) return;
    this.timers();
    const projects = await this.deps.storage.transact(async (tx) => {
      await tx.listens.gone(id);
      return tx.listens.abandon(id, { httpStatus: undefined, error: 'the listener disconnected before the shop answered', latencyMs: 0, responseExcerpt: '', url: 'listen' });
    });
    for (const projectId of projects) this.deps.storage.publish({ topic: 'listen', projectId });
  }

  /** What the shop answered to a callback a listener of `projectId` took (`listenerId`: that listener, when known). */
  async answer(projectId: number, handoffId: number, listenerId: string | undefined, answer: ListenAnswer): Promise<void> {
    const done = await this.deps.storage.transact((tx) => tx.listens.answer(handoffId, projectId, listenerId, answer));
    if (!done) throw new Refusal('payment-not-found', [{ field: 'handoff_id', message: `No callback ${handoffId} is waiting for this listener's answer` }]);
    this.deps.storage.publish({ topic: 'listen', projectId });
  }

  /**
   * One delivery attempt through the project's listeners: 'no listener' at once when none is connected, else the
   * shop's answer as the listener reports it, or a time-out after `timeoutMs` (and a little for the relay).
   */
  async forward(callback: CallbackRecord, body: string, timeoutMs: number): Promise<DeliveryResult & { url: string }> {
    const started = Date.now();
    if ((await this.listeners(callback.projectId)) === 0) {
      return { httpStatus: undefined, error: 'no listener: no `ecommpay-sandbox listen` is connected for this project', latencyMs: 0, responseExcerpt: '', url: LISTEN_URL };
    }
    const id = await this.deps.storage.transact((tx) => tx.listens.offer({
      projectId: callback.projectId, callbackId: callback.id, paymentId: callback.paymentId, attempt: callback.attempts + 1, body, offeredAt: started,
    }));
    const answered = new Promise<ListenHandoff>((resolve) => this.waiting.set(id, { projectId: callback.projectId, resolve }));
    this.timers();
    this.deps.storage.publish({ topic: 'listen', projectId: callback.projectId });
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), timeoutMs + 2_000);
    });
    let handoff = await Promise.race([answered, late]);
    clearTimeout(timer);
    if (handoff === 'late') {
      // Nobody answered in time: the answer is set here, so one that comes later changes nothing.
      const timeout: ListenAnswer = { httpStatus: undefined, error: 'timeout', latencyMs: Date.now() - started, responseExcerpt: '', url: 'listen' };
      await this.deps.storage.transact((tx) => tx.listens.answer(id, callback.projectId, undefined, timeout));
      handoff = (await this.deps.storage.read.listens.answered([id]))[0] ?? { answer: timeout } as ListenHandoff;
    }
    this.waiting.delete(id);
    this.timers();
    await this.deps.storage.transact((tx) => tx.listens.remove(id));
    const answer = handoff.answer as ListenAnswer;
    const url = answer.url === 'listen' || answer.url === '' ? LISTEN_URL : `${LISTEN_URL} → ${answer.url}`;
    return { httpStatus: answer.httpStatus, error: answer.error, latencyMs: answer.latencyMs, responseExcerpt: answer.responseExcerpt, url };
  }

  /** Something about the project's handoffs changed: its listeners here take what is offered, its waiters look. */
  private changed(projectId: number): void {
    for (const [id, listener] of this.local) if (listener.projectId === projectId) void this.takeFor(id);
    void this.lookForAnswers(projectId);
  }

  private async lookForAnswers(projectId?: number): Promise<void> {
    const ids = [...this.waiting].filter(([, w]) => projectId === undefined || w.projectId === projectId).map(([id]) => id);
    if (ids.length === 0) return;
    try {
      for (const handoff of await this.deps.storage.read.listens.answered(ids)) this.waiting.get(handoff.id)?.resolve(handoff);
    } catch (error) {
      this.deps.log.warn({ err: error }, 'could not read the listeners\' answers');
    }
  }

  /** Takes what is offered to the listener's project, a batch at a time, while there is some. */
  private async takeFor(id: string): Promise<void> {
    const listener = this.local.get(id);
    if (listener === undefined) return;
    if (listener.taking) {
      listener.again = true;
      return;
    }
    listener.taking = true;
    try {
      do {
        listener.again = false;
        const taken = await this.deps.storage.transact((tx) => tx.listens.take(listener.projectId, id, TAKE_BATCH));
        for (const handoff of taken) listener.push(handoff);
        if (taken.length === TAKE_BATCH) listener.again = true;
      } while (listener.again && this.local.has(id));
    } catch (error) {
      this.deps.log.warn({ err: error }, 'could not hand callbacks to a listener');
    } finally {
      listener.taking = false;
    }
  }

  /** The heartbeat runs while listeners are connected here; the poll while anything waits or listens here. */
  private timers(): void {
    const listening = this.local.size > 0 && !this.closed;
    if (listening && this.heartbeat === undefined) {
      this.heartbeat = setInterval(() => {
        void this.deps.storage.transact((tx) => tx.listens.seen([...this.local.keys()], Date.now()))
          .catch((error: unknown) => this.deps.log.warn({ err: error }, 'could not mark the listeners seen'));
      }, this.heartbeatMs);
      this.heartbeat.unref();
    } else if (!listening && this.heartbeat !== undefined) {
      clearInterval(this.heartbeat);
      this.heartbeat = undefined;
    }
    const busy = (this.local.size > 0 || this.waiting.size > 0) && !this.closed;
    if (busy && this.poll === undefined) {
      this.poll = setInterval(() => {
        void this.lookForAnswers();
        for (const id of this.local.keys()) void this.takeFor(id);
      }, this.pollMs);
      this.poll.unref();
    } else if (!busy && this.poll !== undefined) {
      clearInterval(this.poll);
      this.poll = undefined;
    }
  }

  /** Ends every listener here (their unanswered callbacks are answered as disconnected) and stops the timers. */
  async close(): Promise<void> {
    await Promise.allSettled([...this.local.keys()].map((id) => this.disconnect(id)));
    this.closed = true;
    this.timers();
  }
}
