/**
 * The record journal's in-memory index (`../journal.ts`): the live intents and pulled records, the keys that
 * cannot be read, and the index written out as log lines, which is what a compaction stores.
 */
import type { KubeletProfile } from '../../profiles.js';
import {
  type DecodeOptions,
  encodeImagePulledRecord,
  type ImagePulledRecord,
  recordFileName,
} from '../../pullmanager/records.js';
import { compareFileNames } from '../memory.js';
import { encodeJournalLine, JOURNAL_HASH_LENGTH } from './journal-line.js';

/** The two kinds of entry the journal holds. */
export type JournalKind = 'intent' | 'record';

/** A live pulled record. */
export interface RecordEntry {
  readonly record: ImagePulledRecord;
  /** The line body: the record as the kubelet would write its file, without the newline. */
  readonly body: string;
  readonly fileName: string;
}

/** The key hash a journal line carries for a kubelet file name (`sha256-<hex>`). */
export function hashOf(fileName: string): string {
  return fileName.slice(7, 7 + JOURNAL_HASH_LENGTH);
}

/** How the journal reads and writes records: exactly as the profile's kubelet writes and reads its files. */
export interface JournalCodec {
  readonly decodeOptions: DecodeOptions;
  /** The record as the kubelet would write its file, without the newline. */
  body(record: ImagePulledRecord): string;
}

/** The codec of a kubelet profile. */
export function journalCodec(profile: KubeletProfile): JournalCodec {
  return {
    decodeOptions: {
      decodableApiVersions: profile.decodableApiVersions,
      serviceAccountField: profile.serviceAccountTracking,
    },
    body: (record) =>
      encodeImagePulledRecord(record, profile.recordApiVersion, {
        serviceAccountField: profile.serviceAccountTracking,
      }).slice(0, -1),
  };
}

/** The journal's live state. With `volatileIntents` the intents are kept but never written to the log. */
export class JournalIndex {
  /** image → file name. */
  readonly intents = new Map<string, string>();
  /** imageRef → entry. */
  readonly records = new Map<string, RecordEntry>();
  /** Unreadable entries per kind: hash prefix → reason. 16 digits name one key; shorter prefixes, many. */
  readonly unreadable: Record<JournalKind, Map<string, string>> = { intent: new Map(), record: new Map() };

  constructor(readonly volatileIntents: boolean) {}

  /** Live entries: what a compacted log holds. */
  get liveEntries(): number {
    const intents = this.volatileIntents ? 0 : this.intents.size + this.unreadable.intent.size;
    return intents + this.records.size + this.unreadable.record.size;
  }

  /** Why `key` cannot be read, when an unreadable prefix covers its hash. */
  unreadableReason(kind: JournalKind, key: string): string | undefined {
    const unreadable = this.unreadable[kind];
    if (unreadable.size === 0) return undefined;
    const hash = hashOf(recordFileName(key));
    for (const [prefix, reason] of unreadable) if (hash.startsWith(prefix)) return reason;
    return undefined;
  }

  /** The reasons of every unreadable entry of a kind (a List's errors). */
  unreadableErrors(kind: JournalKind): string[] {
    return [...this.unreadable[kind].values()];
  }

  /**
   * Marks the keys whose hash starts with `prefix` unreadable. A full hash names one key: its live entry, if any,
   * is dropped, as a corrupt file replaces the good one it overwrote.
   */
  markUnreadable(kind: JournalKind, prefix: string, reason: string): void {
    this.unreadable[kind].set(prefix, reason);
    if (prefix.length !== JOURNAL_HASH_LENGTH) return;
    if (kind === 'intent') {
      for (const [image, fileName] of this.intents)
        if (hashOf(fileName) === prefix) this.intents.delete(image);
    } else {
      for (const [ref, entry] of this.records)
        if (hashOf(entry.fileName) === prefix) this.records.delete(ref);
    }
  }

  /** The live state as log lines, in a fixed order (intents, records, unreadable entries). */
  liveLines(): string {
    let out = '';
    if (!this.volatileIntents) {
      const intents = [...this.intents].sort((a, b) => compareFileNames(a[1], b[1]));
      for (const [image, fileName] of intents)
        out += encodeJournalLine('+i', hashOf(fileName), JSON.stringify(image));
    }
    const records = [...this.records.values()].sort((a, b) => compareFileNames(a.fileName, b.fileName));
    for (const entry of records) out += encodeJournalLine('+r', hashOf(entry.fileName), entry.body);
    for (const kind of ['intent', 'record'] as const) {
      if (kind === 'intent' && this.volatileIntents) continue;
      const op = kind === 'intent' ? '!i' : '!r';
      const sorted = [...this.unreadable[kind]].sort((a, b) => compareFileNames(a[0], b[0]));
      for (const [prefix, reason] of sorted) out += encodeJournalLine(op, prefix, JSON.stringify(reason));
    }
    return out;
  }
}
