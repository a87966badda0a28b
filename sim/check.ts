import { formatDuration, type Ticks } from '../src/time.js';
import { evaluateNodeExpectation } from './check-node.js';
import { containerStateAt, type RunOutput, runScenario } from './run.js';
import { type Expectation, MODES, type RunMode, type Scenario } from './scenario/types.js';
import type { SimNode } from './world/node.js';
import type { ContainerStatus, PodRecord } from './world/pod-records.js';

/** One expectation line checked in one mode. */
export interface ExpectationOutcome {
  readonly expectation: Expectation;
  readonly mode: RunMode;
  readonly passed: boolean;
  /** What differed, in words (empty when passed). */
  readonly problems: readonly string[];
}

export interface ScenarioCheck {
  readonly scenario: string;
  readonly outcomes: readonly ExpectationOutcome[];
  readonly passed: number;
  readonly failed: number;
}

/** The modes an expectation line is checked in: its own list, or every mode `check` runs. */
export function modesOf(expectation: Expectation, modes: readonly RunMode[] = MODES): RunMode[] {
  return expectation.modes === undefined
    ? [...modes]
    : expectation.modes.filter((m) => m === 'as-configured' || modes.includes(m));
}

/**
 * Runs a scenario once per mode its expect lines name and checks every line in every mode (`pullsim check`).
 * Each (line, mode) pair counts as one check.
 */
export function checkScenario(
  scenario: Scenario,
  options: { modes?: readonly RunMode[] } = {},
): ScenarioCheck {
  const modes = options.modes ?? MODES;
  const needed = new Set<RunMode>();
  for (const expectation of scenario.expect) for (const mode of modesOf(expectation, modes)) needed.add(mode);
  const runs = new Map<RunMode, RunOutput>();
  for (const mode of [...MODES, 'as-configured' as const]) {
    if (needed.has(mode)) runs.set(mode, runScenario(scenario, { mode, keepTrace: false }));
  }
  const outcomes: ExpectationOutcome[] = [];
  for (const expectation of scenario.expect) {
    for (const mode of modesOf(expectation, modes)) {
      const run = runs.get(mode) as RunOutput;
      const problems =
        expectation.pod === undefined
          ? evaluateNodeExpectation(expectation, nodeOf(run, expectation))
          : evaluateExpectation(expectation, run.world.podRecords, run.world.clock.now());
      outcomes.push({ expectation, mode, passed: problems.length === 0, problems });
    }
  }
  const passed = outcomes.filter((o) => o.passed).length;
  return { scenario: scenario.name, outcomes, passed, failed: outcomes.length - passed };
}

/** The node a record, intent or metric line names, else the scenario's first. */
function nodeOf(run: RunOutput, expectation: Expectation): SimNode {
  const nodes = run.world.nodes;
  return (nodes.get(expectation.node ?? '') ?? nodes.values().next().value) as SimNode;
}

/** Checks one container line against a run's pod records; returns the problems found (none = passed). */
export function evaluateExpectation(
  expectation: Expectation,
  records: readonly PodRecord[],
  end: Ticks,
): string[] {
  const at = expectation.at ?? end;
  const incarnations = records.filter(
    (r) => r.key === expectation.pod && (r.containers[0]?.history[0]?.t ?? 0) <= at,
  );
  const record = incarnations[incarnations.length - 1];
  const when = expectation.at === undefined ? 'at the end' : `at ${formatDuration(at)}`;
  if (record === undefined) return [`pod ${expectation.pod} does not exist ${when}`];
  let container: ContainerStatus | undefined;
  if (expectation.container !== undefined)
    container = record.containers.find((c) => c.name === expectation.container);
  else if (record.containers.length === 1) container = record.containers[0];
  else return [`pod ${expectation.pod} has ${record.containers.length} containers: name one with container:`];
  if (container === undefined) return [`pod ${expectation.pod} has no container ${expectation.container}`];

  const problems: string[] = [];
  const state = containerStateAt(container, at);
  const shown =
    state === undefined
      ? 'absent'
      : `${state.state}${state.reason === undefined ? '' : ` (${state.reason})`}`;
  if (expectation.state !== undefined && state?.state !== expectation.state)
    problems.push(`expected state ${expectation.state} ${when}, got ${shown}`);
  if (
    expectation.reason !== undefined &&
    (state?.reason === undefined || !expectation.reason.includes(state.reason))
  ) {
    problems.push(`expected reason ${expectation.reason.join(' or ')} ${when}, got ${shown}`);
  }
  // started, violation and pulls count every incarnation of the pod up to the checked time.
  const started = incarnations.some((r) =>
    r.containers.some(
      (c) => c.name === container.name && c.history.some((h) => h.state === 'running' && h.t <= at),
    ),
  );
  if (expectation.started !== undefined && started !== expectation.started)
    problems.push(`expected started ${expectation.started} ${when}, got ${started}`);
  const violation = incarnations.some((r) =>
    r.containers.some(
      (c) => c.name === container.name && c.starts.some((start) => start.violation && start.t <= at),
    ),
  );
  if (expectation.violation !== undefined && violation !== expectation.violation)
    problems.push(`expected violation ${expectation.violation} ${when}, got ${violation}`);
  if (expectation.pulls !== undefined) {
    const pulls = incarnations.reduce(
      (sum, r) =>
        sum +
        (r.containers.find((c) => c.name === container.name)?.pullTimes.filter((t) => t <= at).length ?? 0),
      0,
    );
    const { min, max } = expectation.pulls;
    if ((min !== undefined && pulls < min) || (max !== undefined && pulls > max)) {
      const wanted =
        min === max
          ? `${min}`
          : `${min === undefined ? '' : `at least ${min}`}${min !== undefined && max !== undefined ? ' and ' : ''}${max === undefined ? '' : `at most ${max}`}`;
      problems.push(`expected ${wanted} pulls, got ${pulls}`);
    }
  }
  return problems;
}
