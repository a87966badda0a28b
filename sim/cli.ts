#!/usr/bin/env node
import { existsSync, mkdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import cliProgress from 'cli-progress';
import Table from 'cli-table3';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { kubeletProfile } from '../src/profiles.js';
import { validateImagePullConfiguration } from '../src/pullmanager/policy.js';
import { recordStoreHelp } from '../src/pullmanager/strategies/index.js';
import { benchCsv, benchHtml, benchText } from './bench/report.js';
import { measureStartupInChild } from './bench/startup-process.js';
import {
  BENCH_STRATEGIES,
  type BenchSuiteResult,
  checkStrategies,
  DEFAULT_BENCH_MODES,
  DEFAULT_STARTUP_RECORDS,
  runBenchSuite,
} from './bench/suite.js';
import { isWorkloadPreset, parseWorkload, WORKLOAD_PRESETS, type Workload } from './bench/workload.js';
import { checkScenario } from './check.js';
import { compareScenario } from './compare.js';
import { InputError } from './errors.js';
import { loadScenario, loadScenarios } from './files.js';
import {
  checkRun,
  formatSummary,
  generateRun,
  type RunVerdict,
  type Shard,
  shardIndices,
  summarize,
} from './fuzz/campaign.js';
import { DEFAULT_FUZZ_MODES } from './fuzz/invariants.js';
import { checkRunsInParallel } from './fuzz/parallel.js';
import { failureFile, shrinkFailure } from './fuzz/shrink.js';
import { isValidSeed, MAX_SEED } from './kernel/random.js';
import { runKernelSelfCheck } from './kernel/selfcheck.js';
import { parseDuration } from './kernel/time.js';
import { comparisonHtml } from './report/html.js';
import { comparisonMarkdown, summaryMarkdown } from './report/markdown.js';
import { comparisonTable, summaryMatrix } from './report/text.js';
import { type RunResult, runScenario } from './run.js';
import { scenarioToYaml } from './scenario/serialize.js';
import { isMode, MODES, type Mode, type RunMode, type Scenario } from './scenario/types.js';

/** Exit codes of the contract (docs/contract.md §3). */
export const EXIT_OK = 0;
export const EXIT_EXPECTATION_FAILED = 1;
export const EXIT_BAD_INPUT = 2;
/** A bug in pullsim itself (an assertion fired); not part of the user contract. */
export const EXIT_INTERNAL = 3;

/** Where the CLI writes; tests pass their own to capture output without a process. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Whether stdout is a terminal (progress bars are drawn only then). */
  readonly isTTY: boolean;
  /** Where progress bars go (standard error on a terminal); none: quiet. */
  readonly progress?: NodeJS.WritableStream;
  /** Wall-clock milliseconds, for `--time-limit` only (never inside a simulation). */
  readonly wallClockMs?: () => number;
}

/**
 * Runs the `pullsim` command line and returns the exit code. Errors are caught here and printed as one clear
 * line each; a stack trace is printed only with PULLSIM_DEBUG=1 and only for internal errors.
 */
