import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DurationError, formatDuration, parseDuration, type Ticks, ticks } from '../../../sim/kernel/time.js';
import { secondsToTicks } from '../../../src/time.js';

describe('parseDuration', () => {
  it.each([
    ['0', 0],
    ['0s', 0],
    ['250ms', 250_000],
    ['90s', 90_000_000],
    ['1h30m', 5_400_000_000],
    ['1.5s', 1_500_000],
    ['1m0.5s', 60_500_000],
    ['12µs', 12],
    ['12us', 12],
    ['3000ns', 3],
    ['+5s', 5_000_000],
    ['.5s', 500_000],
    ['2h45m30.25s', 9_930_250_000],
  ])('%s is %i ticks', (text, expected) => {
    expect(parseDuration(text)).toBe(expected);
  });

  it.each([
    ['', 'empty'],
    ['5', 'missing unit'],
    ['-5s', 'must not be negative'],
    ['5x', 'expected a number followed by a unit'],
    ['1.5ns', 'finer than'],
    ['1500ns', 'finer than'],
    ['s', 'expected a number'],
    ['+', 'no value'],
    ['99999999999999999h', 'too large'],
  ])('rejects %j, quoting it', (text, reason) => {
    expect(() => parseDuration(text)).toThrow(DurationError);
    expect(() => parseDuration(text)).toThrow(`invalid duration ${JSON.stringify(text)}`);
    expect(() => parseDuration(text)).toThrow(reason);
  });
});

describe('formatDuration (Go time.Duration.String)', () => {
  it.each([
    [0, '0s'],
    [1, '1µs'],
    [999, '999µs'],
    [1_000, '1ms'],
    [1_500, '1.5ms'],
    [250_000, '250ms'],
    [1_000_000, '1s'],
    [1_500_000, '1.5s'],
    [90_000_000, '1m30s'],
    [1_800_000_000, '30m0s'],
    [5_400_000_000, '1h30m0s'],
    [3_600_000_001, '1h0m0.000001s'],
  ])('%i ticks is %s', (value, expected) => {
    expect(formatDuration(value as Ticks)).toBe(expected);
  });

  it('formatting then parsing is the identity', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 30 * 24 * 3600 * 1_000_000 }), (value) => {
        expect(parseDuration(formatDuration(ticks(value)))).toBe(value);
      }),
      { numRuns: 500 },
    );
  });
});

describe('ticks', () => {
  it('rejects negative and fractional values', () => {
    expect(() => ticks(-1)).toThrow(RangeError);
    expect(() => ticks(1.5)).toThrow(RangeError);
    expect(secondsToTicks(1.25)).toBe(1_250_000);
  });
});
