import { createHash } from 'node:crypto';
import { DEFAULT_KUBELET_VERSION, isKubeletVersion, type KubeletVersion } from '../../src/profiles.js';
import { TICKS_PER_MINUTE, TICKS_PER_SECOND, type Ticks, ticks } from '../../src/time.js';
import type { InputError } from '../errors.js';
import { secretPaths } from '../input/secrets.js';
import { readYaml } from '../input/yaml.js';
import { MinHeap } from '../kernel/heap.js';
import { type RandomStream, SeededRandom } from '../kernel/random.js';
import { type Path, Reader } from '../scenario/reader.js';
import type {
  Manifest,
  PodManifest,
  RegistrySpec,
  Scenario,
  SecretManifest,
  TimelineStep,
} from '../scenario/types.js';

/**
 * A load workload, described the way ClusterLoader2 describes a test: how many tenants and images, how images
 * are shared, how pods arrive and how long they live, how often secrets rotate or are copied, how often the
 * kubelet restarts, and the image GC pressure. It is expanded lazily into a timeline, so a day with 100 000 pod
 * starts never exists in memory at once.
 */
export interface Workload {
  readonly name: string;
  readonly description: string;
  readonly seed: number;
  readonly duration: Ticks;
  readonly kubeletVersion: KubeletVersion;
  readonly maxParallelImagePulls: number;
  /** Filesystem latency profile of the node (sim/world/filesystem.ts DEVICE_PROFILES). */
  readonly device: 'none' | 'ssd' | 'hdd' | 'network';
  readonly tenants: number;
  readonly images: {
    readonly count: number;
    /** Fraction of images in public repositories (pulled anonymously, recorded node-wide). */
    readonly publicFraction: number;
    /** How many tenants may pull each private image. */
    readonly tenantsPerPrivateImage: number;
    /** Fraction of images already on the node at start (preloaded). */
    readonly preloadedFraction: number;
    readonly minSizeBytes: number;
    readonly maxSizeBytes: number;
  };
  readonly pods: {
    readonly starts: number;
    /** Mean lifetime (exponential). */
    readonly meanLifetime: Ticks;
    /** Fraction of pods naming a private image their tenant may not pull (the kubernetes#18787 attempt). */
    readonly foreignImageFraction: number;
    readonly pullPolicy: { readonly Always: number; readonly IfNotPresent: number; readonly Never: number };
    /** Fraction of pods that list their tenant's pull secret. */
    readonly withSecretFraction: number;
  };
  readonly secrets: { readonly rotationsPerHour: number; readonly copiesPerHour: number };
  readonly kubeletRestarts: number;
  readonly imageGC: {
    readonly capacityBytes: number;
    readonly highThresholdPercent: number;
    readonly lowThresholdPercent: number;
    readonly period: Ticks;
  };
}

const HOUR = 60 * TICKS_PER_MINUTE;

const BASE: Omit<Workload, 'name' | 'description' | 'duration' | 'tenants' | 'images' | 'pods'> = {
  seed: 1,
  kubeletVersion: DEFAULT_KUBELET_VERSION,
  maxParallelImagePulls: 5,
  device: 'ssd',
  secrets: { rotationsPerHour: 2, copiesPerHour: 1 },
  kubeletRestarts: 2,
  imageGC: {
    capacityBytes: 60_000_000_000,
    highThresholdPercent: 85,
    lowThresholdPercent: 80,
    period: ticks(5 * TICKS_PER_MINUTE),
  },
};

const POD_DEFAULTS: Omit<Workload['pods'], 'starts'> = {
  meanLifetime: ticks(15 * TICKS_PER_MINUTE),
  foreignImageFraction: 0.02,
  pullPolicy: { Always: 0.15, IfNotPresent: 0.75, Never: 0.1 },
  withSecretFraction: 0.9,
};

const IMAGE_DEFAULTS: Omit<Workload['images'], 'count'> = {
  publicFraction: 0.3,
  tenantsPerPrivateImage: 2,
  preloadedFraction: 0.05,
  minSizeBytes: 5_000_000,
  maxSizeBytes: 400_000_000,
};

