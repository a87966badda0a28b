/**
 * Go's `time.Parse(time.RFC3339, s)` and `t.UTC().Format(time.RFC3339)` for whole seconds, as `metav1.Time`
 * unmarshals and marshals itself (apimachinery `pkg/apis/meta/v1/time.go`). Parsing keeps nanoseconds, as Go
 * does; what a caller can hold of them is its own business.
 */

/** An instant as Go's `time.Time` holds it: seconds since the Unix epoch and the nanoseconds within the second. */
export interface GoTime {
  /** Seconds since 1970-01-01T00:00:00Z; negative before it (Go's zero time is `GO_ZERO_TIME_UNIX_SECONDS`). */
  readonly unixSeconds: number;
  /** 0 to 999 999 999: Go reads at most nine fractional digits and drops the rest. */
  readonly nanoseconds: number;
  /** Whether every fractional digit as written is 0 (also any beyond the ninth, which Go drops). */
  readonly wholeSecond: boolean;
}

/** The layout Go names in its parse errors. */
const LAYOUT = '2006-01-02T15:04:05Z07:00';

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:[.,](\d+))?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Parses an RFC 3339 timestamp (`2024-10-21T12:26:40Z`, `…40.5+02:00`; Go also takes `,` before the fraction), or
 * returns Go's error text (`parsing time "…" as "2006-01-02T15:04:05Z07:00": month out of range`).
 */
export function parseRfc3339(
  text: string,
): { readonly ok: true; readonly value: GoTime } | { readonly ok: false; readonly error: string } {
  const m = RFC3339.exec(text);
  if (m === null) return rfc3339Error(text, `cannot parse ${JSON.stringify(text)} as "${LAYOUT}"`);
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  let reason: string | undefined;
  if (month < 1 || month > 12) reason = 'month out of range';
  else if (day < 1 || day > daysIn(year, month)) reason = 'day out of range';
  else if (hour > 23) reason = 'hour out of range';
  else if (minute > 59) reason = 'minute out of range';
  else if (second > 59) reason = 'second out of range';
  if (reason !== undefined) return rfc3339Error(text, reason);
  let offsetSeconds = 0;
  const zone = m[8]!;
  if (zone !== 'Z') {
    const zoneHours = Number(zone.slice(1, 3));
    const zoneMinutes = Number(zone.slice(4, 6));
    if (zoneHours > 23 || zoneMinutes > 59) return rfc3339Error(text, 'time zone offset out of range');
    offsetSeconds = (zone[0] === '-' ? -1 : 1) * (zoneHours * 3600 + zoneMinutes * 60);
  }
  const fraction = m[7] ?? '';
  const unixSeconds =
    daysFromCivil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second - offsetSeconds;
  const nanoseconds = Number((fraction + '000000000').slice(0, 9));
  return { ok: true, value: { unixSeconds, nanoseconds, wholeSecond: /^0*$/.test(fraction) } };
}

/** A parse error of `parseRfc3339`, worded as Go's `time.ParseError` for the RFC 3339 layout. */
export function rfc3339Error(text: string, reason: string): { readonly ok: false; readonly error: string } {
  return { ok: false, error: `parsing time ${JSON.stringify(text)} as "${LAYOUT}": ${reason}` };
}

/** `metav1.Time.MarshalJSON`'s text: the UTC instant, whole seconds, RFC 3339 (`2024-10-21T12:26:40Z`). */
export function formatRfc3339Seconds(unixSeconds: number): string {
  return new Date(unixSeconds * 1000).toISOString().slice(0, 19) + 'Z';
}

function daysIn(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

/** Go's zero `time.Time`, 0001-01-01T00:00:00Z, in seconds relative to the Unix epoch. */
export const GO_ZERO_TIME_UNIX_SECONDS = daysFromCivil(1, 1, 1) * 86_400;
