import type { Command, CommandUnknownOpts } from '@commander-js/extra-typings';
import type { CliIo } from './io.js';

/**
 * A command's declaration: adds the command, its arguments and its options to the program and returns it. Left
 * without a return type, it carries the types @commander-js/extra-typings infers from each option's flags, default
 * and parser, which {@link Parsed} reads: no option object is typed by hand.
 */
export type Declaration = (program: Command) => CommandUnknownOpts;

/**
 * What a command's action receives: its options as parsed, and its arguments under the names its declaration gives
 * them (`<file>` is `file`), listed in order.
 *
 * @example type RunOptions = Parsed<typeof declareRun, ['file']>;
 */
export type Parsed<D extends Declaration, ArgumentNames extends readonly string[] = []> =
  ReturnType<D> extends Command<infer Args, infer Opts, infer _GlobalOpts>
    ? Readonly<Opts> & NamedArguments<Args, ArgumentNames>
    : never;

type NamedArguments<Args extends unknown[], Names extends readonly string[]> = Names extends readonly [
  infer Name extends string,
  ...infer MoreNames extends readonly string[],
]
  ? Args extends [infer Value, ...infer MoreValues]
    ? { readonly [K in Name]: Value } & NamedArguments<MoreValues, MoreNames>
    : never
  : unknown;

/** A command's work: what was parsed in, output through `io`, the exit code (docs/contract.md §3) out. */
export type Action<Options> = (options: Options, io: CliIo) => number | Promise<number>;

/**
 * One command of `pullsim`: its declaration (sim/cli/declare/<command>.ts) and a loader of its work
 * (sim/cli/<command>.ts), which takes what the declaration parses. The work is imported only when the command runs.
 */
export interface CliCommand {
  readonly declare: Declaration;
  /** Typed by the work's module from the declaration's options; the program passes it {@link parsedOf} that. */
  readonly load: () => Promise<Action<never>>;
}

/** What commander parsed for `command`, as its action receives it: the options, and the arguments by name. */
export function parsedOf(command: CommandUnknownOpts): Record<string, unknown> {
  const args = command.registeredArguments.map((argument, i) => [argument.name(), command.processedArgs[i]]);
  return { ...command.opts(), ...Object.fromEntries(args) };
}
