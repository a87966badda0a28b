import { lookupPullCredentials } from '../../src/credentials/index.js';
import type { KubeletProfile } from '../../src/profiles.js';
import { recordFileName } from '../../src/pullmanager/records.js';
import { parseNormalizedNamed } from '../../src/reference/index.js';
import type { GapClass } from '../gaps.js';
import { type RunOutput, runScenario } from '../run.js';
import type { Mode, Scenario } from '../scenario/types.js';
import type { SimNode } from '../world/node.js';
import type { World } from '../world/world.js';

/** The invariants a campaign checks, by their short stable names. */
export const INVARIANTS = [
  'determinism',
  'safety',
  'legacy-superset',
  'fail-safe',
  'no-lost-records',
  'liveness',
] as const;
export type InvariantName = (typeof INVARIANTS)[number];

import { DEFAULT_FUZZ_MODES } from './defaults.js';

export { DEFAULT_FUZZ_MODES };

export interface InvariantFailure {
  readonly invariant: InvariantName;
  readonly mode: Mode;
  /** `namespace/pod/container` when one container shows it. */
  readonly container?: string;
  readonly detail: string;
}

export interface ScenarioVerdict {
  readonly failures: readonly InvariantFailure[];
  readonly findings: Readonly<Record<string, number>>;
  /** Simulations run to check this scenario. */
  readonly simulations: number;
}

export interface EvaluateOptions {
  readonly modes?: readonly Mode[];
  readonly profileOverrides?: Partial<Omit<KubeletProfile, 'version'>>;
  /** Only these invariants (the shrinker re-checks just the one that failed). */
  readonly only?: readonly InvariantName[];
}

const GATE_ON: ReadonlySet<Mode> = new Set([
  'NeverVerify',
  'NeverVerifyPreloadedImages',
  'NeverVerifyAllowlistedImages',
  'AlwaysVerify',
]);

/** Whether a scenario injects faults (fsFault actions or fault rates). */
export function hasFaults(scenario: Scenario): boolean {
  return (
    scenario.nodes.some((n) => n.fsFaults !== undefined) ||
    scenario.timeline.some((s) => 'action' in s && s.action.action === 'fsFault')
  );
}

/** The same scenario with every fault removed (the fail-safe invariant's twin). */
export function withoutFaults(scenario: Scenario): Scenario {
  return {
    ...scenario,
    nodes: scenario.nodes.map(({ fsFaults: _faults, ...node }) => node),
    timeline: scenario.timeline.filter((s) => !('action' in s && s.action.action === 'fsFault')),
  };
}

/**
 * Runs a scenario in each mode and checks the campaign invariants:
 * - `determinism`: the same scenario and seed give the same trace hash (the last mode is run twice);
 * - `safety`: every violation in a fixed mode (gate on) or under always-pull is a documented gap (sim/gaps.ts);
 * - `legacy-superset`: every container a fixed mode starts, legacy starts too;
 * - `fail-safe`: faults never add a violation that is not a documented gap (checked against the faultless twin);
 * - `no-lost-records`: with the gate on, every image the kubelet pulled and the runtime still has has a pulled
 *   record, or an intent for the pulled name (a failed record write keeps it), unless the records were deleted
 *   after the pull, or before it while the same kubelet process kept them in its cache;
 * - `liveness`: at the end (7 minutes after the last step, longer than any back-off), every container that may
 *   pull (IfNotPresent or Always) and whose pod's own credentials the registry accepts for an existing tag runs.
 */
export function evaluateScenario(scenario: Scenario, options: EvaluateOptions = {}): ScenarioVerdict {
  const modes = options.modes ?? DEFAULT_FUZZ_MODES;
  const checks = new Set<InvariantName>(options.only ?? INVARIANTS);
  const verdict = new Verdict();
  let simulations = 0;
  const overrides =
    options.profileOverrides === undefined ? {} : { profileOverrides: options.profileOverrides };
  const run = (s: Scenario, mode: Mode, hashed: boolean): RunOutput => {
    simulations++;
    return runScenario(s, { mode, keepTrace: false, traceOff: !hashed, ...overrides });
  };
  const lastMode = modes[modes.length - 1];
  const runs = new Map<Mode, RunOutput>();
  for (const mode of modes)
    runs.set(mode, run(scenario, mode, checks.has('determinism') && mode === lastMode));

  if (checks.has('determinism') && lastMode !== undefined)
    checkDeterminism(verdict, lastMode, runs.get(lastMode) as RunOutput, run(scenario, lastMode, true));
  checkSafety(verdict, runs, checks.has('safety'));
  const legacy = runs.get('legacy');
  if (checks.has('legacy-superset') && legacy !== undefined) checkLegacySuperset(verdict, runs, legacy);
  if (checks.has('fail-safe') && hasFaults(scenario)) {
    const clean = withoutFaults(scenario);
    checkFailSafe(verdict, modes, runs, (mode) => run(clean, mode, false));
  }
  for (const [mode, output] of runs) {
    if (checks.has('no-lost-records') && GATE_ON.has(mode)) checkNoLostRecords(verdict, mode, output.world);
    if (checks.has('liveness')) verdict.failures.push(...notLive(mode, output.world));
  }
  return { failures: verdict.failures, findings: verdict.findings, simulations };
}

