/**
 * The audit report (`pullsim audit`, docs/audit.md and docs/contract.md §6): plain data, built by `auditScenario`
 * and printed by sim/report/audit-*.ts. Keys are declared in the order they are printed; `--json` keeps it.
 */
import {
  type ImagePullCredentialsVerificationPolicy,
  VERIFICATION_POLICIES,
} from '../../src/pullmanager/policy.js';

/** One of the four verification policies of KEP-2535, each audited as its run mode. */
export type AuditPolicy = ImagePullCredentialsVerificationPolicy;

/** A column of the audit: one of the four policies, or the node's own configuration. */
export type AuditColumn = AuditPolicy | 'as-configured';
export const AUDIT_COLUMNS: readonly AuditColumn[] = [...VERIFICATION_POLICIES, 'as-configured'];

/**
 * What the kubelet does at the container's next start: `reuse` the present image without contacting the
 * registry; `verify`: the image is present but the pod must pull it with its own credentials; `refused`
 * (`ErrImageNeverPull`: pull policy Never and the image absent or not verified for the pod); `pull`: the image
 * is absent, or the pull policy is Always; `error`: another waiting reason (an invalid image name, a credential
 * lookup error, a kubelet that would not start).
 */
export type NextStart = 'reuse' | 'verify' | 'refused' | 'pull' | 'error';

export interface ContainerDecision {
  readonly nextStart: NextStart;
  /** Why, in the kubelet's terms (the pull manager's step for a reuse). */
  readonly why: string;
  /** The kubelet's waiting reason for `refused` and `error`. */
  readonly reason?: string;
  /** Reused although no credential of the pod is recorded for the image (AlwaysVerify would not reuse it). */
  readonly exposed: boolean;
}

export interface AuditContainer {
  /** `namespace/name`. */
  readonly pod: string;
  readonly container: string;
  readonly role: 'init' | 'sidecar' | 'regular';
  readonly image: string;
  readonly imagePullPolicy: string;
  /** The runtime's image ID for the image string; null when the image is not on the node. */
  readonly imageRef: string | null;
  /**
   * What the kubelet would send to the image's registry for this pod (`secret:NS/NAME`, `serviceAccount:NS/NAME`,
   * `node`); empty: an anonymous pull; null when the lookup fails (`credentialError`).
   */
  readonly credentials: readonly string[] | null;
  readonly credentialError?: string;
  readonly decisions: Readonly<Record<AuditColumn, ContainerDecision>>;
}

/** A container that can start an image that no credential of its pod was verified for. */
export interface Exposure {
  readonly pod: string;
  readonly container: string;
  readonly image: string;
  readonly imageRef: string;
  readonly why: string;
}

export interface PolicySummary {
  readonly policy: AuditColumn;
  /** What the column runs: the policy, or for `as-configured` the node's policy or `legacy` (gate off). */
  readonly effective: string;
  readonly counts: Readonly<Record<NextStart, number>>;
  readonly exposedPods: number;
  readonly exposedImages: number;
  readonly exposures: readonly Exposure[];
}

/** A credential source a pulled record holds for one image name. */
export interface RecordedCredentials {
  /** The record's `credentialMapping` key (the image name without tag or digest). */
  readonly key: string;
  readonly nodeWide: boolean;
  readonly secrets: readonly {
    readonly namespace: string;
    readonly name: string;
    readonly uid: string;
    readonly credentialHash: string;
  }[];
  readonly serviceAccounts: readonly {
    readonly namespace: string;
    readonly name: string;
    readonly uid: string;
  }[];
}

/**
 * How the kubelet sees an image at start-up: `kubelet-pulled` (a pulled record), `leftover-intent` (no record but
 * an intent for one of its names: start-up turns it into a record without credentials), `preloaded` (neither:
 * the KEP's first-enablement case), `unreadable-record` (its record file does not decode: every check fails safe).
 */
export type ImageView = 'kubelet-pulled' | 'leftover-intent' | 'preloaded' | 'unreadable-record';

export interface AuditImage {
  readonly imageRef: string;
  /** Repo tags and digests the runtime lists. */
  readonly names: readonly string[];
  readonly view: ImageView;
  /** Some name of it, or a pod's image string for it, matches `preloadedImagesVerificationAllowlist`. */
  readonly allowlisted: boolean;
  readonly recordApiVersion: string | null;
  readonly lastUpdatedTime: string | null;
  readonly credentials: readonly RecordedCredentials[];
  /** Leftover intents naming it. */
  readonly intents: readonly string[];
  /** The decoder's error for an unreadable record. */
  readonly error?: string;
}

export interface AuditReport {
  readonly apiVersion: 'pullsim/v1alpha1';
  readonly kind: 'AuditReport';
  readonly scenario: string;
  readonly node: string;
  readonly kubeletVersion: string;
  readonly configured: {
    readonly featureGate: boolean;
    readonly policy: string | null;
    readonly allowlist: readonly string[];
  };
  readonly headline: {
    readonly policy: AuditColumn;
    readonly pods: number;
    readonly images: number;
    readonly text: string;
  };
  readonly policies: readonly PolicySummary[];
  readonly images: readonly AuditImage[];
  /** Pulled records whose image is not on the node. */
  readonly recordsWithoutImage: readonly string[];
  /** Leftover intents that name no image on the node (the name stays "kubelet-pulled"). */
  readonly danglingIntents: readonly string[];
  /** Files under image_manager/ that the kubelet's decoder rejects. */
  readonly unreadableFiles: readonly { readonly file: string; readonly error: string }[];
  readonly containers: readonly AuditContainer[];
  readonly couldNotJudge: readonly string[];
}
