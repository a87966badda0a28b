import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type CampaignSummary,
  checkRun,
  formatSummary,
  generateRun,
  mergeSummaries,
  type RunVerdict,
  runCampaign,
  runSeed,
  shardIndices,
  summarize,
} from '../../../sim/fuzz/campaign.js';
import { DEFAULT_FUZZ_MODES, INVARIANTS, type InvariantFailure } from '../../../sim/fuzz/invariants.js';
import { checkRunsInParallel } from '../../../sim/fuzz/parallel.js';
import type { SwarmProfile } from '../../../sim/fuzz/plan.js';
import { useTempDir } from '../../support/cli-harness.js';

/*
 * Campaigns (sim/fuzz/campaign.ts, parallel.ts) are reproducible: a run is a function of (seed, index) alone, so the
 * same seed gives the same summary, and shards, workers and the order verdicts arrive in change nothing.
 */

const SEED = 7;
const RUNS = 7;
const ROOT = join(import.meta.dirname, '../../..');
const COMPILED_WORKER = join(ROOT, 'dist/sim/fuzz/worker.js');
const temp = useTempDir('pullsim-campaign-');

const unsharded = runCampaign({ seed: SEED, runs: RUNS });

const PROFILE: SwarmProfile = {
  template: 'swarm',
  actions: [],
  faults: [],
  maxActions: 0,
  nodeWideCredentials: false,
  sharedDigests: false,
  preloadedImages: false,
  serviceAccountProvider: false,
  copiedCredentials: false,
  wrongPasswords: false,
};

function verdict(index: number, fields: Partial<RunVerdict> = {}): RunVerdict {
  return { index, profile: PROFILE, features: [], failures: [], findings: {}, simulations: 1, ...fields };
}

function failure(invariant: InvariantFailure['invariant']): InvariantFailure {
  return { invariant, mode: 'AlwaysVerify', detail: 'by hand' };
}

describe('reproducibility', () => {
  it('the same seed gives the same runs, verdicts and summary', () => {
    for (let index = 0; index < RUNS; index++)
      expect(generateRun(SEED, index)).toEqual(generateRun(SEED, index));
    const again = runCampaign({ seed: SEED, runs: RUNS });
    expect(again.summary).toEqual(unsharded.summary);
    expect(again.verdicts).toEqual(unsharded.verdicts);
    expect(unsharded.summary.runs).toBe(RUNS);
    expect(unsharded.summary.seed).toBe(SEED);
  });

  it('other seeds give other runs and another summary', () => {
    const rename = (s: ReturnType<typeof generateRun>) => ({ ...s, scenario: { ...s.scenario, name: '' } });
    for (let index = 0; index < RUNS; index++) {
      expect(runSeed(SEED + 1, index)).not.toBe(runSeed(SEED, index));
      expect(rename(generateRun(SEED + 1, index))).not.toEqual(rename(generateRun(SEED, index)));
    }
    const other = runCampaign({ seed: SEED + 1, runs: RUNS }).summary;
    expect({ ...other, seed: SEED }).not.toEqual(unsharded.summary);
  });

  it('a run does not depend on how many runs the campaign has', () => {
    const longer = runCampaign({ seed: SEED, runs: RUNS + 2 });
    expect(longer.verdicts.slice(0, RUNS)).toEqual(unsharded.verdicts);
  });

  it('names each generated scenario after its seed and run, and seeds are 32-bit integers', () => {
    expect(generateRun(SEED, 3).scenario.name).toBe(`fuzz-seed${SEED}-run3`);
    fc.assert(
      fc.property(fc.nat(), fc.nat(), (seed, index) => {
        const value = runSeed(seed, index);
        expect(Number.isInteger(value)).toBe(true);
        expect(value).toBeGreaterThanOrEqual(-(2 ** 31));
        expect(value).toBeLessThan(2 ** 31);
      }),
      { numRuns: 100 },
    );
  });
});

