/**
 * `revoke-on-delete`: the 1.35 stack (`fs+lru`) plus a hook the API watch calls when a Secret, a ServiceAccount
 * or a Namespace is deleted. The KEP deferred this ("Delete cached credentials when a Secret or Namespace is
 * deleted … for beta we should consider", KEP-2535 README); no implementation is known.
 *
 * Idea: the deleted object's coordinates are removed from every pulled record, so a pod presenting a secret
 * that was deleted and re-created with the same name (a new uid) or the same content no longer matches, and a
 * namespace's deletion withdraws every credential recorded for it. Entries left with no secret and no service
 * account are removed; the record itself always stays, even with an empty mapping, because an absent record
 * would make the image look preloaded (exempt under `NeverVerifyPreloadedImages`), the opposite of revoking.
 * `lastUpdatedTime` is left as it was: a revocation verifies nothing.
 *
 * Trade-off: access ends with the object, not when the image is garbage-collected; but each deletion lists every
 * record (a full directory walk, `ListImagePulledRecords` in fs_pullrecords.go) and rewrites each one it changes, and after a namespace churn
 * the images of that namespace are pulled again by the next pods that use them.
 */
import type { PullRecordsAccessor, RecordsLogger } from '../pullmanager/accessor.js';
import { openFsLruRecordStore } from '../pullmanager/pull-records-store.js';
import type {
  ImagePullCredentials,
  ImagePulledRecord,
  ImagePullSecret,
  ImagePullServiceAccount,
} from '../pullmanager/records.js';
import type {
  CredentialSourceDeletion,
  OpenedRecordStore,
  RecordStoreOptions,
} from './opened-record-store.js';

/** What one revocation did. */
export interface RevocationResult {
  /** imageRefs of the records rewritten. */
  readonly rewritten: string[];
  /** List errors and failed rewrites (a failed rewrite keeps the old coordinates: access is not withdrawn). */
  readonly errors: string[];
}

/**
 * Removes the coordinates of a deleted credential source from every record and rewrites the records it changed
 * through `accessor`. Records that cannot be read (List errors) are left alone: they already force a pull.
 */
export function revokeCredentialSource(
  accessor: PullRecordsAccessor,
  source: CredentialSourceDeletion,
  logger?: RecordsLogger,
): RevocationResult {
  const listed = accessor.listImagePulledRecords();
  const errors = [...listed.errors];
  const rewritten: string[] = [];
  for (const record of listed.records) {
    const revoked = withoutSource(record, source);
    if (revoked === undefined) continue;
    const written = accessor.writeImagePulledRecord(revoked);
    if (written.error === undefined) rewritten.push(record.imageRef);
    else errors.push(`failed to rewrite the record of ${JSON.stringify(record.imageRef)}: ${written.error}`);
  }
  const fields = {
    kind: source.kind,
    namespace: source.namespace,
    ...(source.name === undefined ? {} : { name: source.name }),
    records: rewritten.length,
  };
  if (rewritten.length > 0)
    logger?.log('revoked the credentials of a deleted object from image pull records', fields);
  if (errors.length > 0)
    logger?.log('failed to revoke credentials of a deleted object', { ...fields, errors: errors.length });
  return { rewritten, errors };
}

/** The record without the source's coordinates, or undefined when it holds none of them. */
export function withoutSource(
  record: ImagePulledRecord,
  source: CredentialSourceDeletion,
): ImagePulledRecord | undefined {
  const revoked = (s: ImagePullSecret | ImagePullServiceAccount, kind: CredentialSourceDeletion['kind']) =>
    s.namespace === source.namespace &&
    (source.kind === 'namespace' ||
      (source.kind === kind &&
        (source.name === undefined || s.name === source.name) &&
        (source.uid === undefined || s.uid === source.uid)));
  let changed = false;
  const mapping: Record<string, ImagePullCredentials> = {};
  for (const [key, credentials] of Object.entries(record.credentialMapping)) {
    const secrets = credentials.kubernetesSecrets ?? [];
    const accounts = credentials.kubernetesServiceAccounts ?? [];
    const keptSecrets = secrets.filter((s) => !revoked(s, 'secret'));
    const keptAccounts = accounts.filter((a) => !revoked(a, 'serviceAccount'));
    if (keptSecrets.length === secrets.length && keptAccounts.length === accounts.length) {
      mapping[key] = credentials;
      continue;
    }
    changed = true;
    if (keptSecrets.length === 0 && keptAccounts.length === 0 && credentials.nodePodsAccessible !== true)
      continue;
    mapping[key] = {
      ...(keptSecrets.length > 0 ? { kubernetesSecrets: keptSecrets } : {}),
      ...(keptAccounts.length > 0 ? { kubernetesServiceAccounts: keptAccounts } : {}),
      ...(credentials.nodePodsAccessible === true ? { nodePodsAccessible: true } : {}),
    };
  }
  return changed
    ? { lastUpdatedTime: record.lastUpdatedTime, imageRef: record.imageRef, credentialMapping: mapping }
    : undefined;
}

/**
 * Opens `fs+lru` and the revocation hook over its top accessor (so the cache sees the rewrites); `revoke` is the
 * hook with its result, for tests and reports.
 */
export function openRevokeOnDeleteRecordStore(
  options: RecordStoreOptions,
): Required<OpenedRecordStore> & { readonly revoke: (source: CredentialSourceDeletion) => RevocationResult } {
  const inner = openFsLruRecordStore(options);
  const revoke = (source: CredentialSourceDeletion) =>
    revokeCredentialSource(inner.accessor, source, options.logger);
  return {
    accessor: inner.accessor,
    metrics: inner.metrics,
    revoke,
    onCredentialSourceDeleted: (source) => {
      revoke(source);
    },
  };
}
