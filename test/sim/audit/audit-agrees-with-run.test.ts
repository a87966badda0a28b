/**
 * The audit's next-start decision for every container of the multi-tenant fixture, under each policy and the node's
 * own configuration, is what `pullsim run` does when that pod starts on the node: the scenario with that pod alone
 * (so no other pod's pull changes the records first), run in that mode.
 */
import { describe, expect, it } from 'vitest';
import { auditScenario } from '../../../sim/audit/audit.js';
import { AUDIT_COLUMNS, type NextStart } from '../../../sim/audit/report-types.js';
import { loadScenario } from '../../../sim/files.js';
import { type ContainerResult, runScenario } from '../../../sim/run.js';
import type { Scenario } from '../../../sim/scenario/types.js';

const scenario = loadScenario('test/fixtures/audit/multi-tenant-node.yaml');
const report = auditScenario(scenario);
const pods = [...new Set(report.containers.map((c) => c.pod))];

/** The scenario with one of its pods and every other object. */
function alone(pod: string): Scenario {
  const objects = scenario.objects.filter(
    (o) => o.kind !== 'Pod' || `${o.metadata.namespace ?? 'default'}/${o.metadata.name}` === pod,
  );
  return { ...scenario, objects };
}

/** What the run shows of a next start: no pull and started, refused without a pull, or at least one pull. */
function observed(result: ContainerResult): NextStart | 'other' {
  if (result.pulls > 0) return 'pull';
  if (result.started) return 'reuse';
  if (result.reason === 'ErrImageNeverPull') return 'refused';
  return 'other';
}

describe('the audit agrees with pullsim run', () => {
  it('covers every kind of decision (otherwise the agreement proves little)', () => {
    const kinds = new Set(
      report.containers.flatMap((c) => AUDIT_COLUMNS.map((col) => c.decisions[col].nextStart)),
    );
    expect([...kinds].sort()).toEqual(['pull', 'refused', 'reuse', 'verify']);
  });

  it.each(pods)('%s: each container starts as the audit says, in every mode', (pod) => {
    for (const column of AUDIT_COLUMNS) {
      const { result } = runScenario(alone(pod), { mode: column, traceOff: true });
      for (const container of report.containers.filter((c) => c.pod === pod)) {
        const ran = result.containers.find((r) => r.pod === pod && r.container === container.container);
        if (ran === undefined) throw new Error(`no result for ${pod}/${container.container}`);
        const decided = container.decisions[column].nextStart;
        // verify and pull both send a pull to the runtime.
        const expected = decided === 'verify' ? 'pull' : decided;
        expect(observed(ran), `${pod}/${container.container} under ${column}`).toBe(expected);
      }
    }
  });
});
