/**
 * `memory`: pull records in process memory only, nothing on disk. This is the design the KEP tried and rejected
 * (in-memory only, KEP 2021-05 and kubernetes/enhancements#4431, reverted by #4693), kept
 * as a baseline for comparison.
 *
 * Idea: no persistence at all, so no I/O at all.
 * Trade-off: a kubelet restart forgets every intent and every record. Images pulled before it then look
 * preloaded, which `NeverVerifyPreloadedImages` (the default policy) lets every pod use without credentials:
 * exactly the multi-tenancy hole of kubernetes/kubernetes#18787 that the KEP closes.
 */
import type { PullRecordsAccessor } from '../pullmanager/accessor.js';
import { type ImagePulledRecord, type ImagePullIntent, recordFileName } from '../pullmanager/records.js';
import type { OpenedRecordStore } from './opened-record-store.js';

/**
 * Intents and records in two maps. Nothing can fail. Lists come back in the order of the kubelet's file names
 * (SHA-256 of the key), so that they line up with the file accessor's. Records are kept as written (the same
 * object, which callers must not mutate), with their microsecond times.
 */
export class MemoryPullRecordsAccessor implements PullRecordsAccessor {
  /** image → its file name (the sort key of Lists). */
  readonly #intents = new Map<string, string>();
  /** imageRef → the record and its file name. */
  readonly #records = new Map<string, { readonly record: ImagePulledRecord; readonly fileName: string }>();

  listImagePullIntents(): { readonly intents: ImagePullIntent[]; readonly errors: string[] } {
    const sorted = [...this.#intents].sort((a, b) => compareFileNames(a[1], b[1]));
    return { intents: sorted.map(([image]) => ({ image })), errors: [] };
  }

  imagePullIntentExists(image: string): { readonly exists: boolean } {
    return { exists: this.#intents.has(image) };
  }

  writeImagePullIntent(image: string): { readonly error?: string } {
    if (!this.#intents.has(image)) this.#intents.set(image, recordFileName(image));
    return {};
  }

  deleteImagePullIntent(image: string): { readonly error?: string } {
    this.#intents.delete(image);
    return {};
  }

  listImagePulledRecords(): { readonly records: ImagePulledRecord[]; readonly errors: string[] } {
    const sorted = [...this.#records.values()].sort((a, b) => compareFileNames(a.fileName, b.fileName));
    return { records: sorted.map((entry) => entry.record), errors: [] };
  }

  getImagePulledRecord(imageRef: string): { readonly record?: ImagePulledRecord; readonly exists: boolean } {
    const entry = this.#records.get(imageRef);
    return entry === undefined ? { exists: false } : { record: entry.record, exists: true };
  }

  writeImagePulledRecord(record: ImagePulledRecord): { readonly error?: string } {
    const fileName = this.#records.get(record.imageRef)?.fileName ?? recordFileName(record.imageRef);
    this.#records.set(record.imageRef, { record, fileName });
    return {};
  }

  deleteImagePulledRecord(imageRef: string): { readonly error?: string } {
    this.#records.delete(imageRef);
    return {};
  }
}

/**
 * File names are `sha256-` + lowercase hex, so code-unit order is their byte order; two keys of one map never
 * share a name (that would be a SHA-256 collision).
 */
export function compareFileNames(a: string, b: string): number {
  return a < b ? -1 : 1;
}

/** Opens an empty in-memory store: whatever an earlier process knew is gone. No file is touched. */
export function openMemoryRecordStore(): OpenedRecordStore {
  return { accessor: new MemoryPullRecordsAccessor() };
}
