import { createHash } from 'node:crypto';
import { TICKS_PER_MILLISECOND, ticks } from '../../src/time.js';
import type { GapClass } from '../gaps.js';
import { runLoop } from '../kernel/loop.js';
import { Trace } from '../kernel/trace.js';
import type { Mode } from '../scenario/types.js';
import type { PodRecord } from '../world/pod-records.js';
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
  const decisions = createHash('sha256');
  let pendingDecisions = '';
  let podStarts = 0;
  let containersStarted = 0;
  let violations = 0;
  const violationsByClass: Record<string, number> = {};
  const latencies: number[] = [];
  const account = (record: PodRecord) => {
    const created = record.containers[0]?.history[0]?.t ?? 0;
    for (const container of record.containers) {
      if (container.firstStartedAt !== undefined) {
        containersStarted++;
        latencies.push((container.firstStartedAt - created) / TICKS_PER_MILLISECOND);
      }
      for (const start of container.starts) {
        if (!start.violation) continue;
        violations++;
        const gap: GapClass = start.gap ?? 'unexplained';
        violationsByClass[gap] = (violationsByClass[gap] ?? 0) + 1;
      }
    }
  };
  const world = new World(expanded.scenario, {
    mode,
    seed: workload.seed,
    trace: new Trace({ off: true }),
    timelineStream: expanded.stream(),
    retainPodRecords: false,
    onPodFinished: account,
    onDecision: (line) => {
      // Hashed in chunks: the digest of the concatenation does not depend on how it is fed to the hash.
      pendingDecisions += `${line}\n`;
      if (pendingDecisions.length > 65_536) {
        decisions.update(pendingDecisions);
        pendingDecisions = '';
      }
    },
    ...(strategy === 'default' ? {} : { recordStore: strategy }),
    device,
  });
  const memory = new PeakMemory();
  const started = wallMs();
  let events = 0;
  const until = workload.duration;
  const outcome = runLoop(
    world.queue,
    world.clock,
    ({ event }) => {
      world.handle(event);
      events++;
      if ((events & 0x3fff) === 0) {
        memory.sample();
        options.onProgress?.(world.clock.now() / until);
      }
    },
    { until, maxSteps: 200_000_000, maxTicks: ticks(until) },
  );
  const elapsed = wallMs() - started;
  memory.sample();
  for (const node of world.nodes.values()) for (const record of node.livePodRecords()) account(record);
  podStarts = world.api.podsCreated;

  const node = [...world.nodes.values()][0];
  const io = node?.fs.ioTotals();
  const startup = node?.startupIo ?? { ops: 0, syscalls: 0, reads: 0 };
  const perStart = (n: number) => (podStarts === 0 ? 0 : n / podStarts);
  const registryRequests = [...world.registries.values()].reduce((sum, r) => sum + r.counters.requests, 0);
  const sorted = latencies.sort((a, b) => a - b);
  const percentile = (p: number) =>
    sorted.length === 0
      ? 0
      : (sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number);
  const gc = node?.gcIo ?? { ops: 0, syscalls: 0, reads: 0 };
  // Pod-driven work: everything but start-ups and the record pruning that follows image GC.
  const podReads = (io?.reads ?? 0) - startup.reads - gc.reads;
  const podOps = (io?.ops ?? 0) - startup.ops - gc.ops;
  return {
    workload: workload.name,
    strategy,
    mode,
    device,
    podStarts,
    containersStarted,
    fs: {
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
    },
    registryRequestsPerStart: perStart(registryRequests),
    registryRequests,
    violationsByClass,
    violations,
    startLatencyMs: { p50: percentile(50), p99: percentile(99) },
    wallMs: elapsed,
    events: outcome.steps,
    eventsPerWallSecond: elapsed === 0 ? 0 : outcome.steps / (elapsed / 1000),
    podStartsPerWallSecond: elapsed === 0 ? 0 : podStarts / (elapsed / 1000),
    peakRssMb: memory.peakBytes / (1024 * 1024),
    decisionsDigest: `sha256:${decisions.update(pendingDecisions).digest('hex')}`,
  };
}
