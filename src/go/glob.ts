/**
 * Go's `path/filepath.Match` on Unix (separator `/`), byte for byte: `*` runs, `?` one rune, `[…]` classes with
 * ranges and `^` negation, `\` escapes. A malformed pattern is Go's `ErrBadPattern`, which every caller here treats
 * as "no match", so the port answers a plain boolean.
 */
import { decodeRune } from './utf8.js';

const STAR = 0x2a;
const QUESTION = 0x3f;
const OPEN = 0x5b;
const CLOSE = 0x5d;
const BACKSLASH = 0x5c;
const CARET = 0x5e;
const DASH = 0x2d;
const SEPARATOR = 0x2f;
const RUNE_ERROR = 0xfffd;

/** Whether `label` holds a glob metacharacter; labels without one match by plain equality. */
export function hasGlobMeta(label: string): boolean {
  return /[*?[\\]/.test(label);
}

/** `filepath.Match(pattern, name)` reduced to "matched without error". */
export function goFilepathMatch(pattern: Uint8Array, name: Uint8Array): boolean {
  let p = 0;
  let n = 0;
  nextChunk: while (p < pattern.length) {
    let star = false;
    while (p < pattern.length && pattern[p] === STAR) {
      p++;
      star = true;
    }
    const chunkStart = p;
    p = chunkEnd(pattern, p);
    if (star && chunkStart === p) return !name.subarray(n).includes(SEPARATOR);
    const here = matchChunk(pattern, chunkStart, p, name, n);
    if (here >= 0 && (here === name.length || p < pattern.length)) {
      n = here;
      continue;
    }
    if (here === BAD_PATTERN) return false;
    if (star) {
      for (let i = n; i < name.length && name[i] !== SEPARATOR; i++) {
        // A malformed chunk is malformed whatever the name, so the attempt above has already reported it.
        const skipped = matchChunk(pattern, chunkStart, p, name, i + 1);
        if (skipped >= 0) {
          if (p === pattern.length && skipped < name.length) continue;
          n = skipped;
          continue nextChunk;
        }
      }
    }
    return false;
  }
  return n === name.length;
}

/** Go's `scanChunk`: the end of the chunk that starts at `start` (stops at a `*` outside a class). */
function chunkEnd(pattern: Uint8Array, start: number): number {
  let inRange = false;
  let index = start;
  for (; index < pattern.length; index++) {
    const c = pattern[index];
    if (c === BACKSLASH) {
      if (index + 1 < pattern.length) index++;
    } else if (c === OPEN) inRange = true;
    else if (c === CLOSE) inRange = false;
    else if (c === STAR && !inRange) break;
  }
  return index;
}

const NO_MATCH = -1;
const BAD_PATTERN = -2;

/**
 * Go's `matchChunk`: the index in `name` after the chunk matched at `at`, NO_MATCH, or BAD_PATTERN. Like Go, it keeps
 * reading the chunk after a failure so that a malformed pattern is reported even when the name does not match.
 */
function matchChunk(pattern: Uint8Array, start: number, end: number, name: Uint8Array, at: number): number {
  let c = start;
  let s = at;
  let failed = false;
  while (c < end) {
    if (!failed && s >= name.length) failed = true;
    const token = pattern[c];
    if (token === OPEN) {
      let rune = 0;
      if (!failed) {
        const [codePoint, size] = decodeRune(name, s);
        rune = codePoint < 0 ? RUNE_ERROR : codePoint;
        s += size;
      }
      c++;
      let negated = false;
      if (c < end && pattern[c] === CARET) {
        negated = true;
        c++;
      }
      let matched = false;
      let ranges = 0;
      for (;;) {
        if (c < end && pattern[c] === CLOSE && ranges > 0) {
          c++;
          break;
        }
        const low = classRune(pattern, c, end);
        if (low === undefined) return BAD_PATTERN;
        c = low.next;
        let high = low.rune;
        if (pattern[c] === DASH) {
          const upper = classRune(pattern, c + 1, end);
          if (upper === undefined) return BAD_PATTERN;
          high = upper.rune;
          c = upper.next;
        }
        if (low.rune <= rune && rune <= high) matched = true;
        ranges++;
      }
      if (matched === negated) failed = true;
    } else if (token === QUESTION) {
      if (!failed) {
        if (name[s] === SEPARATOR) failed = true;
        s += decodeRune(name, s)[1];
      }
      c++;
    } else {
      let literal = token;
      if (token === BACKSLASH) {
        c++;
        if (c >= end) return BAD_PATTERN;
        literal = pattern[c];
      }
      if (!failed) {
        if (literal !== name[s]) failed = true;
        s++;
      }
      c++;
    }
  }
  return failed ? NO_MATCH : s;
}

/** Go's `getEsc`: one (possibly escaped) rune of a character class; undefined for ErrBadPattern. */
function classRune(pattern: Uint8Array, at: number, end: number): { rune: number; next: number } | undefined {
  let index = at;
  if (index >= end || pattern[index] === DASH || pattern[index] === CLOSE) return undefined;
  if (pattern[index] === BACKSLASH) {
    index++;
    if (index >= end) return undefined;
  }
  const [codePoint, size] = decodeRune(pattern.subarray(0, end), index);
  const next = index + size;
  if (codePoint < 0 || next >= end) return undefined;
  return { rune: codePoint, next };
}
