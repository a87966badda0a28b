import { availableParallelism } from 'node:os';
import { benchHeapLimitMb, runBenchJobsInParallel } from '../bench/parallel.js';
import { benchCsv, benchText } from '../bench/report.js';
import {
  assembleBenchSuite,
  BENCH_STRATEGIES,
  type BenchSuiteOptions,
  DEFAULT_BENCH_MODES,
  planBenchSuite,
  runBenchJob,
} from '../bench/suite.js';
import { isWorkloadPreset, parseWorkload, WORKLOAD_PRESETS, type Workload } from '../bench/workload.js';
import { InputError } from '../errors.js';
import type { Mode } from '../scenario/types.js';
import type { BenchOptions } from './declare/bench.js';
import { type CliIo, EXIT_EXPECTATION_FAILED, EXIT_OK, readInputFile, writeOutputFile } from './io.js';
import { parseCount } from './options.js';
import { progressBar } from './progress.js';
import { workerScript } from './worker-script.js';

/**
 * `pullsim bench`: a workload under each record-store strategy and mode. The suite's jobs run in worker threads
 * (one per core unless `--workers` says otherwise); results are gathered by job, so the output does not depend on
 * the number of workers. Returns the exit code.
 */
export async function benchCommand(options: BenchOptions, io: CliIo): Promise<number> {
  if (options.sweep !== undefined || options.merge !== undefined || options.shard !== undefined) {
    // Sweeps, their shards and merges: sim/cli/bench-sweep.ts.
    const { sweepCommand } = await import('./bench-sweep.js');
    return sweepCommand(options, io, {
      workload: () => benchWorkload(options.workload),
      suite: suiteOptionsOf(options),
    });
  }
  const workload = benchWorkload(options.workload);
  const suiteOptions = suiteOptionsOf(options);
  // Planning checks every strategy: bad input is reported before a progress bar is drawn.
  const jobs = planBenchSuite(suiteOptions);
  const bar = progressBar(io, 'bench');
  bar?.start(100, 0, { label: '' });
  const workerUrl = workerScript('../../bench/worker.js', import.meta.url);
  // The compiled command runs every job in a worker thread, even with one worker: the threads' heap bound keeps the
  // process small. Run from the sources (tests), the jobs run in this thread.
  const workers = Math.min(options.workers ?? availableParallelism(), jobs.length);
  const results =
    workerUrl !== undefined
      ? await runBenchJobsInParallel(workload, jobs, {
          workers,
          workerUrl,
          heapLimitMb: benchHeapLimitMb(workload),
          onJobDone: (done, total, job) =>
            bar?.update(Math.round((done / total) * 100), {
              label: `${done}/${total} jobs · ${job.strategy}`,
            }),
        })
      : jobs.map((job, i) =>
          runBenchJob(workload, job, (label, fraction) =>
            bar?.update(Math.round(((i + fraction) / jobs.length) * 100), { label }),
          ),
        );
  const result = assembleBenchSuite(workload, suiteOptions, jobs, results);
  bar?.stop();
  if (options.json) io.stdout(`${JSON.stringify(result, null, 2)}\n`);
  else if (options.csv) io.stdout(benchCsv(result));
  else io.stdout(benchText(result));
  if (options.html !== undefined) {
    // The chart library loads only for an HTML report.
    const { benchHtml } = await import('../bench/report-html.js');
    writeOutputFile(options.html, benchHtml(result));
  }
  return result.differential.every((d) => d.identical) ? EXIT_OK : EXIT_EXPECTATION_FAILED;
}

/** The suite's options from the command line: strategies (at least one), modes, start-up counts. */
function suiteOptionsOf(options: BenchOptions): BenchSuiteOptions {
  const strategies =
    options.strategies === undefined
      ? [...BENCH_STRATEGIES]
      : options.strategies
          .split(',')
          .map((s) => s.trim())
          .filter((s) => s !== '');
  // `--strategies ,` would run nothing and report an empty benchmark.
  if (strategies.length === 0)
    throw new InputError({
      code: 'invalid_option',
      path: ['--strategies'],
      message: 'expected a comma-separated list of record stores',
    });
  const modes = (options.modes ?? [...DEFAULT_BENCH_MODES]).filter((m): m is Mode => m !== 'as-configured');
  const startupRecords =
    options.startupRecords === undefined
      ? undefined
      : options.startupRecords === 'none'
        ? []
        : options.startupRecords.split(',').map((n) => parseCount(n.trim()));
  return {
    strategies,
    modes,
    differential: options.differential,
    ...(startupRecords === undefined ? {} : { startupRecords }),
  };
}

/** A preset by name, or a workload file. */
function benchWorkload(name: string): Workload {
  return isWorkloadPreset(name) ? WORKLOAD_PRESETS[name] : loadWorkload(name);
}

function loadWorkload(path: string): Workload {
  const text = readInputFile(
    path,
    (code) => `not a preset (small, medium, large) and cannot read the file (${code})`,
  );
  return parseWorkload(text, path);
}
