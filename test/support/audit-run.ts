/**
 * Checks an audit against `pullsim run`: a container's next-start decision under a column is what a run of the
 * scenario with that pod alone (so that no other pod's pull changes the records first), in that mode, shows.
 * Used by test/sim/audit/audit-agrees-with-run.test.ts and the end-to-end test of a collected node.
 */
import { AUDIT_COLUMNS, type AuditReport, type NextStart } from '../../sim/audit/report-types.js';
import { type ContainerResult, runScenario } from '../../sim/run.js';
import type { Manifest, Scenario } from '../../sim/scenario/types.js';
import { TICKS_PER_MINUTE, ticks } from '../../src/time.js';

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

/** Every disagreement between the audit of `pod` and runs of it alone in each mode, one line each. */
export function disagreements(scenario: Scenario, report: AuditReport, pod: string): string[] {
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
