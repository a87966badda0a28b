import { describe, expect, it } from 'vitest';
import { parseGoDuration, scanGoDuration } from '../../../src/go/duration.js';

// The TTL's accepted forms and messages are checked through the spec parser (record-store-spec.test.ts) and the
// scenario durations' through sim/kernel/time.test.ts; here, the scanner they share.

describe('scanGoDuration (time.ParseDuration syntax)', () => {
  it('reads each group exactly, truncating below a nanosecond as Go does', () => {
    expect(scanGoDuration('1h30m')).toEqual({
      groups: [
        { nanos: 3_600_000_000_000n, exact: true },
        { nanos: 1_800_000_000_000n, exact: true },
      ],
    });
    expect(scanGoDuration('+.5µs1.5ns')).toEqual({
      groups: [
        { nanos: 500n, exact: true },
        { nanos: 1n, exact: false },
      ],
    });
  });

  it.each([
    ['', { kind: 'empty' }],
    ['-1s', { kind: 'negative' }],
    ['+', { kind: 'no value' }],
    ['0', { kind: 'missing unit' }],
    ['1s2.', { kind: 'missing unit' }],
    ['1.2.3s', { kind: 'malformed' }],
    ['.h', { kind: 'no number' }],
    ['1h-5m', { kind: 'unknown unit', unit: 'h-' }],
  ])('stops at the first error in %j: %j', (text, error) => {
    expect(scanGoDuration(text).error).toEqual(error);
  });

  it('keeps the groups read before the error', () => {
    expect(scanGoDuration('1s2x').groups).toEqual([{ nanos: 1_000_000_000n, exact: true }]);
  });
});

/** The preconditions of the internal helpers that the spec parser never lets through. */

describe('internal helpers', () => {
  it('parseGoDuration refuses the empty string', () => {
    expect(parseGoDuration('')).toEqual({ ok: false, error: 'invalid duration "": empty' });
  });
});
