// Moves the manual clock and keeps it in the database, so a restart resumes from it and every instance on a
// shared database reads the same time; a move answers only after all the work that fell due has run.
import { createClock, ManualClock, ScaledClock, type Clock, type ClockSetting, type ScaleOrigin } from './clock.js';
import { Refusal } from '../errors.js';
import type { Repositories, Storage } from '../ports.js';
import type { Scheduler } from './scheduler.js';

const MANUAL_CLOCK_KEY = 'manual_clock_at';
const SCALE_ORIGIN_KEY = 'scale_clock_origin';

/** The clock of a sandbox on this storage: a manual clock resumes where it stood; a scaled one shares its origin. */
export async function loadClock(storage: Storage, setting: ClockSetting): Promise<Clock> {
  if (setting.mode === 'manual') {
    const saved = await storage.read.meta.get(MANUAL_CLOCK_KEY);
    const clock = createClock(setting, saved === undefined ? undefined : Number(saved));
    if (saved === undefined) await storage.transact((tx) => tx.meta.put(MANUAL_CLOCK_KEY, String(clock.now())));
    return clock;
  }
  if (setting.mode === 'scale' && storage.shared) {
    const saved = await storage.read.meta.get(SCALE_ORIGIN_KEY);
    const parsed = saved === undefined ? undefined : JSON.parse(saved) as ScaleOrigin & { factor: number };
    if (parsed !== undefined && parsed.factor === setting.factor) return createClock(setting, undefined, parsed);
    const clock = createClock(setting, undefined) as ScaledClock;
    await storage.transact((tx) => tx.meta.put(SCALE_ORIGIN_KEY, JSON.stringify({ ...clock.origin, factor: setting.factor })));
    return clock;
  }
  return createClock(setting, undefined);
}

export class ClockControl {
  constructor(private readonly storage: Storage, readonly clock: Clock, private readonly scheduler: () => Scheduler) {}

  /** Whether other instances may move this clock, so it is read from the database before it is used. */
  get shared(): boolean {
    return this.storage.shared && this.clock instanceof ManualClock;
  }

  /** A manual clock's project times, from the database (where every instance keeps them). */
  private async load(clock: ManualClock): Promise<void> {
    const saved = await this.storage.read.meta.get(MANUAL_CLOCK_KEY);
    if (saved !== undefined) clock.set(Number(saved));
    for (const { projectId, at } of await this.storage.read.clocks.all()) clock.set(at, projectId);
  }

  /** Reads the project clocks at start; a configured project without one gets its own from SANDBOX_CLOCK_START. */
  async start(projectIds: number[]): Promise<void> {
    const clock = this.clock;
    if (!(clock instanceof ManualClock)) return;
    await this.storage.transact(async (tx) => {
      for (const projectId of projectIds) await tx.clocks.createIfMissing(projectId, clock.startAt);
    });
    await this.load(clock);
  }

  /** A new project's own clock, in the transaction that creates the project. */
  async addProject(tx: Repositories, projectId: number): Promise<void> {
    if (!(this.clock instanceof ManualClock)) return;
    await tx.clocks.createIfMissing(projectId, this.clock.startAt);
  }

  /** Brings manual clocks that other instances share up to the times they moved them to. */
  readonly sync = async (): Promise<void> => {
    if (this.shared) await this.load(this.clock as ManualClock);
  };

  private manual(field: string): ManualClock {
    if (!(this.clock instanceof ManualClock)) {
      throw new Refusal('invalid-fields', [{ field, message: `The clock is ${this.clock.mode}; start the sandbox with SANDBOX_CLOCK=manual to move it` }]);
    }
    return this.clock;
  }

  private async moveTo(clock: ManualClock, at: number, projectId: number | undefined): Promise<void> {
    if (!clock.set(at, projectId)) return;
    await this.storage.transact((tx) => (projectId === undefined ? tx.meta.put(MANUAL_CLOCK_KEY, String(at)) : tx.clocks.put(projectId, at)));
    this.storage.publish({ topic: 'clock' });
  }

  /**
   * Moves one project's manual clock to its target step by step: at each due time of that project's work it runs
   * everything due and waits for it (on whichever instance runs it), so work scheduled by that work (a retry 10 s
   * later) also runs if it falls before the target. Other projects' time and work are not touched.
   */
  private async advanceProject(clock: ManualClock, projectId: number, targetFrom: (now: number) => number, field: string): Promise<void> {
    const scheduler = this.scheduler();
    await this.storage.exclusive(`clock:${projectId}`, async () => {
      await this.sync();
      const target = targetFrom(clock.now(projectId));
      if (target < clock.now(projectId)) throw new Refusal('invalid-fields', [{ field, message: 'A manual clock only moves forward' }]);
      const scope = { projectId };
      await scheduler.runDue(clock.now(projectId), scope);
      for (let next = await this.storage.read.jobs.earliestDueAt(projectId); next !== undefined && next <= target; next = await this.storage.read.jobs.earliestDueAt(projectId)) {
        await this.moveTo(clock, next, projectId);
        await scheduler.runDue(clock.now(projectId), scope);
      }
      await this.moveTo(clock, target, projectId);
      await scheduler.runDue(target, scope);
    });
  }

  /**
   * Moves one project's clock, or (no project) the base time and every project's clock, each from its own time.
   * A move answers once the work that fell due has run.
   */
  private async advance(projectId: number | undefined, targetFrom: (now: number) => number, field: string): Promise<void> {
    const clock = this.manual(field);
    if (projectId !== undefined) return this.advanceProject(clock, projectId, targetFrom, field);
    await this.storage.exclusive('clock', async () => {
      await this.sync();
      const target = targetFrom(clock.now());
      if (target < clock.now()) throw new Refusal('invalid-fields', [{ field, message: 'A manual clock only moves forward' }]);
      const projects = (await this.storage.read.clocks.all()).map((c) => c.projectId);
      // A project whose clock is already past an absolute target stays where it is.
      for (const id of projects) await this.advanceProject(clock, id, (now) => Math.max(now, targetFrom(now)), field);
      await this.moveTo(clock, target, undefined);
    });
  }

  /** Moves to a date: one project's clock, or the base time and every project's clock not already past it. */
  advanceTo(target: number, projectId?: number, field = 'to'): Promise<void> {
    return this.advance(projectId, () => target, field);
  }

  /** Moves forward by `seconds` from wherever the clock stands once this move's turn comes. */
  advanceBy(seconds: number, projectId?: number): Promise<void> {
    return this.advance(projectId, (now) => now + Math.round(seconds * 1000), 'seconds');
  }

  async report(projectId?: number): Promise<Record<string, unknown>> {
    await this.sync();
    const now = this.clock.now(projectId);
    const nextDue = await this.storage.read.jobs.earliestDueAt(projectId);
    return {
      mode: this.clock.mode,
      ...(projectId === undefined ? {} : { project_id: projectId }),
      now: new Date(now).toISOString(),
      epoch_ms: now,
      scale: this.clock.scale,
      next_due_at: nextDue === undefined ? null : new Date(nextDue).toISOString(),
    };
  }
}