/** The built-in workloads. `large` is the issue's target: 100 000 pod starts, 1 000 tenants, 5 000 images, a day. */
export const WORKLOAD_PRESETS: Readonly<Record<'small' | 'medium' | 'large', Workload>> = {
  small: {
    ...BASE,
    name: 'small',
    description: '2 000 pod starts of 20 tenants over 200 images in an hour',
    duration: ticks(HOUR),
    tenants: 20,
    images: { ...IMAGE_DEFAULTS, count: 200 },
    pods: { ...POD_DEFAULTS, starts: 2_000 },
  },
  medium: {
    ...BASE,
    name: 'medium',
    description: '20 000 pod starts of 200 tenants over 1 000 images in 6 hours',
    duration: ticks(6 * HOUR),
    tenants: 200,
    images: { ...IMAGE_DEFAULTS, count: 1_000 },
    pods: { ...POD_DEFAULTS, starts: 20_000 },
  },
  large: {
    ...BASE,
    name: 'large',
    description: '100 000 pod starts of 1 000 tenants over 5 000 images in a simulated day',
    duration: ticks(24 * HOUR),
    tenants: 1_000,
    images: { ...IMAGE_DEFAULTS, count: 5_000 },
    pods: { ...POD_DEFAULTS, starts: 100_000 },
    kubeletRestarts: 4,
  },
};

/**
 * Upper bounds on the counts a workload file may ask for: the static world (tenants, images) is built in memory up
 * front, so a typo such as an extra three zeros should be an input error rather than an out-of-memory crash. Each
 * is 100× the large preset (restarts: one a minute for a week).
 */
export const WORKLOAD_LIMITS = {
  tenants: 100_000,
  images: 500_000,
  podStarts: 10_000_000,
  kubeletRestarts: 10_080,
} as const;
const LIMITS = WORKLOAD_LIMITS;

export function isWorkloadPreset(name: string): name is keyof typeof WORKLOAD_PRESETS {
  return Object.hasOwn(WORKLOAD_PRESETS, name);
}

/** The sections a workload file's `spec` may hold, in the order the docs list them. */
export const WORKLOAD_SPEC_FIELDS = [
  'base',
  'seed',
  'duration',
  'kubelet',
  'device',
  'tenants',
  'images',
  'pods',
  'secrets',
  'kubeletRestarts',
  'imageGC',
] as const;

/**
 * Reads a workload file (YAML or JSON): `apiVersion: pullsim/v1alpha1`, `kind: Workload`, `metadata.name`, and a
 * `spec` whose fields override the preset named by `spec.base` (default `small`).
 */
