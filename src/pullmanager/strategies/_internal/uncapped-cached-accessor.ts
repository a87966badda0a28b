/**
 * The kubelet's write-through record cache without its size caps, for `fs+lru:<intents>/<records>`.
 *
 * `CachedPullRecordsAccessor` (../../cached-accessor.ts) reproduces `cachedPullRecordsAccessor` (mem_pullrecords.go,
 * spec/cache.md §4) including the hard caps of 1024 intents and 2000 records, which a benchmark of larger caches
 * must lift. This is the same algorithm with the requested sizes taken as they are; a test checks that with sizes
 * within the caps both make the same answers and the same file-system calls.
 */
import type { PullRecordsAccessor, RecordsLogger } from '../../accessor.js';
import { LruCache } from '../../lru.js';
import type { SizeExposedPullRecordsAccessor, SizeResult } from '../../metered-accessor.js';
import type { ImagePulledRecord, ImagePullIntent } from '../../records.js';

/** An LRU plus the authoritative flag, cleared by any eviction except an explicit delete (`lruCache`). */
class AuthoritativeLru<V> {
  readonly lru: LruCache<string, V>;
  authoritative = false;
  #deleting: string | undefined;

  constructor(readonly maxSize: number) {
    this.lru = new LruCache<string, V>(maxSize, (key) => {
      if (key !== this.#deleting) this.authoritative = false;
    });
  }

  delete(key: string): void {
    this.#deleting = key;
    this.lru.remove(key);
    this.#deleting = undefined;
  }

  usagePercent(): number {
    return Math.floor((this.lru.size * 100) / this.maxSize);
  }
}

/**
 * A write-through LRU per record kind in front of `delegate`, with the kubelet's semantics (warm-up by one List
 * per kind, hits and authoritative misses without the delegate, Lists always from the delegate, no negative
 * caching, memory changed only after the delegate succeeded) and sizes exactly as requested (each ≥ 1).
 */
export class UncappedCachedPullRecordsAccessor implements SizeExposedPullRecordsAccessor {
  readonly #intents: AuthoritativeLru<ImagePullIntent>;
  readonly #pulledRecords: AuthoritativeLru<ImagePulledRecord>;

  constructor(
    private readonly delegate: PullRecordsAccessor,
    intentsCacheSize: number,
    pulledRecordsCacheSize: number,
    logger?: RecordsLogger,
  ) {
    for (const size of [intentsCacheSize, pulledRecordsCacheSize]) {
      if (!Number.isSafeInteger(size) || size < 1)
        throw new RangeError(`cache size must be ≥ 1, got ${size}`);
    }
    this.#intents = new AuthoritativeLru(intentsCacheSize);
    this.#pulledRecords = new AuthoritativeLru(pulledRecordsCacheSize);
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

  listImagePullIntents(): ReturnType<PullRecordsAccessor['listImagePullIntents']> {
    const listed = refreshingList(
      this.#intents,
      () => {
        const result = this.delegate.listImagePullIntents();
        return { items: result.intents, errors: result.errors };
      },
      (intent) => intent.image,
    );
    return { intents: listed.items, errors: listed.errors };
  }

  imagePullIntentExists(image: string): ReturnType<PullRecordsAccessor['imagePullIntentExists']> {
    if (this.#intents.lru.get(image) !== undefined) return { exists: true };
    if (this.#intents.authoritative) return { exists: false };
    const answer = this.delegate.imagePullIntentExists(image);
    if (answer.error === undefined && answer.exists) this.#intents.lru.add(image, { image });
    return answer;
  }

  writeImagePullIntent(image: string): { readonly error?: string } {
    const result = this.delegate.writeImagePullIntent(image);
    if (result.error === undefined) this.#intents.lru.add(image, { image });
    return result;
  }

  deleteImagePullIntent(image: string): { readonly error?: string } {
    const result = this.delegate.deleteImagePullIntent(image);
    if (result.error === undefined) this.#intents.delete(image);
    return result;
  }

  listImagePulledRecords(): ReturnType<PullRecordsAccessor['listImagePulledRecords']> {
    const listed = refreshingList(
      this.#pulledRecords,
      () => {
        const result = this.delegate.listImagePulledRecords();
        return { items: result.records, errors: result.errors };
      },
      (record) => record.imageRef,
    );
    return { records: listed.items, errors: listed.errors };
  }

  getImagePulledRecord(imageRef: string): ReturnType<PullRecordsAccessor['getImagePulledRecord']> {
    const cached = this.#pulledRecords.lru.get(imageRef);
    if (cached !== undefined) return { record: cached, exists: true };
    if (this.#pulledRecords.authoritative) return { exists: false };
    const answer = this.delegate.getImagePulledRecord(imageRef);
    if (answer.error === undefined && answer.record !== undefined)
      this.#pulledRecords.lru.add(imageRef, answer.record);
    return answer;
  }

  writeImagePulledRecord(record: ImagePulledRecord): { readonly error?: string } {
    const result = this.delegate.writeImagePulledRecord(record);
    if (result.error === undefined) this.#pulledRecords.lru.add(record.imageRef, record);
    return result;
  }

  deleteImagePulledRecord(imageRef: string): { readonly error?: string } {
    const result = this.delegate.deleteImagePulledRecord(imageRef);
    if (result.error === undefined) this.#pulledRecords.delete(imageRef);
    return result;
  }

  intentsSize(): SizeResult {
    return { ok: true, value: this.#intents.usagePercent() };
  }

  pulledRecordsSize(): SizeResult {
    return { ok: true, value: this.#pulledRecords.usagePercent() };
  }
}

/**
 * `cacheRefreshingList`: always the delegate; an authoritative cache is left alone; otherwise a clean answer with
 * fewer than maxSize entries, or any answer into an empty cache, replaces the cache with the first maxSize entries.
 */
function refreshingList<V>(
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
