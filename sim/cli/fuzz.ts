import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../errors.js';
import { checkRun, generateRun, type RunVerdict, shardIndices, summarize } from '../fuzz/campaign.js';
import { DEFAULT_FUZZ_MODES } from '../fuzz/invariants.js';
import { mergeFuzzReports, parseFuzzReport } from '../fuzz/merge.js';
import { checkRunsInParallel } from '../fuzz/parallel.js';
import { type FuzzReport, formatFuzzReport, fuzzReport, fuzzReportJson } from '../fuzz/report.js';
import { failureFile, shrinkFailure } from '../fuzz/shrink.js';
import { scenarioToYaml } from '../scenario/serialize.js';
import type { Mode } from '../scenario/types.js';
import type { FuzzOptions } from './declare/fuzz.js';
import {
  type CliIo,
  EXIT_EXPECTATION_FAILED,
  EXIT_OK,
  mkdirOutput,
  readInputFile,
  writeOutputFile,
} from './io.js';
import { progressBar } from './progress.js';
import { workerScript } from './worker-script.js';

/** `pullsim fuzz`: a random campaign (or one replayed run) checked against the invariants. Returns the exit code. */
export async function fuzzCommand(options: FuzzOptions, io: CliIo): Promise<number> {
  if (options.merge !== undefined) return printReport(merge(options.merge), options.json === true, io);
  const modes = (options.modes ?? DEFAULT_FUZZ_MODES).filter((m): m is Mode => m !== 'as-configured');
  if (options.replay !== undefined) return replay(options.seed, options.replay, modes, options.out, io);
  const indices = shardIndices(options.runs, options.shard);
  const workerUrl = workerScript('../../fuzz/worker.js', import.meta.url);
  const workers = workerUrl === undefined ? 1 : (options.workers ?? availableParallelism());
  const clock = io.wallClockMs;
  const startedMs = clock?.() ?? 0;
  const limitMs = options.timeLimit === undefined ? undefined : options.timeLimit / 1000;
  const bar = progressBar(io, 'fuzz', '{value}/{total} runs · {failed} failed · {eta_formatted} left');
  let failedSoFar = 0;
  bar?.start(indices.length, 0, { failed: 0 });
  const { verdicts, stopped } = await checkRunsInParallel({
    seed: options.seed,
    indices,
    modes,
    workers,
    ...(workerUrl === undefined ? {} : { workerUrl }),
    shouldStop: () => limitMs !== undefined && clock !== undefined && clock() - startedMs > limitMs,
    onVerdict: (verdict) => {
      if (verdict.failures.length > 0) failedSoFar++;
      bar?.increment(1, { failed: failedSoFar });
    },
  });
  bar?.stop();
  const summary = summarize(options.seed, verdicts);
  if (options.out !== undefined && summary.failedRuns.length > 0) {
    mkdirOutput(options.out);
    const failed = verdicts.filter((v) => v.failures.length > 0);
    for (const file of writeFailures(options.out, options.seed, failed, modes)) io.stderr(`wrote ${file}\n`);
  }
  const report = fuzzReport(summary, {
    campaignRuns: options.runs,
    modes,
    shard: options.shard ?? null,
    stoppedEarly: stopped,
  });
  return printReport(report, options.json === true, io);
}

/** Prints a campaign's report, as text or JSON; exit 1 when a run broke an invariant. */
function printReport(report: FuzzReport, json: boolean, io: CliIo): number {
  io.stdout(json ? fuzzReportJson(report) : formatFuzzReport(report));
  return report.failedRuns.length > 0 ? EXIT_EXPECTATION_FAILED : EXIT_OK;
}

/** `--merge FILE…`: the shard reports read (every file's problems at once) and merged. */
function merge(files: readonly string[]): FuzzReport {
  const shards = [];
  const issues = [];
  for (const file of files) {
    try {
      shards.push({
        file,
        report: parseFuzzReport(
          readInputFile(file, (code) => `cannot read the file (${code})`),
          file,
        ),
      });
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      issues.push(...error.issues);
    }
  }
  if (issues.length > 0) throw new InputError(issues);
  return mergeFuzzReports(shards);
}

/** `--replay I`: one run of the campaign, printed; with `--out`, its scenario and its shrunk failure written. */
function replay(
  seed: number,
  index: number,
  modes: readonly Mode[],
  out: string | undefined,
  io: CliIo,
): number {
  const verdict = checkRun(seed, index, { modes });
  const { scenario } = generateRun(seed, index);
  io.stdout(
    `${JSON.stringify({ index: verdict.index, profile: verdict.profile, features: verdict.features, failures: verdict.failures, findings: verdict.findings }, null, 2)}\n`,
  );
  if (out !== undefined) {
    mkdirOutput(out);
    writeOutputFile(
      join(out, `run-${index}.yaml`),
      scenarioToYaml(scenario, `pullsim fuzz --seed ${seed} --replay ${index}`),
    );
    writeFailures(out, seed, [verdict], modes);
  }
  return verdict.failures.length > 0 ? EXIT_EXPECTATION_FAILED : EXIT_OK;
}

/** Shrinks the first failure of each failed run and writes it as a scenario file; returns the paths. */
function writeFailures(
  dir: string,
  seed: number,
  failed: readonly RunVerdict[],
  modes: readonly Mode[],
): string[] {
  const written: string[] = [];
  for (const verdict of failed) {
    const failure = verdict.failures[0];
    if (failure === undefined) continue;
    const { scenario, profile } = generateRun(seed, verdict.index);
    const shrunk = shrinkFailure(scenario, failure, { modes });
    const path = join(dir, `${failure.invariant}-seed${seed}-run${verdict.index}.yaml`);
    writeOutputFile(path, failureFile(shrunk, { seed, index: verdict.index, profile }));
    written.push(path);
  }
  return written;
}
