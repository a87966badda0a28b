import { parentPort, workerData } from 'node:worker_threads';
import type { BenchWorkerAnswer, BenchWorkerRequest } from './parallel.js';
import { runBenchJob } from './suite.js';
import type { Workload } from './workload.js';

/**
 * A bench worker thread: runs the jobs the suite sends, one at a time, and answers each with its result. A job
 * sent with its own workload (a sweep's) runs that one instead of the thread's.
 */
const { workload } = workerData as { readonly workload: Workload };
parentPort?.on('message', (request: BenchWorkerRequest) => {
  if ('done' in request) {
    parentPort?.close();
    return;
  }
  const answer: BenchWorkerAnswer = {
    index: request.index,
    result: runBenchJob(request.workload ?? workload, request.job),
  };
  parentPort?.postMessage(answer);
});
