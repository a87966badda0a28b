import { createHash, type Hash } from 'node:crypto';
import type { Ticks } from '../../src/time.js';

/** One shape of trace record: its keys in insertion order, and in sorted order with their encoded `"key":`. */
interface Shape {
  readonly order: readonly string[];
  readonly sorted: readonly { readonly key: string; readonly prefix: string }[];
}

/** Shapes seen so far, by record kind (records of one kind are built by one piece of code, so shapes repeat). */
const shapesByKind = new Map<string, Shape[]>();
const MAX_KINDS = 4096;
const MAX_SHAPES_PER_KIND = 64;

/** Whether `record`'s own keys are exactly `order`, in that order (walked without allocating a key list). */
function hasOrder(record: TraceRecord, order: readonly string[]): boolean {
  let i = 0;
  for (const key in record) {
    if (order[i] !== key) return false;
    i++;
  }
  return i === order.length;
}

function shapeOf(record: TraceRecord): Shape {
  let shapes = shapesByKind.get(record.kind);
  if (shapes !== undefined) for (const shape of shapes) if (hasOrder(record, shape.order)) return shape;
  const order = Object.keys(record);
  const shape: Shape = {
    order,
    sorted: order
      .slice()
      .sort()
      .map((key) => ({ key, prefix: `${JSON.stringify(key)}:` })),
  };
  if (shapes === undefined && shapesByKind.size < MAX_KINDS) {
    shapes = [];
    shapesByKind.set(record.kind, shapes);
  }
  if (shapes !== undefined && shapes.length < MAX_SHAPES_PER_KIND) shapes.push(shape);
  return shape;
}

/**
 * One trace line: top-level keys sorted (the sorted order and encoded keys cached per shape), values as JSON. Nested
 * values keep the order in which the simulator builds them, which is fixed by the code, so the bytes are the same on
 * every run; this is several times cheaper than a fully canonical encoding, and tracing is on the simulator's hot
 * path.
 */
export function encodeTraceRecord(record: TraceRecord): string {
  let line = '{';
  let first = true;
  for (const { key, prefix } of shapeOf(record).sorted) {
    const value = record[key];
    if (value === undefined) continue;
    line += first ? prefix : `,${prefix}`;
    first = false;
    line += JSON.stringify(value);
  }
  return `${line}}`;
}

/** One trace record: the virtual time, what happened, and its details (plain JSON values only). */
export interface TraceRecord {
  readonly t: Ticks;
  readonly kind: string;
  readonly [field: string]: unknown;
}

export interface TraceOptions {
  /** Keep the records in memory (for `--trace` and reports). The hash is computed either way. */
  readonly keep?: boolean;
  /**
   * Record nothing at all (not even the hash): for runs whose trace nobody reads, such as most runs of a campaign.
   * `hash` is then `sha256:` of nothing and `length` still counts the records.
   */
  readonly off?: boolean;
}

/**
 * The append-only event history of a run. Each record is encoded as one JSON line (top-level keys sorted) and
 * fed to a streaming SHA-256, so `hash` identifies the run's whole history without storing it.
 */
export class Trace {
  readonly #hash: Hash = createHash('sha256');
  readonly #lines: string[] | undefined;
  /** Lines not yet fed to the hash: hashing in chunks costs far fewer crypto calls than one per record. */
  #pending = '';
  #count = 0;

  readonly #off: boolean;

  constructor({ keep = true, off = false }: TraceOptions = {}) {
    this.#lines = keep && !off ? [] : undefined;
    this.#off = off;
  }

  append(record: TraceRecord): void {
    this.#count++;
    if (this.#off) return;
    const line = encodeTraceRecord(record);
    this.#pending += `${line}\n`;
    if (this.#pending.length > 65_536) this.#flush();
    this.#lines?.push(line);
  }

  /** False when created with `off`: callers may skip building records nobody will see. */
  get enabled(): boolean {
    return !this.#off;
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