describe('shards', () => {
  it('shardIndices partitions [0, runs) into disjoint ascending slices, whatever runs and count', () => {
    fc.assert(
      fc.property(fc.nat(300), fc.integer({ min: 1, max: 12 }), (runs, count) => {
        const slices = Array.from({ length: count }, (_, i) => shardIndices(runs, { index: i + 1, count }));
        const all = slices.flat();
        expect(all.sort((a, b) => a - b)).toEqual(Array.from({ length: runs }, (_, i) => i));
        for (const slice of slices) expect(slice).toEqual([...slice].sort((a, b) => a - b));
        // Round-robin: sizes differ by at most one.
        const sizes = slices.map((s) => s.length);
        expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
      }),
      { numRuns: 200 },
    );
  });

  it('without a shard, a campaign owns every run', () => {
    expect(shardIndices(4)).toEqual([0, 1, 2, 3]);
    expect(shardIndices(0)).toEqual([]);
  });

  it('shards 1/2 and 2/2 together equal the unsharded campaign', () => {
    const halves = [1, 2].map((index) => runCampaign({ seed: SEED, runs: RUNS, shard: { index, count: 2 } }));
    expect(halves.map((h) => h.summary.runs)).toEqual([4, 3]);
    expect(mergeSummaries(halves.map((h) => h.summary))).toEqual(unsharded.summary);
    // In either order.
    expect(mergeSummaries(halves.map((h) => h.summary).reverse())).toEqual(unsharded.summary);
    // Each shard's verdicts are exactly the unsharded campaign's for its indices.
    expect(halves[1]?.verdicts).toEqual(unsharded.verdicts.filter((v) => v.index % 2 === 1));
  });

  it('shards 1/3, 2/3 and 3/3 together equal the unsharded campaign', () => {
    const thirds = [1, 2, 3].map(
      (index) => runCampaign({ seed: SEED, runs: RUNS, shard: { index, count: 3 } }).summary,
    );
    expect(mergeSummaries(thirds)).toEqual(unsharded.summary);
  });

  it('merging nothing is an error', () => {
    expect(() => mergeSummaries([])).toThrow('no summaries to merge');
  });
});

describe('summaries', () => {
  const verdicts = [
    verdict(3, {
      failures: [failure('safety'), failure('safety'), failure('liveness')],
      findings: { 'never-verify': 2 },
      features: ['pod with secrets'],
      simulations: 6,
    }),
    verdict(1, { failures: [failure('determinism')], findings: { 'never-verify': 1, preloaded: 1 } }),
    verdict(2, { features: ['pod with secrets', 'action imageGC'], simulations: 10 }),
  ];

  it('counts runs (not failures) per invariant, and lists failed runs by index with sorted invariants', () => {
    const summary = summarize(1, verdicts);
    expect(summary).toEqual({
      seed: 1,
      runs: 3,
      simulations: 17,
      failuresByInvariant: {
        determinism: 1,
        safety: 1,
        'legacy-superset': 0,
        'fail-safe': 0,
        'no-lost-records': 0,
        liveness: 1,
      },
      failedRuns: [
        { index: 1, invariants: ['determinism'] },
        { index: 3, invariants: ['liveness', 'safety'] },
      ],
      findings: { 'never-verify': 3, preloaded: 1 },
      features: { 'action imageGC': 1, 'pod with secrets': 2 },
    });
    expect(Object.keys(summary.failuresByInvariant)).toEqual([...INVARIANTS]);
  });

  it('summaries of parts merge to the summary of the whole, whatever the split', () => {
    const whole = summarize(1, verdicts);
    expect(mergeSummaries([summarize(1, verdicts.slice(0, 1)), summarize(1, verdicts.slice(1))])).toEqual(
      whole,
    );
    expect(mergeSummaries([summarize(1, verdicts.slice(2)), summarize(1, verdicts.slice(0, 2))])).toEqual(
      whole,
    );
  });

  it('runCampaign stops when the verdict callback says false', () => {
    const seen: number[] = [];
    const { summary } = runCampaign({ seed: SEED, runs: RUNS }, (v) => {
      seen.push(v.index);
      return v.index < 1;
    });
    expect(seen).toEqual([0, 1]);
    expect(summary.runs).toBe(2);
  });

  it('checkRun is runCampaign for one index, with the default modes', () => {
    expect(checkRun(SEED, 4)).toEqual(unsharded.verdicts[4]);
    // Each default mode, the determinism re-run, and one faultless twin per fixed mode when faults were generated.
    const { scenario } = generateRun(SEED, 4);
    const faults = scenario.timeline.some((s) => 'action' in s && s.action.action === 'fsFault');
    expect(unsharded.verdicts[4]?.simulations).toBe(
      DEFAULT_FUZZ_MODES.length + 1 + (faults ? DEFAULT_FUZZ_MODES.length - 1 : 0),
    );
  });

  it('checkRun runs only the modes asked for', () => {
    const { scenario } = generateRun(SEED, 0);
    const faults = scenario.timeline.some((s) => 'action' in s && s.action.action === 'fsFault');
    // The mode, its determinism re-run, and its faultless twin when there are faults.
    expect(checkRun(SEED, 0, { modes: ['AlwaysVerify'] }).simulations).toBe(faults ? 3 : 2);
  });
});

