import { describe, expect, it, vi } from 'vitest';
import { evaluateScenario, type InvariantFailure } from '../../../sim/fuzz/invariants.js';
import type { SwarmProfile } from '../../../sim/fuzz/plan.js';
import { failureFile, shrinkFailure } from '../../../sim/fuzz/shrink.js';
import type { RunOptions, RunOutput } from '../../../sim/run.js';
import { parseScenario } from '../../../sim/scenario/load.js';
import { scenarioToYaml } from '../../../sim/scenario/serialize.js';
import type { Scenario } from '../../../sim/scenario/types.js';
import {
  actionAt,
  DIGEST_B,
  DIGEST_C,
  dockerConfigSecret,
  minutes,
  node,
  pod,
  privateRegistry,
  scenario,
  seconds,
} from '../../support/scenario-builder.js';

/*
 * The shrinker (sim/fuzz/shrink.ts) keeps every one-element removal after which the same invariant still fails in
 * the same mode, and only candidates that are valid scenario files; the budget bounds its work. failureFile writes
 * the result with a header saying what failed and expect lines recording the failing behaviour.
 */

type Tamper = (output: RunOutput, scenario: Scenario, options: RunOptions) => RunOutput;
const hooks = vi.hoisted(() => ({ tamper: undefined as Tamper | undefined }));

vi.mock('../../../sim/run.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../../sim/run.js')>();
  return {
    ...actual,
    runScenario: (s: Scenario, options: RunOptions = {}) => {
      const output = actual.runScenario(s, options);
      return hooks.tamper === undefined ? output : hooks.tamper(output, s, options);
    },
  };
});

const HOST = 'private.example.com';
const APP = `${HOST}/team-a/app:v1`;
const OTHER = 'other.example.com';
const PROFILE: SwarmProfile = {
  template: 'swarm',
  actions: ['revokePuller'],
  faults: [],
  maxActions: 1,
  nodeWideCredentials: true,
  sharedDigests: false,
  preloadedImages: true,
  serviceAccountProvider: false,
  copiedCredentials: false,
  wrongPasswords: false,
};

/**
 * Team B's pod asks for team A's image with its own secret and backs off; ten seconds before the end team B is granted
 * access, so at the end its own credentials may pull the image while it still waits: a liveness failure. Around it:
 * parts the failure does not need (a preloaded public image and its repository, wrong node-wide credentials, fault
 * rates of zero, team A's secret, an unrelated restart, and a second node and registry with the same kinds of parts).
 */
function lateGrant(): Scenario {
  return scenario({
    name: 'late-grant',
    until: minutes(3),
    registries: [
      privateRegistry({
        repositories: [
          ...privateRegistry().repositories,
          {
            name: 'public/base',
            public: true,
            pullers: [],
            tags: { v1: { digest: DIGEST_B, sizeBytes: 1_000 } },
          },
        ],
      }),
      {
        host: OTHER,
        users: [{ username: 'ops', password: 'ops-password' }],
        repositories: [
          {
            name: 'tools/cli',
            public: false,
            pullers: ['ops'],
            tags: { v1: { digest: DIGEST_C, sizeBytes: 1_000 } },
          },
        ],
      },
    ],
    nodes: [
      node({
        images: [{ ref: `${HOST}/public/base:v1` }],
        credentials: { [HOST]: { username: 'team-a', password: 'not-the-password' } },
        fsFaults: { readError: 0 },
      }),
      node({
        name: 'node-2',
        images: [{ ref: `${OTHER}/tools/cli:v1` }],
        credentials: { [OTHER]: { username: 'ops', password: 'ops-password' } },
        fsFaults: { corrupt: 0 },
      }),
    ],
    objects: [
      dockerConfigSecret('team-a', 'regcred', HOST, 'team-a', 's3cret-a'),
      dockerConfigSecret('team-b', 'regcred', HOST, 'team-b', 's3cret-b'),
      pod('team-b', 'b', APP, { pullPolicy: 'IfNotPresent', secrets: ['regcred'], nodeName: 'node-1' }),
    ],
    timeline: [
      actionAt(seconds(20), { action: 'restartKubelet', node: 'node-1' }),
      actionAt(seconds(170), {
        action: 'grantPuller',
        host: HOST,
        repository: 'team-a/app',
        username: 'team-b',
      }),
    ],
  });
}

function livenessFailure(s: Scenario): InvariantFailure {
  const found = evaluateScenario(s, { modes: ['AlwaysVerify'], only: ['liveness'] }).failures[0];
  if (found === undefined) throw new Error('the scenario does not fail liveness');
  return found;
}

