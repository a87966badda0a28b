import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../../sim/kernel/random.js';
import { type Ticks, ticks } from '../../../sim/kernel/time.js';
import {
  MANIFEST_SIZE_BYTES,
  type RegistryConfig,
  SimRegistry,
  sizeBytesFromDigest,
} from '../../../sim/world/registry.js';
import { SimRuntime, UNKNOWN_HOST_LATENCY_TICKS } from '../../../sim/world/runtime.js';
import type { AuthConfig } from '../../../src/ports.js';
import { TICKS_PER_MILLISECOND } from '../../../src/time.js';

const PRIVATE = 'private.example.com';
const digest = (label: string): string => `sha256:${createHash('sha256').update(label).digest('hex')}`;
const APP_V1 = digest('app:v1');
const APP_V2 = digest('app:v2');
const NGINX_127 = digest('nginx:1.27');
const NGINX_LATEST = digest('nginx:latest');
const PAUSE = digest('pause:3.10');
const MIB = 1_048_576;
const now = ticks(5 * TICKS_PER_MILLISECOND);

const teamA: AuthConfig = { username: 'team-a', password: 's3cret-a' };
const teamB: AuthConfig = { username: 'team-b', password: 's3cret-b' };

function privateConfig(users = [teamA, teamB]): RegistryConfig {
  return {
    host: PRIVATE,
    users: users.map(({ username, password }) => ({ username, password })),
    repositories: [
      {
        name: 'team-a/app',
        public: false,
        pullers: ['team-a'],
        tags: { v1: { digest: APP_V1, sizeBytes: 50 * MIB }, v2: { digest: APP_V2, sizeBytes: 60 * MIB } },
      },
      // The same bytes pushed to tenant B's repository: one digest, two names.
      {
        name: 'team-b/app',
        public: false,
        pullers: ['team-b'],
        tags: { v1: { digest: APP_V1, sizeBytes: 50 * MIB } },
      },
    ],
  };
}

const dockerHubConfig: RegistryConfig = {
  host: 'docker.io',
  users: [],
  repositories: [
    {
      name: 'library/nginx',
      public: true,
      pullers: [],
      tags: {
        '1.27': { digest: NGINX_127, sizeBytes: 70 * MIB },
        latest: { digest: NGINX_LATEST, sizeBytes: 71 * MIB },
      },
    },
    { name: 'library/pause', public: true, pullers: [], tags: { '3.10': { digest: PAUSE, sizeBytes: MIB } } },
  ],
};

interface World {
  runtime: SimRuntime;
  privateRegistry: SimRegistry;
  dockerHub: SimRegistry;
}

function world(options: { seed?: number; privateUsers?: AuthConfig[] } = {}): World {
  const { seed = 1, privateUsers } = options;
  const random = new SeededRandom(seed);
  const privateRegistry = new SimRegistry(privateConfig(privateUsers), {
    latencyStream: random.stream(`registry-latency/${PRIVATE}`),
  });
  const dockerHub = new SimRegistry(dockerHubConfig, {
    latencyStream: random.stream('registry-latency/docker.io'),
  });
  const byHost = new Map([
    [PRIVATE, privateRegistry],
    ['docker.io', dockerHub],
  ]);
  const runtime = new SimRuntime({ registries: (host) => byHost.get(host) });
  return { runtime, privateRegistry, dockerHub };
}

function pullOk(runtime: SimRuntime, image: string, auth?: AuthConfig, at: Ticks = now): string {
  const { result } = runtime.pullImage(image, auth, at);
  if (!result.ok) throw new Error(`expected ${image} to pull: ${result.error}`);
  return result.imageRef;
}

function pullError(runtime: SimRuntime, image: string, auth?: AuthConfig): string {
  const { result } = runtime.pullImage(image, auth, now);
  if (result.ok) throw new Error(`expected ${image} to fail`);
  return result.error;
}

const criError = (ref: string, message: string): string =>
  `rpc error: code = Unknown desc = failed to pull and unpack image "${ref}": failed to resolve reference "${ref}": ${message}`;

