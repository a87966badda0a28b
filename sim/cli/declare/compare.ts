import { type Command, Option } from '@commander-js/extra-typings';
import { MODES } from '../../scenario/types.js';
import type { Parsed } from '../command.js';
import { parseModes } from '../options.js';

/** Declares `pullsim compare FILE…`: each scenario in each mode, side by side. */
export function declareCompare(program: Command) {
  return program
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
    .option('--detail', "with several scenarios, also print each one's table of figures after the overview")
    .option('--html <file>', 'also write a self-contained HTML report with charts')
    .option('--fail-on-violation', 'exit 1 when any run has a violation');
}

/** The scenario files and the options of `pullsim compare`. */
export type CompareOptions = Parsed<typeof declareCompare, ['files']>;
