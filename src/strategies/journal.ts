/**
 * `journal` and `journal:volatile-intents`: pull records in one append-only log, `<root>/image_manager/journal.log`,
 * and an in-memory index of its live state. A design of pullsim's, not the kubelet's.
 *
 * Idea: the kubelet's file protocol spends five system calls on every write (stat, open, write, close, rename)
 * plus a directory scan for its gauges, and a read on every miss its cache cannot vouch for (`writeFile` in
 * fs_pullrecords.go, mem_pullrecords.go). The journal keeps the whole state in memory, so reads, existence checks
 * and Lists never touch the disk, and makes each mutation one `write` through a handle opened once (O_APPEND).
 * Start-up reads the log once and replays it. When the log holds more than 2 × the live entries + 1000 lines,
 * compaction writes the live state to `journal.log.tmp`, reads it back, and renames it over the log (atomic, as
 * the kubelet's own writes). Mutations that would not change the state (an intent that is already recorded, a
 * record written again unchanged, the delete of something absent) are not written at all.
 *
 * Decisions equal the kubelet's: the index holds each record exactly as the kubelet would read its file back
 * (encoded and decoded with the profile's codec, so times are whole seconds and a 1.33 profile drops service
 * accounts), Lists come in the kubelet's file-name order, and an entry that cannot be read (a torn line, a record
 * the profile cannot decode, an imported corrupt file) answers as the kubelet answers for a corrupt file: the
 * record "exists" with an error, the intent check fails, so the image must be pulled.
 *
 * Migration: when no journal exists yet and the kubelet's `pulling/` and `pulled/` directories do, their files are
 * imported once (undecodable ones as unreadable entries; a file whose content names another key than its file
 * name is reported and dropped), the log is written by a compaction, and the imported files are removed. Once the
 * log exists those directories are ignored. Switching back to `fs` does not export the log.
 *
 * Trade-offs:
 * - `journal`: three appends per pull (intent, record, intent delete), because the intent must be durable before
 *   the pull for the crash guarantee the KEP asks for ("a crash mid-pull cannot make an image look preloaded");
 *   memory holds every record (the kubelet's cache holds at most 2000); start-up reads the whole log; and a torn
 *   append is attributed to its key by a 16-digit hash prefix in the line, not by a file name. A line torn within
 *   its first 19 characters keeps less of the hash, and the journal then makes a whole range of keys (down to
 *   every key) answer "unreadable" for good, which is safe but can make preloaded images need verification. An
 *   append the device acknowledged but did not store at all cannot be detected.
 * - `journal:volatile-intents`: intents stay in memory, so a pull of a new image–credential pair costs one append
 *   (the record) and a pull that changes nothing costs none. The price: if the kubelet dies after the runtime
 *   pulled an image but before the record is appended (or restarts after the record append failed, when the
 *   kubelet keeps the intent on purpose, `RecordImagePulled` in image_pull_manager.go), nothing on disk says the
 *   kubelet pulled it. After the restart the image looks preloaded, so under `NeverVerifyPreloadedImages` any pod
 *   may use it without credentials until it is pulled again, where the kubelet would have turned the intent into
 *   a record with no credentials (re-verify on every use, `initialize` in image_pull_manager.go). `AlwaysVerify`
 *   and `NeverVerifyAllowlistedImages` do not look at "pulled by the kubelet" and are not affected. Without a
 *   restart while a pull is in flight or its intent is kept, the decisions are the kubelet's.
 */
import type { FileSystem } from '../ports.js';
import type { KubeletProfile } from '../profiles.js';
import type { PullRecordsAccessor, RecordsLogger } from '../pullmanager/accessor.js';
import { attempt, PullRecordsInitError } from '../pullmanager/fs-accessor.js';
import type { KubeletRecordStoreOptions } from '../pullmanager/pull-records-store.js';
import {
  decodeImagePulledRecord,
  type ImagePulledRecord,
  type ImagePullIntent,
  recordFileName,
} from '../pullmanager/records.js';
import { hashOf, type JournalCodec, JournalIndex, journalCodec } from './_internal/journal-index.js';
import { JournalLog } from './_internal/journal-log.js';
import { importKubeletFiles, replayJournal } from './_internal/journal-replay.js';
import { compareFileNames } from './memory.js';
import type { OpenedRecordStore } from './opened-record-store.js';

/** Compaction runs once the log has more than this many lines beyond twice the live entries. */
export const JOURNAL_COMPACTION_SLACK_LINES = 1000;

/** Options of the journal accessor. */
export interface JournalOptions {
  /** Where log lines go (the kubelet's klog); nothing is logged when absent. */
  readonly logger?: RecordsLogger;
  /** Keep intents in memory only (`journal:volatile-intents`). Default false. */
  readonly volatileIntents?: boolean;
  /**
   * Compact once the log has more lines than 2 × the live entries + this. Default
   * `JOURNAL_COMPACTION_SLACK_LINES`; tests lower it to compact often.
   */
  readonly compactionSlackLines?: number;
}

