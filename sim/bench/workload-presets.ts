import { DEFAULT_KUBELET_VERSION } from '../../src/profiles.js';
import { TICKS_PER_HOUR, TICKS_PER_MINUTE, ticks } from '../../src/time.js';
import type { Workload, WorkloadPresetName } from './workload-schema.js';

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

/** The built-in workloads. `large` is the target: 100 000 pod starts, 1 000 tenants, 5 000 images, a day. */
export const WORKLOAD_PRESETS: Readonly<Record<WorkloadPresetName, Workload>> = {
  small: {
    ...BASE,
    name: 'small',
    description: '2 000 pod starts of 20 tenants over 200 images in an hour',
    duration: ticks(TICKS_PER_HOUR),
    tenants: 20,
    images: { ...IMAGE_DEFAULTS, count: 200 },
    pods: { ...POD_DEFAULTS, starts: 2_000 },
  },
  medium: {
    ...BASE,
    name: 'medium',
    description: '20 000 pod starts of 200 tenants over 1 000 images in 6 hours',
    duration: ticks(6 * TICKS_PER_HOUR),
    tenants: 200,
    images: { ...IMAGE_DEFAULTS, count: 1_000 },
    pods: { ...POD_DEFAULTS, starts: 20_000 },
  },
  large: {
    ...BASE,
    name: 'large',
    description: '100 000 pod starts of 1 000 tenants over 5 000 images in a simulated day',
    duration: ticks(24 * TICKS_PER_HOUR),
    tenants: 1_000,
    images: { ...IMAGE_DEFAULTS, count: 5_000 },
    pods: { ...POD_DEFAULTS, starts: 100_000 },
    kubeletRestarts: 4,
  },
};

export function isWorkloadPreset(name: string): name is WorkloadPresetName {
  return Object.hasOwn(WORKLOAD_PRESETS, name);
}
