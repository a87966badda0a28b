import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { TraceRecord } from '../../../sim/kernel/trace.js';
import { type RunOptions, runScenario } from '../../../sim/run.js';
import type { RegistrySpec, RunMode, Scenario } from '../../../sim/scenario/types.js';
import { fnv1Hash32 } from '../../../src/pullmanager/locks.js';
import { TICKS_PER_SECOND, type Ticks, ticks } from '../../../src/time.js';
import {
  actionAt,
  applyAt,
  containerResult,
  DIGEST_A,
  DIGEST_B,
  DIGEST_C,
  deleteAt,
  dockerConfigSecret,
  kubelet,
  minutes,
  multiContainerPod,
  node,
  pod,
  privateRegistry,
  recordsOf,
  scenario,
  seconds,
} from '../../support/scenario-builder.js';

/*
 * The simulated node (sim/world/node.ts, with the kubelet's pod workers and puller from src/) driven through whole
 * runs: the puller, the pod workers and back-offs, the credential loop, kubelet restarts and crashes, image GC,
 * container restarts and file-system faults.
 * Expected values come from docs/contract.md and the kubelet's rules in docs/kubelet-model.md.
 */

const HOST = 'private.example.com';
const IMAGE = `${HOST}/team-a/app:v1`;
const PUBLIC_A = `${HOST}/pub/x:a`;
const PUBLIC_B = `${HOST}/pub/x:b`;
const PUBLIC_C = `${HOST}/pub/x:c`;
const MB = 1_000_000;
const KUBELET_ROOT = '/var/lib/kubelet/image_manager';

/** `sha256-<hex of the key>` (docs/kubelet-model.md#image-names-and-keys). */
const fileName = (key: string): string => `sha256-${createHash('sha256').update(key, 'utf8').digest('hex')}`;
const intentFile = (image: string): string => `pulling/${fileName(image)}`;
const recordFile = (imageRef: string): string => `pulled/${fileName(imageRef)}`;

/** A registry whose every request takes exactly `latency` plus one tick of transfer (bandwidth 1e15 B/s). */
function registry(latency: Ticks, overrides: Partial<RegistrySpec> = {}): RegistrySpec {
  return privateRegistry({
    latency: { minTicks: latency, maxTicks: latency },
    bandwidthBytesPerSecond: 1e15,
    users: [
      { username: 'team-a', password: 's3cret-a' },
      { username: 'team-a-ci', password: 'ci-pw' },
      { username: 'team-b', password: 's3cret-b' },
      { username: 'node-puller', password: 'node-pw' },
    ],
    repositories: [
      {
        name: 'team-a/app',
        public: false,
        pullers: ['team-a', 'team-a-ci', 'node-puller'],
        tags: { v1: { digest: DIGEST_A, sizeBytes: 50 * MB } },
      },
      {
        name: 'pub/x',
        public: true,
        pullers: [],
        tags: {
          a: { digest: DIGEST_A, sizeBytes: 30 * MB },
          b: { digest: DIGEST_B, sizeBytes: 30 * MB },
          c: { digest: DIGEST_C, sizeBytes: 30 * MB },
        },
      },
    ],
    ...overrides,
  });
}

const FAST = registry(seconds(1));
const SLOW = registry(seconds(5));
/** The duration of one request to FAST or SLOW: the latency plus one tick of transfer. */
const attemptTicks = (latency: Ticks): number => latency + 1;

const teamA = dockerConfigSecret('team-a', 'regcred', HOST, 'team-a', 's3cret-a');

function run(s: Scenario, mode: RunMode = 'AlwaysVerify', options: RunOptions = {}) {
  const out = runScenario(s, { mode, includeFiles: true, ...options });
  const records = out.trace.records();
  const files = out.result.nodes[0]?.imageManagerFiles ?? {};
  return { ...out, records, files };
}

/** Records of a pod's container. */
const forPod = (records: readonly TraceRecord[], kind: string, podKey: string) =>
  recordsOf(records, kind).filter((r) => r.pod === podKey);

describe('the image puller', () => {
  const threePods = (k: Scenario['kubelet']) =>
    scenario({
      kubelet: k,
      until: seconds(30),
      registries: [registry(seconds(2))],
      objects: [pod('ns', 'p1', PUBLIC_A), pod('ns', 'p2', PUBLIC_B), pod('ns', 'p3', PUBLIC_C)],
    });
  const L = attemptTicks(seconds(2));

  it('serializeImagePulls: one pull at a time, each starting when the previous one ends', () => {
    const { records } = run(threePods(kubelet({ serializeImagePulls: true, maxParallelImagePulls: 5 })));
    expect(recordsOf(records, 'pull.attempt').map((r) => r.t)).toEqual([0, L, 2 * L]);
    expect(recordsOf(records, 'container.start').map((r) => r.t)).toEqual([L, 2 * L, 3 * L]);
    // The queue is visible: every job is queued at t=0, the second and third wait.
    expect(recordsOf(records, 'pull.queued').map((r) => r.t)).toEqual([0, 0, 0]);
  });

  it('parallel pulls with maxParallelImagePulls 2: two at once, the third when a slot frees', () => {
    const { records } = run(threePods(kubelet({ serializeImagePulls: false, maxParallelImagePulls: 2 })));
    expect(recordsOf(records, 'pull.attempt').map((r) => r.t)).toEqual([0, 0, L]);
    expect(recordsOf(records, 'container.start').map((r) => r.t)).toEqual([L, L, 2 * L]);
  });

  it('parallel pulls without a limit all start at once', () => {
    const { records } = run(threePods(kubelet({ serializeImagePulls: false })));
    expect(recordsOf(records, 'pull.attempt').map((r) => r.t)).toEqual([0, 0, 0]);
  });

  it('the pull event reports the pull time and the time including waiting in the queue', () => {
    const { records } = run(threePods(kubelet({ serializeImagePulls: true })));
    const pulled = recordsOf(records, 'event', { reason: 'Pulled' }).map((r) =>
      (r.message as string).replace(/"[^"]+"/, '"X"'),
    );
    // Each pull takes 2 s; the second and third also waited for one and two pulls before them (Go durations,
    // truncated to milliseconds). Which pod's job is first comes from the seeded tie-break.
    expect(pulled).toEqual(
      [2, 4, 6].map(
        (n) => `Successfully pulled image "X" in 2s (${n}s including waiting). Image size: ${30 * MB} bytes.`,
      ),
    );
  });
});

