#!/usr/bin/env node
import { readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { InputError } from './errors.js';
import { isValidSeed, MAX_SEED } from './kernel/random.js';
import { runKernelSelfCheck } from './kernel/selfcheck.js';

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
  };
  main(process.argv.slice(2), io, process.env).then((code) => {
    process.exitCode = code;
  });
}
/* v8 ignore stop */
