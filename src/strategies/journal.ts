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
import type { AppendHandle, FileSystem } from '../ports.js';
import type { KubeletProfile } from '../profiles.js';
import type { PullRecordsAccessor, RecordsLogger } from '../pullmanager/accessor.js';
import { attempt, PullRecordsInitError } from '../pullmanager/fs-accessor.js';
import type { KubeletRecordStoreOptions } from '../pullmanager/pull-records-store.js';
import {
  type DecodeOptions,
  decodeImagePulledRecord,
  decodeImagePullIntent,
  encodeImagePulledRecord,
  type ImagePulledRecord,
  type ImagePullIntent,
  recordFileName,
} from '../pullmanager/records.js';
import {
  attributeTornFragment,
  encodeJournalLine,
  JOURNAL_HASH_LENGTH,
  type JournalLine,
  type JournalOp,
  readJournal,
} from './_internal/journal-line.js';
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

type Kind = 'intent' | 'record';

interface RecordEntry {
  readonly record: ImagePulledRecord;
  /** The line body: the record as the kubelet would write its file, without the newline. */
  readonly body: string;
  readonly fileName: string;
}

/** `sha256-` + 64 hex: a name the kubelet could have written. */
const KUBELET_FILE_NAME = /^sha256-[0-9a-f]{64}$/;

function hashOf(fileName: string): string {
  return fileName.slice(7, 7 + JOURNAL_HASH_LENGTH);
}

/**
 * The journal's `PullRecordsAccessor`. The constructor replays (or imports) and throws `PullRecordsInitError` when
 * it cannot: a kubelet that started with an unread journal would take every image for preloaded.
 */