/**
 * The journal's `PullRecordsAccessor`. The constructor replays (or imports) and throws `PullRecordsInitError` when
 * it cannot: a kubelet that started with an unread journal would take every image for preloaded. The index lives
 * in `_internal/journal-index.ts`, appends and compaction in `_internal/journal-log.ts`, replay and the import of
 * the kubelet's files in `_internal/journal-replay.ts`.
 */
export class JournalPullRecordsAccessor implements PullRecordsAccessor {
  /** `<root>/image_manager/journal.log`. */
  readonly logPath: string;
  readonly #fs: FileSystem;
  readonly #imageManagerDir: string;
  readonly #volatileIntents: boolean;
  readonly #codec: JournalCodec;
  readonly #logger: RecordsLogger | undefined;
  readonly #compactionSlackLines: number;
  readonly #index: JournalIndex;
  readonly #log: JournalLog;
  /** What start-up found wrong (torn lines, undecodable lines, skipped files), for reports and tests. */
  readonly replayProblems: string[] = [];

  constructor(
    fs: FileSystem,
    kubeletRoot: string,
    profile: KubeletProfile,
    {
      logger,
      volatileIntents = false,
      compactionSlackLines = JOURNAL_COMPACTION_SLACK_LINES,
    }: JournalOptions = {},
  ) {
    this.#fs = fs;
    this.#imageManagerDir = `${kubeletRoot.replace(/\/+$/, '')}/image_manager`;
    this.logPath = `${this.#imageManagerDir}/journal.log`;
    this.#volatileIntents = volatileIntents;
    this.#codec = journalCodec(profile);
    this.#logger = logger;
    this.#index = new JournalIndex(volatileIntents);
    this.#log = new JournalLog(this.logPath, fs, logger);
    if (!Number.isSafeInteger(compactionSlackLines) || compactionSlackLines < 0) {
      throw new RangeError(`compactionSlackLines must be an integer ≥ 0, got ${compactionSlackLines}`);
    }
    this.#compactionSlackLines = compactionSlackLines;
    if (fs.openAppend === undefined) {
      throw new PullRecordsInitError(
        'the journal record store needs a filesystem that can append (openAppend)',
      );
    }
    this.#start();
  }

  /** Start-up: replay the log, or import the kubelet's files when there is none yet. */
  #start(): void {
    const fs = this.#fs;
    const made = attempt(() => fs.mkdirAll(this.#imageManagerDir));
    if (!made.ok) throw new PullRecordsInitError(made.error.message);
    const read = attempt(() => fs.readFile(this.logPath));
    if (read.ok) {
      const text = read.value;
      this.#log.lines = replayJournal(text, this.#index, this.#codec, this.replayProblems);
      this.#log.startWithNewline = text.length > 0 && !text.endsWith('\n');
    } else if (read.error.code === 'ENOENT') this.#importKubeletFiles();
    else throw new PullRecordsInitError(`failed to read the record journal: ${read.error.message}`);
    if (this.replayProblems.length > 0) {
      this.#logger?.log('the record journal had entries that cannot be read; they force verification', {
        problems: this.replayProblems.length,
        first: this.replayProblems[0] as string,
      });
    }
    if (this.#needsCompaction()) this.#compact();
  }

  // ------------------------------------------------------------------------------------------------------------
  // Introspection

  /** Lines in the log file now (what compaction compares with the live entries). */
  get logLines(): number {
    return this.#log.lines;
  }

  /** Live entries: what a compacted log holds. */
  get liveEntries(): number {
    return this.#index.liveEntries;
  }

  // ------------------------------------------------------------------------------------------------------------
  // Intents

