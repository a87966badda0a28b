/**
 * Opens the record store a spec names, or the profile's own stack when there is no spec.
 */
import type { Clock, FileSystem } from '../ports.js';
import type { KubeletProfile } from '../profiles.js';
import {
  openFilesOnlyRecordStore,
  openFsLruRecordStore,
  openPullRecordsStore,
} from '../pullmanager/pull-records-store.js';
import { openJournalRecordStore } from './journal.js';
import { openMemoryRecordStore } from './memory.js';
import type { OpenedRecordStore, RecordStoreOptions } from './opened-record-store.js';
import type { RecordStoreSpec } from './record-store-spec.js';
import { openRevokeOnDeleteRecordStore } from './revoke-on-delete.js';
import { openTtlRecordStore } from './ttl.js';

/**
 * Opens the record store of `spec` over `<kubeletRoot>/image_manager`. Without a spec it is exactly the profile's
 * production stack (`openPullRecordsStore`). The codec (apiVersion written, versions read, start-up migration,
 * service-account field) always follows the profile; the strategy decides how records are kept. Throws
 * `PullRecordsInitError` when the store cannot start (directories, an unreadable journal), as the kubelet fails to
 * start.
 *
 * @example
 * const spec = parseRecordStoreSpec('journal');
 * if (spec.ok) openRecordStore(spec.value, fs, '/var/lib/kubelet', kubeletProfile('1.36'), clock);
 */
export function openRecordStore(
  spec: RecordStoreSpec | undefined,
  fs: FileSystem,
  kubeletRoot: string,
  profile: KubeletProfile,
  clock: Clock,
  options: RecordStoreOptions = {},
): OpenedRecordStore {
  if (spec === undefined) {
    const store = openPullRecordsStore(fs, kubeletRoot, profile, options);
    return { accessor: store.accessor, metrics: store.metrics };
  }
  switch (spec.strategy) {
    case 'fs':
      return openFilesOnlyRecordStore(fs, kubeletRoot, profile, clock, options);
    case 'fs+lru':
      return openFsLruRecordStore(fs, kubeletRoot, profile, clock, options, spec.cacheSizes);
    case 'memory':
      return openMemoryRecordStore(fs, kubeletRoot, profile, clock, options);
    case 'ttl':
      return openTtlRecordStore(fs, kubeletRoot, profile, clock, options, spec.ttl);
    case 'revoke-on-delete': {
      const { revoke: _revoke, ...store } = openRevokeOnDeleteRecordStore(
        fs,
        kubeletRoot,
        profile,
        clock,
        options,
      );
      return store;
    }
    case 'journal':
      return openJournalRecordStore(fs, kubeletRoot, profile, {
        ...options,
        volatileIntents: spec.volatileIntents,
      });
  }
}
