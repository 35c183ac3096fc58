// Runs due jobs from the jobs table in one loop on the sandbox clock. The only in-memory state is which rows
// are running right now; a restart re-arms every row. A manual clock moves only through `advanceTo`.
import type { Clock } from './clock.js';
import type { Job, JobKind } from './model.js';
import type { Logger } from './ports.js';
import type { JobsStore } from '../storage/jobs-store.js';

export type JobHandler = (job: Job) => Promise<void>;

const RETRY_AFTER_HANDLER_FAILURE_MS = 60_000;
const READY_BATCH = 500;

export class Scheduler {
  private readonly running = new Map<number, Promise<void>>();
  private ready: Job[] = [];
  private readonly queued = new Set<number>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = true;
  private wakeScheduled = false;
  private advancing: Promise<void> = Promise.resolve();
  private idleWaiters: Array<() => void> = [];

  constructor(
    private readonly jobs: JobsStore,
    private readonly clock: Clock,
    private readonly handlers: Record<JobKind, JobHandler>,
    private readonly maxInFlight: number,
    private readonly log: Logger,
  ) {}

  start(): void {
    this.stopped = false;
    this.pump();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.ready = [];
    this.queued.clear();
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    await Promise.allSettled([...this.running.values()]);
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

  get inFlight(): number {
    return this.running.size;
  }

  /**
   * Starts claimed work and claims more. A finishing job refills only once half the slots are free, so a busy
   * loop reads the table in batches rather than once per job; new commits and timers always refill.
   */
  private pump(fromCompletion = false): void {
    if (this.stopped) return;
    const now = this.clock.now();
    const refillNow = !fromCompletion || this.running.size <= this.maxInFlight / 2;
    if (this.ready.length === 0 && this.running.size < this.maxInFlight && refillNow) this.refill(now);
    while (this.running.size < this.maxInFlight && this.ready.length > 0) {
      const job = this.ready.shift() as Job;
      this.queued.delete(job.id);
      this.launch(job);
    }
    // While jobs run, their completions come back here; the timer armed before stays valid meanwhile.
    if (!fromCompletion || this.running.size === 0) this.arm(now);
    if (this.running.size === 0 && this.ready.length === 0) this.notifyIdle();
  }

  /** Claims a batch of due rows in memory, so a busy loop does not query the table once per job. */
  private refill(now: number): void {
    for (const job of this.jobs.due(now, READY_BATCH, this.running.keys())) {
      if (this.running.has(job.id) || this.queued.has(job.id)) continue;
      this.ready.push(job);
      this.queued.add(job.id);
      if (this.ready.length >= READY_BATCH) break;
    }
  }

  private launch(claimed: Job): void {
    // A claimed timer row may have been removed (reset) or moved later since it was read; a callback's own
    // handler re-reads its callback row, and only that handler moves a callback job.
    const job = claimed.kind === 'callback' ? claimed : this.jobs.find(claimed.kind, claimed.ref);
    if (job === undefined || job.dueAt > this.clock.now()) return;
    const run = this.handlers[job.kind](job)
      .catch((error: unknown) => {
        this.log.error({ err: error, job }, 'job failed; retrying later');
        this.jobs.put(job.kind, job.ref, this.clock.now() + RETRY_AFTER_HANDLER_FAILURE_MS, job.projectId, job.payload);
      })
      .finally(() => {
        this.running.delete(job.id);
        this.pump(true);
      });
    this.running.set(job.id, run);
  }

  private arm(now: number): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    // Work already claimed, or running, calls pump again when it finishes.
    if (this.ready.length > 0 || this.running.size >= this.maxInFlight) return;
    const next = this.jobs.nextDueAt();
    if (next === undefined) return;
    const delay = next <= now ? (this.running.size >= this.maxInFlight ? Infinity : 0) : this.clock.realDelayUntil(next);
    if (!Number.isFinite(delay) || (next <= now && this.running.size > 0)) return;
    this.timer = setTimeout(() => this.pump(), Math.min(delay, 2_147_483_647));
    this.timer.unref();
  }

  private notifyIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  /** Resolves once nothing is due at the current sandbox time and nothing is running. */
  settle(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      this.idleWaiters.push(resolve);
      this.pump();
    });
  }

  /**
   * Moves a manual clock to `target` step by step: at each due time it runs everything due and waits for it,
   * so work scheduled by that work (a retry 10 s later) also runs if it falls before `target`.
   */
  advanceTo(target: number): Promise<void> {
    const run = this.advancing.then(async () => {
      await this.settle();
      for (let next = this.jobs.nextDueAt(); next !== undefined && next <= target; next = this.jobs.nextDueAt()) {
        this.clock.moveTo(next);
        await this.settle();
      }
      this.clock.moveTo(target);
      await this.settle();
    });
    this.advancing = run.catch(() => undefined);
    return run;
  }
}
