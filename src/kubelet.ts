import { validateCredentialProviders } from './credentials/index.js';
import { ImageManager } from './image-manager/image-manager.js';
import type { Clock, CredentialSources, EventRecorder, FileSystem, ImageService } from './ports.js';
import type { KubeletProfile } from './profiles.js';
import type { PullRecordsAccessor } from './pullmanager/accessor.js';
import { PullRecordsInitError } from './pullmanager/fs-accessor.js';
import { createPullManager, type ImagePullManager, NoopPullManager } from './pullmanager/manager.js';
import type { PullRecordMetrics } from './pullmanager/metered-accessor.js';
import { imageManagerMetricFamilies, type MetricFamily } from './pullmanager/metrics.js';
import {
  createPolicyEnforcer,
  type ImagePullCredentialsVerificationPolicy,
  parseAllowlist,
  validateImagePullConfiguration,
} from './pullmanager/policy.js';
import { openPullRecordsStore } from './pullmanager/pull-records-store.js';
import {
  type CredentialSourceDeletion,
  type OpenedRecordStore,
  openRecordStore,
  parseRecordStoreSpec,
  type RecordStoreSpec,
} from './strategies/index.js';

/** The KubeletConfiguration fields the image manager reads (kubelet spelling). */
export interface KubeletImageConfig {
  readonly featureGates?: {
    readonly KubeletEnsureSecretPulledImages?: boolean;
    /** KEP-4412 service-account tokens for credential providers; absent: the profile's default. */
    readonly KubeletServiceAccountTokenForCredentialProviders?: boolean;
  };
  readonly imagePullCredentialsVerificationPolicy?: string;
  readonly preloadedImagesVerificationAllowlist?: readonly string[];
  readonly serializeImagePulls?: boolean;
  readonly maxParallelImagePulls?: number;
  /** `--root-dir`; default `/var/lib/kubelet`. */
  readonly rootDirectory?: string;
  /**
   * pullsim only, not a kubelet field: the pull-record store strategy (`src/strategies`, e.g. `journal`,
   * `fs+lru:50/100`). Absent: the profile's own stack. An invalid spec is a start-up error.
   */
  readonly recordStore?: string;
}

export const DEFAULT_KUBELET_ROOT = '/var/lib/kubelet';

export interface KubeletPorts {
  readonly fs: FileSystem;
  readonly clock: Clock;
  readonly imageService: ImageService;
  readonly credentialSources: CredentialSources;
  readonly recorder: EventRecorder;
}

/** A started kubelet's image machinery. */
export interface KubeletImageStack {
  readonly featureGateEnabled: boolean;
  readonly policy: ImagePullCredentialsVerificationPolicy | undefined;
  readonly imageManager: ImageManager;
  readonly pullManager: ImagePullManager;
  /** Absent when the gate is off (no records at all). */
  readonly records?: PullRecordsAccessor;
  readonly metrics?: PullRecordMetrics;
  /** Only with `recordStore: 'revoke-on-delete'`: tell the store that a credential source was deleted. */
  readonly onCredentialSourceDeleted?: (source: CredentialSourceDeletion) => void;
}

/** Whether the feature gate is on: the configured value, else the profile's default (alpha off, beta on). */
export function featureGateEnabled(config: KubeletImageConfig, profile: KubeletProfile): boolean {
  return config.featureGates?.KubeletEnsureSecretPulledImages ?? profile.featureGateDefault;
}

/**
 * What a scrape of this kubelet's `/metrics` shows of the image manager (docs/kubelet-model.md#metrics): nothing in
 * a profile without the metrics (1.33, 1.34), else the record gauges and the MustAttemptImagePull counter of this
 * process (a restart starts them again from 0).
 */
export function imageManagerMetrics(stack: KubeletImageStack, profile: KubeletProfile): MetricFamily[] {
  if (!profile.recordMetrics) return [];
  return imageManagerMetricFamilies(
    stack.metrics,
    stack.pullManager.mustPullChecks,
    stack.imageManager.ensureImageRequests,
  );
}

/** Whether `KubeletServiceAccountTokenForCredentialProviders` is on: the configured value, else the profile's default. */
export function serviceAccountTokenGateEnabled(config: KubeletImageConfig, profile: KubeletProfile): boolean {
  return (
    config.featureGates?.KubeletServiceAccountTokenForCredentialProviders ??
    profile.serviceAccountTokenGateDefault
  );
}

/** The errors that keep the kubelet from starting. */
type StartRefused = { readonly ok: false; readonly errors: string[] };

/**
 * Starts the kubelet's image machinery as kubelet start-up does: validate the configuration (a kubelet refuses to
 * start on an error), open the pull-record store (directory creation, 1.35+ migration, cache warm-up), create the
 * pull manager (which converts leftover intents) and the image manager. With the gate off the pull manager is
 * the no-op one and nothing is read or written.
 */
