import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MinHeap } from '../../../sim/kernel/heap.js';

/** Invariant: whatever the pushes, pops and removals, what leaves is in compare order, and nothing is lost. */

interface Item {
  readonly key: number;
  readonly id: number;
}

class ItemHeap extends MinHeap<Item> {
  protected compare(a: Item, b: Item): number {
    return a.key - b.key;
  }
}

function drain(heap: ItemHeap): Item[] {
  const out: Item[] = [];
  for (let next = heap.pop(); next !== undefined; next = heap.pop()) out.push(next);
  return out;
}

describe('MinHeap', () => {
  it('pops every pushed item, in compare order, with pops interleaved', () => {
    const op = fc.oneof(fc.integer({ min: 0, max: 9 }), fc.constant('pop' as const));
    fc.assert(
      fc.property(fc.array(op, { maxLength: 120 }), (ops) => {
        const heap = new ItemHeap();
        const pending: Item[] = [];
        ops.forEach((o, id) => {
          if (o === 'pop') {
            const popped = heap.pop();
            const least = Math.min(...pending.map((item) => item.key));
            if (pending.length === 0) expect(popped).toBeUndefined();
            else expect(popped?.key).toBe(least);
            if (popped !== undefined) pending.splice(pending.indexOf(popped), 1);
          } else {
            const item = { key: o, id };
            heap.push(item);
            pending.push(item);
          }
          expect(heap.size).toBe(pending.length);
          expect(heap.peek()?.key).toBe(
            pending.length === 0 ? undefined : Math.min(...pending.map((i) => i.key)),
          );
        });
        expect(drain(heap).map((item) => item.key)).toEqual(
          pending.map((item) => item.key).sort((a, b) => a - b),
        );
      }),
      { numRuns: 300 },
    );
  });

  it('removes what matches and keeps the heap order of the rest', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 50 }), { maxLength: 100 }), (keys) => {
        const heap = new ItemHeap();
        for (const [id, key] of keys.entries()) heap.push({ key, id });
        const removed = heap.removeWhere((item) => item.id % 3 === 0);
        expect(removed).toBe(keys.filter((_, id) => id % 3 === 0).length);
        expect(drain(heap).map((item) => item.key)).toEqual(
          keys.filter((_, id) => id % 3 !== 0).sort((a, b) => a - b),
        );
      }),
      { numRuns: 300 },
    );
  });

  it('lets equal items leave in an order fixed by the operations alone', () => {
    const run = (keys: readonly number[]) => {
      const heap = new ItemHeap();
      for (const [id, key] of keys.entries()) heap.push({ key, id });
      return drain(heap).map((item) => item.id);
    };
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 60 }), (keys) => {
        expect(run(keys)).toEqual(run(keys));
      }),
    );
  });
});
