// The regression test shown in docs/library.md (a test checks that the doc quotes this file verbatim).
import { compareScenario, loadScenario, runScenario } from 'pullsim';
import { describe, expect, it } from 'vitest';

describe('our node keeps tenants apart (kubernetes#18787)', () => {
  const scenario = loadScenario('scenarios/cross-tenant-reuse.yaml');

  it('AlwaysVerify never lets a tenant start an image it cannot pull', () => {
    const { result } = runScenario(scenario, { mode: 'AlwaysVerify' });
    expect(result.totals.violations).toBe(0);
    const b = result.containers.find((c) => c.pod === 'team-b/b-never');
    expect(b?.reason).toBe('ErrImageNeverPull');
  });

  it('the legacy kubelet is the one that leaks', () => {
    const comparison = compareScenario(scenario, { modes: ['legacy', 'AlwaysVerify'] });
    const violations = Object.fromEntries(comparison.summaries.map((s) => [s.mode, s.violations]));
    expect(violations).toEqual({ legacy: 2, AlwaysVerify: 0 });
  });

  it('is reproducible: the same seed gives the same trace hash', () => {
    const first = runScenario(scenario, { mode: 'NeverVerifyPreloadedImages', seed: 7 });
    const second = runScenario(scenario, { mode: 'NeverVerifyPreloadedImages', seed: 7 });
    expect(second.result.traceHash).toBe(first.result.traceHash);
  });
});
