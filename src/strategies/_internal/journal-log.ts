/**
 * Writing the record journal (`../journal.ts`): appends through one handle opened at the first append (O_APPEND),
 * and compaction, which replaces the log by the live state atomically.
 */
import type { AppendHandle, FileSystem } from '../../ports.js';
import type { RecordsLogger } from '../../pullmanager/accessor.js';
import { attempt } from '../../pullmanager/fs-accessor.js';
import { encodeJournalLine, type JournalOp } from './journal-line.js';

/** The log file `path` and what the journal knows of it: its line count and whether it ends mid-line. */
export class JournalLog {
  /** Lines in the log file. */
  lines = 0;
  /** The log may end in a torn fragment: start the next append on a new line. */
  startWithNewline = false;
  readonly #fs: FileSystem;
  readonly #logger: RecordsLogger | undefined;
  #handle: AppendHandle | undefined;

  constructor(
    readonly path: string,
    fs: FileSystem,
    logger: RecordsLogger | undefined,
  ) {
    this.#fs = fs;
    this.#logger = logger;
  }

  /**
   * Appends one line through the kept-open handle (opened at the first append); returns the error text on failure
   * (nothing changed).
   */
  append(op: JournalOp, hash: string, body: string): string | undefined {
    const fs = this.#fs as Required<FileSystem>;
    if (this.#handle === undefined) {
      const opened = attempt(() => fs.openAppend(this.path));
      if (!opened.ok) return `failed to open the record journal: ${opened.error.message}`;
      this.#handle = opened.value;
    }
    const handle = this.#handle;
    const line = (this.startWithNewline ? '\n' : '') + encodeJournalLine(op, hash, body);
    const written = attempt(() => handle.write(line));
    if (!written.ok) {
      // A failed write may have stored part of the line: the next line starts on a line of its own.
      this.startWithNewline = true;
      return `failed to append to the record journal: ${written.error.message}`;
    }
    this.lines++;
    this.startWithNewline = false;
    return undefined;
  }

  /**
   * Rewrites the log as `content` (`lines` lines): write `journal.log.tmp`, read it back, rename it over the log,
   * then drop the handle (it points at the replaced file; the next append opens the new one). The read-back costs
   * one file read per compaction and keeps a torn compaction from replacing the log: unlike a torn append, which
   * loses one line, a torn compacted log would silently lose every entry after the tear. A failure leaves the old
   * log in use and is logged. Returns whether the new log is in place.
   */
  compact(content: string, lines: number): boolean {
    const tmpPath = `${this.path}.tmp`;
    const fs = this.#fs;
    let error: string | undefined;
    const written = attempt(() => fs.writeFile(tmpPath, content));
    if (!written.ok) error = written.error.message;
    else {
      const readBack = attempt(() => fs.readFile(tmpPath));
      if (!readBack.ok) error = readBack.error.message;
      else if (readBack.value !== content) error = `${tmpPath} does not read back as written (a torn write)`;
      else {
        const renamed = attempt(() => fs.rename(tmpPath, this.path));
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
    this.lines = lines;
    this.startWithNewline = false;
    return true;
  }
}
