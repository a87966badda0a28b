import { describe, expect, it } from 'vitest';
import { decodeGoBase64 } from '../../../src/go/base64.js';

const decode = (text: string, padded: boolean): string => {
  const result = decodeGoBase64(Buffer.from(text, 'latin1'), { padded });
  return result.ok ? Buffer.from(result.bytes).toString('latin1') : result.error;
};

describe('decodeGoBase64 (encoding/base64, non-strict)', () => {
  it.each([
    ['', true, ''],
    ['Zm9v', true, 'foo'],
    ['Zm8=', true, 'fo'],
    ['Zg==', true, 'f'],
    ['Zg=\r\n=\n', true, 'f'],
    ['Zm9v\n', false, 'foo'],
    ['Zm8', false, 'fo'],
    ['Zh', false, 'f'], // non-zero trailing bits are accepted (not strict)
    ['Zm9', true, 'illegal base64 data at input byte 0'],
    ['Z', false, 'illegal base64 data at input byte 0'],
    ['Zg=', true, 'illegal base64 data at input byte 3'],
    ['Zg=x', true, 'illegal base64 data at input byte 2'],
    ['=', true, 'illegal base64 data at input byte 0'],
    ['Z===', true, 'illegal base64 data at input byte 1'],
    ['Zm8=Zm8=', true, 'illegal base64 data at input byte 4'],
    ['Zm8=', false, 'illegal base64 data at input byte 3'],
    ['Zm!v', false, 'illegal base64 data at input byte 2'],
  ])('%j (padded %s) → %j', (text, padded, expected) => {
    expect(decode(text, padded)).toBe(expected);
  });
});
