/**
 * The benchmark suite (sim/bench/suite.ts): its result has one run per strategy and mode, a differential row per
 * decision-identical strategy and mode, start-up I/O per strategy and record count, and the least possible I/O
 * taken from the kubelet's own stack; bad strategy specs are bad input (exit 2).
 */
import { describe, expect, it } from 'vitest';
import {
  BENCH_STRATEGIES,
  checkStrategies,
  DECISION_IDENTICAL,
  measureStartup,
  runBenchSuite,
} from '../../../sim/bench/suite.js';
import { WORKLOAD_PRESETS } from '../../../sim/bench/workload.js';
import { InputError } from '../../../sim/errors.js';
import { RECORD_STORE_STRATEGIES } from '../../../src/strategies/index.js';
import { TICKS_PER_HOUR, TICKS_PER_SECOND, ticks } from '../../../src/time.js';
import { tinyWorkload } from '../../support/bench-workloads.js';

const tiny = tinyWorkload();
const small = WORKLOAD_PRESETS.small;

/** The InputError a call throws (fails the test when it does not throw one). */
function inputErrorOf(call: () => unknown): InputError {
  try {
    call();
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error('expected an InputError');
}

describe('runBenchSuite', () => {
  const labels: string[] = [];
  const result = runBenchSuite(tiny, {
    strategies: ['fs+lru', 'journal'],
    modes: ['AlwaysVerify'],
    startupRecords: [100, 1_000],
    onProgress: (label) => labels.push(label),
  });

  it('runs each strategy in each mode, measured on the workload’s device', () => {
    expect(result.workload).toBe(tiny);
    expect(result.runs.map((r) => [r.strategy, r.mode, r.device])).toEqual([
      ['fs+lru', 'AlwaysVerify', tiny.device],
      ['journal', 'AlwaysVerify', tiny.device],
    ]);
  });

  it('checks the decision-identical strategies against fs+lru', () => {
    expect(result.differential).toEqual([
      {
        strategy: 'fs+lru',
        mode: 'AlwaysVerify',
        identical: true,
        digest: expect.stringMatching(/^sha256:/),
      },
      { strategy: 'journal', mode: 'AlwaysVerify', identical: true, digest: result.differential[0]?.digest },
    ]);
  });

  it('measures start-up for every strategy and record count', () => {
    expect(result.startup.map((s) => [s.strategy, s.records])).toEqual([
      ['fs+lru', 100],
      ['journal', 100],
      ['fs+lru', 1_000],
      ['journal', 1_000],
    ]);
  });

  it('takes the least possible I/O from the fs+lru run: its pulled-record changes', () => {
    const fsLru = result.runs.find((r) => r.strategy === 'fs+lru');
    expect(result.leastIo).toEqual([
      { mode: 'AlwaysVerify', recordChanges: (fsLru?.fs.recordWrites ?? 0) + (fsLru?.fs.recordDeletes ?? 0) },
    ]);
    expect(fsLru?.fs.recordWrites).toBeGreaterThan(0);
  });

  it('says what it is doing', () => {
    // Runs report every 16 384 events, which a tiny run never reaches; each start-up measurement says it begins.
    expect(labels).toEqual([
      'start-up fs+lru · 100 records',
      'start-up journal · 100 records',
      'start-up fs+lru · 1000 records',
      'start-up journal · 1000 records',
    ]);
    const busy = tinyWorkload({
      duration: ticks(6 * TICKS_PER_HOUR),
      pods: { ...tiny.pods, starts: 5_500, meanLifetime: ticks(5 * TICKS_PER_SECOND) },
    });
    const progress: [string, number][] = [];
    runBenchSuite(busy, {
      strategies: ['memory'],
      modes: ['AlwaysVerify'],
      startupRecords: [],
      onProgress: (label, fraction) => progress.push([label, fraction]),
    });
    expect(progress.length).toBeGreaterThan(0);
    for (const [label, fraction] of progress) {
      expect(label).toBe('memory · AlwaysVerify');
      expect(fraction).toBeGreaterThan(0);
      expect(fraction).toBeLessThanOrEqual(1);
    }
  });

  it('leaves out what is not asked for, and has no yardstick without fs+lru', () => {
    const bare = runBenchSuite(tiny, {
      strategies: ['memory', 'ttl:1h'],
      modes: ['NeverVerifyPreloadedImages'],
      startupRecords: [],
    });
    expect(bare.runs).toHaveLength(2);
    // Neither decides as the kubelet by design: nothing to compare.
    expect(bare.differential).toEqual([]);
    expect(bare.startup).toEqual([]);
    expect(bare.leastIo).toEqual([]);
    const noDifferential = runBenchSuite(tiny, {
      strategies: ['default'],
      modes: ['AlwaysVerify'],
      startupRecords: [],
      differential: false,
    });
    expect(noDifferential.differential).toEqual([]);
    // The profile's own stack (fs+lru in 1.36) is the yardstick when it runs as `default`.
    expect(noDifferential.leastIo).toEqual([
      {
        mode: 'AlwaysVerify',
        recordChanges:
          (noDifferential.runs[0]?.fs.recordWrites ?? 0) + (noDifferential.runs[0]?.fs.recordDeletes ?? 0),
      },
    ]);
  });

  it('refuses a bad strategy before running anything', () => {
    const error = inputErrorOf(() => runBenchSuite(tiny, { strategies: ['fs+lru', 'lru'] }));
    expect(error.issues).toHaveLength(1);
    expect(error.issues[0]?.path).toEqual(['--strategies']);
  });
});

describe('the default suite', () => {
  it('runs every strategy of the benchmark, and they are the documented ones', () => {
    expect(BENCH_STRATEGIES).toEqual([
      'fs',
      'fs+lru',
      'fs+lru:4096/16384',
      'memory',
      'ttl:1h',
      'revoke-on-delete',
      'journal',
      'journal:volatile-intents',
    ]);
    expect(() => checkStrategies(BENCH_STRATEGIES)).not.toThrow();
    // Decision-identical means: the strategy table says it decides as the kubelet (volatile intents: unless it
    // crashes mid-pull; the workloads' kubelet restarts drain their pulls first, so they are clean).
    const rowOf = (strategy: string) =>
      RECORD_STORE_STRATEGIES.find((s) =>
        s.syntax.includes(':<')
          ? strategy.startsWith(s.syntax.split('<')[0] as string)
          : s.syntax === strategy,
      );
    for (const strategy of BENCH_STRATEGIES) {
      const decisions = rowOf(strategy)?.decisions;
      expect(decisions).toBeDefined();
      expect(DECISION_IDENTICAL.has(strategy)).toBe(decisions !== 'different');
    }
  });
});

describe('checkStrategies', () => {
  it('accepts every strategy spec and `default`', () => {
    expect(() =>
      checkStrategies(['default', 'fs', 'fs+lru:1/1', 'ttl:90m', 'journal:volatile-intents']),
    ).not.toThrow();
    expect(() => checkStrategies([])).not.toThrow();
  });

  it('rejects bad specs with one issue each, as bad input', () => {
    const error = inputErrorOf(() => checkStrategies(['bogus', 'fs', 'fs+lru:0/5', 'journal:fast']));
    expect(error.name).toBe('InputError');
    expect(error.issues.map((i) => i.path)).toEqual([['--strategies'], ['--strategies'], ['--strategies']]);
    expect(error.issues.every((i) => i.code === 'invalid_option')).toBe(true);
    expect(error.issues.map((i) => i.message.split(':')[0])).toEqual(['"bogus"', '"fs+lru', '"journal']);
    expect(error.issues[0]?.message).toContain('unknown strategy');
    expect(error.message.split('\n')).toHaveLength(3);
  });
});

describe('measureStartup', () => {
  it.each(['fs', 'fs+lru', 'default', 'ttl:1h', 'revoke-on-delete'])(
    '%s: start-up work grows with the records stored (every file is read)',
    (strategy) => {
      const few = measureStartup(strategy, 100, small);
      const many = measureStartup(strategy, 1_000, small);
      expect(few).toMatchObject({ strategy, records: 100 });
      expect(many).toMatchObject({ strategy, records: 1_000 });
      expect(many.syscalls).toBeGreaterThan(few.syscalls);
      expect(many.ops).toBeGreaterThan(few.ops);
      expect(many.bytesRead).toBeGreaterThan(few.bytesRead);
      // At least one read of each record file.
      expect(many.ops).toBeGreaterThanOrEqual(1_000);
    },
  );

  it.each(['journal', 'journal:volatile-intents'])(
    '%s: start-up reads the one log whole, in the same number of system calls for any size',
    (strategy) => {
      const few = measureStartup(strategy, 100, small);
      const many = measureStartup(strategy, 1_000, small);
      expect(few.syscalls).toBeGreaterThan(0);
      expect(many.syscalls).toBe(few.syscalls);
      expect(many.ops).toBe(few.ops);
      expect(many.bytesRead).toBeGreaterThan(few.bytesRead);
    },
  );

  it('memory: nothing is stored, so nothing is read', () => {
    expect(measureStartup('memory', 1_000, small)).toEqual({
      strategy: 'memory',
      records: 1_000,
      syscalls: 0,
      ops: 0,
      bytesRead: 0,
    });
  });

  it('refuses a bad strategy as bad input', () => {
    const error = inputErrorOf(() => measureStartup('journal:fast', 10, small));
    expect(error.issues[0]?.path).toEqual(['--strategies']);
  });
});
