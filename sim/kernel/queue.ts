import type { Ticks } from '../../src/time.js';
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
 * with a tie-break stream. A binary heap: push and pop are O(log n).
 */
export class EventQueue<E> {
  readonly #heap: Entry<E>[] = [];
  readonly #tieBreak: RandomStream | undefined;
  readonly #maxPending: number;
  #nextSeq = 0;

  constructor({ tieBreak, maxPending = 10_000_000 }: EventQueueOptions = {}) {
    this.#tieBreak = tieBreak;
    this.#maxPending = maxPending;
  }

  get size(): number {
    return this.#heap.length;
  }

  /** Schedules an event; returns its sequence number (usable with `cancel`). */
  push(due: Ticks, event: E): number {
    if (this.#heap.length >= this.#maxPending) {
      throw new Error(`event queue overflow: more than ${this.#maxPending} pending events`);
    }
    const seq = this.#nextSeq++;
    const tie = this.#tieBreak ? this.#tieBreak.int(0, 0x7fffffff) : 0;
    const heap = this.#heap;
    heap.push({ due, seq, tie, event });
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i] as Entry<E>, heap[parent] as Entry<E>)) break;
      swap(heap, i, parent);
      i = parent;
    }
    return seq;
  }

  /** The next event without removing it. */
  peek(): Scheduled<E> | undefined {
    return this.#heap[0];
  }

  pop(): Scheduled<E> | undefined {
    const heap = this.#heap;
    const top = heap[0];
    if (top === undefined) return undefined;
    const last = heap.pop() as Entry<E>;
    if (heap.length > 0) {
      heap[0] = last;
      this.#siftDown(0);
    }
    return top;
  }

  /** Removes every pending event matching the predicate; returns how many were removed. */
  cancel(matches: (event: E, seq: number) => boolean): number {
    const kept = this.#heap.filter((entry) => !matches(entry.event, entry.seq));
    const removed = this.#heap.length - kept.length;
    if (removed > 0) {
      this.#heap.length = 0;
      for (const entry of kept) this.#heap.push(entry);
      for (let i = (this.#heap.length >> 1) - 1; i >= 0; i--) this.#siftDown(i);
    }
    return removed;
  }

  #siftDown(start: number): void {
    const heap = this.#heap;
    const n = heap.length;
    let i = start;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < n && before(heap[left] as Entry<E>, heap[smallest] as Entry<E>)) smallest = left;
      if (right < n && before(heap[right] as Entry<E>, heap[smallest] as Entry<E>)) smallest = right;
      if (smallest === i) return;
      swap(heap, i, smallest);
      i = smallest;
    }
  }
}

function before<E>(a: Entry<E>, b: Entry<E>): boolean {
  if (a.due !== b.due) return a.due < b.due;
  if (a.tie !== b.tie) return a.tie < b.tie;
  return a.seq < b.seq;
}

function swap<T>(items: T[], i: number, j: number): void {
  const tmp = items[i] as T;
  items[i] = items[j] as T;
  items[j] = tmp;
}
