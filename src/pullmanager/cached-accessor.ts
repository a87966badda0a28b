/**
 * The in-memory layer of the pull records (`cachedPullRecordsAccessor`, pkg/kubelet/images/pullmanager/
 * mem_pullrecords.go, #131882; docs/kubelet-model.md#the-in-memory-cache): a write-through LRU per record kind
 * with an "authoritative" flag that lets a miss skip the disk.
 *
 * Locks: the kubelet guards each cache with a striped lock set (FNV-1 of the key, ≤ 31 stripes): every miss path,
 * write and delete holds the key's stripe, and a List on a non-authoritative cache holds all stripes for the whole
 * call. The simulator runs one accessor call at a time, so there is nothing to lock; the comments below mark where
 * the kubelet takes them.
 */
import type { PullRecordsAccessor, RecordsLogger } from './accessor.js';
import { LruCache } from './lru.js';
import type { SizeExposedPullRecordsAccessor, SizeResult } from './metered-accessor.js';
import type { ImagePulledRecord, ImagePullIntent } from './records.js';

/** Hard cap on the intents cache (`NewCachedPullRecordsAccessor`). */
export const MAX_INTENTS_CACHE_SIZE = 1024;
/** Hard cap on the pulled-records cache. */
export const MAX_PULLED_RECORDS_CACHE_SIZE = 2000;

/** Options of the cached accessor. */
export interface CachedPullRecordsAccessorOptions {
  /** Requested intents cache size; capped at 1024. Must be ≥ 1 (see the constructor). */
  readonly intentsCacheSize: number;
  /** Requested pulled-records cache size; capped at 2000. Must be ≥ 1. */
  readonly pulledRecordsCacheSize: number;
  /**
   * False: take both sizes as requested, beyond the caps too (`fs+lru:<intents>/<records>`, to show what larger
   * caches would change). The kubelet always caps; default true.
   */
  readonly capped?: boolean;
  readonly logger?: RecordsLogger;
}

/**
 * `lruCache` (mem_pullrecords.go): an LRU plus the authoritative flag. Any eviction clears the flag except the
 * removal of a key being deleted explicitly (`deletingKeys`); `clear()` clears it too, and the refreshing List sets
 * it right afterwards.
 */
class AuthoritativeLru<V> {
  readonly lru: LruCache<string, V>;
  /** True ⇔ the cache holds every record that exists on disk, so a miss means "absent". Starts false. */
  authoritative = false;
  readonly #deletingKeys = new Set<string>();

  constructor(readonly maxSize: number) {
    this.lru = new LruCache<string, V>(maxSize, (key) => {
      if (!this.#deletingKeys.has(key)) this.authoritative = false;
    });
  }

  /** Explicit removal: never changes `authoritative`. The kubelet calls it under the key's stripe lock. */
  delete(key: string): void {
    this.#deletingKeys.add(key);
    this.lru.remove(key);
    this.#deletingKeys.delete(key);
  }

  /** Len × 100 / maxSize, integer division (`intentsSize` / `pulledRecordsSize`). */
  usagePercent(): number {
    return Math.floor((this.lru.size * 100) / this.maxSize);
  }
}

function cappedSize(requested: number, cap: number, what: string): number {
  if (!Number.isSafeInteger(requested) || requested < 1) {
    // Upstream a size of 0 makes the LRU unbounded and the usage gauge divide by zero (a kubelet panic); negative
    // sizes make every insert evict itself. Neither is a configuration worth simulating.
    throw new RangeError(`${what} cache size must be an integer ≥ 1, got ${requested}`);
  }
  return Math.min(requested, cap);
}

/**
 * `cachedPullRecordsAccessor` (mem_pullrecords.go): write-through caches of intents (≤ 1024) and pulled records
 * (≤ 2000) in front of a delegate. The constructor warms both caches with one List each. Hits never touch the
 * delegate; while a cache is authoritative its misses do not either; Lists always go to the delegate; misses are
 * never cached; memory changes only after the delegate succeeded.
 */
export class CachedPullRecordsAccessor implements SizeExposedPullRecordsAccessor {
  readonly #intents: AuthoritativeLru<ImagePullIntent>;
  readonly #pulledRecords: AuthoritativeLru<ImagePulledRecord>;

  constructor(
    private readonly delegate: PullRecordsAccessor,
    { intentsCacheSize, pulledRecordsCacheSize, capped = true, logger }: CachedPullRecordsAccessorOptions,
  ) {
    const intentsCap = capped ? MAX_INTENTS_CACHE_SIZE : Number.POSITIVE_INFINITY;
    const pulledRecordsCap = capped ? MAX_PULLED_RECORDS_CACHE_SIZE : Number.POSITIVE_INFINITY;
    this.#intents = new AuthoritativeLru(cappedSize(intentsCacheSize, intentsCap, 'intents'));
    this.#pulledRecords = new AuthoritativeLru(
      cappedSize(pulledRecordsCacheSize, pulledRecordsCap, 'pulled records'),
    );
    // Warm the caches; a failed List leaves that cache non-authoritative until a later List succeeds.
    const intents = this.listImagePullIntents();
    if (intents.errors.length > 0) {
      logger?.log(
        'there was an error initializing the image pull intents cache, the cache will work in a non-authoritative mode until the intents are listed successfully',
        { error: intents.errors.join(', ') },
      );
    }
    const records = this.listImagePulledRecords();
    if (records.errors.length > 0) {
      logger?.log(
        'there was an error initializing the image pulled records cache, the cache will work in a non-authoritative mode until the pulled records are listed successfully',
        { error: records.errors.join(', ') },
      );
    }
  }

  // ------------------------------------------------------------------------------------------------------------
  // Introspection (for tests and simulator checks; the kubelet exposes none of this)