describe('SimRuntime.pullImage', () => {
  it('stores a pulled image under its digest, with the normalised repo tag and the repo digest', () => {
    const { runtime, privateRegistry } = world();
    const outcome = runtime.pullImage(`${PRIVATE}/team-a/app:v1`, teamA, now);
    expect(outcome.result).toEqual({ ok: true, imageRef: APP_V1, sizeBytes: 50 * MIB });
    expect(outcome.registryHost).toBe(PRIVATE);
    expect(outcome.latency).toBeGreaterThan(0);
    expect(runtime.listImages()).toEqual([
      {
        id: APP_V1,
        repoTags: [`${PRIVATE}/team-a/app:v1`],
        repoDigests: [`${PRIVATE}/team-a/app@${APP_V1}`],
        sizeBytes: 50 * MIB,
        pinned: false,
      },
    ]);
    expect(privateRegistry.counters).toMatchObject({
      requests: 1,
      pulls: 1,
      bytes: 50 * MIB + MANIFEST_SIZE_BYTES,
    });
  });

  it('the same digest under two repository names is one image with two names', () => {
    const { runtime, privateRegistry } = world();
    expect(pullOk(runtime, `${PRIVATE}/team-a/app:v1`, teamA)).toBe(APP_V1);
    expect(pullOk(runtime, `${PRIVATE}/team-b/app:v1`, teamB)).toBe(APP_V1);
    expect(runtime.listImages()).toEqual([
      {
        id: APP_V1,
        repoTags: [`${PRIVATE}/team-a/app:v1`, `${PRIVATE}/team-b/app:v1`],
        repoDigests: [`${PRIVATE}/team-a/app@${APP_V1}`, `${PRIVATE}/team-b/app@${APP_V1}`],
        sizeBytes: 50 * MIB,
        pinned: false,
      },
    ]);
    // The second pull found the blobs on the node: only the manifest crossed the wire.
    expect(privateRegistry.counters.bytes).toBe(50 * MIB + 2 * MANIFEST_SIZE_BYTES);
    expect(runtime.imageStatus(`${PRIVATE}/team-b/app:v1`)?.id).toBe(APP_V1);
    expect(runtime.usageBytes()).toBe(50 * MIB);
  });

  it('a pull by digest checks the digest exists in that repository and adds no tag', () => {
    const { runtime } = world();
    expect(pullOk(runtime, `${PRIVATE}/team-a/app@${APP_V2}`, teamA)).toBe(APP_V2);
    expect(runtime.imageStatus(APP_V2)).toMatchObject({
      repoTags: [],
      repoDigests: [`${PRIVATE}/team-a/app@${APP_V2}`],
    });
    const missing = digest('missing');
    expect(pullError(runtime, `${PRIVATE}/team-a/app@${missing}`, teamA)).toBe(
      criError(`${PRIVATE}/team-a/app@${missing}`, `${PRIVATE}/team-a/app@${missing}: not found`),
    );
    // name:tag@digest pulls by digest (containerd drops the tag).
    expect(pullOk(runtime, `${PRIVATE}/team-a/app:v1@${APP_V1}`, teamA)).toBe(APP_V1);
    expect(runtime.imageStatus(APP_V1)?.repoTags).toEqual([]);
  });

  it('a retag at the registry changes nothing locally until the next pull, which moves the tag', () => {
    const { runtime, privateRegistry } = world();
    pullOk(runtime, `${PRIVATE}/team-a/app:v1`, teamA);
    privateRegistry.retag('team-a/app', 'v1', APP_V2);
    expect(runtime.imageStatus(`${PRIVATE}/team-a/app:v1`)?.id).toBe(APP_V1);
    expect(pullOk(runtime, `${PRIVATE}/team-a/app:v1`, teamA)).toBe(APP_V2);
    expect(runtime.imageStatus(`${PRIVATE}/team-a/app:v1`)?.id).toBe(APP_V2);
    // The old image keeps its repo digest and loses the tag.
    expect(runtime.imageStatus(APP_V1)).toMatchObject({
      repoTags: [],
      repoDigests: [`${PRIVATE}/team-a/app@${APP_V1}`],
    });
    expect(runtime.listImages().map((image) => image.id)).toEqual([APP_V1, APP_V2].sort());
  });

  it('Docker Hub short names pull from docker.io and are stored fully qualified', () => {
    const { runtime, dockerHub } = world();
    const outcome = runtime.pullImage('nginx', undefined, now);
    expect(outcome).toMatchObject({
      result: { ok: true, imageRef: NGINX_LATEST },
      registryHost: 'docker.io',
    });
    expect(runtime.imageStatus(NGINX_LATEST)?.repoTags).toEqual(['docker.io/library/nginx:latest']);
    expect(dockerHub.counters.pulls).toBe(1);
  });

  it('an empty credential is an anonymous pull', () => {
    const { runtime } = world();
    expect(pullOk(runtime, 'nginx:1.27', { username: '', password: '' })).toBe(NGINX_127);
    expect(pullError(runtime, `${PRIVATE}/team-a/app:v1`, { username: '', password: '' })).toContain(
      'pull access denied',
    );
  });

  it('registry refusals become containerd errors that quote the normalised reference', () => {
    const { runtime, privateRegistry } = world();
    const ref = `${PRIVATE}/team-a/app:v1`;
    expect(pullError(runtime, ref)).toBe(
      criError(
        ref,
        'pull access denied, repository does not exist or may require authorization: server message: ' +
          'insufficient_scope: authorization failed',
      ),
    );
    expect(pullError(runtime, ref, { username: 'team-a', password: 'wrong' })).toBe(
      criError(
        ref,
        'failed to authorize: failed to fetch oauth token: unexpected status from GET request to ' +
          `https://${PRIVATE}/token?scope=repository%3Ateam-a%2Fapp%3Apull&service=${PRIVATE}: 401 Unauthorized`,
      ),
    );
    expect(pullError(runtime, ref, teamB)).toBe(
      criError(
        ref,
        `unexpected status from HEAD request to https://${PRIVATE}/v2/team-a/app/manifests/v1: 403 Forbidden`,
      ),
    );
    expect(pullError(runtime, `${PRIVATE}/team-a/app:v9`, teamA)).toBe(
      criError(`${PRIVATE}/team-a/app:v9`, `${PRIVATE}/team-a/app:v9: not found`),
    );
    expect(privateRegistry.counters).toMatchObject({ requests: 4, authFailures: 3, notFound: 1, pulls: 0 });
    expect(runtime.listImages()).toEqual([]);
  });

  it('a rate-limited pull is an ErrImagePull-style error (429)', () => {
    const random = new SeededRandom(3);
    const limited = new SimRegistry(
      { ...dockerHubConfig, rateLimit: { anonymous: { capacity: 1, refillPerHour: 0 } } },
      { latencyStream: random.stream('registry-latency/docker.io') },
    );
    const runtime = new SimRuntime({ registries: (host) => (host === 'docker.io' ? limited : undefined) });
    pullOk(runtime, 'nginx:1.27');
    expect(pullError(runtime, 'nginx:1.27')).toBe(
      criError(
        'docker.io/library/nginx:1.27',
        'unexpected status from HEAD request to https://docker.io/v2/library/nginx/manifests/1.27: 429 Too Many ' +
          'Requests - Server message: toomanyrequests: You have reached your pull rate limit.',
      ),
    );
  });

  it('outages and hosts without a registry give errors that start with RegistryUnavailable', () => {
    const { runtime, privateRegistry } = world();
    privateRegistry.down();
    const outage = runtime.pullImage(`${PRIVATE}/team-a/app:v1`, teamA, now);
    expect(outage.result).toEqual({
      ok: false,
      error: `RegistryUnavailable: failed to resolve reference "${PRIVATE}/team-a/app:v1": dial tcp: lookup ${PRIVATE}: connection refused`,
    });
    expect(outage.registryHost).toBe(PRIVATE);
    expect(privateRegistry.counters).toMatchObject({ requests: 1, unavailable: 1 });

    const unknown = runtime.pullImage('quay.io/team/tool:1', undefined, now);
    expect(unknown).toEqual({
      result: {
        ok: false,
        error:
          'RegistryUnavailable: failed to resolve reference "quay.io/team/tool:1": dial tcp: lookup quay.io: no such host',
      },
      latency: UNKNOWN_HOST_LATENCY_TICKS,
      registryHost: 'quay.io',
    });
  });

  it('an unparsable reference fails without reaching any registry', () => {
    const { runtime, privateRegistry, dockerHub } = world();
    expect(runtime.pullImage('nginx::', undefined, now)).toEqual({
      result: {
        ok: false,
        error:
          'rpc error: code = Unknown desc = failed to parse image reference "nginx::": invalid reference format',
      },
      latency: 0,
      registryHost: '',
    });
    expect(privateRegistry.counters.requests + dockerHub.counters.requests).toBe(0);
  });

  it('latencies are reproducible per seed', () => {
    const latencies = (seed: number): number[] => {
      const { runtime } = world({ seed });
      return [
        runtime.pullImage(`${PRIVATE}/team-a/app:v1`, teamA, now).latency,
        runtime.pullImage(`${PRIVATE}/team-a/app:v1`, teamB, now).latency,
        runtime.pullImage('nginx:1.27', undefined, now).latency,
      ];
    };
    expect(latencies(7)).toEqual(latencies(7));
    expect(latencies(7)).not.toEqual(latencies(8));
  });
});

