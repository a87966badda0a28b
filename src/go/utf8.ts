/**
 * Go strings are byte strings; JavaScript strings are UTF-16. The credential code needs Go's view in three places:
 * bytes decoded from base64 (`auth`) or from percent escapes (registry keys) may be invalid UTF-8, and Go's JSON
 * encoder (the credential hash) treats such bytes differently from a real U+FFFD. To keep that distinction, an
 * invalid byte `b` (always ≥ 0x80) is carried in a JavaScript string as the lone low surrogate U+DC00 + b (the
 * "surrogateescape" convention), which no valid text and no JSON-decoded string can contain.
 *
 * Also here: Go's byte order on strings (`unicode/utf8`, `strings.TrimSpace`, `<` on strings).
 */

const REPLACEMENT_BYTES = [0xef, 0xbf, 0xbd] as const;

/**
 * Go's `utf8.DecodeRune`: the code point of the valid UTF-8 sequence starting at `index` and its length, or
 * `[-1, 1]` when the byte there does not start one (the caller then treats that single byte as invalid).
 */
export function decodeRune(bytes: Uint8Array, index: number): [codePoint: number, size: number] {
  const b0 = bytes[index]!;
  if (b0 < 0x80) return [b0, 1];
  const continuation = (offset: number, low = 0x80, high = 0xbf): number => {
    const b = bytes[index + offset];
    return b !== undefined && b >= low && b <= high ? b & 0x3f : -1;
  };
  if (b0 >= 0xc2 && b0 <= 0xdf) {
    const c1 = continuation(1);
    return c1 < 0 ? [-1, 1] : [((b0 & 0x1f) << 6) | c1, 2];
  }
  if (b0 >= 0xe0 && b0 <= 0xef) {
    const c1 = continuation(1, b0 === 0xe0 ? 0xa0 : 0x80, b0 === 0xed ? 0x9f : 0xbf);
    const c2 = c1 < 0 ? -1 : continuation(2);
    return c2 < 0 ? [-1, 1] : [((b0 & 0x0f) << 12) | (c1 << 6) | c2, 3];
  }
  if (b0 >= 0xf0 && b0 <= 0xf4) {
    const c1 = continuation(1, b0 === 0xf0 ? 0x90 : 0x80, b0 === 0xf4 ? 0x8f : 0xbf);
    const c2 = c1 < 0 ? -1 : continuation(2);
    const c3 = c2 < 0 ? -1 : continuation(3);
    return c3 < 0 ? [-1, 1] : [((b0 & 0x07) << 18) | (c1 << 12) | (c2 << 6) | c3, 4];
  }
  return [-1, 1];
}

/** Go bytes → JavaScript string; each byte that is not part of valid UTF-8 becomes U+DC00 + byte. */
export function bytesToGoString(bytes: Uint8Array): string {
  let out = '';
  let index = 0;
  while (index < bytes.length) {
    const [codePoint, size] = decodeRune(bytes, index);
    out += codePoint < 0 ? String.fromCharCode(0xdc00 + bytes[index]!) : String.fromCodePoint(codePoint);
    index += size;
  }
  return out;
}

/**
 * JavaScript string → the bytes of the Go string it stands for: UTF-8, except that U+DC80…U+DCFF give back the raw
 * byte they carry. Any other lone surrogate cannot exist in a Go string and is encoded as U+FFFD (as Go's
 * `[]byte(string(rune))` would encode an invalid rune).
 */
export function goStringToBytes(text: string): Uint8Array {
  const out: number[] = [];
  for (const char of text) {
    const codePoint = char.codePointAt(0)!;
    if (codePoint < 0x80) out.push(codePoint);
    else if (codePoint < 0x800) out.push(0xc0 | (codePoint >> 6), 0x80 | (codePoint & 0x3f));
    else if (codePoint >= 0xdc80 && codePoint <= 0xdcff) out.push(codePoint - 0xdc00);
    else if (codePoint >= 0xd800 && codePoint <= 0xdfff) out.push(...REPLACEMENT_BYTES);
    else if (codePoint < 0x10000) {
      out.push(0xe0 | (codePoint >> 12), 0x80 | ((codePoint >> 6) & 0x3f), 0x80 | (codePoint & 0x3f));
    } else {
      out.push(
        0xf0 | (codePoint >> 18),
        0x80 | ((codePoint >> 12) & 0x3f),
        0x80 | ((codePoint >> 6) & 0x3f),
        0x80 | (codePoint & 0x3f),
      );
    }
  }
  return Uint8Array.from(out);
}

/** Whether `text` is plain ASCII, for which Go bytes and JavaScript code units coincide. */
export function isAscii(text: string): boolean {
  for (let index = 0; index < text.length; index++) if (text.charCodeAt(index) > 0x7f) return false;
  return true;
}

/** Go's `unicode.IsSpace`. */
function isGoSpace(codePoint: number): boolean {
  switch (codePoint) {
    case 0x09:
    case 0x0a:
    case 0x0b:
    case 0x0c:
    case 0x0d:
    case 0x20:
    case 0x85:
    case 0xa0:
    case 0x1680:
    case 0x2028:
    case 0x2029:
    case 0x202f:
    case 0x205f:
    case 0x3000:
      return true;
    default:
      return codePoint >= 0x2000 && codePoint <= 0x200a;
  }
}

/** Go's `strings.TrimSpace(text)` (Unicode White_Space, not JavaScript's `trim`, which also strips U+FEFF). */
export function goTrimSpace(text: string): string {
  const chars = [...text];
  let start = 0;
  let end = chars.length;
  while (start < end && isGoSpace(chars[start]!.codePointAt(0)!)) start++;
  while (end > start && isGoSpace(chars[end - 1]!.codePointAt(0)!)) end--;
  return chars.slice(start, end).join('');
}

/**
 * Compares two Go strings by their bytes, as Go's `<` on strings, `sort.Strings` and encoding/json's map-key order
 * do: for well-formed text that is code-point order, which `<` on UTF-16 code units is not (a surrogate pair sorts
 * after U+E000…U+FFFF). Returns -1, 0 or 1. A lone surrogate counts as the bytes `goStringToBytes` gives it.
 */
export function compareGoStrings(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let index = 0; index < length; index++) {
    const x = a.charCodeAt(index);
    const y = b.charCodeAt(index);
    if (x === y) continue;
    // Below the first surrogate, code-unit order is byte order; the rare rest is compared byte by byte.
    if (!isSurrogate(x) && !isSurrogate(y)) return x < y ? -1 : 1;
    return compareBytes(goStringToBytes(a), goStringToBytes(b));
  }
  // A string that is a prefix of the other in code units is also its prefix in bytes (or ends in a lone high
  // surrogate, U+FFFD's EF BF BD, which still sorts before the F0 that starts a pair).
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

function isSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdfff;
}

function compareBytes(x: Uint8Array, y: Uint8Array): number {
  const length = Math.min(x.length, y.length);
  for (let index = 0; index < length; index++) {
    const difference = x[index]! - y[index]!;
    if (difference !== 0) return difference < 0 ? -1 : 1;
  }
  return x.length === y.length ? 0 : x.length < y.length ? -1 : 1;
}

/** The value of an ASCII hexadecimal digit (either case), or -1 (Go's `unhex`, as strconv and net/url use it). */
export function hexDigitValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  if (code >= 0x61 && code <= 0x66) return code - 0x57;
  if (code >= 0x41 && code <= 0x46) return code - 0x37;
  return -1;
}
