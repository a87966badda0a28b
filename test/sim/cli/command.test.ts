/**
 * A command's action receives one object: the options its declaration parsed, typed from that declaration, and its
 * arguments under the names the declaration gives them.
 */
import { Command, Option } from '@commander-js/extra-typings';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { type Parsed, parsedOf } from '../../../sim/cli/command.js';
import type { RunOptions } from '../../../sim/cli/declare/run.js';

function declareCopy(program: Command) {
  return program
    .command('copy')
    .argument('<source>', 'what to copy')
    .argument('[targets...]', 'where to', ['here'])
    .option('--json', 'as JSON')
    .addOption(new Option('--times <n>', 'how often').default(1, '1').argParser(Number));
}

async function parse(args: readonly string[]): Promise<Record<string, unknown>> {
  const program = new Command('tool').exitOverride();
  const command = declareCopy(program);
  let parsed: Record<string, unknown> = {};
  command.action(() => {
    parsed = parsedOf(command);
  });
  await program.parseAsync(['copy', ...args], { from: 'user' });
  return parsed;
}

describe('the values a command acts on', () => {
  it('are its options and its arguments by name', async () => {
    expect(await parse(['a', 'b', 'c', '--json', '--times', '3'])).toEqual({
      source: 'a',
      targets: ['b', 'c'],
      json: true,
      times: 3,
    });
  });

  it('include the defaults of what was not given', async () => {
    expect(await parse(['a'])).toEqual({ source: 'a', targets: ['here'], times: 1 });
  });

  it('are typed from the declaration', () => {
    expectTypeOf<Parsed<typeof declareCopy, ['source', 'targets']>>().toEqualTypeOf<
      Readonly<{ json?: true; times: number }> & { readonly source: string } & { readonly targets: string[] }
    >();
    expectTypeOf<RunOptions['file']>().toEqualTypeOf<string>();
    expectTypeOf<RunOptions['seed']>().toEqualTypeOf<number | undefined>();
  });
});