export function parseWorkload(text: string, file = '<workload>'): Workload {
  const { root, lineOf } = readYaml(text, file);
  const r = new Reader(file, lineOf, secretPaths(root));
  const top = r.object(root, [], ['apiVersion', 'kind', 'metadata', 'spec']);
  if (top === undefined) throw r.error() as InputError;
  if (top.apiVersion !== 'pullsim/v1alpha1')
    r.issue(['apiVersion'], `expected pullsim/v1alpha1, got ${JSON.stringify(top.apiVersion)}`);
  if (top.kind !== 'Workload') r.issue(['kind'], `expected Workload, got ${JSON.stringify(top.kind)}`);
  const meta = r.object(r.required(top, 'metadata', []), ['metadata'], ['name', 'description']);
  const name =
    meta === undefined
      ? undefined
      : r.string(r.required(meta, 'name', ['metadata']), ['metadata', 'name'], { nonEmpty: true });
  const spec = r.object(r.required(top, 'spec', []), ['spec'], WORKLOAD_SPEC_FIELDS) ?? {};
  const baseName =
    spec.base === undefined
      ? 'small'
      : r.oneOf(spec.base, ['spec', 'base'], ['small', 'medium', 'large'] as const);
  const base = WORKLOAD_PRESETS[baseName ?? 'small'];
  const num = (value: unknown, path: Path, min: number, max: number, fallback: number) =>
    value === undefined ? fallback : (r.number(value, path, min, max) ?? fallback);
  const int = (value: unknown, path: Path, min: number, fallback: number, max?: number) =>
    value === undefined ? fallback : (r.integer(value, path, min, max) ?? fallback);
  const dur = (value: unknown, path: Path, fallback: Ticks) =>
    value === undefined ? fallback : (r.duration(value, path) ?? fallback);
  const kubelet =
    spec.kubelet === undefined
      ? {}
      : (r.object(spec.kubelet, ['spec', 'kubelet'], ['version', 'maxParallelImagePulls']) ?? {});
  const versionText = kubelet.version === undefined ? undefined : String(kubelet.version);
  if (versionText !== undefined && !isKubeletVersion(versionText))
    r.issue(['spec', 'kubelet', 'version'], `unknown kubelet version ${JSON.stringify(versionText)}`);
  const images =
    spec.images === undefined
      ? {}
      : (r.object(
          spec.images,
          ['spec', 'images'],
          [
            'count',
            'publicFraction',
            'tenantsPerPrivateImage',
            'preloadedFraction',
            'minSizeBytes',
            'maxSizeBytes',
          ],
        ) ?? {});
  const pods =
    spec.pods === undefined
      ? {}
      : (r.object(
          spec.pods,
          ['spec', 'pods'],
          ['starts', 'meanLifetime', 'foreignImageFraction', 'pullPolicy', 'withSecretFraction'],
        ) ?? {});
  const policy =
    pods.pullPolicy === undefined
      ? {}
      : (r.object(pods.pullPolicy, ['spec', 'pods', 'pullPolicy'], ['Always', 'IfNotPresent', 'Never']) ??
        {});
  const secrets =
    spec.secrets === undefined
      ? {}
      : (r.object(spec.secrets, ['spec', 'secrets'], ['rotationsPerHour', 'copiesPerHour']) ?? {});
  const gc =
    spec.imageGC === undefined
      ? {}
      : (r.object(
          spec.imageGC,
          ['spec', 'imageGC'],
          ['capacityBytes', 'highThresholdPercent', 'lowThresholdPercent', 'period'],
        ) ?? {});
  const workload: Workload = {
    name: name ?? 'workload',
    description: typeof meta?.description === 'string' ? meta.description : `based on ${base.name}`,
    seed: int(spec.seed, ['spec', 'seed'], 0, base.seed),
    duration: dur(spec.duration, ['spec', 'duration'], base.duration),
    kubeletVersion:
      versionText !== undefined && isKubeletVersion(versionText) ? versionText : base.kubeletVersion,
    maxParallelImagePulls: int(
      kubelet.maxParallelImagePulls,
      ['spec', 'kubelet', 'maxParallelImagePulls'],
      1,
      base.maxParallelImagePulls,
    ),
    device:
      spec.device === undefined
        ? base.device
        : (r.oneOf(spec.device, ['spec', 'device'], ['none', 'ssd', 'hdd', 'network'] as const) ??
          base.device),
    tenants: int(spec.tenants, ['spec', 'tenants'], 1, base.tenants, LIMITS.tenants),
    images: {
      count: int(images.count, ['spec', 'images', 'count'], 1, base.images.count, LIMITS.images),
      publicFraction: num(
        images.publicFraction,
        ['spec', 'images', 'publicFraction'],
        0,
        1,
        base.images.publicFraction,
      ),
      tenantsPerPrivateImage: int(
        images.tenantsPerPrivateImage,
        ['spec', 'images', 'tenantsPerPrivateImage'],
        1,
        base.images.tenantsPerPrivateImage,
      ),
      preloadedFraction: num(
        images.preloadedFraction,
        ['spec', 'images', 'preloadedFraction'],
        0,
        1,
        base.images.preloadedFraction,
      ),
      minSizeBytes: int(images.minSizeBytes, ['spec', 'images', 'minSizeBytes'], 1, base.images.minSizeBytes),
      maxSizeBytes: int(images.maxSizeBytes, ['spec', 'images', 'maxSizeBytes'], 1, base.images.maxSizeBytes),
    },
    pods: {
      starts: int(pods.starts, ['spec', 'pods', 'starts'], 1, base.pods.starts, LIMITS.podStarts),
      meanLifetime: dur(pods.meanLifetime, ['spec', 'pods', 'meanLifetime'], base.pods.meanLifetime),
      foreignImageFraction: num(
        pods.foreignImageFraction,
        ['spec', 'pods', 'foreignImageFraction'],
        0,
        1,
        base.pods.foreignImageFraction,
      ),
      pullPolicy: {
        Always: num(
          policy.Always,
          ['spec', 'pods', 'pullPolicy', 'Always'],
          0,
          1,
          base.pods.pullPolicy.Always,
        ),
        IfNotPresent: num(
          policy.IfNotPresent,
          ['spec', 'pods', 'pullPolicy', 'IfNotPresent'],
          0,
          1,
          base.pods.pullPolicy.IfNotPresent,
        ),
        Never: num(policy.Never, ['spec', 'pods', 'pullPolicy', 'Never'], 0, 1, base.pods.pullPolicy.Never),
      },
      withSecretFraction: num(
        pods.withSecretFraction,
        ['spec', 'pods', 'withSecretFraction'],
        0,
        1,
        base.pods.withSecretFraction,
      ),
    },
    secrets: {
      rotationsPerHour: num(
        secrets.rotationsPerHour,
        ['spec', 'secrets', 'rotationsPerHour'],
        0,
        1e6,
        base.secrets.rotationsPerHour,
      ),
      copiesPerHour: num(
        secrets.copiesPerHour,
        ['spec', 'secrets', 'copiesPerHour'],
        0,
        1e6,
        base.secrets.copiesPerHour,
      ),
    },
    kubeletRestarts: int(
      spec.kubeletRestarts,
      ['spec', 'kubeletRestarts'],
      0,
      base.kubeletRestarts,
      LIMITS.kubeletRestarts,
    ),
    imageGC: {
      capacityBytes: int(
        gc.capacityBytes,
        ['spec', 'imageGC', 'capacityBytes'],
        1,
        base.imageGC.capacityBytes,
      ),
      highThresholdPercent: int(
        gc.highThresholdPercent,
        ['spec', 'imageGC', 'highThresholdPercent'],
        0,
        base.imageGC.highThresholdPercent,
        100,
      ),
      lowThresholdPercent: int(
        gc.lowThresholdPercent,
        ['spec', 'imageGC', 'lowThresholdPercent'],
        0,
        base.imageGC.lowThresholdPercent,
        100,
      ),
      period: dur(gc.period, ['spec', 'imageGC', 'period'], base.imageGC.period),
    },
  };
  const p = workload.pods.pullPolicy;
  if (Math.abs(p.Always + p.IfNotPresent + p.Never - 1) > 1e-9)
    r.issue(['spec', 'pods', 'pullPolicy'], 'the three fractions must add up to 1');
  if (workload.images.minSizeBytes > workload.images.maxSizeBytes)
    r.issue(['spec', 'images', 'minSizeBytes'], 'must not exceed maxSizeBytes');
  if (workload.imageGC.lowThresholdPercent > workload.imageGC.highThresholdPercent)
    r.issue(['spec', 'imageGC', 'lowThresholdPercent'], 'must not exceed highThresholdPercent');
  // As the scenario loader: a zero period would schedule the next image GC check at the same instant forever, and
  // a zero duration would run nothing.
  if (workload.imageGC.period === 0) r.issue(['spec', 'imageGC', 'period'], 'must be greater than 0');
  if (workload.duration === 0) r.issue(['spec', 'duration'], 'must be greater than 0');
  const error = r.error();
  if (error !== undefined) throw error;
  return workload;
}

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
  const deletions = new DeletionHeap();
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

/** Pending pod deletions by time. */
class DeletionHeap extends MinHeap<{ at: number; namespace: string; name: string }> {
  protected compare(a: { at: number }, b: { at: number }): number {
    return a.at - b.at;
  }
}