describe('pod workers and the image back-off', () => {
  // A pod without credentials for a private image never gets it: every real attempt is a 401.
  const denied = scenario({
    until: minutes(8),
    registries: [FAST],
    objects: [pod('team-b', 'b', IMAGE, { pullPolicy: 'IfNotPresent' })],
  });

  it('requeues a failed sync after 10–15 s; reasons follow the back-off (10 s doubling to 300 s)', () => {
    const { records, result } = run(denied);
    const ensures = forPod(records, 'ensureImage', 'team-b/b');
    const queued = forPod(records, 'pull.queued', 'team-b/b');
    expect(ensures.length).toBeGreaterThan(8);
    // The start of each sync: the pull's queueing time for a real attempt, the result time for a refusal.
    let pullIndex = 0;
    const syncs = ensures.map((e) => ({
      end: e.t as number,
      start: e.reason === 'ErrImagePull' ? (queued[pullIndex++]?.t as number) : (e.t as number),
      reason: e.reason,
    }));
    expect(pullIndex).toBe(queued.length);
    for (let i = 1; i < syncs.length; i++) {
      const gap = (syncs[i]?.start as number) - (syncs[i - 1]?.end as number);
      expect(gap).toBeGreaterThanOrEqual(10 * TICKS_PER_SECOND);
      expect(gap).toBeLessThanOrEqual(15 * TICKS_PER_SECOND);
    }
    // In back-off iff now − lastFailure < delay; each failure doubles the delay
    // (docs/kubelet-model.md#image-pull-back-off).
    let delay = 0;
    let lastFailure = Number.NEGATIVE_INFINITY;
    for (const sync of syncs) {
      const inBackOff = sync.start - lastFailure < delay;
      expect(sync.reason).toBe(inBackOff ? 'ImagePullBackOff' : 'ErrImagePull');
      if (!inBackOff) {
        delay = delay === 0 ? 10 * TICKS_PER_SECOND : Math.min(2 * delay, 300 * TICKS_PER_SECOND);
        lastFailure = sync.end;
      }
    }
    expect(delay).toBeGreaterThanOrEqual(80 * TICKS_PER_SECOND);
    // A back-off refusal is not a pull (contract §4): pulls are the real attempts only.
    const b = containerResult(result, 'team-b/b');
    expect(b.pulls).toBe(queued.length);
    expect(result.totals.registry.requests).toBe(queued.length);
    expect(result.totals.registry.authFailures).toBe(queued.length);
  });

  it('the container alternates ErrImagePull → ImagePullBackOff → ErrImagePull, with the kubelet’s messages', () => {
    const { records, result, world } = run(denied);
    const reasons = forPod(records, 'container.state', 'team-b/b').map((r) => r.reason);
    expect(reasons.slice(0, 5)).toEqual([
      'ErrImagePull',
      'ImagePullBackOff',
      'ErrImagePull',
      'ImagePullBackOff',
      'ErrImagePull',
    ]);
    const denial =
      `rpc error: code = Unknown desc = failed to pull and unpack image "${IMAGE}": failed to resolve reference ` +
      `"${IMAGE}": pull access denied, repository does not exist or may require authorization: server message: ` +
      'insufficient_scope: authorization failed';
    const ensures = forPod(records, 'ensureImage', 'team-b/b');
    const last = ensures[ensures.length - 1];
    const b = containerResult(result, 'team-b/b');
    expect(b.reason).toBe(last?.reason);
    expect(b.message).toBe(
      b.reason === 'ErrImagePull' ? denial : `Back-off pulling image "${IMAGE}": ErrImagePull: ${denial}`,
    );
    expect(recordsOf(records, 'event', { reason: 'BackOff' })[0]?.message).toBe(
      `Back-off pulling image "${IMAGE}"`,
    );
    expect(
      recordsOf(records, 'event', { reason: 'Failed', message: 'Error: ImagePullBackOff' }).length,
    ).toBeGreaterThan(0);
    // The history keeps every change of state or reason, for `at` expectations.
    const history = world.podRecords[0]?.containers[0]?.history ?? [];
    expect(history[0]).toEqual({ t: 0, state: 'waiting.containerCreating', reason: 'ContainerCreating' });
    expect(history[1]?.reason).toBe('ErrImagePull');
  });

  it('a sync that succeeds is not requeued: one sync, one pull', () => {
    const { records } = run(
      scenario({
        until: minutes(2),
        registries: [FAST],
        objects: [teamA, pod('team-a', 'a', IMAGE, { secrets: ['regcred'] })],
      }),
    );
    expect(forPod(records, 'ensureImage', 'team-a/a')).toHaveLength(1);
  });

  it('with the gate on, each back-off refusal writes and releases an intent (worked edge case 10)', () => {
    const gateOn = run(denied, 'AlwaysVerify');
    const gateOff = run(denied, 'legacy');
    // Both refuse the same way, but only the gate-on kubelet touches the intent files.
    expect(gateOff.result.totals.io).toMatchObject({ ops: 0, writes: 0 });
    const refusals = forPod(gateOn.records, 'ensureImage', 'team-b/b').length;
    expect(gateOn.result.totals.io.writes).toBe(refusals);
    expect(gateOn.result.totals.io.removes).toBe(refusals);
    expect(gateOn.files).toEqual({});
  });
});

describe('the runtime’s credential loop (kuberuntime PullImage)', () => {
  const stale = dockerConfigSecret('team-a', 'stale', HOST, 'team-a', 'old-password');
  const ci = dockerConfigSecret('team-a', 'ci', HOST, 'team-a-ci', 'ci-pw');

  it('tries the credentials in keyring order; the first success wins and the failures reach the registry', () => {
    const { records, result, files } = run(
      scenario({
        until: seconds(30),
        registries: [FAST],
        objects: [stale, ci, pod('team-a', 'a', IMAGE, { secrets: ['stale', 'ci'] })],
      }),
    );
    const attempts = recordsOf(records, 'pull.attempt');
    expect(attempts.map((r) => [r.credential, r.ok])).toEqual([
      ['secret team-a/stale (team-a)', false],
      ['secret team-a/ci (team-a-ci)', true],
    ]);
    // The second attempt starts when the first answer (a 401: latency only, nothing transferred) arrives.
    expect(attempts[1]?.t).toBe(seconds(1));
    expect(result.totals.registry).toMatchObject({ requests: 2, pulls: 1, authFailures: 1 });
    // One pull job, two credential attempts: `pulls` counts the job.
    expect(containerResult(result, 'team-a/a')).toMatchObject({
      state: 'running',
      pulls: 1,
      violation: false,
    });
    // The record names the secret that worked (trackedToImagePullCreds).
    const record = files[recordFile(DIGEST_A)] ?? '';
    expect(record).toContain('"name":"ci"');
    expect(record).not.toContain('"name":"stale"');
  });

  it('stops at the first success: later credentials are not tried', () => {
    const { records, result } = run(
      scenario({
        until: seconds(30),
        registries: [FAST],
        objects: [ci, stale, pod('team-a', 'a', IMAGE, { secrets: ['ci', 'stale'] })],
      }),
    );
    expect(recordsOf(records, 'pull.attempt').map((r) => r.credential)).toEqual([
      'secret team-a/ci (team-a-ci)',
    ]);
    expect(result.totals.registry).toMatchObject({ requests: 1, authFailures: 0 });
  });

  it('pod secrets come before the node’s credentials; a node credential that works records node-wide access', () => {
    const { records, files, result } = run(
      scenario({
        until: minutes(2),
        registries: [FAST],
        nodes: [node({ credentials: { [HOST]: { username: 'node-puller', password: 'node-pw' } } })],
        objects: [stale, pod('team-a', 'a', IMAGE, { secrets: ['stale'] })],
        timeline: [applyAt(minutes(1), pod('team-b', 'b', IMAGE, { pullPolicy: 'Never' }))],
      }),
    );
    expect(recordsOf(records, 'pull.attempt').map((r) => [r.credential, r.ok])).toEqual([
      ['secret team-a/stale (team-a)', false],
      ['node (node-puller)', true],
    ]);
    expect(files[recordFile(DIGEST_A)]).toContain('"nodePodsAccessible":true');
    // Node-wide access is terminal: any pod may use the image, and the node's credentials make it legitimate.
    expect(containerResult(result, 'team-b/b')).toMatchObject({
      state: 'running',
      pulls: 0,
      violation: false,
    });
  });

  it('when every credential fails the errors are aggregated (utilerrors.NewAggregate)', () => {
    const forbidden = dockerConfigSecret('team-a', 'b-cred', HOST, 'team-b', 's3cret-b');
    const { result } = run(
      scenario({
        until: seconds(5),
        registries: [FAST],
        objects: [stale, forbidden, pod('team-a', 'a', IMAGE, { secrets: ['stale', 'b-cred'] })],
      }),
    );
    const a = containerResult(result, 'team-a/a');
    expect(a.reason).toBe('ErrImagePull');
    expect(a.message).toMatch(/^\[rpc error: .*401 Unauthorized, rpc error: .*403 Forbidden\]$/);
    expect(result.totals.registry).toMatchObject({ requests: 2, authFailures: 2 });
    expect(a.pulls).toBe(1);
  });
});

