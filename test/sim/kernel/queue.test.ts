import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventQueue } from '../../../sim/kernel/queue.js';
import { SeededRandom } from '../../../sim/kernel/random.js';
import { ticks } from '../../../sim/kernel/time.js';

function drain<E>(queue: EventQueue<E>): Array<{ due: number; seq: number; event: E }> {
  const out: Array<{ due: number; seq: number; event: E }> = [];
  for (let next = queue.pop(); next !== undefined; next = queue.pop())
    out.push({ due: next.due, seq: next.seq, event: next.event });
  return out;
}

const dues = fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 200 });

describe('EventQueue', () => {
  it('pops in (tick, sequence) order for any insertion order', () => {
    fc.assert(
      fc.property(dues, (list) => {
        const queue = new EventQueue<number>();
        for (const [i, due] of list.entries()) queue.push(ticks(due), i);
        const popped = drain(queue);
        const expected = list
          .map((due, i) => ({ due, seq: i, event: i }))
          .sort((a, b) => a.due - b.due || a.seq - b.seq);
        expect(popped).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('with a tie-break, pops by tick, and the order among equal ticks is reproducible per seed', () => {
    fc.assert(
      fc.property(dues, fc.integer({ min: 0, max: 1_000_000 }), (list, seed) => {
        const run = () => {
          const queue = new EventQueue<number>({ tieBreak: new SeededRandom(seed).stream('tie-break') });
          for (const [i, due] of list.entries()) queue.push(ticks(due), i);
          return drain(queue);
        };
        const first = run();
        expect(run()).toEqual(first);
        expect(first.map((e) => e.due)).toEqual([...list].sort((a, b) => a - b));
        expect(first.map((e) => e.event).sort((a, b) => a - b)).toEqual(list.map((_, i) => i));
      }),
      { numRuns: 300 },
    );
  });

  it('the tie-break really reorders same-tick events for some seed', () => {
    const orders = new Set<string>();
    for (let seed = 0; seed < 20; seed++) {
      const queue = new EventQueue<number>({ tieBreak: new SeededRandom(seed).stream('tie-break') });
      for (let i = 0; i < 5; i++) queue.push(ticks(0), i);
      orders.add(
        drain(queue)
          .map((e) => e.event)
          .join(','),
      );
    }
    expect(orders.size).toBeGreaterThan(1);
  });

  it('peek, size, cancel and the pending bound', () => {
    const queue = new EventQueue<string>({ maxPending: 3 });
    expect(queue.peek()).toBeUndefined();
    expect(queue.pop()).toBeUndefined();
    queue.push(ticks(5), 'a');
    queue.push(ticks(1), 'b');
    queue.push(ticks(3), 'c');
    expect(queue.size).toBe(3);
    expect(queue.peek()?.event).toBe('b');
    expect(() => queue.push(ticks(9), 'd')).toThrow(/overflow/);
    expect(queue.cancel((event) => event === 'b')).toBe(1);
    expect(queue.cancel(() => false)).toBe(0);
    expect(drain(queue).map((e) => e.event)).toEqual(['c', 'a']);
  });

  it('cancel keeps the heap ordered', () => {
    fc.assert(
      fc.property(dues, fc.integer({ min: 2, max: 5 }), (list, modulus) => {
        const queue = new EventQueue<number>();
        for (const [i, due] of list.entries()) queue.push(ticks(due), i);
        queue.cancel((_event, seq) => seq % modulus === 0);
        const expected = list
          .map((due, i) => ({ due, seq: i, event: i }))
          .filter((e) => e.seq % modulus !== 0)
          .sort((a, b) => a.due - b.due || a.seq - b.seq);
        expect(drain(queue)).toEqual(expected);
      }),
      { numRuns: 200 },
    );
  });
});
