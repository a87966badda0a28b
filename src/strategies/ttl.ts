/**
 * `ttl:<duration>`: the 1.35 stack (`fs+lru`) where a pulled record older than the TTL reads as if it held no
 * credentials. The KEP considered and dropped such a knob (`pullImageSecretRecheckPeriod` of the KEP-2535 drafts,
 * replaced by the four-value policy); this strategy measures what it would cost.
 *
 * Idea: a record whose `lastUpdatedTime` is more than the TTL behind the clock is returned with an EMPTY
 * credential mapping. It is NOT reported absent: an absent record (with no intent) makes the image look
 * preloaded, which `NeverVerifyPreloadedImages` exempts from verification, so expiry would grant access instead of
 * withdrawing it. An empty mapping keeps the image "pulled by the kubelet" and makes every use re-verify
 * (MustAttemptImagePull: "no credentials recorded for <image>", must pull). The pull that re-verifies merges into
 * the empty mapping, so the rewritten record holds only what was verified since, with a fresh time; the expired
 * entries are dropped for good, because `lastUpdatedTime` is per record and a refresh would otherwise revive them.
 *
 * Trade-off: a revoked credential stops granting access after at most the TTL, but every image's users pay one
 * registry round trip (a pull) per TTL period, and the registry is back in the critical path after each expiry.
 * Lists are not filtered (image GC compares times, not credentials). A record with the zero time (`null`) counts
 * as expired. Times read back from disk after a restart are whole seconds, so expiry can come up to 1 s earlier
 * than the in-memory time would say.
 */
import type { Clock } from '../ports.js';
import type { PullRecordsAccessor } from '../pullmanager/accessor.js';
import { openFsLruRecordStore } from '../pullmanager/pull-records-store.js';
import type { ImagePulledRecord } from '../pullmanager/records.js';
import type { Ticks } from '../time.js';
import type { OpenedRecordStore, RecordStoreOptions } from './opened-record-store.js';

/** Whether a record's credentials have expired: older than `ttl` at `now` (strictly), or with the zero time. */
export function isRecordExpired(record: ImagePulledRecord, ttl: Ticks, now: Ticks): boolean {
  return record.lastUpdatedTime === null || now - record.lastUpdatedTime > ttl;
}

/** Passes every call through; `getImagePulledRecord` empties the credential mapping of an expired record. */
export class TtlPullRecordsAccessor implements PullRecordsAccessor {
  constructor(
    private readonly delegate: PullRecordsAccessor,
    readonly ttl: Ticks,
    private readonly clock: Clock,
  ) {}

  listImagePullIntents(): ReturnType<PullRecordsAccessor['listImagePullIntents']> {
    return this.delegate.listImagePullIntents();
  }

  imagePullIntentExists(image: string): ReturnType<PullRecordsAccessor['imagePullIntentExists']> {
    return this.delegate.imagePullIntentExists(image);
  }

  writeImagePullIntent(image: string): { readonly error?: string } {
    return this.delegate.writeImagePullIntent(image);
  }

  deleteImagePullIntent(image: string): { readonly error?: string } {
    return this.delegate.deleteImagePullIntent(image);
  }

  listImagePulledRecords(): ReturnType<PullRecordsAccessor['listImagePulledRecords']> {
    return this.delegate.listImagePulledRecords();
  }

  getImagePulledRecord(imageRef: string): ReturnType<PullRecordsAccessor['getImagePulledRecord']> {
    const got = this.delegate.getImagePulledRecord(imageRef);
    const record = got.record;
    if (record === undefined || !isRecordExpired(record, this.ttl, this.clock.now())) return got;
    return { record: { ...record, credentialMapping: {} }, exists: true };
  }

  writeImagePulledRecord(record: ImagePulledRecord): { readonly error?: string } {
    return this.delegate.writeImagePulledRecord(record);
  }

  deleteImagePulledRecord(imageRef: string): { readonly error?: string } {
    return this.delegate.deleteImagePulledRecord(imageRef);
  }
}

/** Opens `fs+lru` and puts the expiry filter on top: records older than `ttl` read with no credentials. */
export function openTtlRecordStore(options: RecordStoreOptions & { readonly ttl: Ticks }): OpenedRecordStore {
  const inner = openFsLruRecordStore(options);
  return {
    accessor: new TtlPullRecordsAccessor(inner.accessor, options.ttl, options.clock),
    metrics: inner.metrics,
  };
}
