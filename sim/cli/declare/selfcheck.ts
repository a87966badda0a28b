import { type Command, Option } from '@commander-js/extra-typings';
import type { Parsed } from '../command.js';
import { parseSeed } from '../options.js';

/** Declares `pullsim selfcheck`: the deterministic kernel's self-check. */
export function declareSelfcheck(program: Command) {
  return program
    .command('selfcheck')
    .description('run the deterministic kernel self-check: a seeded run printed with its trace hash')
    .addOption(new Option('--seed <n>', 'seed of the run').default(1, '1').argParser(parseSeed))
    .option('--json', 'print the result as JSON')
    .option('--trace <file>', 'write the event trace as JSON Lines');
}

/** The options of `pullsim selfcheck`. */
export type SelfcheckOptions = Parsed<typeof declareSelfcheck>;