describe('formatSummary', () => {
  it('lists every invariant, the findings, the features, and ends with the pass/fail count', () => {
    const text = formatSummary(unsharded.summary);
    // Not vacuous: this campaign has findings and features to list.
    expect(Object.keys(unsharded.summary.findings).length).toBeGreaterThan(0);
    expect(Object.keys(unsharded.summary.features).length).toBeGreaterThan(0);
    expect(
      text.startsWith(
        `pullsim fuzz: seed ${SEED}, ${RUNS} runs, ${unsharded.summary.simulations} simulations\n`,
      ),
    ).toBe(true);
    for (const name of INVARIANTS) expect(text).toMatch(new RegExp(`^  ${name} +(ok|\\d+ FAILED)$`, 'm'));
    for (const [name, count] of Object.entries(unsharded.summary.findings))
      expect(text).toMatch(new RegExp(`^  ${name} +${count}$`, 'm'));
    for (const [name, count] of Object.entries(unsharded.summary.features))
      expect(text).toContain(`  ${name.padEnd(36)} ${count}\n`);
    const failed = unsharded.summary.failedRuns.length;
    expect(text.endsWith(`\n${RUNS - failed} passed, ${failed} failed\n`)).toBe(true);
  });

  it('says none when there are no findings, and why a campaign stopped early', () => {
    const empty = summarize(3, []);
    const text = formatSummary(empty, { stoppedEarly: 'time limit after 0 of 5 runs' });
    expect(text).toContain('(stopped early: time limit after 0 of 5 runs)');
    expect(text).toMatch(/Findings \(.*\):\n {2}none\n/);
    expect(text.endsWith('\n0 passed, 0 failed\n')).toBe(true);
  });

  it('names failed runs with their invariants and how to replay them, at most twenty', () => {
    const many: CampaignSummary = summarize(
      5,
      Array.from({ length: 25 }, (_, i) =>
        verdict(i, { failures: [failure(i % 2 === 0 ? 'safety' : 'liveness')] }),
      ),
    );
    const text = formatSummary(many);
    expect(text).toContain('  safety           13 FAILED\n');
    expect(text).toContain('  liveness         12 FAILED\n');
    expect(text).toContain('pullsim fuzz --seed <seed> --replay <index>');
    expect(text).toContain('  run 0: safety\n');
    expect(text).toContain('  run 19: liveness\n');
    expect(text).not.toContain('  run 20:');
    expect(text).toContain('  … and 5 more\n');
    expect(text.endsWith('\n0 passed, 25 failed\n')).toBe(true);
  });
});

/** A stand-in worker script: answers each index it is given with a verdict naming the slice it got. */
const FAKE_WORKER = `
import { parentPort, workerData } from 'node:worker_threads';
for (const index of workerData.indices)
  parentPort.postMessage({ type: 'verdict', verdict: { index, profile: {}, features: [workerData.indices.join(',')],
    failures: [], findings: {}, simulations: workerData.modes.length, overrides: workerData.profileOverrides ?? null } });
parentPort.postMessage({ type: 'done' });
`;
const fakeWorker = pathToFileURL(temp.write('fake-worker.mjs', FAKE_WORKER));
const failingWorker = pathToFileURL(temp.write('failing-worker.mjs', "throw new Error('worker broke');\n"));

