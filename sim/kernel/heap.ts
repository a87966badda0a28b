/**
 * A binary min-heap ordered by its `compare` method (negative: `a` leaves first), for the event queue and the bench
 * workload's pending deletions. push and pop are O(log n).
 *
 * Items that compare equal leave in an order fixed by the sequence of pushes and pops alone (the sifts below move an
 * item only past a strictly smaller one), so a heap is deterministic even when its order is not total.
 *
 * The order is a method that each use overrides, not a function passed in: both heaps run in the same bench process,
 * and V8 does not inline a call site that has seen two compare closures, which made the event queue a third slower
 * in a micro-benchmark; a method call on two subclasses stays inlinable.
 */
export abstract class MinHeap<T> {
  readonly #items: T[] = [];

  /** Negative when `a` leaves before `b`, positive when after, 0 when either may go first. */
  protected abstract compare(a: T, b: T): number;

  get size(): number {
    return this.#items.length;
  }

  /** The first item without removing it. */
  peek(): T | undefined {
    return this.#items[0];
  }

  push(item: T): void {
    const items = this.#items;
    let i = items.length;
    items.push(item);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const above = items[parent] as T;
      if (this.compare(item, above) >= 0) break;
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
    const n = items.length;
    let i = start;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      let child = left;
      if (right < n && this.compare(items[right] as T, items[left] as T) < 0) child = right;
      const smaller = items[child] as T;
      if (this.compare(smaller, item) >= 0) break;
      items[i] = smaller;
      i = child;
    }
    items[i] = item;
  }
}
