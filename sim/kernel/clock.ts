import { type Ticks, ticks } from '../../src/time.js';

/** The virtual clock: an integer tick counter that only moves forward, and only when the run loop moves it. */
export class VirtualClock {
  #now: Ticks;

  constructor(start: Ticks = ticks(0)) {
    this.#now = start;
  }

  now(): Ticks {
    return this.#now;
  }

  /** Moves the clock to `t`; moving backwards is a programmer error. */
  advanceTo(t: Ticks): void {
    if (t < this.#now) throw new Error(`virtual clock cannot move backwards: ${this.#now} -> ${t}`);
    this.#now = t;
  }
}
