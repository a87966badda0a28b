import { createHash } from 'node:crypto';
import { TICKS_PER_MINUTE, TICKS_PER_SECOND, ticks } from '../../src/time.js';
import { type RandomStream, SeededRandom } from '../kernel/random.js';
import type {
  Manifest,
  PodManifest,
  RegistrySpec,
  Scenario,
  SecretManifest,
  TimelineStep,
} from '../scenario/types.js';
import type { Workload } from './workload-schema.js';

const HOUR = 60 * TICKS_PER_MINUTE;

export const BENCH_HOST = 'registry.bench.local';

interface ImagePlan {
  readonly ref: string;
  readonly repository: string;
  readonly public: boolean;
  readonly owners: readonly number[];
}

/** The world a workload runs in (registries, node, secrets) and a lazy generator of its timeline. */
export interface ExpandedWorkload {
  readonly scenario: Scenario;
  readonly stream: () => Iterator<TimelineStep>;
}

/** Expands a workload into a scenario (the static world) and its timeline stream, both from the workload seed. */
export function expandWorkload(workload: Workload): ExpandedWorkload {
  const random = new SeededRandom(workload.seed);
  const shape = random.stream('shape');
  const images: ImagePlan[] = [];
  const tenantImages: number[][] = Array.from({ length: workload.tenants }, () => []);
  const publicImages: number[] = [];
  for (let i = 0; i < workload.images.count; i++) {
    const isPublic = shape.chance(workload.images.publicFraction);
    const owners = isPublic
      ? []
      : distinct(shape, workload.tenants, Math.min(workload.tenants, workload.images.tenantsPerPrivateImage));
    images.push({ ref: `${BENCH_HOST}/img-${i}:v1`, repository: `img-${i}`, public: isPublic, owners });
    if (isPublic) publicImages.push(i);
    for (const owner of owners) tenantImages[owner]?.push(i);
  }
  const registry: RegistrySpec = {
    host: BENCH_HOST,
    users: Array.from({ length: workload.tenants }, (_, t) => ({ username: `t${t}`, password: `pw-${t}-0` })),
    repositories: images.map((image, i) => ({
      name: image.repository,
      public: image.public,
      pullers: image.owners.map((t) => `t${t}`),
      tags: {
        v1: {
          digest: `sha256:${createHash('sha256').update(`bench:${workload.seed}:${i}`).digest('hex')}`,
          sizeBytes: shape.int(workload.images.minSizeBytes, workload.images.maxSizeBytes),
        },
      },
    })),
  };
  const preloadedIndices = images.flatMap((_, i) =>
    shape.chance(workload.images.preloadedFraction) ? [i] : [],
  );
  const preloaded = preloadedIndices.map((i) => ({ ref: (images[i] as ImagePlan).ref }));
  const objects: Manifest[] = Array.from({ length: workload.tenants }, (_, t) => secret(t, t, 0));
  const scenario: Scenario = {
    name: `workload-${workload.name}`,
    description: workload.description,
    seed: workload.seed,
    until: workload.duration,
    kubelet: {
      version: workload.kubeletVersion,
      featureGates: {},
      preloadedImagesVerificationAllowlist: [`${BENCH_HOST}/img-0`],
      serializeImagePulls: false,
      maxParallelImagePulls: workload.maxParallelImagePulls,
      syncFrequency: ticks(TICKS_PER_MINUTE),
    },
    registries: [registry],
    nodes: [
      {
        name: 'node-1',
        images: preloaded,
        imageManagerFiles: {},
        device: workload.device,
        imageGC: workload.imageGC,
      },
    ],
    objects,
    timeline: [],
    expect: [],
  };
  return { scenario, stream: () => timeline(workload, images, tenantImages, publicImages, preloadedIndices) };
}

function secret(
  namespace: number,
  credentialsOf: number,
  generation: number,
  name = 'regcred',
): SecretManifest {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { namespace: `t${namespace}`, name },
    type: 'kubernetes.io/dockerconfigjson',
    stringData: {
      '.dockerconfigjson': JSON.stringify({
        auths: {
          [BENCH_HOST]: { username: `t${credentialsOf}`, password: `pw-${credentialsOf}-${generation}` },
        },
      }),
    },
  };
}

function distinct(stream: RandomStream, n: number, k: number): number[] {
  const picked = new Set<number>();
  while (picked.size < k) picked.add(stream.int(0, n - 1));
  return [...picked].sort((a, b) => a - b);
}

/**
 * The timeline, merged from independent seeded processes in time order: pod arrivals (Poisson) with their
 * deletions after an exponential lifetime, secret rotations and copies (Poisson), and evenly spaced kubelet
 * restarts. A min-heap holds only pending deletions, so memory stays proportional to the pods alive at once.
 */
