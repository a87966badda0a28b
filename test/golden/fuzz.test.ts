import { describe, expect, it } from 'vitest';
import { fuzzGolden, GOLDEN_FUZZ_RUNS, GOLDEN_FUZZ_SEEDS, golden } from './golden.js';

/* Random campaigns: the same seeds generate the same worlds and find the same things. */
describe('golden results: fuzz', () => {
  for (const seed of GOLDEN_FUZZ_SEEDS) {
    it(`fuzz --seed ${seed} --runs ${GOLDEN_FUZZ_RUNS} gives its recorded summary`, {
      timeout: 600_000,
    }, () => {
      const actual = fuzzGolden(seed);
      expect(actual).toEqual(golden(`fuzz-seed${seed}.json`, actual));
    });
  }
});
