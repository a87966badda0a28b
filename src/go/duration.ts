/**
 * Go's duration syntax (`time.ParseDuration`, src/time/format.go): an optional sign, then `<number><unit>` groups
 * such as `1h30m`, `1.5s`, `250ms`, `.5h`. `scanGoDuration` reads the groups exactly (BigInt nanoseconds); what a
 * caller accepts (zero, sub-microsecond values, Go's int64 limit) and how it words a refusal stays the caller's:
 * the record-store TTL (`parseGoDuration` below) and the scenario files' durations (`sim/kernel/time.ts`) differ.
 */
import { type Ticks, ticks } from '../time.js';

/** Nanoseconds per unit; Go accepts both micro signs (U+00B5 and U+03BC). */
const NANOS_PER_UNIT: ReadonlyMap<string, bigint> = new Map([
  ['ns', 1n],
  ['us', 1_000n],
  ['µs', 1_000n],
  ['μs', 1_000n],
  ['ms', 1_000_000n],
  ['s', 1_000_000_000n],
  ['m', 60_000_000_000n],
  ['h', 3_600_000_000_000n],
]);

/** One `<number><unit>` group: digits with an optional fraction (at least one digit overall), then a unit. */
const GROUP = /^(\d*)(?:\.(\d*))?([^\d.]+)/;

/** One group of a duration, in nanoseconds. */
export interface GoDurationGroup {
  /** The group's value truncated to whole nanoseconds, as Go truncates it. */
  readonly nanos: bigint;
  /** Whether the value was a whole number of nanoseconds (nothing truncated). */
  readonly exact: boolean;
}

/** Why a duration does not scan, at the group where it stopped (Go's own errors, as data). */
export type GoDurationSyntaxError =
  | { readonly kind: 'empty' }
  | { readonly kind: 'negative' }
  /** A sign and nothing after it. */
  | { readonly kind: 'no value' }
  /** Only digits and dots are left: `5`, `1.5`. */
  | { readonly kind: 'missing unit' }
  /** Neither a group nor digits only: `1.2.3s`. */
  | { readonly kind: 'malformed' }
  /** A unit without a digit before it: `h`, `.h`. */
  | { readonly kind: 'no number' }
  /** Letters that are not a unit (Go reads every non-digit, non-dot character up to the next digit or dot). */
  | { readonly kind: 'unknown unit'; readonly unit: string };

/**
 * Reads `text` as Go's `ParseDuration` does, group by group, without adding up or checking a limit: the groups read
 * before the first syntax error, and that error if there is one. A leading `-` is reported as `negative` (neither
 * caller takes negative durations); Go's special case `"0"` is left to the caller (it scans as `missing unit`).
 */
export function scanGoDuration(text: string): {
  readonly groups: readonly GoDurationGroup[];
  readonly error?: GoDurationSyntaxError;
} {
  if (text === '') return { groups: [], error: { kind: 'empty' } };
  if (text.startsWith('-')) return { groups: [], error: { kind: 'negative' } };
  let rest = text.startsWith('+') ? text.slice(1) : text;
  if (rest === '') return { groups: [], error: { kind: 'no value' } };
  const groups: GoDurationGroup[] = [];
  while (rest !== '') {
    const match = GROUP.exec(rest);
    if (match === null)
      return { groups, error: { kind: /^[\d.]+$/.test(rest) ? 'missing unit' : 'malformed' } };
    const [whole, intPart = '', fracPart = '', unit = ''] = match;
    if (intPart === '' && fracPart === '') return { groups, error: { kind: 'no number' } };
    const perUnit = NANOS_PER_UNIT.get(unit);
    if (perUnit === undefined) return { groups, error: { kind: 'unknown unit', unit } };
    const scale = 10n ** BigInt(fracPart.length);
    const scaled = (BigInt(intPart || '0') * scale + BigInt(fracPart || '0')) * perUnit;
    groups.push({ nanos: scaled / scale, exact: scaled % scale === 0n });
    rest = rest.slice(whole.length);
  }
  return { groups };
}

/** Go's limit: the duration must fit an int64 of nanoseconds. */
const MAX_NANOS = 2n ** 63n - 1n;

/** How `parseGoDuration` words each syntax error. */
const TTL_SYNTAX_REASONS: Readonly<Record<Exclude<GoDurationSyntaxError['kind'], 'unknown unit'>, string>> = {
  empty: 'empty',
  negative: 'must be positive',
  'no value': 'no value',
  'missing unit': 'missing unit (ns, us, ms, s, m or h)',
  malformed: 'expected a number and a unit, as in 1h30m',
  'no number': 'expected a number before the unit',
};

/**
 * Parses a Go duration (`1h`, `90m`, `1h30m`, `1.5s`, `250ms`, `.5h`) into ticks, for a record-store TTL: `src/`
 * cannot use the simulator's duration parser (layers import downward only), and a TTL is configuration text, so
 * errors are values. Signs, zero, a missing or unknown unit, a value finer than 1 µs and values beyond Go's int64
 * nanoseconds are errors. The messages quote the text as written.
 */
export function parseGoDuration(
  text: string,
): { readonly ok: true; readonly value: Ticks } | { readonly ok: false; readonly error: string } {
  const fail = (reason: string) => ({
    ok: false as const,
    error: `invalid duration ${JSON.stringify(text)}: ${reason}`,
  });
  const { groups, error } = scanGoDuration(text);
  let nanos = 0n;
  for (const group of groups) {
    // Go truncates a fraction finer than a nanosecond; a TTL finer than a tick is refused below anyway.
    nanos += group.nanos;
    if (nanos > MAX_NANOS) return fail('too large (Go durations end at about 292 years)');
  }
  if (error?.kind === 'unknown unit') return fail(`unknown unit ${JSON.stringify(error.unit)}`);
  if (error !== undefined) return fail(TTL_SYNTAX_REASONS[error.kind]);
  if (nanos === 0n) return fail('must be positive');
  if (nanos % 1_000n !== 0n) return fail('finer than the simulator resolution of 1µs');
  const micros = nanos / 1_000n;
  // Ticks are exact doubles: 2^53 µs is about 285 years, a little less than Go's limit.
  if (micros > BigInt(Number.MAX_SAFE_INTEGER)) return fail('too large for the simulator clock');
  return { ok: true, value: ticks(Number(micros)) };
}
