import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scenarioArb, scenarioFeatures, swarmProfileArb } from '../../../sim/fuzz/generate.js';
import { FUZZ_ACTIONS, FUZZ_FAULTS, type FuzzAction, type SwarmProfile } from '../../../sim/fuzz/plan.js';
import { fakeDigest } from '../../../sim/fuzz/tenant-world.js';
import { parseScenario } from '../../../sim/scenario/load.js';
import { scenarioToYaml } from '../../../sim/scenario/serialize.js';
import type { ActionName, Manifest, Scenario, TimelineStep } from '../../../sim/scenario/types.js';
import { withLoaderDefaults } from '../../support/loader-defaults.js';
import {
  actionAt,
  applyAt,
  deleteAt,
  dockerConfigSecret,
  multiContainerPod,
  pod,
  scenario,
  seconds,
} from '../../support/scenario-builder.js';

/*
 * The campaign generator (sim/fuzz/generate.ts). Properties, one sentence each:
 * - every generated scenario is a valid contract file: written with scenarioToYaml it loads back, equal;
 * - scenarioFeatures reports exactly what the scenario holds;
 * - a swarm profile bounds what is generated: only its enabled action and fault kinds, at most two timeline steps
 *   per action it allows, and world features only when switched on.
 */

const withProfile = swarmProfileArb.chain((profile) =>
  scenarioArb(profile).map((generated) => ({ profile, scenario: generated })),
);

/** The fuzz action (or `fsFault`) that can produce a timeline action of this name. */
const ORIGIN: Readonly<Record<ActionName, readonly (FuzzAction | 'fsFault')[]>> = {
  restartKubelet: ['restartKubelet', 'deleteRecords'],
  crashKubelet: ['crashKubelet'],
  registryDown: ['registryOutage'],
  registryUp: ['registryOutage'],
  revokePuller: ['revokePuller'],
  grantPuller: [],
  changePassword: ['changePassword'],
  retag: ['retag'],
  removeImage: ['removeImage'],
  imageGC: ['imageGC'],
  deleteRecords: ['deleteRecords'],
  setPolicy: [],
  restartContainer: ['restartContainer'],
  fsFault: ['fsFault'],
};

function manifests(s: Scenario): Manifest[] {
  return [...s.objects, ...s.timeline.flatMap((step) => ('apply' in step ? [step.apply] : []))];
}

/** Whether two tags anywhere in the registries point at the same digest. */
function hasSharedDigest(s: Scenario): boolean {
  const digests = s.registries
    .flatMap((r) => r.repositories.flatMap((repo) => Object.values(repo.tags)))
    .map((tag) => tag.digest);
  return new Set(digests).size < digests.length;
}

/** What scenarioFeatures should say, computed from the scenario and the feature names of the campaign summary. */
function expectedFeatures(s: Scenario): string[] {
  const features = new Set<string>();
  if (s.registries.some((r) => r.serviceAccountTokenProvider !== undefined))
    features.add('service-account provider');
  if (hasSharedDigest(s)) features.add('shared digest');
  if (s.nodes.some((n) => n.images.length > 0)) features.add('preloaded images');
  if (s.nodes.some((n) => n.credentials !== undefined)) features.add('node-wide credentials');
  for (const m of manifests(s)) {
    if (m.kind !== 'Pod') continue;
    for (const c of m.spec.containers) features.add(`pull policy ${c.imagePullPolicy ?? 'default'}`);
    features.add(m.spec.imagePullSecrets === undefined ? 'pod without secrets' : 'pod with secrets');
  }
  const secrets = s.objects.flatMap((m) => (m.kind === 'Secret' ? [m] : []));
  const contents = secrets.map((m) => m.stringData?.['.dockerconfigjson']);
  if (new Set(contents).size < contents.length) features.add('copied credentials');
  for (const step of s.timeline) {
    if ('action' in step)
      features.add(
        step.action.action === 'fsFault' ? `fault ${step.action.fault}` : `action ${step.action.action}`,
      );
    if ('delete' in step) features.add(`delete ${step.delete.kind}`);
    if ('apply' in step && step.apply.kind === 'Secret') features.add('secret rotation or re-creation');
  }
  return [...features].sort();
}

