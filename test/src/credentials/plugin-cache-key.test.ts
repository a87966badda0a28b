import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  baseCacheKey,
  type CacheKeyResult,
  GLOBAL_CACHE_KEY,
  generateCacheKey,
  generateServiceAccountCacheKey,
  getHashIfNotEmpty,
  parseRegistry,
  type ServiceAccountCacheKeyParams,
} from '../../../src/credentials/plugin-cache-key.js';
import { kubeletProfile } from '../../../src/profiles.js';

const NEW = kubeletProfile('1.36');

function key(result: CacheKeyResult): string {
  if (!result.ok) throw new Error(result.error);
  return result.key;
}

const account = (overrides: Partial<ServiceAccountCacheKeyParams> = {}): ServiceAccountCacheKeyParams => ({
  namespace: 'ns',
  serviceAccountName: 'sa',
  serviceAccountUid: 'uid',
  annotations: {},
  ...overrides,
});

describe('generateCacheKey / generateServiceAccountCacheKey (plugin.go, cryptobyte)', () => {
  it('writes each string behind its big-endian uint16 byte length, UTF-8 encoded', () => {
    expect(key(generateCacheKey('é', ''))).toBe('\x00\x02\xc3\xa9\x00\x00');
    expect(key(generateCacheKey('x'.repeat(300), '')).slice(0, 2)).toBe('\x01\x2c');
  });

  it('writes a raw byte of a Go string as that byte', () => {
    expect(key(generateCacheKey('\udcff', ''))).toBe('\x00\x01\xff\x00\x00');
  });

  it('nests a service-account key byte for byte, whatever bytes it holds', () => {
    const serviceAccountKey = key(generateServiceAccountCacheKey(account({ namespace: 'nämespace' }), NEW));
    const combined = key(generateCacheKey('image', serviceAccountKey));
    expect(combined).toBe(
      `\x00\x05image\x00${String.fromCharCode(serviceAccountKey.length)}${serviceAccountKey}`,
    );
  });

  it('fails as cryptobyte does when a part is longer than 65535 bytes', () => {
    const long = 'a'.repeat(70_000);
    expect(generateCacheKey(long, '')).toEqual({
      ok: false,
      error: 'cryptobyte: pending child length 70000 exceeds 2-byte length prefix',
    });
    expect(generateServiceAccountCacheKey(account({ annotations: { k: long } }), NEW).ok).toBe(false);
    expect(generateCacheKey('a'.repeat(65_535), '').ok).toBe(true);
  });

  it('orders annotations by key bytes, not by insertion', () => {
    const a = generateServiceAccountCacheKey(account({ annotations: { b: '2', a: '1' } }), NEW);
    const b = generateServiceAccountCacheKey(account({ annotations: { a: '1', b: '2' } }), NEW);
    expect(a).toEqual(b);
  });

  it('adds the token marker and hash only for cacheType Token from 1.34', () => {
    const token = account({ cacheType: 'Token', tokenHash: 'sha256:ab' });
    expect(key(generateServiceAccountCacheKey(token, NEW)).endsWith('\x00\x05token\x00\x09sha256:ab')).toBe(
      true,
    );
    const perAccount = account({ cacheType: 'ServiceAccount', tokenHash: 'sha256:ab' });
    expect(generateServiceAccountCacheKey(perAccount, NEW)).toEqual(
      generateServiceAccountCacheKey(account(), NEW),
    );
    const old = kubeletProfile('1.33');
    expect(generateServiceAccountCacheKey(token, old)).toEqual(
      generateServiceAccountCacheKey(account(), old),
    );
  });

  it('gives different accounts different keys (the length prefixes make the encoding injective)', () => {
    const text = fc.string({ maxLength: 6 });
    const params = fc.record({
      namespace: text,
      serviceAccountName: text,
      serviceAccountUid: text,
      annotations: fc.dictionary(text, text, { maxKeys: 3 }),
    });
    fc.assert(
      fc.property(params, params, (a, b) => {
        const same = JSON.stringify(normalised(a)) === JSON.stringify(normalised(b));
        const keyA = key(generateServiceAccountCacheKey(a, NEW));
        const keyB = key(generateServiceAccountCacheKey(b, NEW));
        expect(keyA === keyB).toBe(same);
        expect(
          key(generateCacheKey('registry.io/image', keyA)) ===
            key(generateCacheKey('registry.io/image', keyB)),
        ).toBe(same);
      }),
    );
  });
});

function normalised(params: ServiceAccountCacheKeyParams): unknown {
  const annotations = Object.entries(params.annotations).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return [params.namespace, params.serviceAccountName, params.serviceAccountUid, annotations];
}

describe('baseCacheKey / parseRegistry (plugin.go provide, parseRegistry)', () => {
  it('keys an Image answer on the image, a Registry answer on the host with port, a Global one on "global"', () => {
    expect(baseCacheKey('Image', 'reg.io:5000/a/b')).toBe('reg.io:5000/a/b');
    expect(baseCacheKey('Registry', 'reg.io:5000/a/b')).toBe('reg.io:5000');
    expect(baseCacheKey('Global', 'reg.io:5000/a/b')).toBe(GLOBAL_CACHE_KEY);
  });

  it('rejects any other cacheKeyType', () => {
    expect(baseCacheKey('', 'reg.io/a')).toBeUndefined();
    expect(baseCacheKey('registry', 'reg.io/a')).toBeUndefined();
  });

  it('takes a name without a slash whole', () => {
    expect(parseRegistry('reg.io')).toBe('reg.io');
  });
});

describe('getHashIfNotEmpty', () => {
  it('is empty for an empty token and sha256:<hex> otherwise', () => {
    expect(getHashIfNotEmpty('')).toBe('');
    expect(getHashIfNotEmpty('token')).toBe(
      'sha256:3c469e9d6c5875d37a43f353d4f88e61fcf812c66eee3457465a40b0da4153e0',
    );
  });
});
