import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { type CliIo, main } from '../../../sim/cli.js';
import { checkRun, formatSummary, generateRun, runCampaign } from '../../../sim/fuzz/campaign.js';
import { DEFAULT_FUZZ_MODES } from '../../../sim/fuzz/defaults.js';
import { parseScenario } from '../../../sim/scenario/load.js';
import type { KubeletProfile, KubeletVersion } from '../../../src/profiles.js';
import { type CliOutcome, runCli, useTempDir } from '../../support/cli-harness.js';
import { withLoaderDefaults } from '../../support/loader-defaults.js';
import { fakeTerminal } from '../../support/terminal.js';

/*
 * `pullsim fuzz` (sim/cli.ts): the summary it prints is the library's campaign summary, shards and replays pick the
 * same runs, failures are shrunk into replayable files, a time limit stops it early, and bad values are refused
 * with exit 2 and one line.
 *
 * The command has no flag for a planted bug, so one test switches it on underneath: `kubeletProfile` is wrapped so
 * that every kubelet the world builds carries `plantedBug` while `planted.on` is set.
 */

const planted = vi.hoisted(() => ({ on: false }));

vi.mock('../../../src/profiles.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../../src/profiles.js')>();
  return {
    ...actual,
    kubeletProfile: (version?: KubeletVersion, overrides: Partial<Omit<KubeletProfile, 'version'>> = {}) =>
      actual.kubeletProfile(
        version,
        planted.on ? { ...overrides, plantedBug: 'skip-credential-hash-comparison' } : overrides,
      ),
  };
});

const temp = useTempDir('pullsim-cli-fuzz-');
const RUNS = 6;
const base = ['fuzz', '--runs', String(RUNS), '--workers', '1'];
const campaign = runCampaign({ seed: 1, runs: RUNS });

/** Runs the CLI with extra io fields (a clock, a terminal, a progress stream). */
async function runWith(args: readonly string[], extra: Partial<CliIo>): Promise<CliOutcome> {
  let stdout = '';
  let stderr = '';
  const code = await main(args, {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    isTTY: false,
    ...extra,
  });
  return { code, stdout, stderr };
}

/** A clock that reads 0 once (the start) and then far past any limit. */
function jumpingClock(): () => number {
  let calls = 0;
  return () => (calls++ === 0 ? 0 : 1_000_000_000);
}