export class JournalPullRecordsAccessor implements PullRecordsAccessor {
  /** `<root>/image_manager/journal.log`. */
  readonly logPath: string;
  readonly #fs: FileSystem;
  readonly #imageManagerDir: string;
  readonly #volatileIntents: boolean;
  readonly #profile: KubeletProfile;
  readonly #decodeOptions: DecodeOptions;
  readonly #logger: RecordsLogger | undefined;
  readonly #compactionSlackLines: number;
  /** image → file name. */
  readonly #intents = new Map<string, string>();
  /** imageRef → entry. */
  readonly #records = new Map<string, RecordEntry>();
  /** Unreadable entries per kind: hash prefix → reason. 16 digits name one key; shorter prefixes, many. */
  readonly #unreadable: Record<Kind, Map<string, string>> = { intent: new Map(), record: new Map() };
  /** What start-up found wrong (torn lines, undecodable lines, skipped files), for reports and tests. */
  readonly replayProblems: string[] = [];
  #handle: AppendHandle | undefined;
  /** Lines in the log file. */
  #logLines = 0;
  /** The log may end in a torn fragment: start the next append on a new line. */
  #startWithNewline = false;

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
    this.#profile = profile;
    this.#decodeOptions = {
      decodableApiVersions: profile.decodableApiVersions,
      serviceAccountField: profile.serviceAccountTracking,
    };
    this.#logger = logger;
    if (!Number.isSafeInteger(compactionSlackLines) || compactionSlackLines < 0) {
      throw new RangeError(`compactionSlackLines must be an integer ≥ 0, got ${compactionSlackLines}`);
    }
    this.#compactionSlackLines = compactionSlackLines;
    if (fs.openAppend === undefined) {
      throw new PullRecordsInitError(
        'the journal record store needs a filesystem that can append (openAppend)',
      );
    }
    const made = attempt(() => fs.mkdirAll(this.#imageManagerDir));
    if (!made.ok) throw new PullRecordsInitError(made.error.message);
    const read = attempt(() => fs.readFile(this.logPath));
    if (read.ok) this.#replay(read.value);
    else if (read.error.code === 'ENOENT') this.#importKubeletFiles();
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
    return this.#logLines;
  }

  /** Live entries: what a compacted log holds. */
  get liveEntries(): number {
    const intents = this.#volatileIntents ? 0 : this.#intents.size + this.#unreadable.intent.size;
    return intents + this.#records.size + this.#unreadable.record.size;
  }

  // ------------------------------------------------------------------------------------------------------------
  // Intents

  listImagePullIntents(): { readonly intents: ImagePullIntent[]; readonly errors: string[] } {
    const sorted = [...this.#intents].sort((a, b) => compareFileNames(a[1], b[1]));
    return { intents: sorted.map(([image]) => ({ image })), errors: this.#unreadableErrors('intent') };
  }

  imagePullIntentExists(image: string): { readonly exists: boolean; readonly error?: string } {
    if (this.#intents.has(image)) return { exists: true };
    const reason = this.#unreadableReason('intent', image);
    return reason === undefined ? { exists: false } : { exists: false, error: reason };
  }

  writeImagePullIntent(image: string): { readonly error?: string } {
    // The kubelet rewrites the file every time; an intent already recorded changes nothing, so nothing is written.
    if (this.#intents.has(image)) return {};
    const fileName = recordFileName(image);
    const hash = hashOf(fileName);
    if (!this.#volatileIntents) {
      const error = this.#append('+i', hash, JSON.stringify(image));
      if (error !== undefined) return { error };
    }
    this.#intents.set(image, fileName);
    this.#unreadable.intent.delete(hash);
    return this.#afterMutation();
  }

  deleteImagePullIntent(image: string): { readonly error?: string } {
    const live = this.#intents.get(image);
    const hash = hashOf(live ?? recordFileName(image));
    if (live === undefined && !this.#unreadable.intent.has(hash)) return {};
    if (!this.#volatileIntents) {
      const error = this.#append('-i', hash, JSON.stringify(image));
      if (error !== undefined) return { error };
    }
    this.#intents.delete(image);
    this.#unreadable.intent.delete(hash);
    return this.#afterMutation();
  }

  // ------------------------------------------------------------------------------------------------------------
  // Pulled records

  listImagePulledRecords(): { readonly records: ImagePulledRecord[]; readonly errors: string[] } {
    const sorted = [...this.#records.values()].sort((a, b) => compareFileNames(a.fileName, b.fileName));
    return { records: sorted.map((entry) => entry.record), errors: this.#unreadableErrors('record') };
  }

  getImagePulledRecord(imageRef: string): {
    readonly record?: ImagePulledRecord;
    readonly exists: boolean;
    readonly error?: string;
  } {
    const entry = this.#records.get(imageRef);
    if (entry !== undefined) return { record: entry.record, exists: true };
    const reason = this.#unreadableReason('record', imageRef);
    // As for a corrupt file: it exists but cannot be used, so the manager demands a pull and later overwrites it.
    return reason === undefined ? { exists: false } : { exists: true, error: reason };
  }

  writeImagePulledRecord(record: ImagePulledRecord): { readonly error?: string } {
    const body = encodeImagePulledRecord(record, this.#profile.recordApiVersion, {
      serviceAccountField: this.#profile.serviceAccountTracking,
    }).slice(0, -1);
    const existing = this.#records.get(record.imageRef);
    if (existing?.body === body) return {};
    const fileName = existing?.fileName ?? recordFileName(record.imageRef);
    const decoded = decodeImagePulledRecord(body, this.#decodeOptions);
    if (!decoded.ok) {
      // The profile's encoder and decoder disagree: a pullsim bug, not a kubelet outcome.
      throw new Error(`journal: a record encoded for this profile does not decode: ${decoded.error}`);
    }
    const hash = hashOf(fileName);
    const error = this.#append('+r', hash, body);
    if (error !== undefined) return { error };
    this.#records.set(record.imageRef, { record: decoded.value, body, fileName });
    this.#unreadable.record.delete(hash);
    return this.#afterMutation();
  }

  deleteImagePulledRecord(imageRef: string): { readonly error?: string } {
    const live = this.#records.get(imageRef);
    const hash = hashOf(live?.fileName ?? recordFileName(imageRef));
    if (live === undefined && !this.#unreadable.record.has(hash)) return {};
    const error = this.#append('-r', hash, JSON.stringify(imageRef));
    if (error !== undefined) return { error };
    this.#records.delete(imageRef);
    this.#unreadable.record.delete(hash);
    return this.#afterMutation();
  }

  // ------------------------------------------------------------------------------------------------------------
  // Unreadable entries

  #unreadableReason(kind: Kind, key: string): string | undefined {
    const unreadable = this.#unreadable[kind];
    if (unreadable.size === 0) return undefined;
    const hash = hashOf(recordFileName(key));
    for (const [prefix, reason] of unreadable) if (hash.startsWith(prefix)) return reason;
    return undefined;
  }

  #unreadableErrors(kind: Kind): string[] {
    return [...this.#unreadable[kind].values()];
  }

  /**
   * Marks the keys whose hash starts with `prefix` unreadable. A full hash names one key: its live entry, if any,
   * is dropped, as a corrupt file replaces the good one it overwrote.
   */
  #markUnreadable(kind: Kind, prefix: string, reason: string): void {
    this.#unreadable[kind].set(prefix, reason);
    if (prefix.length !== JOURNAL_HASH_LENGTH) return;
    if (kind === 'intent') {
      for (const [image, fileName] of this.#intents)
        if (hashOf(fileName) === prefix) this.#intents.delete(image);
    } else {
      for (const [ref, entry] of this.#records)
        if (hashOf(entry.fileName) === prefix) this.#records.delete(ref);
    }
  }

  // ------------------------------------------------------------------------------------------------------------
  // The log

  /**
   * Appends one line through the kept-open handle (opened at the first append); returns the error text on failure
   * (nothing changed). The caller updates the index, then calls `#afterMutation`: compacting before the index
   * holds the mutation would drop it from the new log.
   */
  #append(op: JournalOp, hash: string, body: string): string | undefined {
    const fs = this.#fs as Required<FileSystem>;
    if (this.#handle === undefined) {
      const opened = attempt(() => fs.openAppend(this.logPath));
      if (!opened.ok) return `failed to open the record journal: ${opened.error.message}`;
      this.#handle = opened.value;
    }
    const handle = this.#handle;
    const line = (this.#startWithNewline ? '\n' : '') + encodeJournalLine(op, hash, body);
    const written = attempt(() => handle.write(line));
    if (!written.ok) {
      // A failed write may have stored part of the line: the next line starts on a line of its own.
      this.#startWithNewline = true;
      return `failed to append to the record journal: ${written.error.message}`;
    }
    this.#logLines++;
    this.#startWithNewline = false;
    return undefined;
  }

  /** After the index took a mutation: compact when the log has grown too long. The mutation itself succeeded. */
  #afterMutation(): { readonly error?: string } {
    if (this.#needsCompaction()) this.#compact();
    return {};
  }

  #needsCompaction(): boolean {
    return this.#logLines > 2 * this.liveEntries + this.#compactionSlackLines;
  }

  /** The live state as log lines, in a fixed order (intents, records, unreadable entries). */
  #liveLines(): string {
    let out = '';
    if (!this.#volatileIntents) {
      const intents = [...this.#intents].sort((a, b) => compareFileNames(a[1], b[1]));
      for (const [image, fileName] of intents)
        out += encodeJournalLine('+i', hashOf(fileName), JSON.stringify(image));
    }
    const records = [...this.#records.values()].sort((a, b) => compareFileNames(a.fileName, b.fileName));
    for (const entry of records) out += encodeJournalLine('+r', hashOf(entry.fileName), entry.body);
    for (const kind of ['intent', 'record'] as const) {
      if (kind === 'intent' && this.#volatileIntents) continue;
      const op = kind === 'intent' ? '!i' : '!r';
      const sorted = [...this.#unreadable[kind]].sort((a, b) => compareFileNames(a[0], b[0]));
      for (const [prefix, reason] of sorted) out += encodeJournalLine(op, prefix, JSON.stringify(reason));
    }
    return out;
  }

  /**
   * Rewrites the log as the live state: write `journal.log.tmp`, read it back, rename it over the log, then drop
   * the handle (it points at the replaced file; the next append opens the new one). The read-back costs one file
   * read per compaction and keeps a torn compaction from replacing the log: unlike a torn append, which loses one
   * line, a torn compacted log would silently lose every entry after the tear. A failure leaves the old log in
   * use, is logged, and is retried after the next mutation. Returns whether the new log is in place.
   */
  #compact(): boolean {
    const tmpPath = `${this.logPath}.tmp`;
    const fs = this.#fs;
    const content = this.#liveLines();
    let error: string | undefined;
    const written = attempt(() => fs.writeFile(tmpPath, content));
    if (!written.ok) error = written.error.message;
    else {
      const readBack = attempt(() => fs.readFile(tmpPath));
      if (!readBack.ok) error = readBack.error.message;
      else if (readBack.value !== content) error = `${tmpPath} does not read back as written (a torn write)`;
      else {
        const renamed = attempt(() => fs.rename(tmpPath, this.logPath));
        if (!renamed.ok) error = renamed.error.message;
      }
    }
    if (error !== undefined) {
      attempt(() => fs.remove(tmpPath));
      this.#logger?.log('failed to compact the record journal', { error });
      return false;
    }
    const old = this.#handle;
    this.#handle = undefined;
    old?.close();
    this.#logLines = this.liveEntries;
    this.#startWithNewline = false;
    return true;
  }

  // ------------------------------------------------------------------------------------------------------------
  // Start-up

  #replay(text: string): void {
    const { items, lineCount } = readJournal(text);
    this.#logLines = lineCount;
    this.#startWithNewline = text.length > 0 && !text.endsWith('\n');
    for (const item of items) {
      if (item.kind === 'line') {
        const reason = this.#apply(item.line);
        if (reason === undefined) continue;
        // A put that cannot be applied leaves its key unreadable; a delete that cannot is a lost delete.
        const problem = `record journal line ${item.lineNumber}: ${reason}`;
        this.replayProblems.push(problem);
        const { op, hash } = item.line;
        if (op[0] !== '-') this.#markUnreadable(op[1] === 'i' ? 'intent' : 'record', hash, problem);
        continue;
      }
      const where = `record journal line ${item.lineNumber} is torn`;
      const attribution = attributeTornFragment(item.text);
      if (attribution === undefined) {
        this.replayProblems.push(`${where}: a lost delete, ignored`);
        continue;
      }
      const keys = attribution.hashPrefix === '' ? 'any key' : `keys with hash ${attribution.hashPrefix}…`;
      this.replayProblems.push(
        `${where}: ${attribution.kinds.join(' and ')} entries of ${keys} are unreadable`,
      );
      for (const kind of attribution.kinds) this.#markUnreadable(kind, attribution.hashPrefix, where);
    }
  }

  /** Applies one checked line; returns why its body cannot be used (nothing is applied then). */
  #apply(line: JournalLine): string | undefined {
    const { op, hash, body } = line;
    const kind: Kind = op[1] === 'i' ? 'intent' : 'record';
    if (op === '+r') {
      const decoded = decodeImagePulledRecord(body, this.#decodeOptions);
      if (!decoded.ok) return `failed to decode an ImagePulledRecord: ${decoded.error}`;
      const fileName = recordFileName(decoded.value.imageRef);
      if (hashOf(fileName) !== hash) return 'the record does not match the hash of its line';
      this.#records.set(decoded.value.imageRef, { record: decoded.value, body, fileName });
      this.#unreadable.record.delete(hash);
      return undefined;
    }
    const text = parseJsonString(body);
    if (text === undefined) return 'the body is not a JSON string';
    if (op[0] === '!') {
      this.#markUnreadable(kind, hash, text);
      return undefined;
    }
    const fileName = recordFileName(text);
    if (hashOf(fileName) !== hash) return 'the key does not match the hash of its line';
    if (op === '+i') this.#intents.set(text, fileName);
    else if (op === '-i') this.#intents.delete(text);
    else this.#records.delete(text);
    this.#unreadable[kind].delete(hash);
    return undefined;
  }

  /**
   * The one-time migration from the kubelet's files. Every valid file name of `pulling/` then `pulled/` is read
   * and decoded with the profile's codec; undecodable files become unreadable entries under their name. When
   * either directory existed, the imported state is written as the first log (a compaction) and the imported
   * files and the emptied directories are removed. Any failure before the log is in place aborts the start (the
   * files stay, the next start imports again).
   */
  #importKubeletFiles(): void {
    const fs = this.#fs;
    const imported: string[] = [];
    const dirs: string[] = [];
    for (const kind of ['intent', 'record'] as const) {
      const dir = `${this.#imageManagerDir}/${kind === 'intent' ? 'pulling' : 'pulled'}`;
      const listed = attempt(() => fs.readDir(dir));
      if (!listed.ok) {
        if (listed.error.code === 'ENOENT' || listed.error.code === 'ENOTDIR') continue;
        throw new PullRecordsInitError(`failed to import ${dir}: ${listed.error.message}`);
      }
      dirs.push(dir);
      for (const entry of listed.value) {
        if (entry.isDirectory || !entry.name.startsWith('sha256-') || entry.name.endsWith('.tmp')) continue;
        const path = `${dir}/${entry.name}`;
        const read = attempt(() => fs.readFile(path));
        if (!read.ok) throw new PullRecordsInitError(`failed to import "${path}": ${read.error.message}`);
        imported.push(path);
        this.#importFile(kind, path, entry.name, read.value);
      }
    }
    if (dirs.length === 0) return;
    if (!this.#compact())
      throw new PullRecordsInitError('failed to write the record journal after the import');
    for (const path of imported) attempt(() => fs.remove(path));
    for (const dir of dirs) attempt(() => fs.remove(dir));
  }

  #importFile(kind: Kind, path: string, name: string, text: string): void {
    const typeName = kind === 'intent' ? 'ImagePullIntent' : 'ImagePulledRecord';
    const decoded =
      kind === 'intent'
        ? decodeImagePullIntent(text, this.#decodeOptions)
        : decodeImagePulledRecord(text, this.#decodeOptions);
    if (!decoded.ok) {
      const reason = `failed to deserialize content of file "${path}" into ${typeName}: ${decoded.error}`;
      if (!KUBELET_FILE_NAME.test(name)) {
        // No key can hash to this name, so no point read of the kubelet ever sees it.
        this.replayProblems.push(`${reason} (not imported: not a kubelet file name)`);
        return;
      }
      this.replayProblems.push(reason);
      this.#markUnreadable(kind, hashOf(name), reason);
      return;
    }
    const key =
      kind === 'intent'
        ? (decoded.value as ImagePullIntent).image
        : (decoded.value as ImagePulledRecord).imageRef;
    if (recordFileName(key) !== name) {
      this.replayProblems.push(`"${path}" holds ${JSON.stringify(key)}, which is not its name: not imported`);
      return;
    }
    if (kind === 'intent') {
      this.#intents.set(key, name);
      return;
    }
    const record = decoded.value as ImagePulledRecord;
    const body = encodeImagePulledRecord(record, this.#profile.recordApiVersion, {
      serviceAccountField: this.#profile.serviceAccountTracking,
    }).slice(0, -1);
    this.#records.set(key, { record, body, fileName: name });
  }
}

/** The string a JSON string literal holds, or undefined. */
function parseJsonString(text: string): string | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'string' ? value : undefined;
  } catch {
    return undefined;
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
