/**
 * FNV-1 32-bit written out from its definition (offset basis 0x811c9dc5, prime 0x01000193, multiply then XOR each
 * UTF-8 byte; the stripe hash of `locks.go`), with BigInt arithmetic so it shares nothing with
 * `src/pullmanager/locks.ts`.
 */
export function referenceFnv1(key: string): number {
  let hash = 0x811c9dc5n;
  for (const byte of new TextEncoder().encode(key)) {
    hash = (hash * 0x01000193n) & 0xffffffffn;
    hash ^= BigInt(byte);
  }
  return Number(hash);
}