  /** Whether an intents miss is answered "absent" without asking the delegate. */
  get intentsAuthoritative(): boolean {
    return this.#intents.authoritative;
  }

  /** Whether a pulled-records miss is answered "absent" without asking the delegate. */
  get pulledRecordsAuthoritative(): boolean {
    return this.#pulledRecords.authoritative;
  }

  /** The effective intents cache size (capped unless `capped: false`). */
  get intentsCacheMaxSize(): number {
    return this.#intents.maxSize;
  }

  /** The effective pulled-records cache size (capped unless `capped: false`). */
  get pulledRecordsCacheMaxSize(): number {
    return this.#pulledRecords.maxSize;
  }

  /** Cached intent images, least recently used first. */
  cachedIntentImages(): string[] {
    return this.#intents.lru.keys();
  }

  /** Cached pulled-record imageRefs, least recently used first. */
  cachedPulledRecordRefs(): string[] {
    return this.#pulledRecords.lru.keys();
  }

  // ------------------------------------------------------------------------------------------------------------
  // Intents

  listImagePullIntents(): { readonly intents: ImagePullIntent[]; readonly errors: string[] } {
    const listed = this.#refreshingList(
      this.#intents,
      () => {
        const result = this.delegate.listImagePullIntents();
        return { items: result.intents, errors: result.errors };
      },
      (intent) => intent.image,
    );
    return { intents: listed.items, errors: listed.errors };
  }

  imagePullIntentExists(image: string): { readonly exists: boolean; readonly error?: string } {
    // The kubelet first tries a lock-free Get, then takes the image's stripe and tries again.
    if (this.#intents.lru.get(image) !== undefined) return { exists: true };
    if (this.#intents.authoritative) return { exists: false };
    const answer = this.delegate.imagePullIntentExists(image);
    if (answer.error === undefined && answer.exists) this.#intents.lru.add(image, { image });
    return answer;
  }

  writeImagePullIntent(image: string): { readonly error?: string } {
    // Under the image's stripe lock.
    const result = this.delegate.writeImagePullIntent(image);
    if (result.error === undefined) this.#intents.lru.add(image, { image });
    return result;
  }

  deleteImagePullIntent(image: string): { readonly error?: string } {
    // Under the image's stripe lock.
    const result = this.delegate.deleteImagePullIntent(image);
    if (result.error === undefined) this.#intents.delete(image);
    return result;
  }

  // ------------------------------------------------------------------------------------------------------------
  // Pulled records

  listImagePulledRecords(): { readonly records: ImagePulledRecord[]; readonly errors: string[] } {
    const listed = this.#refreshingList(
      this.#pulledRecords,
      () => {
        const result = this.delegate.listImagePulledRecords();
        return { items: result.records, errors: result.errors };
      },
      (record) => record.imageRef,
    );
    return { records: listed.items, errors: listed.errors };
  }

  getImagePulledRecord(imageRef: string): {
    readonly record?: ImagePulledRecord;
    readonly exists: boolean;
    readonly error?: string;
  } {
    // Lock-free Get first, then the imageRef's stripe lock and a second Get (nothing can interleave here).
    const cached = this.#pulledRecords.lru.get(imageRef);
    if (cached !== undefined) return { record: cached, exists: true };
    if (this.#pulledRecords.authoritative) return { exists: false };
    const answer = this.delegate.getImagePulledRecord(imageRef);
    // Only a clean hit is cached; "exists but undecodable" passes through and leaves nothing behind.
    if (answer.error === undefined && answer.exists && answer.record !== undefined) {
      this.#pulledRecords.lru.add(imageRef, answer.record);
    }
    return answer;
  }

  writeImagePulledRecord(record: ImagePulledRecord): { readonly error?: string } {
    // Under the imageRef's stripe lock. The record object is shared with the caller, who must not mutate it.
    const result = this.delegate.writeImagePulledRecord(record);
    if (result.error === undefined) this.#pulledRecords.lru.add(record.imageRef, record);
    return result;
  }

  deleteImagePulledRecord(imageRef: string): { readonly error?: string } {
    // Under the imageRef's stripe lock.
    const result = this.delegate.deleteImagePulledRecord(imageRef);
    if (result.error === undefined) this.#pulledRecords.delete(imageRef);
    return result;
  }

  // ------------------------------------------------------------------------------------------------------------
  // Sizes (for the in-memory gauges)

  intentsSize(): SizeResult {
    return { ok: true, value: this.#intents.usagePercent() };
  }

  pulledRecordsSize(): SizeResult {
    return { ok: true, value: this.#pulledRecords.usagePercent() };
  }

  /**
   * `cacheRefreshingList`: always asks the delegate. An authoritative cache returns the answer untouched. Otherwise
   * (the kubelet holds every stripe of the lock set meanwhile) a clean answer with fewer than maxSize entries, or
   * any answer when the cache is empty, replaces the cache with the first maxSize entries in list order and sets
   * `authoritative` to whether the answer was clean and fitted.
   */
  #refreshingList<V>(
    cache: AuthoritativeLru<V>,
    list: () => { items: V[]; errors: string[] },
    keyOf: (value: V) => string,
  ): { items: V[]; errors: string[] } {
    const wasAuthoritative = cache.authoritative;
    const result = list();
    if (wasAuthoritative) return result;

    const resultsAreAuthoritative = result.errors.length === 0 && result.items.length < cache.maxSize;
    if (resultsAreAuthoritative || cache.lru.size === 0) {
      cache.lru.clear();
      for (const item of result.items.slice(0, cache.maxSize)) cache.lru.add(keyOf(item), item);
      cache.authoritative = resultsAreAuthoritative;
    }
    return result;
  }
}
