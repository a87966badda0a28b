/**
 * `fs+lru` and `fs+lru:<intents>/<records>`: the record store of kubelet 1.35 (beta, kubernetes/kubernetes#131882,
 * #132812; spec/cache.md §4, §4.7): metering → write-through LRU cache → metering → files.
 *
 * Idea: keep the files as the source of truth and answer reads from a write-through LRU; while the cache is
 * authoritative (it holds everything on disk) a miss is answered without the disk as well.
 * Trade-off: hits cost nothing, but every mutation still pays the file protocol plus a directory scan for the
 * on-disk gauge, Lists always read every file, and once a cache evicts it stays non-authoritative (intents: for
 * the life of the process), so misses go back to the disk.
 *
 * `fs+lru` uses the kubelet's sizes, 1024 intents and 2000 records. `fs+lru:<i>/<r>` uses exactly the sizes given,
 * above the kubelet's caps too (the kubelet's cache with `capped: false`), so that a benchmark can show
 * what larger or smaller caches would change.
 */
import type { Clock, FileSystem } from '../../ports.js';
import type { KubeletProfile } from '../../profiles.js';
import { MAX_INTENTS_CACHE_SIZE, MAX_PULLED_RECORDS_CACHE_SIZE } from '../cached-accessor.js';
import { openPullRecordsStore } from '../pull-records-store.js';
import type { OpenedRecordStore, RecordStoreOptions } from './opened-record-store.js';

/** Cache sizes of `fs+lru:<intents>/<records>`. */
export interface RecordCacheSizes {
  readonly intents: number;
  readonly pulledRecords: number;
}

/**
 * Opens the 1.35 stack over the profile's codec, with the kubelet's cache sizes or, when `cacheSizes` is given,
 * exactly those. Throws `PullRecordsInitError` when the record directories cannot be created.
 */
export function openFsLruRecordStore(
  fs: FileSystem,
  kubeletRoot: string,
  profile: KubeletProfile,
  _clock: Clock,
  { logger }: RecordStoreOptions = {},
  cacheSizes?: RecordCacheSizes,
): OpenedRecordStore & { readonly metrics: NonNullable<OpenedRecordStore['metrics']> } {
  const store = openPullRecordsStore(
    fs,
    kubeletRoot,
    {
      ...profile,
      inMemoryCache: true,
      recordMetrics: true,
      intentsCacheSize: MAX_INTENTS_CACHE_SIZE,
      pulledRecordsCacheSize: MAX_PULLED_RECORDS_CACHE_SIZE,
    },
    {
      ...(logger === undefined ? {} : { logger }),
      ...(cacheSizes === undefined ? {} : { exactCacheSizes: cacheSizes }),
    },
  );
  return { accessor: store.accessor, metrics: store.metrics };
}
