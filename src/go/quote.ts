/**
 * Go's `strconv.Quote`, the quoting of `fmt`'s `%q`: the kubelet quotes image names this way in its messages, and
 * sigs.k8s.io/json names unknown and duplicate fields this way in its strict-decoding errors. Printable runes stay
 * as they are; `"` and `\` are escaped; control and other unprintable runes become `\a`…`\v`, `\xNN`, `\uNNNN` or
 * `\UNNNNNNNN` (lower-case hex).
 *
 * @example goQuote('a\tb') // '"a\\tb"'
 */
export function goQuote(text: string): string {
  if (PLAIN_ASCII.test(text)) return `"${text}"`;
  let out = '"';
  for (const char of text) {
    const codePoint = char.codePointAt(0) as number;
    if (char === '"' || char === '\\') out += `\\${char}`;
    else if (isLoneSurrogate(codePoint))
      out += '\ufffd'; // Go sees invalid UTF-8 decoded as U+FFFD.
    else if (GO_PRINTABLE.test(char)) out += char;
    else out += escapeUnprintable(codePoint);
  }
  return `${out}"`;
}

const PLAIN_ASCII = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;
const GO_PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;
const SHORT_ESCAPES: ReadonlyMap<number, string> = new Map([
  [0x07, '\\a'],
  [0x08, '\\b'],
  [0x0c, '\\f'],
  [0x0a, '\\n'],
  [0x0d, '\\r'],
  [0x09, '\\t'],
  [0x0b, '\\v'],
]);

function escapeUnprintable(codePoint: number): string {
  const short = SHORT_ESCAPES.get(codePoint);
  if (short !== undefined) return short;
  if (codePoint < 0x20 || codePoint === 0x7f) return `\\x${hex(codePoint, 2)}`;
  if (codePoint < 0x10000) return `\\u${hex(codePoint, 4)}`;
  return `\\U${hex(codePoint, 8)}`;
}

function hex(value: number, width: number): string {
  return value.toString(16).padStart(width, '0');
}

function isLoneSurrogate(codePoint: number): boolean {
  return codePoint >= 0xd800 && codePoint <= 0xdfff;
}
