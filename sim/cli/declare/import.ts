import type { Command } from '@commander-js/extra-typings';
import type { Parsed } from '../command.js';

/** Declares `pullsim import DIR --out FILE`: a node's collected files as a scenario (docs/audit.md). */
export function declareImport(program: Command) {
  return program
    .command('import')
    .description("turn a node's collected files into a scenario file (secrets replaced)")
    .argument('[dir]', 'the directory the collect script wrote')
    .option('--out <file>', 'write the scenario there (default: standard output)')
    .option('--collect-script', 'print the POSIX sh script that collects the files, and exit')
    .option('--notes', 'also print, on standard error, what could not be judged');
}

/** The directory and the options of `pullsim import`. */
export type ImportOptions = Parsed<typeof declareImport, ['dir']>;
