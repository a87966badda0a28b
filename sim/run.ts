import type { KubeletProfile } from '../src/profiles.js';
import { seriesName } from '../src/pullmanager/metrics.js';
import { formatDuration, type Ticks } from '../src/time.js';
import { type LoopOutcomeKind, runLoop } from './kernel/loop.js';
import { Trace } from './kernel/trace.js';
import type { RunMode, Scenario } from './scenario/types.js';
import type { SimNode } from './world/node.js';
import type { ContainerStatus, PodRecord } from './world/pod-records.js';
import { type RegistryCounters, sumRegistryCounters } from './world/registry.js';
import { scenarioEnd, World } from './world/world.js';

/** One container in the result (docs/contract.md §4). */
export interface ContainerResult {
  readonly pod: string;
  readonly container: string;
  readonly node: string;
  readonly image: string;
  readonly imagePullPolicy: string;
  readonly state: 'running' | 'waiting' | 'terminated';
  readonly reason?: string;
  readonly message?: string;
  readonly pulls: number;
  readonly started: boolean;
  readonly violation: boolean;
  readonly imageRef?: string;
}

/** Every registry's requests, pulls, failures by kind and bytes, added up. */
export type RegistryTotals = RegistryCounters;

/** The result JSON of one scenario in one mode (docs/contract.md §4). */
export interface RunResult {
  readonly apiVersion: 'pullsim/v1alpha1';
  readonly kind: 'Result';
  readonly scenario: string;
  readonly mode: RunMode;
  readonly kubeletVersion: string;
  readonly seed: number;
  readonly traceHash: string;
  readonly endTime: string;
  /** How the run loop ended: `until` normally; a budget outcome means the run was cut short. */
  readonly outcome: LoopOutcomeKind;
  readonly containers: readonly ContainerResult[];
  readonly totals: {
    readonly containersStarted: number;
    readonly violations: number;
    /** Containers not running at the end although their pod still exists. */
    readonly containersNotRunning: number;
    readonly registry: RegistryTotals;
    readonly io: Record<string, unknown>;
    readonly kubelet: { readonly starts: number; readonly crashes: number; readonly panics: number };
  };
  readonly nodes: readonly NodeResult[];
}

/** One node at the end of the run. */
export interface NodeResult {
  readonly name: string;
  /** With `includeFiles`: the final image_manager/ files, by path. */
  readonly imageManagerFiles?: Readonly<Record<string, string>>;
  /** With `metrics`, while the kubelet runs: its image-manager series (`name{label="v"}`) and their values. */
  readonly metrics?: Readonly<Record<string, number>>;
}

export interface RunOptions {
  /** Default: the scenario's own configuration (`as-configured`). */
  readonly mode?: RunMode;
  /** Default: the scenario's seed. */
  readonly seed?: number;
  /** Keep the trace records in memory (for `--trace` and timelines). Default true. */
  readonly keepTrace?: boolean;
  /** Skip tracing entirely (the result's traceHash is then meaningless); for campaign runs that only need results. */
  readonly traceOff?: boolean;
  /** Switch individual kubelet behaviours of the scenario's profile (what-if studies, planted bugs in tests). */
  readonly profileOverrides?: Partial<Omit<KubeletProfile, 'version'>>;
  /** Put the final image_manager/ files of each node in the result. */
  readonly includeFiles?: boolean;
  /** Put each node's image-manager metrics, as a scrape at the end would see them, in the result. */
  readonly metrics?: boolean;
  /** Safety bound on events handled. */
  readonly maxSteps?: number;
}

export interface RunOutput {
  readonly result: RunResult;
  readonly trace: Trace;
  readonly world: World;
}

/**
 * Runs one scenario in one mode and returns the contract's result JSON, the trace and the final world.
 *
 * @example
 * const { result } = runScenario(scenario, { mode: 'AlwaysVerify' });
 * expect(result.totals.violations).toBe(0);
 */
export function runScenario(scenario: Scenario, options: RunOptions = {}): RunOutput {
  const {
    mode = 'as-configured',
    seed = scenario.seed,
    keepTrace = true,
    traceOff = false,
    includeFiles = false,
    metrics = false,
    maxSteps = 20_000_000,
  } = options;
  const trace = new Trace({ keep: keepTrace, off: traceOff });
  const world = new World(scenario, {
    mode,
    seed,
    trace,
    ...(options.profileOverrides === undefined ? {} : { profileOverrides: options.profileOverrides }),
  });
  const until = scenarioEnd(scenario);
  const outcome = runLoop(world.queue, world.clock, ({ event }) => world.handle(event), {
    until,
    maxSteps,
    maxTicks: until,
  });
  const containers = containerResults(world.podRecords);
  const totals = {
    containersStarted: containers.filter((c) => c.started).length,
    violations: containers.filter((c) => c.violation).length,
    containersNotRunning: containers.filter((c) => c.state === 'waiting').length,
    registry: sumRegistryCounters(world.registries.values()),
    io: ioTotals(world),
    kubelet: kubeletTotals(world),
  };
  trace.append({
    t: world.clock.now(),
    kind: 'run.end',
    outcome: outcome.kind,
    steps: outcome.steps,
    totals,
  });
  const result: RunResult = {
    apiVersion: 'pullsim/v1alpha1',
    kind: 'Result',
    scenario: scenario.name,
    mode,
    kubeletVersion: scenario.kubelet.version,
    seed,
    traceHash: trace.hash,
    endTime: formatDuration(world.clock.now()),
    outcome: outcome.kind,
    containers,
    totals,
    nodes: [...world.nodes.values()].map((node) => nodeResult(node, includeFiles, metrics)),
  };
  return { result, trace, world };
}

