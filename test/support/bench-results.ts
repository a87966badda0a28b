import type { BenchRun } from '../../sim/bench/run.js';
import type { BenchSuiteResult } from '../../sim/bench/suite.js';
import type { Workload } from '../../sim/bench/workload.js';
import { tinyWorkload } from './bench-workloads.js';

/**
 * A hand-written BenchRun with round figures (so a report's cells can be worked out by hand): 100 pod starts,
 * 1 000 system calls of which 200 at start-up, 300 operations of which 50 at start-up, 40 record writes.
 */
export function benchRun(overrides: Partial<BenchRun> = {}): BenchRun {
  return {
    workload: 'tiny',
    strategy: 'fs+lru',
    mode: 'AlwaysVerify',
    device: 'ssd',
    podStarts: 100,
    containersStarted: 90,
    fs: {
      syscalls: 1_000,
      ops: 300,
      bytesRead: 6_000,
      bytesWritten: 4_000,
      decisionOpsPerStart: 0.5,
      writeOpsPerStart: 2,
      gcOpsPerStart: 0.25,
      syscallsPerStart: 8,
      bytesPerStart: 100,
      startupOps: 50,
      startupSyscalls: 200,
      writeSyscalls: 120,
      recordWrites: 40,
      recordDeletes: 0,
    },
    registryRequestsPerStart: 1.25,
    registryRequests: 125,
    violationsByClass: {},
    violations: 0,
    startLatencyMs: { p50: 12.34, p99: 3_456.78 },
    wallMs: 1_500,
    events: 3_000,
    eventsPerWallSecond: 2_000,
    podStartsPerWallSecond: 66.666,
    peakRssMb: 99.6,
    decisionsDigest: `sha256:${'0'.repeat(64)}`,
    ...overrides,
  };
}

/** A hand-written suite result around the given runs (no differential, start-up or yardstick unless given). */
export function benchSuiteResult(
  runs: readonly BenchRun[],
  overrides: Partial<Omit<BenchSuiteResult, 'runs'>> & { readonly workload?: Workload } = {},
): BenchSuiteResult {
  return { workload: tinyWorkload(), runs, leastIo: [], differential: [], startup: [], ...overrides };
}