describe('restartKubelet', () => {
  it('waits for in-flight pulls, keeps the files, loses the memory and runs start-up', () => {
    const { records, result, files } = run(
      scenario({
        until: seconds(20),
        registries: [SLOW],
        objects: [teamA, pod('team-a', 'a', IMAGE, { secrets: ['regcred'] })],
        timeline: [
          actionAt(seconds(1), { action: 'restartKubelet', node: 'node-1' }),
          applyAt(seconds(2), pod('team-a', 'c', IMAGE, { secrets: ['regcred'] })),
        ],
      }),
    );
    const pullEnd = attemptTicks(seconds(5));
    expect(recordsOf(records, 'kubelet.draining')).toMatchObject([
      { t: seconds(1), activePulls: 1, queuedPulls: 0 },
    ]);
    expect(recordsOf(records, 'kubelet.stop')).toMatchObject([
      { t: pullEnd, why: 'restart', abandonedPulls: 0 },
    ]);
    expect(recordsOf(records, 'kubelet.start').map((r) => [r.t, r.epoch])).toEqual([
      [0, 1],
      [pullEnd, 2],
    ]);
    // The drained pull finished its sync before the stop: the container started under the old kubelet.
    const startOfA = forPod(records, 'container.start', 'team-a/a')[0];
    expect(startOfA?.t).toBe(pullEnd);
    // Pod c arrived while draining: no sync until the new kubelet is up, which verifies it from the files.
    const c = forPod(records, 'ensureImage', 'team-a/c');
    expect(c).toMatchObject([{ t: pullEnd, ok: true, pulled: false }]);
    expect(containerResult(result, 'team-a/c')).toMatchObject({ state: 'running', pulls: 0 });
    expect(result.totals.kubelet).toEqual({ starts: 2, crashes: 0, panics: 0 });
    expect(Object.keys(files)).toEqual([recordFile(DIGEST_A)]);
    // Start-up read the record from disk (cache warm-up and migration listings).
    expect(result.totals.io.reads).toBeGreaterThanOrEqual(1);
  });

  it('without pulls in flight the kubelet restarts at once; the in-memory image back-off is gone', () => {
    const { records } = run(
      scenario({
        until: seconds(8),
        registries: [FAST],
        objects: [pod('team-b', 'b', IMAGE)],
        timeline: [actionAt(seconds(3), { action: 'restartKubelet', node: 'node-1' })],
      }),
    );
    expect(recordsOf(records, 'kubelet.draining')).toEqual([]);
    expect(recordsOf(records, 'kubelet.stop')).toMatchObject([{ t: seconds(3), why: 'restart' }]);
    // 3 s after a failure the old kubelet would refuse with ImagePullBackOff; the new one pulls again.
    const ensures = forPod(records, 'ensureImage', 'team-b/b');
    expect(ensures.map((r) => r.reason)).toEqual(['ErrImagePull', 'ErrImagePull']);
    expect(ensures[1]?.t).toBe(seconds(3) + seconds(1));
  });

  it('a downtime keeps the kubelet away that long', () => {
    const { records, result } = run(
      scenario({
        until: minutes(2),
        registries: [FAST],
        objects: [teamA],
        timeline: [
          actionAt(seconds(10), { action: 'restartKubelet', node: 'node-1', downtime: seconds(30) }),
          applyAt(seconds(20), pod('team-a', 'a', IMAGE, { secrets: ['regcred'] })),
        ],
      }),
    );
    expect(recordsOf(records, 'kubelet.start').map((r) => r.t)).toEqual([0, seconds(40)]);
    expect(forPod(records, 'pull.queued', 'team-a/a')[0]?.t).toBe(seconds(40));
    expect(containerResult(result, 'team-a/a').state).toBe('running');
  });

  it('a restart of a stopped kubelet does nothing', () => {
    const { records } = run(
      scenario({
        until: minutes(1),
        registries: [FAST],
        timeline: [
          actionAt(seconds(1), { action: 'crashKubelet', node: 'node-1', downtime: seconds(30) }),
          actionAt(seconds(2), { action: 'restartKubelet', node: 'node-1' }),
          actionAt(seconds(3), { action: 'crashKubelet', node: 'node-1' }),
        ],
      }),
    );
    expect(recordsOf(records, 'kubelet.stop')).toHaveLength(1);
    expect(recordsOf(records, 'kubelet.start').map((r) => r.t)).toEqual([0, seconds(31)]);
  });
});

describe('crashKubelet during a pull', () => {
  const crashDuringPull = (image: string, downtime: Ticks, registries: RegistrySpec[] = [SLOW]) =>
    scenario({
      until: seconds(20),
      registries,
      objects: [teamA, pod('team-a', 'a', image, { secrets: ['regcred'] })],
      timeline: [
        actionAt(seconds(1), { action: 'crashKubelet', node: 'node-1', downtime }),
        // The pod goes away, so nothing pulls the image again after the restart.
        deleteAt(seconds(1), { kind: 'Pod', namespace: 'team-a', name: 'a' }),
      ],
    });

  it('abandons the sync: the intent file stays and the pull still lands in the runtime', () => {
    const { records, result, files, world } = run(crashDuringPull(IMAGE, ticks(0)));
    expect(recordsOf(records, 'kubelet.stop')).toMatchObject([
      { t: seconds(1), why: 'crash', abandonedPulls: 1 },
    ]);
    expect(result.totals.kubelet).toMatchObject({ starts: 2, crashes: 1 });
    // Restarted at once, before the image was visible: the intent cannot be converted (the race raised in the
    // kubernetes/enhancements#4789 review).
    expect(Object.keys(files)).toEqual([intentFile(IMAGE)]);
    expect(world.nodes.get('node-1')?.runtime.imageStatus(IMAGE)?.id).toBe(DIGEST_A);
    // The pull reached the runtime before the crash: it counts.
    expect(containerResult(result, 'team-a/a')).toMatchObject({
      pulls: 1,
      started: false,
      state: 'terminated',
    });
  });

  it('after a restart that finds the image under exactly that tag, the intent becomes a credential-less record', () => {
    const { files, records } = run(crashDuringPull(IMAGE, seconds(10)));
    expect(recordsOf(records, 'kubelet.start').map((r) => r.t)).toEqual([0, seconds(11)]);
    expect(Object.keys(files)).toEqual([recordFile(DIGEST_A)]);
    const record = JSON.parse(files[recordFile(DIGEST_A)] ?? '{}');
    expect(record).toMatchObject({ kind: 'ImagePulledRecord', imageRef: DIGEST_A });
    expect(record.credentialMapping ?? {}).toEqual({});
  });

  it('an intent for a familiar name does not match the runtime’s normalised tag and stays', () => {
    const dockerHub: RegistrySpec = {
      host: 'docker.io',
      users: [],
      latency: { minTicks: seconds(5), maxTicks: seconds(5) },
      repositories: [
        {
          name: 'library/nginx',
          public: true,
          pullers: [],
          tags: { '1.27': { digest: DIGEST_B, sizeBytes: MB } },
        },
      ],
    };
    const { files, world } = run(crashDuringPull('nginx:1.27', seconds(10), [SLOW, dockerHub]));
    // The runtime names the image docker.io/library/nginx:1.27; the intent names "nginx:1.27".
    expect(world.nodes.get('node-1')?.runtime.imageStatus('nginx:1.27')?.repoTags).toEqual([
      'docker.io/library/nginx:1.27',
    ]);
    expect(Object.keys(files)).toEqual([intentFile('nginx:1.27')]);
  });

  it('a converted record makes the image kubelet-pulled: a pod without credentials must verify (worked edge case 8)', () => {
    const s = crashDuringPull(IMAGE, seconds(10));
    const withNeverPod: Scenario = {
      ...s,
      until: minutes(1),
      timeline: [...s.timeline, applyAt(seconds(30), pod('team-b', 'b', IMAGE, { pullPolicy: 'Never' }))],
    };
    const { result } = run(withNeverPod, 'NeverVerifyPreloadedImages');
    expect(containerResult(result, 'team-b/b')).toMatchObject({
      state: 'waiting',
      reason: 'ErrImageNeverPull',
    });
  });

  it('queued pulls are dropped by a crash and never reach the runtime (not counted as pulls)', () => {
    const { result, records } = run(
      scenario({
        until: seconds(30),
        registries: [SLOW],
        objects: [pod('ns', 'p1', PUBLIC_A), pod('ns', 'p2', PUBLIC_B)],
        timeline: [actionAt(seconds(1), { action: 'crashKubelet', node: 'node-1' })],
      }),
    );
    expect(recordsOf(records, 'kubelet.stop')).toMatchObject([{ abandonedPulls: 2 }]);
    const attempts = recordsOf(records, 'pull.attempt');
    const perPod = (podKey: string) =>
      attempts.filter((a) => recordsOf(records, 'pull.queued', { job: a.job })[0]?.pod === podKey).length;
    for (const podKey of ['ns/p1', 'ns/p2']) {
      expect(containerResult(result, podKey)).toMatchObject({ state: 'running' });
      expect(containerResult(result, podKey).pulls).toBe(perPod(podKey));
    }
    expect(result.totals.registry.requests).toBe(attempts.length);
    expect(attempts.length).toBe(3);
  });
});