describe('SimRuntime.beginPull (answer now, image lands at commit)', () => {
  it('the registry answers at once; the image appears only when the driver commits', () => {
    const { runtime, privateRegistry } = world();
    const attempt = runtime.beginPull(`${PRIVATE}/team-a/app:v1`, teamA, now);
    expect(attempt.result).toEqual({ ok: true, imageRef: APP_V1, sizeBytes: 50 * MIB });
    expect(privateRegistry.counters.pulls).toBe(1);
    expect(runtime.imageStatus(`${PRIVATE}/team-a/app:v1`)).toBeUndefined();
    attempt.commit();
    attempt.commit();
    expect(runtime.listImages()).toHaveLength(1);
    expect(runtime.imageStatus(`${PRIVATE}/team-a/app:v1`)?.id).toBe(APP_V1);
  });

  it('a commit lands the image even if it was removed while the pull was in flight', () => {
    const { runtime } = world();
    pullOk(runtime, 'nginx:1.27');
    const attempt = runtime.beginPull('nginx:1.27', undefined, now);
    expect(runtime.removeImage('nginx:1.27')).toBe(true);
    attempt.commit();
    expect(runtime.imageStatus('nginx:1.27')?.id).toBe(NGINX_127);
  });

  it('committing a failed attempt changes nothing', () => {
    const { runtime } = world();
    for (const image of ['nginx::', 'quay.io/x/y:1', `${PRIVATE}/team-a/app:v1`]) {
      const attempt = runtime.beginPull(image, undefined, now);
      expect(attempt.result.ok).toBe(false);
      attempt.commit();
    }
    expect(runtime.listImages()).toEqual([]);
  });
});