/** The failures and findings of one scenario, as the invariants add them. */
class Verdict {
  readonly failures: InvariantFailure[] = [];
  readonly findings: Record<string, number> = {};

  /** Counts `n` more findings of one class. */
  find(key: string, n = 1): void {
    this.findings[key] = (this.findings[key] ?? 0) + n;
  }
}

/** `determinism`: the same scenario run again in the same mode gives the same trace hash. */
function checkDeterminism(verdict: Verdict, mode: Mode, first: RunOutput, again: RunOutput): void {
  if (again.result.traceHash === first.result.traceHash) return;
  verdict.failures.push({
    invariant: 'determinism',
    mode,
    detail: `trace hash ${first.result.traceHash} then ${again.result.traceHash}`,
  });
}

/**
 * `safety`: outside legacy, a violation is a failure when it is unexplained, or under always-pull anything but a
 * start race; the documented gaps a mode with the gate on shows are counted as findings (whether or not
 * `safety` is checked).
 */
function checkSafety(verdict: Verdict, runs: ReadonlyMap<Mode, RunOutput>, checked: boolean): void {
  for (const [mode, output] of runs) {
    for (const violation of violations(output.world)) {
      if (mode === 'legacy') continue;
      if (violation.gap === 'unexplained' || (mode === 'always-pull' && violation.gap !== 'start-race')) {
        if (checked) {
          verdict.failures.push({
            invariant: 'safety',
            mode,
            container: violation.container,
            detail: `started in violation at ${violation.t} µs: ${violation.why}`,
          });
        }
      } else if (GATE_ON.has(mode)) {
        verdict.find(violation.gap);
      }
    }
  }
}

/** `legacy-superset`: every container a mode with the gate on starts, legacy starts too. */
function checkLegacySuperset(verdict: Verdict, runs: ReadonlyMap<Mode, RunOutput>, legacy: RunOutput): void {
  const legacyStarted = new Set(
    legacy.result.containers.filter((c) => c.started).map((c) => `${c.pod}/${c.container}`),
  );
  for (const [mode, output] of runs) {
    if (!GATE_ON.has(mode)) continue;
    for (const c of output.result.containers) {
      if (c.started && !legacyStarted.has(`${c.pod}/${c.container}`)) {
        verdict.failures.push({
          invariant: 'legacy-superset',
          mode,
          container: `${c.pod}/${c.container}`,
          detail: 'started in this mode but not under legacy',
        });
      }
    }
  }
}

/**
 * `fail-safe`: against the faultless twin (`runClean`), every violation the faults added is a documented gap,
 * counted as a `fault-added:` finding; an unexplained one is a failure.
 */
function checkFailSafe(
  verdict: Verdict,
  modes: readonly Mode[],
  runs: ReadonlyMap<Mode, RunOutput>,
  runClean: (mode: Mode) => RunOutput,
): void {
  for (const mode of modes) {
    if (!GATE_ON.has(mode)) continue;
    const cleanViolations = new Set(violations(runClean(mode).world).map((v) => v.container));
    for (const violation of violations((runs.get(mode) as RunOutput).world)) {
      if (cleanViolations.has(violation.container)) continue;
      if (violation.gap === 'unexplained') {
        verdict.failures.push({
          invariant: 'fail-safe',
          mode,
          container: violation.container,
          detail: `a fault added an unexplained violation: ${violation.why}`,
        });
      } else {
        verdict.find(`fault-added:${violation.gap}`);
      }
    }
  }
}

/** `no-lost-records` in one mode with the gate on: a failure without write faults, a finding with them. */
function checkNoLostRecords(verdict: Verdict, mode: Mode, world: World): void {
  const lost = lostRecords(mode, world);
  // With write faults the kubelet itself can lose a record: the write fails, the intent stays, and after a
  // restart (counters at 0) the next finished pull of the same image string deletes that intent
  // (docs/kubelet-model.md#start-up-and-pruning). A documented weakness, reported as a finding; without faults a
  // loss is a bug.
  if (writeFaultsInjected(world)) {
    if (lost.length > 0) verdict.find('fault-lost-record', lost.length);
  } else {
    verdict.failures.push(...lost);
  }
}

