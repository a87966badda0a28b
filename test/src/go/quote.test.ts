import { describe, expect, it } from 'vitest';
import { goQuote } from '../../../src/go/quote.js';

describe('goQuote (Go strconv.Quote, as %q prints image names)', () => {
  it.each([
    ['nginx', '"nginx"'],
    ['', '""'],
    ['a"b', '"a\\"b"'],
    ['a\\b', '"a\\\\b"'],
    ['\u0007\b\f\n\r\t\v', '"\\a\\b\\f\\n\\r\\t\\v"'],
    ['\u0000\u001b\u007f', '"\\x00\\x1b\\x7f"'],
    ['caf\u00e9 \u2603', '"caf\u00e9 \u2603"'],
    ['\u00ad\u200b', '"\\u00ad\\u200b"'],
    ['\u{1f433}', '"\u{1f433}"'],
    ['\u{e0001}', '"\\U000e0001"'],
    ['\ud800', '"\ufffd"'],
  ])('quotes %j as %s', (input, quoted) => {
    expect(goQuote(input)).toBe(quoted);
  });
});