describe('SimRuntime.imageStatus (containerd LocalResolve)', () => {
  it('nginx, nginx:1.27, library/nginx, docker.io/nginx, docker.io/library/nginx and nginx@sha256:… find one image', () => {
    const { runtime } = world();
    pullOk(runtime, 'docker.io/library/nginx:latest');
    pullOk(runtime, 'nginx:1.27');
    const latestForms = [
      'nginx',
      'nginx:latest',
      'library/nginx',
      'docker.io/nginx',
      'docker.io/library/nginx',
      'index.docker.io/library/nginx',
    ];
    for (const form of latestForms) expect(runtime.imageStatus(form)?.id, form).toBe(NGINX_LATEST);
    const pinnedForms = [
      'nginx:1.27',
      'library/nginx:1.27',
      'docker.io/nginx:1.27',
      'docker.io/library/nginx:1.27',
      `nginx@${NGINX_127}`,
      `docker.io/library/nginx@${NGINX_127}`,
      `nginx:whatever@${NGINX_127}`,
    ];
    for (const form of pinnedForms) expect(runtime.imageStatus(form)?.id, form).toBe(NGINX_127);
  });

  it('finds an image by its full id, with or without sha256:, and by a unique id prefix', () => {
    const { runtime } = world();
    pullOk(runtime, 'nginx:1.27');
    const hex = NGINX_127.slice('sha256:'.length);
    expect(runtime.imageStatus(NGINX_127)?.id).toBe(NGINX_127);
    expect(runtime.imageStatus(hex)?.id).toBe(NGINX_127);
    expect(runtime.imageStatus(hex.slice(0, 12))?.id).toBe(NGINX_127);
    expect(runtime.imageStatus(`sha256:${hex.slice(0, 12)}`)?.id).toBe(NGINX_127);
  });

  it('is undefined for what the node does not have', () => {
    const { runtime } = world();
    pullOk(runtime, 'nginx:1.27');
    expect(runtime.imageStatus('nginx')).toBeUndefined();
    expect(runtime.imageStatus('nginx:1.26')).toBeUndefined();
    // The digest is on the node, but not under this name.
    expect(runtime.imageStatus(`busybox@${NGINX_127}`)).toBeUndefined();
    expect(runtime.imageStatus(digest('other'))).toBeUndefined();
    expect(runtime.imageStatus('')).toBeUndefined();
    expect(runtime.imageStatus('NotValid')).toBeUndefined();
  });

  it('an ambiguous id prefix is a runtime error, as in containerd', () => {
    const { runtime } = world();
    // Two archive-loaded images whose ids share a first hex digit.
    const first = `sha256:a${'0'.repeat(63)}`;
    const second = `sha256:a${'1'.repeat(63)}`;
    expect(runtime.preload('archive/one:1', first)).toEqual({ ok: true, id: first });
    expect(runtime.preload('archive/two:1', second)).toEqual({ ok: true, id: second });
    expect(() => runtime.imageStatus('a')).toThrow(
      'rpc error: code = Unknown desc = can not resolve "a" locally: ambiguous digest string',
    );
    expect(runtime.imageStatus('a0')?.id).toBe(first);
  });
});

