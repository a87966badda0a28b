import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runKernelSelfCheck } from '../../../sim/kernel/selfcheck.js';

describe('kernel determinism', () => {
  it('the same seed run twice gives the same trace hash and the same trace', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), (seed) => {
        const a = runKernelSelfCheck(seed, { workers: 4, rounds: 10 });
        const b = runKernelSelfCheck(seed, { workers: 4, rounds: 10 });
        expect(b.traceHash).toBe(a.traceHash);
        expect(b.trace.toJsonLines()).toBe(a.trace.toJsonLines());
      }),
      { numRuns: 200 },
    );
  });

  it('different seeds give different histories', () => {
    expect(runKernelSelfCheck(1).traceHash).not.toBe(runKernelSelfCheck(2).traceHash);
  });

  it('the self-check handles every event it scheduled', () => {
    const result = runKernelSelfCheck(1, { workers: 3, rounds: 7 });
    expect(result.steps).toBe(21);
    expect(result.outcome).toBe('drained');
  });
});
