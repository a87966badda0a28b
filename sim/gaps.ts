import { lookupPullCredentials } from '../src/credentials/index.js';
import type { SecretObject } from '../src/ports.js';
import type { MustAttemptImagePullMatch } from '../src/pullmanager/manager.js';
import { imageMatchesAllowlist, parseAllowlist } from '../src/pullmanager/policy.js';
import { parseImageName } from '../src/reference/index.js';
import type { Ticks } from '../src/time.js';

/**
 * Why a container could start in violation (docs/modes.md "What violation means"). Every class but `unexplained`
 * is a documented behaviour of the kubelet, not a simulator error:
 * - `no-verification`: the feature gate is off (legacy), the problem of kubernetes#18787 itself;
 * - `never-verify`: the NeverVerify policy never checks credentials;
 * - `preloaded`: NeverVerifyPreloadedImages exempts an image the kubelet never pulled;
 * - `deleted-records`: the same exemption after the record directory was deleted;
 * - `allowlisted`: NeverVerifyAllowlistedImages exempts an allowlisted image;
 * - `node-wide`: the image was pulled anonymously or with node credentials, so every pod may use it;
 * - `revocation`: the pod offers the very credential that was recorded, which the registry no longer accepts
 *   (records never expire);
 * - `rotation`: the pod's secret kept its identity (UID, namespace, name) while its content changed;
 * - `start-race`: the image was pulled for this very start, and the registry changed while the pull ran.
 */
export type GapClass =
  | 'no-verification'
  | 'never-verify'
  | 'preloaded'
  | 'deleted-records'
  | 'allowlisted'
  | 'node-wide'
  | 'revocation'
  | 'rotation'
  | 'start-race'
  | 'unexplained';

export const DOCUMENTED_GAPS: readonly GapClass[] = [
  'no-verification',
  'never-verify',
  'preloaded',
  'deleted-records',
  'allowlisted',
  'node-wide',
  'revocation',
  'rotation',
  'start-race',
];

/** A successful pull the node's runtime committed, with the kind of credential that won. */
export interface PullLogEntry {
  /** When the image landed in the runtime's store. */
  readonly t: Ticks;
  /** When the registry answered the pull (and authorised it): the start of the transfer. */
  readonly requested: Ticks;
  /** The pod's image string (the intent key). */
  readonly image: string;
  readonly imageRef: string;
  readonly credential: 'secret' | 'serviceAccount' | 'node' | 'anonymous';
}

export interface GapContext {
  readonly gateEnabled: boolean;
  readonly policy: string | undefined;
  readonly allowlist: readonly string[];
  readonly allowlistMatching: 'raw' | 'normalised';
  readonly now: Ticks;
  /** Successful pulls on this node so far. */
  readonly pulls: readonly PullLogEntry[];
  /** When the node's record directory was wiped. */
  readonly recordsDeletedAt: readonly Ticks[];
  /** When the registries last changed who may pull what (revocations, password changes, retags). */
  readonly registryChangedAt: readonly Ticks[];
  /** The pod's pull secrets as they are now. */
  readonly podSecrets: readonly SecretObject[];
  readonly podServiceAccount:
    | { readonly uid: string; readonly namespace: string; readonly name: string }
    | undefined;
  /** Node-wide credentials records written from files given at t=0 (imageManagerFiles). */
  readonly presetNodeWide: (imageRef: string) => boolean;
  /** Ground truth on disk, read without counting: is there a pulled record for the imageRef, an intent for the image? */
  readonly recordFileExists: (imageRef: string) => boolean;
  readonly intentFileExists: (image: string) => boolean;
}

/** A start that violated, with the kubelet's own account of it. */
interface ViolatingStart {
  /** Whether the kubelet pulled the image for this very start. */
  readonly pulled: boolean;
  /** What the pull manager says let it use the present image without a pull. */
  readonly match?: MustAttemptImagePullMatch;
  readonly image: string;
  readonly imageRef: string;
}

/**
 * Classifies a violating start by checking the kubelet's own account of why it let the container start (the
 * pull manager's match) against the world, so that a model bug cannot hide behind a documented gap: a claimed hash
 * match must be a real hash match of a secret the pod holds, a claimed preloaded image must never have been pulled
 * by the kubelet, and so on. Anything that does not check out is `unexplained`.
 */
export function classifyViolation(context: GapContext, start: ViolatingStart): GapClass {
  if (!context.gateEnabled) return start.pulled ? raceOrUnexplained(context, start) : 'no-verification';
  if (start.pulled) return raceOrUnexplained(context, start);
  const match = start.match;
  if (match === undefined) return 'unexplained';
  switch (match.kind) {
    case 'policy':
      return policyGap(context, start, match);
    case 'node-wide':
      return nodeWideGap(context, start);
    case 'secret':
      return secretGap(context, start.image, match);
    case 'service-account':
      return serviceAccountGap(context, match);
  }
}

