/**
 * Invariants of the audit on random multi-tenant nodes (the campaign generator, without faults or actions):
 * - every policy reuses what AlwaysVerify reuses, and NeverVerify reuses what any policy reuses (the policies
 *   only add exemptions to AlwaysVerify's checks; an unreadable record forces a pull under all of them);
 * - nothing is exposed under AlwaysVerify, and a container is exposed exactly when it is reused but not under
 *   AlwaysVerify;
 * - each pod at 0s, run alone in each mode, starts as the audit says.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { auditScenario } from '../../../sim/audit/audit.js';
import { AUDIT_COLUMNS } from '../../../sim/audit/report-types.js';
import { scenarioArb } from '../../../sim/fuzz/generate.js';
import type { SwarmProfile } from '../../../sim/fuzz/plan.js';
import { runScenario } from '../../../sim/run.js';
import type { Manifest } from '../../../sim/scenario/types.js';
import { TICKS_PER_MINUTE, ticks } from '../../../src/time.js';

const QUIET: SwarmProfile = {
  template: 'swarm',
  actions: [],
  faults: [],
  maxActions: 0,
  nodeWideCredentials: true,
  sharedDigests: true,
  preloadedImages: true,
  serviceAccountProvider: true,
  copiedCredentials: true,
  wrongPasswords: true,
};

const podKey = (m: Manifest) => `${m.metadata.namespace ?? 'default'}/${m.metadata.name}`;

describe('audit invariants on random nodes', () => {
  it('policies only add exemptions to AlwaysVerify, and the run agrees pod by pod', () => {
    fc.assert(
      fc.property(scenarioArb(QUIET, 'audit-property'), (scenario) => {
        const report = auditScenario(scenario);
        for (const c of report.containers) {
          const reused = (column: (typeof AUDIT_COLUMNS)[number]) =>
            c.decisions[column].nextStart === 'reuse';
          for (const column of AUDIT_COLUMNS) {
            if (reused('AlwaysVerify')) expect(reused(column)).toBe(true);
            if (reused(column)) expect(reused('NeverVerify')).toBe(true);
            expect(c.decisions[column].exposed).toBe(reused(column) && !reused('AlwaysVerify'));
          }
        }
        expect(report.policies.find((p) => p.policy === 'AlwaysVerify')?.exposures).toEqual([]);
        for (const pod of new Set(report.containers.map((c) => c.pod))) {
          const alone = {
            ...scenario,
            objects: scenario.objects.filter((o) => o.kind !== 'Pod' || podKey(o) === pod),
            timeline: scenario.timeline.filter(
              (s) => s.at === 0 && 'apply' in s && (s.apply.kind !== 'Pod' || podKey(s.apply) === pod),
            ),
            until: ticks(2 * TICKS_PER_MINUTE),
          };
          for (const column of AUDIT_COLUMNS) {
            const { result } = runScenario(alone, { mode: column, traceOff: true });
            for (const c of report.containers.filter((x) => x.pod === pod)) {
              const ran = result.containers.find((r) => r.pod === pod && r.container === c.container);
              const decided = c.decisions[column].nextStart;
              const pulled = (ran?.pulls ?? 0) > 0;
              expect(pulled, `${pod} ${column}`).toBe(decided === 'verify' || decided === 'pull');
              if (decided === 'reuse') expect(ran?.started, `${pod} ${column}`).toBe(true);
              if (decided === 'refused') expect(ran?.reason).toBe('ErrImageNeverPull');
            }
          }
        }
      }),
      { numRuns: 60 },
    );
  });
});
