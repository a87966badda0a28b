/**
 * The kubelet's pull-record store as a profile builds it: the file accessor, the metering wrappers and the
 * in-memory cache (`NewFSPullRecordsAccessor`, `NewCachedPullRecordsAccessor`, `NewMeteringRecordsAccessor`;
 * pkg/kubelet/images/pullmanager/fs_pullrecords.go, mem_pullrecords.go, metrics.go); and the two shapes it has
 * had, by strategy name: `fs` (1.33, files only) and `fs+lru` (1.35+, files behind the cache), under any profile's
 * codec.
 */
import type { FileSystem } from '../ports.js';
import type { KubeletProfile } from '../profiles.js';
import type { PullRecordsAccessor, RecordsLogger } from './accessor.js';
import {
  CachedPullRecordsAccessor,
  MAX_INTENTS_CACHE_SIZE,
  MAX_PULLED_RECORDS_CACHE_SIZE,
} from './cached-accessor.js';
import { FileSystemPullRecordsAccessor } from './fs-accessor.js';
import {
  MeteredPullRecordsAccessor,
  newPullRecordMetrics,
  type PullRecordMetrics,
} from './metered-accessor.js';

/** Options of `openPullRecordsStore`. */
export interface OpenPullRecordsStoreOptions {
  readonly logger?: RecordsLogger;
  /**
   * Cache sizes taken exactly as given, beyond the kubelet's caps too (`fs+lru:<intents>/<records>`). Default: the
   * profile's sizes, capped as the kubelet caps them.
   */
  readonly exactCacheSizes?: { readonly intents: number; readonly pulledRecords: number };
}

/** The opened store: the top of the stack, the gauges, and the layers for inspection. */
export interface PullRecordsStore {
  readonly accessor: PullRecordsAccessor;
  readonly metrics: PullRecordMetrics;
  /** The file layer (its directories, sizes). */
  readonly files: FileSystemPullRecordsAccessor;
  /** The in-memory layer when the profile has one (1.35+). */
  readonly cache?: CachedPullRecordsAccessor;
}

/**
 * Builds the production stack for a profile: file accessor (+ migration), metering, cache (1.35+), metering.
 * As `NewFSPullRecordsAccessor` + `NewCachedPullRecordsAccessor` (fs_pullrecords.go, mem_pullrecords.go): the
 * file accessor creates `<root>/image_manager/{pulling,pulled}` and, 1.35+, migrates old files; the cache warms
 * up with one List per kind. Throws `PullRecordsInitError` when a directory cannot be created (the kubelet does
 * not start).
 */
export function openPullRecordsStore(
  fs: FileSystem,
  kubeletRoot: string,
  profile: KubeletProfile,
  { logger, exactCacheSizes }: OpenPullRecordsStoreOptions = {},
): PullRecordsStore {
  const metrics = newPullRecordMetrics();
  const loggerOption = logger === undefined ? {} : { logger };
  const files = new FileSystemPullRecordsAccessor(fs, kubeletRoot, {
    recordApiVersion: profile.recordApiVersion,
    decodableApiVersions: profile.decodableApiVersions,
    serviceAccountField: profile.serviceAccountTracking,
    migrateRecordsAtStartup: profile.migrateRecordsAtStartup,
    ...loggerOption,
  });
  const onDisk: PullRecordsAccessor = profile.recordMetrics
    ? new MeteredPullRecordsAccessor(files, metrics, 'onDisk', loggerOption)
    : files;
  if (!profile.inMemoryCache) return { accessor: onDisk, metrics, files };

  const cache = new CachedPullRecordsAccessor(
    onDisk,
    exactCacheSizes === undefined
      ? {
          intentsCacheSize: profile.intentsCacheSize,
          pulledRecordsCacheSize: profile.pulledRecordsCacheSize,
          ...loggerOption,
        }
      : {
          intentsCacheSize: exactCacheSizes.intents,
          pulledRecordsCacheSize: exactCacheSizes.pulledRecords,
          capped: false,
          ...loggerOption,
        },
  );
  const accessor = profile.recordMetrics
    ? new MeteredPullRecordsAccessor(cache, metrics, 'inMemory', loggerOption)
    : cache;
  return { accessor, metrics, files, cache };
}

/** Where a store is opened and for which kubelet: what the openers of `fs` and `fs+lru` take. */
export interface KubeletRecordStoreOptions {
  readonly fs: FileSystem;
  /** The kubelet's `--root-dir`; the records live in `<kubeletRoot>/image_manager`. */
  readonly kubeletRoot: string;
  /** The codec follows it: apiVersion written, versions read, start-up migration, service-account field. */
  readonly profile: KubeletProfile;
  readonly logger?: RecordsLogger;
}

/**
 * `fs`: the record store of kubelet 1.33 (alpha, kubernetes/kubernetes#128152): one JSON file per intent and per
 * pulled record, no cache, no gauges.
 *
 * Idea: the files are the only state, so there is nothing to keep coherent and a restart loses nothing.
 * Trade-off: every check reads a file (open, fstat, read × 2, close; a miss is one failed open) and every write is
 * stat + open + write + close + rename (`writeFile` in fs_pullrecords.go). The codec (apiVersion, migration,
 * service-account field) still follows the profile, so `fs` under the 1.36 profile writes v1beta1 files.
 * Throws `PullRecordsInitError` when the record directories cannot be created.
 */
export function openFilesOnlyRecordStore({
  fs,
  kubeletRoot,
  profile,
  logger,
}: KubeletRecordStoreOptions): Pick<PullRecordsStore, 'accessor'> {
  const store = openPullRecordsStore(
    fs,
    kubeletRoot,
    { ...profile, inMemoryCache: false, recordMetrics: false },
    logger === undefined ? {} : { logger },
  );
  return { accessor: store.accessor };
}

/** Cache sizes of `fs+lru:<intents>/<records>`. */
export interface RecordCacheSizes {
  readonly intents: number;
  readonly pulledRecords: number;
}

/**
 * `fs+lru` and `fs+lru:<intents>/<records>`: the record store of kubelet 1.35 (beta, kubernetes/kubernetes#131882,
 * #132812): metering → write-through LRU cache → metering → files.
 *
 * Idea: keep the files as the source of truth and answer reads from a write-through LRU; while the cache is
 * authoritative (it holds everything on disk) a miss is answered without the disk as well.
 * Trade-off: hits cost nothing, but every mutation still pays the file protocol plus a directory scan for the
 * on-disk gauge, Lists always read every file, and once a cache evicts it stays non-authoritative (intents: for
 * the life of the process), so misses go back to the disk.
 *
 * `fs+lru` uses the kubelet's sizes, 1024 intents and 2000 records. With `cacheSizes` (`fs+lru:<i>/<r>`) it uses
 * exactly the sizes given, above the kubelet's caps too (the kubelet's cache with `capped: false`), so that a
 * benchmark can show what larger or smaller caches would change. Throws `PullRecordsInitError` when the record
 * directories cannot be created.
 */
export function openFsLruRecordStore({
  fs,
  kubeletRoot,
  profile,
  logger,
  cacheSizes,
}: KubeletRecordStoreOptions & { readonly cacheSizes?: RecordCacheSizes }): Pick<
  PullRecordsStore,
  'accessor' | 'metrics'
> {
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