interface ViolationStart {
  readonly container: string;
  readonly t: number;
  readonly gap: GapClass;
  readonly why: string;
}

function violations(world: World): ViolationStart[] {
  const out: ViolationStart[] = [];
  for (const record of world.podRecords) {
    for (const container of record.containers) {
      for (const start of container.starts) {
        if (start.violation)
          out.push({
            container: `${record.key}/${container.name}`,
            t: start.t,
            gap: start.gap ?? 'unexplained',
            why: start.why,
          });
      }
    }
  }
  return out;
}

function writeFaultsInjected(world: World): boolean {
  for (const node of world.nodes.values()) {
    const f = node.fs.faultsInjected;
    if (f.writeError + f.enospc + f.crashBeforeRename + f.corrupt > 0) return true;
  }
  return false;
}

function lostRecords(mode: Mode, world: World): InvariantFailure[] {
  const failures: InvariantFailure[] = [];
  for (const node of world.nodes.values()) {
    const present = new Set(node.runtime.listImages().map((image) => image.id));
    const root = `${node.kubeletRoot}/image_manager`;
    for (const pull of node.pullLog) {
      if (!present.has(pull.imageRef)) continue;
      // Records wiped after the pull are gone by design; wiped before it, the kubelet's in-memory cache (1.35+) still
      // holds them until it restarts, so an unchanged record is not rewritten
      // (docs/kubelet-model.md#the-in-memory-cache).
      const staleCache = (d: number) =>
        d < pull.t && !node.kubeletStartedAt.some((s) => s > d && s <= pull.t);
      if (node.recordsDeletedAt.some((d) => d >= pull.t || staleCache(d))) continue;
      const record = node.fs.exists(`${root}/pulled/${recordFileName(pull.imageRef)}`);
      const intent = node.fs.exists(`${root}/pulling/${recordFileName(pull.image)}`);
      if (!record && !intent) {
        failures.push({
          invariant: 'no-lost-records',
          mode,
          detail: `${pull.image} (${pull.imageRef}) was pulled at ${pull.t} µs but neither a record nor an intent is on disk`,
        });
      }
    }
  }
  return failures;
}

function notLive(mode: Mode, world: World): InvariantFailure[] {
  const failures: InvariantFailure[] = [];
  const latest = new Map<string, World['podRecords'][number]>();
  for (const record of world.podRecords) latest.set(record.key, record);
  for (const record of latest.values()) {
    if (record.deleted || world.api.getPod(record.pod.namespace, record.pod.name)?.uid !== record.pod.uid)
      continue;
    const node = world.nodes.get(record.pod.nodeName);
    if (node === undefined) continue;
    for (const container of record.containers) {
      if (container.state === 'running' || container.imagePullPolicy === 'Never') continue;
      if (!pullableByPod(world, node, record.pod, container.image)) continue;
      failures.push({
        invariant: 'liveness',
        mode,
        container: `${record.key}/${container.name}`,
        detail: `its own credentials may pull ${container.image}, yet it is ${container.state}${container.reason === undefined ? '' : ` (${container.reason})`} at the end`,
      });
    }
  }
  return failures;
}

/**
 * Whether the kubelet could pull the image for this pod right now: registry up, tag present, and one of the
 * credentials the kubelet would send (pod secrets, node config, provider tokens; anonymous when there are none)
 * accepted. A wrong password is refused even for a public repository, as real registries do.
 */
function pullableByPod(
  world: World,
  node: SimNode,
  pod: World['podRecords'][number]['pod'],
  image: string,
): boolean {
  const parsed = parseNormalizedNamed(image);
  if (!parsed.ok) return false;
  const registry = world.registries.get(parsed.value.domain);
  if (registry === undefined || registry.isDown) return false;
  const reference = parsed.value.digest ?? parsed.value.tag ?? 'latest';
  if (registry.resolve(parsed.value.path, reference) === undefined) return false;
  const secrets = pod.imagePullSecrets.flatMap((name) => {
    const secret = world.api.getSecret(pod.namespace, name);
    return secret === undefined ? [] : [secret];
  });
  const credentials = lookupPullCredentials(parsed.value.name, {
    pullSecrets: secrets,
    nodeConfig: node.credentials.nodeDockerConfig(),
    plugins: node.credentials.plugins(),
    serviceAccount: world.api.getServiceAccount(pod.namespace, pod.serviceAccountName),
    serviceAccountName: pod.serviceAccountName,
    serviceAccountTracking: true,
    computeHashes: false,
  });
  if (!credentials.ok) return false;
  if (credentials.credentials.length === 0) return registry.wouldAuthorize(parsed.value.path, undefined);
  return credentials.credentials.some((c) =>
    registry.wouldAuthorize(parsed.value.path, { username: c.username, password: c.password }),
  );
}