describe('SimRuntime.removeImage', () => {
  it('removes the whole image by any of its names or by id', () => {
    const { runtime } = world();
    pullOk(runtime, `${PRIVATE}/team-a/app:v1`, teamA);
    pullOk(runtime, `${PRIVATE}/team-b/app:v1`, teamB);
    pullOk(runtime, 'nginx:1.27');
    expect(runtime.removeImage(`${PRIVATE}/team-b/app:v1`)).toBe(true);
    expect(runtime.imageStatus(`${PRIVATE}/team-a/app:v1`)).toBeUndefined();
    expect(runtime.removeImage(NGINX_127)).toBe(true);
    expect(runtime.listImages()).toEqual([]);
    expect(runtime.removeImage('nginx:1.27')).toBe(false);
  });
});

describe('SimRuntime.preload', () => {
  it('resolves the digest through the registry without touching its counters or latency stream', () => {
    const { runtime, dockerHub } = world();
    expect(runtime.preload('docker.io/library/pause:3.10')).toEqual({ ok: true, id: PAUSE });
    expect(runtime.imageStatus('pause:3.10')).toEqual({
      id: PAUSE,
      repoTags: ['docker.io/library/pause:3.10'],
      repoDigests: [`docker.io/library/pause@${PAUSE}`],
      sizeBytes: MIB,
      pinned: false,
    });
    expect(dockerHub.counters.requests).toBe(0);
  });

  it('resolves private images without credentials (they were pulled outside the kubelet)', () => {
    const { runtime, privateRegistry } = world();
    expect(runtime.preload(`${PRIVATE}/team-a/app:v1`)).toEqual({ ok: true, id: APP_V1 });
    expect(runtime.preload(`${PRIVATE}/team-a/app@${APP_V2}`)).toEqual({ ok: true, id: APP_V2 });
    expect(runtime.imageStatus(APP_V2)?.repoTags).toEqual([]);
    expect(privateRegistry.counters.requests).toBe(0);
  });

  it('accepts an id that agrees with the registry and rejects one that does not', () => {
    const { runtime } = world();
    expect(runtime.preload(`${PRIVATE}/team-a/app:v1`, APP_V1)).toEqual({ ok: true, id: APP_V1 });
    const wrong = runtime.preload(`${PRIVATE}/team-a/app:v2`, APP_V1);
    expect(wrong.ok).toBe(false);
    expect(wrong).toMatchObject({
      error: expect.stringContaining(`differs from the registry's digest ${APP_V2}`),
    });
    expect(runtime.preload(`${PRIVATE}/team-a/app@${APP_V1}`, APP_V2)).toMatchObject({
      ok: false,
      error: expect.stringContaining("differs from the reference's digest"),
    });
  });

  it('an id stands alone when the ref does not resolve (an archive load)', () => {
    const { runtime } = world();
    const archived = digest('archive');
    expect(runtime.preload('quay.io/tools/debug:1', archived)).toEqual({ ok: true, id: archived });
    expect(runtime.preload(`${PRIVATE}/team-a/app:unpushed`, archived)).toEqual({ ok: true, id: archived });
    expect(runtime.imageStatus(archived)).toEqual({
      id: archived,
      repoTags: ['quay.io/tools/debug:1', `${PRIVATE}/team-a/app:unpushed`].sort(),
      repoDigests: [],
      sizeBytes: sizeBytesFromDigest(archived),
      pinned: false,
    });
  });

  it('a ref with a digest that does not resolve stands alone under that digest; a tag alone is an error', () => {
    const { runtime } = world();
    const archived = digest('archive-2');
    expect(runtime.preload(`quay.io/tools/debug@${archived}`, undefined, 99)).toEqual({
      ok: true,
      id: archived,
    });
    expect(runtime.imageStatus(`quay.io/tools/debug@${archived}`)?.sizeBytes).toBe(99);
    expect(runtime.preload('quay.io/tools/debug:2')).toEqual({
      ok: false,
      error: 'image "quay.io/tools/debug:2" does not resolve through the registry of quay.io; give its id',
    });
  });

  it('rejects invalid references, ids and sizes', () => {
    const { runtime } = world();
    expect(runtime.preload('Nginx')).toMatchObject({
      ok: false,
      error: expect.stringContaining('invalid image reference'),
    });
    expect(runtime.preload('nginx:1.27', 'sha256:abc')).toMatchObject({
      ok: false,
      error: expect.stringContaining('id must be'),
    });
    expect(runtime.preload('nginx:1.27', undefined, -5)).toMatchObject({
      ok: false,
      error: expect.stringContaining('sizeBytes'),
    });
    expect(runtime.listImages()).toEqual([]);
  });

  it('preloading twice is idempotent; a pinned preload stays pinned', () => {
    const { runtime } = world();
    runtime.preload('registry.example/pause:3.10', PAUSE, MIB, { pinned: true });
    runtime.preload('registry.example/pause:3.10', PAUSE);
    expect(runtime.listImages()).toEqual([
      { id: PAUSE, repoTags: ['registry.example/pause:3.10'], repoDigests: [], sizeBytes: MIB, pinned: true },
    ]);
  });
});

