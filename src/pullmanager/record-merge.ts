import type { Ticks } from '../time.js';
import type {
  ImagePullCredentials,
  ImagePulledRecord,
  ImagePullSecret,
  ImagePullServiceAccount,
} from './records.js';

/** A record after a merge, and whether anything changed (only a change is written). */
export interface MergeResult {
  readonly record: ImagePulledRecord;
  readonly changed: boolean;
}

/**
 * Merges `newCreds` into the entry `imageKey` of `record` (`pulledRecordMergeNewCreds`,
 * pkg/kubelet/images/pullmanager/image_pull_manager.go; docs/kubelet-model.md#writing-pulled-records). The first
 * rule that applies wins: no creds or empty creds → unchanged; no entry → add as given; node-wide entry → unchanged
 * (terminal); new node-wide creds → the entry becomes node-wide; secrets → merged by coordinates, new hash wins,
 * sorted; service accounts → set union, sorted. Any change sets lastUpdatedTime to `now`.
 */
export function pulledRecordMergeNewCreds(
  record: ImagePulledRecord,
  imageKey: string,
  newCreds: ImagePullCredentials | undefined,
  now: Ticks,
): MergeResult {
  if (newCreds === undefined) return { record, changed: false };
  const newSecrets = newCreds.kubernetesSecrets ?? [];
  const newServiceAccounts = newCreds.kubernetesServiceAccounts ?? [];
  if (!newCreds.nodePodsAccessible && newSecrets.length === 0 && newServiceAccounts.length === 0) {
    return { record, changed: false };
  }
  const selected = record.credentialMapping[imageKey];
  if (selected === undefined) {
    // A brand-new entry is stored exactly as given: not sorted, not de-duplicated.
    return { record: withEntry(record, imageKey, newCreds, now), changed: true };
  }
  if (selected.nodePodsAccessible) return { record, changed: false };

  if (newCreds.nodePodsAccessible) {
    return { record: withEntry(record, imageKey, { nodePodsAccessible: true }, now), changed: true };
  }
  if (newSecrets.length > 0) {
    const merged = mergePullSecrets(selected.kubernetesSecrets ?? [], newSecrets);
    if (merged === undefined) return { record, changed: false };
    return {
      record: withEntry(record, imageKey, { ...selected, kubernetesSecrets: merged }, now),
      changed: true,
    };
  }
  const merged = mergePullServiceAccounts(selected.kubernetesServiceAccounts ?? [], newServiceAccounts);
  if (merged === undefined) return { record, changed: false };
  return {
    record: withEntry(record, imageKey, { ...selected, kubernetesServiceAccounts: merged }, now),
    changed: true,
  };
}

function withEntry(
  record: ImagePulledRecord,
  imageKey: string,
  entry: ImagePullCredentials,
  now: Ticks,
): ImagePulledRecord {
  return {
    lastUpdatedTime: now,
    imageRef: record.imageRef,
    credentialMapping: { ...record.credentialMapping, [imageKey]: entry },
  };
}

/**
 * Union of secrets keyed by (uid, namespace, name); a new hash replaces the stored one. Returns undefined when
 * nothing changed, otherwise the result sorted by namespace, name, uid (`mergePullSecrets`).
 */
export function mergePullSecrets(
  orig: readonly ImagePullSecret[],
  incoming: readonly ImagePullSecret[],
): ImagePullSecret[] | undefined {
  const byCoordinates = new Map<string, ImagePullSecret>();
  for (const secret of orig) byCoordinates.set(coordinatesKey(secret), secret);
  let changed = false;
  for (const secret of incoming) {
    const key = coordinatesKey(secret);
    const existing = byCoordinates.get(key);
    if (existing === undefined || existing.credentialHash !== secret.credentialHash) {
      changed = true;
      byCoordinates.set(key, {
        uid: secret.uid,
        namespace: secret.namespace,
        name: secret.name,
        credentialHash: secret.credentialHash,
      });
    }
  }
  if (!changed) return undefined;
  return [...byCoordinates.values()].sort(compareCoordinates);
}

/** Set union of service accounts on the exact (uid, namespace, name); undefined when nothing is new. */
export function mergePullServiceAccounts(
  orig: readonly ImagePullServiceAccount[],
  incoming: readonly ImagePullServiceAccount[],
): ImagePullServiceAccount[] | undefined {
  const all = new Map<string, ImagePullServiceAccount>();
  for (const account of orig) all.set(coordinatesKey(account), account);
  let changed = false;
  for (const account of incoming) {
    const key = coordinatesKey(account);
    if (!all.has(key)) {
      changed = true;
      all.set(key, { uid: account.uid, namespace: account.namespace, name: account.name });
    }
  }
  if (!changed) return undefined;
  return [...all.values()].sort(compareCoordinates);
}

interface Coordinates {
  readonly uid: string;
  readonly namespace: string;
  readonly name: string;
}

function coordinatesKey(c: Coordinates): string {
  // NUL cannot occur in Kubernetes names or UIDs, so the key is unambiguous.
  return `${c.uid}\u0000${c.namespace}\u0000${c.name}`;
}

/** Go's strings.Compare on namespace, then name, then uid (byte order; names are ASCII). */
export function compareCoordinates(a: Coordinates, b: Coordinates): number {
  return (
    compareStrings(a.namespace, b.namespace) || compareStrings(a.name, b.name) || compareStrings(a.uid, b.uid)
  );
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
