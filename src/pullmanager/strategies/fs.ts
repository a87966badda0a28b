/**
 * `fs`: the record store of kubelet 1.33 (alpha, kubernetes/kubernetes#128152; spec/cache.md §2, version A): one
 * JSON file per intent and per pulled record, no cache, no gauges.
 *
 * Idea: the files are the only state, so there is nothing to keep coherent and a restart loses nothing.
 * Trade-off: every check reads a file (open, fstat, read × 2, close; a miss is one failed open) and every write is
 * stat + open + write + close + rename (spec/cache.md §7). The codec (apiVersion, migration, service-account
 * field) still follows the profile, so `fs` under the 1.36 profile writes v1beta1 files.
 */
import type { Clock, FileSystem } from '../../ports.js';
import type { KubeletProfile } from '../../profiles.js';
import { openPullRecordsStore } from '../pull-records-store.js';
import type { OpenedRecordStore, RecordStoreOptions } from './opened-record-store.js';

/** Opens the files-only stack; throws `PullRecordsInitError` when the record directories cannot be created. */
export function openFilesOnlyRecordStore(
  fs: FileSystem,
  kubeletRoot: string,
  profile: KubeletProfile,
  _clock: Clock,
  { logger }: RecordStoreOptions = {},
): OpenedRecordStore {
  const store = openPullRecordsStore(
    fs,
    kubeletRoot,
    { ...profile, inMemoryCache: false, recordMetrics: false },
    logger === undefined ? {} : { logger },
  );
  return { accessor: store.accessor };
}
