import type { Ticks } from '../time.js';
import { TICKS_PER_SECOND, ticks } from '../time.js';

/** The kubelet's image pull back-off: 10 s initial, doubling, at most 300 s (kubelet `backOffPeriod`, `MaxContainerBackOff`). */
export const IMAGE_BACKOFF_INITIAL = ticks(10 * TICKS_PER_SECOND);
export const IMAGE_BACKOFF_MAX = ticks(300 * TICKS_PER_SECOND);

interface Entry {
  backoff: number;
  lastUpdate: number;
}

/**
 * client-go's `flowcontrol.Backoff` without jitter (the kubelet's image back-off uses `NewBackOff`): per key, in
 * back-off while less than the current delay has passed since the last failure; each failure doubles the delay up
 * to the maximum; an entry idle for more than twice the maximum starts over.
 */
export class Backoff {
  readonly #entries = new Map<string, Entry>();

  constructor(
    readonly initial: Ticks = IMAGE_BACKOFF_INITIAL,
    readonly max: Ticks = IMAGE_BACKOFF_MAX,
  ) {}

  /** `IsInBackOffSinceUpdate(id, now)`. */
  isInBackOffSinceUpdate(key: string, now: Ticks): boolean {
    const entry = this.#entries.get(key);
    if (entry === undefined || this.#expired(now, entry)) return false;
    return now - entry.lastUpdate < entry.backoff;
  }

  /** `Next(id, now)`: records a failure. */
  next(key: string, now: Ticks): void {
    const entry = this.#entries.get(key);
    if (entry === undefined || this.#expired(now, entry)) {
      this.#entries.set(key, { backoff: this.initial, lastUpdate: now });
      return;
    }
    entry.backoff = Math.min(entry.backoff * 2, this.max);
    entry.lastUpdate = now;
  }

  /** The current delay for `key`, or undefined (for the sync loop, to know when to retry). */
  delayOf(key: string): Ticks | undefined {
    const entry = this.#entries.get(key);
    return entry === undefined ? undefined : ticks(entry.backoff);
  }

  /** When `key` leaves back-off, or undefined if it is not in back-off at `now`. */
  backOffUntil(key: string, now: Ticks): Ticks | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined || !this.isInBackOffSinceUpdate(key, now)) return undefined;
    return ticks(entry.lastUpdate + entry.backoff);
  }

  /** `GC()`: drops entries idle for more than twice the maximum. Iterates in insertion order (deterministic). */
  gc(now: Ticks): void {
    // forEach rather than for-of: no [key, value] pair is allocated per entry, and this runs after every pull.
    this.#entries.forEach((entry, key) => {
      if (this.#expired(now, entry)) this.#entries.delete(key);
    });
  }

  get size(): number {
    return this.#entries.size;
  }

  #expired(now: Ticks, entry: Entry): boolean {
    return now - entry.lastUpdate > this.max * 2;
  }
}