describe('checkRunsInParallel', () => {
  const indices = shardIndices(RUNS);

  it('with one worker checks the runs in this thread, as runCampaign does', async () => {
    const seen: number[] = [];
    const { verdicts, stopped } = await checkRunsInParallel({
      seed: SEED,
      indices,
      modes: DEFAULT_FUZZ_MODES,
      workers: 1,
      workerUrl: fakeWorker,
      onVerdict: (v) => seen.push(v.index),
    });
    expect(stopped).toBe(false);
    expect(verdicts).toEqual(unsharded.verdicts);
    expect(seen).toEqual(indices);
  });

  it('without a worker script it stays in this thread, whatever the worker count', async () => {
    const { verdicts } = await checkRunsInParallel({
      seed: SEED,
      indices: [2, 5],
      modes: DEFAULT_FUZZ_MODES,
      workers: 4,
    });
    expect(verdicts).toEqual([unsharded.verdicts[2], unsharded.verdicts[5]]);
  });

  it('stops when asked after a verdict (a time limit)', async () => {
    const { verdicts, stopped } = await checkRunsInParallel({
      seed: SEED,
      indices,
      modes: DEFAULT_FUZZ_MODES,
      workers: 1,
      shouldStop: () => true,
    });
    expect(stopped).toBe(true);
    expect(verdicts).toEqual([unsharded.verdicts[0]]);
  });

  it('deals runs round-robin to worker threads and collects verdicts by index', async () => {
    const arrived: number[] = [];
    const { verdicts, stopped } = await checkRunsInParallel({
      seed: SEED,
      indices: [0, 1, 2, 3, 4],
      modes: ['AlwaysVerify'],
      workers: 2,
      workerUrl: fakeWorker,
      profileOverrides: { plantedBug: 'skip-credential-hash-comparison' },
      onVerdict: (v) => arrived.push(v.index),
    });
    expect(stopped).toBe(false);
    expect(verdicts.map((v) => [v.index, v.features])).toEqual([
      [0, ['0,2,4']],
      [1, ['1,3']],
      [2, ['0,2,4']],
      [3, ['1,3']],
      [4, ['0,2,4']],
    ]);
    expect([...arrived].sort()).toEqual([0, 1, 2, 3, 4]);
    // The worker gets the modes and the overrides.
    expect(verdicts.every((v) => v.simulations === 1)).toBe(true);
    expect((verdicts[0] as unknown as { overrides: unknown }).overrides).toEqual({
      plantedBug: 'skip-credential-hash-comparison',
    });
  });

  it('starts no thread for an empty slice, and none at all without runs', async () => {
    const few = await checkRunsInParallel({
      seed: SEED,
      indices: [8, 9],
      modes: DEFAULT_FUZZ_MODES,
      workers: 3,
      workerUrl: fakeWorker,
    });
    expect(few.verdicts.map((v) => v.index)).toEqual([8, 9]);
    const none = await checkRunsInParallel({
      seed: SEED,
      indices: [],
      modes: DEFAULT_FUZZ_MODES,
      workers: 2,
      workerUrl: fakeWorker,
    });
    expect(none).toEqual({ verdicts: [], stopped: false });
  });

  it('terminates the workers when asked to stop', async () => {
    const { verdicts, stopped } = await checkRunsInParallel({
      seed: SEED,
      indices: [0, 1, 2, 3, 4, 5],
      modes: DEFAULT_FUZZ_MODES,
      workers: 2,
      workerUrl: fakeWorker,
      shouldStop: () => true,
    });
    expect(stopped).toBe(true);
    expect(verdicts.length).toBeGreaterThanOrEqual(1);
  });

  it('a worker that fails fails the campaign', async () => {
    await expect(
      checkRunsInParallel({
        seed: SEED,
        indices: [0, 1],
        modes: DEFAULT_FUZZ_MODES,
        workers: 2,
        workerUrl: failingWorker,
      }),
    ).rejects.toThrow('worker broke');
  });

  // The real worker is the compiled one (`npm run -s build`); the test runs only when it is there.
  it.runIf(existsSync(COMPILED_WORKER))(
    'the compiled worker gives the same verdicts as this thread',
    async () => {
      const { verdicts } = await checkRunsInParallel({
        seed: SEED,
        indices: [0, 1, 2, 3],
        modes: DEFAULT_FUZZ_MODES,
        workers: 2,
        workerUrl: pathToFileURL(COMPILED_WORKER),
      });
      expect(verdicts).toEqual(unsharded.verdicts.slice(0, 4));
    },
  );
});
