/**
 * The image pull credential verification policies and the preloaded-images allowlist
 * (pkg/kubelet/images/pullmanager/image_pull_policies.go), and the kubelet configuration checks for them
 * (pkg/kubelet/apis/config/validation/validation.go); docs/kubelet-model.md#policies and #the-allowlist.
 */
import { goQuote } from '../go/index.js';
import { type ParseResult, parseNormalizedNamed } from '../reference/index.js';

/** `imagePullCredentialsVerificationPolicy` values (pkg/kubelet/apis/config/types.go). */
export const VERIFICATION_POLICIES = [
  'NeverVerify',
  'NeverVerifyPreloadedImages',
  'NeverVerifyAllowlistedImages',
  'AlwaysVerify',
] as const;
export type ImagePullCredentialsVerificationPolicy = (typeof VERIFICATION_POLICIES)[number];

/** The default when the feature gate is on and the field is empty (v1beta1 defaults.go). */
const DEFAULT_VERIFICATION_POLICY: ImagePullCredentialsVerificationPolicy = 'NeverVerifyPreloadedImages';

export function isVerificationPolicy(value: unknown): value is ImagePullCredentialsVerificationPolicy {
  return typeof value === 'string' && (VERIFICATION_POLICIES as readonly string[]).includes(value);
}

/** `preloadedImagesVerificationAllowlist`, parsed: exact names (a set) and `…/*` prefixes (a list, trailing `/` kept). */
export interface ParsedAllowlist {
  readonly absolute: ReadonlySet<string>;
  readonly wildcardPrefixes: readonly string[];
}

export const EMPTY_ALLOWLIST: ParsedAllowlist = { absolute: new Set(), wildcardPrefixes: [] };

/** How the pod image is compared with the allowlist: raw string (1.33–1.35) or normalised name (#137629). */
export type AllowlistMatching = 'raw' | 'normalised';

export interface AllowlistPattern {
  readonly kind: 'absolute' | 'wildcard';
  readonly value: string;
}

/**
 * One allowlist entry, checked as `getAllowlistImagePattern` (image_pull_policies.go) does: no surrounding
 * whitespace; `…/*` is a prefix stored without its `*`; anything else must be a fully qualified, lower-case
 * repository name without tag or digest (`docker.io/library/alpine`, not `alpine`).
 */
export function parseAllowlistPattern(pattern: string): ParseResult<AllowlistPattern> {
  if (hasGoSpaceAtEdge(pattern)) return fail(`leading/trailing spaces are not allowed: ${pattern}`);

  const isWildcard = pattern.endsWith('/*');
  const trimmed = isWildcard ? pattern.slice(0, -1) : pattern;
  if (trimmed.length === 0) return fail(`the supplied pattern is too short: ${pattern}`);
  if (trimmed.includes('*')) {
    return fail(`not a valid wildcard pattern, only patterns ending with '/*' are allowed: ${pattern}`);
  }

  if (isWildcard) {
    // Only "/" is left of "/*"; wildcard patterns are not parsed any further (`a/*`, `Foo/*` are accepted).
    if (trimmed.length === 1) return fail('at least registry hostname is required');
    return { ok: true, value: { kind: 'wildcard', value: trimmed } };
  }

  const image = parseNormalizedNamed(trimmed);
  if (!image.ok) return fail(`failed to parse as an image name: ${image.error}`);
  // Name() drops tag and digest but also qualifies familiar names, so `alpine` gets this (misleading) message too.
  if (trimmed !== image.value.name) {
    return fail(`neither tag nor digest is accepted in an image reference: ${pattern}`);
  }
  return { ok: true, value: { kind: 'absolute', value: trimmed } };
}

export interface AllowlistPatternError {
  readonly index: number;
  readonly pattern: string;
  readonly error: string;
}

/**
 * The whole allowlist, as `NewNeverVerifyAllowListedPullPolicy` builds it; unlike the kubelet (which stops at the
 * first bad entry) every bad entry is reported, for scenario validation.
 */
export function parseAllowlist(
  patterns: readonly string[],
): { ok: true; value: ParsedAllowlist } | { ok: false; errors: AllowlistPatternError[] } {
  const absolute = new Set<string>();
  const wildcardPrefixes: string[] = [];
  const errors: AllowlistPatternError[] = [];
  patterns.forEach((pattern, index) => {
    const parsed = parseAllowlistPattern(pattern);
    if (!parsed.ok) errors.push({ index, pattern, error: parsed.error });
    else if (parsed.value.kind === 'wildcard') wildcardPrefixes.push(parsed.value.value);
    else absolute.add(parsed.value.value);
  });
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, value: { absolute, wildcardPrefixes } };
}

export interface ImagePullConfiguration {
  /** `KubeletEnsureSecretPulledImages`, after the configuration's own `featureGates` are applied. */
  readonly featureGateEnabled: boolean;
  /** `imagePullCredentialsVerificationPolicy` as written; undefined or "" is defaulted when the gate is on. */
  readonly policy: string | undefined;
  /** `preloadedImagesVerificationAllowlist`. */
  readonly allowlist: readonly string[];
}

/**
 * The kubelet's configuration checks for the two fields (`ValidateKubeletConfiguration`, validation.go), in its
 * order and words, [] when valid. The `imagePullCredentialsVertificationPolicy` typo is upstream's. Only the first
 * bad allowlist entry is reported, as `ValidateAllowlistImagesPatterns` stops there.
 */
