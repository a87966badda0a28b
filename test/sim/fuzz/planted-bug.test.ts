import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generateRun, runCampaign } from '../../../sim/fuzz/campaign.js';
import { DEFAULT_FUZZ_MODES, evaluateScenario } from '../../../sim/fuzz/invariants.js';
import { failureFile, shrinkFailure } from '../../../sim/fuzz/shrink.js';
import { runScenario } from '../../../sim/run.js';
import { parseScenario } from '../../../sim/scenario/load.js';
import type { Scenario } from '../../../sim/scenario/types.js';
import { runCli, useTempDir } from '../../support/cli-harness.js';

/*
 * Campaigns find real model bugs (the acceptance test). A bug is planted through the test-only profile
 * switch `plantedBug: 'skip-credential-hash-comparison'` (src/profiles.ts): MustAttemptImagePull then lets any pod
 * secret match a recorded secret. A campaign must report it as a `safety` failure (an unexplained violation),
 * shrink it to a handful of objects and write a scenario file that reproduces it; without the bug the same campaign
 * and the same file are clean.
 *
 * The seed: the bug shows only in a world where a tenant's pod, holding its own pull secret, asks for another
 * tenant's private image after that tenant pulled it. The swarm generator alone built such a world in roughly one
 * run in 150; the `cross-tenant` situation template (sim/fuzz/templates.ts) now builds it in about one run in five
 * (docs/campaigns.md "Discovery rates"). Seed 3 has it at run 3 (its fourth run); 8 runs keep the campaign, and the
 * same campaign without the bug, to about a second each, with clean runs around the failure.
 */

const SEED = 3;
const RUNS = 8;
const BUG = { plantedBug: 'skip-credential-hash-comparison' } as const;
const temp = useTempDir('pullsim-planted-');

const withBug = runCampaign({ seed: SEED, runs: RUNS, profileOverrides: BUG });
const failed = withBug.verdicts.find((v) => v.failures.some((f) => f.invariant === 'safety'));

/** Objects at t=0 plus timeline steps, and repositories across registries: how big a scenario file is. */
function size(s: Scenario): { objects: number; repositories: number } {
  return {
    objects: s.objects.length + s.timeline.length,
    repositories: s.registries.reduce((n, r) => n + r.repositories.length, 0),
  };
}

function violating(s: Scenario, mode: (typeof DEFAULT_FUZZ_MODES)[number], bug: boolean): string[] {
  const { result } = runScenario(s, { mode, keepTrace: false, ...(bug ? { profileOverrides: BUG } : {}) });
  return result.containers.filter((c) => c.violation).map((c) => `${c.pod}/${c.container}`);
}

describe('a campaign finds a planted bug', () => {
  it('reports a safety failure, and only a planted bug causes it', () => {
    expect(failed, JSON.stringify(withBug.summary)).toBeDefined();
    expect(withBug.summary.failuresByInvariant.safety).toBeGreaterThanOrEqual(1);
    const safety = failed?.failures.find((f) => f.invariant === 'safety');
    expect(safety?.mode).not.toBe('legacy');
    expect(safety?.detail).toMatch(/^started in violation at \d+ µs: /);

    // The same campaign without the bug has no safety failure.
    const clean = runCampaign({ seed: SEED, runs: RUNS });
    expect(clean.summary.failuresByInvariant.safety).toBe(0);
    expect(clean.summary.runs).toBe(RUNS);
  });

  it('shrinks it to a handful of objects and writes a file that reproduces it', async () => {
    if (failed === undefined) throw new Error('the campaign found no safety failure');
    const first = failed.failures.find((f) => f.invariant === 'safety');
    if (first === undefined) throw new Error('unreachable');
    const { scenario, profile } = generateRun(SEED, failed.index);
    const shrunk = shrinkFailure(scenario, first, { modes: DEFAULT_FUZZ_MODES, profileOverrides: BUG });
    expect(shrunk.failure.invariant).toBe('safety');
    expect(shrunk.failure.mode).toBe(first.mode);
    expect(shrunk.steps).toBeGreaterThan(0);
    expect(shrunk.evaluations).toBeLessThanOrEqual(400);

    // (a) Small: two tenants' secrets, the two pods, at most a step or two more; one or two repositories.
    const before = size(scenario);
    const after = size(shrunk.scenario);
    expect(after.objects).toBeLessThanOrEqual(6);
    expect(after.repositories).toBeLessThanOrEqual(2);
    expect(after.objects).toBeLessThanOrEqual(before.objects);

    // (b) The written file loads and, replayed in the failing mode with the bug, the same container violates.
    const text = failureFile(shrunk, { seed: SEED, index: failed.index, profile }, { profileOverrides: BUG });
    const file = temp.write(`safety-seed${SEED}-run${failed.index}.yaml`, text);
    const loaded = parseScenario(readFileSync(file, 'utf8'), file);
    expect(loaded.name).toBe(`safety-seed${SEED}-run${failed.index}`);
    expect(text).toContain(`pullsim fuzz --seed ${SEED} --replay ${failed.index}`);
    expect(text).toContain(`--mode ${shrunk.failure.mode}`);
    expect(text).toContain('"plantedBug":"skip-credential-hash-comparison"');
    const container = shrunk.failure.container;
    expect(container).toBeDefined();
    expect(violating(loaded, shrunk.failure.mode, true)).toContain(container);
    expect(violating(loaded, shrunk.failure.mode, true)).toEqual(
      violating(shrunk.scenario, shrunk.failure.mode, true),
    );
    const replayed = evaluateScenario(loaded, {
      modes: [shrunk.failure.mode],
      only: ['safety'],
      profileOverrides: BUG,
    });
    expect(replayed.failures.map((f) => [f.invariant, f.mode, f.container])).toContainEqual([
      'safety',
      shrunk.failure.mode,
      container,
    ]);
    // The file's expect lines record that behaviour for the failing mode.
    expect(loaded.expect).toContainEqual(
      expect.objectContaining({
        pod: container?.split('/').slice(0, 2).join('/'),
        modes: [shrunk.failure.mode],
        violation: true,
      }),
    );

    // (c) Without the bug the same world keeps the invariant: the failure is the bug, not the world.
    expect(violating(loaded, shrunk.failure.mode, false)).not.toContain(container);
    expect(evaluateScenario(loaded, { modes: [shrunk.failure.mode], only: ['safety'] }).failures).toEqual([]);
    // So `pullsim check` (which has no planted bug) finds the recorded violation gone: exit 1, on that pod.
    const checked = await runCli(['check', file]);
    expect(checked.code).toBe(1);
    expect(checked.stdout).toContain(`FAIL ${file}`);
    expect(checked.stdout).toContain(container?.split('/').slice(0, 2).join('/'));
  });
});
