// The matchers example shown in docs/library.md (a test checks that the doc quotes this file verbatim).
import { loadScenario, runScenario } from 'pullsim';
import { pullsimMatchers } from 'pullsim/vitest';
import { describe, expect, it } from 'vitest';

expect.extend(pullsimMatchers); // or once for every test file, in a module that vitest's setupFiles names

describe('tenants stay apart on our node (kubernetes#18787)', () => {
  const scenario = loadScenario('scenarios/cross-tenant-reuse.yaml');

  it('AlwaysVerify starts the tenant with credentials and refuses the one without', () => {
    const { result } = runScenario(scenario, { mode: 'AlwaysVerify' });
    expect(result).toHaveNoViolations();
    expect(result).toStartContainer('team-a/a/app');
    expect(result).not.toStartContainer('team-b/b-never');
    const never = result.containers.find((c) => c.pod === 'team-b/b-never');
    expect(never).toBeRefused('ErrImageNeverPull');
  });

  it('the legacy kubelet is the one that leaks', () => {
    const { result } = runScenario(scenario, { mode: 'legacy' });
    expect(result).not.toHaveNoViolations();
    expect(result).toStartContainer('team-b/b-never/app');
  });
});
