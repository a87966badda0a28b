import type { GapClass } from './gaps.js';
import { type RunResult, runScenario } from './run.js';
import { MODES, type RunMode, type Scenario } from './scenario/types.js';

/** One mode's headline figures (the columns of `pullsim compare`). */
export interface ModeSummary {
  readonly mode: RunMode;
  readonly containers: number;
  readonly started: number;
  readonly violations: number;
  /**
   * The violations by the documented gap that let each happen (sim/gaps.ts; `unexplained` for none): one per
   * violating container, classed by its first violating start, so the counts add up to `violations`.
   */
  readonly violationsByGap: Readonly<Partial<Record<GapClass, number>>>;
  /** Containers whose start the kubelet refused at least once (ErrImagePull, ErrImageNeverPull, …). */
  readonly refused: number;
  /** Containers still not running at the end. */
  readonly waitingAtEnd: number;
  readonly registryRequests: number;
  readonly authFailures: number;
  readonly fsOps: number;
  readonly fsSyscalls: number;
  readonly traceHash: string;
}

/** A state change of one container in one mode, for timelines. */
export interface TimelineEntry {
  readonly mode: RunMode;
  readonly pod: string;
  readonly container: string;
  readonly t: number;
  readonly state: string;
  readonly reason?: string;
}

export interface ScenarioComparison {
  readonly scenario: string;
  readonly description?: string;
  readonly endTicks: number;
  readonly results: readonly RunResult[];
  readonly summaries: readonly ModeSummary[];
  readonly timeline: readonly TimelineEntry[];
}

/**
 * Runs a scenario in each mode (all six by default) and summarises them side by side (`pullsim compare`).
 *
 * @example
 * const comparison = compareScenario(scenario, { modes: ['legacy', 'AlwaysVerify'] });
 */
export function compareScenario(
  scenario: Scenario,
  options: { modes?: readonly RunMode[] } = {},
): ScenarioComparison {
  const modes = options.modes ?? MODES;
  const results: RunResult[] = [];
  const summaries: ModeSummary[] = [];
  const timeline: TimelineEntry[] = [];
  let endTicks = 0;
  for (const mode of modes) {
    const { result, world } = runScenario(scenario, { mode, keepTrace: false });
    endTicks = world.clock.now();
    results.push(result);
    let refused = 0;
    const seen = new Set<string>();
    const violating = new Set<string>();
    const violationsByGap: Partial<Record<GapClass, number>> = {};
    for (const record of world.podRecords) {
      for (const container of record.containers) {
        const key = `${record.key}/${container.name}`;
        if (!seen.has(key) && container.history.some((h) => h.state === 'waiting.imagePullFailed')) {
          refused++;
          seen.add(key);
        }
        const violation = container.starts.find((start) => start.violation);
        if (violation !== undefined && !violating.has(key)) {
          violating.add(key);
          const gap = violation.gap ?? 'unexplained';
          violationsByGap[gap] = (violationsByGap[gap] ?? 0) + 1;
        }
        for (const entry of container.history) {
          timeline.push({
            mode,
            pod: record.key,
            container: container.name,
            t: entry.t,
            state: entry.state,
            ...(entry.reason === undefined ? {} : { reason: entry.reason }),
          });
        }
      }
    }
    const io = result.totals.io as { ops?: number; syscalls?: { total?: number } };
    summaries.push({
      mode,
      containers: result.containers.length,
      started: result.totals.containersStarted,
      violations: result.totals.violations,
      violationsByGap,
      refused,
      waitingAtEnd: result.totals.containersNotRunning,
      registryRequests: result.totals.registry.requests,
      authFailures: result.totals.registry.authFailures,
      fsOps: io.ops ?? 0,
      fsSyscalls: io.syscalls?.total ?? 0,
      traceHash: result.traceHash,
    });
  }
  return {
    scenario: scenario.name,
    ...(scenario.description === undefined ? {} : { description: scenario.description }),
    endTicks,
    results,
    summaries,
    timeline,
  };
}
