/**
 * The inner store the cached accessor's upstream tests put behind it (`testPullRecordsAccessor` and
 * `recordingPullRecordsAccessor`, pkg/kubelet/images/pullmanager/mem_pullrecords_test.go): records in maps, Lists
 * sorted by key, a List error per kind and a "next get/write error" that every point call returns while set, and the
 * names of the methods called, in order.
 *
 * The upstream tests set the cache's LRU and its `authoritative` flag directly; pullsim's cache has no such door,
 * so `stageCachedAccessor` reaches the same state through the accessor itself: it warms the cache from this store
 * (a List with an error leaves a filled cache non-authoritative; a clean one shorter than the cache makes it
 * authoritative), then puts the case's own records and errors in the store and forgets the calls made so far.
 */
import { compareGoStrings } from '../../src/go/index.js';
import type { PullRecordsAccessor } from '../../src/pullmanager/accessor.js';
import { CachedPullRecordsAccessor } from '../../src/pullmanager/cached-accessor.js';
import type { ImagePulledRecord, ImagePullIntent } from '../../src/pullmanager/records.js';

/** What the store holds and how it fails (upstream `newTestPullRecordsAccessor(...).with…Error(...)`). */
export interface StoreFacts {
  readonly intents?: readonly ImagePullIntent[];
  readonly pulledRecords?: readonly ImagePulledRecord[];
  readonly intentsListError?: string;
  readonly pulledRecordsListError?: string;
  readonly nextGetWriteError?: string;
}

/** A map-backed `PullRecordsAccessor` that fails on demand and records the methods called. */
export class FakePullRecordsStore implements PullRecordsAccessor {
  intents = new Map<string, ImagePullIntent>();
  pulledRecords = new Map<string, ImagePulledRecord>();
  #facts: StoreFacts = {};
  /** Upstream `recordingPullRecordsAccessor.methodsCalled`. */
  methodsCalled: string[] = [];

  constructor(facts: StoreFacts = {}) {
    this.reset(facts);
  }

  /** Replaces the content and the failures, and forgets the calls. */
  reset(facts: StoreFacts): void {
    this.#facts = facts;
    this.intents = new Map((facts.intents ?? []).map((intent) => [intent.image, intent]));
    this.pulledRecords = new Map((facts.pulledRecords ?? []).map((record) => [record.imageRef, record]));
    this.methodsCalled = [];
  }

  listImagePullIntents() {
    this.methodsCalled.push('ListImagePullIntents');
    const intents = sortedValues(this.intents);
    return { intents, errors: errorList(this.#facts.intentsListError) };
  }

  imagePullIntentExists(image: string) {
    this.methodsCalled.push('ImagePullIntentExists');
    const error = this.#facts.nextGetWriteError;
    if (error !== undefined) return { exists: false, error };
    return { exists: this.intents.has(image) };
  }

  writeImagePullIntent(image: string) {
    return this.#change('WriteImagePullIntent', () => this.intents.set(image, { image }));
  }

  deleteImagePullIntent(image: string) {
    return this.#change('DeleteImagePullIntent', () => this.intents.delete(image));
  }

  listImagePulledRecords() {
    this.methodsCalled.push('ListImagePulledRecords');
    const records = sortedValues(this.pulledRecords);
    return { records, errors: errorList(this.#facts.pulledRecordsListError) };
  }

  getImagePulledRecord(imageRef: string) {
    this.methodsCalled.push('GetImagePulledRecord');
    const record = this.pulledRecords.get(imageRef);
    const error = this.#facts.nextGetWriteError;
    // Upstream reports whether the record exists even when the read fails.
    if (error !== undefined) return { exists: record !== undefined, error };
    return record === undefined ? { exists: false } : { record, exists: true };
  }

  writeImagePulledRecord(record: ImagePulledRecord) {
    return this.#change('WriteImagePulledRecord', () => this.pulledRecords.set(record.imageRef, record));
  }

  deleteImagePulledRecord(imageRef: string) {
    return this.#change('DeleteImagePulledRecord', () => this.pulledRecords.delete(imageRef));
  }

  #change(method: string, apply: () => void): { readonly error?: string } {
    this.methodsCalled.push(method);
    const error = this.#facts.nextGetWriteError;
    if (error !== undefined) return { error };
    apply();
    return {};
  }
}

function sortedValues<V>(map: ReadonlyMap<string, V>): V[] {
  return [...map.keys()].sort(compareGoStrings).map((key) => map.get(key) as V);
}

function errorList(error: string | undefined): string[] {
  return error === undefined ? [] : [error];
}

/**
 * The state one cache starts a case in: its entries and its flag. The store lists in key order, so warmed entries
 * enter the LRU in key order, and the ones written after them (see `stageCachedAccessor`) last.
 */
export interface CacheState<V> {
  readonly entries: readonly V[];
  readonly authoritative: boolean;
}

/** Both caches' starting states, the cache sizes, and the store the case runs against. */
export interface StagedAccessor {
  readonly intents?: CacheState<ImagePullIntent>;
  readonly pulledRecords?: CacheState<ImagePulledRecord>;
  /** Upstream's per-method tests use an LRU of 100 for either kind (`newLRUCache(100)`, `mapToCache`). */
  readonly cacheSize?: number;
  readonly store: StoreFacts;
}

const EMPTY_AUTHORITATIVE: CacheState<never> = { entries: [], authoritative: true };

/**
 * A cached accessor whose caches hold the given entries with the given flags, in front of a store holding
 * `store`. An authoritative cache is warmed with all its entries but the last `entries.length - (size - 1)`, which
 * are then written through (a clean List of `size` entries would not be authoritative); a non-authoritative one is
 * warmed by a List that fails after returning every entry, which fills an empty cache.
 */
export function stageCachedAccessor(staged: StagedAccessor): {
  accessor: CachedPullRecordsAccessor;
  store: FakePullRecordsStore;
} {
  const { intents = EMPTY_AUTHORITATIVE, pulledRecords = EMPTY_AUTHORITATIVE, cacheSize = 100 } = staged;
  const warm = (state: CacheState<unknown>) => (state.authoritative ? cacheSize - 1 : cacheSize);
  const store = new FakePullRecordsStore({
    intents: intents.entries.slice(0, warm(intents)),
    pulledRecords: pulledRecords.entries.slice(0, warm(pulledRecords)),
    ...(intents.authoritative ? {} : { intentsListError: 'staging a non-authoritative cache' }),
    ...(pulledRecords.authoritative ? {} : { pulledRecordsListError: 'staging a non-authoritative cache' }),
  });
  const accessor = new CachedPullRecordsAccessor(store, {
    intentsCacheSize: cacheSize,
    pulledRecordsCacheSize: cacheSize,
  });
  for (const intent of intents.entries.slice(warm(intents))) accessor.writeImagePullIntent(intent.image);
  for (const record of pulledRecords.entries.slice(warm(pulledRecords)))
    accessor.writeImagePulledRecord(record);
  if (accessor.intentsAuthoritative !== intents.authoritative)
    throw new Error('staging: the intents cache did not reach its authoritative flag');
  if (accessor.pulledRecordsAuthoritative !== pulledRecords.authoritative)
    throw new Error('staging: the pulled-records cache did not reach its authoritative flag');
  store.reset(staged.store);
  return { accessor, store };
}
