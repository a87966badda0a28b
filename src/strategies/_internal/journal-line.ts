/**
 * The line format of the record journal (`../journal.ts`) and its tolerant reader.
 *
 * A line is `<op> <hash> <checksum> <body>\n`:
 *
 * - `op`: `+i` / `-i` put / delete an intent, `+r` / `-r` put / delete a pulled record, `!i` / `!r` an unreadable
 *   intent / record (what a corrupt file is to the kubelet: "exists, cannot be read").
 * - `hash`: the first 16 hex digits of the SHA-256 of the key (the hex of the kubelet's file name,
 *   `sha256-<hex>`); for `!` lines a prefix of it, possibly empty (see `attributeTornFragment`).
 * - `checksum`: 8 hex digits, FNV-1 32 of `<op> <hash> <body>`; a line whose checksum does not match is never
 *   applied, so a torn line cannot be applied half.
 * - `body`: a JSON string (the image, the imageRef, or the reason of a `!` line), or for `+r` the record exactly
 *   as the kubelet would write its file (compact JSON, the profile's apiVersion), so the kubelet's strict codec
 *   reads it.
 *
 * The key's hash comes first so that a line torn after its first 19 characters still says which key it was
 * about: the journal then treats that key the way the kubelet treats a corrupt file.
 */
import { fnv1Hash32 } from '../../pullmanager/locks.js';

/** The operations of a journal line. */
export type JournalOp = '+i' | '-i' | '+r' | '-r' | '!i' | '!r';

/** Hex digits of the key hash in a line. */
export const JOURNAL_HASH_LENGTH = 16;

/** A complete, checksummed line. */
export interface JournalLine {
  readonly op: JournalOp;
  readonly hash: string;
  readonly body: string;
}

/** What a replay meets, in file order: whole lines and torn fragments (with their 1-based line numbers). */
export type JournalItem =
  | { readonly kind: 'line'; readonly line: JournalLine; readonly lineNumber: number }
  | { readonly kind: 'torn'; readonly text: string; readonly lineNumber: number };

/** A header with everything a complete line has before its body. */
const HEADER = /(?:\+i|-i|\+r|-r|!i|!r) [0-9a-f]{0,16} [0-9a-f]{8} /g;
const LINE = /^(\+i|-i|\+r|-r|!i|!r) ([0-9a-f]{0,16}) ([0-9a-f]{8}) /;

function checksum(op: string, hash: string, body: string): string {
  return fnv1Hash32(`${op} ${hash} ${body}`).toString(16).padStart(8, '0');
}

/** One line, with its newline. The body must not contain a newline (JSON never does). */
export function encodeJournalLine(op: JournalOp, hash: string, body: string): string {
  return `${op} ${hash} ${checksum(op, hash, body)} ${body}\n`;
}

/** The line if `text` is exactly one complete line (without its newline), else undefined. */
function decodeLine(text: string): JournalLine | undefined {
  const match = LINE.exec(text);
  if (match === null) return undefined;
  const [header, op = '', hash = '', sum = ''] = match;
  if (op[0] !== '!' && hash.length !== JOURNAL_HASH_LENGTH) return undefined;
  const body = text.slice(header.length);
  if (checksum(op, hash, body) !== sum) return undefined;
  return { op: op as JournalOp, hash, body };
}

/**
 * Splits a journal into whole lines and torn fragments. A line that does not check is searched for a complete
 * line glued behind a torn fragment (an append that lost its end, followed by the next append): the longest
 * checking suffix that starts at a header is taken as a line, the text before it as a fragment.
 */
export function readJournal(text: string): { readonly items: JournalItem[]; readonly lineCount: number } {
  const items: JournalItem[] = [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  lines.forEach((raw, index) => {
    const lineNumber = index + 1;
    if (raw === '') return;
    const whole = decodeLine(raw);
    if (whole !== undefined) {
      items.push({ kind: 'line', line: whole, lineNumber });
      return;
    }
    for (const match of raw.matchAll(HEADER)) {
      if (match.index === 0) continue;
      const glued = decodeLine(raw.slice(match.index));
      if (glued === undefined) continue;
      items.push({ kind: 'torn', text: raw.slice(0, match.index), lineNumber });
      items.push({ kind: 'line', line: glued, lineNumber });
      return;
    }
    items.push({ kind: 'torn', text: raw, lineNumber });
  });
  return { items, lineCount: lines.length };
}

/** Which keys a torn fragment may have been about. */
export interface TornAttribution {
  /** The record kinds it may have put. */
  readonly kinds: readonly ('intent' | 'record')[];
  /** The hash prefix it kept: 16 digits name one key, fewer a set of keys, none every key. */
  readonly hashPrefix: string;
}

/**
 * What a torn fragment may have put: the kinds and the key-hash prefix that survived. A fragment of a delete
 * (`-i`, `-r`) puts nothing (undefined): losing a delete leaves an entry that forces verification, never one that
 * grants access. A fragment that does not start like a line (or lost even its operation) may have been anything.
 */
export function attributeTornFragment(text: string): TornAttribution | undefined {
  const match = /^([+!-]?)([ir]?)( ?)([0-9a-f]{0,16})/.exec(text) as RegExpExecArray;
  const [, sign = '', kind = '', space = '', hash = ''] = match;
  if (sign === '-') return undefined;
  const kinds: ('intent' | 'record')[] =
    sign === '' || kind === '' ? ['intent', 'record'] : kind === 'i' ? ['intent'] : ['record'];
  return { kinds, hashPrefix: sign !== '' && kind !== '' && space !== '' ? hash : '' };
}
