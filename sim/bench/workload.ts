import { isKubeletVersion, type KubeletVersion } from '../../src/profiles.js';
import type { Ticks } from '../../src/time.js';
import type { InputError } from '../errors.js';
import { secretPaths } from '../input/secrets.js';
import { readYaml } from '../input/yaml.js';
import { type Path, Reader } from '../scenario/reader.js';
import { WORKLOAD_PRESETS } from './workload-presets.js';

export { BENCH_HOST, type ExpandedWorkload, expandWorkload } from './workload-expansion.js';
export { isWorkloadPreset, WORKLOAD_PRESETS } from './workload-presets.js';

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