function nodeResult(node: SimNode, includeFiles: boolean, metrics: boolean): NodeResult {
  const families = metrics ? node.imageManagerMetrics : undefined;
  return {
    name: node.name,
    ...(includeFiles
      ? { imageManagerFiles: node.fs.snapshotFiles(`${node.kubeletRoot}/image_manager`) }
      : {}),
    ...(families === undefined
      ? {}
      : {
          metrics: Object.fromEntries(
            families.flatMap((f) => f.samples.map((s) => [seriesName(f.name, s.labels), s.value] as const)),
          ),
        }),
  };
}

/** One entry per (pod, container): the latest incarnation's state, with pulls summed and started/violation ever. */
export function containerResults(records: readonly PodRecord[]): ContainerResult[] {
  const byKey = new Map<
    string,
    { record: PodRecord; container: ContainerStatus; pulls: number; started: boolean; violation: boolean }
  >();
  for (const record of records) {
    for (const container of record.containers) {
      const key = `${record.key}\u0000${container.name}`;
      const previous = byKey.get(key);
      byKey.set(key, {
        record,
        container,
        pulls: (previous?.pulls ?? 0) + container.pulls,
        started: (previous?.started ?? false) || container.started,
        violation: (previous?.violation ?? false) || container.violation,
      });
    }
  }
  const out: ContainerResult[] = [];
  for (const key of [...byKey.keys()].sort()) {
    const entry = byKey.get(key)!;
    const { record, container } = entry;
    out.push({
      pod: record.key,
      container: container.name,
      node: record.pod.nodeName,
      image: container.image,
      imagePullPolicy: container.imagePullPolicy,
      state: publicState(container),
      ...(container.reason === undefined ? {} : { reason: container.reason }),
      ...(container.message === undefined ? {} : { message: container.message }),
      pulls: entry.pulls,
      started: entry.started,
      violation: entry.violation,
      ...(container.imageRef === undefined ? {} : { imageRef: container.imageRef }),
    });
  }
  return out;
}

function publicState(container: ContainerStatus): 'running' | 'waiting' | 'terminated' {
  if (container.state === 'running') return 'running';
  if (container.state === 'exited' || container.state === 'terminated') return 'terminated';
  return 'waiting';
}

/** The contract state and reason of a container at virtual time `t`, from its history. */
export function containerStateAt(
  container: ContainerStatus,
  t: Ticks,
): { state: 'running' | 'waiting' | 'terminated'; reason?: string } | undefined {
  let found: ContainerStatus['history'][number] | undefined;
  for (const entry of container.history) {
    if (entry.t > t) break;
    found = entry;
  }
  if (found === undefined) return undefined;
  const state =
    found.state === 'running'
      ? 'running'
      : found.state === 'exited' || found.state === 'terminated'
        ? 'terminated'
        : 'waiting';
  return found.reason === undefined ? { state } : { state, reason: found.reason };
}

function ioTotals(world: World): Record<string, unknown> {
  const sum: Record<string, number> = {};
  const syscalls: Record<string, number> = {};
  for (const node of world.nodes.values()) {
    const io = node.fs.ioTotals() as unknown as Record<string, unknown>;
    for (const [key, value] of Object.entries(io)) {
      if (typeof value === 'number') sum[key] = (sum[key] ?? 0) + value;
      else if (key === 'syscalls' && value !== null && typeof value === 'object') {
        for (const [name, count] of Object.entries(value as Record<string, number>))
          syscalls[name] = (syscalls[name] ?? 0) + count;
      }
    }
  }
  return { ...sum, syscalls };
}

function kubeletTotals(world: World): { starts: number; crashes: number; panics: number } {
  let starts = 0;
  let crashes = 0;
  let panics = 0;
  for (const node of world.nodes.values()) {
    starts += node.stats.kubeletStarts;
    crashes += node.stats.kubeletCrashes;
    panics += node.stats.kubeletPanics;
  }
  return { starts, crashes, panics };
}
