// Runs due jobs from the jobs table on the sandbox clock. A job is leased to this instance before it runs, so
// instances sharing a database never run the same attempt twice; a lease that outlives a dead instance lets
// another take the job over. The only in-memory state is what runs here right now.
import type { Clock } from './clock.js';
import type { Job, JobKind } from '../model.js';
import { StorageFault, type Logger, type Storage } from '../ports.js';

export type JobHandler = (job: Job) => Promise<void>;

/** Real time a job whose handler failed stays away from every instance before it is tried again. */
const RETRY_AFTER_HANDLER_FAILURE_MS = 60_000;
/** How often a wait for other instances' work looks again when no event arrives. */
const SHARED_WAIT_MS = 200;

export interface SchedulerDeps {
  storage: Storage;
  clock: Clock;
  handlers: Record<JobKind, JobHandler>;
  maxInFlight: number;
  log: Logger;
  instanceId: string;
  /** Real milliseconds a claimed job stays this instance's; longer than any handler runs. */
  leaseMs: number;
  /** Brings a clock shared with other instances up to date before due work is claimed. */
  syncClock: () => Promise<void>;
  /** Another instance may add work without this one hearing of it: on a shared database, look this often (real ms). */
  pollMs: number;
}

export class Scheduler {
  /** What runs here now, by `kind:ref`. */
  private readonly running = new Map<string, Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  /** The sandbox time the armed timer wakes at (undefined: no timer). */
  private armedFor: number | undefined;
  private stopped = true;
  private pumping: Promise<void> | undefined;
  private pumpAgain = false;
  private wakeScheduled = false;
  private progressWaiters: Array<() => void> = [];
  /** Work this instance leased whose handler the storage refused, and whose lease it could not give back then. */
  private readonly heldByFault = new Map<string, Job>();

  constructor(private readonly deps: SchedulerDeps) {
    deps.storage.subscribe((event) => {
      // Callbacks handed to listeners are the listen relay's business, not due work.
      if (event.topic === 'listen') return;
      this.notifyProgress();
      if (event.topic === 'jobs' && event.dueAt !== undefined && !this.wouldRunSooner(event.dueAt, event.projectId)) return;
      this.wake();
    });
  }

  /** Starts running due work; an instance allowed no work in flight only answers requests. */
  start(): void {
    if (this.deps.maxInFlight === 0) return;
    this.stopped = false;
    this.wake();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    await this.pumping;
    await Promise.allSettled([...this.running.values()]);
    this.notifyProgress();
  }

  get inFlight(): number {
    return this.running.size;
  }

  /**
   * Whether work falling due at `dueAt` needs a look at the table now: it is due already, or a timer should fire
   * earlier than the one armed. A manual clock only moves through an advance, which looks itself.
   */
  private wouldRunSooner(dueAt: number, projectId: number | undefined): boolean {
    const { clock } = this.deps;
    if (dueAt <= clock.now(projectId)) return true;
    if (clock.mode === 'manual') return false;
    return this.armedFor === undefined || dueAt < this.armedFor;
  }

