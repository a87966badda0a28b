/**
 * The record-store strategies by name: the spec grammar (`fs`, `fs+lru`, `fs+lru:<intents>/<records>`, `memory`,
 * `ttl:<duration>`, `revoke-on-delete`, `journal`, `journal:volatile-intents`), its parser and printer, and the
 * table of ideas, trade-offs and decision fidelity that the documentation, the bench report and `--help` show
 * (the CLI lays it out: sim/cli/strategy-help.ts).
 */

import { parseGoDuration } from '../go/index.js';
import { formatDuration, type Ticks } from '../time.js';

/** Upper bound on a requested cache size: far above any node, low enough that a typo cannot exhaust memory. */
export const MAX_REQUESTED_CACHE_SIZE = 10_000_000;

/**
 * A parsed record-store spec. `fs+lru` without `cacheSizes` is the kubelet's 1024/2000; with them, the sizes are
 * exactly what was asked (no kubelet cap).
 */
export type RecordStoreSpec =
  | { readonly strategy: 'fs' }
  | {
      readonly strategy: 'fs+lru';
      readonly cacheSizes?: { readonly intents: number; readonly pulledRecords: number };
    }
  | { readonly strategy: 'memory' }
  | { readonly strategy: 'ttl'; readonly ttl: Ticks }
  | { readonly strategy: 'revoke-on-delete' }
  | { readonly strategy: 'journal'; readonly volatileIntents: boolean };

/** How a strategy's pull decisions compare with the kubelet's own stack (`MustAttemptImagePull`). */
export type DecisionFidelity =
  /** Every MustAttemptImagePull answer equals the kubelet's, across restarts and crashes. */
  | 'kubelet'
  /**
   * Equal to the kubelet's except after a restart while a pull was in flight (a crash) or while an intent was
   * kept after a failed record write.
   */
  | 'kubelet-without-crash'
  /** Different by design (the point of the strategy). */
  | 'different';

/** One row of the strategy table. */
export interface RecordStoreStrategyInfo {
  /** The spec syntax, e.g. `ttl:<duration>`. */
  readonly syntax: string;
  /** What it does, in one line. */
  readonly idea: string;
  /** What it costs or risks, in one line. */
  readonly tradeOff: string;
  readonly decisions: DecisionFidelity;
}

/** Every strategy with its idea and trade-off (for documentation and `--help`). */
export const RECORD_STORE_STRATEGIES: readonly RecordStoreStrategyInfo[] = [
  {
    syntax: 'fs',
    idea: 'The 1.33 stack: one JSON file per intent and per pulled record, every access goes to the files.',
    tradeOff:
      'No memory beyond the files, but every check reads a file and every write is stat+open+write+close+rename.',
    decisions: 'kubelet',
  },
  {
    syntax: 'fs+lru',
    idea: 'The 1.35 stack: the files behind a write-through LRU (1024 intents / 2000 records) with the authoritative flag, plus the metric gauges.',
    tradeOff:
      'Hits and authoritative misses cost no I/O; every mutation still pays the file protocol plus a directory scan for the gauges.',
    decisions: 'kubelet',
  },
  {
    syntax: 'fs+lru:<intents>/<records>',
    idea: 'The 1.35 stack with cache sizes of your choice, NOT capped at the kubelet’s 1024/2000.',
    tradeOff:
      'Large caches stay authoritative on big nodes (no disk on a miss) at the cost of memory; small ones show eviction costs.',
    decisions: 'kubelet',
  },
  {
    syntax: 'memory',
    idea: 'Records in process memory only, nothing on disk: the in-memory design the KEP rejected (kubernetes/enhancements#4693).',
    tradeOff:
      'Zero I/O, but a restart forgets every pull, so images pulled before it look preloaded to every tenant.',
    decisions: 'different',
  },
  {
    syntax: 'ttl:<duration>',
    idea: 'fs+lru where a record older than the TTL reads with an empty credential mapping: still kubelet-pulled, every use re-verifies.',
    tradeOff:
      'Bounds how long a revoked credential keeps access, at the price of registry round trips after each expiry (the KEP rejected TTLs).',
    decisions: 'different',
  },
  {
    syntax: 'revoke-on-delete',
    idea: 'fs+lru plus a hook: deleting a secret, service account or namespace removes its coordinates from every record.',
    tradeOff:
      'Deleted credentials stop granting access at once, but each deletion lists every record and rewrites those it touches.',
    decisions: 'different',
  },
  {
    syntax: 'journal',
    idea: 'One append-only log (image_manager/journal.log) plus an in-memory index: reads never touch the disk, each mutation is one append, compaction rewrites the live state.',
    tradeOff:
      'Least I/O with the kubelet’s decisions, but start-up reads the whole log, and a silently torn append is attributed by a hash prefix, not a file name.',
    decisions: 'kubelet',
  },
  {
    syntax: 'journal:volatile-intents',
    idea: 'The journal with pull intents kept in memory only: one append per new image–credential pair.',
    tradeOff:
      'Fewer writes, but a crash between the start of a pull and its record (or a restart after a failed record write) leaves no trace: the image looks preloaded.',
    decisions: 'kubelet-without-crash',
  },
];

