import { type Command, Option } from '@commander-js/extra-typings';
import { BENCH_STRATEGIES, DEFAULT_BENCH_MODES } from '../../bench/defaults.js';
import type { Parsed } from '../command.js';
import { parseCount, parseModes } from '../options.js';
import { recordStoreHelp } from '../strategy-help.js';

/** Declares `pullsim bench`: a workload under each record-store strategy and mode. */
export function declareBench(program: Command) {
  return program
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
    .addHelpText('after', `\nRecord stores:\n${recordStoreHelp()}`);
}

/** The options of `pullsim bench`. */
export type BenchOptions = Parsed<typeof declareBench>;
