#!/usr/bin/env node
import { readFileSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError, Option } from 'commander';
import { recordStoreHelp } from '../src/pullmanager/strategies/record-store-spec.js';
import { BENCH_STRATEGIES, DEFAULT_BENCH_MODES } from './bench/defaults.js';
import { type CliIo, EXIT_BAD_INPUT, EXIT_INTERNAL, EXIT_OK } from './cli/io.js';
import {
  parseCount,
  parseDurationOption,
  parseIndex,
  parseModes,
  parseSeed,
  parseShard,
} from './cli/options.js';
import { InputError } from './errors.js';
import { DEFAULT_FUZZ_MODES } from './fuzz/defaults.js';
import { MODES } from './scenario/types.js';

/*
 * The `pullsim` command line. This module declares the commands and their options; each command's work is in
 * sim/cli/<command>.ts, loaded only when that command runs, so `pullsim --version` or a plain `run` do not load
 * the chart, DOM and property-testing libraries.
 */

export {
  type CliIo,
  EXIT_BAD_INPUT,
  EXIT_EXPECTATION_FAILED,
  EXIT_INTERNAL,
  EXIT_OK,
  writeOutputFile,
} from './cli/io.js';
export { parseCount, parseIndex, parseModes, parseSeed, parseShard } from './cli/options.js';

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

  declareRun(program, io, setExitCode);
  declareCompare(program, io, setExitCode);
  declareCheck(program, io, setExitCode);
  declareFuzz(program, io, setExitCode);
  declareBench(program, io, setExitCode);
  declareSelfcheck(program, io, setExitCode);
  return program;
}

/** `pullsim run`. */
function declareRun(program: Command, io: CliIo, setExitCode: (code: number) => void): void {
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
    .action(async (file, options) =>
      setExitCode((await import('./cli/_internal/run.js')).runCommand(file, options, io)),
    );
}

/** `pullsim compare`. */
function declareCompare(program: Command, io: CliIo, setExitCode: (code: number) => void): void {
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
    .action(async (files, options) =>
      setExitCode(await (await import('./cli/_internal/compare.js')).compareCommand(files, options, io)),
    );
}

/** `pullsim check`. */
function declareCheck(program: Command, io: CliIo, setExitCode: (code: number) => void): void {
  program
    .command('check')
    .description("check every scenario's expect lines in the modes they name; last line: N passed, M failed")
    .argument('[paths...]', 'scenario files or directories', ['scenarios'])
    .addOption(new Option('--modes <list>', 'only check these modes').argParser(parseModes))
    .action(async (paths, options) =>
      setExitCode((await import('./cli/_internal/check.js')).checkCommand(paths, options, io)),
    );
}

/** `pullsim fuzz`. */
function declareFuzz(program: Command, io: CliIo, setExitCode: (code: number) => void): void {
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
    .action(async (options) =>
      setExitCode(await (await import('./cli/_internal/fuzz.js')).fuzzCommand(options, io)),
    );
}

/** `pullsim bench`. */
function declareBench(program: Command, io: CliIo, setExitCode: (code: number) => void): void {
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
    .addOption(
      new Option('--workers <n>', 'worker threads for independent runs (default: one per core)').argParser(
        parseCount,
      ),
    )
    .option('--json', 'print the results as JSON')
    .option('--csv', 'print the runs as CSV')
    .option('--html <file>', 'also write a self-contained HTML report with charts')
    .addHelpText('after', `\nRecord stores:\n${recordStoreHelp()}`)
    .action(async (options) =>
      setExitCode(await (await import('./cli/_internal/bench.js')).benchCommand(options, io)),
    );
}

/** `pullsim selfcheck`. */
function declareSelfcheck(program: Command, io: CliIo, setExitCode: (code: number) => void): void {
  program
    .command('selfcheck')
    .description('run the deterministic kernel self-check: a seeded run printed with its trace hash')
    .addOption(new Option('--seed <n>', 'seed of the run').default(1, '1').argParser(parseSeed))
    .option('--json', 'print the result as JSON')
    .option('--trace <file>', 'write the event trace as JSON Lines')
    .action(async (options) =>
      setExitCode((await import('./cli/_internal/selfcheck.js')).selfcheckCommand(options, io)),
    );
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