/** The accepted spec forms, for error messages. */
const EXPECTED = RECORD_STORE_STRATEGIES.map((s) => s.syntax).join(', ');

const POSITIVE_INTEGER = /^[1-9][0-9]*$/;

/**
 * Parses a record-store spec. Errors are values that quote the text and say what was expected.
 *
 * @example
 * parseRecordStoreSpec('fs+lru:50/100'); // { ok: true, value: { strategy: 'fs+lru', cacheSizes: { intents: 50, pulledRecords: 100 } } }
 * parseRecordStoreSpec('ttl:1h30m');     // { ok: true, value: { strategy: 'ttl', ttl: 5400000000 } }
 */
export function parseRecordStoreSpec(
  text: string,
): { readonly ok: true; readonly value: RecordStoreSpec } | { readonly ok: false; readonly error: string } {
  const fail = (reason: string) => ({
    ok: false as const,
    error: `invalid record store ${JSON.stringify(text)}: ${reason}`,
  });
  const colon = text.indexOf(':');
  const name = colon < 0 ? text : text.slice(0, colon);
  const argument = colon < 0 ? undefined : text.slice(colon + 1);
  switch (name) {
    case 'fs':
    case 'memory':
    case 'revoke-on-delete':
      if (argument !== undefined) return fail(`${name} takes no argument`);
      return { ok: true, value: { strategy: name } };
    case 'fs+lru': {
      if (argument === undefined) return { ok: true, value: { strategy: 'fs+lru' } };
      const sizes = /^([^/]*)\/([^/]*)$/.exec(argument);
      if (sizes === null) return fail('expected fs+lru:<intents>/<records>, e.g. fs+lru:1024/2000');
      const [, intentsText = '', recordsText = ''] = sizes;
      const intents = parseCacheSize(intentsText);
      if (intents === undefined) return fail(cacheSizeReason('intents', intentsText));
      const pulledRecords = parseCacheSize(recordsText);
      if (pulledRecords === undefined) return fail(cacheSizeReason('records', recordsText));
      return { ok: true, value: { strategy: 'fs+lru', cacheSizes: { intents, pulledRecords } } };
    }
    case 'ttl': {
      if (argument === undefined || argument === '') return fail('missing duration, e.g. ttl:24h');
      const ttl = parseGoDuration(argument);
      if (!ttl.ok) return fail(ttl.error);
      return { ok: true, value: { strategy: 'ttl', ttl: ttl.value } };
    }
    case 'journal':
      if (argument === undefined) return { ok: true, value: { strategy: 'journal', volatileIntents: false } };
      if (argument === 'volatile-intents')
        return { ok: true, value: { strategy: 'journal', volatileIntents: true } };
      return fail(`unknown journal option ${JSON.stringify(argument)}; the only option is volatile-intents`);
    default:
      return fail(
        text === '' ? `empty; expected one of ${EXPECTED}` : `unknown strategy; expected one of ${EXPECTED}`,
      );
  }
}

function parseCacheSize(text: string): number | undefined {
  if (!POSITIVE_INTEGER.test(text)) return undefined;
  const value = Number(text);
  return value <= MAX_REQUESTED_CACHE_SIZE ? value : undefined;
}

function cacheSizeReason(what: string, text: string): string {
  return `the ${what} cache size must be an integer from 1 to ${MAX_REQUESTED_CACHE_SIZE}, got ${JSON.stringify(text)}`;
}

/** The canonical text of a spec; `parseRecordStoreSpec(formatRecordStoreSpec(s))` gives `s` back. */
export function formatRecordStoreSpec(spec: RecordStoreSpec): string {
  switch (spec.strategy) {
    case 'fs+lru':
      return spec.cacheSizes === undefined
        ? 'fs+lru'
        : `fs+lru:${spec.cacheSizes.intents}/${spec.cacheSizes.pulledRecords}`;
    case 'ttl':
      return `ttl:${formatDuration(spec.ttl)}`;
    case 'journal':
      return spec.volatileIntents ? 'journal:volatile-intents' : 'journal';
    default:
      return spec.strategy;
  }
}