function* timeline(
  workload: Workload,
  images: readonly ImagePlan[],
  tenantImages: readonly number[][],
  publicImages: readonly number[],
  preloaded: readonly number[],
): Generator<TimelineStep> {
  const random = new SeededRandom(workload.seed);
  const arrivals = random.stream('arrivals');
  const choices = random.stream('pods');
  const secretsStream = random.stream('secrets');
  const end = workload.duration;
  const meanGap = workload.duration / workload.pods.starts;
  const deletions = new MinHeap<{ at: number; namespace: string; name: string }>();
  const policyOf = (x: number) =>
    x < workload.pods.pullPolicy.Always
      ? 'Always'
      : x < workload.pods.pullPolicy.Always + workload.pods.pullPolicy.IfNotPresent
        ? 'IfNotPresent'
        : 'Never';
  let nextArrival = arrivals.exponential(meanGap);
  let started = 0;
  const rotationGap =
    workload.secrets.rotationsPerHour > 0
      ? HOUR / workload.secrets.rotationsPerHour
      : Number.POSITIVE_INFINITY;
  const copyGap =
    workload.secrets.copiesPerHour > 0 ? HOUR / workload.secrets.copiesPerHour : Number.POSITIVE_INFINITY;
  let nextRotation = secretsStream.exponential(rotationGap);
  let nextCopy = secretsStream.exponential(copyGap);
  const generation = new Map<number, number>();
  const copied = new Set<number>();
  const restartEvery =
    workload.kubeletRestarts > 0
      ? workload.duration / (workload.kubeletRestarts + 1)
      : Number.POSITIVE_INFINITY;
  let nextRestart = restartEvery;
  for (;;) {
    const arrivalAt = started < workload.pods.starts ? nextArrival : Number.POSITIVE_INFINITY;
    const deletionAt = deletions.peek()?.at ?? Number.POSITIVE_INFINITY;
    const at = Math.min(arrivalAt, deletionAt, nextRotation, nextCopy, nextRestart);
    if (!(at < end)) return;
    const t = ticks(Math.floor(at));
    if (at === deletionAt) {
      const pod = deletions.pop() as { namespace: string; name: string };
      yield { at: t, delete: { kind: 'Pod', namespace: pod.namespace, name: pod.name } };
    } else if (at === arrivalAt) {
      const tenant = choices.int(0, workload.tenants - 1);
      const own = tenantImages[tenant] ?? [];
      const policy = policyOf(choices.float());
      let imageIndex: number;
      if (policy === 'Never' && preloaded.length > 0) {
        // `Never` is for images put on the node beforehand (system and sidecar images), as operators use it.
        imageIndex = choices.pick(preloaded);
      } else if (
        choices.chance(workload.pods.foreignImageFraction) ||
        (own.length === 0 && publicImages.length === 0)
      ) {
        imageIndex = choices.int(0, images.length - 1);
      } else {
        const pool =
          own.length > 0 && (publicImages.length === 0 || choices.chance(0.7)) ? own : publicImages;
        imageIndex = choices.pick(pool);
      }
      const image = images[imageIndex] as ImagePlan;
      const name = `p${started}`;
      const namespace = `t${tenant}`;
      const pod: PodManifest = {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { namespace, name },
        spec: {
          ...(choices.chance(workload.pods.withSecretFraction)
            ? {
                imagePullSecrets: copied.has(tenant)
                  ? [{ name: 'regcred' }, { name: 'copied' }]
                  : [{ name: 'regcred' }],
              }
            : {}),
          containers: [{ name: 'app', image: image.ref, imagePullPolicy: policy }],
        },
      };
      started++;
      nextArrival += arrivals.exponential(meanGap);
      deletions.push({
        at: at + Math.max(TICKS_PER_SECOND, choices.exponential(workload.pods.meanLifetime)),
        namespace,
        name,
      });
      yield { at: t, apply: pod };
    } else if (at === nextRotation) {
      // In place (same UID), with the registry changing the password too: the rotated secret stays valid.
      const tenant = secretsStream.int(0, workload.tenants - 1);
      const next = (generation.get(tenant) ?? 0) + 1;
      generation.set(tenant, next);
      nextRotation += secretsStream.exponential(rotationGap);
      yield {
        at: t,
        action: {
          action: 'changePassword',
          host: BENCH_HOST,
          username: `t${tenant}`,
          password: `pw-${tenant}-${next}`,
        },
      };
      yield { at: t, apply: secret(tenant, tenant, next) };
    } else if (at === nextCopy) {
      // A tenant copies another tenant's credentials into a second secret (a shared deploy key); its later pods
      // list both, so the copy matches the other tenant's records by hash.
      const from = secretsStream.int(0, workload.tenants - 1);
      const to = secretsStream.int(0, workload.tenants - 1);
      nextCopy += secretsStream.exponential(copyGap);
      copied.add(to);
      yield { at: t, apply: secret(to, from, generation.get(from) ?? 0, 'copied') };
    } else {
      nextRestart += restartEvery;
      yield { at: t, action: { action: 'restartKubelet', node: 'node-1' } };
    }
  }
}

/** A small binary min-heap by `at`. */
class MinHeap<T extends { at: number }> {
  readonly #items: T[] = [];
  peek(): T | undefined {
    return this.#items[0];
  }
  push(item: T): void {
    const items = this.#items;
    items.push(item);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if ((items[parent] as T).at <= item.at) break;
      items[i] = items[parent] as T;
      i = parent;
    }
    items[i] = item;
  }
  pop(): T | undefined {
    const items = this.#items;
    const top = items[0];
    const last = items.pop();
    if (items.length > 0 && last !== undefined) {
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        const right = left + 1;
        let smallest = -1;
        let best = last.at;
        if (left < items.length && (items[left] as T).at < best) {
          smallest = left;
          best = (items[left] as T).at;
        }
        if (right < items.length && (items[right] as T).at < best) smallest = right;
        if (smallest < 0) break;
        items[i] = items[smallest] as T;
        i = smallest;
      }
      items[i] = last;
    }
    return top;
  }
}