const timelineSecretApplies = (s: Scenario) =>
  s.timeline.filter((step) => 'apply' in step && step.apply.kind === 'Secret').length;

describe('scenarioArb', () => {
  it('every generated scenario is a valid scenario file that loads back to itself', () => {
    fc.assert(
      fc.property(withProfile, ({ scenario: generated }) => {
        const text = scenarioToYaml(generated, 'generated');
        const loaded = parseScenario(text, 'generated.yaml');
        expect(loaded).toEqual(withLoaderDefaults(generated));
        // Written and loaded again, it stays the same: nothing is lost or added on the way.
        expect(parseScenario(scenarioToYaml(loaded), 'again.yaml')).toEqual(loaded);
      }),
      { numRuns: 250 },
    );
  });

  it('scenarioFeatures reports what the scenario contains', () => {
    fc.assert(
      fc.property(withProfile, ({ scenario: generated }) => {
        const features = scenarioFeatures(generated);
        // Copied credentials can also come from a secret rotated in the timeline; only worlds without those have
        // an exact answer from the objects alone.
        if (timelineSecretApplies(generated) === 0) expect(features).toEqual(expectedFeatures(generated));
        else
          expect(features.filter((f) => f !== 'copied credentials')).toEqual(
            expectedFeatures(generated).filter((f) => f !== 'copied credentials'),
          );
        expect(features.includes('shared digest')).toBe(hasSharedDigest(generated));
      }),
      { numRuns: 250 },
    );
  });

  it('the swarm profile restricts what is generated to the enabled kinds', () => {
    fc.assert(
      fc.property(withProfile, ({ profile, scenario: generated }) => {
        const enabled = new Set<FuzzAction | 'fsFault'>([
          ...profile.actions,
          ...(profile.faults.length > 0 ? (['fsFault'] as const) : []),
        ]);
        const steps = generated.timeline.filter((step) => !('apply' in step && step.apply.kind === 'Pod'));
        for (const step of steps) {
          if ('action' in step) {
            expect(ORIGIN[step.action.action].some((origin) => enabled.has(origin))).toBe(true);
            if (step.action.action === 'fsFault') expect(profile.faults).toContain(step.action.fault);
          } else if ('delete' in step) {
            expect(step.delete.kind).toBe('Secret');
            expect(enabled.has('recreateSecret')).toBe(true);
          } else {
            expect(
              ['changePassword', 'rotateSecret', 'recreateSecret'].some((a) => enabled.has(a as FuzzAction)),
            ).toBe(true);
          }
        }
        // Each planned action becomes at most two timeline steps (an outage is down and up, a password change may
        // update the secret, a re-creation deletes and applies, a record wipe may restart the kubelet).
        expect(steps.length).toBeLessThanOrEqual(2 * profile.maxActions);
        if (enabled.size === 0) expect(steps).toEqual([]);
        if (!profile.preloadedImages) expect(generated.nodes.every((n) => n.images.length === 0)).toBe(true);
        expect(generated.nodes.some((n) => n.credentials !== undefined)).toBe(profile.nodeWideCredentials);
        expect(generated.registries.some((r) => r.serviceAccountTokenProvider !== undefined)).toBe(
          profile.serviceAccountProvider,
        );
        expect(hasSharedDigest(generated)).toBe(profile.sharedDigests);
        if (!profile.copiedCredentials && !profile.wrongPasswords) {
          // Every tenant's secret holds its own valid credentials.
          for (const m of generated.objects)
            if (m.kind === 'Secret') {
              const tenant = m.metadata.namespace?.slice(1);
              expect(m.stringData?.['.dockerconfigjson']).toBe(
                JSON.stringify({
                  auths: { 'reg.example.com': { username: `t${tenant}`, password: `pw-${tenant}-0` } },
                }),
              );
            }
        }
      }),
      { numRuns: 250 },
    );
  });

  it('generates 1–3 tenants and 1–6 pods on one node, with a run long enough for every back-off', () => {
    fc.assert(
      fc.property(withProfile, ({ scenario: generated }) => {
        const pods = manifests(generated).filter((m) => m.kind === 'Pod');
        expect(pods.length).toBeGreaterThanOrEqual(1);
        expect(pods.length).toBeLessThanOrEqual(6);
        const users = generated.registries.flatMap((r) => r.users);
        expect(users.length).toBeGreaterThanOrEqual(1);
        expect(users.length).toBeLessThanOrEqual(3);
        expect(generated.nodes.map((n) => n.name)).toEqual(['node-1']);
        const last = Math.max(0, ...generated.timeline.map((step) => step.at));
        // The liveness invariant assumes 7 minutes after the last step.
        expect(generated.until).toBe(last + 7 * 60 * 1_000_000);
        const times = generated.timeline.map((step) => step.at);
        expect(times).toEqual([...times].sort((a, b) => a - b));
      }),
      { numRuns: 200 },
    );
  });

  it('an empty profile still generates pods and no timeline actions', () => {
    const empty: SwarmProfile = {
      template: 'swarm',
      actions: [],
      faults: [],
      maxActions: 6,
      nodeWideCredentials: false,
      sharedDigests: false,
      preloadedImages: false,
      serviceAccountProvider: false,
      copiedCredentials: false,
      wrongPasswords: false,
    };
    fc.assert(
      fc.property(scenarioArb(empty, 'empty'), (generated) => {
        expect(generated.name).toBe('empty');
        expect(
          generated.timeline.every((step: TimelineStep) => 'apply' in step && step.apply.kind === 'Pod'),
        ).toBe(true);
      }),
      { numRuns: 50 },
    );
  });

  it('knows every fuzz action and fault kind the scenario format has', () => {
    expect(FUZZ_ACTIONS).toHaveLength(12);
    expect([...FUZZ_FAULTS].sort()).toEqual([
      'corrupt',
      'crashBeforeRename',
      'enospc',
      'readError',
      'writeError',
    ]);
  });
});

