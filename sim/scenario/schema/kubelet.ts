import * as z from 'zod';
import {
  DEFAULT_KUBELET_VERSION,
  isKubeletVersion,
  KUBELET_VERSIONS,
  type KubeletVersion,
} from '../../../src/profiles.js';
import {
  isVerificationPolicy,
  parseAllowlist,
  VERIFICATION_POLICIES,
  validateImagePullConfiguration,
} from '../../../src/pullmanager/policy.js';
import { TICKS_PER_MINUTE, type Ticks, ticks } from '../../../src/time.js';
import type { Path } from '../../errors.js';
import type { Issues } from '../../input/issues.js';
import type { Defaulted, Frozen, Override } from '../../input/kit.js';
import {
  duration,
  fields,
  flag,
  integer,
  list,
  oneOf,
  problem,
  QUOTED,
  text,
  VALUE,
} from '../../input/kit.js';

/** The kubelet's `syncFrequency` default (KubeletConfiguration, 1m). */
const DEFAULT_SYNC_FREQUENCY = ticks(TICKS_PER_MINUTE);

const versionHint = KUBELET_VERSIONS.map((v) => `"${v}"`).join(', ');

/** A kubelet version; YAML reads an unquoted 1.35 as a number, which is accepted when it prints as a version. */
const version = z
  .custom<string | number>((value) => isKubeletVersion(typeof value === 'number' ? String(value) : value), {
    error: `expected one of ${versionHint}, got ${QUOTED}`,
  })
  .transform((value) => String(value) as KubeletVersion)
  .meta({
    description: 'Kubelet version profile (a YAML number such as 1.35 is read as the version it prints as)',
    anyOf: [{ enum: [...KUBELET_VERSIONS] }, { enum: KUBELET_VERSIONS.map(Number) }],
  });

/**
 * The verification policy. A string the kubelet does not know is refused in the kubelet's own words
 * (ValidateKubeletConfiguration), so the message matches what a node would log. An empty string is unset.
 */
const policy = z
  .custom<string>((value) => typeof value === 'string', {
    error: `expected one of ${VERIFICATION_POLICIES.join(', ')}, got ${VALUE}`,
  })
  .superRefine((value, context) => {
    if (value === '' || isVerificationPolicy(value)) return;
    const [message] = validateImagePullConfiguration({
      featureGateEnabled: true,
      policy: value,
      allowlist: [],
    });
    context.addIssue(problem(message as string, 'invalid_configuration'));
  })
  .meta({ description: 'imagePullCredentialsVerificationPolicy', enum: ['', ...VERIFICATION_POLICIES] });

export const featureGatesSchema = fields({
  KubeletEnsureSecretPulledImages: flag().exactOptional(),
  KubeletServiceAccountTokenForCredentialProviders: flag()
    .exactOptional()
    .meta({ description: 'KEP-4412; default: off in 1.33 (alpha), on from 1.34 (beta)' }),
});

export const kubeletSchema = fields({
  version: version.exactOptional(),
  featureGates: featureGatesSchema.exactOptional(),
  imagePullCredentialsVerificationPolicy: policy.exactOptional(),
  preloadedImagesVerificationAllowlist: list(text()).exactOptional(),
  serializeImagePulls: flag().exactOptional(),
  maxParallelImagePulls: integer(1).nullable().exactOptional(),
  syncFrequency: duration().exactOptional(),
  credentialMappingKey: oneOf(['normalised', 'familiar']).exactOptional(),
}).meta({
  description: 'The node kubelet configuration (KubeletConfiguration fields, feature gates, version)',
});

/**
 * The kubelet configuration with its defaults filled in: the version, no feature gate set, an empty allowlist,
 * serialized pulls, a pod resync (`syncFrequency`) every 1m. An unset (null) `maxParallelImagePulls` is left out.
 * `credentialMappingKey` is an opt-in switch for what-if studies (a named profile option, never a default).
 */
export type KubeletSpec = Frozen<
  Override<
    Defaulted<
      z.output<typeof kubeletSchema>,
      | 'version'
      | 'featureGates'
      | 'preloadedImagesVerificationAllowlist'
      | 'serializeImagePulls'
      | 'syncFrequency'
    >,
    { maxParallelImagePulls?: number }
  >
>;

const PARALLEL_NEEDS_UNSERIALIZED =
  'invalid configuration: maxParallelImagePulls cannot be larger than 1 unless SerializeImagePulls (--serialize-image-pulls) is set to false';

/** The kubelet section with its defaults, and the checks that span its fields. */
export function readKubelet(issues: Issues, value: unknown): KubeletSpec | undefined {
  const path: Path = ['spec', 'kubelet'];
  const k = issues.parse(kubeletSchema, value ?? {}, path);
  if (k === undefined) return undefined;
  const allowlist = k.preloadedImagesVerificationAllowlist ?? [];
  const parsed = parseAllowlist(allowlist);
  if (!parsed.ok) {
    for (const error of parsed.errors)
      issues.add(
        [...path, 'preloadedImagesVerificationAllowlist', error.index],
        `invalid image pattern: ${error.error}`,
      );
  }
  const serialize = k.serializeImagePulls ?? true;
  const maxParallel = k.maxParallelImagePulls ?? undefined;
  // KubeletConfiguration validation: parallel pulls need serializeImagePulls: false.
  if (serialize && maxParallel !== undefined && maxParallel !== 1)
    issues.add([...path, 'maxParallelImagePulls'], PARALLEL_NEEDS_UNSERIALIZED, 'invalid_configuration');
  const policy = k.imagePullCredentialsVerificationPolicy;
  return {
    version: k.version ?? DEFAULT_KUBELET_VERSION,
    featureGates: { ...k.featureGates },
    ...(policy === undefined || policy === '' ? {} : { imagePullCredentialsVerificationPolicy: policy }),
    preloadedImagesVerificationAllowlist: allowlist,
    serializeImagePulls: serialize,
    ...(maxParallel === undefined ? {} : { maxParallelImagePulls: maxParallel }),
    syncFrequency: (k.syncFrequency ?? DEFAULT_SYNC_FREQUENCY) as Ticks,
    ...(k.credentialMappingKey === undefined ? {} : { credentialMappingKey: k.credentialMappingKey }),
  };
}
