import { createHash } from 'node:crypto';
import { TICKS_PER_MILLISECOND, type Ticks, ticks } from '../../src/time.js';
import type { GapClass } from '../gaps.js';
import { runLoop } from '../kernel/loop.js';
import { Trace } from '../kernel/trace.js';
import type { Mode } from '../scenario/types.js';
import type { SimNode } from '../world/node.js';
import type { PodRecord } from '../world/pod-records.js';
import { sumRegistryCounters } from '../world/registry.js';
import { World } from '../world/world.js';
import { PeakMemory, wallMs } from './measure.js';
import { expandWorkload, type Workload } from './workload.js';

/** The figures of one workload run under one record-store strategy and one mode. */
export interface BenchRun {
  readonly workload: string;
  readonly strategy: string;
  readonly mode: Mode;
  readonly device: string;
  readonly podStarts: number;
  readonly containersStarted: number;
  /** Filesystem work under the kubelet root: per pod start, split by path. */
  readonly fs: {
    readonly syscalls: number;
    readonly ops: number;
    readonly bytesRead: number;
    readonly bytesWritten: number;
    /** Point reads while deciding (records and intents read to answer MustAttemptImagePull). */
    readonly decisionOpsPerStart: number;
    /** Everything else pods cause: intent and record writes, deletes, directory checks and metric scans. */
    readonly writeOpsPerStart: number;
    /** Record pruning after image GC: a List that reads every record file, and the deletions. */
    readonly gcOpsPerStart: number;
    readonly syscallsPerStart: number;
    readonly bytesPerStart: number;
    /** Kubelet start-ups: migration, cache warm-up, intent conversion. */
    readonly startupOps: number;
    readonly startupSyscalls: number;
    /** `write` system calls (a journal's appends, a file store's file writes). */
    readonly writeSyscalls: number;
    /** Pulled records replaced on disk by the kubelet's file protocol (renames into pulled/). */
    readonly recordWrites: number;
    /** Pulled-record files deleted (image removals, revocations): with `recordWrites`, the record changes. */
    readonly recordDeletes: number;
  };
  readonly registryRequestsPerStart: number;
  readonly registryRequests: number;
  readonly violationsByClass: Readonly<Record<string, number>>;
  readonly violations: number;
  /** Pod start latency in virtual milliseconds (creation to first running), percentiles over started containers. */
  readonly startLatencyMs: { readonly p50: number; readonly p99: number };
  readonly wallMs: number;
  readonly events: number;
  readonly eventsPerWallSecond: number;
  readonly podStartsPerWallSecond: number;
  readonly peakRssMb: number;
  /** SHA-256 of every EnsureImageExists outcome in order: equal digests ⇔ identical decisions. */
  readonly decisionsDigest: string;
}

export interface BenchRunOptions {
  readonly strategy?: string;
  readonly mode?: Mode;
  /** Override the workload's device latency profile (the differential check uses `none`). */
  readonly device?: string;
  /** Called every few thousand events with the fraction of virtual time done. */
  readonly onProgress?: (fraction: number) => void;
}

/**
 * Runs a workload through the simulator with a record-store strategy and a mode, streaming its timeline and
 * forgetting finished pods, and measures it: filesystem work split into decision and write paths, registry
 * requests, violations by class, pod start latency in virtual time, wall time, events per second and peak memory.
 */
export function runWorkload(workload: Workload, options: BenchRunOptions = {}): BenchRun {
  const strategy = options.strategy ?? 'default';
  const mode = options.mode ?? 'NeverVerifyPreloadedImages';
  const device = options.device ?? workload.device;
  const expanded = expandWorkload(workload);
  const pods = new PodTally();
  const decisions = new DecisionsDigest();
  const world = new World(expanded.scenario, {
    mode,
    seed: workload.seed,
    trace: new Trace({ off: true }),
    timelineStream: expanded.stream(),
    retainPodRecords: false,
    onPodFinished: (record) => pods.add(record),
    onDecision: (line) => decisions.add(line),
    ...(strategy === 'default' ? {} : { recordStore: strategy }),
    device,
  });
  const run = runEvents(world, workload.duration, options.onProgress);
  for (const node of world.nodes.values()) for (const record of node.livePodRecords()) pods.add(record);
  const podStarts = world.api.podsCreated;
  const perStart = (n: number) => (podStarts === 0 ? 0 : n / podStarts);
  const registryRequests = sumRegistryCounters(world.registries.values()).requests;
  const perWallSecond = (n: number) => (run.wallMs === 0 ? 0 : n / (run.wallMs / 1000));
  return {
    workload: workload.name,
    strategy,
    mode,
    device,
    podStarts,
    containersStarted: pods.containersStarted,
    fs: fsFigures([...world.nodes.values()][0], perStart),
    registryRequestsPerStart: perStart(registryRequests),
    registryRequests,
    violationsByClass: pods.violationsByClass,
    violations: pods.violations,
    startLatencyMs: pods.startLatencyMs(),
    wallMs: run.wallMs,
    events: run.events,
    eventsPerWallSecond: perWallSecond(run.events),
    podStartsPerWallSecond: perWallSecond(podStarts),
    peakRssMb: run.peakBytes / (1024 * 1024),
    decisionsDigest: decisions.digest(),
  };
}