describe('shrinkFailure', () => {
  it('removes everything the failure does not need, and keeps it failing', () => {
    const original = lateGrant();
    const failure = livenessFailure(original);
    expect(failure.container).toBe('team-b/b/app');
    const shrunk = shrinkFailure(original, failure, { modes: ['AlwaysVerify'] });
    const same = (f: InvariantFailure) => [f.invariant, f.mode, f.container];
    expect(same(shrunk.failure)).toEqual(same(failure));
    const s = shrunk.scenario;
    expect(s.objects.map((o) => `${o.kind} ${o.metadata.namespace}/${o.metadata.name}`)).toEqual([
      'Secret team-b/regcred',
      'Pod team-b/b',
    ]);
    expect(s.timeline).toEqual([original.timeline[1]]);
    expect(s.nodes).toEqual([node(), node({ name: 'node-2' })]);
    // The granted repository stays: removing it would leave the grant naming an unknown repository (not a valid
    // file), so that candidate is never run.
    expect(s.registries.map((r) => r.repositories.map((repo) => repo.name))).toEqual([['team-a/app'], []]);
    // One successful removal per step: the restart, team A's secret, per node the image, the credentials and the
    // fault rates, and the two unneeded repositories.
    expect(shrunk.steps).toBe(10);
    expect(livenessFailure(s)).toEqual(shrunk.failure);
    expect(parseScenario(scenarioToYaml(s), 'shrunk.yaml')).toBeDefined();
  });

  it('stops at its budget of evaluations', () => {
    const original = lateGrant();
    const shrunk = shrinkFailure(original, livenessFailure(original), { modes: ['AlwaysVerify'], budget: 3 });
    expect(shrunk.evaluations).toBe(3);
    expect(shrunk.steps).toBeLessThanOrEqual(3);
  });

  it('returns the scenario unchanged when nothing can go', () => {
    const original = lateGrant();
    const failure = livenessFailure(original);
    const minimal = shrinkFailure(original, failure, { modes: ['AlwaysVerify'] }).scenario;
    const again = shrinkFailure(minimal, failure, { modes: ['AlwaysVerify'] });
    expect(again.steps).toBe(0);
    expect(again.scenario).toBe(minimal);
  });

  it('re-checks a legacy-superset failure against legacy, which the invariant compares with', () => {
    hooks.tamper = (output, _s, options) =>
      options.mode === 'legacy'
        ? {
            ...output,
            result: {
              ...output.result,
              containers: output.result.containers.map((c) => ({ ...c, started: false })),
            },
          }
        : output;
    try {
      const world = scenario({
        name: 'superset',
        until: minutes(2),
        objects: [
          dockerConfigSecret('team-a', 'regcred', HOST, 'team-a', 's3cret-a'),
          pod('team-a', 'a', APP, { pullPolicy: 'IfNotPresent', secrets: ['regcred'] }),
        ],
        timeline: [actionAt(seconds(30), { action: 'imageGC', node: 'node-1' })],
      });
      const failure = evaluateScenario(world, {
        modes: ['legacy', 'AlwaysVerify'],
        only: ['legacy-superset'],
      }).failures[0];
      if (failure === undefined) throw new Error('expected a legacy-superset failure');
      const shrunk = shrinkFailure(world, failure, { modes: ['AlwaysVerify'] });
      expect(shrunk.scenario.timeline).toEqual([]);
      expect(shrunk.failure.invariant).toBe('legacy-superset');
    } finally {
      hooks.tamper = undefined;
    }
  });
});

describe('failureFile', () => {
  it('writes the shrunk world with a replay header and expect lines of the failing mode', () => {
    const original = lateGrant();
    const shrunk = shrinkFailure(original, livenessFailure(original), { modes: ['AlwaysVerify'] });
    const text = failureFile(shrunk, { seed: 9, index: 4, profile: PROFILE });
    expect(text.split('\n').slice(0, 7)).toEqual([
      '# pullsim fuzz found this: invariant "liveness" failed in mode AlwaysVerify.',
      `# ${shrunk.failure.detail}`,
      '# Replay the original run: pullsim fuzz --seed 9 --replay 4',
      '# Replay this file:        pullsim run <this file> --mode AlwaysVerify',
      `# Shrunk in ${shrunk.steps} steps (${shrunk.evaluations} evaluations).`,
      '# The expect lines record the failing behaviour, so pullsim check passes while the bug is present.',
      `# Swarm profile: ${JSON.stringify(PROFILE)}`,
    ]);
    expect(text).not.toContain('Kubelet profile overrides');
    const loaded = parseScenario(text, 'failure.yaml');
    expect(loaded.name).toBe('liveness-seed9-run4');
    expect(loaded.description).toContain('invariant liveness failed in mode AlwaysVerify for team-b/b/app');
    // Team B's container waits in back-off with a reason, never started, never in violation.
    expect(loaded.expect.map(({ line: _line, ...e }) => e)).toEqual([
      {
        pod: 'team-b/b',
        container: 'app',
        modes: ['AlwaysVerify'],
        state: 'waiting',
        reason: [expect.any(String)],
        violation: false,
        started: false,
      },
    ]);
  });

  it('names no container when the failure has none, and records running containers without a reason', () => {
    const world = scenario({
      name: 'clean',
      until: minutes(1),
      objects: [
        dockerConfigSecret('team-a', 'regcred', HOST, 'team-a', 's3cret-a'),
        pod('team-a', 'a', APP, { pullPolicy: 'IfNotPresent', secrets: ['regcred'] }),
      ],
    });
    const failure: InvariantFailure = {
      invariant: 'determinism',
      mode: 'NeverVerify',
      detail: 'trace hash a then b',
    };
    const text = failureFile(
      { scenario: world, failure, steps: 0, evaluations: 0 },
      { seed: 1, index: 0, profile: PROFILE },
      { profileOverrides: { plantedBug: 'skip-credential-hash-comparison' } },
    );
    expect(text).toContain(
      '# Kubelet profile overrides in force: {"plantedBug":"skip-credential-hash-comparison"}',
    );
    const loaded = parseScenario(text, 'failure.yaml');
    expect(loaded.description).toBe(
      'Found by pullsim fuzz (seed 1, run 0): invariant determinism failed in mode NeverVerify: trace hash a then b',
    );
    expect(loaded.expect.map(({ line: _line, ...e }) => e)).toEqual([
      {
        pod: 'team-a/a',
        container: 'app',
        modes: ['NeverVerify'],
        state: 'running',
        violation: false,
        started: true,
      },
    ]);
  });
});
