import { type GoDurationSyntaxError, scanGoDuration } from '../../src/go/index.js';
import { type Ticks, ticks } from '../../src/time.js';

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

const EXPECTED_GROUP = 'expected a number followed by a unit such as 250ms, 90s or 1h30m';
const FINER_THAN_A_TICK = 'finer than the simulator resolution of 1µs';

/** How a scenario duration's syntax errors read (the record-store TTL words them its own way). */
const SYNTAX_REASONS: Readonly<Record<GoDurationSyntaxError['kind'], string>> = {
  empty: 'empty',
  negative: 'must not be negative',
  'no value': 'no value',
  'missing unit': 'missing unit (use ns, us, ms, s, m or h)',
  malformed: EXPECTED_GROUP,
  'no number': EXPECTED_GROUP,
  'unknown unit': EXPECTED_GROUP,
};

/**
 * Parses a Kubernetes/Go-style duration (`250ms`, `90s`, `1h30m`, `1.5s`, `0`) into ticks, with Go's syntax
 * (`scanGoDuration`). Negative durations, a missing unit, an unknown unit and values finer than one tick (1 µs),
 * in total or in any one group, are errors that quote the text.
 */
export function parseDuration(text: string): Ticks {
  if (text === '0') return ticks(0);
  const { groups, error } = scanGoDuration(text);
  // Sum in exact integer nanoseconds, then convert; BigInt keeps long inputs exact.
  let totalNanos = 0n;
  for (const group of groups) {
    if (!group.exact) return fail(text, FINER_THAN_A_TICK);
    totalNanos += group.nanos;
  }
  if (error !== undefined) return fail(text, SYNTAX_REASONS[error.kind]);
  if (totalNanos % 1000n !== 0n) return fail(text, FINER_THAN_A_TICK);
  const micros = totalNanos / 1000n;
  if (micros > BigInt(Number.MAX_SAFE_INTEGER)) return fail(text, 'too large');
  return ticks(Number(micros));
}

function fail(text: string, reason: string): never {
  throw new DurationError(text, reason);
}
