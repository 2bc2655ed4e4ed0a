import { setTimeout as delay } from 'node:timers/promises';

/** The time, injected so that time-based logic can be tested without waiting. */
export abstract class Clock {
  abstract now(): Date;
  /** Resolves once `ms` have passed on this clock. */
  abstract sleep(ms: number): Promise<void>;
}

export class SystemClock extends Clock {
  now(): Date {
    return new Date();
  }

  async sleep(ms: number): Promise<void> {
    await delay(ms);
  }
}

/** A clock that moves only when told to; for tests. */
export class ManualClock extends Clock {
  constructor(private current: Date) {
    super();
  }

  now(): Date {
    return new Date(this.current.getTime());
  }

  set(time: Date): void {
    this.current = new Date(time.getTime());
  }

  /** Moves the clock on by `ms` at once: a test of waiting code does not wait. */
  async sleep(ms: number): Promise<void> {
    this.current = new Date(this.current.getTime() + ms);
    await Promise.resolve();
  }
}
