import { readFile as readFileAsync } from 'node:fs/promises';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateRun, type RunVerdict, summarize } from '../../../sim/fuzz/campaign.js';
import { DEFAULT_FUZZ_MODES } from '../../../sim/fuzz/defaults.js';
import { INVARIANTS } from '../../../sim/fuzz/invariants.js';
import { mergeFuzzReports, parseFuzzReport, type ShardReport } from '../../../sim/fuzz/merge.js';
import { type FuzzReport, formatFuzzReport, fuzzReport, fuzzReportJson } from '../../../sim/fuzz/report.js';
import { rejectionOf, runCli, useTempDir } from '../../support/cli-harness.js';

/*
 * `pullsim fuzz --merge` (sim/fuzz/merge.ts): the shard reports of one campaign merge into exactly what the
 * unsharded campaign prints, byte for byte, and anything that is not one complete campaign is refused with every
 * problem named. The reports hold no real-time field (`stoppedEarly` says only whether a time limit fired), so the
 * comparison is of the whole output.
 */

const temp = useTempDir('pullsim-fuzz-merge-');
const SEED = 7;
const RUNS = 7;
const campaign = ['fuzz', '--seed', String(SEED), '--runs', String(RUNS), '--workers', '1'];

/** Runs shard I/N of the campaign with --json and writes its report to a file; returns the path. */
async function shardFile(index: number, count: number, args: readonly string[] = campaign): Promise<string> {
  const out = await runCli([...args, '--shard', `${index}/${count}`, '--json']);
  expect(out.code).toBe(0);
  return temp.write(`shard-${args.join('_')}-${index}-of-${count}.json`, out.stdout);
}

describe('pullsim fuzz --merge', () => {
  it('merges 1/2 + 2/2 and 1/3 + 2/3 + 3/3 into the unsharded --json output, byte for byte', async () => {
    const whole = await runCli([...campaign, '--json']);
    expect(whole.code).toBe(0);
    const halves = [await shardFile(1, 2), await shardFile(2, 2)];
    const thirds = [await shardFile(3, 3), await shardFile(1, 3), await shardFile(2, 3)];
    for (const files of [halves, thirds]) {
      const merged = await runCli(['fuzz', '--merge', ...files, '--json']);
      expect(merged.stderr).toBe('');
      expect(merged.code).toBe(0);
      expect(merged.stdout).toBe(whole.stdout);
    }
    // And the text summary is the unsharded campaign's text.
    const text = await runCli(['fuzz', '--merge', ...thirds]);
    expect(text.stdout).toBe((await runCli(campaign)).stdout);
  });

  it('refuses shards of different campaigns, naming the file and the field, with exit 2', async () => {
    const one = await shardFile(1, 2);
    const otherSeed = await shardFile(2, 2, [
      'fuzz',
      '--seed',
      '8',
      '--runs',
      String(RUNS),
      '--workers',
      '1',
    ]);
    const out = await runCli(['fuzz', '--merge', one, otherSeed]);
    expect(out.code).toBe(2);
    expect(out.stdout).toBe('');
    expect(out.stderr).toBe(
      `pullsim: ${otherSeed}: seed: 8 differs from 7 in ${one}: the reports must be shards of one campaign\n`,
    );
  });

  it('says which shards are missing', async () => {
    const out = await runCli(['fuzz', '--merge', await shardFile(2, 3)]);
    expect(out.code).toBe(2);
    expect(out.stderr).toBe(
      'pullsim: missing shards 1/3, 3/3 of the campaign with seed 7 and 7 runs (given: 2/3)\n',
    );
  });

  it('refuses an unreadable file and a file that is not a report, every problem at once', async () => {
    const notJson = temp.write('not-json.json', '{"seed": ');
    const stranger = temp.write('stranger.json', '{"kind": "Result"}\n');
    const { campaignRuns: _, ...older } = JSON.parse(await readFileAsync(await shardFile(1, 2), 'utf8'));
    const old = temp.write('old.json', JSON.stringify(older));
    const out = await runCli(['fuzz', '--merge', notJson, stranger, old, 'no-such-shard.json']);
    expect(out.code).toBe(2);
    expect(out.stdout).toBe('');
    const lines = out.stderr.trimEnd().split('\n');
    expect(lines[0]).toMatch(new RegExp(`^pullsim: ${notJson}:1: invalid YAML`));
    expect(lines.slice(1)).toEqual([
      `pullsim: ${stranger}:1: not a campaign report: expected the --json output of pullsim fuzz (with failuresByInvariant)`,
      `pullsim: ${old}:1: campaignRuns: required field is missing (written by an older pullsim fuzz? run the shard again)`,
      'pullsim: no-such-shard.json: cannot read the file (ENOENT)',
    ]);
  });

  it('cannot be combined with the options of a campaign', async () => {
    const out = await runCli(['fuzz', '--merge', 'a.json', '--shard', '1/2']);
    expect(out.code).toBe(2);
    expect(out.stderr).toBe(
      "pullsim: option '--merge <files...>' cannot be used with option '--shard <i/n>' (see pullsim --help)\n",
    );
  });
});

/* The merge itself, on reports built from hand-made verdicts. */

/** Any swarm profile: a summary does not read it. */
const PROFILE = generateRun(SEED, 0).profile;

const verdictArb = (index: number): fc.Arbitrary<RunVerdict> =>
  fc.record({
    index: fc.constant(index),
    profile: fc.constant(PROFILE),
    features: fc.uniqueArray(fc.constantFrom('action imageGC', 'fault enospc', 'pod with secrets')),
    failures: fc.array(
      fc.record({
        invariant: fc.constantFrom(...INVARIANTS),
        mode: fc.constant('legacy' as const),
        detail: fc.constant(''),
      }),
      { maxLength: 2 },
    ),
    findings: fc.dictionary(fc.constantFrom('never-verify', 'preloaded', 'revocation'), fc.nat(3)),
    simulations: fc.integer({ min: 1, max: 12 }),
  });

