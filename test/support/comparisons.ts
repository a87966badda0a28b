import type { ModeSummary, ScenarioComparison } from '../../sim/compare.js';
import type { RunMode } from '../../sim/scenario/types.js';

/** A hand-written mode summary with round figures (one violation, a revocation), so report cells can be worked out. */
export function modeSummary(mode: RunMode, figures: Partial<ModeSummary> = {}): ModeSummary {
  return {
    mode,
    containers: 3,
    started: 2,
    violations: 1,
    violationsByGap: { revocation: 1 },
    refused: 1,
    waitingAtEnd: 1,
    registryRequests: 7,
    authFailures: 4,
    fsOps: 88,
    fsSyscalls: 200,
    traceHash: `sha256:${'0'.repeat(64)}`,
    ...figures,
  };
}

/** A comparison of the given summaries with no results or timeline, for the reports. */
export function comparisonOf(
  scenario: string,
  summaries: ModeSummary[],
  description?: string,
): ScenarioComparison {
  return {
    scenario,
    ...(description === undefined ? {} : { description }),
    endTicks: 0,
    results: [],
    summaries,
    timeline: [],
  };
}
