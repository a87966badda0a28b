/**
 * Bench sweeps (sim/bench/sweep*.ts): the parameters and their product, each combination's workload and
 * strategies, a sweep point's counts against a plain bench of the same workload, and shards that merge back into
 * the unsharded sweep.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runBenchSuite } from '../../../sim/bench/suite.js';
import {
  planSweep,
  REAL_TIME_FIELDS,
  runSweep,
  type SweepOptions,
  type SweepResult,
} from '../../../sim/bench/sweep.js';
import { mergeSweepShards } from '../../../sim/bench/sweep-merge.js';
import { parseSweeps, pointWorkload, sweepPoints } from '../../../sim/bench/sweep-params.js';
import { parseWorkload } from '../../../sim/bench/workload.js';
import { InputError } from '../../../sim/errors.js';
import { TICKS_PER_MINUTE } from '../../../src/time.js';
import { tinyWorkload, tinyWorkloadText } from '../../support/bench-workloads.js';

/** The printed lines of the InputError `f` throws. */
function errorLines(f: () => unknown): string[] {
  try {
    f();
  } catch (error) {
    if (error instanceof InputError) return error.message.split('\n');
    throw error;
  }
  throw new Error('no InputError thrown');
}

/** A result as JSON without the real-time measures, which are the only figures allowed to differ. */
function withoutRealTime(result: SweepResult): string {
  return JSON.stringify({ ...result, rows: result.rows.map(({ realTime: _, ...row }) => row) }, null, 2);
}

