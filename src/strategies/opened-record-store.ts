/**
 * What every record-store strategy takes and returns: the options its opener is called with, and the accessor the
 * pull manager uses, the kubelet's gauges when the strategy keeps them, and the credential-deletion hook of
 * `revoke-on-delete`.
 */
import type { Clock } from '../ports.js';
import type { PullRecordsAccessor } from '../pullmanager/accessor.js';
import type { PullRecordMetrics } from '../pullmanager/metered-accessor.js';
import type { KubeletRecordStoreOptions } from '../pullmanager/pull-records-store.js';

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

/** What every strategy's opener takes: the kubelet's filesystem, root, profile and log, and its clock. */
export interface RecordStoreOptions extends KubeletRecordStoreOptions {
  /** The kubelet's clock, for strategies that age records (`ttl`). */
  readonly clock: Clock;
}