describe('SimRuntime image garbage collection', () => {
  function stocked(): SimRuntime {
    const { runtime } = world();
    runtime.preload('docker.io/library/pause:3.10', undefined, undefined, { pinned: true }); // 1 MiB
    runtime.preload(`${PRIVATE}/team-a/app:v1`); // 50 MiB
    runtime.preload(`${PRIVATE}/team-a/app:v2`); // 60 MiB
    runtime.preload('nginx:1.27'); // 70 MiB
    runtime.preload('nginx:latest'); // 71 MiB
    return runtime;
  }

  it('garbageCollect removes every image neither in use nor pinned, in id order', () => {
    const runtime = stocked();
    const removed = runtime.garbageCollect(new Set([APP_V1]));
    expect(removed).toEqual([APP_V2, NGINX_127, NGINX_LATEST].sort());
    expect(runtime.listImages().map((image) => image.id)).toEqual([APP_V1, PAUSE].sort());
    expect(runtime.garbageCollect(new Set([APP_V1]))).toEqual([]);
  });

  it('threshold GC frees least recently used images first until usage is at the low threshold', () => {
    const runtime = stocked();
    expect(runtime.usageBytes()).toBe(252 * MIB);
    const lastUsed = new Map<string, number>([
      [APP_V1, 40],
      [APP_V2, 10],
      [NGINX_127, 30],
      [NGINX_LATEST, 20],
      [PAUSE, 0],
    ]);
    // Capacity 300 MiB: usage 84% ≥ high 80%. Free to low 50%: 300 × 50% − (300 − 252) = 102 MiB.
    const removed = runtime.garbageCollectToThreshold(
      new Set([NGINX_127]),
      { capacityBytes: 300 * MIB, highThresholdPercent: 80, lowThresholdPercent: 50 },
      (id) => ticks(lastUsed.get(id) ?? 0),
    );
    // Oldest first, skipping the in-use image and the pinned one: v2 (60) then nginx:latest (71) = 131 ≥ 102.
    expect(removed).toEqual([APP_V2, NGINX_LATEST]);
    expect(runtime.usageBytes()).toBe(121 * MIB);
  });

  it('threshold GC breaks ties of last use by id and does nothing below the high threshold', () => {
    const runtime = stocked();
    const policy = { capacityBytes: 1000 * MIB, highThresholdPercent: 85, lowThresholdPercent: 80 };
    expect(runtime.garbageCollectToThreshold(new Set(), policy, () => ticks(0))).toEqual([]);
    const tight = { capacityBytes: 260 * MIB, highThresholdPercent: 90, lowThresholdPercent: 80 };
    // 252/260 → 97% ≥ 90%; free 260 × 20% − 8 MiB = 44 MiB: the smallest id that is not pinned goes first.
    const candidates = [APP_V1, APP_V2, NGINX_127, NGINX_LATEST].sort();
    expect(runtime.garbageCollectToThreshold(new Set(), tight, () => ticks(5))).toEqual([candidates[0]]);
  });

  it('threshold GC frees nothing when the low threshold is already met', () => {
    const runtime = stocked();
    // usage 252 MiB of 252 MiB = 100% ≥ 100%, but the low threshold 100% needs nothing freed.
    const policy = { capacityBytes: 252 * MIB, highThresholdPercent: 100, lowThresholdPercent: 100 };
    expect(runtime.garbageCollectToThreshold(new Set(), policy, () => ticks(0))).toEqual([]);
  });

  it('threshold GC rejects an impossible policy', () => {
    const runtime = stocked();
    const bad = [
      { capacityBytes: 0, highThresholdPercent: 85, lowThresholdPercent: 80 },
      { capacityBytes: 100, highThresholdPercent: 101, lowThresholdPercent: 80 },
      { capacityBytes: 100, highThresholdPercent: 80, lowThresholdPercent: 85 },
      { capacityBytes: 100, highThresholdPercent: 80, lowThresholdPercent: -1 },
    ];
    for (const policy of bad)
      expect(() => runtime.garbageCollectToThreshold(new Set(), policy, () => ticks(0))).toThrow(RangeError);
  });
});