describe('records and images removed behind the kubelet’s back', () => {
  const tenantAThenB = (timeline: Scenario['timeline'], k = kubelet()) =>
    scenario({
      kubelet: k,
      until: minutes(5),
      registries: [FAST],
      objects: [teamA, pod('team-a', 'a', IMAGE, { secrets: ['regcred'] })],
      timeline,
    });

  it('deleteRecords wipes image_manager/; the 1.35+ in-memory cache still knows the record until a restart', () => {
    const { result, world, files, records } = run(
      tenantAThenB([
        actionAt(minutes(1), { action: 'deleteRecords', node: 'node-1' }),
        applyAt(minutes(2), pod('team-b', 'b', IMAGE, { pullPolicy: 'Never' })),
        actionAt(minutes(3), { action: 'restartKubelet', node: 'node-1' }),
        applyAt(minutes(4), pod('team-b', 'b2', IMAGE, { pullPolicy: 'Never' })),
      ]),
      'NeverVerifyPreloadedImages',
    );
    // The restart re-created the directories, empty: nothing was pulled since.
    expect(files).toEqual({});
    expect(world.nodes.get('node-1')?.fs.exists(`${KUBELET_ROOT}/pulled`)).toBe(true);
    // Before the restart pod b is refused: the cache still holds the record, which has no entry for b.
    const b = forPod(records, 'ensureImage', 'team-b/b');
    expect(b[0]).toMatchObject({ t: minutes(2), ok: false, reason: 'ErrImageNeverPull' });
    expect(b.filter((r) => (r.t as number) < minutes(3)).every((r) => r.ok === false)).toBe(true);
    // After the restart the image has neither record nor intent: it looks preloaded, and the policy exempts it.
    // A documented gap of the kubelet, not of the simulator: deleting records re-opens kubernetes#18787.
    expect(b[b.length - 1]).toMatchObject({ t: minutes(3), ok: true });
    expect(containerResult(result, 'team-b/b')).toMatchObject({ state: 'running', violation: true });
    expect(containerResult(result, 'team-b/b2')).toMatchObject({ state: 'running', violation: true });
  });

  it('AlwaysVerify does not exempt the image after deleteRecords', () => {
    const { result } = run(
      tenantAThenB([
        actionAt(minutes(1), { action: 'deleteRecords', node: 'node-1' }),
        actionAt(minutes(1), { action: 'restartKubelet', node: 'node-1' }),
        applyAt(minutes(2), pod('team-b', 'b', IMAGE, { pullPolicy: 'Never' })),
      ]),
      'AlwaysVerify',
    );
    expect(containerResult(result, 'team-b/b')).toMatchObject({
      state: 'waiting',
      reason: 'ErrImageNeverPull',
    });
  });

  it('without the in-memory cache (1.34) deleteRecords takes effect at once', () => {
    const { result } = run(
      tenantAThenB(
        [
          actionAt(minutes(1), { action: 'deleteRecords', node: 'node-1' }),
          applyAt(minutes(2), pod('team-b', 'b', IMAGE, { pullPolicy: 'Never' })),
        ],
        kubelet({ version: '1.34' }),
      ),
      'NeverVerifyPreloadedImages',
    );
    expect(containerResult(result, 'team-b/b')).toMatchObject({ state: 'running', violation: true });
  });

  it('records written after deleteRecords recreate the directories', () => {
    const { files } = run(
      tenantAThenB([
        actionAt(minutes(1), { action: 'deleteRecords', node: 'node-1' }),
        applyAt(minutes(2), pod('ns', 'p', PUBLIC_B)),
      ]),
    );
    expect(Object.keys(files)).toEqual([recordFile(DIGEST_B)]);
  });

  it('removeImage removes the image from the runtime only: records stay, the next pod pulls it again', () => {
    const { result, files, world } = run(
      tenantAThenB([
        actionAt(minutes(1), { action: 'removeImage', node: 'node-1', image: IMAGE }),
        applyAt(minutes(2), pod('team-a', 'c', IMAGE, { secrets: ['regcred'] })),
      ]),
    );
    expect(Object.keys(files)).toEqual([recordFile(DIGEST_A)]);
    expect(containerResult(result, 'team-a/c')).toMatchObject({ state: 'running', pulls: 1 });
    // Both pulls transferred the whole image: the node had no layer of it the second time.
    expect(result.totals.registry.bytes).toBe(2 * (50 * MB + 2048));
    expect(world.nodes.get('node-1')?.runtime.imageStatus(IMAGE)?.id).toBe(DIGEST_A);
  });

  it('removeImage by image ID works too; removing an absent image is a no-op', () => {
    const { world } = run(
      tenantAThenB([
        actionAt(minutes(1), { action: 'removeImage', node: 'node-1', image: DIGEST_A }),
        actionAt(minutes(1), { action: 'removeImage', node: 'node-1', image: PUBLIC_C }),
      ]),
    );
    expect(world.nodes.get('node-1')?.runtime.listImages()).toEqual([]);
  });
});