describe('pullsim fuzz', () => {
  it('prints the campaign summary and exits 0 when every run passes', async () => {
    const out = await runCli(base);
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    expect(out.stdout).toBe(formatSummary(campaign.summary));
    expect(out.stdout.endsWith(`${RUNS} passed, 0 failed\n`)).toBe(true);
  });

  it('--json prints the summary as JSON, with no shard and not stopped early', async () => {
    const out = await runCli([...base, '--json', '--seed', '1']);
    expect(out.code).toBe(0);
    expect(JSON.parse(out.stdout)).toEqual({
      ...campaign.summary,
      campaignRuns: RUNS,
      modes: DEFAULT_FUZZ_MODES,
      shard: null,
      stoppedEarly: false,
    });
  });

  it('--shard 2/3 runs every third run from the second, as the library shard does', async () => {
    const out = await runCli([...base, '--shard', '2/3', '--json']);
    expect(out.code).toBe(0);
    const shard = runCampaign({ seed: 1, runs: RUNS, shard: { index: 2, count: 3 } }).summary;
    expect(JSON.parse(out.stdout)).toEqual({
      ...shard,
      campaignRuns: RUNS,
      modes: DEFAULT_FUZZ_MODES,
      shard: { index: 2, count: 3 },
      stoppedEarly: false,
    });
    expect(shard.runs).toBe(2);
  });

  it('--modes limits the modes each run is checked in', async () => {
    const out = await runCli([...base, '--modes', 'legacy,AlwaysVerify', '--json']);
    expect(JSON.parse(out.stdout).simulations).toBe(
      runCampaign({ seed: 1, runs: RUNS, modes: ['legacy', 'AlwaysVerify'] }).summary.simulations,
    );
  });

  it('--replay <i> checks one run and prints it; with --out it writes the run as a scenario file', async () => {
    const out = await runCli(['fuzz', '--seed', '1', '--replay', '3']);
    expect(out.code).toBe(0);
    const verdict = checkRun(1, 3);
    expect(JSON.parse(out.stdout)).toEqual({
      index: 3,
      profile: verdict.profile,
      features: verdict.features,
      failures: [],
      findings: verdict.findings,
    });

    const dir = join(temp.dir, 'replay');
    const written = await runCli(['fuzz', '--seed', '1', '--replay', '3', '--out', dir]);
    expect(written.code).toBe(0);
    expect(readdirSync(dir)).toEqual(['run-3.yaml']);
    const text = readFileSync(join(dir, 'run-3.yaml'), 'utf8');
    expect(text.startsWith('# pullsim fuzz --seed 1 --replay 3\n')).toBe(true);
    expect(parseScenario(text, 'run-3.yaml')).toEqual(withLoaderDefaults(generateRun(1, 3).scenario));
  });

  describe('with a planted bug underneath', () => {
    it('exits 1, names the failed run, and --out writes each failure shrunk to a replayable file', async () => {
      planted.on = true;
      try {
        const dir = join(temp.dir, 'failures');
        const out = await runCli(['fuzz', '--seed', '1', '--runs', '3', '--workers', '1', '--out', dir]);
        expect(out.code).toBe(1);
        expect(out.stdout).toContain('  run 2: safety\n');
        expect(out.stdout.endsWith('2 passed, 1 failed\n')).toBe(true);
        const file = join(dir, 'safety-seed1-run2.yaml');
        expect(out.stderr).toBe(`wrote ${file}\n`);
        const shrunk = parseScenario(readFileSync(file, 'utf8'), file);
        expect(shrunk.objects.length + shrunk.timeline.length).toBeLessThanOrEqual(6);
        expect(shrunk.expect.some((e) => e.violation === true)).toBe(true);

        const replayDir = join(temp.dir, 'replay-failure');
        const replay = await runCli(['fuzz', '--seed', '1', '--replay', '2', '--out', replayDir]);
        expect(replay.code).toBe(1);
        expect(JSON.parse(replay.stdout).failures[0].invariant).toBe('safety');
        expect(readdirSync(replayDir).sort()).toEqual(['run-2.yaml', 'safety-seed1-run2.yaml']);
      } finally {
        planted.on = false;
      }
    });

    it('without it the same campaign passes and writes nothing', async () => {
      const dir = join(temp.dir, 'no-failures');
      const out = await runCli(['fuzz', '--seed', '1', '--runs', '3', '--workers', '1', '--out', dir]);
      expect(out.code).toBe(0);
      expect(out.stderr).toBe('');
      expect(() => readdirSync(dir)).toThrow();
    });
  });

  it('--time-limit stops starting runs once the wall clock passes it, and says so', async () => {
    const out = await runWith([...base, '--time-limit', '1s'], { wallClockMs: jumpingClock() });
    expect(out.code).toBe(0);
    expect(out.stdout).toContain(`(stopped early: time limit after 1 of ${RUNS} runs)`);
    expect(out.stdout.endsWith('1 passed, 0 failed\n')).toBe(true);

    const sharded = await runWith([...base, '--time-limit', '1s', '--shard', '1/2'], {
      wallClockMs: jumpingClock(),
    });
    expect(sharded.stdout).toContain('(stopped early: time limit after 1 of 3 runs (shard 1/2))');

    const json = await runWith([...base, '--time-limit', '1s', '--json'], { wallClockMs: jumpingClock() });
    expect(JSON.parse(json.stdout)).toMatchObject({ runs: 1, stoppedEarly: true });

    // Without a clock, or within the limit, the campaign runs to the end.
    const noClock = await runCli([...base, '--time-limit', '1s']);
    expect(noClock.stdout).toBe(formatSummary(campaign.summary));
    const slow = await runWith([...base, '--time-limit', '1h'], { wallClockMs: () => 0 });
    expect(slow.stdout).toBe(formatSummary(campaign.summary));
  });

  it.each([
    [['--shard', '0/2']],
    [['--shard', '3/2']],
    [['--runs', '0']],
    [['--workers', 'x']],
    [['--time-limit', '5']],
    [['--replay', '-1']],
    [['--modes', 'sometimes']],
    [['--seed', 'abc']],
  ])('refuses %j with exit 2 and one line', async (args) => {
    const out = await runCli(['fuzz', ...args]);
    expect(out.code).toBe(2);
    expect(out.stdout).toBe('');
    expect(out.stderr).toMatch(/^pullsim: .+\n$/);
    expect(out.stderr.split('\n')).toHaveLength(2);
  });

  it('draws a progress bar on a terminal, and none otherwise', async () => {
    const terminal = fakeTerminal();
    const out = await runWith(base, { isTTY: true, progress: terminal.stream });
    expect(out.stdout).toBe(formatSummary(campaign.summary));
    expect(terminal.text()).toContain('fuzz [');
    expect(terminal.text()).toContain(`${RUNS}/${RUNS} runs · 0 failed`);

    const piped = fakeTerminal();
    await runWith(base, { isTTY: false, progress: piped.stream });
    expect(piped.text()).toBe('');
  });
});