  listImagePullIntents(): { readonly intents: ImagePullIntent[]; readonly errors: string[] } {
    const sorted = [...this.#index.intents].sort((a, b) => compareFileNames(a[1], b[1]));
    return { intents: sorted.map(([image]) => ({ image })), errors: this.#index.unreadableErrors('intent') };
  }

  imagePullIntentExists(image: string): { readonly exists: boolean; readonly error?: string } {
    if (this.#index.intents.has(image)) return { exists: true };
    const reason = this.#index.unreadableReason('intent', image);
    return reason === undefined ? { exists: false } : { exists: false, error: reason };
  }

  writeImagePullIntent(image: string): { readonly error?: string } {
    const index = this.#index;
    // The kubelet rewrites the file every time; an intent already recorded changes nothing, so nothing is written.
    if (index.intents.has(image)) return {};
    const fileName = recordFileName(image);
    const hash = hashOf(fileName);
    if (!this.#volatileIntents) {
      const error = this.#log.append('+i', hash, JSON.stringify(image));
      if (error !== undefined) return { error };
    }
    index.intents.set(image, fileName);
    index.unreadable.intent.delete(hash);
    return this.#afterMutation();
  }

  deleteImagePullIntent(image: string): { readonly error?: string } {
    const index = this.#index;
    const live = index.intents.get(image);
    const hash = hashOf(live ?? recordFileName(image));
    if (live === undefined && !index.unreadable.intent.has(hash)) return {};
    if (!this.#volatileIntents) {
      const error = this.#log.append('-i', hash, JSON.stringify(image));
      if (error !== undefined) return { error };
    }
    index.intents.delete(image);
    index.unreadable.intent.delete(hash);
    return this.#afterMutation();
  }

  // ------------------------------------------------------------------------------------------------------------
  // Pulled records

  listImagePulledRecords(): { readonly records: ImagePulledRecord[]; readonly errors: string[] } {
    const sorted = [...this.#index.records.values()].sort((a, b) => compareFileNames(a.fileName, b.fileName));
    return { records: sorted.map((entry) => entry.record), errors: this.#index.unreadableErrors('record') };
  }

  getImagePulledRecord(imageRef: string): {
    readonly record?: ImagePulledRecord;
    readonly exists: boolean;
    readonly error?: string;
  } {
    const entry = this.#index.records.get(imageRef);
    if (entry !== undefined) return { record: entry.record, exists: true };
    const reason = this.#index.unreadableReason('record', imageRef);
    // As for a corrupt file: it exists but cannot be used, so the manager demands a pull and later overwrites it.
    return reason === undefined ? { exists: false } : { exists: true, error: reason };
  }

  writeImagePulledRecord(record: ImagePulledRecord): { readonly error?: string } {
    const index = this.#index;
    const body = this.#codec.body(record);
    const existing = index.records.get(record.imageRef);
    if (existing?.body === body) return {};
    const fileName = existing?.fileName ?? recordFileName(record.imageRef);
    const decoded = decodeImagePulledRecord(body, this.#codec.decodeOptions);
    if (!decoded.ok) {
      // The profile's encoder and decoder disagree: a pullsim bug, not a kubelet outcome.
      throw new Error(`journal: a record encoded for this profile does not decode: ${decoded.error}`);
    }
    const hash = hashOf(fileName);
    const error = this.#log.append('+r', hash, body);
    if (error !== undefined) return { error };
    index.records.set(record.imageRef, { record: decoded.value, body, fileName });
    index.unreadable.record.delete(hash);
    return this.#afterMutation();
  }

  deleteImagePulledRecord(imageRef: string): { readonly error?: string } {
    const index = this.#index;
    const live = index.records.get(imageRef);
    const hash = hashOf(live?.fileName ?? recordFileName(imageRef));
    if (live === undefined && !index.unreadable.record.has(hash)) return {};
    const error = this.#log.append('-r', hash, JSON.stringify(imageRef));
    if (error !== undefined) return { error };
    index.records.delete(imageRef);
    index.unreadable.record.delete(hash);
    return this.#afterMutation();
  }

  // ------------------------------------------------------------------------------------------------------------
  // The log

  /**
   * After the index took a mutation: compact when the log has grown too long. The mutation itself succeeded. Each
   * mutation appends its line first and updates the index before it calls this: compacting before the index holds
   * the mutation would drop it from the new log.
   */
  #afterMutation(): { readonly error?: string } {
    if (this.#needsCompaction()) this.#compact();
    return {};
  }

  #needsCompaction(): boolean {
    return this.#log.lines > 2 * this.#index.liveEntries + this.#compactionSlackLines;
  }

  /**
   * Rewrites the log as the live state (`JournalLog.compact`). A failure leaves the old log in use, is logged, and
   * is retried after the next mutation. Returns whether the new log is in place.
   */
  #compact(): boolean {
    return this.#log.compact(this.#index.liveLines(), this.#index.liveEntries);
  }

  /**
   * The one-time migration from the kubelet's files (`importKubeletFiles`). When either directory existed, the
   * imported state is written as the first log (a compaction) and the imported files and the emptied directories
   * are removed. Any failure before the log is in place aborts the start (the files stay, the next start imports
   * again).
   */
  #importKubeletFiles(): void {
    const fs = this.#fs;
    const { imported, dirs } = importKubeletFiles(
      fs,
      this.#imageManagerDir,
      this.#index,
      this.#codec,
      this.replayProblems,
    );
    if (dirs.length === 0) return;
    if (!this.#compact())
      throw new PullRecordsInitError('failed to write the record journal after the import');
    for (const path of imported) attempt(() => fs.remove(path));
    for (const dir of dirs) attempt(() => fs.remove(dir));
  }
}

/** Opens the journal over `<root>/image_manager/journal.log`, intents in memory only with `volatileIntents`. */
export function openJournalRecordStore({
  fs,
  kubeletRoot,
  profile,
  logger,
  volatileIntents = false,
}: KubeletRecordStoreOptions & { readonly volatileIntents?: boolean }): OpenedRecordStore {
  const options = { ...(logger === undefined ? {} : { logger }), volatileIntents };
  return { accessor: new JournalPullRecordsAccessor(fs, kubeletRoot, profile, options) };
}