export async function main(
  argv: readonly string[],
  io: CliIo,
  env: Readonly<Record<string, string | undefined>> = {},
): Promise<number> {
  let exitCode = EXIT_OK;
  const program = buildProgram(io, (code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync(argv as string[], { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (
        error.code === 'commander.helpDisplayed' ||
        error.code === 'commander.version' ||
        error.code === 'commander.help'
      ) {
        return EXIT_OK;
      }
      io.stderr(`pullsim: ${error.message.replace(/^error: /, '').split('\n')[0]} (see pullsim --help)\n`);
      return EXIT_BAD_INPUT;
    }
    if (error instanceof InputError) {
      for (const line of error.message.split('\n')) io.stderr(`pullsim: ${line}\n`);
      return EXIT_BAD_INPUT;
    }
    const message = error instanceof Error ? error.message : String(error);
    io.stderr(`pullsim: internal error: ${message.split('\n')[0]}\n`);
    if (env.PULLSIM_DEBUG === '1' && error instanceof Error && error.stack) io.stderr(`${error.stack}\n`);
    return EXIT_INTERNAL;
  }
}

function buildProgram(io: CliIo, setExitCode: (code: number) => void): Command {
  const program = new Command('pullsim')
    .description(
      "Deterministic simulator of the kubelet's image manager (KEP-2535, KubeletEnsureSecretPulledImages):\n" +
        'compare legacy and fixed behaviour on multi-tenant scenarios and measure the pull-record cache.',
    )
    .version(packageVersion(), '-V, --version', 'print the pullsim version')
    .helpOption('-h, --help', 'show help')
    .showSuggestionAfterError(false)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout(text),
      writeErr: (text) => io.stderr(text),
      // Errors are printed by main() as one line; commander's own copy would duplicate them.
      outputError: () => {},
    });
  program.addHelpText(
    'after',
    '\nExit codes: 0 ok, 1 an expectation failed, 2 bad input.\nDocs: README.md and docs/.',
  );

  program
    .command('run')
    .description('run one scenario in one mode and print its containers (or the result JSON)')
    .argument('<file>', 'scenario file (YAML or JSON)')
    .addOption(
      new Option('--mode <mode>', 'kubelet behaviour; default: the scenario as configured').choices([
        ...MODES,
        'as-configured',
      ]),
    )
    .addOption(new Option('--seed <n>', "override the scenario's seed").argParser(parseSeed))
    .option('--json', 'print the result JSON (contract §4)')
    .option('--trace <file>', 'write the event trace as JSON Lines')
    .option('--include-files', 'put the final image_manager/ files in the result')
    .option('--fail-on-violation', 'exit 1 when a container started in violation')
    .action(
      (
        file: string,
        options: {
          mode?: RunMode;
          seed?: number;
          json?: boolean;
          trace?: string;
          includeFiles?: boolean;
          failOnViolation?: boolean;
        },
      ) => {
        const scenario = loadScenario(file);
        const mode = options.mode ?? 'as-configured';
        if (mode === 'as-configured') rejectUnstartableKubelet(file, scenario);
        const { result, trace } = runScenario(scenario, {
          mode,
          ...(options.seed === undefined ? {} : { seed: options.seed }),
          keepTrace: options.trace !== undefined,
          includeFiles: options.includeFiles === true,
        });
        if (options.trace !== undefined) writeOutputFile(options.trace, trace.toJsonLines());
        io.stdout(options.json ? `${JSON.stringify(result, null, 2)}\n` : runSummary(result));
        setExitCode(
          options.failOnViolation && result.totals.violations > 0 ? EXIT_EXPECTATION_FAILED : EXIT_OK,
        );
      },
    );

  program
    .command('compare')
    .description('run each scenario in each mode and print them side by side')
    .argument('<files...>', 'scenario files or directories')
    .addOption(
      new Option('--modes <list>', `comma-separated modes (default: all six: ${MODES.join(',')})`).argParser(
        parseModes,
      ),
    )
    .option('--json', 'print an array of result JSON documents')
    .option('--markdown', 'print Markdown tables')
    .option('--html <file>', 'also write a self-contained HTML report with charts')
    .option('--fail-on-violation', 'exit 1 when any run has a violation')
    .action(
      (
        files: string[],
        options: {
          modes?: RunMode[];
          json?: boolean;
          markdown?: boolean;
          html?: string;
          failOnViolation?: boolean;
        },
      ) => {
        const loaded = loadScenarios(files);
        const comparisons = loaded.map(({ scenario }) =>
          compareScenario(scenario, options.modes === undefined ? {} : { modes: options.modes }),
        );
        if (options.json) {
          io.stdout(
            `${JSON.stringify(
              comparisons.flatMap((c) => c.results),
              null,
              2,
            )}\n`,
          );
        } else if (options.markdown) {
          if (comparisons.length > 1) {
            io.stdout(
              `## Summary: violations / containers started\n\n${summaryMarkdown(comparisons)}\n## Scenarios\n\n`,
            );
          }
          io.stdout(comparisons.map(comparisonMarkdown).join('\n'));
        } else {
          io.stdout(comparisons.map(comparisonTable).join('\n'));
          if (comparisons.length > 1)
            io.stdout(`\nSummary: violations / containers started per mode\n${summaryMatrix(comparisons)}`);
        }
        if (options.html !== undefined) writeOutputFile(options.html, comparisonHtml(comparisons));
        const violations = comparisons.some((c) => c.summaries.some((s) => s.violations > 0));
        setExitCode(options.failOnViolation && violations ? EXIT_EXPECTATION_FAILED : EXIT_OK);
      },
    );

  program
    .command('check')
    .description("check every scenario's expect lines in the modes they name; last line: N passed, M failed")
    .argument('[paths...]', 'scenario files or directories', ['scenarios'])
    .addOption(new Option('--modes <list>', 'only check these modes').argParser(parseModes))
    .action((paths: string[], options: { modes?: RunMode[] }) => {
      const loaded = loadScenarios(paths);
      let passed = 0;
      let failed = 0;
      for (const { file, scenario } of loaded) {
        const check = checkScenario(scenario, options.modes === undefined ? {} : { modes: options.modes });
        passed += check.passed;
        failed += check.failed;
        for (const outcome of check.outcomes) {
          if (outcome.passed) continue;
          const line = outcome.expectation.line === undefined ? '' : `:${outcome.expectation.line}`;
          const container =
            outcome.expectation.container === undefined ? '' : `/${outcome.expectation.container}`;
          io.stdout(
            `FAIL ${file}${line}: ${outcome.expectation.pod}${container} [${outcome.mode}]: ${outcome.problems.join('; ')}\n`,
          );
        }
      }
      io.stdout(`${passed} passed, ${failed} failed\n`);
      setExitCode(failed > 0 ? EXIT_EXPECTATION_FAILED : EXIT_OK);
    });

  program
    .command('fuzz')
    .description(
      'random multi-tenant campaigns checked against invariants; failures shrunk to scenario files',
    )
    .addOption(new Option('--seed <n>', 'campaign seed').default(1, '1').argParser(parseSeed))
    .addOption(new Option('--runs <n>', 'number of random runs').default(100, '100').argParser(parseCount))
    .addOption(
      new Option('--modes <list>', `modes to run (default: ${DEFAULT_FUZZ_MODES.join(',')})`).argParser(
        parseModes,
      ),
    )
    .addOption(new Option('--workers <n>', 'worker threads (default: one per core)').argParser(parseCount))
    .addOption(
      new Option('--shard <i/n>', 'run shard i of n (a disjoint, reproducible slice)').argParser(parseShard),
    )
    .option('--out <dir>', 'shrink each failure and write it there as a replayable scenario file')
    .addOption(
      new Option(
        '--time-limit <duration>',
        'stop starting new runs after this wall-clock time (e.g. 10m)',
      ).argParser(parseDurationOption),
    )
    .addOption(
      new Option('--replay <index>', 'check only run <index> of the campaign and print it').argParser(
        parseIndex,
      ),
    )
    .option('--json', 'print the summary as JSON')
    .action(
      async (options: {
        seed: number;
        runs: number;
        modes?: RunMode[];
        workers?: number;
        shard?: Shard;
        out?: string;
        timeLimit?: number;
        replay?: number;
        json?: boolean;
      }) => {
        const modes = (options.modes ?? DEFAULT_FUZZ_MODES).filter((m): m is Mode => m !== 'as-configured');
        if (options.replay !== undefined) {
          const verdict = checkRun(options.seed, options.replay, { modes });
          const { scenario } = generateRun(options.seed, options.replay);
          io.stdout(
            `${JSON.stringify({ index: verdict.index, profile: verdict.profile, features: verdict.features, failures: verdict.failures, findings: verdict.findings }, null, 2)}\n`,
          );
          if (options.out !== undefined) {
            mkdirOutput(options.out);
            writeOutputFile(
              join(options.out, `run-${options.replay}.yaml`),
              scenarioToYaml(scenario, `pullsim fuzz --seed ${options.seed} --replay ${options.replay}`),
            );
            writeFailures(options.out, options.seed, [verdict], modes);
          }
          setExitCode(verdict.failures.length > 0 ? EXIT_EXPECTATION_FAILED : EXIT_OK);
          return;
        }
        const indices = shardIndices(options.runs, options.shard);
        const workerUrl = new URL('./fuzz/worker.js', import.meta.url);
        const workers = existsSync(fileURLToPath(workerUrl))
          ? (options.workers ?? availableParallelism())
          : 1;
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
          workerUrl,
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
          const written = writeFailures(
            options.out,
            options.seed,
            verdicts.filter((v) => v.failures.length > 0),
            modes,
          );
          for (const file of written) io.stderr(`wrote ${file}\n`);
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
                ? {
                    stoppedEarly: `time limit after ${verdicts.length} of ${indices.length} runs${shardNote}`,
                  }
                : {},
            ),
          );
        setExitCode(summary.failedRuns.length > 0 ? EXIT_EXPECTATION_FAILED : EXIT_OK);
      },
    );

  program
    .command('bench')
    .description('cache I/O under load: a workload under each record-store strategy and mode')
    .addOption(
      new Option('--workload <name|file>', 'small, medium, large, or a workload file').default('small'),
    )
    .addOption(
      new Option(
        '--strategies <list>',
        `comma-separated record stores (default: ${BENCH_STRATEGIES.join(',')})`,
      ),
    )
    .addOption(
      new Option('--modes <list>', `modes (default: ${DEFAULT_BENCH_MODES.join(',')})`).argParser(parseModes),
    )
    .addOption(
      new Option(
        '--startup-records <list>',
        'record counts for the start-up experiment (default 1000,10000,100000; "none" skips it)',
      ),
    )
    .option('--no-differential', 'skip the differential check of the decision-identical strategies')
    .option('--json', 'print the results as JSON')
    .option('--csv', 'print the runs as CSV')
    .option('--html <file>', 'also write a self-contained HTML report with charts')
    .addHelpText('after', `\nRecord stores:\n${recordStoreHelp()}`)
    .action(
      async (options: {
        workload: string;
        strategies?: string;
        modes?: RunMode[];
        startupRecords?: string;
        differential: boolean;
        json?: boolean;
        csv?: boolean;
        html?: string;
      }) => {
        const workload = isWorkloadPreset(options.workload)
          ? WORKLOAD_PRESETS[options.workload]
          : loadWorkload(options.workload);
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
            path: '--strategies',
            message: 'expected a comma-separated list of record stores',
          });
        checkStrategies(strategies);
        const startupRecords =
          options.startupRecords === undefined
            ? undefined
            : options.startupRecords === 'none'
              ? []
              : options.startupRecords.split(',').map((n) => parseCount(n.trim()));
        const modes = (options.modes ?? [...DEFAULT_BENCH_MODES]).filter(
          (m): m is Mode => m !== 'as-configured',
        );
        const bar =
          io.isTTY && io.progress !== undefined
            ? new cliProgress.SingleBar(
                { stream: io.progress, format: 'bench [{bar}] {percentage}% {label}', hideCursor: true },
                cliProgress.Presets.shades_classic,
              )
            : undefined;
        bar?.start(100, 0, { label: '' });
        // With a second core and the compiled child, the start-up experiment runs there meanwhile (same counts).
        const records = startupRecords ?? DEFAULT_STARTUP_RECORDS;
        const childScript = new URL('./bench/startup-child.js', import.meta.url);
        const startupInChild =
          records.length > 0 && availableParallelism() > 1 && existsSync(fileURLToPath(childScript))
            ? measureStartupInChild(childScript, { strategies, records, workload })
            : undefined;
        let suite: BenchSuiteResult;
        try {
          suite = runBenchSuite(workload, {
            strategies,
            modes,
            differential: options.differential,
            startupRecords: startupInChild === undefined ? records : [],
            onProgress: (label, fraction) => bar?.update(Math.round(fraction * 100), { label }),
          });
        } catch (error) {
          startupInChild?.stop();
          throw error;
        }
        let result = suite;
        if (startupInChild !== undefined) {
          bar?.update(100, { label: 'start-up experiment (second process)' });
          result = { ...suite, startup: await startupInChild.rows };
        }
        bar?.stop();
        if (options.json) io.stdout(`${JSON.stringify(result, null, 2)}\n`);
        else if (options.csv) io.stdout(benchCsv(result));
        else io.stdout(benchText(result));
        if (options.html !== undefined) writeOutputFile(options.html, benchHtml(result));
        setExitCode(result.differential.every((d) => d.identical) ? EXIT_OK : EXIT_EXPECTATION_FAILED);
      },
    );

  program
    .command('selfcheck')
    .description('run the deterministic kernel self-check: a seeded run printed with its trace hash')
    .addOption(new Option('--seed <n>', 'seed of the run').default(1, '1').argParser(parseSeed))
    .option('--json', 'print the result as JSON')
    .option('--trace <file>', 'write the event trace as JSON Lines')
    .action((options: { seed: number; json?: boolean; trace?: string }) => {
      const result = runKernelSelfCheck(options.seed);
      if (options.trace !== undefined) writeOutputFile(options.trace, result.trace.toJsonLines());
      const summary = {
        seed: result.seed,
        workers: result.workers,
        steps: result.steps,
        outcome: result.outcome,
        endTime: result.endTime,
        traceHash: result.traceHash,
      };
      if (options.json) {
        io.stdout(`${JSON.stringify(summary, null, 2)}\n`);
      } else {
        io.stdout(
          `pullsim kernel self-check\n` +
            `  seed ${summary.seed}, ${summary.workers} workers, ${summary.steps} events, outcome ${summary.outcome}, virtual time ${summary.endTime}\n` +
            `  traceHash ${summary.traceHash}\n`,
        );
      }
      setExitCode(EXIT_OK);
    });

  return program;
}