describe('image garbage collection', () => {
  const gcWorld = (timeline: Scenario['timeline'], nodeOverrides = {}) =>
    scenario({
      until: minutes(3),
      registries: [FAST],
      nodes: [node({ images: [{ ref: PUBLIC_C }], ...nodeOverrides })],
      objects: [teamA, pod('team-a', 'a', IMAGE, { secrets: ['regcred'] }), pod('ns', 'x', PUBLIC_B)],
      timeline: [deleteAt(seconds(30), { kind: 'Pod', namespace: 'ns', name: 'x' }), ...timeline],
    });

  it('imageGC removes every image no running container uses and prunes their records', () => {
    const { records, files, world } = run(
      gcWorld([actionAt(minutes(1), { action: 'imageGC', node: 'node-1' })]),
    );
    expect(recordsOf(records, 'imageGC')).toMatchObject([
      { t: minutes(1), removed: [DIGEST_B, DIGEST_C], remaining: 1 },
    ]);
    expect(
      world.nodes
        .get('node-1')
        ?.runtime.listImages()
        .map((i) => i.id),
    ).toEqual([DIGEST_A]);
    // B's record is pruned with its image; the preloaded C never had one; A's stays.
    expect(Object.keys(files)).toEqual([recordFile(DIGEST_A)]);
  });

  it('imageGC while the kubelet is down does nothing', () => {
    const { records, world } = run(
      gcWorld([
        actionAt(seconds(50), { action: 'crashKubelet', node: 'node-1', downtime: minutes(1) }),
        actionAt(minutes(1), { action: 'imageGC', node: 'node-1' }),
      ]),
    );
    expect(recordsOf(records, 'imageGC.skipped')).toMatchObject([{ t: minutes(1), why: 'kubelet down' }]);
    expect(world.nodes.get('node-1')?.runtime.listImages()).toHaveLength(3);
  });

  it('threshold GC frees down to the low threshold, least recently used first, at each period', () => {
    // 3 × 30 MB on 100 MB = 90 % ≥ 80 %: free 100 × 50 % − 10 MB available = 40 MB, i.e. two images.
    const { records, world } = run(
      scenario({
        until: minutes(3),
        registries: [FAST],
        nodes: [
          node({
            images: [{ ref: PUBLIC_A }, { ref: PUBLIC_B }, { ref: PUBLIC_C }],
            imageGC: {
              capacityBytes: 100 * MB,
              highThresholdPercent: 80,
              lowThresholdPercent: 50,
              period: minutes(1),
            },
          }),
        ],
        objects: [pod('ns', 'uses-c', PUBLIC_C)],
      }),
    );
    // C is in use; A and B were never used (ties broken by ID).
    expect(recordsOf(records, 'imageGC')).toMatchObject([{ t: minutes(1), removed: [DIGEST_A, DIGEST_B] }]);
    expect(
      world.nodes
        .get('node-1')
        ?.runtime.listImages()
        .map((i) => i.id),
    ).toEqual([DIGEST_C]);
  });

  it('threshold GC below the high threshold removes nothing', () => {
    const { records, world } = run(
      scenario({
        until: minutes(3),
        registries: [FAST],
        nodes: [
          node({
            images: [{ ref: PUBLIC_A }],
            imageGC: {
              capacityBytes: 100 * MB,
              highThresholdPercent: 80,
              lowThresholdPercent: 50,
              period: minutes(1),
            },
          }),
        ],
      }),
    );
    expect(recordsOf(records, 'imageGC')).toEqual([]);
    expect(world.nodes.get('node-1')?.runtime.listImages()).toHaveLength(1);
  });
});

describe('setPolicy', () => {
  it('reconfigures and restarts the kubelet with the gate on; images pulled under legacy have no record', () => {
    const { records, result } = run(
      scenario({
        until: minutes(5),
        registries: [FAST],
        objects: [teamA, pod('team-a', 'a', IMAGE, { secrets: ['regcred'] })],
        timeline: [
          applyAt(minutes(1), pod('team-b', 'b', IMAGE)),
          actionAt(minutes(2), { action: 'setPolicy', node: 'node-1', policy: 'AlwaysVerify' }),
          applyAt(minutes(3), pod('team-b', 'b2', IMAGE, { pullPolicy: 'Never' })),
          applyAt(minutes(3), pod('team-a', 'a2', IMAGE, { secrets: ['regcred'] })),
        ],
      }),
      'legacy',
    );
    expect(recordsOf(records, 'kubelet.start').map((r) => [r.t, r.gate, r.policy])).toEqual([
      [0, false, null],
      [minutes(2), true, 'AlwaysVerify'],
    ]);
    expect(containerResult(result, 'team-b/b')).toMatchObject({ state: 'running', violation: true });
    expect(containerResult(result, 'team-b/b2')).toMatchObject({
      state: 'waiting',
      reason: 'ErrImageNeverPull',
    });
    expect(containerResult(result, 'team-a/a2')).toMatchObject({ state: 'running', pulls: 1 });
  });

  it('an allowlist makes matching images exempt (NeverVerifyAllowlistedImages)', () => {
    const { result } = run(
      scenario({
        until: minutes(4),
        registries: [FAST],
        objects: [teamA, pod('team-a', 'a', IMAGE, { secrets: ['regcred'] })],
        timeline: [
          actionAt(minutes(1), {
            action: 'setPolicy',
            node: 'node-1',
            policy: 'NeverVerifyAllowlistedImages',
            allowlist: [`${HOST}/team-a/*`],
          }),
          applyAt(minutes(2), pod('team-b', 'b', IMAGE, { pullPolicy: 'Never' })),
        ],
      }),
    );
    expect(containerResult(result, 'team-b/b')).toMatchObject({ state: 'running', violation: true });
  });

  it('a policy the kubelet refuses keeps it down; systemd retries every 10 s', () => {
    const { records } = run(
      scenario({
        until: minutes(2),
        registries: [FAST],
        // A policy the loader would refuse; built in code to show what the kubelet does with it.
        timeline: [
          actionAt(minutes(1), {
            action: 'setPolicy',
            node: 'node-1',
            policy: 'Sometimes' as 'AlwaysVerify',
          }),
        ],
      }),
    );
    const refused = recordsOf(records, 'kubelet.refused');
    expect(refused.map((r) => r.t)).toEqual([0, 1, 2, 3, 4, 5, 6].map((n) => minutes(1) + seconds(10 * n)));
    expect(refused[0]?.errors).toEqual([expect.stringContaining('Sometimes')]);
  });
});

