import { describe, expect, it } from 'vitest';
import { formatRfc3339Seconds, GO_ZERO_TIME_UNIX_SECONDS, parseRfc3339 } from '../../../src/go/rfc3339.js';

// The record decoder's use of these (ticks, the zero time, the range it can hold) is checked in records.test.ts.

describe('parseRfc3339 (time.Parse(time.RFC3339, s))', () => {
  it('keeps nine fractional digits and notes whether any written digit was not zero', () => {
    expect(parseRfc3339('2024-10-21T12:26:40.123456789987Z')).toEqual({
      ok: true,
      value: { unixSeconds: 1_729_513_600, nanoseconds: 123_456_789, wholeSecond: false },
    });
    expect(parseRfc3339('0001-01-01T00:00:00.0000000001Z')).toEqual({
      ok: true,
      value: { unixSeconds: GO_ZERO_TIME_UNIX_SECONDS, nanoseconds: 0, wholeSecond: false },
    });
  });

  it('applies the zone offset', () => {
    expect(parseRfc3339('1970-01-01T01:00:00+01:00')).toEqual({
      ok: true,
      value: { unixSeconds: 0, nanoseconds: 0, wholeSecond: true },
    });
  });

  it("words an error as Go's time.ParseError", () => {
    expect(parseRfc3339('2024-02-30T00:00:00Z')).toEqual({
      ok: false,
      error: 'parsing time "2024-02-30T00:00:00Z" as "2006-01-02T15:04:05Z07:00": day out of range',
    });
  });
});

describe('formatRfc3339Seconds (metav1.Time.MarshalJSON)', () => {
  it('writes the UTC instant in whole seconds', () => {
    expect(formatRfc3339Seconds(1_729_513_600)).toBe('2024-10-21T12:26:40Z');
    expect(formatRfc3339Seconds(0)).toBe('1970-01-01T00:00:00Z');
  });
});
