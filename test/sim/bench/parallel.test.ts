/**
 * The bench suite in worker threads (sim/bench/parallel.ts): the same result as in one thread, whatever the number
 * of workers, because results are gathered by job. The worker runs compiled code, so this test needs the build
 * (npm test builds first).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { benchHeapLimitMb, runBenchJobsInParallel } from '../../../sim/bench/parallel.js';
import {
  assembleBenchSuite,
  type BenchSuiteResult,
  planBenchSuite,
  runBenchSuite,
} from '../../../sim/bench/suite.js';
import { WORKLOAD_PRESETS } from '../../../sim/bench/workload.js';
import { tinyWorkload } from '../../support/bench-workloads.js';

const workerUrl = new URL('../../../dist/sim/bench/worker.js', import.meta.url);
const built = existsSync(fileURLToPath(workerUrl));
const tiny = tinyWorkload();
const options = {
  strategies: ['fs', 'fs+lru', 'memory', 'journal'],
  modes: ['NeverVerifyPreloadedImages', 'AlwaysVerify'] as const,
  startupRecords: [100, 500],
};

/** Everything but the machine's own figures. */
function counts(result: BenchSuiteResult): unknown {
  return {
    ...result,
    runs: result.runs.map(
      ({ wallMs, eventsPerWallSecond, podStartsPerWallSecond, peakRssMb, ...run }) => run,
    ),
  };
}

describe.skipIf(!built && process.env.CI === undefined)('bench jobs in worker threads', () => {
  const serial = runBenchSuite(tiny, { ...options, modes: [...options.modes] });

  for (const workers of [1, 2, 3]) {
    it(`${workers} worker(s) give the one-thread suite`, async () => {
      const suiteOptions = { ...options, modes: [...options.modes] };
      const jobs = planBenchSuite(suiteOptions);
      const done: number[] = [];
      const results = await runBenchJobsInParallel(tiny, jobs, {
        workers,
        workerUrl,
        onJobDone: (n) => done.push(n),
      });
      expect(done).toEqual(jobs.map((_, i) => i + 1));
      expect(counts(assembleBenchSuite(tiny, suiteOptions, jobs, results))).toEqual(counts(serial));
    });
  }

  it('a job that runs out of memory under the heap bound runs again without it, with the same result', async () => {
    const suiteOptions = { ...options, modes: [...options.modes] };
    const jobs = planBenchSuite(suiteOptions);
    const results = await runBenchJobsInParallel(tiny, jobs, { workers: 2, workerUrl, heapLimitMb: 1 });
    expect(counts(assembleBenchSuite(tiny, suiteOptions, jobs, results))).toEqual(counts(serial));
  });

  it('a worker that fails fails the suite', async () => {
    const jobs = planBenchSuite({ strategies: ['fs'], modes: ['AlwaysVerify'], startupRecords: [] });
    const broken = { ...tiny, duration: Number.NaN } as unknown as typeof tiny;
    await expect(runBenchJobsInParallel(broken, jobs, { workers: 2, workerUrl })).rejects.toThrow();
  });
});

describe('benchHeapLimitMb', () => {
  it('bounds the heap up to the large preset, and leaves larger workloads unbounded', () => {
    for (const preset of ['small', 'medium', 'large'] as const)
      expect(benchHeapLimitMb(WORKLOAD_PRESETS[preset])).toBe(112);
    const large = WORKLOAD_PRESETS.large;
    expect(benchHeapLimitMb({ ...large, tenants: 1_001 })).toBeUndefined();
    expect(benchHeapLimitMb({ ...large, images: { ...large.images, count: 10_000 } })).toBeUndefined();
    expect(benchHeapLimitMb({ ...large, pods: { ...large.pods, starts: 200_000 } })).toBeUndefined();
  });
});
