import { createHash } from 'node:crypto';
import { TICKS_PER_MINUTE, TICKS_PER_SECOND, type Ticks, ticks } from '../../src/time.js';
import { MinHeap } from '../kernel/heap.js';
import { type RandomStream, SeededRandom } from '../kernel/random.js';
import { pullSecret } from '../scenario/pull-secret.js';
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
  const pool: ImagePool = { images, tenantImages, publicImages, preloaded: preloadedIndices };
  return { scenario, stream: () => timeline(workload, pool) };
}

function secret(
  namespace: number,
  credentialsOf: number,
  generation: number,
  name = 'regcred',
): SecretManifest {
  return pullSecret(
    `t${namespace}`,
    name,
    BENCH_HOST,
    `t${credentialsOf}`,
    `pw-${credentialsOf}-${generation}`,
  );
}

function distinct(stream: RandomStream, n: number, k: number): number[] {
  const picked = new Set<number>();
  while (picked.size < k) picked.add(stream.int(0, n - 1));
  return [...picked].sort((a, b) => a - b);
}

/** What pods are drawn from: every image, the images each tenant may pull, the public and the preloaded ones. */
interface ImagePool {
  readonly images: readonly ImagePlan[];
  readonly tenantImages: readonly number[][];
  readonly publicImages: readonly number[];
  readonly preloaded: readonly number[];
}

/** The mean time between two events of a Poisson process with `perHour` events an hour (never, for 0). */
function meanGapOf(perHour: number): number {
  return perHour > 0 ? HOUR / perHour : Number.POSITIVE_INFINITY;
}

/**
 * The timeline, merged from independent seeded processes in time order: pod arrivals (Poisson) with their
 * deletions after an exponential lifetime, secret rotations and copies (Poisson), and evenly spaced kubelet
 * restarts. A min-heap holds only pending deletions, so memory stays proportional to the pods alive at once.
 */
function* timeline(workload: Workload, pool: ImagePool): Generator<TimelineStep> {
  const random = new SeededRandom(workload.seed);
  const arrivals = random.stream('arrivals');
  const choices = random.stream('pods');
  const secretsStream = random.stream('secrets');
  const end = workload.duration;
  const meanGap = workload.duration / workload.pods.starts;
  const deletions = new DeletionHeap();
  let nextArrival = arrivals.exponential(meanGap);
  let started = 0;
  const rotationGap = meanGapOf(workload.secrets.rotationsPerHour);
  const copyGap = meanGapOf(workload.secrets.copiesPerHour);
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
      const name = `p${started}`;
      const pod = arrivingPod(workload, pool, choices, { tenant, name, copied: copied.has(tenant) });
      started++;
      nextArrival += arrivals.exponential(meanGap);
      const lifetime = Math.max(TICKS_PER_SECOND, choices.exponential(workload.pods.meanLifetime));
      deletions.push({ at: at + lifetime, namespace: `t${tenant}`, name });
      yield { at: t, apply: pod };
    } else if (at === nextRotation) {
      const tenant = secretsStream.int(0, workload.tenants - 1);
      const next = (generation.get(tenant) ?? 0) + 1;
      generation.set(tenant, next);
      nextRotation += secretsStream.exponential(rotationGap);
      yield* rotation(t, tenant, next);
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

/** A pod of `tenant` arriving: its pull policy, its image (pickImage) and its pull secrets, drawn in that order. */
function arrivingPod(
  workload: Workload,
  pool: ImagePool,
  choices: RandomStream,
  { tenant, name, copied }: { readonly tenant: number; readonly name: string; readonly copied: boolean },
): PodManifest {
  const x = choices.float();
  const { Always, IfNotPresent } = workload.pods.pullPolicy;
  const policy = x < Always ? 'Always' : x < Always + IfNotPresent ? 'IfNotPresent' : 'Never';
  const image = pool.images[pickImage(workload, pool, choices, tenant, policy)] as ImagePlan;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { namespace: `t${tenant}`, name },
    spec: {
      ...(choices.chance(workload.pods.withSecretFraction)
        ? { imagePullSecrets: copied ? [{ name: 'regcred' }, { name: 'copied' }] : [{ name: 'regcred' }] }
        : {}),
      containers: [{ name: 'app', image: image.ref, imagePullPolicy: policy }],
    },
  };
}

/**
 * The image a pod of `tenant` runs: a preloaded one for `Never`; some pods (foreignImageFraction) any image, its
 * tenant's or not (the kubernetes#18787 attempt); the others one of their tenant's images or a public one.
 */
function pickImage(
  workload: Workload,
  pool: ImagePool,
  choices: RandomStream,
  tenant: number,
  policy: 'Always' | 'IfNotPresent' | 'Never',
): number {
  const { images, publicImages, preloaded } = pool;
  const own = pool.tenantImages[tenant] ?? [];
  // `Never` is for images put on the node beforehand (system and sidecar images), as operators use it.
  if (policy === 'Never' && preloaded.length > 0) return choices.pick(preloaded);
  if (choices.chance(workload.pods.foreignImageFraction) || (own.length === 0 && publicImages.length === 0))
    return choices.int(0, images.length - 1);
  return choices.pick(
    own.length > 0 && (publicImages.length === 0 || choices.chance(0.7)) ? own : publicImages,
  );
}

/** A tenant's secret rotated in place (same UID), with the registry changing the password too: it stays valid. */
function rotation(at: Ticks, tenant: number, generation: number): TimelineStep[] {
  const password = `pw-${tenant}-${generation}`;
  return [
    { at, action: { action: 'changePassword', host: BENCH_HOST, username: `t${tenant}`, password } },
    { at, apply: secret(tenant, tenant, generation) },
  ];
}

/** Pending pod deletions by time. */
class DeletionHeap extends MinHeap<{ at: number; namespace: string; name: string }> {
  protected compare(a: { at: number }, b: { at: number }): number {
    return a.at - b.at;
  }
}
