/**
 * Go's `encoding/base64` decoding with `StdEncoding` (padded) and `RawStdEncoding` (unpadded), non-strict, as
 * `decodeDockerConfigFieldAuth` uses them. Carriage returns and newlines are skipped anywhere; the error text and
 * offset are Go's `CorruptInputError` ("illegal base64 data at input byte N"), which names a position, never data.
 */

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const DECODE_MAP: readonly number[] = (() => {
  const map = new Array<number>(256).fill(0xff);
  for (let index = 0; index < ALPHABET.length; index++) map[ALPHABET.charCodeAt(index)] = index;
  return map;
})();
const PAD = 0x3d; // '='
const LF = 0x0a;
const CR = 0x0d;

export type Base64Result = { ok: true; bytes: Uint8Array } | { ok: false; error: string };

function corrupt(offset: number): Base64Result {
  return { ok: false, error: `illegal base64 data at input byte ${offset}` };
}

/** `base64.StdEncoding.DecodeString` (`padded`) or `base64.RawStdEncoding.DecodeString` over Go bytes. */
export function decodeGoBase64(src: Uint8Array, { padded }: { padded: boolean }): Base64Result {
  const out: number[] = [];
  let si = 0;
  // Each pass is Go's decodeQuantum: up to four symbols, skipping CR/LF, with padding only at the very end.
  while (si < src.length) {
    const quantum = [0, 0, 0, 0];
    let symbols = 4;
    let trailingGarbageAt = -1;
    for (let j = 0; j < 4; j++) {
      if (si === src.length) {
        if (j === 0) return { ok: true, bytes: Uint8Array.from(out) };
        if (j === 1 || padded) return corrupt(si - j);
        symbols = j;
        break;
      }
      const input = src[si]!;
      si++;
      const value = DECODE_MAP[input]!;
      if (value !== 0xff) {
        quantum[j] = value;
        continue;
      }
      if (input === LF || input === CR) {
        j--;
        continue;
      }
      if (!padded || input !== PAD) return corrupt(si - 1);
      // Padding: "=" may only follow two or three symbols, "==" only two.
      if (j === 0 || j === 1) return corrupt(si - 1);
      if (j === 2) {
        while (si < src.length && (src[si] === LF || src[si] === CR)) si++;
        if (si === src.length) return corrupt(src.length);
        if (src[si] !== PAD) return corrupt(si - 1);
        si++;
      }
      while (si < src.length && (src[si] === LF || src[si] === CR)) si++;
      if (si < src.length) trailingGarbageAt = si;
      symbols = j;
      break;
    }
    const value = (quantum[0]! << 18) | (quantum[1]! << 12) | (quantum[2]! << 6) | quantum[3]!;
    const decoded = [(value >> 16) & 0xff, (value >> 8) & 0xff, value & 0xff];
    out.push(...decoded.slice(0, symbols - 1));
    if (trailingGarbageAt >= 0) return corrupt(trailingGarbageAt);
  }
  return { ok: true, bytes: Uint8Array.from(out) };
}
