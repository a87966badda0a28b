import { describe, expect, it } from 'vitest';
import { runLoop } from '../../../sim/kernel/loop.js';
import { Trace } from '../../../sim/kernel/trace.js';
import { runScenario } from '../../../sim/run.js';
import { MODES, type RunMode, type Scenario } from '../../../sim/scenario/types.js';
import { kubeletConfigForMode } from '../../../sim/world/mode-config.js';
import { EPOCH_OFFSET, scenarioEnd, World } from '../../../sim/world/world.js';
import { TICKS_PER_MINUTE, ticks } from '../../../src/time.js';
import {
  actionAt,
  applyAt,
  containerResult,
  DIGEST_A,
  DIGEST_B,
  deleteAt,
  dockerConfigSecret,
  kubelet,
  minutes,
  namespace,
  node,
  pod,
  privateRegistry,
  recordsOf,
  scenario,
  seconds,
  serviceAccount,
} from '../../support/scenario-builder.js';

const HOST = 'private.example.com';
const IMAGE = `${HOST}/team-a/app:v1`;
const teamA = dockerConfigSecret('team-a', 'regcred', HOST, 'team-a', 's3cret-a');

function world(s: Scenario, mode: RunMode = 'AlwaysVerify', seed = s.seed) {
  return new World(s, { mode, seed, trace: new Trace() });
}

describe('kubeletConfigForMode (contract §1)', () => {
  const configured = scenario({
    kubelet: kubelet({
      featureGates: { KubeletEnsureSecretPulledImages: true },
      imagePullCredentialsVerificationPolicy: 'NeverVerifyAllowlistedImages',
      preloadedImagesVerificationAllowlist: ['docker.io/library/*'],
      serializeImagePulls: false,
      maxParallelImagePulls: 3,
    }),
  });

  it('as-configured: the scenario’s kubelet configuration as written', () => {
    expect(kubeletConfigForMode(configured, 'as-configured')).toEqual({
      alwaysPullImages: false,
      config: {
        serializeImagePulls: false,
        maxParallelImagePulls: 3,
        featureGates: { KubeletEnsureSecretPulledImages: true },
        imagePullCredentialsVerificationPolicy: 'NeverVerifyAllowlistedImages',
        preloadedImagesVerificationAllowlist: ['docker.io/library/*'],
      },
    });
    // No policy and no parallel limit written: none passed (the kubelet's defaults apply).
    expect(kubeletConfigForMode(scenario(), 'as-configured')).toEqual({
      alwaysPullImages: false,
      config: { serializeImagePulls: true, featureGates: {}, preloadedImagesVerificationAllowlist: [] },
    });
  });

  it('legacy: the gate off, nothing else', () => {
    expect(kubeletConfigForMode(configured, 'legacy')).toEqual({
      alwaysPullImages: false,
      config: {
        serializeImagePulls: false,
        maxParallelImagePulls: 3,
        featureGates: { KubeletEnsureSecretPulledImages: false },
      },
    });
  });

  it('always-pull: the gate off plus the AlwaysPullImages admission plugin', () => {
    expect(kubeletConfigForMode(configured, 'always-pull')).toEqual({
      alwaysPullImages: true,
      config: {
        serializeImagePulls: false,
        maxParallelImagePulls: 3,
        featureGates: { KubeletEnsureSecretPulledImages: false },
      },
    });
  });

  it.each(['NeverVerify', 'NeverVerifyPreloadedImages', 'AlwaysVerify'] as const)(
    '%s: the gate on, that policy, no allowlist',
    (mode) => {
      expect(kubeletConfigForMode(configured, mode)).toEqual({
        alwaysPullImages: false,
        config: {
          serializeImagePulls: false,
          maxParallelImagePulls: 3,
          featureGates: { KubeletEnsureSecretPulledImages: true },
          imagePullCredentialsVerificationPolicy: mode,
          preloadedImagesVerificationAllowlist: [],
        },
      });
    },
  );

  it('NeverVerifyAllowlistedImages keeps the scenario’s allowlist', () => {
    expect(kubeletConfigForMode(configured, 'NeverVerifyAllowlistedImages').config).toMatchObject({
      featureGates: { KubeletEnsureSecretPulledImages: true },
      imagePullCredentialsVerificationPolicy: 'NeverVerifyAllowlistedImages',
      preloadedImagesVerificationAllowlist: ['docker.io/library/*'],
    });
  });

  it('every mode starts a kubelet with the gate and policy it names', () => {
    for (const mode of MODES) {
      const w = world(configured, mode);
      const stack = w.nodes.get('node-1')?.stack;
      const gate = mode !== 'legacy' && mode !== 'always-pull';
      expect(stack?.featureGateEnabled, mode).toBe(gate);
      expect(stack?.policy, mode).toBe(gate ? mode : undefined);
    }
  });
});

