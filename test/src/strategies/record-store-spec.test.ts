import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  formatRecordStoreSpec,
  MAX_REQUESTED_CACHE_SIZE,
  parseRecordStoreSpec,
  RECORD_STORE_STRATEGIES,
  type RecordStoreSpec,
} from '../../../src/strategies/index.js';
import { TICKS_PER_HOUR, TICKS_PER_MINUTE, TICKS_PER_SECOND, ticks } from '../../../src/time.js';

const ok = (text: string): RecordStoreSpec => {
  const parsed = parseRecordStoreSpec(text);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.value;
};
const error = (text: string): string => {
  const parsed = parseRecordStoreSpec(text);
  if (parsed.ok) throw new Error(`${text} parsed as ${JSON.stringify(parsed.value)}`);
  return parsed.error;
};

describe('parseRecordStoreSpec: valid specs', () => {
  it.each<[string, RecordStoreSpec]>([
    ['fs', { strategy: 'fs' }],
    ['fs+lru', { strategy: 'fs+lru' }],
    ['fs+lru:3/4', { strategy: 'fs+lru', cacheSizes: { intents: 3, pulledRecords: 4 } }],
    ['fs+lru:5000/100000', { strategy: 'fs+lru', cacheSizes: { intents: 5000, pulledRecords: 100_000 } }],
    ['memory', { strategy: 'memory' }],
    ['ttl:1h', { strategy: 'ttl', ttl: ticks(TICKS_PER_HOUR) }],
    ['ttl:1h30m', { strategy: 'ttl', ttl: ticks(TICKS_PER_HOUR + 30 * TICKS_PER_MINUTE) }],
    ['ttl:1.5s', { strategy: 'ttl', ttl: ticks(1.5 * TICKS_PER_SECOND) }],
    ['ttl:.5h', { strategy: 'ttl', ttl: ticks(TICKS_PER_HOUR / 2) }],
    ['ttl:+90s', { strategy: 'ttl', ttl: ticks(90 * TICKS_PER_SECOND) }],
    ['ttl:250ms', { strategy: 'ttl', ttl: ticks(250_000) }],
    ['ttl:12µs', { strategy: 'ttl', ttl: ticks(12) }],
    ['ttl:12μs', { strategy: 'ttl', ttl: ticks(12) }],
    ['ttl:12us', { strategy: 'ttl', ttl: ticks(12) }],
    ['ttl:3000ns', { strategy: 'ttl', ttl: ticks(3) }],
    ['ttl:1.s', { strategy: 'ttl', ttl: ticks(TICKS_PER_SECOND) }],
    ['revoke-on-delete', { strategy: 'revoke-on-delete' }],
    ['journal', { strategy: 'journal', volatileIntents: false }],
    ['journal:volatile-intents', { strategy: 'journal', volatileIntents: true }],
  ])('%s', (text, expected) => {
    expect(ok(text)).toEqual(expected);
  });

  it('takes cache sizes as asked, above the kubelet caps of 1024/2000 (no capping for this strategy)', () => {
    expect(ok(`fs+lru:${MAX_REQUESTED_CACHE_SIZE}/2001`)).toEqual({
      strategy: 'fs+lru',
      cacheSizes: { intents: MAX_REQUESTED_CACHE_SIZE, pulledRecords: 2001 },
    });
  });
});

