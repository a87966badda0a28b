import {
  TICKS_PER_HOUR,
  TICKS_PER_MILLISECOND,
  TICKS_PER_MINUTE,
  TICKS_PER_SECOND,
  type Ticks,
  ticks,
} from '../../src/time.js';

export { formatDuration, type Ticks, ticks } from '../../src/time.js';

/** A duration that cannot be read; the message quotes the text as written. */
export class DurationError extends Error {
  constructor(
    readonly text: string,
    reason: string,
  ) {
    super(`invalid duration ${JSON.stringify(text)}: ${reason}`);
    this.name = 'DurationError';
  }
}

const UNIT_TICKS: ReadonlyMap<string, number> = new Map([
  ['ns', TICKS_PER_SECOND / 1e9],
  ['us', 1],
  ['µs', 1],
  ['μs', 1],
  ['ms', TICKS_PER_MILLISECOND],
  ['s', TICKS_PER_SECOND],
  ['m', TICKS_PER_MINUTE],
  ['h', TICKS_PER_HOUR],
]);

const PART = /^(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/;

/**
 * Parses a Kubernetes/Go-style duration (`250ms`, `90s`, `1h30m`, `1.5s`, `0`) into ticks. Negative durations,
 * a missing unit, an unknown unit and values finer than one tick (1 µs) are errors that quote the text.
 */
export function parseDuration(text: string): Ticks {
  if (text === '0') return ticks(0);
  if (text.length === 0) return fail(text, 'empty');
  if (text.startsWith('-')) return fail(text, 'must not be negative');
  let rest = text.startsWith('+') ? text.slice(1) : text;
  if (rest.length === 0) return fail(text, 'no value');
  // Sum in exact integer nanoseconds, then convert; BigInt keeps long inputs exact.
  let totalNanos = 0n;
  while (rest.length > 0) {
    const match = PART.exec(rest);
    if (!match) {
      return fail(
        text,
        /^[\d.]+$/.test(rest)
          ? 'missing unit (use ns, us, ms, s, m or h)'
          : 'expected a number followed by a unit such as 250ms, 90s or 1h30m',
      );
    }
    const [whole, number, unit] = match as unknown as [string, string, string];
    const nanosPerUnit = BigInt(Math.round((UNIT_TICKS.get(unit) as number) * 1000));
    const [intPart = '', fracPart = ''] = number.split('.');
    const scale = 10n ** BigInt(fracPart.length);
    const numerator = BigInt(intPart || '0') * scale + BigInt(fracPart || '0');
    const nanos = numerator * nanosPerUnit;
    if (nanos % scale !== 0n) return fail(text, 'finer than the simulator resolution of 1µs');
    totalNanos += nanos / scale;
    rest = rest.slice(whole.length);
  }
  if (totalNanos % 1000n !== 0n) return fail(text, 'finer than the simulator resolution of 1µs');
  const micros = totalNanos / 1000n;
  if (micros > BigInt(Number.MAX_SAFE_INTEGER)) return fail(text, 'too large');
  return ticks(Number(micros));
}

function fail(text: string, reason: string): never {
  throw new DurationError(text, reason);
}