describe('fakeDigest', () => {
  it('is a stable sha256 digest per name', () => {
    expect(fakeDigest('a')).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(fakeDigest('a')).toBe(fakeDigest('a'));
    expect(fakeDigest('a')).not.toBe(fakeDigest('b'));
  });
});

describe('scenarioFeatures on hand-built scenarios', () => {
  const HOST = 'private.example.com';

  it('copied credentials: two secrets with the same content', () => {
    const copied = scenario({
      objects: [
        dockerConfigSecret('team-a', 'regcred', HOST, 'team-a', 's3cret-a'),
        dockerConfigSecret('team-b', 'regcred', HOST, 'team-a', 's3cret-a'),
      ],
    });
    expect(scenarioFeatures(copied)).toContain('copied credentials');
    const own = scenario({
      objects: [
        dockerConfigSecret('team-a', 'regcred', HOST, 'team-a', 's3cret-a'),
        dockerConfigSecret('team-b', 'regcred', HOST, 'team-b', 's3cret-b'),
      ],
    });
    expect(scenarioFeatures(own)).not.toContain('copied credentials');
  });

  it('a secret applied again under its own name is a rotation, not a copy', () => {
    const secret = dockerConfigSecret('team-a', 'regcred', HOST, 'team-a', 's3cret-a');
    const rotated = scenario({ objects: [secret], timeline: [applyAt(seconds(5), secret)] });
    expect(scenarioFeatures(rotated)).toEqual(['secret rotation or re-creation']);
  });

  it('names pods with and without secrets, per-container pull policies (default included), actions and deletes', () => {
    const s = scenario({
      objects: [
        multiContainerPod('team-a', 'p', [
          { name: 'a', image: `${HOST}/team-a/app:v1` },
          { name: 'b', image: `${HOST}/team-a/app:v1`, imagePullPolicy: 'Never' },
        ]),
        pod('team-a', 'q', `${HOST}/team-a/app:v1`, { secrets: ['regcred'], pullPolicy: 'Always' }),
      ],
      timeline: [
        actionAt(seconds(1), { action: 'imageGC', node: 'node-1' }),
        actionAt(seconds(2), { action: 'fsFault', node: 'node-1', fault: 'corrupt' }),
        deleteAt(seconds(3), { kind: 'Pod', namespace: 'team-a', name: 'q' }),
      ],
    });
    expect(scenarioFeatures(s)).toEqual([
      'action imageGC',
      'delete Pod',
      'fault corrupt',
      'pod with secrets',
      'pod without secrets',
      'pull policy Always',
      'pull policy Never',
      'pull policy default',
    ]);
  });
});
