import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../sim/run.js';
import { MODES } from '../../sim/scenario/types.js';
import { planLabel, planToScenario, worldPlan } from '../support/random-world.js';
import { crossTenantScenario } from '../support/scenario-builder.js';

/*
 * Determinism (architecture.md): the same scenario, mode and seed give the same trace, hence the same trace hash
 * (contract §4), and the same result.
 */
describe('determinism', () => {
  /** (d) The same random world and seed, run twice in any mode, give the same trace hash and the same result. */
  it('(d) the same world and seed give the same trace hash', () => {
    fc.assert(
      fc.property(worldPlan(), fc.constantFrom(...MODES), (plan, mode) => {
        const scenario = planToScenario(plan);
        const one = runScenario(scenario, { mode, includeFiles: true });
        const two = runScenario(planToScenario(plan), { mode, includeFiles: true });
        expect(two.result.traceHash, planLabel(plan)).toBe(one.result.traceHash);
        expect(two.result).toEqual(one.result);
        expect(two.trace.toJsonLines()).toBe(one.trace.toJsonLines());
      }),
      { numRuns: 100 },
    );
  });

  it('keeping the trace or not does not change the hash', () => {
    fc.assert(
      fc.property(worldPlan(), (plan) => {
        const scenario = planToScenario(plan);
        const kept = runScenario(scenario, { mode: 'AlwaysVerify' });
        const dropped = runScenario(scenario, { mode: 'AlwaysVerify', keepTrace: false });
        expect(dropped.result.traceHash).toBe(kept.result.traceHash);
      }),
      { numRuns: 30 },
    );
  });

  it('the seed matters: other seeds give other UIDs, latencies and hashes', () => {
    const hashes = new Set<string>();
    for (let seed = 0; seed < 5; seed++)
      hashes.add(runScenario(crossTenantScenario(), { mode: 'AlwaysVerify', seed }).result.traceHash);
    expect(hashes.size).toBe(5);
  });

  it('every mode has its own trace', () => {
    const hashes = new Set(
      MODES.map((mode) => runScenario(crossTenantScenario(), { mode }).result.traceHash),
    );
    expect(hashes.size).toBe(MODES.length);
  });
});
