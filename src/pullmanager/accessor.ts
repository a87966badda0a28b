/**
 * The pull-record storage interface of the kubelet (`PullRecordsAccessor`, pkg/kubelet/images/pullmanager/
 * interfaces.go; spec/cache.md §2.1) and the production stack behind it (§4.7).
 */
import type { EventRecorder, FileSystem } from '../ports.js';
import type { KubeletProfile } from '../profiles.js';
import { CachedPullRecordsAccessor } from './cached-accessor.js';
import { FileSystemPullRecordsAccessor } from './fs-accessor.js';
import {
  MeteredPullRecordsAccessor,
  newPullRecordMetrics,
  type PullRecordMetrics,
} from './metered-accessor.js';
import type { ImagePulledRecord, ImagePullIntent } from './records.js';

export type { PullRecordMetrics } from './metered-accessor.js';

/**
 * Reads and writes ImagePullIntents (keyed by the pod's image string) and ImagePulledRecords (keyed by the CRI
 * imageRef). Errors are values: Lists return what decoded plus one message per failure (upstream an aggregate
 * error); a corrupt pulled record reads as `exists: true` with an error.
 */
export interface PullRecordsAccessor {
  listImagePullIntents(): { readonly intents: ImagePullIntent[]; readonly errors: string[] };
  imagePullIntentExists(image: string): { readonly exists: boolean; readonly error?: string };
  writeImagePullIntent(image: string): { readonly error?: string };
  deleteImagePullIntent(image: string): { readonly error?: string };
  listImagePulledRecords(): { readonly records: ImagePulledRecord[]; readonly errors: string[] };
  getImagePulledRecord(imageRef: string): {
    readonly record?: ImagePulledRecord;
    readonly exists: boolean;
    readonly error?: string;
  };
  writeImagePulledRecord(record: ImagePulledRecord): { readonly error?: string };
  deleteImagePulledRecord(imageRef: string): { readonly error?: string };
}

/** Where the accessors write their log lines (the kubelet's klog); nothing is logged when absent. */
export type RecordsLogger = Pick<EventRecorder, 'log'>;

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