  /** Called after new due work is committed; wakes coming in the same turn share one pump. */
  wake(): void {
    if (this.stopped || this.wakeScheduled) return;
    this.wakeScheduled = true;
    setImmediate(() => {
      this.wakeScheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    if (this.stopped) return;
    if (this.pumping !== undefined) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = this.cycle()
      .catch((error: unknown) => {
        // A storage that refuses writes said so once itself; the scheduler looks again at every poll.
        if (!(error instanceof StorageFault)) this.deps.log.error({ err: error }, 'the scheduler could not read its jobs; trying again');
        this.arm(this.deps.pollMs);
      })
      .finally(() => {
        this.pumping = undefined;
        if (this.pumpAgain) {
          this.pumpAgain = false;
          this.pump();
        }
      });
  }

  /** Claims as many due jobs as there are free slots, starts them, and arms the timer for the next due time. */
  private async cycle(): Promise<void> {
    const { storage, clock, maxInFlight, instanceId, leaseMs } = this.deps;
    await this.releaseHeldByFault();
    let claimedAll = true;
    while (claimedAll && !this.stopped && this.running.size < maxInFlight) {
      await this.deps.syncClock();
      const free = maxInFlight - this.running.size;
      const lease = { owner: instanceId, until: Date.now() + leaseMs };
      // Manual clocks: each piece of work is due by its own project's time.
      const until = clock.mode === 'manual' ? 'project-clocks' : clock.now();
      const jobs = await storage.transact((tx) => tx.jobs.claim(until, free, lease, Date.now()));
      for (const job of jobs) this.launch(job);
      claimedAll = jobs.length === free && jobs.length > 0;
    }
    if (this.stopped || this.running.size >= maxInFlight) return;
    const { dueAt, leaseEndsAt } = await storage.read.jobs.nextDue(Date.now());
    let delay = dueAt === undefined ? Infinity : clock.realDelayUntil(dueAt);
    // Due now but not claimed: taken by a commit that is still open elsewhere; look again shortly.
    if (delay === 0) delay = 10;
    if (leaseEndsAt !== undefined) delay = Math.min(delay, Math.max(1, leaseEndsAt - Date.now() + 1));
    if (storage.shared) delay = Math.min(delay, this.deps.pollMs);
    this.arm(delay);
  }

  private arm(delay: number): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.armedFor = undefined;
    if (!Number.isFinite(delay) || this.stopped) return;
    const { clock } = this.deps;
    this.armedFor = clock.mode === 'manual' ? undefined : clock.now() + delay * clock.scale;
    this.timer = setTimeout(() => this.pump(), Math.min(delay, 2_147_483_647));
    this.timer.unref();
  }

  /** Once the storage takes writes again, gives back the leases of work its refusal stopped, so it runs now. */
  private async releaseHeldByFault(): Promise<void> {
    if (this.heldByFault.size === 0 || this.deps.storage.state() !== 'ok') return;
    const held = [...this.heldByFault.values()].filter((job) => !this.running.has(`${job.kind}:${job.ref}`));
    await this.deps.storage.transact(async (tx) => {
      for (const job of held) await tx.jobs.holdOff(job.kind, job.ref, { owner: this.deps.instanceId, until: 0 });
    });
    for (const job of held) this.heldByFault.delete(`${job.kind}:${job.ref}`);
  }

  private launch(job: Job): void {
    const { storage, handlers, log, maxInFlight } = this.deps;
    const key = `${job.kind}:${job.ref}`;
    // Still running here after its lease ran out (an attempt waiting to be recorded): never run twice at once.
    if (this.running.has(key)) return;
    const run = handlers[job.kind](job)
      .catch(async (error: unknown) => {
        if (error instanceof StorageFault) {
          // The work waits for the storage: its lease is given back as soon as writes are taken again.
          this.heldByFault.set(key, job);
          return;
        }
        log.error({ err: error, job }, 'job failed; retrying later');
        await storage.transact((tx) => tx.jobs.holdOff(job.kind, job.ref, { owner: 'failed', until: Date.now() + RETRY_AFTER_HANDLER_FAILURE_MS }));
      })
      .catch((error: unknown) => log.error({ err: error, job }, 'could not hold a failed job off; its lease will free it'))
      .finally(() => {
        this.running.delete(key);
        // Others waiting for this work (a clock advance here or on another instance) look again.
        if (storage.shared) storage.publish({ topic: 'jobs' });
        this.notifyProgress();
        // A busy loop refills once half its slots are free, so it reads the table in batches, not once per job.
        if (this.running.size <= maxInFlight / 2) this.pump();
      });
    this.running.set(key, run);
  }

  private notifyProgress(): void {
    const waiters = this.progressWaiters;
    this.progressWaiters = [];
    for (const resolve of waiters) resolve();
  }

  /** Resolves when a job here finishes, another instance reports a change, or a short while passes. */
  private progress(): Promise<void> {
    return new Promise((resolve) => {
      this.progressWaiters.push(resolve);
      setTimeout(resolve, this.deps.storage.shared ? SHARED_WAIT_MS : 1_000).unref();
    });
  }

  /**
   * Resolves once no job due at or before `until` remains — run here or by any instance sharing the database —
   * optionally only those of one project or one payment.
   */
  async runDue(until: number, scope: { projectId?: number; paymentRowId?: number } = {}): Promise<void> {
    for (;;) {
      if (this.stopped) return;
      // Listen before looking, so a job finishing between the look and the wait is not missed.
      const progress = this.progress();
      this.wake();
      if (!(await this.deps.storage.read.jobs.anyDue(until, scope))) return;
      // Work that cannot be recorded is not waited for: the caller is refused (601, try again) instead.
      // (Looked at afresh: space freed a moment ago is found by a probe write.)
      const state = this.deps.storage.state() === 'ok' ? 'ok' : await this.deps.storage.checkState();
      if (state !== 'ok') throw new StorageFault(state, 'due work waits until the storage takes writes again');
      await progress;
    }
  }
}
