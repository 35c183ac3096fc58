// The sandbox clock: real time, scaled time, or manual clocks that move only when told — one per project (so
// parallel test runs on one sandbox keep their own time) beside a base time for what belongs to no project.

/** How the sandbox's time runs (SANDBOX_CLOCK): real, scaled, or moved only by hand from a start. */
export type ClockSetting = { mode: 'real' } | { mode: 'manual'; startAt: number } | { mode: 'scale'; factor: number };

export type ClockMode = 'real' | 'manual' | 'scale';

export interface Clock {
  readonly mode: ClockMode;
  /** Sandbox time in epoch milliseconds: the project's own when it has one (manual clocks), else the base time. */
  now(projectId?: number): number;
  /** Real milliseconds until the sandbox clock reaches `at` (Infinity for a manual clock). */
  realDelayUntil(at: number): number;
  /** Sandbox seconds per real second: 1 for real time, 0 for a manual clock. */
  readonly scale: number;
}

class RealClock implements Clock {
  readonly mode = 'real' as const;
  readonly scale = 1;
  now(): number {
    return Date.now();
  }
  realDelayUntil(at: number): number {
    return Math.max(0, at - Date.now());
  }
}

/** Where a scaled clock stands: at real time `real` it read `sandbox`. Instances sharing a database share it. */
export interface ScaleOrigin { real: number; sandbox: number }

export class ScaledClock implements Clock {
  readonly mode = 'scale' as const;
  constructor(readonly scale: number, readonly origin: ScaleOrigin) {}
  now(): number {
    return Math.floor(this.origin.sandbox + (Date.now() - this.origin.real) * this.scale);
  }
  realDelayUntil(at: number): number {
    return Math.max(0, (at - this.now()) / this.scale);
  }
}

export class ManualClock implements Clock {
  readonly mode = 'manual' as const;
  readonly scale = 0;
  private readonly projects = new Map<number, number>();
  /** `startAt`: where the clock of a project starts (SANDBOX_CLOCK_START). */
  constructor(private base: number, readonly startAt: number = base) {}
  now(projectId?: number): number {
    return projectId === undefined ? this.base : this.projects.get(projectId) ?? this.startAt;
  }
  /** Nothing falls due by itself: due work runs when a clock is moved. */
  realDelayUntil(_at: number): number {
    return Infinity;
  }
  /** Moves the base time, or a project's, forward to `at`; a time in the past is ignored. Returns whether it moved. */
  set(at: number, projectId?: number): boolean {
    if (at <= this.now(projectId)) return false;
    if (projectId === undefined) this.base = at;
    else this.projects.set(projectId, at);
    return true;
  }
  /** The projects whose clocks this instance knows. */
  projectIds(): number[] {
    return [...this.projects.keys()];
  }
}

/**
 * `resumeAt` is the manual time saved by an earlier run on the same database, so timers stay consistent;
 * `origin` is a scaled clock's shared starting point.
 */
export function createClock(setting: ClockSetting, resumeAt: number | undefined, origin?: ScaleOrigin): Clock {
  if (setting.mode === 'real') return new RealClock();
  if (setting.mode === 'scale') return new ScaledClock(setting.factor, origin ?? { real: Date.now(), sandbox: Date.now() });
  return new ManualClock(resumeAt ?? setting.startAt, setting.startAt);
}
