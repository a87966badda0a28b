/**
 * What every record-store strategy returns: the accessor the pull manager uses, the kubelet's gauges when the
 * strategy keeps them, and the credential-deletion hook of `revoke-on-delete`.
 */

import type { PullRecordsAccessor, RecordsLogger } from '../pullmanager/accessor.js';
import type { PullRecordMetrics } from '../pullmanager/metered-accessor.js';

/**
 * A credential source that was deleted from the API server. Absent `name` or `uid` match any value; a namespace
 * stands for every secret and service account in it (its own `name`/`uid` are not used).
 */
export interface CredentialSourceDeletion {
  readonly kind: 'secret' | 'serviceAccount' | 'namespace';
  readonly namespace: string;
  readonly name?: string;
  readonly uid?: string;
}

/** An opened record store. */
export interface OpenedRecordStore {
  readonly accessor: PullRecordsAccessor;
  /** The kubelet's four gauges, for strategies built on the kubelet's metered stack. */
  readonly metrics?: PullRecordMetrics;
  /** `revoke-on-delete` only: forget the coordinates of a deleted secret, service account or namespace. */
  readonly onCredentialSourceDeleted?: (source: CredentialSourceDeletion) => void;
}

/** Options every strategy accepts. */
export interface RecordStoreOptions {
  /** Where log lines go (the kubelet's klog); nothing is logged when absent. */
  readonly logger?: RecordsLogger;
}
