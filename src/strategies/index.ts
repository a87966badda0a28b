export {
  JOURNAL_COMPACTION_SLACK_LINES,
  type JournalOptions,
  JournalPullRecordsAccessor,
  openJournalRecordStore,
} from './journal.js';
export { MemoryPullRecordsAccessor, openMemoryRecordStore } from './memory.js';
export { openRecordStore } from './open-record-store.js';
export type {
  CredentialSourceDeletion,
  OpenedRecordStore,
  RecordStoreOptions,
} from './opened-record-store.js';
export {
  type DecisionFidelity,
  formatRecordStoreSpec,
  MAX_REQUESTED_CACHE_SIZE,
  parseRecordStoreSpec,
  RECORD_STORE_STRATEGIES,
  type RecordStoreSpec,
  type RecordStoreStrategyInfo,
} from './record-store-spec.js';
export {
  openRevokeOnDeleteRecordStore,
  type RevocationResult,
  revokeCredentialSource,
  withoutSource,
} from './revoke-on-delete.js';
export { isRecordExpired, openTtlRecordStore, TtlPullRecordsAccessor } from './ttl.js';
