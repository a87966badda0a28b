import { describe, expect, it } from 'vitest';
import { runScenario } from '../../sim/run.js';
import { crossTenantScenario } from '../support/scenario-builder.js';

/**
 * kubernetes/kubernetes#18787, built in code: tenant A pulls its private image with its secret; tenant B names the
 * same image without credentials. Legacy reuses the image (a violation); the fixed kubelet makes B re-verify.
 */
describe('kubernetes#18787: cross-tenant reuse of a private image', () => {
  for (const pullPolicy of ['IfNotPresent', 'Never'] as const) {
    describe(`tenant B with ${pullPolicy}`, () => {
      it("legacy: tenant B runs tenant A's private image (a violation)", () => {
        const { result } = runScenario(crossTenantScenario(pullPolicy), { mode: 'legacy' });
        const b = result.containers.find((c) => c.pod === 'team-b/b');
        const a = result.containers.find((c) => c.pod === 'team-a/a');
        expect(a).toMatchObject({ state: 'running', violation: false, pulls: 1 });
        expect(b).toMatchObject({ state: 'running', started: true, violation: true, pulls: 0 });
        expect(result.totals.violations).toBe(1);
      });

      for (const mode of ['AlwaysVerify', 'NeverVerifyPreloadedImages'] as const) {
        it(`${mode}: tenant B waits and no violation occurs`, () => {
          const { result } = runScenario(crossTenantScenario(pullPolicy), { mode });
          const b = result.containers.find((c) => c.pod === 'team-b/b');
          expect(result.totals.violations).toBe(0);
          expect(b?.state).toBe('waiting');
          expect(b?.started).toBe(false);
          if (pullPolicy === 'Never') {
            expect(b?.reason).toBe('ErrImageNeverPull');
            expect(b?.message).toBe(
              'Container image "private.example.com/team-a/app:v1" is not present with pull policy of Never',
            );
            expect(b?.pulls).toBe(0);
          } else {
            expect(['ErrImagePull', 'ImagePullBackOff']).toContain(b?.reason);
            expect(b?.pulls).toBeGreaterThanOrEqual(1);
          }
        });
      }
    });
  }

  it('the same scenario and seed give the same trace hash', () => {
    const one = runScenario(crossTenantScenario(), { mode: 'AlwaysVerify' });
    const two = runScenario(crossTenantScenario(), { mode: 'AlwaysVerify' });
    expect(two.result.traceHash).toBe(one.result.traceHash);
    expect(two.trace.toJsonLines()).toBe(one.trace.toJsonLines());
  });
});
