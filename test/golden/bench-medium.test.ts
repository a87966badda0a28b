import { describe, expect, it } from 'vitest';
import { benchGolden, golden } from './golden.js';

/* The medium workload: ten times the small one, where record eviction and image GC really happen. */
describe('golden results: bench medium', () => {
  it('bench --workload medium gives its recorded counts, digests and start-up rows', {
    timeout: 1_800_000,
  }, () => {
    const actual = benchGolden('medium');
    expect(actual).toEqual(golden('bench-medium.json', actual));
  });
});
