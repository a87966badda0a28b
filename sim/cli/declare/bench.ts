import { type Command, Option } from '@commander-js/extra-typings';
import { BENCH_STRATEGIES, DEFAULT_BENCH_MODES } from '../../bench/defaults.js';
import type { Parsed } from '../command.js';
import { parseCount, parseModes, parseShard } from '../options.js';
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
    .addOption(
      new Option(
        '--sweep <PARAM=V1,V2,…>',
        'run every combination of these values (repeatable): a workload field (tenants, images.count, …) or a strategy with a * (ttl:*, fs+lru:1024/*)',
      ).argParser((value: string, previous: readonly string[] | undefined) => [...(previous ?? []), value]),
    )
    .addOption(
      new Option(
        '--shard <i/n>',
        'with --sweep: run only the combinations whose index mod n is i-1',
      ).argParser(parseShard),
    )
    .addOption(
      new Option(
        '--merge <files...>',
        "merge sweep shards' --json results into the whole sweep (and print it)",
      ),
    )
    .option('--json', 'print the results as JSON')
    .option('--csv', 'print the runs as CSV')
    .option('--html <file>', 'also write a self-contained HTML report with charts')
    .addHelpText('after', `\nRecord stores:\n${recordStoreHelp()}`);
}

/** The options of `pullsim bench`. */
export type BenchOptions = Parsed<typeof declareBench>;
