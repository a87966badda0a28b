import * as z from 'zod';
import type { Ticks } from '../../src/time.js';
import type { IssueCode } from '../errors.js';
import { parseDuration } from '../kernel/time.js';

/*
 * The building blocks of pullsim's input schemas (zod 4), each with the message a user reads when a value is
 * wrong. A message that shows the offending value holds a placeholder instead: the value is filled in only when
 * the issue is located (sim/input/issues.ts), where it is known whether the value may hold a secret, in which case
 * only its kind is named.
 */

/** Replaced by the value's type and (unless secret) the value: `the string "x"`, `number 5`, `a list`. */
export const VALUE = '\u0000value\u0000';
/** Replaced by the quoted value (unless secret: `the value`). */
export const QUOTED = '\u0000quoted\u0000';

export const MISSING = 'required field is missing';

/*
 * Types that follow a schema's output: a loaded value is the output made read-only, with what a builder fills in
 * or computes written over it. The field list stays the schema's.
 */

/** `T` with every field, at every depth, read-only (a branded number such as `Ticks` stays as it is). */
export type Frozen<T> = T extends number | string | boolean | null | undefined
  ? T
  : T extends readonly (infer Item)[]
    ? readonly Frozen<Item>[]
    : { readonly [K in keyof T]: Frozen<T[K]> };

/** `T` with the fields `K` always present: those a builder fills in with their defaults. */
export type Defaulted<T, K extends keyof T> = Omit<T, K> & { [P in K]-?: Exclude<T[P], undefined> };

/** `T` with the fields of `U` replaced by what a builder computes; each must be one of `T`'s fields. */
export type Override<T, U extends { [K in keyof U]: K extends keyof T ? U[K] : never }> = Omit<T, keyof U> &
  U;

type Raw = { readonly code?: string; readonly input?: unknown };

/** A type error's message: a missing value is a missing field, anything else names what was expected. */
function typeError(expected: string): (issue: Raw) => string {
  return (issue) => (issue.input === undefined ? MISSING : `expected ${expected}, got ${VALUE}`);
}

export interface TextOptions {
  /** An empty string is refused with `must not be empty`. */
  readonly nonEmpty?: boolean;
  readonly pattern?: RegExp;
  /** What a value matching `pattern` looks like, for the message. */
  readonly hint?: string;
}

/** A string, optionally non-empty or matching a pattern. */
export function text({ nonEmpty = false, pattern, hint }: TextOptions = {}) {
  let schema = z.string({ error: typeError('a string') });
  if (nonEmpty) schema = schema.min(1, { error: 'must not be empty', abort: true });
  if (pattern !== undefined) {
    schema = schema.regex(pattern, {
      error: `${QUOTED} is not valid: expected ${hint ?? `a value matching ${pattern}`}`,
    });
  }
  return schema;
}

/** `true` or `false`. */
export function flag() {
  return z.boolean({ error: typeError('true or false') });
}

/** An integer from `min` to `max`. */
export function integer(min: number, max = Number.MAX_SAFE_INTEGER) {
  const range = (issue: Raw) => `expected an integer from ${min} to ${max}, got ${String(issue.input)}`;
  return z
    .number({ error: typeError('an integer') })
    .int({ error: typeError('an integer'), abort: true })
    .min(min, { error: range, abort: true })
    .max(max, { error: range });
}

/** A finite number from `min` to `max`. */
export function decimal(min: number, max: number) {
  const range = (issue: Raw) => `expected a number from ${min} to ${max}, got ${String(issue.input)}`;
  return z
    .number({ error: typeError('a number') })
    .min(min, { error: range })
    .max(max, { error: range });
}

/** One of a fixed set of strings. */
export function oneOf<const T extends readonly [string, ...string[]]>(choices: T) {
  return z.enum(choices, { error: typeError(`one of ${choices.join(', ')}`) });
}

/** A list of `item`. */
export function list<T extends z.ZodType>(item: T) {
  return z.array(item, { error: typeError('a list') });
}

/** A mapping of string keys to `item`. */
export function mapping<T extends z.ZodType>(item: T) {
  return z.record(z.string(), item, { error: typeError('a mapping') });
}

/** A mapping with exactly these fields (any other is reported as unknown, with the list of known ones). */
export function fields<T extends z.core.$ZodLooseShape>(shape: T) {
  const known = Object.keys(shape).join(', ');
  return z.strictObject(shape, {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `unknown field (expected one of: ${known})`
        : typeError('a mapping')(issue as Raw),
  });
}

const DURATION_HINT = 'a duration such as 90s, 5m or 1h30m';
/** What an editor can check of a duration (the loader also refuses values finer than 1µs, or too large). */
const DURATION_PATTERN = '^\\+?(0|((\\d+(\\.\\d*)?|\\.\\d+)(ns|us|µs|μs|ms|s|m|h))+)$';

/** A Go/Kubernetes-style duration (`90s`, `5m`, `1h30m`) as virtual ticks; a bare 0 is accepted. */
export function duration() {
  return z
    .custom<string | 0>((value) => value === 0 || typeof value === 'string', {
      error: typeError(DURATION_HINT),
    })
    .transform((value, context): Ticks => {
      if (value === 0) return 0 as Ticks;
      try {
        return parseDuration(value as string);
      } catch (error) {
        context.issues.push({ code: 'custom', message: (error as Error).message, input: value });
        return z.NEVER;
      }
    })
    .meta({
      description: DURATION_HINT,
      anyOf: [{ type: 'string', pattern: DURATION_PATTERN }, { const: 0 }],
    });
}

/** Exactly `value` (a header field such as `kind: Scenario`). */
export function literal<const T extends string>(value: T) {
  return z.literal(value, {
    error: (issue) => (issue.input === undefined ? MISSING : `expected ${value}, got ${QUOTED}`),
  });
}

/** A problem found by a refinement, with its code. */
export function problem(message: string, code: IssueCode = 'invalid_value') {
  return { code: 'custom' as const, message, params: { code } };
}

/** The value's output when it is valid, silently (for checks that span fields and must see what is valid). */
export function peek<T extends z.ZodType>(schema: T, value: unknown): z.output<T> | undefined {
  if (value === undefined) return undefined;
  const result = schema.safeParse(value);
  return result.success ? result.data : undefined;
}

/** A value as a list (empty when it is not one). */
export function asList(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? value : [];
}

/** A value as a mapping (empty when it is not one). */
export function asMapping(value: unknown): Readonly<Record<string, unknown>> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}