/** Parses `--modes a,b`: every name must be a mode of the contract. */
export function parseModes(text: string): RunMode[] {
  const modes = text
    .split(',')
    .map((m) => m.trim())
    .filter((m) => m !== '');
  const unknown = modes.filter((m) => !isMode(m));
  if (modes.length === 0 || unknown.length > 0) {
    throw new InvalidArgumentError(
      `unknown mode ${unknown.map((m) => JSON.stringify(m)).join(', ') || '(none given)'}; expected a comma-separated list of ${MODES.join(', ')}`,
    );
  }
  return modes as RunMode[];
}

/** `run` without `--mode` uses the scenario's kubelet configuration, and refuses one the kubelet would refuse. */
function rejectUnstartableKubelet(file: string, scenario: Scenario): void {
  const k = scenario.kubelet;
  const errors = validateImagePullConfiguration({
    featureGateEnabled:
      k.featureGates.KubeletEnsureSecretPulledImages ?? kubeletProfile(k.version).featureGateDefault,
    policy: k.imagePullCredentialsVerificationPolicy,
    allowlist: k.preloadedImagesVerificationAllowlist,
  });
  if (errors.length > 0) {
    throw new InputError(
      errors.map((message) => ({
        file,
        path: 'spec.kubelet',
        message: `the kubelet would refuse to start: ${message}`,
      })),
    );
  }
}

