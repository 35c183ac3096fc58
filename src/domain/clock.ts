// The one sandbox clock: real time, scaled time, or a manual clock that moves only when told.
import type { ClockSetting } from '../config.js';

export type ClockMode = 'real' | 'manual' | 'scale';

export interface Clock {
  readonly mode: ClockMode;
  /** Sandbox time in epoch milliseconds. */
  now(): number;
  /** Real milliseconds until the sandbox clock reaches `at` (Infinity for a manual clock). */
  realDelayUntil(at: number): number;
  /** Moves a manual clock forward to `at`; ignored by other modes and for times in the past. */
  moveTo(at: number): void;
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
  moveTo(): void {}
}

class ScaledClock implements Clock {
  readonly mode = 'scale' as const;
  private readonly realOrigin = Date.now();
  constructor(readonly scale: number, private readonly sandboxOrigin: number) {}
  now(): number {
    return Math.floor(this.sandboxOrigin + (Date.now() - this.realOrigin) * this.scale);
  }
  realDelayUntil(at: number): number {
    return Math.max(0, (at - this.now()) / this.scale);
  }
  moveTo(): void {}
}

export class ManualClock implements Clock {
  readonly mode = 'manual' as const;
  readonly scale = 0;
  constructor(private current: number, private readonly onMove: (at: number) => void = () => {}) {}
  now(): number {
    return this.current;
  }
  realDelayUntil(at: number): number {
    return at <= this.current ? 0 : Infinity;
  }
  moveTo(at: number): void {
    if (at <= this.current) return;
    this.current = at;
    this.onMove(at);
  }
}

/** `resumeAt` is the manual time saved by an earlier run on the same database, so timers stay consistent. */
export function createClock(setting: ClockSetting, resumeAt: number | undefined, persist: (at: number) => void): Clock {
  if (setting.mode === 'real') return new RealClock();
  if (setting.mode === 'scale') return new ScaledClock(setting.factor, resumeAt ?? Date.now());
  return new ManualClock(resumeAt ?? setting.startAt, persist);
}
