/**
 * The audit's next-start decision for a container, under each policy and under the node's own configuration, is
 * what `pullsim run` does when that pod starts on the node: the scenario with that pod alone (so that no other
 * pod's pull changes the records first), run in that mode. Checked on the multi-tenant fixture, pod by pod, and on
 * every pod that the bundled scenarios have on their node at 0s.
 */
import { describe, expect, it } from 'vitest';
import { auditScenario } from '../../../sim/audit/audit.js';
import { AUDIT_COLUMNS, type AuditReport, type NextStart } from '../../../sim/audit/report-types.js';
import { loadScenario, loadScenarios } from '../../../sim/files.js';
import { type ContainerResult, runScenario } from '../../../sim/run.js';
import type { Manifest, Scenario } from '../../../sim/scenario/types.js';
import { TICKS_PER_MINUTE, ticks } from '../../../src/time.js';

const fixture = loadScenario('test/fixtures/audit/multi-tenant-node.yaml');
const fixtureReport = auditScenario(fixture);

/** Whether a manifest is a pod other than `pod`. */
function otherPod(manifest: Manifest, pod: string): boolean {
  return (
    manifest.kind === 'Pod' && `${manifest.metadata.namespace ?? 'default'}/${manifest.metadata.name}` !== pod
  );
}

/**
 * The node at 0s with one pod: the objects and 0s applies without the other pods, and no later step. Two minutes
 * are enough for a first start (the audit says nothing of later ones).
 */
function alone(scenario: Scenario, pod: string): Scenario {
  return {
    ...scenario,
    objects: scenario.objects.filter((o) => !otherPod(o, pod)),
    timeline: scenario.timeline.filter((s) => s.at === 0 && 'apply' in s && !otherPod(s.apply, pod)),
    until: ticks(2 * TICKS_PER_MINUTE),
  };
}

/** What the run shows of a next start: at least one pull, no pull and started, refused without a pull. */
function observed(result: ContainerResult | undefined): NextStart | 'not started' {
  if (result === undefined) return 'not started';
  if (result.pulls > 0) return 'pull';
  if (result.started) return 'reuse';
  return result.reason === 'ErrImageNeverPull' ? 'refused' : 'not started';
}

/** What the audit says the run shows: verify and pull both send a pull; an error starts nothing. */
function predicted(decision: NextStart): NextStart | 'not started' {
  return decision === 'verify' ? 'pull' : decision === 'error' ? 'not started' : decision;
}

/** Every disagreement between the audit of `pod` and runs of it alone, one line each. */
function disagreements(scenario: Scenario, report: AuditReport, pod: string): string[] {
  const lines: string[] = [];
  for (const column of AUDIT_COLUMNS) {
    const { result } = runScenario(alone(scenario, pod), { mode: column, traceOff: true });
    for (const container of report.containers.filter((c) => c.pod === pod)) {
      const ran = result.containers.find((r) => r.pod === pod && r.container === container.container);
      const decision = container.decisions[column];
      if (observed(ran) !== predicted(decision.nextStart))
        lines.push(
          `${scenario.name} ${pod}/${container.container} ${column}: audit ${decision.nextStart} (${decision.why}), run ${observed(ran)}`,
        );
    }
  }
  return lines;
}

describe('the audit agrees with pullsim run', () => {
  it('the fixture covers every kind of decision but error (otherwise the agreement proves little)', () => {
    const kinds = fixtureReport.containers.flatMap((c) =>
      AUDIT_COLUMNS.map((col) => c.decisions[col].nextStart),
    );
    expect([...new Set(kinds)].sort()).toEqual(['pull', 'refused', 'reuse', 'verify']);
  });

  it.each([...new Set(fixtureReport.containers.map((c) => c.pod))])(
    'fixture pod %s: each container starts as the audit says, in every mode',
    (pod) => {
      expect(disagreements(fixture, fixtureReport, pod)).toEqual([]);
    },
  );

  it('every pod of every bundled scenario at 0s, in every mode', () => {
    let checked = 0;
    const lines: string[] = [];
    for (const { scenario } of loadScenarios(['scenarios/'])) {
      // Large worlds cost more than the rest of the library together (every answer that writes an intent starts a
      // node again, reading every record file): match-write-limit's 105 namespaces, cache-overflow's 1995 records.
      // Their rules are in the fixture on a smaller scale (tenant-e/copy's hash match, the records read at start-up).
      const files = scenario.nodes.reduce((n, node) => n + Object.keys(node.imageManagerFiles).length, 0);
      if (scenario.objects.length > 100 || files > 100) continue;
      for (const node of scenario.nodes) {
        const report = auditScenario(scenario, { node: node.name });
        for (const pod of new Set(report.containers.map((c) => c.pod))) {
          lines.push(...disagreements(scenario, report, pod));
          checked++;
        }
      }
    }
    expect(lines).toEqual([]);
    expect(checked).toBeGreaterThan(40);
  });
});
