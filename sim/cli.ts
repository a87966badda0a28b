#!/usr/bin/env node
import { readFileSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from '@commander-js/extra-typings';
import { type CliCommand, parsedOf } from './cli/command.js';
import { declareAudit } from './cli/declare/audit.js';
import { declareBench } from './cli/declare/bench.js';
import { declareCheck } from './cli/declare/check.js';
import { declareCompare } from './cli/declare/compare.js';
import { declareFuzz } from './cli/declare/fuzz.js';
import { declareImport } from './cli/declare/import.js';
import { declareRun } from './cli/declare/run.js';
import { declareSchema } from './cli/declare/schema.js';
import { declareSelfcheck } from './cli/declare/selfcheck.js';
import { type CliIo, EXIT_BAD_INPUT, EXIT_INTERNAL, EXIT_OK } from './cli/io.js';
import { InputError } from './errors.js';

/*
 * The `pullsim` command line. This module builds the program from the list of commands: each command is declared,
 * with its options, in sim/cli/declare/<command>.ts, and its work, a function from the parsed options and the IO to
 * an exit code, is sim/cli/<command>.ts, loaded only when that command runs, so that `pullsim --version` or a plain
 * `run` do not load the chart, DOM and property-testing libraries.
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

/**
 * Every command of `pullsim`, in the order of its help: its declaration and its work (sim/cli/command.ts); adding
 * one is adding its two modules and its line here.
 */
const COMMANDS: readonly CliCommand[] = [
  { declare: declareRun, load: async () => (await import('./cli/run.js')).runCommand },
  { declare: declareCompare, load: async () => (await import('./cli/compare.js')).compareCommand },
  { declare: declareCheck, load: async () => (await import('./cli/check.js')).checkCommand },
  { declare: declareFuzz, load: async () => (await import('./cli/fuzz.js')).fuzzCommand },
  { declare: declareBench, load: async () => (await import('./cli/bench.js')).benchCommand },
  { declare: declareImport, load: async () => (await import('./cli/import.js')).importCommand },
  { declare: declareSelfcheck, load: async () => (await import('./cli/selfcheck.js')).selfcheckCommand },
  { declare: declareSchema, load: async () => (await import('./cli/schema.js')).schemaCommand },
  { declare: declareAudit, load: async () => (await import('./cli/audit.js')).auditCommand },
];

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
  for (const { declare, load } of COMMANDS) {
    const command = declare(program);
    // The work's type follows from this same declaration (its module says so); `never` stands for it here.
    command.action(async () => setExitCode(await (await load())(parsedOf(command) as never, io)));
  }
  return program;
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

/* v8 ignore start -- the process glue is exercised by test/sim/cli.test.ts in a child process */
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