describe('scenarioEnd', () => {
  it('is `until` when given, else 10 minutes after the last timeline step', () => {
    expect(scenarioEnd(scenario({ until: seconds(42) }))).toBe(seconds(42));
    expect(scenarioEnd(scenario())).toBe(10 * TICKS_PER_MINUTE);
    expect(
      scenarioEnd(
        scenario({
          timeline: [
            actionAt(minutes(7), { action: 'registryDown', host: HOST }),
            actionAt(minutes(3), { action: 'registryUp', host: HOST }),
          ],
        }),
      ),
    ).toBe(minutes(17));
  });
});

describe('building a world', () => {
  it('builds one registry per host and one node per spec, with preloaded images and record files', () => {
    const file = '{"kind":"ImagePullIntent","apiVersion":"kubelet.config.k8s.io/v1beta1","image":"x"}\n';
    const w = world(
      scenario({
        registries: [privateRegistry(), privateRegistry({ host: 'other.example.com' })],
        nodes: [
          node({ name: 'n1', images: [{ ref: IMAGE }], imageManagerFiles: { 'pulling/sha256-x': file } }),
          node({ name: 'n2', images: [{ ref: 'archive.example.com/x:1', id: DIGEST_B }], device: 'ssd' }),
        ],
      }),
    );
    expect([...w.registries.keys()]).toEqual([HOST, 'other.example.com']);
    expect([...w.nodes.keys()]).toEqual(['n1', 'n2']);
    expect(w.nodes.get('n1')?.runtime.imageStatus(IMAGE)?.id).toBe(DIGEST_A);
    expect(w.nodes.get('n2')?.runtime.imageStatus('archive.example.com/x:1')?.id).toBe(DIGEST_B);
    expect(w.nodes.get('n1')?.fs.snapshotFiles('/var/lib/kubelet/image_manager')).toMatchObject({
      'pulling/sha256-x': file,
    });
    // Kubelets start when the world is built, before any event (the run's first trace records).
    expect(w.trace.records().map((r) => r.kind)).toEqual(['run.start', 'kubelet.start', 'kubelet.start']);
    expect(w.nodes.get('n1')?.kubeletRunning).toBe(true);
  });

  it('a preloaded image that disagrees with its registry is a programmer error (the loader checks it)', () => {
    expect(() => world(scenario({ nodes: [node({ images: [{ ref: IMAGE, id: DIGEST_B }] })] }))).toThrow(
      /node node-1: preloaded image .*differs from the registry/,
    );
  });

  it('record times are absolute: virtual t=0 is 2026-01-01T00:00:00Z', () => {
    expect(new Date(EPOCH_OFFSET / 1000).toISOString()).toBe('2026-01-01T00:00:00.000Z');
    const { result } = runScenario(
      scenario({ until: minutes(1), objects: [teamA, pod('team-a', 'a', IMAGE, { secrets: ['regcred'] })] }),
      { mode: 'AlwaysVerify', includeFiles: true },
    );
    const record = Object.values(result.nodes[0]?.imageManagerFiles ?? {})[0] ?? '';
    expect(record).toContain('"lastUpdatedTime":"2026-01-01T00:00:00Z"');
  });

  it('a node with fault rates draws faults from its own stream', () => {
    const s = scenario({
      until: minutes(2),
      nodes: [node({ fsFaults: { writeError: 1 } })],
      objects: [teamA, pod('team-a', 'a', IMAGE, { secrets: ['regcred'] })],
    });
    const { result, world: w } = runScenario(s, { mode: 'AlwaysVerify' });
    // Every write fails: the intent can never be recorded, so the pod never pulls.
    expect(containerResult(result, 'team-a/a')).toMatchObject({ state: 'waiting', pulls: 0 });
    expect(w.nodes.get('node-1')?.fs.faultsInjected.writeError).toBeGreaterThan(0);
  });

  it('a device profile charges file-system latency to the kubelet’s start-up', () => {
    const s = scenario({ until: seconds(1), nodes: [node({ device: 'hdd' })] });
    const start = recordsOf(world(s).trace.records(), 'kubelet.start')[0];
    expect(start?.startLatencyTicks).toBeGreaterThan(0);
  });
});