describe('SimRuntime state', () => {
  it('is a frozen snapshot, replaced by each change', () => {
    const { runtime } = world();
    const empty = runtime.state;
    expect(Object.isFrozen(empty.images)).toBe(true);
    pullOk(runtime, 'nginx:1.27');
    expect(runtime.state).not.toBe(empty);
    expect(Object.isFrozen(runtime.state.images[0])).toBe(true);
    expect(empty.images).toEqual([]);
  });
});

/** Invariant: whatever the password, no CRI pull error (and no stored image) contains it. */
describe('no password in any CRI pull error', () => {
  it('holds for random passwords over every registry answer', () => {
    const password = fc.string({ minLength: 8, maxLength: 40, unit: 'grapheme' });
    fc.assert(
      fc.property(
        password,
        password,
        fc.constantFrom('right', 'wrong', 'other-user', 'anonymous'),
        fc.constantFrom(
          `${PRIVATE}/team-a/app:v1`,
          `${PRIVATE}/team-a/app:v9`,
          `${PRIVATE}/team-c/secret:v1`,
          `${PRIVATE}/team-a/app@${APP_V2}`,
          'nginx:1.27',
          'quay.io/x/y:1',
        ),
        fc.boolean(),
        (configured, attempted, who, image, down) => {
          const { runtime, privateRegistry, dockerHub } = world({
            privateUsers: [
              { username: 'team-a', password: configured },
              { username: 'team-b', password: attempted },
            ],
          });
          if (down) {
            privateRegistry.down();
            dockerHub.down();
          }
          const auth =
            who === 'right'
              ? { username: 'team-a', password: configured }
              : who === 'wrong'
                ? { username: 'team-a', password: attempted }
                : who === 'other-user'
                  ? { username: 'team-b', password: attempted }
                  : undefined;
          const outcome = runtime.pullImage(image, auth, now);
          const text = JSON.stringify(outcome) + JSON.stringify(runtime.listImages());
          if (!outcome.result.ok) {
            expect(outcome.result.error).not.toContain(configured);
            expect(outcome.result.error).not.toContain(attempted);
            if (down) expect(outcome.result.error.startsWith('RegistryUnavailable')).toBe(true);
          }
          expect(text).not.toContain(configured);
          expect(text).not.toContain(attempted);
        },
      ),
      { numRuns: 300 },
    );
  });
});
