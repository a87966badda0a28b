import { WORKLOAD_PRESETS, type Workload, type WorkloadFile } from '../../sim/bench/workload.js';
import { formatDuration, TICKS_PER_MINUTE, ticks } from '../../src/time.js';

/**
 * A workload small enough for a unit test (60 pod starts of 3 tenants over 6 images in 20 virtual minutes) that
 * still has everything the presets have: public, private and preloaded images, foreign-image attempts, all three
 * pull policies, secret rotations and copies, and two kubelet restarts.
 */
export function tinyWorkload(overrides: Partial<Workload> = {}): Workload {
  const small = WORKLOAD_PRESETS.small;
  return {
    ...small,
    name: 'tiny',
    description: '60 pod starts of 3 tenants over 6 images in 20 minutes',
    duration: ticks(20 * TICKS_PER_MINUTE),
    tenants: 3,
    images: { ...small.images, count: 6, publicFraction: 0.34, preloadedFraction: 0.5 },
    pods: { ...small.pods, starts: 60, meanLifetime: ticks(3 * TICKS_PER_MINUTE), foreignImageFraction: 0.2 },
    secrets: { rotationsPerHour: 6, copiesPerHour: 6 },
    kubeletRestarts: 2,
    ...overrides,
  };
}

/** The same tiny workload as a workload file, with extra `spec` lines appended (e.g. a bad field). */
export function tinyWorkloadText(extraSpec = ''): string {
  return [
    'apiVersion: pullsim/v1alpha1',
    'kind: Workload',
    'metadata:',
    '  name: tiny',
    '  description: 60 pod starts of 3 tenants over 6 images in 20 minutes',
    'spec:',
    '  base: small',
    '  duration: 20m',
    '  tenants: 3',
    '  images: { count: 6, publicFraction: 0.34, preloadedFraction: 0.5 }',
    '  pods: { starts: 60, meanLifetime: 3m, foreignImageFraction: 0.2 }',
    '  secrets: { rotationsPerHour: 6, copiesPerHour: 6 }',
    '  kubeletRestarts: 2',
    ...(extraSpec === '' ? [] : [extraSpec]),
    '',
  ].join('\n');
}

/** A workload as a workload file that sets every field (durations written as text), so it loads as itself. */
export function workloadFileOf(workload: Workload): WorkloadFile {
  const { name, description, duration, kubeletVersion, maxParallelImagePulls, pods, imageGC, ...sections } =
    workload;
  return {
    apiVersion: 'pullsim/v1alpha1',
    kind: 'Workload',
    metadata: { name, description },
    spec: {
      seed: sections.seed,
      duration: formatDuration(duration),
      kubelet: { version: kubeletVersion, maxParallelImagePulls },
      device: sections.device,
      tenants: sections.tenants,
      images: { ...sections.images },
      pods: { ...pods, meanLifetime: formatDuration(pods.meanLifetime), pullPolicy: { ...pods.pullPolicy } },
      secrets: { ...sections.secrets },
      kubeletRestarts: sections.kubeletRestarts,
      imageGC: { ...imageGC, period: formatDuration(imageGC.period) },
    },
  };
}
