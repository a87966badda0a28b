export {
  JOURNAL_COMPACTION_SLACK_LINES,
  type JournalOptions,
  JournalPullRecordsAccessor,
} from './journal.js';
export { MemoryPullRecordsAccessor } from './memory.js';
export { openRecordStore } from './open-record-store.js';
export type {
  CredentialSourceDeletion,
  OpenedRecordStore,
  RecordStoreOptions,
} from './opened-record-store.js';
export {
  formatRecordStoreSpec,
  MAX_REQUESTED_CACHE_SIZE,
  parseRecordStoreSpec,
  RECORD_STORE_STRATEGIES,
  type RecordStoreSpec,
} from './record-store-spec.js';
export {
  openRevokeOnDeleteRecordStore,
  revokeCredentialSource,
  withoutSource,
} from './revoke-on-delete.js';
export { isRecordExpired, TtlPullRecordsAccessor } from './ttl.js';