/** The human-readable output of `run`. */
function runSummary(result: RunResult): string {
  const table = new Table({
    head: ['pod/container', 'image', 'policy', 'state', 'reason', 'pulls', 'violation'],
    style: { head: [], border: [], compact: true },
  });
  for (const c of result.containers) {
    table.push([
      `${c.pod}/${c.container}`,
      c.image,
      c.imagePullPolicy,
      c.state,
      c.reason ?? '',
      String(c.pulls),
      c.violation ? 'YES' : 'no',
    ]);
  }
  const t = result.totals;
  const io = t.io as { ops?: number };
  return (
    `${result.scenario} · mode ${result.mode} · kubelet ${result.kubeletVersion} · seed ${result.seed} · ${result.endTime}${result.outcome === 'until' ? '' : ` · stopped: ${result.outcome}`}
` +
    `${table.toString()}
` +
    `${t.containersStarted} started, ${t.violations} violations; registry ${t.registry.requests} requests (${t.registry.authFailures} auth failures, ${t.registry.unavailable} unavailable); filesystem ${io.ops ?? 0} operations
` +
    `traceHash ${result.traceHash}
`
  );
}

function loadWorkload(path: string): Workload {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new InputError({
      file: path,
      path: '',
      message: `not a preset (small, medium, large) and cannot read the file (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    });
  }
  return parseWorkload(text, path);
}

/** Parses a positive count (`--runs`, `--workers`). */
export function parseCount(text: string): number {
  const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < 1)
    throw new InvalidArgumentError(`expected a positive integer, got ${JSON.stringify(text)}`);
  return value;
}

/** Parses a run index (`--replay`): 0 or more. */
export function parseIndex(text: string): number {
  const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value))
    throw new InvalidArgumentError(`expected a run index (0 or more), got ${JSON.stringify(text)}`);
  return value;
}

/** Parses `--shard I/N` (1 ≤ I ≤ N). */
export function parseShard(text: string): Shard {
  const match = /^(\d+)\/(\d+)$/.exec(text);
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (match === null || index < 1 || count < 1 || index > count) {
    throw new InvalidArgumentError(`expected I/N with 1 <= I <= N (e.g. 2/4), got ${JSON.stringify(text)}`);
  }
  return { index, count };
}

/** Parses a duration option into ticks. */
function parseDurationOption(text: string): number {
  try {
    return parseDuration(text);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

function mkdirOutput(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    throw new InputError({
      file: dir,
      path: '',
      message: `cannot create the directory (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    });
  }
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

/** Parses a `--seed` value: an integer from 0 to 2^53−1. */
export function parseSeed(text: string): number {
  const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!isValidSeed(value))
    throw new InvalidArgumentError(`expected an integer from 0 to ${MAX_SEED}, got ${JSON.stringify(text)}`);
  return value;
}

/** Writes a file the user asked for; failure to write it is bad input (exit 2), not a crash. */
export function writeOutputFile(path: string, content: string): void {
  try {
    writeFileSync(path, content);
  } catch (error) {
    throw new InputError({
      file: path,
      path: '',
      message: `cannot write: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
    });
  }
}

function packageVersion(): string {
  // Works from sim/ (tests) and from dist/sim/ (the installed command): walk up to pullsim's package.json.
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === 'pullsim' && pkg.version) return pkg.version;
    } catch {
      // not here; keep walking up
    }
    dir = dirname(dir);
  }
  return '0.0.0';
}

function isEntryPoint(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

/* v8 ignore start -- the process glue is exercised by test/sim/cli-process.test.ts in a child process */
if (isEntryPoint()) {
  // A closed pipe (`pullsim … | head`) ends the output quietly, as for any Unix filter.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
  const io: CliIo = {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    isTTY: process.stdout.isTTY === true,
    ...(process.stderr.isTTY ? { progress: process.stderr } : {}),
    wallClockMs: () => Date.now(), // wall-clock-ok: --time-limit only, never inside a simulation
  };
  main(process.argv.slice(2), io, process.env).then((code) => {
    process.exitCode = code;
  });
}
/* v8 ignore stop */
