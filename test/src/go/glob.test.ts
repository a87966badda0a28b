import { describe, expect, it } from 'vitest';
import { goFilepathMatch, hasGlobMeta } from '../../../src/go/glob.js';

const match = (pattern: string, name: string): boolean =>
  goFilepathMatch(Buffer.from(pattern, 'utf8'), Buffer.from(name, 'utf8'));

// The table of Go's path/filepath match_test.go (matchTests); a pattern error counts as "no match".
describe('goFilepathMatch (path/filepath.Match)', () => {
  it.each([
    ['abc', 'abc', true],
    ['*', 'abc', true],
    ['*c', 'abc', true],
    ['a*', 'a', true],
    ['a*', 'abc', true],
    ['a*', 'ab/c', false],
    ['a*/b', 'abc/b', true],
    ['a*/b', 'a/c/b', false],
    ['a*b*c*d*e*/f', 'axbxcxdxe/f', true],
    ['a*b*c*d*e*/f', 'axbxcxdxexxx/f', true],
    ['a*b*c*d*e*/f', 'axbxcxdxe/xxx/f', false],
    ['a*b*c*d*e*/f', 'axbxcxdxexxx/fff', false],
    ['a*b?c*x', 'abxbbxdbxebxczzx', true],
    ['a*b?c*x', 'abxbbxdbxebxczzy', false],
    ['ab[c]', 'abc', true],
    ['ab[b-d]', 'abc', true],
    ['ab[e-g]', 'abc', false],
    ['ab[^c]', 'abc', false],
    ['ab[^b-d]', 'abc', false],
    ['ab[^e-g]', 'abc', true],
    ['a\\*b', 'a*b', true],
    ['a\\*b', 'ab', false],
    ['a?b', 'a☺b', true],
    ['a[^a]b', 'a☺b', true],
    ['a???b', 'a☺b', false],
    ['a[^a][^a][^a]b', 'a☺b', false],
    ['[a-ζ]*', 'α', true],
    ['*[a-ζ]', 'A', false],
    ['a?b', 'a/b', false],
    ['a*b', 'a/b', false],
    ['[\\]a]', ']', true],
    ['[\\-]', '-', true],
    ['[x\\-]', 'x', true],
    ['[x\\-]', '-', true],
    ['[x\\-]', 'z', false],
    ['[\\-x]', 'x', true],
    ['[\\-x]', '-', true],
    ['[\\-x]', 'a', false],
    ['[]a]', ']', false],
    ['[-]', '-', false],
    ['[x-]', 'x', false],
    ['[x-]', '-', false],
    ['[x-]', 'z', false],
    ['[-x]', 'x', false],
    ['[-x]', '-', false],
    ['[-x]', 'a', false],
    ['\\', 'a', false],
    ['[a-b-c]', 'a', false],
    ['[', 'a', false],
    ['[^', 'a', false],
    ['[^bc', 'a', false],
    ['a[', 'a', false],
    ['a[', 'ab', false],
    ['a[', 'x', false],
    ['a/b[', 'x', false],
    ['*x', 'xxx', true],
  ])('Match(%j, %j) = %s', (pattern, name, expected) => {
    expect(match(pattern, name)).toBe(expected);
  });

  it('is byte-wise like Go: after a star, "?" can consume the bytes of one rune one at a time', () => {
    expect(match('*??', '€')).toBe(true); // Go skips one byte, then each "?" takes one invalid byte
    expect(match('??', '€')).toBe(false);
    expect(match('[\xff]', 'a')).toBe(false); // a class with an invalid rune is a bad pattern
    expect(match('*[^a]', '\u00e9')).toBe(true);
    // An invalid byte in the name is U+FFFD for a class, as utf8.DecodeRune reports it.
    expect(goFilepathMatch(Buffer.from('[^a]'), Uint8Array.from([0xff]))).toBe(true);
    expect(goFilepathMatch(Buffer.from('[\ufffd]'), Uint8Array.from([0xff]))).toBe(true);
    expect(match('[\\', 'a')).toBe(false);
  });

  it('reports a bad pattern found while skipping after a star', () => {
    expect(match('*a[', 'xxa')).toBe(false);
    expect(match('*[x-', 'yy')).toBe(false);
    expect(match('*\\', 'yy')).toBe(false);
  });

  it('knows which labels need the glob matcher', () => {
    expect(hasGlobMeta('registry')).toBe(false);
    expect(['*', 'a?', '[a]', 'a\\b'].every(hasGlobMeta)).toBe(true);
  });
});
