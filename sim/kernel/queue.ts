import type { Ticks } from '../../src/time.js';
import { MinHeap } from './heap.js';
import type { RandomStream } from './random.js';

/** One scheduled event as it leaves the queue. */
export interface Scheduled<E> {
  readonly due: Ticks;
  /** Insertion sequence number, unique per queue; the final tie-break. */
  readonly seq: number;
  readonly event: E;
}

interface Entry<E> extends Scheduled<E> {
  /** Seeded tie-break key (0 when tie-breaking is off). */
  readonly tie: number;
}

export interface EventQueueOptions {
  /**
   * When given, events due at the same tick leave in an order drawn from this stream instead of insertion order.
   * The draw happens at insertion, so the order is reproducible for a seed. Used to explore interleavings.
   */
  readonly tieBreak?: RandomStream;
  /** Upper bound on pending events; exceeding it is a programmer error (a runaway scheduler). */
  readonly maxPending?: number;
}

/**
 * A priority queue of events ordered by (due tick, insertion sequence), or by (due tick, seeded key, sequence)
 * with a tie-break stream: a binary heap (`MinHeap`), push and pop O(log n).
 */
export class EventQueue<E> {
  readonly #heap = new EntryHeap<E>();
  readonly #tieBreak: RandomStream | undefined;
  readonly #maxPending: number;
  #nextSeq = 0;

  constructor({ tieBreak, maxPending = 10_000_000 }: EventQueueOptions = {}) {
    this.#tieBreak = tieBreak;
    this.#maxPending = maxPending;
  }

  get size(): number {
    return this.#heap.size;
  }

  /** Schedules an event; returns its sequence number (usable with `cancel`). */
  push(due: Ticks, event: E): number {
    if (this.#heap.size >= this.#maxPending) {
      throw new Error(`event queue overflow: more than ${this.#maxPending} pending events`);
    }
    const seq = this.#nextSeq++;
    const tie = this.#tieBreak ? this.#tieBreak.int(0, 0x7fffffff) : 0;
    this.#heap.push({ due, seq, tie, event });
    return seq;
  }

  /** The next event without removing it. */
  peek(): Scheduled<E> | undefined {
    return this.#heap.peek();
  }

  pop(): Scheduled<E> | undefined {
    return this.#heap.pop();
  }

  /** Removes every pending event matching the predicate; returns how many were removed. */
  cancel(matches: (event: E, seq: number) => boolean): number {
    return this.#heap.removeWhere((entry) => matches(entry.event, entry.seq));
  }
}

/** Entries by (due, tie, seq): a total order, since sequence numbers are unique. */
class EntryHeap<E> extends MinHeap<Entry<E>> {
  protected compare(a: Entry<E>, b: Entry<E>): number {
    if (a.due !== b.due) return a.due < b.due ? -1 : 1;
    if (a.tie !== b.tie) return a.tie < b.tie ? -1 : 1;
    return a.seq - b.seq;
  }
}
