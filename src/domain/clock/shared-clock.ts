// Keeps the sandbox clock in the database, so a restart resumes from it and every instance on a shared database
// reads the same time: a manual clock's base time and per-project times, or a scaled clock's origin.
import { createClock, ManualClock, ScaledClock, type Clock, type ClockSetting, type ScaleOrigin } from './clock.js';
import { StorageFault, type Repositories, type Storage } from '../ports.js';

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

export class SharedClock {
  constructor(private readonly storage: Storage, readonly clock: Clock) {}

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
    try {
      await this.storage.transact(async (tx) => {
        for (const projectId of projectIds) await tx.clocks.createIfMissing(projectId, clock.startAt);
      });
    } catch (error) {
      // A start on a full disk: a project without a stored clock runs from SANDBOX_CLOCK_START in memory.
      if (!(error instanceof StorageFault)) throw error;
    }
    await this.load(clock);
  }

  /** A new project's own clock, in the transaction that creates the project. */
  readonly addProject = async (tx: Repositories, projectId: number): Promise<void> => {
    if (!(this.clock instanceof ManualClock)) return;
    await tx.clocks.createIfMissing(projectId, this.clock.startAt);
  };

  /** Brings manual clocks that other instances share up to the times they moved them to. */
  readonly sync = async (): Promise<void> => {
    if (this.shared) await this.load(this.clock as ManualClock);
  };

  /** Moves a manual clock (the base time, or one project's) forward to `at`, keeps it, and tells the other instances. */
  async moveTo(clock: ManualClock, at: number, projectId: number | undefined): Promise<void> {
    if (!clock.set(at, projectId)) return;
    await this.storage.transact((tx) => (projectId === undefined ? tx.meta.put(MANUAL_CLOCK_KEY, String(at)) : tx.clocks.put(projectId, at)));
    this.storage.publish({ topic: 'clock' });
  }
}
