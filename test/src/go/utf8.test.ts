import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bytesToGoString,
  compareGoStrings,
  decodeRune,
  goStringToBytes,
  goTrimSpace,
  isAscii,
} from '../../../src/go/utf8.js';

describe('decodeRune (unicode/utf8.DecodeRune)', () => {
  it.each([
    [[0x41], [0x41, 1]],
    [
      [0xc3, 0xa9],
      [0xe9, 2],
    ],
    [
      [0xe2, 0x82, 0xac],
      [0x20ac, 3],
    ],
    [
      [0xf0, 0x9f, 0x98, 0x80],
      [0x1f600, 4],
    ],
    [
      [0xc0, 0x80],
      [-1, 1],
    ], // overlong
    [[0xc3], [-1, 1]], // truncated
    [
      [0xe0, 0x80, 0x80],
      [-1, 1],
    ], // overlong three-byte form
    [
      [0xed, 0xa0, 0x80],
      [-1, 1],
    ], // encoded surrogate
    [
      [0xe2, 0x82],
      [-1, 1],
    ],
    [
      [0xf0, 0x80, 0x80, 0x80],
      [-1, 1],
    ],
    [
      [0xf4, 0x90, 0x80, 0x80],
      [-1, 1],
    ], // above U+10FFFF
    [
      [0xf0, 0x9f, 0x98],
      [-1, 1],
    ],
    [
      [0xf0, 0x9f, 0x41, 0x80],
      [-1, 1],
    ],
    [[0x80], [-1, 1]],
    [[0xff], [-1, 1]],
  ])('%j → %j', (bytes, expected) => {
    expect(decodeRune(Uint8Array.from(bytes), 0)).toEqual(expected);
  });
});

describe('Go strings in JavaScript', () => {
  it('carries invalid bytes as U+DC80…U+DCFF and back', () => {
    const bytes = Uint8Array.from([0x61, 0xff, 0xc3, 0xa9, 0xe2, 0x82, 0x41]);
    const text = bytesToGoString(bytes);
    expect(text).toBe('a\udcffé\udce2\udc82A');
    expect([...goStringToBytes(text)]).toEqual([...bytes]);
  });

  it('round-trips any byte string', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 24 }), (bytes) => {
        expect([...goStringToBytes(bytesToGoString(bytes))]).toEqual([...bytes]);
      }),
      { numRuns: 300 },
    );
  });

  it('encodes other lone surrogates as U+FFFD', () => {
    expect([...goStringToBytes('\ud800')]).toEqual([0xef, 0xbf, 0xbd]);
    expect([...goStringToBytes('\udc00')]).toEqual([0xef, 0xbf, 0xbd]);
  });

  it('trims Go white space, not U+FEFF', () => {
    expect(
      goTrimSpace('\t\n\v\f\r \u0085\u00a0\u1680\u2000\u200a\u2028\u2029\u202f\u205f\u3000x=\u3000 '),
    ).toBe('x=');
    expect(goTrimSpace('x=\ufeff')).toBe('x=\ufeff');
    expect(goTrimSpace('   ')).toBe('');
  });

  it('compares like Go: bytes, not UTF-16 code units', () => {
    expect(isAscii('abc')).toBe(true);
    expect(isAscii('é')).toBe(false);
    expect(compareGoStrings('a', 'b')).toBe(-1);
    expect(compareGoStrings('b', 'a')).toBe(1);
    expect(compareGoStrings('a', 'a')).toBe(0);
    expect(compareGoStrings('\uffff', '😀')).toBe(-1); // JS code units would say the opposite
    expect(compareGoStrings('😀', '\uffff')).toBe(1);
    expect(compareGoStrings('é', 'é')).toBe(0);
    expect(compareGoStrings('é', 'éa')).toBe(-1);
    expect(compareGoStrings('éa', 'é')).toBe(1);
    // U+FF61 is EF BD A1 in UTF-8 and sorts before U+1F600 (F0 9F 98 80), as encoding/json sorts map keys.
    expect(compareGoStrings('\uFF61', '\u{1F600}')).toBeLessThan(0);
    expect(compareGoStrings('a', 'ab')).toBeLessThan(0);
    expect(compareGoStrings('b', 'a')).toBeGreaterThan(0);
  });

  it('compares a carried raw byte as that byte: U+DC80 (0x80) sorts before é (C3 A9)', () => {
    expect(compareGoStrings('\udc80', 'é')).toBe(-1);
    expect(compareGoStrings('a\udcff', 'aé')).toBe(1);
  });

  it('property: the order is the order of the bytes goStringToBytes gives', () => {
    const bytewise = (a: string, b: string): number => {
      const x = Buffer.from(goStringToBytes(a));
      const y = Buffer.from(goStringToBytes(b));
      return Buffer.compare(x, y);
    };
    const text = fc.string({ unit: 'binary', maxLength: 6 });
    fc.assert(
      fc.property(text, text, (a, b) => {
        expect(compareGoStrings(a, b)).toBe(bytewise(a, b));
      }),
      { numRuns: 2000 },
    );
  });
});
