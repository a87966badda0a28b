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
  /**
   * A bound on the old generation of the workers that run workload jobs (see `benchHeapLimitMb`); none: V8's
   * default. Start-up rows never run under it: holding up to 100 000 record files is what they measure.
   */
  readonly heapLimitMb?: number | undefined;
  /** Called as each job finishes, with how many have. */
  readonly onJobDone?: (done: number, total: number, job: BenchJob) => void;
}

/**
 * Runs a suite's jobs across worker threads. Each worker asks for the next job when it finishes one, so long and
 * short runs balance out; results are kept by job index, so the suite assembled from them is the same whatever the
 * number of workers or the order in which jobs finish. Workload jobs come first, longest first, in workers with the
 * heap bound; then the start-up rows, in workers without it (a worker whose bound does not fit the next job hands its
 * place to a new one).
 */
export async function runBenchJobsInParallel(
  workload: Workload,
  jobs: readonly BenchJob[],
  options: BenchParallelOptions,
): Promise<BenchJobResult[]> {
  const results: BenchJobResult[] = new Array(jobs.length);
  /** Jobs that ran out of memory under the bound, to run again without it. */
  const unbounded = new Set<number>();
  const limitOf = (index: number): number | undefined =>
    (jobs[index] as BenchJob).kind === 'startup' || unbounded.has(index) ? undefined : options.heapLimitMb;
  const queue = jobs
    .map((_, i) => i)
    .sort(
      (a, b) =>
        Number(limitOf(a) === undefined) - Number(limitOf(b) === undefined) ||
        jobWeight(jobs[b] as BenchJob) - jobWeight(jobs[a] as BenchJob) ||
        a - b,
    );
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
    /** One worker slot: a thread with one heap bound, fed jobs of that bound until none are left for it. */
    const start = (limitMb: number | undefined) => {
      const worker = new Worker(options.workerUrl, {
        workerData: { workload },
        ...(limitMb === undefined ? {} : { resourceLimits: { maxOldGenerationSizeMb: limitMb } }),
      });
      workers.add(worker);
      let current: number | undefined;
      let successor: number | undefined | null = null;
      const feed = () => {
        const next = queue[0];
        if (next !== undefined && limitOf(next) === limitMb) {
          current = queue.shift();
          worker.postMessage({ index: current, job: jobs[current as number] } as BenchWorkerRequest);
          return;
        }
        current = undefined;
        // Another bound is needed next: this slot goes on in a new thread once this one has ended.
        if (next !== undefined) successor = limitOf(next);
        worker.postMessage({ done: true } satisfies BenchWorkerRequest);
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
          unbounded.add(current);
          queue.unshift(current);
          current = undefined;
          successor = undefined;
          return;
        }
        fail(error);
      });
      worker.on('exit', () => {
        workers.delete(worker);
        if (failed) return;
        if (successor !== null && queue.length > 0) start(successor);
        else if (workers.size === 0) resolve();
      });
      feed();
    };
    const count = Math.min(Math.max(1, options.workers), jobs.length);
    for (let w = 0; w < count; w++) start(limitOf(queue[0] as number));
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
  return scale <= 1 ? 96 : undefined;
}

/** A rough relative cost, to start the longest jobs first: file-backed runs before memory ones, runs before rows. */
function jobWeight(job: BenchJob): number {
  if (job.kind === 'startup') return job.records / 100_000;
  return job.strategy === 'memory' ? 2 : 3;
}
