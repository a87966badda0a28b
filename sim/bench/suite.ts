import type { Clock } from '../../src/ports.js';
import { kubeletProfile } from '../../src/profiles.js';
import type { PullRecordsAccessor } from '../../src/pullmanager/accessor.js';
import {
  encodeImagePulledRecord,
  type ImagePulledRecord,
  recordFileName,
} from '../../src/pullmanager/records.js';
import { openRecordStore, parseRecordStoreSpec } from '../../src/strategies/index.js';
import { ticks } from '../../src/time.js';
import { InputError } from '../errors.js';
import type { Mode } from '../scenario/types.js';
import {
  BENCH_STRATEGIES,
  DECISION_IDENTICAL,
  DEFAULT_BENCH_MODES,
  DEFAULT_STARTUP_RECORDS,
} from './defaults.js';

export { BENCH_STRATEGIES, DECISION_IDENTICAL, DEFAULT_BENCH_MODES };

import { SimFileSystem } from '../world/filesystem.js';
import { EPOCH_OFFSET } from '../world/world.js';
import { type BenchRun, runWorkload } from './run.js';
import type { Workload } from './workload.js';

/** Start-up cost of one strategy for one number of stored records. */
export interface StartupRow {
  readonly strategy: string;
  readonly records: number;
  readonly syscalls: number;
  readonly ops: number;
  readonly bytesRead: number;
}

export interface DifferentialRow {
  readonly strategy: string;
  readonly mode: Mode;
  readonly identical: boolean;
  readonly digest: string;
}

/**
 * The least possible I/O of a mode (the issue's yardstick): one write per new image–credential pair and nothing
 * else, taken as the number of pulled-record changes the kubelet's own stack (fs+lru) made in that mode: records
 * written, and records deleted (an image removed by GC takes its record with it; a store that kept the record
 * would decide differently when the digest is pulled again, so the deletion must be durable too).
 */
export interface LeastIo {
  readonly mode: Mode;
  readonly recordChanges: number;
}

export interface BenchSuiteResult {
  readonly workload: Workload;
  readonly runs: readonly BenchRun[];
  readonly leastIo: readonly LeastIo[];
  readonly differential: readonly DifferentialRow[];
  readonly startup: readonly StartupRow[];
}

export interface BenchSuiteOptions {
  readonly strategies?: readonly string[];
  readonly modes?: readonly Mode[];
  /** Record counts for the start-up experiment (default DEFAULT_STARTUP_RECORDS); empty skips it. */
  readonly startupRecords?: readonly number[];
  /** Run the differential check (default true). */
  readonly differential?: boolean;
  readonly onProgress?: (label: string, fraction: number) => void;
}

/** Validates a list of strategy specs (bad input: exit 2). */
export function checkStrategies(strategies: readonly string[]): void {
  const issues = strategies.flatMap((text) => {
    if (text === 'default') return [];
    const parsed = parseRecordStoreSpec(text);
    return parsed.ok
      ? []
      : [
          {
            code: 'invalid_option' as const,
            path: ['--strategies'],
            message: `${JSON.stringify(text)}: ${parsed.error}`,
          },
        ];
  });
  if (issues.length > 0) throw new InputError(issues);
}

/** One independent piece of a benchmark suite: a measured run, a differential digest, or a start-up row. */
export type BenchJob =
  | { readonly kind: 'run'; readonly strategy: string; readonly mode: Mode }
  | { readonly kind: 'digest'; readonly strategy: string; readonly mode: Mode }
  | { readonly kind: 'startup'; readonly strategy: string; readonly records: number };

/** What a job gives: the run, the decisions digest, or the start-up row. */
export type BenchJobResult = BenchRun | string | StartupRow;

/**
 * The jobs of a suite, in report order: the workload under each strategy and mode (measured with the workload's
 * device latencies); the differential check (decision-identical strategies against fs+lru with zero latencies, so
 * timing cannot differ); and start-up I/O against the number of stored records, measured once per start-up path.
 * The jobs are independent, so they may run in any order or in parallel (`runBenchJobsInParallel`).
 */
export function planBenchSuite(options: BenchSuiteOptions = {}): BenchJob[] {
  const { strategies, modes, startupRecords } = withDefaults(options);
  checkStrategies(strategies);
  const jobs: BenchJob[] = [];
  for (const mode of modes) for (const strategy of strategies) jobs.push({ kind: 'run', strategy, mode });
  const identical = strategies.filter((s) => DECISION_IDENTICAL.has(s));
  if (options.differential !== false && identical.length > 0) {
    for (const mode of modes) {
      jobs.push({ kind: 'digest', strategy: 'fs+lru', mode });
      for (const strategy of identical)
        if (strategy !== 'fs+lru') jobs.push({ kind: 'digest', strategy, mode });
    }
  }
  for (const records of startupRecords) {
    const paths = new Set<string>();
    for (const strategy of strategies) {
      const path = startupPath(strategy);
      if (paths.has(path)) continue;
      paths.add(path);
      jobs.push({ kind: 'startup', strategy, records });
    }
  }
  return jobs;
}

/** The suite's strategies, modes and start-up record counts, defaults filled in. */
function withDefaults(options: BenchSuiteOptions) {
  return {
    strategies: options.strategies ?? BENCH_STRATEGIES,
    modes: options.modes ?? DEFAULT_BENCH_MODES,
    startupRecords: options.startupRecords ?? DEFAULT_STARTUP_RECORDS,
  };
}

