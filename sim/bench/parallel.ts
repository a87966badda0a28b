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
  const order = jobs
    .map((_, i) => i)
    .sort((a, b) => jobWeight(jobs[b] as BenchJob) - jobWeight(jobs[a] as BenchJob) || a - b);
  let next = 0;
  let done = 0;
  const workers: Worker[] = [];
  await new Promise<void>((resolve, reject) => {
    let running = 0;
    const feed = (worker: Worker) => {
      const index = order[next++];
      if (index === undefined) worker.postMessage({ done: true } satisfies BenchWorkerRequest);
      else worker.postMessage({ index, job: jobs[index] as BenchJob } satisfies BenchWorkerRequest);
    };
    const count = Math.max(1, Math.min(options.workers, jobs.length));
    for (let w = 0; w < count && jobs.length > 0; w++) {
      running++;
      const worker = new Worker(options.workerUrl, { workerData: { workload } });
      workers.push(worker);
      worker.on('message', (answer: BenchWorkerAnswer) => {
        results[answer.index] = answer.result;
        done++;
        options.onJobDone?.(done, jobs.length, jobs[answer.index] as BenchJob);
        feed(worker);
      });
      worker.on('error', (error) => {
        // One failing worker fails the suite: stop the others rather than let them run on unobserved.
        for (const other of workers) void other.terminate();
        reject(error);
      });
      worker.on('exit', () => {
        running--;
        if (running === 0) resolve();
      });
      feed(worker);
    }
    if (running === 0) resolve();
  });
  if (done !== jobs.length)
    throw new Error(`bench: ${jobs.length - done} of ${jobs.length} jobs did not finish`);
  return results;
}

/** A rough relative cost, to start the longest jobs first: file-backed runs before memory ones, runs before rows. */
function jobWeight(job: BenchJob): number {
  if (job.kind === 'startup') return job.records / 100_000;
  return job.strategy === 'memory' ? 2 : 3;
}
