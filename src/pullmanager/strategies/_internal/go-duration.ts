/**
 * Go's `time.ParseDuration` (src/time/format.go), restricted to what a record-store TTL needs: a positive
 * duration in whole microseconds (one tick). `src/` cannot use the simulator's duration parser (layers import
 * downward only), and a TTL is configuration text, so errors are values.
 */
import { type Ticks, ticks } from '../../../time.js';

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

/** Go's limit: the duration must fit an int64 of nanoseconds. */
const MAX_NANOS = 2n ** 63n - 1n;

/** One `<number><unit>` group: digits with an optional fraction (at least one digit overall), then a unit. */
const GROUP = /^(\d*)(?:\.(\d*))?([^\d.]+)/;

/**
 * Parses a Go duration (`1h`, `90m`, `1h30m`, `1.5s`, `250ms`, `.5h`) into ticks. Signs, zero, a missing or
 * unknown unit, a value finer than 1 µs and values beyond Go's int64 nanoseconds are errors. The messages quote
 * the text as written.
 */
export function parseGoDuration(
  text: string,
): { readonly ok: true; readonly value: Ticks } | { readonly ok: false; readonly error: string } {
  const fail = (reason: string) => ({
    ok: false as const,
    error: `invalid duration ${JSON.stringify(text)}: ${reason}`,
  });
  if (text === '') return fail('empty');
  if (text.startsWith('-')) return fail('must be positive');
  let rest = text.startsWith('+') ? text.slice(1) : text;
  if (rest === '') return fail('no value');
  let nanos = 0n;
  while (rest !== '') {
    const match = GROUP.exec(rest);
    if (match === null) {
      return fail(
        /^[\d.]+$/.test(rest)
          ? 'missing unit (ns, us, ms, s, m or h)'
          : 'expected a number and a unit, as in 1h30m',
      );
    }
    const [whole, intPart = '', fracPart = '', unit = ''] = match;
    if (intPart === '' && fracPart === '') return fail('expected a number before the unit');
    const perUnit = NANOS_PER_UNIT.get(unit);
    if (perUnit === undefined) return fail(`unknown unit ${JSON.stringify(unit)}`);
    const scale = 10n ** BigInt(fracPart.length);
    const scaled = (BigInt(intPart || '0') * scale + BigInt(fracPart || '0')) * perUnit;
    // Go truncates a fraction finer than a nanosecond; a TTL finer than a tick is refused below anyway.
    nanos += scaled / scale;
    if (nanos > MAX_NANOS) return fail('too large (Go durations end at about 292 years)');
    rest = rest.slice(whole.length);
  }
  if (nanos === 0n) return fail('must be positive');
  if (nanos % 1_000n !== 0n) return fail('finer than the simulator resolution of 1µs');
  const micros = nanos / 1_000n;
  // Ticks are exact doubles: 2^53 µs is about 285 years, a little less than Go's limit.
  if (micros > BigInt(Number.MAX_SAFE_INTEGER)) return fail('too large for the simulator clock');
  return { ok: true, value: ticks(Number(micros)) };
}
