/**
 * The kubelet's pull-record store as a profile builds it: the file accessor, the metering wrappers and the
 * in-memory cache (`NewFSPullRecordsAccessor`, `NewCachedPullRecordsAccessor`, `NewMeteringRecordsAccessor`;
 * pkg/kubelet/images/pullmanager/fs_pullrecords.go, mem_pullrecords.go, metrics.go).
 */
import type { FileSystem } from '../ports.js';
import type { KubeletProfile } from '../profiles.js';
import type { PullRecordsAccessor, RecordsLogger } from './accessor.js';
import { CachedPullRecordsAccessor } from './cached-accessor.js';
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
