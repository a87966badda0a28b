import { Worker } from 'node:worker_threads';
import type { BenchJob, BenchJobResult } from './suite.js';
import type { Workload } from './workload.js';

/** Messages between the suite and a bench worker thread. */
export type BenchWorkerRequest = { readonly index: number; readonly job: BenchJob } | { readonly done: true };
export type BenchWorkerAnswer = { readonly index: number; readonly result: BenchJobResult };

export interface BenchParallelOptions {
  /** Worker threads (at least 1). */
  readonly workers: number;
  /** The compiled worker script (dist/sim/bench/worker.js). */
  readonly workerUrl: URL;
  /** A bound on each worker's old generation (see `benchHeapLimitMb`); none: V8's default. */
  readonly heapLimitMb?: number | undefined;
  /** Called as each job finishes, with how many have. */
  readonly onJobDone?: (done: number, total: number, job: BenchJob) => void;
}

/**
 * Runs a suite's jobs across worker threads. Each worker asks for the next job when it finishes one, so long and
 * short runs balance out; results are kept by job index, so the suite assembled from them is the same whatever the
 * number of workers or the order in which jobs finish. The longest jobs are dealt first.
 */
export async function runBenchJobsInParallel(
  workload: Workload,
  jobs: readonly BenchJob[],
  options: BenchParallelOptions,
): Promise<BenchJobResult[]> {
  const results: BenchJobResult[] = new Array(jobs.length);
  const queue = jobs
    .map((_, i) => i)
    .sort((a, b) => jobWeight(jobs[b] as BenchJob) - jobWeight(jobs[a] as BenchJob) || a - b);
  let done = 0;
  const workers = new Set<Worker>();
  await new Promise<void>((resolve, reject) => {
    let failed = false;
    const fail = (error: unknown) => {
      // One failing worker fails the suite: stop the others rather than let them run on unobserved.
      failed = true;
      for (const other of workers) void other.terminate();
      reject(error);
    };
    const start = (limitMb: number | undefined) => {
      const worker = new Worker(options.workerUrl, {
        workerData: { workload },
        ...(limitMb === undefined ? {} : { resourceLimits: { maxOldGenerationSizeMb: limitMb } }),
      });
      workers.add(worker);
      let current: number | undefined;
      const feed = () => {
        current = queue.shift();
        worker.postMessage(
          current === undefined
            ? ({ done: true } satisfies BenchWorkerRequest)
            : { index: current, job: jobs[current] as BenchJob },
        );
      };
      worker.on('message', (answer: BenchWorkerAnswer) => {
        results[answer.index] = answer.result;
        done++;
        options.onJobDone?.(done, jobs.length, jobs[answer.index] as BenchJob);
        feed();
      });
      worker.on('error', (error: Error & { code?: string }) => {
        if (failed) return;
        if (error.code === 'ERR_WORKER_OUT_OF_MEMORY' && limitMb !== undefined && current !== undefined) {
          // The heap bound only paces garbage collection; a job that needs more memory runs again without it.
          queue.unshift(current);
          current = undefined;
          start(undefined);
          return;
        }
        fail(error);
      });
      worker.on('exit', () => {
        workers.delete(worker);
        if (workers.size === 0 && !failed) resolve();
      });
      feed();
    };
    const count = Math.min(Math.max(1, options.workers), jobs.length);
    for (let w = 0; w < count; w++) start(options.heapLimitMb);
    if (count === 0) resolve();
  });
  if (done !== jobs.length)
    throw new Error(`bench: ${jobs.length - done} of ${jobs.length} jobs did not finish`);
  return results;
}

/**
 * A heap bound for the worker threads of a workload no larger than the large preset. A run keeps about 40 MB alive
 * (measured on the large preset), but left alone V8 lets the heap grow to several times that while the simulator
 * allocates; bounding the old generation keeps the process under 200 MB at the same speed. Larger workloads run
 * unbounded, and a job that runs out of memory under the bound runs again without it.
 */
export function benchHeapLimitMb(workload: Workload): number | undefined {
  const large = { tenants: 1_000, images: 5_000, starts: 100_000 };
  const scale = Math.max(
    workload.tenants / large.tenants,
    workload.images.count / large.images,
    workload.pods.starts / large.starts,
  );
  return scale <= 1 ? 128 : undefined;
}

/** A rough relative cost, to start the longest jobs first: file-backed runs before memory ones, runs before rows. */
function jobWeight(job: BenchJob): number {
  if (job.kind === 'startup') return job.records / 100_000;
  return job.strategy === 'memory' ? 2 : 3;
}