describe('parseRecordStoreSpec: invalid specs say what is wrong', () => {
  it.each<[string, string]>([
    ['', 'invalid record store "": empty; expected one of fs, fs+lru, fs+lru:<intents>/<records>'],
    ['FS', 'invalid record store "FS": unknown strategy; expected one of fs, fs+lru'],
    [' journal', 'invalid record store " journal": unknown strategy'],
    [
      'sharded',
      'unknown strategy; expected one of fs, fs+lru, fs+lru:<intents>/<records>, memory, ttl:<duration>',
    ],
    ['fs:1', 'invalid record store "fs:1": fs takes no argument'],
    ['memory:', 'memory takes no argument'],
    ['revoke-on-delete:secrets', 'revoke-on-delete takes no argument'],
    ['fs+lru:', 'expected fs+lru:<intents>/<records>, e.g. fs+lru:1024/2000'],
    ['fs+lru:3', 'expected fs+lru:<intents>/<records>'],
    ['fs+lru:1/2/3', 'expected fs+lru:<intents>/<records>'],
    [
      'fs+lru:0/4',
      `the intents cache size must be an integer from 1 to ${MAX_REQUESTED_CACHE_SIZE}, got "0"`,
    ],
    ['fs+lru:3/-4', 'the records cache size must be an integer from 1 to 10000000, got "-4"'],
    ['fs+lru:03/4', 'the intents cache size must be an integer from 1 to 10000000, got "03"'],
    ['fs+lru:1.5/4', 'the intents cache size must be an integer'],
    ['fs+lru:/4', 'the intents cache size must be an integer from 1 to 10000000, got ""'],
    ['fs+lru:3/10000001', 'the records cache size must be an integer from 1 to 10000000, got "10000001"'],
    ['ttl', 'missing duration, e.g. ttl:24h'],
    ['ttl:', 'missing duration, e.g. ttl:24h'],
    ['ttl:0', 'invalid duration "0": missing unit'],
    ['ttl:0s', 'invalid duration "0s": must be positive'],
    ['ttl:-1h', 'invalid duration "-1h": must be positive'],
    ['ttl:+', 'invalid duration "+": no value'],
    ['ttl:1', 'invalid duration "1": missing unit (ns, us, ms, s, m or h)'],
    ['ttl:1d', 'invalid duration "1d": unknown unit "d"'],
    ['ttl:h', 'invalid duration "h": expected a number before the unit'],
    ['ttl:.h', 'expected a number before the unit'],
    ['ttl:1h-5m', 'invalid duration "1h-5m": unknown unit "h-"'],
    ['ttl:1.2.3s', 'expected a number and a unit, as in 1h30m'],
    ['ttl:1ns', 'invalid duration "1ns": finer than the simulator resolution of 1µs'],
    ['ttl:2562047h48m', 'too large (Go durations end at about 292 years)'],
    ['ttl:2502000h', 'too large for the simulator clock'],
    ['journal:', 'unknown journal option ""; the only option is volatile-intents'],
    ['journal:sharded', 'unknown journal option "sharded"'],
  ])('%j', (text, message) => {
    expect(error(text)).toContain(message);
  });
});

describe('formatRecordStoreSpec', () => {
  it.each([
    'fs',
    'fs+lru',
    'fs+lru:3/4',
    'memory',
    'ttl:1h30m0s',
    'ttl:1.5s',
    'ttl:250ms',
    'revoke-on-delete',
    'journal',
    'journal:volatile-intents',
  ])('prints %s back as written', (text) => {
    expect(formatRecordStoreSpec(ok(text))).toBe(text);
  });

  it('round-trips every TTL in ticks: parse(format(spec)) is spec', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 400 * TICKS_PER_HOUR }), (ttl) => {
        const spec: RecordStoreSpec = { strategy: 'ttl', ttl: ticks(ttl) };
        expect(ok(formatRecordStoreSpec(spec))).toEqual(spec);
      }),
      { numRuns: 200 },
    );
  });
});

describe('RECORD_STORE_STRATEGIES (documentation and --help)', () => {
  it('lists every spec form once, each with an idea and a trade-off', () => {
    expect(RECORD_STORE_STRATEGIES.map((s) => s.syntax)).toEqual([
      'fs',
      'fs+lru',
      'fs+lru:<intents>/<records>',
      'memory',
      'ttl:<duration>',
      'revoke-on-delete',
      'journal',
      'journal:volatile-intents',
    ]);
    for (const strategy of RECORD_STORE_STRATEGIES) {
      expect(strategy.idea.length).toBeGreaterThan(20);
      expect(strategy.tradeOff.length).toBeGreaterThan(20);
    }
  });

  it('marks which strategies make the kubelet’s decisions', () => {
    const fidelity = Object.fromEntries(RECORD_STORE_STRATEGIES.map((s) => [s.syntax, s.decisions]));
    expect(fidelity).toEqual({
      fs: 'kubelet',
      'fs+lru': 'kubelet',
      'fs+lru:<intents>/<records>': 'kubelet',
      memory: 'different',
      'ttl:<duration>': 'different',
      'revoke-on-delete': 'different',
      journal: 'kubelet',
      'journal:volatile-intents': 'kubelet-without-crash',
    });
  });
});