export function startKubeletImageStack(
  config: KubeletImageConfig,
  ports: KubeletPorts,
  profile: KubeletProfile,
): { readonly ok: true; readonly stack: KubeletImageStack } | StartRefused {
  const gate = featureGateEnabled(config, profile);
  const validated = validateKubeletImageConfig(config, gate);
  if (!validated.ok) return validated;
  // Plugin registration (NewKubeGenericRuntimeManager) comes before the pull manager and its directories.
  const plugins = ports.credentialSources.plugins();
  const pluginError = validateCredentialProviders(plugins, serviceAccountTokenGateEnabled(config, profile));
  if (pluginError !== undefined) return { ok: false, errors: [pluginError] };
  if (!gate) {
    const pullManager = new NoopPullManager();
    return {
      ok: true,
      stack: {
        featureGateEnabled: false,
        policy: undefined,
        pullManager,
        imageManager: new ImageManager({ ...ports, profile, featureGateEnabled: false, pullManager }),
      },
    };
  }
  const policy = (config.imagePullCredentialsVerificationPolicy ||
    'NeverVerifyPreloadedImages') as ImagePullCredentialsVerificationPolicy;
  const opened = openPullRecords(
    validated.recordStore,
    config.rootDirectory ?? DEFAULT_KUBELET_ROOT,
    ports,
    profile,
  );
  if (!opened.ok) return opened;
  const { store } = opened;
  const pullManager = newPullManager(config, policy, store.accessor, ports, profile);
  return {
    ok: true,
    stack: {
      featureGateEnabled: true,
      policy,
      pullManager,
      records: store.accessor,
      ...(store.metrics === undefined ? {} : { metrics: store.metrics }),
      ...(store.onCredentialSourceDeleted === undefined
        ? {}
        : { onCredentialSourceDeleted: store.onCredentialSourceDeleted }),
      imageManager: new ImageManager({ ...ports, profile, featureGateEnabled: true, pullManager }),
    },
  };
}

/**
 * The configuration checks a kubelet makes before it starts: the policy and allowlist (with the gate as
 * configured), and pullsim's record-store spec, parsed.
 */
function validateKubeletImageConfig(
  config: KubeletImageConfig,
  gate: boolean,
): { readonly ok: true; readonly recordStore: RecordStoreSpec | undefined } | StartRefused {
  const errors = validateImagePullConfiguration({
    featureGateEnabled: gate,
    policy: config.imagePullCredentialsVerificationPolicy,
    allowlist: config.preloadedImagesVerificationAllowlist ?? [],
  });
  if (errors.length > 0) return { ok: false, errors };
  if (config.recordStore === undefined) return { ok: true, recordStore: undefined };
  const parsed = parseRecordStoreSpec(config.recordStore);
  return parsed.ok ? { ok: true, recordStore: parsed.value } : { ok: false, errors: [parsed.error] };
}

/**
 * Opens the pull-record store under the kubelet root: the profile's own stack, or the configured strategy. A
 * record directory that cannot be created is a start-up error, as it is for the kubelet.
 */
function openPullRecords(
  recordStore: RecordStoreSpec | undefined,
  root: string,
  ports: KubeletPorts,
  profile: KubeletProfile,
): { readonly ok: true; readonly store: OpenedRecordStore } | StartRefused {
  try {
    const store =
      recordStore === undefined
        ? openPullRecordsStore(ports.fs, root, profile, { logger: ports.recorder })
        : openRecordStore(recordStore, {
            fs: ports.fs,
            kubeletRoot: root,
            profile,
            clock: ports.clock,
            logger: ports.recorder,
          });
    return { ok: true, store };
  } catch (error) {
    // The kubelet exits when it cannot create its record directories (e.g. ENOSPC); systemd retries it.
    if (error instanceof PullRecordsInitError) return { ok: false, errors: [error.message] };
    throw error;
  }
}

/** The pull manager over the opened records, enforcing the policy; its lock stripes follow the pull parallelism. */
function newPullManager(
  config: KubeletImageConfig,
  policy: ImagePullCredentialsVerificationPolicy,
  accessor: PullRecordsAccessor,
  ports: KubeletPorts,
  profile: KubeletProfile,
): ImagePullManager {
  const allowlist = parseAllowlist(config.preloadedImagesVerificationAllowlist ?? []);
  if (!allowlist.ok) throw new Error('allowlist passed validation but does not parse'); // validated at start-up
  return createPullManager({
    accessor,
    policy: createPolicyEnforcer(policy, allowlist.value, profile.allowlistMatching),
    imageService: ports.imageService,
    clock: ports.clock,
    recorder: ports.recorder,
    credentialMappingKey: profile.credentialMappingKey,
    lockStripes: config.serializeImagePulls === false ? (config.maxParallelImagePulls ?? 1) : 1,
    lockStripesPanic: profile.lockStripesPanic,
    ...(profile.plantedBug === undefined ? {} : { plantedBug: profile.plantedBug }),
  });
}

export { getPullSecretsForPod } from './pod/pull-secrets.js';
