/**
 * The typed form of a scenario file (docs/contract.md §2) as the loader resolves it: defaults filled in, digests
 * and sizes derived, manifests reduced to the fields pullsim models. The file's shape itself is described by the
 * schemas in sim/scenario/schema/ (where a type is the schema's output, it is derived from it here); tests and
 * campaign generators build these values in code.
 */
import type * as z from 'zod';
import type { DockerConfig } from '../../src/ports.js';
import type { KubeletVersion } from '../../src/profiles.js';
import type { Ticks } from '../../src/time.js';
import type { ACTIONS } from './schema/actions.js';
import type { RunMode } from './schema/modes.js';

export { isMode, MODES, type Mode, type RunMode } from './schema/modes.js';

export interface ObjectMeta {
  readonly name: string;
  readonly namespace?: string;
  readonly uid?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
}

export interface NamespaceManifest {
  readonly apiVersion: 'v1';
  readonly kind: 'Namespace';
  readonly metadata: ObjectMeta;
}

export interface SecretManifest {
  readonly apiVersion: 'v1';
  readonly kind: 'Secret';
  readonly metadata: ObjectMeta;
  readonly type?: string;
  /** base64 values, as in a real manifest. */
  readonly data?: Readonly<Record<string, string>>;
  readonly stringData?: Readonly<Record<string, string>>;
}

export interface LocalObjectReference {
  readonly name: string;
}

export interface ServiceAccountManifest {
  readonly apiVersion: 'v1';
  readonly kind: 'ServiceAccount';
  readonly metadata: ObjectMeta;
  readonly imagePullSecrets?: readonly LocalObjectReference[];
}

export type ImagePullPolicy = 'Always' | 'IfNotPresent' | 'Never';
export type RestartPolicy = 'Always' | 'OnFailure' | 'Never';

export interface ContainerManifest {
  readonly name: string;
  readonly image: string;
  readonly imagePullPolicy?: ImagePullPolicy;
}

export interface PodManifest {
  readonly apiVersion: 'v1';
  readonly kind: 'Pod';
  readonly metadata: ObjectMeta;
  readonly spec: {
    readonly nodeName?: string;
    readonly serviceAccountName?: string;
    readonly imagePullSecrets?: readonly LocalObjectReference[];
    readonly restartPolicy?: RestartPolicy;
    readonly containers: readonly ContainerManifest[];
  };
}

export type Manifest = NamespaceManifest | SecretManifest | ServiceAccountManifest | PodManifest;
export type ManifestKind = Manifest['kind'];

export interface ObjectKey {
  readonly kind: ManifestKind;
  readonly namespace?: string;
  readonly name: string;
}

/** A KEP-4412 service-account-token credential provider for one registry. */
export interface ServiceAccountTokenProviderSpec {
  readonly requireServiceAccount: boolean;
}

export interface TokenBucketSpec {
  readonly capacity: number;
  readonly refillPerHour: number;
}

export interface RegistrySpec {
  readonly host: string;
  readonly users: readonly { readonly username: string; readonly password: string }[];
  readonly repositories: readonly {
    readonly name: string;
    readonly public: boolean;
    readonly pullers: readonly string[];
    readonly tags: Readonly<Record<string, { readonly digest: string; readonly sizeBytes: number }>>;
  }[];
  readonly rateLimit?: { readonly perUser?: TokenBucketSpec; readonly anonymous?: TokenBucketSpec };
  readonly latency?: { readonly minTicks: Ticks; readonly maxTicks: Ticks };
  readonly bandwidthBytesPerSecond?: number;
  /** KEP-4412: the kubelet has an exec credential provider for this registry that trades service-account tokens. */
  readonly serviceAccountTokenProvider?: ServiceAccountTokenProviderSpec;
}

export interface PreloadedImageSpec {
  readonly ref: string;
  readonly id?: string;
}

export interface ImageGcPolicySpec {
  readonly capacityBytes: number;
  readonly highThresholdPercent: number;
  readonly lowThresholdPercent: number;
  /** How often the kubelet checks (kubelet default 5m). */
  readonly period: Ticks;
}

export interface FsFaultRatesSpec {
  readonly readError?: number;
  readonly writeError?: number;
  readonly enospc?: number;
  readonly corrupt?: number;
}

export interface NodeSpec {
  readonly name: string;
  readonly images: readonly PreloadedImageSpec[];
  /** Node-wide docker config (`/var/lib/kubelet/config.json` `auths`). */
  readonly credentials?: DockerConfig;
  /** Files under `<kubelet root>/image_manager` at t=0: relative path → exact content. */
  readonly imageManagerFiles: Readonly<Record<string, string>>;
  readonly imageGC?: ImageGcPolicySpec;
  /** Filesystem device latency profile name (sim/world/filesystem.ts DEVICE_PROFILES). */
  readonly device?: string;
  readonly fsFaults?: FsFaultRatesSpec;
}

export interface KubeletSpec {
  readonly version: KubeletVersion;
  readonly featureGates: { readonly KubeletEnsureSecretPulledImages?: boolean };
  readonly imagePullCredentialsVerificationPolicy?: string;
  readonly preloadedImagesVerificationAllowlist: readonly string[];
  readonly serializeImagePulls: boolean;
  readonly maxParallelImagePulls?: number;
  /** Pod resync period (kubelet `syncFrequency`, default 1m). */
  readonly syncFrequency: Ticks;
  /** Opt-in behaviour switches for what-if studies (named profile options, never defaults). */
  readonly credentialMappingKey?: 'normalised' | 'familiar';
}

/** A filesystem fault the `fsFault` action injects. */
export type FsFaultKind = z.output<(typeof ACTIONS)['fsFault']>['fault'];

/** A timeline action: the output of its schema (sim/scenario/schema/actions.ts) without the step's `at`. */
export type Action = {
  [K in keyof typeof ACTIONS]: Readonly<Omit<z.output<(typeof ACTIONS)[K]>, 'at'>>;
}[keyof typeof ACTIONS];

export type ActionName = Action['action'];

export type TimelineStep =
  | { readonly at: Ticks; readonly apply: Manifest }
  | { readonly at: Ticks; readonly delete: ObjectKey }
  | { readonly at: Ticks; readonly action: Action };

export type ContainerStateName = 'running' | 'waiting' | 'terminated';

export interface Expectation {
  /** `namespace/name`. */
  readonly pod: string;
  readonly container?: string;
  readonly modes?: readonly RunMode[];
  readonly at?: Ticks;
  readonly state?: ContainerStateName;
  readonly reason?: readonly string[];
  readonly violation?: boolean;
  readonly started?: boolean;
  readonly pulls?: { readonly min?: number; readonly max?: number };
  /** Where the line is in the file, for messages. */
  readonly line?: number;
}

export interface Scenario {
  readonly name: string;
  readonly description?: string;
  readonly seed: number;
  /** Virtual time to run to; undefined = 10m after the last timeline step. */
  readonly until?: Ticks;
  readonly kubelet: KubeletSpec;
  readonly registries: readonly RegistrySpec[];
  readonly nodes: readonly NodeSpec[];
  readonly objects: readonly Manifest[];
  readonly timeline: readonly TimelineStep[];
  readonly expect: readonly Expectation[];
}
