// The one sandbox clock: real time, scaled time, or a manual clock that moves only when told.
import type { ClockSetting } from '../config.js';

export type ClockMode = 'real' | 'manual' | 'scale';

export interface Clock {
  readonly mode: ClockMode;
  /** Sandbox time in epoch milliseconds. */
  now(): number;
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
  constructor(private current: number) {}
  now(): number {
    return this.current;
  }
  realDelayUntil(at: number): number {
    return at <= this.current ? 0 : Infinity;
  }
  /** Moves forward to `at`; a time in the past is ignored. Returns whether it moved. */
  set(at: number): boolean {
    if (at <= this.current) return false;
    this.current = at;
    return true;
  }
}

/**
 * `resumeAt` is the manual time saved by an earlier run on the same database, so timers stay consistent;
 * `origin` is a scaled clock's shared starting point.
 */
export function createClock(setting: ClockSetting, resumeAt: number | undefined, origin?: ScaleOrigin): Clock {
  if (setting.mode === 'real') return new RealClock();
  if (setting.mode === 'scale') return new ScaledClock(setting.factor, origin ?? { real: Date.now(), sandbox: Date.now() });
  return new ManualClock(resumeAt ?? setting.startAt);
}
