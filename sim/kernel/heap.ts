/**
 * A binary min-heap ordered by a compare function (negative: `a` leaves first), for the event queue and the bench
 * workload's pending deletions. push and pop are O(log n).
 *
 * Items that compare equal leave in an order fixed by the sequence of pushes and pops alone (the sifts below move an
 * item only past a strictly smaller one), so a heap is deterministic even when its order is not total.
 */
export class MinHeap<T> {
  readonly #items: T[] = [];
  readonly #compare: (a: T, b: T) => number;

  constructor(compare: (a: T, b: T) => number) {
    this.#compare = compare;
  }

  get size(): number {
    return this.#items.length;
  }

  /** The first item without removing it. */
  peek(): T | undefined {
    return this.#items[0];
  }

  push(item: T): void {
    const items = this.#items;
    const compare = this.#compare;
    let i = items.length;
    items.push(item);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const above = items[parent] as T;
      if (compare(item, above) >= 0) break;
      items[i] = above;
      i = parent;
    }
    items[i] = item;
  }

  pop(): T | undefined {
    const items = this.#items;
    const top = items[0];
    const last = items.pop();
    if (items.length > 0) this.#siftDown(0, last as T);
    return top;
  }

  /** Removes every item matching the predicate (asked in storage order); returns how many were removed. */
  removeWhere(matches: (item: T) => boolean): number {
    const items = this.#items;
    const kept = items.filter((item) => !matches(item));
    const removed = items.length - kept.length;
    if (removed > 0) {
      items.length = 0;
      for (const item of kept) items.push(item);
      for (let i = (items.length >> 1) - 1; i >= 0; i--) this.#siftDown(i, items[i] as T);
    }
    return removed;
  }

  /** Puts `item` at `start` or below it, moving each smaller child up into the hole. */
  #siftDown(start: number, item: T): void {
    const items = this.#items;
    const compare = this.#compare;
    const n = items.length;
    let i = start;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      let child = left;
      if (right < n && compare(items[right] as T, items[left] as T) < 0) child = right;
      const smaller = items[child] as T;
      if (compare(smaller, item) >= 0) break;
      items[i] = smaller;
      i = child;
    }
    items[i] = item;
  }
}
