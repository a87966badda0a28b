/**
 * Virtual time as the kubelet model sees it.
 *
 * One tick is one microsecond. The resolution is fine enough for file-system latencies (tens of µs) and coarse
 * enough that a simulated day (8.64e10 ticks) and absolute Unix times in 2026 (≈1.8e15 ticks) stay far below
 * Number.MAX_SAFE_INTEGER, so ticks are plain integers with exact arithmetic.
 */
export type Ticks = number & { readonly __unit: 'ticks (µs)' };

export const TICKS_PER_MILLISECOND = 1_000;
export const TICKS_PER_SECOND = 1_000_000;
export const TICKS_PER_MINUTE = 60 * TICKS_PER_SECOND;
export const TICKS_PER_HOUR = 60 * TICKS_PER_MINUTE;

/** Brands an integer as ticks; throws on a non-integer or negative value (a programmer error). */
export function ticks(value: number): Ticks {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`ticks must be a non-negative safe integer, got ${value}`);
  }
  return value as Ticks;
}

export function secondsToTicks(seconds: number): Ticks {
  return ticks(Math.round(seconds * TICKS_PER_SECOND));
}

/**
 * Formats ticks the way Go's `time.Duration.String` formats a duration: `1h30m0s`, `1.5s`, `250ms`, `12µs`,
 * `0s`. The kubelet prints durations this way in its event messages, and pullsim's result JSON uses the same form.
 */
export function formatDuration(value: Ticks): string {
  const micros = value as number;
  if (micros === 0) return '0s';
  if (micros < TICKS_PER_MILLISECOND) return `${micros}µs`;
  if (micros < TICKS_PER_SECOND) return `${fraction(micros, TICKS_PER_MILLISECOND)}ms`;
  const hours = Math.floor(micros / TICKS_PER_HOUR);
  const minutes = Math.floor((micros % TICKS_PER_HOUR) / TICKS_PER_MINUTE);
  const secondsPart = fraction(micros % TICKS_PER_MINUTE, TICKS_PER_SECOND);
  if (hours > 0) return `${hours}h${minutes}m${secondsPart}s`;
  if (minutes > 0) return `${minutes}m${secondsPart}s`;
  return `${secondsPart}s`;
}

/** `value / unit` as a decimal string without trailing zeros (exact: both are integers). */
function fraction(value: number, unit: number): string {
  const whole = Math.floor(value / unit);
  const rest = value % unit;
  if (rest === 0) return String(whole);
  const digits = String(unit).length - 1;
  return `${whole}.${String(rest).padStart(digits, '0').replace(/0+$/, '')}`;
}