export function validateImagePullConfiguration(config: ImagePullConfiguration): string[] {
  const { featureGateEnabled, allowlist } = config;
  const errors: string[] = [];
  if (!featureGateEnabled) {
    if ((config.policy ?? '').length > 0) {
      errors.push(
        'invalid configuration: `imagePullCredentialsVerificationPolicy` must not be set if KubeletEnsureSecretPulledImages feature gate is not enabled',
      );
    }
    if (allowlist.length > 0) {
      errors.push(
        'invalid configuration: `preloadedImagesVerificationAllowlist` must not be set if KubeletEnsureSecretPulledImages feature gate is not enabled',
      );
    }
    return errors;
  }

  // Defaulting (v1beta1 defaults.go) runs before validation and fills an empty policy when the gate is on.
  const policy =
    config.policy === undefined || config.policy === '' ? DEFAULT_VERIFICATION_POLICY : config.policy;
  if (!isVerificationPolicy(policy)) {
    const options = VERIFICATION_POLICIES.map(goQuote);
    errors.push(
      `invalid configuration: option ${goQuote(policy)} specified for imagePullCredentialsVerificationPolicy. ` +
        `Valid options are ${options[0]}, ${options[1]}, ${options[2]} or ${options[3]}`,
    );
  }
  if (allowlist.length > 0 && policy !== 'NeverVerifyAllowlistedImages') {
    errors.push(
      'invalid configuration: can\'t set `preloadedImagesVerificationAllowlist` if `imagePullCredentialsVertificationPolicy` is not "NeverVerifyAllowlistedImages"',
    );
  } else {
    for (const pattern of allowlist) {
      const parsed = parseAllowlistPattern(pattern);
      if (!parsed.ok) {
        errors.push(
          `invalid configuration: invalid image pattern in \`preloadedImagesVerificationAllowlist\`: ${parsed.error}`,
        );
        break;
      }
    }
  }
  return errors;
}

/**
 * Whether a pod's image is allowlisted (`NeverVerifyAllowlistedImages.imageMatches`). `raw` (1.33–1.35,
 * image_pull_policies.go @ 5ce22905): the pod's image string itself is looked up, so `nginx:1` never matches an
 * exact entry. `normalised` (kubernetes/kubernetes#137629): the image's normalised name without tag or digest;
 * an unparsable image never matches (the kubelet logs it and requires verification).
 */
export function imageMatchesAllowlist(
  image: string,
  allowlist: ParsedAllowlist,
  matching: AllowlistMatching,
): boolean {
  let candidate = image;
  if (matching === 'normalised') {
    const parsed = parseNormalizedNamed(image);
    if (!parsed.ok) return false;
    candidate = parsed.value.name;
  }
  if (allowlist.absolute.has(candidate)) return true;
  return allowlist.wildcardPrefixes.some((prefix) => candidate.startsWith(prefix));
}

/** `ImagePullPolicyEnforcer` (image_pull_policies.go): does the policy require credential verification? */
export interface ImagePullPolicyEnforcer {
  requireCredentialVerificationForImage(image: string, imagePulledByKubelet: boolean): boolean;
}

const NEVER_VERIFY: ImagePullPolicyEnforcer = { requireCredentialVerificationForImage: () => false };
const NEVER_VERIFY_PRELOADED: ImagePullPolicyEnforcer = {
  requireCredentialVerificationForImage: (_image, imagePulledByKubelet) => imagePulledByKubelet,
};
const ALWAYS_VERIFY: ImagePullPolicyEnforcer = { requireCredentialVerificationForImage: () => true };

/**
 * `NewImagePullCredentialVerificationPolicy` (image_pull_policies.go, docs/kubelet-model.md#policies): NeverVerify
 * → never; NeverVerifyPreloadedImages → iff the kubelet pulled the image; NeverVerifyAllowlistedImages → iff the
 * image is not allowlisted (whether the kubelet pulled it is ignored); AlwaysVerify → always. The allowlist is used
 * only by NeverVerifyAllowlistedImages.
 */
export function createPolicyEnforcer(
  policy: ImagePullCredentialsVerificationPolicy,
  allowlist: ParsedAllowlist,
  matching: AllowlistMatching,
): ImagePullPolicyEnforcer {
  switch (policy) {
    case 'NeverVerify':
      return NEVER_VERIFY;
    case 'NeverVerifyPreloadedImages':
      return NEVER_VERIFY_PRELOADED;
    case 'NeverVerifyAllowlistedImages':
      return {
        requireCredentialVerificationForImage: (image) => !imageMatchesAllowlist(image, allowlist, matching),
      };
    case 'AlwaysVerify':
      return ALWAYS_VERIFY;
  }
}

// Go's `unicode.IsSpace`: unlike JavaScript's `trim`, it includes U+0085 and excludes U+FEFF.
const GO_SPACE = '[\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]';
const GO_SPACE_AT_EDGE = new RegExp(`^${GO_SPACE}|${GO_SPACE}$`);

/** `pattern != strings.TrimSpace(pattern)`. */
function hasGoSpaceAtEdge(pattern: string): boolean {
  return GO_SPACE_AT_EDGE.test(pattern);
}

function fail(error: string): { readonly ok: false; readonly error: string } {
  return { ok: false, error };
}
