import { describe, expect, it } from 'vitest';
import { goJsonString } from '../../../src/go/json-encode.js';

// encoding/json's appendString with HTML escaping on (encode.go; short escapes for \b and \f since Go 1.22).
describe('goJsonString (encoding/json string encoding)', () => {
  it.each([
    ['plain', '"plain"'],
    ['"\\/', '"\\"\\\\/"'],
    ['\b\f\n\r\t\u0000\u001f\u007f', '"\\b\\f\\n\\r\\t\\u0000\\u001f\u007f"'],
    ['<a&b>', '"\\u003ca\\u0026b\\u003e"'],
    ['é\u2028\u2029😀', '"é\\u2028\\u2029😀"'],
    ['a\ud800b\udc00', '"a\\ufffdb\\ufffd"'],
  ])('writes %j as %s', (value, encoded) => {
    expect(goJsonString(value)).toBe(encoded);
  });
});