describe('restartContainer', () => {
  const restarts = (policy: 'Always' | 'OnFailure' | 'Never', times: Ticks[]) =>
    scenario({
      until: minutes(5),
      registries: [FAST],
      objects: [pod('ns', 'p', PUBLIC_A, { pullPolicy: 'Always', restartPolicy: policy })],
      timeline: times.map((t) => actionAt(t, { action: 'restartContainer', pod: 'ns/p' })),
    });

  it('the container exits, waits in CrashLoopBackOff (0, 10 s, 20 s …) and is started again through EnsureImageExists', () => {
    const { records, result } = run(restarts('Always', [minutes(1), minutes(2), minutes(3)]));
    const states = forPod(records, 'container.state', 'ns/p').map((r) => [r.t, r.state, r.reason]);
    const L = attemptTicks(seconds(1));
    expect(states).toEqual([
      [L, 'running', null],
      [minutes(1), 'waiting.crashLoopBackOff', 'CrashLoopBackOff'],
      [minutes(1), 'waiting.containerCreating', 'CrashLoopBackOff'],
      [minutes(1) + L, 'running', null],
      [minutes(2), 'waiting.crashLoopBackOff', 'CrashLoopBackOff'],
      [minutes(2) + seconds(10), 'waiting.containerCreating', 'CrashLoopBackOff'],
      [minutes(2) + seconds(10) + L, 'running', null],
      [minutes(3), 'waiting.crashLoopBackOff', 'CrashLoopBackOff'],
      [minutes(3) + seconds(20), 'waiting.containerCreating', 'CrashLoopBackOff'],
      [minutes(3) + seconds(20) + L, 'running', null],
    ]);
    // Always pulls on every start.
    expect(containerResult(result, 'ns/p')).toMatchObject({ state: 'running', pulls: 4, started: true });
  });

  it('restartPolicy Never leaves the container terminated; OnFailure restarts it after the failure', () => {
    expect(containerResult(run(restarts('Never', [minutes(1)])).result, 'ns/p')).toMatchObject({
      state: 'terminated',
      reason: 'Error',
      pulls: 1,
    });
    expect(containerResult(run(restarts('OnFailure', [minutes(1)])).result, 'ns/p')).toMatchObject({
      state: 'running',
      pulls: 2,
    });
  });

  it('only running containers restart; a pod that does not exist is ignored', () => {
    const { result, records } = run(
      scenario({
        until: minutes(2),
        registries: [FAST],
        objects: [
          pod('team-b', 'b', IMAGE),
          multiContainerPod('ns', 'two', [
            { name: 'one', image: PUBLIC_A },
            { name: 'other', image: PUBLIC_B },
          ]),
        ],
        timeline: [
          actionAt(minutes(1), { action: 'restartContainer', pod: 'team-b/b' }),
          actionAt(minutes(1), { action: 'restartContainer', pod: 'nowhere/p' }),
          actionAt(minutes(1), { action: 'restartContainer', pod: 'ns/two', container: 'other' }),
        ],
      }),
    );
    expect(containerResult(result, 'team-b/b').state).toBe('waiting');
    // IfNotPresent (tags other than latest): the restart reuses the image without a pull.
    expect(containerResult(result, 'ns/two', 'one')).toMatchObject({ state: 'running', pulls: 1 });
    expect(containerResult(result, 'ns/two', 'other')).toMatchObject({ state: 'running', pulls: 1 });
    const backOffs = recordsOf(records, 'container.state', { state: 'waiting.crashLoopBackOff' });
    expect(backOffs.map((r) => [r.pod, r.container])).toEqual([['ns/two', 'other']]);
  });

  it('an Always container whose puller was revoked cannot restart: the re-pull is refused', () => {
    const { result } = run(
      scenario({
        until: minutes(3),
        registries: [FAST],
        objects: [teamA, pod('team-a', 'a', IMAGE, { secrets: ['regcred'], pullPolicy: 'Always' })],
        timeline: [
          actionAt(minutes(1), {
            action: 'revokePuller',
            host: HOST,
            repository: 'team-a/app',
            username: 'team-a',
          }),
          actionAt(minutes(2), { action: 'restartContainer', pod: 'team-a/a' }),
        ],
      }),
    );
    expect(containerResult(result, 'team-a/a')).toMatchObject({ state: 'waiting', violation: false });
    expect(containerResult(result, 'team-a/a').reason).toMatch(/^(ErrImagePull|ImagePullBackOff)$/);
    expect(containerResult(result, 'team-a/a').message).toContain('403 Forbidden');
  });
});

describe('fsFault', () => {
  const faulted = (fault: 'writeError' | 'enospc' | 'crashBeforeRename' | 'corrupt', until = seconds(40)) =>
    scenario({
      until,
      registries: [FAST],
      objects: [teamA],
      timeline: [
        actionAt(seconds(1), { action: 'fsFault', node: 'node-1', fault, path: 'pulling' }),
        applyAt(seconds(2), pod('team-a', 'a', IMAGE, { secrets: ['regcred'] })),
      ],
    });
  const tmp = `${KUBELET_ROOT}/${intentFile(IMAGE)}.tmp`;

  it.each([
    ['writeError', 'input/output error'],
    ['enospc', 'no space left on device'],
  ] as const)(
    '%s on the intent write fails EnsureImageExists before any pull; the next sync pulls',
    (fault, text) => {
      const { records, result, files } = run(faulted(fault));
      const first = forPod(records, 'ensureImage', 'team-a/a')[0];
      expect(first?.t).toBe(seconds(2));
      expect(first?.reason).toBe(
        `failed to record image pull intent: failed to create temporary file "${tmp}": write ${tmp}: ${text}`,
      );
      const history = recordsOf(records, 'container.state', { pod: 'team-a/a' });
      expect(history[0]?.reason).toBe(first?.reason);
      // No pull was sent for the failed sync; the requeued sync (10–15 s later) pulled once.
      const a = containerResult(result, 'team-a/a');
      expect(a).toMatchObject({ state: 'running', pulls: 1 });
      const queued = forPod(records, 'pull.queued', 'team-a/a');
      expect(queued).toHaveLength(1);
      expect((queued[0]?.t as number) - seconds(2)).toBeGreaterThanOrEqual(seconds(10));
      expect((queued[0]?.t as number) - seconds(2)).toBeLessThanOrEqual(seconds(15));
      // The failed write's temporary file was removed (the kubelet's write in `fs_pullrecords.go`).
      expect(Object.keys(files)).toEqual([recordFile(DIGEST_A)]);
    },
  );

  it('the message of an intent-write failure names the image', () => {
    const { world } = run(faulted('writeError', seconds(5)));
    const container = world.podRecords[0]?.containers[0];
    expect(container?.message).toMatch(
      new RegExp(
        `^Failed to record image pull intent for container image "${IMAGE.replace(/\./g, '\\.')}": failed to record`,
      ),
    );
  });

  it('crashBeforeRename crashes the kubelet and leaves the .tmp; systemd restarts it 10 s later', () => {
    const before = run(faulted('crashBeforeRename', seconds(5)));
    expect(recordsOf(before.records, 'kubelet.crash')).toMatchObject([
      { t: seconds(2), where: 'sync team-a/a' },
    ]);
    expect(before.result.totals.kubelet).toEqual({ starts: 1, crashes: 1, panics: 0 });
    expect(Object.keys(before.files)).toEqual([`${intentFile(IMAGE)}.tmp`]);

    const after = run(faulted('crashBeforeRename'));
    expect(recordsOf(after.records, 'kubelet.start').map((r) => r.t)).toEqual([0, seconds(12)]);
    expect(containerResult(after.result, 'team-a/a')).toMatchObject({ state: 'running', pulls: 1 });
  });

  it('corrupt damages the written file silently; an unreadable record forces a pull, even under NeverVerify', () => {
    const { result, records } = run(
      scenario({
        until: seconds(40),
        registries: [FAST],
        objects: [teamA, pod('team-a', 'a', IMAGE, { secrets: ['regcred'] })],
        timeline: [
          actionAt(seconds(0), { action: 'fsFault', node: 'node-1', fault: 'corrupt', path: 'pulled' }),
          actionAt(seconds(5), { action: 'restartKubelet', node: 'node-1' }),
          applyAt(seconds(10), pod('team-a', 'c', IMAGE, { secrets: ['regcred'] })),
        ],
      }),
      'NeverVerify',
    );
    expect(
      recordsOf(records, 'log', { message: 'Unable to access cache records about image pulls' }),
    ).toHaveLength(1);
    expect(containerResult(result, 'team-a/c')).toMatchObject({
      state: 'running',
      pulls: 1,
      violation: false,
    });
  });

  it('readError on every read of the record after a restart also forces a pull (fail safe)', () => {
    const { result } = run(
      scenario({
        until: seconds(40),
        registries: [FAST],
        objects: [teamA, pod('team-a', 'a', IMAGE, { secrets: ['regcred'] })],
        timeline: [
          actionAt(seconds(5), {
            action: 'fsFault',
            node: 'node-1',
            fault: 'readError',
            path: 'pulled',
            count: 10,
          }),
          actionAt(seconds(5), { action: 'restartKubelet', node: 'node-1' }),
          applyAt(seconds(10), pod('team-a', 'c', IMAGE, { secrets: ['regcred'] })),
        ],
      }),
      'NeverVerify',
    );
    expect(containerResult(result, 'team-a/c')).toMatchObject({ state: 'running', pulls: 1 });
  });

  it('a fault limited to another path does not fire', () => {
    const { result } = run(
      scenario({
        until: seconds(20),
        registries: [FAST],
        objects: [teamA],
        timeline: [
          actionAt(seconds(1), {
            action: 'fsFault',
            node: 'node-1',
            fault: 'writeError',
            path: 'pulled/elsewhere',
          }),
          applyAt(seconds(2), pod('team-a', 'a', IMAGE, { secrets: ['regcred'] })),
        ],
      }),
    );
    expect(containerResult(result, 'team-a/a')).toMatchObject({ state: 'running', pulls: 1 });
  });

  it('ENOSPC while creating the record directories at start-up: the kubelet exits and systemd retries it', () => {
    const { records, result } = run(
      scenario({
        until: minutes(2),
        registries: [FAST],
        objects: [teamA],
        timeline: [
          actionAt(minutes(1), { action: 'deleteRecords', node: 'node-1' }),
          actionAt(minutes(1), { action: 'fsFault', node: 'node-1', fault: 'enospc' }),
          actionAt(minutes(1), { action: 'restartKubelet', node: 'node-1' }),
          applyAt(minutes(1), pod('team-a', 'a', IMAGE, { secrets: ['regcred'] })),
        ],
      }),
    );
    expect(recordsOf(records, 'kubelet.refused').map((r) => r.t)).toEqual([minutes(1)]);
    expect(recordsOf(records, 'kubelet.start').map((r) => r.t)).toEqual([0, minutes(1) + seconds(10)]);
    expect(containerResult(result, 'team-a/a')).toMatchObject({ state: 'running', pulls: 1 });
  });
});

