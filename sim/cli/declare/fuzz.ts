import { type Command, Option } from '@commander-js/extra-typings';
import { DEFAULT_FUZZ_MODES } from '../../fuzz/defaults.js';
import type { Parsed } from '../command.js';
import {
  parseCount,
  parseDurationOption,
  parseIndex,
  parseModes,
  parseSeed,
  parseShard,
} from '../options.js';

/** Declares `pullsim fuzz`: a random multi-tenant campaign checked against the invariants. */
export function declareFuzz(program: Command) {
  return program
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
    .addOption(
      new Option(
        '--merge <files...>',
        'merge the --json reports of every shard of one campaign into its unsharded summary',
      ).conflicts(['seed', 'runs', 'modes', 'workers', 'shard', 'out', 'timeLimit', 'replay']),
    )
    .option('--json', 'print the summary as JSON');
}

/** The options of `pullsim fuzz`. */
export type FuzzOptions = Parsed<typeof declareFuzz>;
