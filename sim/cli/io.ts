import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { InputError } from '../errors.js';

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

/** Writes a file the user asked for; failure to write it is bad input (exit 2), not a crash. */
export function writeOutputFile(path: string, content: string): void {
  try {
    writeFileSync(path, content);
  } catch (error) {
    throw new InputError({
      code: 'unreadable',
      file: path,
      path: [],
      message: `cannot write: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
    });
  }
}

/**
 * Reads a file the user named; failure is bad input, worded by `cannot` from the error code (e.g. `ENOENT`).
 */
export function readInputFile(path: string, cannot: (code: string) => string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new InputError({ code: 'unreadable', file: path, path: [], message: cannot(code) });
  }
}

/** Creates an output directory the user named; failure is bad input. */
export function mkdirOutput(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    throw new InputError({
      code: 'unreadable',
      file: dir,
      path: [],
      message: `cannot create the directory (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    });
  }
}
