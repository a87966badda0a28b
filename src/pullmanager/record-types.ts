/**
 * The kubelet's image-pull record types (`staging/src/k8s.io/kubelet/config/v1alpha1|v1beta1/types.go`) and their API
 * group. Import them from `records.ts`, which re-exports them beside the codec.
 */
import type { RecordApiVersion } from '../profiles.js';
import type { Ticks } from '../time.js';

/** `ImagePullIntent`: a pull of `image` (the pod's `image` string, verbatim) is in flight. */
export interface ImagePullIntent {
  readonly image: string;
}

/** `ImagePullSecret`: the coordinates of a pull secret and the SHA-256 of the credentials it held. */
export interface ImagePullSecret {
  readonly uid: string;
  readonly namespace: string;
  readonly name: string;
  readonly credentialHash: string;
}

/** `ImagePullServiceAccount` (KEP-4412 plugin credentials bound to a service account). */
export interface ImagePullServiceAccount {
  readonly uid: string;
  readonly namespace: string;
  readonly name: string;
}

/**
 * `ImagePullCredentials`: what an image was pulled with. Decoding leaves out empty lists and a false
 * `nodePodsAccessible`, the same fields the encoder omits, so a decoded value is in canonical form.
 */
export interface ImagePullCredentials {
  readonly kubernetesSecrets?: readonly ImagePullSecret[];
  readonly kubernetesServiceAccounts?: readonly ImagePullServiceAccount[];
  readonly nodePodsAccessible?: boolean;
}

/**
 * `ImagePulledRecord`. lastUpdatedTime: µs since the Unix epoch (Ticks), null = Go's zero time (encodes as null).
 * In memory it keeps µs; on disk it is truncated to whole seconds UTC (RFC 3339 'YYYY-MM-DDTHH:MM:SSZ').
 */
export interface ImagePulledRecord {
  readonly lastUpdatedTime: Ticks | null;
  readonly imageRef: string;
  readonly credentialMapping: Readonly<Record<string, ImagePullCredentials>>;
}

/** The API group of the record kinds (`kubelet.config.k8s.io`; the KEP's `imagemanager.` prefix was never used). */
export const RECORD_GROUP = 'kubelet.config.k8s.io';

/** The version the kubelet rewrites older record files in at start-up and reports as "latest" (`fs-accessor.ts`). */
export const LATEST_RECORD_API_VERSION: RecordApiVersion = 'v1beta1';
