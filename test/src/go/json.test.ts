import { describe, expect, it } from 'vitest';
import { GoJsonObject, goJsonKind, parseGoJson } from '../../../src/go/json.js';

// The wording of each syntax error follows encoding/json's scanner (scanner.go); the callers' own suites
// (docker-config.test.ts, records.test.ts) check every message in context.

describe('parseGoJson (encoding/json scanner)', () => {
  it('keeps members in document order, duplicates included', () => {
    expect(parseGoJson('{"a":1,"b":[true,null],"a":"x"}')).toEqual({
      ok: true,
      value: new GoJsonObject([
        ['a', 1],
        ['b', [true, null]],
        ['a', 'x'],
      ]),
    });
  });

  it.each([
    // [text, redacted (the default), quoted]
    [
      'x',
      'invalid character at input byte 0 looking for beginning of value',
      "invalid character 'x' looking for beginning of value",
    ],
    [
      '"é" x',
      'invalid character at input byte 5 after top-level value',
      "invalid character 'x' after top-level value",
    ],
    ['{"a":tru', "invalid character ' ' in literal true (expecting 'e')", 'unexpected end of JSON input'],
    ['"\\', "invalid character ' ' in string escape code", 'unexpected end of JSON input'],
    ['[1', 'unexpected end of JSON input', 'unexpected end of JSON input'],
    [
      '[1,]',
      'invalid character at input byte 3 looking for beginning of value',
      "invalid character ']' looking for beginning of value",
    ],
    // encoding/json quotes the byte it stopped at as strconv.Quote quotes the rune of that value: the first byte
    // of "é" (0xC3) is U+00C3 'Ã'; DEL and control characters are escaped as Go escapes them.
    [
      'é',
      'invalid character at input byte 0 looking for beginning of value',
      "invalid character 'Ã' looking for beginning of value",
    ],
    [
      '\x7f',
      'invalid character at input byte 0 looking for beginning of value',
      "invalid character '\\x7f' looking for beginning of value",
    ],
    [
      '[\x01]',
      'invalid character at input byte 1 looking for beginning of value',
      "invalid character '\\x01' looking for beginning of value",
    ],
    [
      "'",
      'invalid character at input byte 0 looking for beginning of value',
      "invalid character '\\'' looking for beginning of value",
    ],
    [
      `${'['.repeat(10_001)}`,
      'invalid character at input byte 10000 exceeded max depth',
      'exceeded max depth',
    ],
  ])('words the error in %j as %j (redacted) or %j (quoted)', (text, redacted, quoted) => {
    expect(parseGoJson(text)).toEqual({ ok: false, error: redacted });
    expect(parseGoJson(text, { errors: 'quoted' })).toEqual({ ok: false, error: quoted });
  });

  it('replaces a raw lone surrogate with U+FFFD unless asked to keep it; escaped ones always become U+FFFD', () => {
    expect(parseGoJson('"a\ud800b\ud83d\ude00"')).toEqual({ ok: true, value: 'a\ufffdb\ud83d\ude00' });
    expect(parseGoJson('"a\ud800b"', { loneSurrogates: 'keep' })).toEqual({ ok: true, value: 'a\ud800b' });
    expect(parseGoJson('"\\ud800\\u0041"', { loneSurrogates: 'keep' })).toEqual({
      ok: true,
      value: '\ufffdA',
    });
  });
});

describe('goJsonKind (the kind an UnmarshalTypeError names)', () => {
  it.each([
    [null, 'null'],
    [true, 'bool'],
    [1.5, 'number'],
    ['s', 'string'],
    [[], 'array'],
    [new GoJsonObject([]), 'object'],
    [{}, 'object'],
  ])('%j is %s', (value, kind) => {
    expect(goJsonKind(value)).toBe(kind);
  });
});
