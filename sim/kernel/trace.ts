import { createHash, type Hash } from 'node:crypto';
import type { Ticks } from '../../src/time.js';
import { canonicalJson } from './canonical-json.js';

/** One trace record: the virtual time, what happened, and its details (plain JSON values only). */
export interface TraceRecord {
  readonly t: Ticks;
  readonly kind: string;
  readonly [field: string]: unknown;
}

export interface TraceOptions {
  /** Keep the records in memory (for `--trace` and reports). The hash is computed either way. */
  readonly keep?: boolean;
}

/**
 * The append-only event history of a run. Each record is encoded as one canonical JSON line (sorted keys) and
 * fed to a streaming SHA-256, so `hash` identifies the run's whole history without storing it.
 */
export class Trace {
  readonly #hash: Hash = createHash('sha256');
  readonly #lines: string[] | undefined;
  /** Lines not yet fed to the hash: hashing in chunks costs far fewer crypto calls than one per record. */
  #pending = '';
  #count = 0;

  constructor({ keep = true }: TraceOptions = {}) {
    this.#lines = keep ? [] : undefined;
  }

  append(record: TraceRecord): void {
    const line = canonicalJson(record);
    this.#pending += `${line}\n`;
    if (this.#pending.length > 65_536) this.#flush();
    this.#lines?.push(line);
    this.#count++;
  }

  /** Number of records appended so far. */
  get length(): number {
    return this.#count;
  }

  /** `sha256:<hex>` of the JSON Lines text appended so far (the trace can keep growing afterwards). */
  get hash(): string {
    this.#flush();
    return `sha256:${this.#hash.copy().digest('hex')}`;
  }

  #flush(): void {
    if (this.#pending.length === 0) return;
    this.#hash.update(this.#pending);
    this.#pending = '';
  }

  /** The kept records as JSON Lines text (one record per line, each ending in a newline). */
  toJsonLines(): string {
    if (this.#lines === undefined) throw new Error('trace was created with keep: false');
    return this.#lines.length === 0 ? '' : `${this.#lines.join('\n')}\n`;
  }

  /** The kept records, decoded. */
  records(): TraceRecord[] {
    if (this.#lines === undefined) throw new Error('trace was created with keep: false');
    return this.#lines.map((line) => JSON.parse(line) as TraceRecord);
  }
}