describe('registry outages, rate limits and retags', () => {
  const copyOfA = dockerConfigSecret('team-c', 'copy', HOST, 'team-a', 's3cret-a');
  const ciCred = dockerConfigSecret('team-c', 'ci', HOST, 'team-a-ci', 'ci-pw');

  it('during an outage a record lets a pod with known credentials start; new credentials need the registry', () => {
    const { result } = run(
      scenario({
        until: minutes(6),
        registries: [FAST],
        objects: [teamA, copyOfA, ciCred, pod('team-a', 'a', IMAGE, { secrets: ['regcred'] })],
        timeline: [
          actionAt(minutes(1), { action: 'registryDown', host: HOST }),
          // Same username and password in another namespace: the credential hash matches the record.
          applyAt(minutes(2), pod('team-c', 'known', IMAGE, { secrets: ['copy'] })),
          // A valid credential the kubelet has never verified: it must pull, and cannot.
          applyAt(minutes(2), pod('team-c', 'new', IMAGE, { secrets: ['ci'] })),
        ],
      }),
    );
    expect(containerResult(result, 'team-c/known')).toMatchObject({
      state: 'running',
      pulls: 0,
      violation: false,
    });
    const fresh = containerResult(result, 'team-c/new');
    expect(fresh.state).toBe('waiting');
    expect(fresh.started).toBe(false);
    expect(['RegistryUnavailable', 'ImagePullBackOff']).toContain(fresh.reason);
    expect(result.totals.registry.unavailable).toBe(fresh.pulls);
  });

  it('an outage gives RegistryUnavailable with the kubelet’s message; the pod starts once the registry is back', () => {
    const { result, records } = run(
      scenario({
        until: minutes(5),
        registries: [FAST],
        objects: [teamA],
        timeline: [
          actionAt(seconds(0), { action: 'registryDown', host: HOST }),
          applyAt(seconds(1), pod('team-a', 'a', IMAGE, { secrets: ['regcred'] })),
          actionAt(minutes(2), { action: 'registryUp', host: HOST }),
        ],
      }),
    );
    const first = forPod(records, 'ensureImage', 'team-a/a')[0];
    expect(first?.reason).toBe('RegistryUnavailable');
    const history = recordsOf(records, 'container.state', { pod: 'team-a/a' });
    expect(history[0]?.reason).toBe('RegistryUnavailable');
    expect(containerResult(result, 'team-a/a')).toMatchObject({ state: 'running', violation: false });
    // The message as evalCRIPullErr builds it (docs/kubelet-model.md#the-pull-path, step 6).
    const failed = recordsOf(records, 'event', { reason: 'Failed' })[0];
    expect(failed?.message).toBe(
      `Failed to pull image "${IMAGE}": RegistryUnavailable: failed to resolve reference "${IMAGE}": ` +
        `dial tcp: lookup ${HOST}: connection refused`,
    );
  });

  it('an image on a host no registry serves: RegistryUnavailable (no such host)', () => {
    const image = 'ghost.example.com/x/y:1';
    const { result } = run(
      scenario({ until: seconds(5), registries: [FAST], objects: [pod('ns', 'p', image)] }),
    );
    expect(containerResult(result, 'ns/p')).toMatchObject({
      reason: 'RegistryUnavailable',
      message: `image pull failed for ${image} because the registry is unavailable: failed to resolve reference "${image}": dial tcp: lookup ghost.example.com: no such host`,
      pulls: 1,
    });
    expect(result.totals.registry.requests).toBe(0);
  });

  it('an image name that does not parse: InvalidImageName, no pull', () => {
    const { result } = run(
      scenario({ until: seconds(5), registries: [FAST], objects: [pod('ns', 'p', 'UPPERCASE:1')] }),
    );
    expect(containerResult(result, 'ns/p')).toMatchObject({
      state: 'waiting',
      reason: 'InvalidImageName',
      message:
        'Failed to apply default image tag "UPPERCASE:1": couldn\'t parse image name "UPPERCASE:1": invalid reference format: repository name (library/UPPERCASE) must be lowercase',
      pulls: 0,
    });
  });

  it('under always-pull every restart pulls, and a per-user rate limit answers 429 (kubernetes/kubernetes#17118)', () => {
    const limited = registry(seconds(1), { rateLimit: { perUser: { capacity: 2, refillPerHour: 0 } } });
    const s = scenario({
      until: minutes(5),
      registries: [limited],
      objects: [teamA, pod('team-a', 'a', IMAGE, { secrets: ['regcred'], pullPolicy: 'IfNotPresent' })],
      timeline: [1, 2, 3].map((m) => actionAt(minutes(m), { action: 'restartContainer', pod: 'team-a/a' })),
    });
    const always = run(s, 'always-pull');
    expect(always.result.totals.registry.rateLimited).toBeGreaterThanOrEqual(1);
    const a = containerResult(always.result, 'team-a/a');
    expect(a.imagePullPolicy).toBe('Always');
    expect(a.state).toBe('waiting');
    expect(a.message).toContain('429 Too Many Requests');
    // With the pull manager the restarts reuse the verified image: one pull in all.
    const verified = run(s, 'AlwaysVerify');
    expect(verified.result.totals.registry).toMatchObject({ requests: 1, rateLimited: 0 });
    expect(containerResult(verified.result, 'team-a/a')).toMatchObject({ state: 'running', pulls: 1 });
  });

  it('retag moves a tag: an Always pull gets the new digest, an IfNotPresent pod uses the tag as the node has it', () => {
    const { result } = run(
      scenario({
        until: minutes(5),
        registries: [FAST],
        objects: [pod('ns', 'always', PUBLIC_A, { pullPolicy: 'Always' })],
        timeline: [
          actionAt(minutes(1), {
            action: 'retag',
            host: HOST,
            repository: 'pub/x',
            tag: 'a',
            digest: DIGEST_C,
          }),
          applyAt(minutes(2), pod('ns', 'stale', PUBLIC_A, { pullPolicy: 'IfNotPresent' })),
          actionAt(minutes(3), { action: 'restartContainer', pod: 'ns/always' }),
          applyAt(minutes(4), pod('ns', 'fresh', PUBLIC_A, { pullPolicy: 'IfNotPresent' })),
        ],
      }),
    );
    expect(containerResult(result, 'ns/stale')).toMatchObject({ imageRef: DIGEST_A, pulls: 0 });
    expect(containerResult(result, 'ns/always')).toMatchObject({ imageRef: DIGEST_C, pulls: 2 });
    expect(containerResult(result, 'ns/fresh')).toMatchObject({ imageRef: DIGEST_C, pulls: 0 });
  });
});

