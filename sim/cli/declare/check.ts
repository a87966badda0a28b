import { type Command, Option } from '@commander-js/extra-typings';
import type { Parsed } from '../command.js';
import { parseModes } from '../options.js';

/** Declares `pullsim check [PATH…]`: every scenario's expect lines. */
export function declareCheck(program: Command) {
  return program
    .command('check')
    .description("check every scenario's expect lines in the modes they name; last line: N passed, M failed")
    .argument('[paths...]', 'scenario files or directories', ['scenarios'])
    .addOption(new Option('--modes <list>', 'only check these modes').argParser(parseModes));
}

/** The paths and the options of `pullsim check`. */
export type CheckOptions = Parsed<typeof declareCheck, ['paths']>;