/** What the pods of a run add up to, from their records: containers started, start latencies, violations. */
class PodTally {
  containersStarted = 0;
  violations = 0;
  readonly violationsByClass: Record<string, number> = {};
  /** Virtual milliseconds from pod creation to each container's first start. */
  readonly #latencies: number[] = [];

  /** Counts one pod: as it finishes, or at the end for the pods still live. */
  add(record: PodRecord): void {
    const created = record.containers[0]?.history[0]?.t ?? 0;
    for (const container of record.containers) {
      if (container.firstStartedAt !== undefined) {
        this.containersStarted++;
        this.#latencies.push((container.firstStartedAt - created) / TICKS_PER_MILLISECOND);
      }
      for (const start of container.starts) {
        if (!start.violation) continue;
        this.violations++;
        const gap: GapClass = start.gap ?? 'unexplained';
        this.violationsByClass[gap] = (this.violationsByClass[gap] ?? 0) + 1;
      }
    }
  }

  /** The median and 99th percentile of the start latencies (nearest rank), 0 when no container started. */
  startLatencyMs(): BenchRun['startLatencyMs'] {
    const sorted = this.#latencies.sort((a, b) => a - b);
    const percentile = (p: number) =>
      sorted.length === 0
        ? 0
        : (sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number);
    return { p50: percentile(50), p99: percentile(99) };
  }
}

/** SHA-256 of every EnsureImageExists outcome line in order, fed to the hash in chunks of about 64 KiB. */
class DecisionsDigest {
  readonly #hash = createHash('sha256');
  #pending = '';

  add(line: string): void {
    // The digest of the concatenation does not depend on how it is fed to the hash.
    this.#pending += `${line}\n`;
    if (this.#pending.length > 65_536) {
      this.#hash.update(this.#pending);
      this.#pending = '';
    }
  }

  digest(): string {
    return `sha256:${this.#hash.update(this.#pending).digest('hex')}`;
  }
}

/**
 * Handles the world's events up to `until`, sampling peak memory and reporting progress every 16,384 events:
 * the only part of a bench run that wall time and memory are measured over.
 */
function runEvents(
  world: World,
  until: Ticks,
  onProgress: ((fraction: number) => void) | undefined,
): { readonly events: number; readonly wallMs: number; readonly peakBytes: number } {
  const memory = new PeakMemory();
  const started = wallMs();
  let events = 0;
  const outcome = runLoop(
    world.queue,
    world.clock,
    ({ event }) => {
      world.handle(event);
      events++;
      if ((events & 0x3fff) === 0) {
        memory.sample();
        onProgress?.(world.clock.now() / until);
      }
    },
    { until, maxSteps: 200_000_000, maxTicks: ticks(until) },
  );
  const elapsed = wallMs() - started;
  memory.sample();
  return { events: outcome.steps, wallMs: elapsed, peakBytes: memory.peakBytes };
}

/**
 * The node's filesystem work under the kubelet root, split by path: start-ups, the record pruning that follows
 * image GC, and what pods cause, divided into the decision's point reads and everything else.
 */
function fsFigures(node: SimNode | undefined, perStart: (n: number) => number): BenchRun['fs'] {
  const io = node?.fs.ioTotals();
  const startup = node?.startupIo ?? { ops: 0, syscalls: 0, reads: 0 };
  const gc = node?.gcIo ?? { ops: 0, syscalls: 0, reads: 0 };
  // Pod-driven work: everything but start-ups and the record pruning that follows image GC.
  const podReads = (io?.reads ?? 0) - startup.reads - gc.reads;
  const podOps = (io?.ops ?? 0) - startup.ops - gc.ops;
  return {
    syscalls: io?.syscalls.total ?? 0,
    ops: io?.ops ?? 0,
    bytesRead: io?.bytesRead ?? 0,
    bytesWritten: io?.bytesWritten ?? 0,
    decisionOpsPerStart: perStart(podReads),
    writeOpsPerStart: perStart(podOps - podReads),
    gcOpsPerStart: perStart(gc.ops),
    syscallsPerStart: perStart((io?.syscalls.total ?? 0) - startup.syscalls),
    bytesPerStart: perStart((io?.bytesRead ?? 0) + (io?.bytesWritten ?? 0)),
    startupOps: startup.ops,
    startupSyscalls: startup.syscalls,
    writeSyscalls: io?.syscalls.write ?? 0,
    recordWrites: node?.fs.renamesInto(`${node.kubeletRoot}/image_manager/pulled`) ?? 0,
    recordDeletes: node?.fs.filesRemovedFrom(`${node.kubeletRoot}/image_manager/pulled`) ?? 0,
  };
}
