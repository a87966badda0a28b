import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import cliProgress from 'cli-progress';
import {
  checkRun,
  formatSummary,
  generateRun,
  type RunVerdict,
  shardIndices,
  summarize,
} from '../fuzz/campaign.js';
import { DEFAULT_FUZZ_MODES } from '../fuzz/invariants.js';
import { checkRunsInParallel } from '../fuzz/parallel.js';
import { failureFile, shrinkFailure } from '../fuzz/shrink.js';
import { scenarioToYaml } from '../scenario/serialize.js';
import type { Mode } from '../scenario/types.js';
import type { FuzzOptions } from './declare/fuzz.js';
import { type CliIo, EXIT_EXPECTATION_FAILED, EXIT_OK, mkdirOutput, writeOutputFile } from './io.js';
import { workerScript } from './worker-script.js';

/** `pullsim fuzz`: a random campaign (or one replayed run) checked against the invariants. Returns the exit code. */
export async function fuzzCommand(options: FuzzOptions, io: CliIo): Promise<number> {
  const modes = (options.modes ?? DEFAULT_FUZZ_MODES).filter((m): m is Mode => m !== 'as-configured');
  if (options.replay !== undefined) return replay(options.seed, options.replay, modes, options.out, io);
  const indices = shardIndices(options.runs, options.shard);
  const workerUrl = workerScript('../../fuzz/worker.js', import.meta.url);
  const workers = workerUrl === undefined ? 1 : (options.workers ?? availableParallelism());
  const clock = io.wallClockMs;
  const startedMs = clock?.() ?? 0;
  const limitMs = options.timeLimit === undefined ? undefined : options.timeLimit / 1000;
  const bar =
    io.isTTY && io.progress !== undefined
      ? new cliProgress.SingleBar(
          {
            stream: io.progress,
            format: 'fuzz [{bar}] {value}/{total} runs · {failed} failed · {eta_formatted} left',
            hideCursor: true,
          },
          cliProgress.Presets.shades_classic,
        )
      : undefined;
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
  const shardNote =
    options.shard === undefined ? '' : ` (shard ${options.shard.index}/${options.shard.count})`;
  if (options.json)
    io.stdout(
      `${JSON.stringify({ ...summary, shard: options.shard ?? null, stoppedEarly: stopped }, null, 2)}\n`,
    );
  else
    io.stdout(
      formatSummary(
        summary,
        stopped
          ? { stoppedEarly: `time limit after ${verdicts.length} of ${indices.length} runs${shardNote}` }
          : {},
      ),
    );
  return summary.failedRuns.length > 0 ? EXIT_EXPECTATION_FAILED : EXIT_OK;
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
