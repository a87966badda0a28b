import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isValidSeed, MAX_SEED, SeededRandom } from '../../../sim/kernel/random.js';

const seedArb = fc.integer({ min: 0, max: MAX_SEED });
const streamName = fc.constantFrom('faults', 'scheduling', 'registry-latency', 'generation', 'a', 'b');

function draws(random: SeededRandom, name: string, n: number): number[] {
  const stream = random.stream(name);
  return Array.from({ length: n }, () => stream.int(0, 1_000_000));
}

describe('SeededRandom', () => {
  it('the same seed gives the same draws per stream', () => {
    fc.assert(
      fc.property(seedArb, streamName, fc.integer({ min: 1, max: 50 }), (seed, name, n) => {
        expect(draws(new SeededRandom(seed), name, n)).toEqual(draws(new SeededRandom(seed), name, n));
      }),
      { numRuns: 300 },
    );
  });

  it('drawing from one stream never changes another', () => {
    fc.assert(
      fc.property(
        seedArb,
        fc.integer({ min: 0, max: 100 }),
        fc.integer({ min: 1, max: 30 }),
        (seed, noise, n) => {
          const quiet = new SeededRandom(seed);
          const noisy = new SeededRandom(seed);
          const other = noisy.stream('faults');
          for (let i = 0; i < noise; i++) other.float();
          expect(draws(noisy, 'scheduling', n)).toEqual(draws(quiet, 'scheduling', n));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('different seeds and different stream names give different sequences', () => {
    const a = draws(new SeededRandom(1), 'x', 8);
    expect(draws(new SeededRandom(2), 'x', 8)).not.toEqual(a);
    expect(draws(new SeededRandom(1), 'y', 8)).not.toEqual(a);
  });

  it('forks are independent of the parent and reproducible', () => {
    const parent = new SeededRandom(7);
    const fork = parent.fork('run-3');
    expect(draws(fork, 'x', 5)).toEqual(draws(new SeededRandom(7).fork('run-3'), 'x', 5));
    expect(draws(fork, 'x', 5)).not.toEqual(draws(parent, 'x', 5));
  });

  it('is pinned: the first draws of seed 1 never change across versions and machines', () => {
    const stream = new SeededRandom(1).stream('pinned');
    // Recorded once; a change here means every stored seed replays differently.
    expect([stream.int(0, 999), stream.int(0, 999), stream.int(0, 999)]).toEqual(PINNED);
  });

  it('validates seeds', () => {
    expect(isValidSeed(0)).toBe(true);
    expect(isValidSeed(MAX_SEED)).toBe(true);
    expect(isValidSeed(-1)).toBe(false);
    expect(isValidSeed(1.5)).toBe(false);
    expect(isValidSeed('1')).toBe(false);
    expect(() => new SeededRandom(-1)).toThrow(/seed must be an integer/);
  });
});

describe('RandomStream', () => {
  const stream = () => new SeededRandom(3).stream('s');

  it('int stays in range and rejects bad ranges', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1000, max: 1000 }), fc.integer({ min: 0, max: 1000 }), (min, width) => {
        const value = stream().int(min, min + width);
        expect(value).toBeGreaterThanOrEqual(min);
        expect(value).toBeLessThanOrEqual(min + width);
      }),
      { numRuns: 200 },
    );
    expect(() => stream().int(5, 4)).toThrow(RangeError);
    expect(() => stream().int(0.5, 4)).toThrow(RangeError);
  });

  it('float is in [0, 1), chance honours its edges, exponential is positive', () => {
    const s = stream();
    for (let i = 0; i < 100; i++) {
      const f = s.float();
      expect(f).toBeGreaterThanOrEqual(0);
      expect(f).toBeLessThan(1);
      expect(s.exponential(10)).toBeGreaterThanOrEqual(0);
    }
    expect(s.chance(0)).toBe(false);
    expect(s.chance(1)).toBe(true);
    const hits = Array.from({ length: 1000 }, () => s.chance(0.5)).filter(Boolean).length;
    expect(hits).toBeGreaterThan(400);
    expect(hits).toBeLessThan(600);
  });

  it('pick and shuffled use every element', () => {
    const s = stream();
    expect(() => s.pick([])).toThrow(RangeError);
    expect(['a', 'b', 'c']).toContain(s.pick(['a', 'b', 'c']));
    const items = [1, 2, 3, 4, 5, 6];
    const shuffled = s.shuffled(items);
    expect([...shuffled].sort()).toEqual(items);
    expect(items).toEqual([1, 2, 3, 4, 5, 6]);
    expect(s.state()).toHaveLength(4);
  });
});

// A compatibility pin, not a correctness oracle: recorded when the stream derivation was introduced.
const PINNED = [173, 475, 52];
