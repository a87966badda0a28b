/**
 * Kubelet behaviour profiles: what differs between the released versions of KEP-2535
 * (docs/kubelet-model.md#versions-and-the-feature-gate and #differences-between-profiles). A profile is chosen by
 * `spec.kubelet.version`; the default is the newest released behaviour. Options that model unmerged upstream work or
 * unlocated changes are opt-in, never defaults.
 */

export const KUBELET_VERSIONS = ['1.33', '1.34', '1.35', '1.36'] as const;
export type KubeletVersion = (typeof KUBELET_VERSIONS)[number];

/** The newest released behaviour: 1.36 carries the allowlist fix kubernetes/kubernetes#137629. */
export const DEFAULT_KUBELET_VERSION: KubeletVersion = '1.36';

export type RecordApiVersion = 'v1alpha1' | 'v1beta1';

export interface KubeletProfile {
  readonly version: KubeletVersion;
  /** `KubeletEnsureSecretPulledImages` default: alpha off (1.33, 1.34), beta on (1.35+, #135228). */
  readonly featureGateDefault: boolean;
  /** The apiVersion records are written in (`kubelet.config.k8s.io/…`): v1alpha1 ≤ 1.34, v1beta1 ≥ 1.35 (#132579). */
  readonly recordApiVersion: RecordApiVersion;
  /** Versions the strict decoder accepts: 1.33/1.34 register only v1alpha1, 1.35+ both (#132579). */
  readonly decodableApiVersions: readonly RecordApiVersion[];
  /** 1.35+: the file accessor rewrites older-version files as v1beta1 at start-up (#132579). */
  readonly migrateRecordsAtStartup: boolean;
  /** 1.35+: the write-through LRU in front of the files (#131882, `mem_pullrecords.go`). */
  readonly inMemoryCache: boolean;
  /**
   * 1.35+: the metering wrappers (#132812): after every successful record write or delete the file accessor
   * counts the directory's files for the on-disk gauge, one directory scan per mutation
   * (docs/kubelet-model.md#metrics).
   */
  readonly recordMetrics: boolean;
  /** Requested cache sizes; the accessor caps them at 1024 intents and 2000 records. */
  readonly intentsCacheSize: number;
  readonly pulledRecordsCacheSize: number;
  /**
   * 1.34+: service-account coordinates are recorded for KEP-4412 plugin credentials (#132771). In 1.33 the record
   * types have no `kubernetesServiceAccounts` field (a strict decoder rejects it) and plugin credentials are
   * node-wide.
   */
  readonly serviceAccountTracking: boolean;
  /**
   * `KubeletServiceAccountTokenForCredentialProviders` default (KEP-4412, `pkg/features/kube_features.go`): alpha
   * off in 1.33, beta on from 1.34. With it off a credential provider in service-account-token mode
   * (`tokenAttributes`) keeps the kubelet from starting.
   */
  readonly serviceAccountTokenGateDefault: boolean;
  /**
   * 1.34+: a KEP-4412 provider's `tokenAttributes.cacheType` (`ServiceAccount` or `Token`, #132617); with `Token`
   * the plugin cache's service-account key also holds the token's hash. 1.33 keys on the service account and its
   * annotations only (docs/kubelet-model.md#the-plugin-response-cache, `src/credentials/plugin-cache-key.ts`).
   */
  readonly pluginServiceAccountCacheType: boolean;
  /** Allowlist matching: the raw pod image string (≤ 1.35) or its normalised name without tag/digest (#137629). */
  readonly allowlistMatching: 'raw' | 'normalised';
  /**
   * Credential lookup: `eager` (1.33, 1.34: resolved before the presence check even with the gate off, bug #132951)
   * or `lazy` (#133079: only when the pull manager needs pod credentials or a pull happens).
   */
  readonly credentialLookup: 'eager' | 'lazy';
  /**
   * The key of `credentialMapping`: the normalised repository (`docker.io/library/nginx`, merged 1.33–1.36 code)
   * or the name as written minus tag/digest (`nginx`; a newer upstream test expects it, the change behind it is not
   * located, docs/kubelet-model.md#image-names-and-keys). Opt-in only.
   */
  readonly credentialMappingKey: 'normalised' | 'familiar';
  /**
   * kubernetes/kubernetes#138935: with more than 31 lock stripes (`maxParallelImagePulls` > 31) the stripe index
   * used the unclamped size and the kubelet panicked. Fixed by #138937; true only for the 1.35 profile.
   */
  readonly lockStripesPanic: boolean;
  /**
   * TEST ONLY, never part of a released profile: plants a bug in the model so that tests can check that campaigns
   * find and shrink real bugs. `skip-credential-hash-comparison` makes any pod secret match a recorded secret, as if
   * MustAttemptImagePull forgot to compare credential hashes.
   */
  readonly plantedBug?: 'skip-credential-hash-comparison';
}

const BASE: Omit<KubeletProfile, 'version'> = {
  featureGateDefault: true,
  recordApiVersion: 'v1beta1',
  decodableApiVersions: ['v1alpha1', 'v1beta1'],
  migrateRecordsAtStartup: true,
  inMemoryCache: true,
  recordMetrics: true,
  intentsCacheSize: 1024,
  pulledRecordsCacheSize: 2000,
  serviceAccountTracking: true,
  serviceAccountTokenGateDefault: true,
  pluginServiceAccountCacheType: true,
  allowlistMatching: 'normalised',
  credentialLookup: 'lazy',
  credentialMappingKey: 'normalised',
  lockStripesPanic: false,
};

/** 1.33: the alpha (both gates off by default), v1alpha1 files, no cache or metrics, credentials looked up eagerly. */
const ALPHA: KubeletProfile = {
  ...BASE,
  version: '1.33',
  featureGateDefault: false,
  recordApiVersion: 'v1alpha1',
  decodableApiVersions: ['v1alpha1'],
  migrateRecordsAtStartup: false,
  inMemoryCache: false,
  recordMetrics: false,
  serviceAccountTracking: false,
  serviceAccountTokenGateDefault: false,
  pluginServiceAccountCacheType: false,
  allowlistMatching: 'raw',
  credentialLookup: 'eager',
};

const PROFILES: Readonly<Record<KubeletVersion, KubeletProfile>> = {
  '1.33': ALPHA,
  // 1.34: the alpha, plus service-account credentials in records, the token-provider gate on (beta) and its
  // providers' cacheType.
  '1.34': {
    ...ALPHA,
    version: '1.34',
    serviceAccountTracking: true,
    serviceAccountTokenGateDefault: true,
    pluginServiceAccountCacheType: true,
  },
  '1.35': { ...BASE, version: '1.35', allowlistMatching: 'raw', lockStripesPanic: true },
  '1.36': { ...BASE, version: '1.36' },
};

export function isKubeletVersion(value: unknown): value is KubeletVersion {
  return typeof value === 'string' && (KUBELET_VERSIONS as readonly string[]).includes(value);
}

/** The profile of a released version, optionally with individual behaviours switched. */
export function kubeletProfile(
  version: KubeletVersion = DEFAULT_KUBELET_VERSION,
  overrides: Partial<Omit<KubeletProfile, 'version'>> = {},
): KubeletProfile {
  return { ...PROFILES[version], ...overrides };
}