describe('pods on the node', () => {
  it('a pod deleted during its pull never starts; the pull still finishes and is recorded', () => {
    const { result, files, records } = run(
      scenario({
        until: seconds(20),
        registries: [SLOW],
        objects: [teamA, pod('team-a', 'a', IMAGE, { secrets: ['regcred'] })],
        timeline: [deleteAt(seconds(1), { kind: 'Pod', namespace: 'team-a', name: 'a' })],
      }),
    );
    expect(containerResult(result, 'team-a/a')).toMatchObject({
      state: 'terminated',
      started: false,
      pulls: 1,
    });
    expect(recordsOf(records, 'container.start')).toEqual([]);
    expect(Object.keys(files)).toEqual([recordFile(DIGEST_A)]);
  });

  it('one failing container does not keep the pod’s other containers from starting', () => {
    const { result } = run(
      scenario({
        until: seconds(20),
        registries: [FAST],
        objects: [
          multiContainerPod('team-b', 'mixed', [
            { name: 'private', image: IMAGE },
            { name: 'public', image: PUBLIC_B },
          ]),
        ],
      }),
    );
    expect(containerResult(result, 'team-b/mixed', 'private').state).toBe('waiting');
    expect(containerResult(result, 'team-b/mixed', 'public')).toMatchObject({ state: 'running', pulls: 1 });
  });

  it('1.35 with maxParallelImagePulls > 31 panics on some image keys (kubernetes#138935); 1.36 does not', () => {
    // Find a tag whose intent key lands on a stripe past the 31 allocated (FNV-1 mod 40 ≥ 31).
    let tag = '';
    for (let i = 0; tag === '' && i < 1000; i++)
      if (fnv1Hash32(`${HOST}/pub/x:t${i}`) % 40 >= 31) tag = `t${i}`;
    expect(tag).not.toBe('');
    const s = (version: '1.35' | '1.36') =>
      scenario({
        kubelet: kubelet({ version, serializeImagePulls: false, maxParallelImagePulls: 40 }),
        until: seconds(30),
        registries: [
          registry(seconds(1), {
            repositories: [
              {
                name: 'pub/x',
                public: true,
                pullers: [],
                tags: { [tag]: { digest: DIGEST_B, sizeBytes: MB } },
              },
            ],
          }),
        ],
        objects: [pod('ns', 'p', `${HOST}/pub/x:${tag}`)],
      });
    const old = run(s('1.35'), 'AlwaysVerify');
    expect(old.result.totals.kubelet.panics).toBeGreaterThanOrEqual(1);
    expect(recordsOf(old.records, 'kubelet.crash')[0]?.error).toContain('index out of range');
    expect(containerResult(old.result, 'ns/p').started).toBe(false);
    const fixed = run(s('1.36'), 'AlwaysVerify');
    expect(fixed.result.totals.kubelet.panics).toBe(0);
    expect(containerResult(fixed.result, 'ns/p').state).toBe('running');
  });

  it('a sync requested while the pod’s sync is in progress runs right after it', () => {
    // Container `fast` runs at once from a preloaded image; `slow` then pulls for 5 s. `fast` is restarted at 1 s:
    // its restart is due immediately, but the pod worker is busy, so the re-sync waits for the pull to finish.
    const { records, result } = run(
      scenario({
        until: seconds(20),
        registries: [SLOW],
        nodes: [node({ images: [{ ref: PUBLIC_B }] })],
        objects: [
          teamA,
          multiContainerPod(
            'team-a',
            'p',
            [
              { name: 'fast', image: PUBLIC_B },
              { name: 'slow', image: IMAGE },
            ],
            { secrets: ['regcred'] },
          ),
        ],
        timeline: [actionAt(seconds(1), { action: 'restartContainer', pod: 'team-a/p', container: 'fast' })],
      }),
      // The preloaded image needs no verification under this policy, so `fast` starts without the registry.
      'NeverVerifyPreloadedImages',
    );
    const pullEnd = attemptTicks(seconds(5));
    const fastStates = recordsOf(records, 'container.state', { pod: 'team-a/p', container: 'fast' });
    expect(fastStates.map((r) => [r.t, r.state])).toEqual([
      [0, 'running'],
      [seconds(1), 'waiting.crashLoopBackOff'],
      [seconds(1), 'waiting.containerCreating'],
      [pullEnd, 'running'],
    ]);
    expect(containerResult(result, 'team-a/p', 'slow')).toMatchObject({ state: 'running', pulls: 1 });
  });

  it('a kubelet that panics during start-up (a leftover intent converted under 1.35’s lock bug) crash-loops', () => {
    // The conversion of a leftover intent locks the pulled-record stripe of the image's digest.
    let digest = '';
    for (let i = 0; digest === '' && i < 1000; i++) {
      const candidate = `sha256:${createHash('sha256').update(`candidate-${i}`).digest('hex')}`;
      if (fnv1Hash32(candidate) % 40 >= 31) digest = candidate;
    }
    const image = 'archive.example.com/tool:1';
    const intent = `{"kind":"ImagePullIntent","apiVersion":"kubelet.config.k8s.io/v1beta1","image":"${image}"}\n`;
    const s = (version: '1.35' | '1.36') =>
      scenario({
        kubelet: kubelet({ version, serializeImagePulls: false, maxParallelImagePulls: 40 }),
        until: seconds(25),
        registries: [FAST],
        nodes: [
          node({ images: [{ ref: image, id: digest }], imageManagerFiles: { [intentFile(image)]: intent } }),
        ],
      });
    const old = run(s('1.35'));
    expect(recordsOf(old.records, 'kubelet.crash').map((r) => [r.t, r.where])).toEqual([
      [0, 'start-up'],
      [seconds(10), 'start-up'],
      [seconds(20), 'start-up'],
    ]);
    expect(old.result.totals.kubelet).toEqual({ starts: 3, crashes: 3, panics: 3 });
    const fixed = run(s('1.36'));
    expect(recordsOf(fixed.records, 'kubelet.crash')).toEqual([]);
    expect(Object.keys(fixed.files)).toEqual([recordFile(digest)]);
  });

  it('the node exposes its kubelet stack while it runs', () => {
    const { world } = run(scenario({ until: seconds(1), registries: [FAST] }));
    const n = world.nodes.get('node-1');
    expect(n?.kubeletRunning).toBe(true);
    expect(n?.stack?.featureGateEnabled).toBe(true);
    expect(n?.podRecord('ns/none')).toBeUndefined();
  });
});
