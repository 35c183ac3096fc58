// Moves manual clocks on a tool's request: a move answers only after all the work that fell due has run, here or
// on any instance sharing the database.
import { ManualClock, type Clock } from './clock.js';
import { Refusal } from '../errors.js';
import type { Storage } from '../ports.js';
import type { Scheduler } from './scheduler.js';
import type { SharedClock } from './shared-clock.js';

export class ClockControl {
  readonly clock: Clock;

  constructor(private readonly storage: Storage, private readonly shared: SharedClock, private readonly scheduler: Scheduler) {
    this.clock = shared.clock;
  }

  private manual(field: string): ManualClock {
    if (!(this.clock instanceof ManualClock)) {
      throw new Refusal('invalid-fields', [{ field, message: `The clock is ${this.clock.mode}; start the sandbox with SANDBOX_CLOCK=manual to move it` }]);
    }
    return this.clock;
  }

  /**
   * Moves one project's manual clock to its target step by step: at each due time of that project's work it runs
   * everything due and waits for it (on whichever instance runs it), so work scheduled by that work (a retry 10 s
   * later) also runs if it falls before the target. Other projects' time and work are not touched.
   */
  private async advanceProject(clock: ManualClock, projectId: number, targetFrom: (now: number) => number, field: string): Promise<void> {
    const { scheduler } = this;
    await this.storage.exclusive(`clock:${projectId}`, async () => {
      await this.shared.sync();
      const target = targetFrom(clock.now(projectId));
      if (target < clock.now(projectId)) throw new Refusal('invalid-fields', [{ field, message: 'A manual clock only moves forward' }]);
      const scope = { projectId };
      await scheduler.runDue(clock.now(projectId), scope);
      for (let next = await this.storage.read.jobs.earliestDueAt(projectId); next !== undefined && next <= target; next = await this.storage.read.jobs.earliestDueAt(projectId)) {
        await this.shared.moveTo(clock, next, projectId);
        await scheduler.runDue(clock.now(projectId), scope);
      }
      await this.shared.moveTo(clock, target, projectId);
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
      await this.shared.sync();
      const target = targetFrom(clock.now());
      if (target < clock.now()) throw new Refusal('invalid-fields', [{ field, message: 'A manual clock only moves forward' }]);
      const projects = (await this.storage.read.clocks.all()).map((c) => c.projectId);
      // A project whose clock is already past an absolute target stays where it is.
      for (const id of projects) await this.advanceProject(clock, id, (now) => Math.max(now, targetFrom(now)), field);
      await this.shared.moveTo(clock, target, undefined);
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
    await this.shared.sync();
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
