import { Worker } from 'node:worker_threads';
import type { BenchJob, BenchJobResult } from './suite.js';
import type { Workload } from './workload.js';

/** Messages between the suite and a bench worker thread. */
export type BenchWorkerRequest =
  | { readonly index: number; readonly job: BenchJob; readonly workload?: Workload }
  | { readonly done: true };
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
  /** The workload of each job when they differ (a sweep); by default every job runs the pool's workload. */
  readonly workloadOf?: (index: number) => Workload;
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
  const pool = new JobPool(workload, jobs, options);
  await pool.run();
  return pool.results;
}

/** The shared state of one `runBenchJobsInParallel`: the queue, the results, the live threads. */
class JobPool {
  readonly results: BenchJobResult[];
  readonly #workload: Workload;
  readonly #jobs: readonly BenchJob[];
  readonly #options: BenchParallelOptions;
  readonly #queue: number[];
  /** Jobs that ran out of memory under the bound, to run again without it. */
  readonly #unbounded = new Set<number>();
  readonly #workers = new Set<Worker>();
  #done = 0;
  #failed = false;
  #settle: { resolve: () => void; reject: (error: unknown) => void } | undefined;

  constructor(workload: Workload, jobs: readonly BenchJob[], options: BenchParallelOptions) {
    this.#workload = workload;
    this.#jobs = jobs;
    this.#options = options;
    this.results = new Array(jobs.length);
    const bounded = (i: number) => Number(this.#limitOf(i) === undefined);
    this.#queue = jobs
      .map((_, i) => i)
      .sort(
        (a, b) =>
          bounded(a) - bounded(b) || jobWeight(jobs[b] as BenchJob) - jobWeight(jobs[a] as BenchJob) || a - b,
      );
  }

  async run(): Promise<void> {
    const count = Math.min(Math.max(1, this.#options.workers), this.#jobs.length);
    await new Promise<void>((resolve, reject) => {
      this.#settle = { resolve, reject };
      for (let w = 0; w < count; w++) this.#start(this.#limitOf(this.#queue[0] as number));
      if (count === 0) resolve();
    });
    const missing = this.#jobs.length - this.#done;
    if (missing !== 0) throw new Error(`bench: ${missing} of ${this.#jobs.length} jobs did not finish`);
  }

  #limitOf(index: number): number | undefined {
    const job = this.#jobs[index] as BenchJob;
    return job.kind === 'startup' || this.#unbounded.has(index) ? undefined : this.#options.heapLimitMb;
  }

  /** One worker slot: a thread with one heap bound, fed jobs of that bound until none are left for it. */
  #start(limitMb: number | undefined): void {
    const worker = new Worker(this.#options.workerUrl, {
      workerData: { workload: this.#workload },
      ...(limitMb === undefined ? {} : { resourceLimits: { maxOldGenerationSizeMb: limitMb } }),
    });
    this.#workers.add(worker);
    let current: number | undefined;
    /** The bound of the thread that takes this slot over when this one ends (null: none does). */
    let successor: number | undefined | null = null;
    const feed = () => {
      const next = this.#queue[0];
      if (next !== undefined && this.#limitOf(next) === limitMb) {
        current = this.#queue.shift() as number;
        const workload = this.#options.workloadOf?.(current);
        worker.postMessage({
          index: current,
          job: this.#jobs[current] as BenchJob,
          ...(workload === undefined ? {} : { workload }),
        } satisfies BenchWorkerRequest);
        return;
      }
      current = undefined;
      if (next !== undefined) successor = this.#limitOf(next);
      worker.postMessage({ done: true } satisfies BenchWorkerRequest);
    };
    worker.on('message', (answer: BenchWorkerAnswer) => {
      this.results[answer.index] = answer.result;
      this.#done++;
      this.#options.onJobDone?.(this.#done, this.#jobs.length, this.#jobs[answer.index] as BenchJob);
      feed();
    });
    worker.on('error', (error: Error & { code?: string }) => {
      if (this.#failed) return;
      if (error.code === 'ERR_WORKER_OUT_OF_MEMORY' && limitMb !== undefined && current !== undefined) {
        // The heap bound only paces garbage collection; a job that needs more memory runs again without it.
        this.#unbounded.add(current);
        this.#queue.unshift(current);
        current = undefined;
        successor = undefined;
        return;
      }
      this.#fail(error);
    });
    worker.on('exit', () => {
      this.#workers.delete(worker);
      if (this.#failed) return;
      if (successor !== null && this.#queue.length > 0) this.#start(successor);
      else if (this.#workers.size === 0) this.#settle?.resolve();
    });
    feed();
  }

  /** One failing worker fails the suite: the others are stopped rather than left to run on unobserved. */
  #fail(error: unknown): void {
    this.#failed = true;
    for (const other of this.#workers) void other.terminate();
    this.#settle?.reject(error);
  }
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
  return scale <= 1 ? 112 : undefined;
}

/** A rough relative cost, to start the longest jobs first: file-backed runs before memory ones, runs before rows. */
function jobWeight(job: BenchJob): number {
  if (job.kind === 'startup') return job.records / 100_000;
  return job.strategy === 'memory' ? 2 : 3;
}
