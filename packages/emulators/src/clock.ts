/**
 * The time source of every emulator. Timestamps, long-running GKE operations and the scripted
 * controllers all read it, so a ManualClock makes tests deterministic without sleeping.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock that only moves when told to. */
export class ManualClock implements Clock {
  private current: number;

  constructor(start: Date | string | number = '2026-09-01T08:00:00Z') {
    this.current = new Date(start).getTime();
  }

  now(): number {
    return this.current;
  }

  advance(ms: number): void {
    if (!(ms >= 0)) {
      throw new RangeError(`ManualClock can only move forward, got ${ms}`);
    }
    this.current += ms;
  }
}

/** RFC 3339 with second precision, as Kubernetes and GKE write timestamps. */
export const rfc3339 = (ms: number) =>
  new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
