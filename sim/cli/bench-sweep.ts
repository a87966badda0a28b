import { availableParallelism } from 'node:os';
import { benchHeapLimitMb, runBenchJobsInParallel } from '../bench/parallel.js';
import type { BenchRun } from '../bench/run.js';
import type { BenchSuiteOptions } from '../bench/suite.js';
import { assembleSweep, planSweep, runSweep, type SweepPlan, type SweepResult } from '../bench/sweep.js';
import { mergeSweepShards, type SweepShardFile } from '../bench/sweep-merge.js';
import { parseSweeps } from '../bench/sweep-params.js';
import { sweepCsv, sweepText } from '../bench/sweep-report.js';
import type { Workload } from '../bench/workload.js';
import { InputError } from '../errors.js';
import type { BenchOptions } from './declare/bench.js';
import { type CliIo, EXIT_OK, readInputFile, writeOutputFile } from './io.js';
import { progressBar } from './progress.js';
import { workerScript } from './worker-script.js';

/** What `pullsim bench` has parsed for a sweep: the workload (loaded on demand) and the suite's options. */
export interface SweepInputs {
  readonly workload: () => Workload;
  readonly suite: BenchSuiteOptions;
}

/**
 * `pullsim bench --sweep …` (optionally one `--shard I/N` of it) and `pullsim bench --merge FILE…`: runs or merges
 * a sweep and prints it as a table, `--csv` or `--json`, and with `--html` a page of charts. Returns the exit code.
 */
export async function sweepCommand(options: BenchOptions, io: CliIo, inputs: SweepInputs): Promise<number> {
  checkCombination(options);
  const result =
    options.merge !== undefined
      ? mergeSweepShards(options.merge.map(readShard))
      : await runSweepCommand(options, io, inputs);
  const format = options.json
    ? (r: SweepResult) => `${JSON.stringify(r, null, 2)}\n`
    : options.csv
      ? sweepCsv
      : sweepText;
  io.stdout(format(result));
  // The chart library loads only for an HTML report.
  if (options.html !== undefined)
    writeOutputFile(options.html, (await import('../bench/sweep-html.js')).sweepHtml(result));
  return EXIT_OK;
}

/** The options that do not go together with a sweep or a merge (bad input, exit 2). */
function checkCombination(options: BenchOptions): void {
  const problem = (option: string, message: string) =>
    new InputError({ code: 'invalid_option', path: [option], message });
  if (options.merge !== undefined && options.sweep !== undefined)
    throw problem('--merge', 'merges the JSON of earlier sweeps; give either --merge or --sweep');
  if (options.merge !== undefined && options.shard !== undefined)
    throw problem('--merge', 'merges whole shards; --shard does not apply');
  if (options.sweep === undefined && options.shard !== undefined)
    throw problem('--shard', 'only a sweep splits into shards; add --sweep PARAM=V1,V2,…');
  if (options.sweep !== undefined && options.startupRecords !== undefined)
    throw problem(
      '--startup-records',
      'a sweep runs the workload runs only (no start-up experiment); drop --startup-records',
    );
}

/** One shard's JSON file, read and parsed (bad input: unreadable or not JSON). */
function readShard(file: string): SweepShardFile {
  const text = readInputFile(file, (code) => `cannot read the shard (${code})`);
  try {
    return { file, value: JSON.parse(text) };
  } catch {
    throw new InputError({
      code: 'invalid_yaml',
      file,
      path: [],
      message: 'not JSON (expected the output of --json)',
    });
  }
}

/** Plans the sweep, runs its jobs (in worker threads when compiled) and assembles the result. */
async function runSweepCommand(options: BenchOptions, io: CliIo, inputs: SweepInputs): Promise<SweepResult> {
  const parameters = parseSweeps(options.sweep ?? []);
  const plan = planSweep(inputs.workload(), {
    parameters,
    strategies: inputs.suite.strategies ?? [],
    modes: inputs.suite.modes ?? [],
    shard: options.shard,
  });
  const bar = progressBar(io, 'sweep');
  bar?.start(plan.jobs.length, 0, { label: '' });
  const workerUrl = workerScript('../../bench/worker.js', import.meta.url);
  const result =
    workerUrl === undefined
      ? runSweep(plan, (label) => bar?.update({ label }))
      : assembleSweep(
          plan,
          (await runBenchJobsInParallel(
            plan.header.workload,
            plan.jobs.map((j) => j.job),
            {
              workers: Math.min(options.workers ?? availableParallelism(), Math.max(1, plan.jobs.length)),
              workerUrl,
              heapLimitMb: sweepHeapLimitMb(plan),
              workloadOf: (index) => (plan.jobs[index] as SweepPlan['jobs'][number]).workload,
              onJobDone: (done, total, job) =>
                bar?.update(done, { label: `${done}/${total} runs · ${job.strategy}` }),
            },
          )) as BenchRun[],
        );
  bar?.stop();
  return result;
}

/** The workers' heap bound: the bench's for the largest combination, none if any combination needs none. */
function sweepHeapLimitMb(plan: SweepPlan): number | undefined {
  const limits = plan.jobs.map((j) => benchHeapLimitMb(j.workload));
  if (limits.length === 0 || limits.includes(undefined)) return undefined;
  return Math.min(...(limits as number[]));
}