/** The policy exempted the image: NeverVerify, an allowlisted image, or one the kubelet never pulled. */
function policyGap(
  context: GapContext,
  start: ViolatingStart,
  match: Extract<MustAttemptImagePullMatch, { kind: 'policy' }>,
): GapClass {
  if (context.policy === 'NeverVerify') return 'never-verify';
  if (context.policy === 'NeverVerifyAllowlistedImages') {
    const parsed = parseAllowlist(context.allowlist);
    return parsed.ok && imageMatchesAllowlist(start.image, parsed.value, context.allowlistMatching)
      ? 'allowlisted'
      : 'unexplained';
  }
  if (context.policy === 'NeverVerifyPreloadedImages' && !match.pulledByKubelet) {
    // "Preloaded" means no pulled record for the imageRef and no intent for this image string. Check the disk:
    // a record that exists there means the kubelet misjudged; none may exist legitimately because the
    // kubelet never pulled the image, a record write failed (only the pulled name's intent then remains), or
    // the directory was wiped.
    if (context.recordFileExists(start.imageRef) || context.intentFileExists(start.image))
      return 'unexplained';
    const lastPull = lastPullOf(context, start.imageRef)?.t;
    return lastPull !== undefined && context.recordsDeletedAt.some((t) => t >= lastPull)
      ? 'deleted-records'
      : 'preloaded';
  }
  return 'unexplained';
}

/** The record says every pod may use the image: it must have been pulled anonymously or with node credentials. */
function nodeWideGap(context: GapContext, start: ViolatingStart): GapClass {
  const key = imageKey(start.image);
  const nodeWidePull = context.pulls.some(
    (p) =>
      p.imageRef === start.imageRef &&
      (p.credential === 'node' || p.credential === 'anonymous') &&
      imageKey(p.image) === key,
  );
  return nodeWidePull || context.presetNodeWide(start.imageRef) ? 'node-wide' : 'unexplained';
}

/**
 * A recorded secret matched one the pod holds: by credential hash (the credential the registry no longer accepts)
 * or by coordinates (the same secret, its content since changed).
 */
function secretGap(
  context: GapContext,
  image: string,
  match: Extract<MustAttemptImagePullMatch, { kind: 'secret' }>,
): GapClass {
  const { podSecret, cachedSecret } = match;
  if (!podHoldsSecret(context, image, podSecret)) return 'unexplained';
  if (match.by === 'hash') {
    return podSecret.credentialHash !== '' && podSecret.credentialHash === cachedSecret.credentialHash
      ? 'revocation'
      : 'unexplained';
  }
  const sameIdentity =
    podSecret.uid === cachedSecret.uid &&
    podSecret.namespace === cachedSecret.namespace &&
    podSecret.name === cachedSecret.name;
  return sameIdentity ? 'rotation' : 'unexplained';
}

/** A recorded service account matched: it must be the pod's own, which the registry no longer accepts. */
function serviceAccountGap(
  context: GapContext,
  match: Extract<MustAttemptImagePullMatch, { kind: 'service-account' }>,
): GapClass {
  const account = context.podServiceAccount;
  const same =
    account !== undefined &&
    account.uid === match.account.uid &&
    account.namespace === match.account.namespace &&
    account.name === match.account.name;
  return same ? 'revocation' : 'unexplained';
}

function raceOrUnexplained(
  context: GapContext,
  start: { readonly imageRef: string; readonly image: string },
): GapClass {
  // The pull that made this start possible was authorised when the registry answered; a change since then (the
  // same virtual tick or during the transfer) makes the start a violation by the contract's definition.
  const pull = lastPullOf(context, start.imageRef);
  if (pull === undefined) return 'unexplained';
  const since = Math.min(pull.requested, pull.t - 1);
  return context.registryChangedAt.some((t) => t >= since) ? 'start-race' : 'unexplained';
}

function lastPullOf(context: GapContext, imageRef: string): PullLogEntry | undefined {
  let last: PullLogEntry | undefined;
  for (const pull of context.pulls)
    if (pull.imageRef === imageRef && (last === undefined || pull.t > last.t)) last = pull;
  return last;
}

function imageKey(image: string): string {
  const parsed = parseImageName(image);
  return parsed.ok ? parsed.value.repository : image;
}

/** Whether the pod really holds the secret the kubelet matched, with that credential hash for this image. */
function podHoldsSecret(
  context: GapContext,
  image: string,
  claimed: {
    readonly uid: string;
    readonly namespace: string;
    readonly name: string;
    readonly credentialHash: string;
  },
): boolean {
  const secret = context.podSecrets.find(
    (s) => s.uid === claimed.uid && s.namespace === claimed.namespace && s.name === claimed.name,
  );
  if (secret === undefined) return false;
  const repository = imageKey(image);
  const looked = lookupPullCredentials(repository, {
    pullSecrets: [secret],
    nodeConfig: undefined,
    plugins: [],
    serviceAccount: undefined,
    serviceAccountTracking: false,
    computeHashes: true,
  });
  return looked.ok && looked.credentials.some((c) => c.credentialHash === claimed.credentialHash);
}
