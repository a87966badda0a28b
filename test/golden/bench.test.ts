import { describe, expect, it } from 'vitest';
import { benchGolden, golden } from './golden.js';

/* The benchmark's counts (not its wall-clock figures) are part of the simulation's results and must not move. */
describe('golden results: bench', () => {
  it('bench --workload small gives its recorded counts, digests and start-up rows', {
    timeout: 600_000,
  }, () => {
    const actual = benchGolden('small');
    expect(actual).toEqual(golden('bench-small.json', actual));
  });
});