describe('the timeline', () => {
  it('objects are applied by kind: Namespace, Secret, ServiceAccount, Pod (contract §2), whatever their order', () => {
    // The pod names a service account listed after it; applied in file order the pod would be rejected.
    const s = scenario({
      until: seconds(30),
      objects: [
        pod('team-a', 'a', IMAGE, { serviceAccountName: 'builder' }),
        serviceAccount('team-a', 'builder', { secrets: ['regcred'] }),
        teamA,
        namespace('team-a', 'ns-uid'),
      ],
    });
    for (const seed of [1, 2, 3, 4, 5]) {
      const { result, trace } = runScenario({ ...s, seed }, { mode: 'AlwaysVerify' });
      expect(recordsOf(trace.records(), 'apply').map((r) => r.object)).toEqual([
        'Namespace team-a',
        'Secret team-a/regcred',
        'ServiceAccount team-a/builder',
        'Pod team-a/a',
      ]);
      expect(recordsOf(trace.records(), 'apply.rejected')).toEqual([]);
      // Admission copied the service account's secret into the pod.
      expect(containerResult(result, 'team-a/a')).toMatchObject({ state: 'running', violation: false });
    }
  });

  it('steps at the same time keep file order, for every seed (contract §2)', () => {
    const s = scenario({
      until: minutes(2),
      objects: [teamA, pod('team-a', 'a', IMAGE, { secrets: ['regcred'] })],
      timeline: [
        deleteAt(minutes(1), { kind: 'Secret', namespace: 'team-a', name: 'regcred' }),
        applyAt(minutes(1), dockerConfigSecret('team-a', 'regcred', HOST, 'team-a', 's3cret-a')),
        actionAt(minutes(1), { action: 'registryDown', host: HOST }),
        actionAt(minutes(1), { action: 'registryUp', host: HOST }),
      ],
    });
    for (let seed = 0; seed < 10; seed++) {
      const { world: w, trace } = runScenario({ ...s, seed }, { mode: 'AlwaysVerify' });
      const atOne = trace
        .records()
        .filter((r) => r.t === minutes(1) && ['delete', 'apply', 'action'].includes(r.kind));
      expect(atOne.map((r) => r.kind)).toEqual(['delete', 'apply', 'action', 'action']);
      expect(w.api.getSecret('team-a', 'regcred')).toBeDefined();
      expect(w.registries.get(HOST)?.isDown).toBe(false);
    }
  });

  it('an unsorted timeline (built in code) is run in time order', () => {
    const s = scenario({
      until: minutes(3),
      timeline: [
        actionAt(minutes(2), { action: 'registryUp', host: HOST }),
        actionAt(minutes(1), { action: 'registryDown', host: HOST }),
      ],
    });
    const { trace, world: w } = runScenario(s, { mode: 'AlwaysVerify' });
    expect(recordsOf(trace.records(), 'action').map((r) => [r.t, r.action])).toEqual([
      [minutes(1), 'registryDown'],
      [minutes(2), 'registryUp'],
    ]);
    expect(w.registries.get(HOST)?.isDown).toBe(false);
  });

  it('a rejected apply is traced with the admission reason', () => {
    const { trace } = runScenario(
      scenario({ until: seconds(1), objects: [pod('ns', 'p', IMAGE, { serviceAccountName: 'ghost' })] }),
      { mode: 'AlwaysVerify' },
    );
    expect(recordsOf(trace.records(), 'apply.rejected')).toEqual([
      {
        t: 0,
        kind: 'apply.rejected',
        object: 'Pod ns/p',
        reason: 'error looking up service account ns/ghost: serviceaccount "ghost" not found',
      },
    ]);
  });

  it('delete is traced; deleting a namespace kills its pods on their nodes', () => {
    const { trace, result } = runScenario(
      scenario({
        until: minutes(2),
        objects: [teamA, pod('team-a', 'a', IMAGE, { secrets: ['regcred'] })],
        timeline: [
          deleteAt(minutes(1), { kind: 'Namespace', name: 'team-a' }),
          deleteAt(minutes(1), { kind: 'Pod', namespace: 'team-a', name: 'a' }),
        ],
      }),
      { mode: 'AlwaysVerify' },
    );
    expect(recordsOf(trace.records(), 'delete').map((r) => [r.object, r.deleted])).toEqual([
      ['Namespace /team-a', true],
      ['Pod team-a/a', false],
    ]);
    expect(containerResult(result, 'team-a/a')).toMatchObject({ state: 'terminated', started: true });
  });

  it('re-applying a pod replaces it (new UID, new incarnation); pinning its UID updates it in place', () => {
    const {
      result,
      world: w,
      trace,
    } = runScenario(
      scenario({
        until: minutes(3),
        objects: [
          teamA,
          pod('team-a', 'a', IMAGE, { secrets: ['regcred'] }),
          pod('team-a', 'pinned', IMAGE, { secrets: ['regcred'], uid: 'pinned-uid' }),
        ],
        timeline: [
          applyAt(minutes(1), pod('team-a', 'a', IMAGE, { secrets: ['regcred'] })),
          applyAt(minutes(1), pod('team-a', 'pinned', IMAGE, { secrets: ['regcred'], uid: 'pinned-uid' })),
        ],
      }),
      { mode: 'AlwaysVerify' },
    );
    expect(recordsOf(trace.records(), 'apply', { t: minutes(1) }).map((r) => r.change)).toEqual([
      'recreated',
      'updated',
    ]);
    expect(w.podRecords.map((r) => [r.key, r.deleted])).toEqual([
      ['team-a/a', true],
      ['team-a/pinned', false],
      ['team-a/a', false],
    ]);
    // The result merges incarnations: pulls are summed, the state is the latest one's.
    expect(containerResult(result, 'team-a/a')).toMatchObject({ state: 'running', pulls: 1 });
    expect(containerResult(result, 'team-a/pinned')).toMatchObject({ state: 'running', started: true });
    expect(recordsOf(trace.records(), 'ensureImage', { pod: 'team-a/pinned' })).toHaveLength(1);
  });

  it('a pod re-applied with another nodeName leaves the first node and starts on the second', () => {
    const { world: w, result } = runScenario(
      scenario({
        until: minutes(2),
        nodes: [node({ name: 'n1' }), node({ name: 'n2' })],
        objects: [teamA, pod('team-a', 'a', IMAGE, { secrets: ['regcred'] })],
        timeline: [applyAt(minutes(1), pod('team-a', 'a', IMAGE, { secrets: ['regcred'], nodeName: 'n2' }))],
      }),
      { mode: 'AlwaysVerify' },
    );
    expect(w.podRecords.map((r) => [r.pod.nodeName, r.deleted])).toEqual([
      ['n1', true],
      ['n2', false],
    ]);
    expect(containerResult(result, 'team-a/a')).toMatchObject({ node: 'n2', state: 'running', pulls: 2 });
    expect(w.nodes.get('n1')?.podRecord('team-a/a')?.deleted).toBe(true);
  });

  it('actions on registries take effect; changePassword is traced without the password', () => {
    const { world: w, trace } = runScenario(
      scenario({
        until: minutes(1),
        timeline: [
          actionAt(seconds(1), {
            action: 'revokePuller',
            host: HOST,
            repository: 'team-a/app',
            username: 'team-a',
          }),
          actionAt(seconds(2), {
            action: 'grantPuller',
            host: HOST,
            repository: 'team-a/app',
            username: 'team-b',
          }),
          actionAt(seconds(3), {
            action: 'changePassword',
            host: HOST,
            username: 'team-b',
            password: 'n3w-s3cret',
          }),
          actionAt(seconds(4), {
            action: 'retag',
            host: HOST,
            repository: 'team-a/app',
            tag: 'v2',
            digest: DIGEST_B,
          }),
        ],
      }),
      { mode: 'AlwaysVerify' },
    );
    const registry = w.registries.get(HOST);
    expect(registry?.wouldAuthorize('team-a/app', { username: 'team-a', password: 's3cret-a' })).toBe(false);
    expect(registry?.wouldAuthorize('team-a/app', { username: 'team-b', password: 'n3w-s3cret' })).toBe(true);
    expect(registry?.resolveTag('team-a/app', 'v2')?.digest).toBe(DIGEST_B);
    const lines = trace.toJsonLines();
    expect(lines).not.toContain('n3w-s3cret');
    expect(recordsOf(trace.records(), 'action', { action: 'changePassword' })[0]).toMatchObject({
      username: 'team-b',
      password: '<redacted>',
    });
  });

  it('restartContainer takes `namespace/name` or a bare name in `default`', () => {
    const { trace } = runScenario(
      scenario({
        until: minutes(2),
        registries: [
          privateRegistry({
            repositories: [
              { name: 'pub/x', public: true, pullers: [], tags: { a: { digest: DIGEST_A, sizeBytes: 1 } } },
            ],
          }),
        ],
        objects: [pod('default', 'p', `${HOST}/pub/x:a`)],
        timeline: [actionAt(minutes(1), { action: 'restartContainer', pod: 'p', container: 'app' })],
      }),
      { mode: 'AlwaysVerify' },
    );
    expect(recordsOf(trace.records(), 'container.state', { state: 'waiting.crashLoopBackOff' })).toHaveLength(
      1,
    );
  });

  it('fsFault arms a fault under image_manager/ (the whole directory without a path)', () => {
    const w = world(
      scenario({
        timeline: [actionAt(ticks(0), { action: 'fsFault', node: 'node-1', fault: 'readError', count: 2 })],
      }),
    );
    runLoop(w.queue, w.clock, ({ event }) => w.handle(event), {
      until: seconds(1),
      maxSteps: 100,
      maxTicks: seconds(1),
    });
    expect(w.nodes.get('node-1')?.fs.armedFaults()).toEqual([
      { kind: 'readError', count: 2, pathPrefix: '/var/lib/kubelet/image_manager' },
    ]);
  });

  it('events naming an unknown node or registry are programmer errors', () => {
    const w = world(scenario());
    expect(() => w.handle({ kind: 'kubeletStart', node: 'ghost' })).toThrow(/unknown node ghost/);
    const bad = world(
      scenario({ timeline: [actionAt(ticks(0), { action: 'registryDown', host: 'ghost.io' })] }),
    );
    expect(() =>
      runLoop(bad.queue, bad.clock, ({ event }) => bad.handle(event), { maxSteps: 10, maxTicks: seconds(1) }),
    ).toThrow(/unknown registry ghost.io/);
  });

  it('stale kubelet events (an old epoch, a finished job) are ignored', () => {
    const w = world(scenario());
    const n = w.nodes.get('node-1');
    expect(() => {
      w.handle({ kind: 'podSync', node: 'node-1', podKey: 'ns/p', epoch: 99 });
      w.handle({ kind: 'pullAttemptDone', node: 'node-1', jobId: 12345 });
      w.handle({ kind: 'containerRestartDue', node: 'node-1', podUid: 'nope', container: 0 });
      w.handle({ kind: 'imageGCCheck', node: 'node-1', epoch: 99 });
      w.handle({ kind: 'kubeletStart', node: 'node-1' });
    }).not.toThrow();
    expect(n?.stats.kubeletStarts).toBe(1);
  });
});
