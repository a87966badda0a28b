import type { Clock } from '../../src/ports.js';
import { kubeletProfile } from '../../src/profiles.js';
import type { PullRecordsAccessor } from '../../src/pullmanager/accessor.js';
import {
  encodeImagePulledRecord,
  type ImagePulledRecord,
  recordFileName,
} from '../../src/pullmanager/records.js';
import { openRecordStore, parseRecordStoreSpec } from '../../src/pullmanager/strategies/index.js';
import { ticks } from '../../src/time.js';
import { InputError } from '../errors.js';
import type { Mode } from '../scenario/types.js';
import { SimFileSystem } from '../world/filesystem.js';
import { EPOCH_OFFSET } from '../world/world.js';
import { type BenchRun, runWorkload } from './run.js';
import type { Workload } from './workload.js';

/** Every strategy the benchmark knows, in report order (`default` is the profile's own stack, i.e. fs+lru in 1.35+). */
export const BENCH_STRATEGIES = [
  'fs',
  'fs+lru',
  'fs+lru:4096/16384',
  'memory',
  'ttl:1h',
  'revoke-on-delete',
  'journal',
  'journal:volatile-intents',
] as const;

/** Strategies meant to decide exactly as the kubelet does: the differential check compares them with `fs+lru`. */
export const DECISION_IDENTICAL = new Set([
  'fs',
  'fs+lru',
  'fs+lru:4096/16384',
  'journal',
  'journal:volatile-intents',
]);

export const DEFAULT_BENCH_MODES: readonly Mode[] = ['NeverVerifyPreloadedImages', 'AlwaysVerify'];

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
    return parsed.ok ? [] : [{ path: '--strategies', message: `${JSON.stringify(text)}: ${parsed.error}` }];
  });
  if (issues.length > 0) throw new InputError(issues);
}

/**
 * The benchmark: the workload under each strategy and mode (measured with the workload's device latencies), the
 * differential check (decision-identical strategies against fs+lru with zero latencies, so timing cannot differ),
 * and start-up I/O against the number of stored records.
 */
export function runBenchSuite(workload: Workload, options: BenchSuiteOptions = {}): BenchSuiteResult {
  const strategies = options.strategies ?? BENCH_STRATEGIES;
  const modes = options.modes ?? DEFAULT_BENCH_MODES;
  checkStrategies(strategies);
  const runs: BenchRun[] = [];
  for (const mode of modes) {
    for (const strategy of strategies) {
      const label = `${strategy} · ${mode}`;
      runs.push(runWorkload(workload, { strategy, mode, onProgress: (f) => options.onProgress?.(label, f) }));
    }
  }
  const differential: DifferentialRow[] = [];
  if (options.differential !== false) {
    const identical = strategies.filter((s) => DECISION_IDENTICAL.has(s));
    for (const mode of modes) {
      if (identical.length === 0) continue;
      const digestOf = (strategy: string) =>
        runWorkload(workload, {
          strategy,
          mode,
          device: 'none',
          onProgress: (f) => options.onProgress?.(`differential ${strategy} · ${mode}`, f),
        }).decisionsDigest;
      const baseline = digestOf('fs+lru');
      for (const strategy of identical) {
        const digest = strategy === 'fs+lru' ? baseline : digestOf(strategy);
        differential.push({ strategy, mode, identical: digest === baseline, digest });
      }
    }
  }
  const startup = measureStartupRows(
    strategies,
    options.startupRecords ?? DEFAULT_STARTUP_RECORDS,
    workload,
    options.onProgress,
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

/** Record counts of the start-up experiment unless told otherwise. */
export const DEFAULT_STARTUP_RECORDS: readonly number[] = [1_000, 10_000, 100_000];

/**
 * The start-up experiment: one row per record count and strategy, in that order. Strategies that start up the
 * same way are measured once per count: the fs+lru family (any cache size, ttl, revoke-on-delete) lists and warms
 * the same files; both journals replay the same log.
 */
export function measureStartupRows(
  strategies: readonly string[],
  recordCounts: readonly number[],
  workload: Workload,
  onProgress?: (label: string, fraction: number) => void,
): StartupRow[] {
  const rows: StartupRow[] = [];
  for (const records of recordCounts) {
    const measured = new Map<string, StartupRow>();
    for (const strategy of strategies) {
      const path = startupPath(strategy);
      let row = measured.get(path);
      if (row === undefined) {
        onProgress?.(`start-up ${strategy} · ${records} records`, 0);
        row = measureStartup(strategy, records, workload);
        measured.set(path, row);
      }
      rows.push({ ...row, strategy });
    }
  }
  return rows;
}

/** Which start-up code a strategy runs (strategies on the same path cost the same at start-up). */
export function startupPath(strategy: string): string {
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
  const spec = strategy === 'default' ? undefined : parseRecordStoreSpec(strategy);
  if (spec !== undefined && !spec.ok) throw new InputError({ path: '--strategies', message: spec.error });
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
    const filling: PullRecordsAccessor = openRecordStore(parsed, fs, ROOT, profile, clock).accessor;
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
  openRecordStore(parsed, fs, ROOT, profile, clock);
  const io = fs.ioTotals();
  return { strategy, records, syscalls: io.syscalls.total, ops: io.ops, bytesRead: io.bytesRead };
}
