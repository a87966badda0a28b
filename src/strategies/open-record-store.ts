/**
 * Opens the record store a spec names, or the profile's own stack when there is no spec: one table from strategy
 * name to opener, each opener called with the same options plus the arguments its spec carries.
 */
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

type StrategyName = RecordStoreSpec['strategy'];

/** The spec of one strategy, e.g. `{ strategy: 'ttl', ttl }`. */
type SpecOf<S extends StrategyName> = Extract<RecordStoreSpec, { readonly strategy: S }>;

/** Opens one strategy's store from the common options and its spec's arguments (`ttl`, `cacheSizes`, …). */
type RecordStoreOpener<S extends StrategyName> = (
  options: RecordStoreOptions & Omit<SpecOf<S>, 'strategy'>,
) => OpenedRecordStore;

/** Every strategy's opener, by name. */
const RECORD_STORE_OPENERS: { readonly [S in StrategyName]: RecordStoreOpener<S> } = {
  fs: openFilesOnlyRecordStore,
  'fs+lru': openFsLruRecordStore,
  memory: openMemoryRecordStore,
  ttl: openTtlRecordStore,
  'revoke-on-delete': (options) => {
    // The kubelet takes the hook only; `revoke` (the hook with its result) is for the strategy's own tests.
    const { accessor, metrics, onCredentialSourceDeleted } = openRevokeOnDeleteRecordStore(options);
    return { accessor, metrics, onCredentialSourceDeleted };
  },
  journal: openJournalRecordStore,
};

/**
 * Opens the record store of `spec` over `<kubeletRoot>/image_manager`. Without a spec it is exactly the profile's
 * production stack (`openPullRecordsStore`). The codec (apiVersion written, versions read, start-up migration,
 * service-account field) always follows the profile; the strategy decides how records are kept. Throws
 * `PullRecordsInitError` when the store cannot start (directories, an unreadable journal), as the kubelet fails to
 * start.
 *
 * @example
 * const spec = parseRecordStoreSpec('journal');
 * if (spec.ok) openRecordStore(spec.value, { fs, kubeletRoot: '/var/lib/kubelet', profile, clock });
 */
export function openRecordStore(
  spec: RecordStoreSpec | undefined,
  options: RecordStoreOptions,
): OpenedRecordStore {
  if (spec === undefined) {
    const { fs, kubeletRoot, profile, logger } = options;
    const store = openPullRecordsStore(fs, kubeletRoot, profile, logger === undefined ? {} : { logger });
    return { accessor: store.accessor, metrics: store.metrics };
  }
  return openStrategy(spec, options);
}

function openStrategy<S extends StrategyName>(
  spec: SpecOf<S>,
  options: RecordStoreOptions,
): OpenedRecordStore {
  const { strategy, ...args } = spec;
  const open: RecordStoreOpener<S> = RECORD_STORE_OPENERS[strategy];
  return open({ ...options, ...args });
}
