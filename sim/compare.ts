import { type RunResult, runScenario } from './run.js';
import { MODES, type RunMode, type Scenario } from './scenario/types.js';

/** One mode's headline figures (the columns of `pullsim compare`). */
export interface ModeSummary {
  readonly mode: RunMode;
  readonly containers: number;
  readonly started: number;
  readonly violations: number;
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
    for (const record of world.podRecords) {
      for (const container of record.containers) {
        const key = `${record.key}/${container.name}`;
        if (!seen.has(key) && container.history.some((h) => h.state === 'waiting.imagePullFailed')) {
          refused++;
          seen.add(key);
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
