import type { KubeletProfile } from '../../src/profiles.js';
import { runScenario } from '../run.js';
import { parseScenario } from '../scenario/load.js';
import { scenarioToYaml } from '../scenario/serialize.js';
import type { Expectation, Mode, Scenario } from '../scenario/types.js';
import { evaluateScenario, type InvariantFailure } from './invariants.js';
import type { SwarmProfile } from './plan.js';

export interface ShrinkOptions {
  readonly modes: readonly Mode[];
  /** Most scenario evaluations the shrinker may spend (bounded, as everything else). */
  readonly budget?: number;
  readonly profileOverrides?: Partial<Omit<KubeletProfile, 'version'>>;
}

export interface ShrinkResult {
  readonly scenario: Scenario;
  readonly failure: InvariantFailure;
  readonly steps: number;
  readonly evaluations: number;
}

/**
 * Delta debugging over the materialised scenario: removes timeline steps, objects, preloaded images, node
 * credentials and unused repositories one at a time, keeping every removal after which the same invariant still
 * fails in the same mode, until nothing more can go or the budget runs out. Each candidate must still be a valid
 * scenario file (it is written out and loaded back), so the result is always replayable with `pullsim run`.
 */
export function shrinkFailure(
  scenario: Scenario,
  failure: InvariantFailure,
  options: ShrinkOptions,
): ShrinkResult {
  const budget = options.budget ?? 400;
  let current = scenario;
  let currentFailure = failure;
  let evaluations = 0;
  let steps = 0;
  const overrides =
    options.profileOverrides === undefined ? {} : { profileOverrides: options.profileOverrides };
  const stillFails = (candidate: Scenario): InvariantFailure | undefined => {
    evaluations++;
    if (!loads(candidate)) return undefined;
    const modes = failure.invariant === 'legacy-superset' ? ['legacy' as Mode, failure.mode] : [failure.mode];
    const verdict = evaluateScenario(candidate, { modes, only: [failure.invariant], ...overrides });
    return verdict.failures.find((f) => f.invariant === failure.invariant && f.mode === failure.mode);
  };
  let progress = true;
  while (progress && evaluations < budget) {
    progress = false;
    for (const candidate of reductions(current)) {
      if (evaluations >= budget) break;
      const found = stillFails(candidate);
      if (found !== undefined) {
        current = candidate;
        currentFailure = found;
        steps++;
        progress = true;
        break;
      }
    }
  }
  return { scenario: current, failure: currentFailure, steps, evaluations };
}

/** Every scenario one element smaller than `s`, largest parts first (timeline, then objects, then the node). */
function* reductions(s: Scenario): Generator<Scenario> {
  for (let i = s.timeline.length - 1; i >= 0; i--)
    yield { ...s, timeline: s.timeline.filter((_, j) => j !== i) };
  for (let i = s.objects.length - 1; i >= 0; i--)
    yield { ...s, objects: s.objects.filter((_, j) => j !== i) };
  for (let n = 0; n < s.nodes.length; n++) {
    const node = s.nodes[n];
    if (node === undefined) continue;
    for (let i = node.images.length - 1; i >= 0; i--) {
      yield {
        ...s,
        nodes: s.nodes.map((x, k) => (k === n ? { ...x, images: x.images.filter((_, j) => j !== i) } : x)),
      };
    }
    if (node.credentials !== undefined) {
      yield { ...s, nodes: s.nodes.map((x, k) => (k === n ? withoutCredentials(x) : x)) };
    }
    if (node.fsFaults !== undefined) {
      yield { ...s, nodes: s.nodes.map((x, k) => (k === n ? withoutFaultRates(x) : x)) };
    }
  }
  for (let r = 0; r < s.registries.length; r++) {
    const registry = s.registries[r];
    if (registry === undefined) continue;
    for (let i = registry.repositories.length - 1; i >= 0; i--) {
      yield {
        ...s,
        registries: s.registries.map((x, k) =>
          k === r ? { ...x, repositories: x.repositories.filter((_, j) => j !== i) } : x,
        ),
      };
    }
  }
}

function withoutFaultRates(node: Scenario['nodes'][number]): Scenario['nodes'][number] {
  const { fsFaults: _faults, ...rest } = node;
  return rest;
}

function withoutCredentials(node: Scenario['nodes'][number]): Scenario['nodes'][number] {
  const { credentials: _credentials, ...rest } = node;
  return rest;
}

/** A candidate must stay a valid scenario file (cross references, preloaded images resolving, …). */
function loads(candidate: Scenario): boolean {
  try {
    parseScenario(scenarioToYaml(candidate), 'candidate.yaml');
    return true;
  } catch {
    return false;
  }
}

/**
 * The scenario file a failure is saved as: the shrunk world, a header saying what failed and how to replay it,
 * and expect lines recording the failing behaviour in the failing mode (so `pullsim check` passes while the bug is
 * there; invert them once it is fixed).
 */
export function failureFile(
  result: ShrinkResult,
  context: { readonly seed: number; readonly index: number; readonly profile: SwarmProfile },
  options: { readonly profileOverrides?: Partial<Omit<KubeletProfile, 'version'>> } = {},
): string {
  const { failure } = result;
  const { result: run } = runScenario(result.scenario, {
    mode: failure.mode,
    keepTrace: false,
    ...(options.profileOverrides === undefined ? {} : { profileOverrides: options.profileOverrides }),
  });
  const expect: Expectation[] = run.containers.map((c) => ({
    pod: c.pod,
    container: c.container,
    modes: [failure.mode],
    state: c.state,
    ...(c.reason === undefined ? {} : { reason: [c.reason] }),
    violation: c.violation,
    started: c.started,
  }));
  const name = `${failure.invariant}-seed${context.seed}-run${context.index}`;
  const scenario: Scenario = {
    ...result.scenario,
    name,
    description: `Found by pullsim fuzz (seed ${context.seed}, run ${context.index}): invariant ${failure.invariant} failed in mode ${failure.mode}${failure.container === undefined ? '' : ` for ${failure.container}`}: ${failure.detail}`,
    expect,
  };
  const header = [
    `pullsim fuzz found this: invariant "${failure.invariant}" failed in mode ${failure.mode}.`,
    failure.detail,
    `Replay the original run: pullsim fuzz --seed ${context.seed} --replay ${context.index}`,
    `Replay this file:        pullsim run <this file> --mode ${failure.mode}`,
    `Shrunk in ${result.steps} steps (${result.evaluations} evaluations).`,
    `The expect lines record the failing behaviour, so pullsim check passes while the bug is present.`,
    `Swarm profile: ${JSON.stringify(context.profile)}`,
    ...(options.profileOverrides === undefined
      ? []
      : [`Kubelet profile overrides in force: ${JSON.stringify(options.profileOverrides)}`]),
  ].join('\n');
  return scenarioToYaml(scenario, header);
}
