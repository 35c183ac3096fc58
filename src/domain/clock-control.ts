// Moves the manual clock and keeps it in the database, so a restart resumes from it and every instance on a
// shared database reads the same time; a move answers only after all the work that fell due has run.
import { createClock, ManualClock, ScaledClock, type Clock, type ScaleOrigin } from './clock.js';
import type { ClockSetting } from '../config.js';
import { Refusal } from './errors.js';
import type { Storage } from './ports.js';
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

  /** Brings a manual clock that other instances share up to the time they moved it to. */
  readonly sync = async (): Promise<void> => {
    if (!this.shared) return;
    const saved = await this.storage.read.meta.get(MANUAL_CLOCK_KEY);
    if (saved !== undefined) (this.clock as ManualClock).set(Number(saved));
  };

  private manual(field: string): ManualClock {
    if (!(this.clock instanceof ManualClock)) {
      throw new Refusal('invalid-fields', [{ field, message: `The clock is ${this.clock.mode}; start the sandbox with SANDBOX_CLOCK=manual to move it` }]);
    }
    return this.clock;
  }

  private async moveTo(clock: ManualClock, at: number): Promise<void> {
    if (!clock.set(at)) return;
    await this.storage.transact((tx) => tx.meta.put(MANUAL_CLOCK_KEY, String(at)));
    this.storage.publish({ topic: 'clock' });
  }

  /**
   * Moves a manual clock to `target` step by step: at each due time it runs everything due and waits for it (on
   * whichever instance runs it), so work scheduled by that work (a retry 10 s later) also runs if it falls before
   * `target`. One move at a time across every instance.
   */
  advanceTo(target: number, field = 'to'): Promise<void> {
    return this.advance(() => target, field);
  }

  /** Moves a manual clock forward by `seconds` from wherever it stands once this move's turn comes. */
  advanceBy(seconds: number): Promise<void> {
    return this.advance((now) => now + Math.round(seconds * 1000), 'seconds');
  }

  private async advance(targetFrom: (now: number) => number, field: string): Promise<void> {
    const clock = this.manual(field);
    const scheduler = this.scheduler();
    await this.storage.exclusive('clock', async () => {
      await this.sync();
      const target = targetFrom(clock.now());
      if (target < clock.now()) throw new Refusal('invalid-fields', [{ field, message: 'A manual clock only moves forward' }]);
      await scheduler.runDue(clock.now());
      for (let next = await this.storage.read.jobs.earliestDueAt(); next !== undefined && next <= target; next = await this.storage.read.jobs.earliestDueAt()) {
        await this.moveTo(clock, next);
        await scheduler.runDue(clock.now());
      }
      await this.moveTo(clock, target);
      await scheduler.runDue(target);
    });
  }

  async report(): Promise<Record<string, unknown>> {
    await this.sync();
    const now = this.clock.now();
    const nextDue = await this.storage.read.jobs.earliestDueAt();
    return {
      mode: this.clock.mode,
      now: new Date(now).toISOString(),
      epoch_ms: now,
      scale: this.clock.scale,
      next_due_at: nextDue === undefined ? null : new Date(nextDue).toISOString(),
    };
  }
}