/** The reports of every shard of a campaign of `verdicts`, split into `count` shards. */
function shardReports(verdicts: readonly RunVerdict[], count: number, stoppedAt?: number): ShardReport[] {
  return Array.from({ length: count }, (_, i) => {
    const mine = verdicts.filter(
      (v) => v.index % count === i && (stoppedAt === undefined || v.index < stoppedAt),
    );
    const report = fuzzReport(summarize(SEED, mine), {
      campaignRuns: verdicts.length,
      modes: DEFAULT_FUZZ_MODES,
      shard: { index: i + 1, count },
      stoppedEarly: stoppedAt !== undefined,
    });
    return { file: `shard-${i + 1}.json`, report };
  });
}

function wholeReport(verdicts: readonly RunVerdict[]): FuzzReport {
  return fuzzReport(summarize(SEED, verdicts), {
    campaignRuns: verdicts.length,
    modes: DEFAULT_FUZZ_MODES,
    shard: null,
    stoppedEarly: false,
  });
}

const verdictsArb = fc
  .integer({ min: 0, max: 30 })
  .chain((runs) => fc.tuple(...Array.from({ length: runs }, (_, i) => verdictArb(i))));

describe('mergeFuzzReports', () => {
  it('the shards of any campaign, in any order, merge into the whole campaign report', () => {
    fc.assert(
      fc.property(verdictsArb, fc.integer({ min: 1, max: 8 }), fc.nat(), (verdicts, count, rotation) => {
        const shards = shardReports(verdicts, count);
        const rotated = [...shards.slice(rotation % count), ...shards.slice(0, rotation % count)];
        const merged = mergeFuzzReports(rotated);
        expect(fuzzReportJson(merged)).toBe(fuzzReportJson(wholeReport(verdicts)));
        // Through the files' JSON and back, too.
        const reread = rotated.map(({ file, report }) => ({
          file,
          report: parseFuzzReport(fuzzReportJson(report), file),
        }));
        expect(fuzzReportJson(mergeFuzzReports(reread))).toBe(fuzzReportJson(merged));
      }),
      { numRuns: 100 },
    );
  });

  it('a whole campaign report is its own merge', () => {
    const verdicts = fc.sample(verdictsArb, { numRuns: 1, seed: 3 })[0] ?? [];
    const whole = wholeReport(verdicts);
    expect(mergeFuzzReports([{ file: 'all.json', report: whole }])).toEqual(whole);
  });

  it('shards stopped by a time limit merge into a report that says so', () => {
    const verdicts =
      fc.sample(
        verdictsArb.filter((v) => v.length >= 10),
        { numRuns: 1, seed: 5 },
      )[0] ?? [];
    const merged = mergeFuzzReports(shardReports(verdicts, 3, 6));
    expect(merged).toMatchObject({ runs: 6, campaignRuns: verdicts.length, shard: null, stoppedEarly: true });
    expect(formatFuzzReport(merged)).toContain(
      `(stopped early: time limit after 6 of ${verdicts.length} runs)`,
    );
    expect(formatFuzzReport({ ...merged, shard: { index: 1, count: 1 } })).toContain(
      `(stopped early: time limit after 6 of ${verdicts.length} runs (shard 1/1))`,
    );
  });

  it('refuses a shard twice, a report inconsistent with its shard, and nothing at all', () => {
    const verdicts = Array.from({ length: 5 }, (_, index) => ({
      index,
      profile: PROFILE,
      features: [],
      failures: index === 1 ? [{ invariant: 'safety' as const, mode: 'legacy' as const, detail: '' }] : [],
      findings: {},
      simulations: 1,
    }));
    const [one, two] = shardReports(verdicts, 2) as [ShardReport, ShardReport];
    const messages = (shards: readonly ShardReport[]) =>
      rejectionOf(() => mergeFuzzReports(shards), 'reports').map(
        (i) => `${i.file ?? ''} ${i.path}: ${i.message}`,
      );

    expect(messages([one, { ...one, file: 'copy.json' }])).toEqual([
      'copy.json shard: shard 1/2 is also shard-1.json',
    ]);
    expect(messages([one, { file: 'two.json', report: { ...two.report, runs: 1 } }])).toEqual([
      'two.json runs: 1 runs, but shard 2/2 of a 5-run campaign owns 2 (and it was not stopped early)',
    ]);
    expect(
      messages([
        one,
        { file: 'two.json', report: { ...two.report, failedRuns: [{ index: 4, invariants: ['safety'] }] } },
      ]),
    ).toEqual(['two.json failedRuns[0].index: run 4 is not in shard 2/2 of a 5-run campaign']);
    expect(
      messages([one, { file: 'two.json', report: { ...two.report, shard: { index: 3, count: 2 } } }]),
    ).toEqual(['two.json shard: shard 3/2: expected I/N with I <= N']);
    expect(
      messages([one, { file: 'two.json', report: { ...two.report, campaignRuns: 4, modes: ['legacy'] } }]),
    ).toEqual([
      'two.json campaignRuns: 4 differs from 5 in shard-1.json: the reports must be shards of one campaign',
      'two.json modes: ["legacy"] differs from ["legacy","NeverVerify","NeverVerifyPreloadedImages","NeverVerifyAllowlistedImages","AlwaysVerify"] in shard-1.json: the reports must be shards of one campaign',
    ]);
    expect(messages([])).toEqual([' : no reports to merge']);
  });
});