/** Runs one job of a suite. */
export function runBenchJob(
  workload: Workload,
  job: BenchJob,
  onProgress?: (label: string, fraction: number) => void,
): BenchJobResult {
  switch (job.kind) {
    case 'run': {
      const label = `${job.strategy} · ${job.mode}`;
      return runWorkload(workload, { ...job, onProgress: (f) => onProgress?.(label, f) });
    }
    case 'digest': {
      const label = `differential ${job.strategy} · ${job.mode}`;
      return runWorkload(workload, { ...job, device: 'none', onProgress: (f) => onProgress?.(label, f) })
        .decisionsDigest;
    }
    case 'startup':
      onProgress?.(`start-up ${job.strategy} · ${job.records} records`, 0);
      return measureStartup(job.strategy, job.records, workload);
  }
}

/** The suite's result from its jobs' results (`results[i]` answers `jobs[i]`). */
export function assembleBenchSuite(
  workload: Workload,
  options: BenchSuiteOptions,
  jobs: readonly BenchJob[],
  results: readonly BenchJobResult[],
): BenchSuiteResult {
  const runs: BenchRun[] = [];
  const digests = new Map<string, string>();
  const startupByPath = new Map<string, StartupRow>();
  jobs.forEach((job, i) => {
    const result = results[i];
    if (job.kind === 'run') runs.push(result as BenchRun);
    else if (job.kind === 'digest') digests.set(`${job.mode}\u0000${job.strategy}`, result as string);
    else startupByPath.set(`${job.records}\u0000${startupPath(job.strategy)}`, result as StartupRow);
  });
  const { strategies, modes, startupRecords } = withDefaults(options);
  const differential: DifferentialRow[] = [];
  for (const mode of modes) {
    const baseline = digests.get(`${mode}\u0000fs+lru`);
    if (baseline === undefined) continue;
    for (const strategy of strategies) {
      const digest = DECISION_IDENTICAL.has(strategy) ? digests.get(`${mode}\u0000${strategy}`) : undefined;
      if (digest !== undefined) differential.push({ strategy, mode, identical: digest === baseline, digest });
    }
  }
  const startup = startupRecords.flatMap((records) =>
    strategies.map((strategy) => ({
      ...(startupByPath.get(`${records}\u0000${startupPath(strategy)}`) as StartupRow),
      strategy,
    })),
  );
  const leastIo = modes.flatMap((mode) => {
    const baseline = runs.find(
      (r) => r.mode === mode && (r.strategy === 'fs+lru' || r.strategy === 'default'),
    );
    return baseline === undefined
      ? []
      : [{ mode, recordChanges: baseline.fs.recordWrites + baseline.fs.recordDeletes }];
  });
  return { workload, runs, leastIo, differential, startup };
}

/** The whole benchmark in this thread: every job of `planBenchSuite`, in order. */
export function runBenchSuite(workload: Workload, options: BenchSuiteOptions = {}): BenchSuiteResult {
  const jobs = planBenchSuite(options);
  const results = jobs.map((job) => runBenchJob(workload, job, options.onProgress));
  return assembleBenchSuite(workload, options, jobs, results);
}

/** Which start-up code a strategy runs (strategies on the same path cost the same at start-up). */
function startupPath(strategy: string): string {
  if (strategy === 'fs' || strategy === 'memory') return strategy;
  if (strategy.startsWith('journal')) return 'journal';
  return 'fs+lru';
}

const ROOT = '/var/lib/kubelet';

/**
 * Start-up I/O with `records` pulled records stored: the store is filled (kubelet-format files written directly,
 * without counting; journals through their own accessor), then opened again as at a kubelet restart, counting
 * what that costs (migration or replay, cache warm-up).
 */
export function measureStartup(strategy: string, records: number, workload: Workload): StartupRow {
  const profile = kubeletProfile(workload.kubeletVersion);
  const clock: Clock = { now: () => EPOCH_OFFSET };
  const fs = new SimFileSystem({ countUnder: ROOT });
  const storeOptions = { fs, kubeletRoot: ROOT, profile, clock };
  const spec = strategy === 'default' ? undefined : parseRecordStoreSpec(strategy);
  if (spec !== undefined && !spec.ok)
    throw new InputError({ code: 'invalid_option', path: ['--strategies'], message: spec.error });
  const parsed = spec?.ok ? spec.value : undefined;
  const record = (i: number): ImagePulledRecord => ({
    lastUpdatedTime: ticks(EPOCH_OFFSET),
    imageRef: `sha256:${i.toString(16).padStart(64, '0')}`,
    credentialMapping: {
      [`registry.bench.local/img-${i}`]: {
        kubernetesSecrets: [
          { uid: `uid-${i % 97}`, namespace: `t${i % 97}`, name: 'regcred', credentialHash: 'a'.repeat(64) },
        ],
      },
    },
  });
  if (strategy.startsWith('journal')) {
    const filling: PullRecordsAccessor = openRecordStore(parsed, storeOptions).accessor;
    for (let i = 0; i < records; i++) filling.writeImagePulledRecord(record(i));
  } else if (strategy !== 'memory') {
    const files: Record<string, string> = {};
    for (let i = 0; i < records; i++) {
      const r = record(i);
      files[`pulled/${recordFileName(r.imageRef)}`] = encodeImagePulledRecord(r, profile.recordApiVersion);
    }
    fs.loadFiles(`${ROOT}/image_manager`, files);
  }
  fs.resetCounters();
  openRecordStore(parsed, storeOptions);
  const io = fs.ioTotals();
  return { strategy, records, syscalls: io.syscalls.total, ops: io.ops, bytesRead: io.bytesRead };
}
