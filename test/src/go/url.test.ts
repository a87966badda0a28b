import { describe, expect, it } from 'vitest';
import { parseGoUrl, splitHostPort } from '../../../src/go/url.js';

describe('parseGoUrl (net/url.Parse)', () => {
  it.each([
    ['https://reg.io', { host: 'reg.io', path: '' }],
    ['http://reg.io/a/b', { host: 'reg.io', path: '/a/b' }],
    ['https://u:p@reg.io:5000/x?q=1#f', { host: 'reg.io:5000', path: '/x' }],
    ['https://reg.io/a%2Fb%F0%9F%98%80', { host: 'reg.io', path: '/a/b😀' }],
    ['https://reg.io/😀%41', { host: 'reg.io', path: '/😀A' }],
    ['https://reg.io/%ff', { host: 'reg.io', path: '/\udcff' }],
    ['https://r%c3%a9g.io', { host: 'rég.io', path: '' }],
    ['https://[::1]', { host: '[::1]', path: '' }],
    ['https://[fe80::1%25en%20]:80', { host: '[fe80::1%en ]:80', path: '' }],
    ['https://*.io:', { host: '*.io:', path: '' }],
    ['https://', { host: '', path: '' }],
    ['https:///p', { host: '', path: '/p' }],
    ['https://a<b>"c', { host: 'a<b>"c', path: '' }],
  ])('%j → %j', (url, expected) => {
    expect(parseGoUrl(url)).toEqual(expected);
  });

  it.each([
    'https://reg.io\n',
    'https://reg.io/\x7f',
    'https://reg.io#%g0',
    'https://reg io',
    'https://reg.io:8a',
    'https://%41.io',
    'https://[::1',
    'https://[::1]:x',
    'https://[fe80::1%25%7B]',
    'https://[fe80::1%25%41%zz]',
    'https://[fe80::1%25%zz]',
    'https://[fe80::1%25en{]',
    'https://[fe80::1%25en]%41',
    'https://[fe80%41::1%25en]',
    'https://us er@reg.io',
    'https://a:%zz@reg.io',
    'https://%zz@reg.io',
    'https://reg.io/%',
  ])('%j is a parse error', (url) => {
    expect(parseGoUrl(url)).toBeUndefined();
  });

  it('rejects callers that did not add a scheme (a programmer error)', () => {
    expect(() => parseGoUrl('reg.io')).toThrow(/http\(s\) URL/);
  });
});

describe('splitHostPort (net.SplitHostPort)', () => {
  it.each([
    ['reg.io:5000', { host: 'reg.io', port: '5000' }],
    ['reg.io:', { host: 'reg.io', port: '' }],
    ['[::1]:80', { host: '::1', port: '80' }],
    ['reg.io', undefined],
    ['a:b:c', undefined],
    ['[::1]', undefined],
    ['[::1', undefined],
    ['[::1]x:80', undefined],
    ['[::1]:80]', undefined],
    ['[a[b]:80', undefined],
    ['a[b:80', undefined],
    ['a]b:80', undefined],
  ])('%j → %j', (hostport, expected) => {
    expect(splitHostPort(hostport)).toEqual(expected);
  });
});

describe('zone identifiers', () => {
  it('allow escaped letters and spaces in the zone, but no escaped delimiter', () => {
    expect(parseGoUrl('https://[fe80::1%25%41]')).toEqual({ host: '[fe80::1%A]', path: '' });
  });
});