describe('sweep parameters', () => {
  it('parse workload fields by their dotted path, typed as the workload file types them', () => {
    expect(
      parseSweeps([
        'images.count=1,10',
        'kubelet.version=1.33,1.36',
        'pods.meanLifetime=1m,90s',
        'device=ssd,hdd',
      ]),
    ).toEqual([
      { name: 'images.count', kind: 'workload', values: [1, 10] },
      // Text the field takes stays text: a version is not read as a number.
      { name: 'kubelet.version', kind: 'workload', values: ['1.33', '1.36'] },
      { name: 'pods.meanLifetime', kind: 'workload', values: ['1m', '90s'] },
      { name: 'device', kind: 'workload', values: ['ssd', 'hdd'] },
    ]);
    expect(parseSweeps(['ttl:*=1h, 6h', 'fs+lru:1024/*=2000'])).toEqual([
      { name: 'ttl:*', kind: 'strategy', values: ['1h', '6h'] },
      { name: 'fs+lru:1024/*', kind: 'strategy', values: ['2000'] },
    ]);
  });

  it.each([
    [
      'records=1,2',
      /^--sweep: "records=1,2": unknown field "records"; expected a workload field \(seed, duration, kubelet\.\*, device, tenants, images\.\*, pods\.\*/,
    ],
    ['base=small', /^--sweep: "base=small": unknown field "base"/],
    [
      'images.size=1',
      /^--sweep: "images.size=1": unknown field "images.size"; expected a workload field \(images\.count, images\.publicFraction/,
    ],
    ['images=1', /^--sweep: "images=1": images is a section; expected one of its fields \(images\.count, /],
    ['tenants.x=1', /^--sweep: "tenants.x=1": tenants is not a section$/],
    ['images.count', /^--sweep: "images.count": expected PARAM=V1,V2,… /],
    ['images.count=1,,2', /^--sweep: "images.count=1,,2": expected PARAM=V1,V2,…/],
    ['tenants=2,3,2', /^--sweep: "tenants=2,3,2": the value "2" is given twice$/],
    ['images.count=0,10,x', /^--sweep: images\.count: expected an integer from 1 to 500000, got 0$/],
    ['device=floppy', /^--sweep: device: expected one of none, ssd, hdd, network, got the string "floppy"$/],
    ['duration=0', /^--sweep: duration: must be greater than 0$/],
    ['ttl:*=1h,soon', /^--sweep: invalid record store "ttl:soon": /],
    ['fs+lru:*/*=1/2', /^--sweep: "fs\+lru:\*\/\*=1\/2": a strategy template takes one \*$/],
  ])('refuse %j with a clear line', (text, expected) => {
    expect(errorLines(() => parseSweeps([text]))[0]).toMatch(expected);
  });

  it('refuse a value of the wrong type and a parameter swept twice, every problem at once', () => {
    expect(errorLines(() => parseSweeps(['images.count=0,x', 'tenants=1', 'tenants=2']))).toEqual([
      '--sweep: images.count: expected an integer from 1 to 500000, got 0',
      '--sweep: images.count: expected an integer, got the string "x"',
      '--sweep: tenants is swept twice; give its values in one --sweep',
    ]);
  });

  it('the product has every combination once, the first parameter varying slowest', () => {
    const parameters = fc.array(
      fc.uniqueArray(fc.integer({ min: 1, max: 1000 }), { minLength: 1, maxLength: 4 }),
      {
        maxLength: 4,
      },
    );
    fc.assert(
      fc.property(parameters, (valueLists) => {
        const swept = valueLists.map((values, i) => ({ name: `p${i}`, kind: 'workload' as const, values }));
        const points = sweepPoints(swept);
        expect(points).toHaveLength(valueLists.reduce((n, values) => n * values.length, 1));
        // The index of each value in its list, read as the digits of a number, counts up by one.
        points.forEach((point, index) => {
          let rank = 0;
          swept.forEach((p) => {
            rank = rank * p.values.length + p.values.indexOf(point[p.name] as number);
          });
          expect(rank).toBe(index);
        });
      }),
    );
  });
});

describe("a combination's workload", () => {
  const base = tinyWorkload();

  it('sets each swept field where the workload keeps it, durations in ticks', () => {
    const parameters = parseSweeps([
      'kubelet.version=1.33',
      'kubelet.maxParallelImagePulls=2',
      'pods.meanLifetime=2m',
    ]);
    const workload = pointWorkload(base, parameters, sweepPoints(parameters)[0] as never);
    expect(workload).toEqual({
      ...base,
      kubeletVersion: '1.33',
      maxParallelImagePulls: 2,
      pods: { ...base.pods, meanLifetime: 2 * TICKS_PER_MINUTE },
    });
    expect(base.pods.meanLifetime).toBe(3 * TICKS_PER_MINUTE);
  });

  it('is checked across fields, naming the combination', () => {
    const parameters = parseSweeps(['images.minSizeBytes=1000,900000000']);
    expect(
      errorLines(() => planSweep(base, { parameters, strategies: ['fs'], modes: ['AlwaysVerify'] })),
    ).toEqual([
      '--sweep images.minSizeBytes=900000000: spec.images.minSizeBytes: must not exceed maxSizeBytes',
    ]);
  });

  it('a strategy template must be swept, and a swept one joins the strategies', () => {
    expect(
      errorLines(() =>
        planSweep(base, { parameters: [], strategies: ['fs', 'ttl:*'], modes: ['AlwaysVerify'] }),
      ),
    ).toEqual([`--strategies: "ttl:*" has a * but no --sweep 'ttl:*=V1,V2,…' gives its values`]);
    const plan = planSweep(base, {
      parameters: parseSweeps(['ttl:*=1h,2h']),
      strategies: ['fs+lru'],
      modes: ['AlwaysVerify'],
    });
    expect(plan.header.strategies).toEqual(['fs+lru', 'ttl:*']);
    expect(plan.rows.map((r) => `${r.combination} ${r.series} ${r.strategy} job ${r.job}`)).toEqual([
      '0 fs+lru fs+lru job 0',
      '0 ttl:* ttl:1h job 1',
      // fs+lru runs the same workload in both combinations: one job.
      '1 fs+lru fs+lru job 0',
      '1 ttl:* ttl:2h job 2',
    ]);
  });
});

describe('a sweep', () => {
  const base = tinyWorkload();
  const options: SweepOptions = {
    parameters: parseSweeps(['tenants=2,3', 'images.count=4,6,9']),
    strategies: ['fs+lru', 'journal'],
    modes: ['NeverVerifyPreloadedImages', 'AlwaysVerify'],
  };
  const whole = runSweep(planSweep(base, options));

  it('has one row per combination, mode and strategy, in that order, with the real-time measures apart', () => {
    expect(whole.combinations).toBe(6);
    expect(whole.rows).toHaveLength(6 * 2 * 2);
    expect(whole.rows.slice(0, 4).map((r) => [r.parameters, r.mode, r.strategy])).toEqual([
      [{ tenants: 2, 'images.count': 4 }, 'NeverVerifyPreloadedImages', 'fs+lru'],
      [{ tenants: 2, 'images.count': 4 }, 'NeverVerifyPreloadedImages', 'journal'],
      [{ tenants: 2, 'images.count': 4 }, 'AlwaysVerify', 'fs+lru'],
      [{ tenants: 2, 'images.count': 4 }, 'AlwaysVerify', 'journal'],
    ]);
    for (const row of whole.rows) {
      expect(Object.keys(row.realTime).sort()).toEqual([...REAL_TIME_FIELDS].sort());
      for (const field of REAL_TIME_FIELDS) expect(row.run).not.toHaveProperty(field);
    }
  });

  it("gives each point exactly the counts of a plain bench of that point's workload file", () => {
    const text = tinyWorkloadText().replace('  tenants: 3', '  tenants: 2').replace('count: 6', 'count: 9');
    const plain = runBenchSuite(parseWorkload(text, 'point.yaml'), {
      strategies: options.strategies,
      modes: options.modes,
      startupRecords: [],
      differential: false,
    });
    const point = whole.rows.filter((r) => r.parameters.tenants === 2 && r.parameters['images.count'] === 9);
    expect(point).toHaveLength(plain.runs.length);
    plain.runs.forEach((run, i) => {
      const {
        wallMs: _w,
        eventsPerWallSecond: _e,
        podStartsPerWallSecond: _p,
        peakRssMb: _m,
        ...counts
      } = run;
      expect(point[i]?.run).toEqual(counts);
    });
    // The swept points differ from each other: the sweep changed the workload.
    expect(new Set(whole.rows.map((r) => r.run.fs.syscalls)).size).toBeGreaterThan(4);
  });

  // Eight shards of six combinations: the last two are empty, and still merge.
  it.each([2, 3, 8])('split into %i shards merges back into the unsharded result', (count) => {
    const shards = Array.from({ length: count }, (_, i) =>
      runSweep(planSweep(base, { ...options, shard: { index: i + 1, count } })),
    );
    for (const [i, shard] of shards.entries()) {
      expect(shard.shard).toEqual({ index: i + 1, count });
      expect(shard.rows.every((r) => r.combination % count === i)).toBe(true);
    }
    // Given in any order, as a shell glob may list them.
    const files = shards
      .reverse()
      .map((value, i) => ({ file: `shard-${count - i}.json`, value: JSON.parse(JSON.stringify(value)) }));
    expect(withoutRealTime(mergeSweepShards(files))).toBe(withoutRealTime(whole));
  });

  it('merges only the complete set of shards of one sweep', () => {
    const merge = (...values: unknown[]) =>
      errorLines(() => mergeSweepShards(values.map((value, i) => ({ file: `f${i}.json`, value }))));
    const rowsOf = (header: object) => ({ ...header, rows: [] });
    const one = rowsOf(planSweep(base, { ...options, shard: { index: 1, count: 3 } }).header);
    const withShard = (index: number, count: number, header: object = one) => ({
      ...header,
      shard: { index, count },
    });
    expect(merge({ kind: 'other' })[0]).toMatch(/^f0\.json: not the JSON of a bench sweep/);
    expect(merge(one)).toEqual(['f0.json: not a shard: the sweep was run without --shard I/N']);
    expect(merge({ ...withShard(1, 2), rows: 'x' })).toEqual(['f0.json: rows: expected a list']);
    expect(merge(withShard(1, 3), withShard(3, 3))).toEqual(['--merge: missing shard 2/3']);
    expect(merge(withShard(1, 2), withShard(1, 2))).toEqual(['f1.json: shard 1/2 is also f0.json']);
    expect(merge(withShard(1, 2), withShard(2, 3))).toEqual(['f1.json: shard 2/3, but f0.json is one of 2']);
    const other = rowsOf(planSweep(base, { ...options, modes: ['AlwaysVerify'] }).header);
    expect(merge(withShard(1, 2), withShard(2, 2, other))).toEqual([
      'f1.json: a shard of another sweep than f0.json (workload, parameters, strategies or modes differ)',
    ]);
  });
});
