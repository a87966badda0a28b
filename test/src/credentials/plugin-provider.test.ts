import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  PLUGIN_CACHE_PURGE_INTERVAL_TICKS,
  PluginResponseCache,
} from '../../../src/credentials/plugin-cache.js';
import { generateCacheKey } from '../../../src/credentials/plugin-cache-key.js';
import {
  type PluginPodRequest,
  PluginProvider,
  type PluginProviderConfig,
  type PluginResponse,
} from '../../../src/credentials/plugin-provider.js';
import { kubeletProfile } from '../../../src/profiles.js';
import { TICKS_PER_MINUTE, type Ticks, ticks } from '../../../src/time.js';

const USER = { username: 'u', password: 'p' };
const IMAGE = 'reg.io/team/app';
const NO_POD: PluginPodRequest = { podNamespace: 'ns', serviceAccountName: '' };
const TOKEN_MODE = {
  requireServiceAccount: true,
  requiredServiceAccountAnnotationKeys: ['id'],
  optionalServiceAccountAnnotationKeys: ['role'],
};
const POD: PluginPodRequest = {
  podNamespace: 'ns',
  serviceAccountName: 'sa',
  serviceAccount: { uid: 'uid-1', annotations: { id: '7', role: 'admin', other: 'x' } },
  token: 'tok',
};

function setup(
  config: Partial<PluginProviderConfig> = {},
  answer: PluginResponse | 'fails' = { cacheKeyType: 'Registry', auth: { 'reg.io': USER } },
  version: '1.33' | '1.36' = '1.36',
) {
  const clock = { now: ticks(0) };
  const calls: { image: string; token: string; annotations: Readonly<Record<string, string>> }[] = [];
  const provider = new PluginProvider(
    { matchImages: ['reg.io'], defaultCacheDurationTicks: ticks(TICKS_PER_MINUTE), ...config },
    kubeletProfile(version),
    () => clock.now,
    (image, token, annotations) => {
      calls.push({ image, token, annotations });
      return answer === 'fails' ? undefined : answer;
    },
  );
  return { provider, clock, calls };
}

describe('PluginProvider.provide (plugin.go pluginProvider.provide)', () => {
  it('gives nothing for an image outside matchImages, without running the plugin', () => {
    const { provider, calls } = setup();
    expect(provider.provide('other.io/app', NO_POD)).toEqual({});
    expect(calls).toHaveLength(0);
  });

  it("keeps an answer without a duration for the provider's default, then asks again", () => {
    const { provider, clock, calls } = setup();
    expect(provider.provide(IMAGE, NO_POD)).toEqual({ 'reg.io': USER });
    clock.now = ticks(TICKS_PER_MINUTE);
    expect(provider.provide('reg.io/other', NO_POD)).toEqual({ 'reg.io': USER });
    expect(calls).toHaveLength(1);
    clock.now = ticks(TICKS_PER_MINUTE + 1);
    provider.provide(IMAGE, NO_POD);
    expect(calls).toHaveLength(2);
  });

  it('keeps nothing when neither the answer nor the provider gives a duration', () => {
    const { provider, calls } = setup({ defaultCacheDurationTicks: ticks(0) });
    provider.provide(IMAGE, NO_POD);
    provider.provide(IMAGE, NO_POD);
    expect(calls).toHaveLength(2);
    expect(provider.cache.keys()).toEqual([]);
  });

  it('gives nothing when the plugin fails or names an unknown cacheKeyType', () => {
    expect(setup({}, 'fails').provider.provide(IMAGE, NO_POD)).toEqual({});
    const bad = setup({}, { cacheKeyType: 'Repository', auth: { 'reg.io': USER } });
    expect(bad.provider.provide(IMAGE, NO_POD)).toEqual({});
    expect(bad.provider.cache.keys()).toEqual([]);
  });

  it('keeps username and password only, empty when absent', () => {
    const { provider } = setup({}, { cacheKeyType: 'Image', auth: { 'reg.io': {} } });
    expect(provider.provide(IMAGE, NO_POD)).toEqual({ 'reg.io': { username: '', password: '' } });
  });

  it('gives nothing when the key cannot be built (an image longer than 65535 bytes)', () => {
    const long = `reg.io/${'a'.repeat(70_000)}`;
    const { provider, calls } = setup({}, { cacheKeyType: 'Image', auth: {} });
    expect(provider.provide(long, NO_POD)).toEqual({});
    expect(calls).toHaveLength(0); // the cache lookup already fails
  });
});

describe('PluginProvider.provide in service-account-token mode (KEP-4412)', () => {
  it('hands the plugin the token and the required and optional annotations the account has', () => {
    const { provider, calls } = setup({ tokenAttributes: TOKEN_MODE });
    expect(provider.provide(IMAGE, POD)).toEqual({ 'reg.io': USER });
    expect(calls).toEqual([{ image: IMAGE, token: 'tok', annotations: { id: '7', role: 'admin' } }]);
  });

  it.each([
    ['no service-account name while one is required', NO_POD],
    ['a service account that cannot be read', { ...POD, serviceAccount: undefined }],
    [
      'a required annotation missing',
      { ...POD, serviceAccount: { uid: 'uid-1', annotations: { role: 'r' } } },
    ],
    ['a token request that fails', { ...POD, token: undefined }],
    [
      'an annotation too long for the key',
      { ...POD, serviceAccount: { uid: 'u', annotations: { id: 'x'.repeat(70_000) } } },
    ],
  ] as const)('gives nothing and runs no plugin for %s', (_, pod) => {
    const { provider, calls } = setup({ tokenAttributes: TOKEN_MODE });
    expect(provider.provide(IMAGE, pod as PluginPodRequest)).toEqual({});
    expect(calls).toHaveLength(0);
  });

  it('runs the plugin without a token for a pod without a service account when none is required', () => {
    const { provider, calls } = setup({ tokenAttributes: { ...TOKEN_MODE, requireServiceAccount: false } });
    expect(provider.provide(IMAGE, NO_POD)).toEqual({ 'reg.io': USER });
    expect(calls).toEqual([{ image: IMAGE, token: '', annotations: {} }]);
  });

  it('keeps one entry per service account, and with cacheType Token one per token from 1.34', () => {
    const other = { ...POD, token: 'tok-2' };
    const perAccount = setup({ tokenAttributes: { ...TOKEN_MODE, cacheType: 'ServiceAccount' } });
    perAccount.provider.provide(IMAGE, POD);
    perAccount.provider.provide(IMAGE, other);
    expect(perAccount.calls).toHaveLength(1);
    const perToken = setup({ tokenAttributes: { ...TOKEN_MODE, cacheType: 'Token' } });
    perToken.provider.provide(IMAGE, POD);
    perToken.provider.provide(IMAGE, other);
    expect(perToken.calls).toHaveLength(2);
    const old = setup({ tokenAttributes: { ...TOKEN_MODE, cacheType: 'Token' } }, undefined, '1.33');
    old.provider.provide(IMAGE, POD);
    old.provider.provide(IMAGE, other);
    expect(old.calls).toHaveLength(1); // 1.33 has no cache type: one entry per service account
  });

  it('never serves one service account the entry of another', () => {
    const { provider, calls } = setup({ tokenAttributes: TOKEN_MODE });
    provider.provide(IMAGE, POD);
    provider.provide(IMAGE, { ...POD, serviceAccount: { uid: 'uid-2', annotations: { id: '7' } } });
    expect(calls).toHaveLength(2);
    expect(provider.cache.keys()).toHaveLength(2);
  });
});

describe('PluginProvider.provideWithCoordinates (1.34+, #132617 and #132771)', () => {
  const echo: PluginResponse = {
    cacheKeyType: 'Image',
    auth: { 'reg.io': { username: 'u', password: 'tok' } },
  };

  it('refuses an answer echoing the token from 1.34 unless the cache type is Token; 1.33 takes it', () => {
    expect(setup({ tokenAttributes: TOKEN_MODE }, echo).provider.provide(IMAGE, POD)).toEqual({});
    const token = { ...TOKEN_MODE, cacheType: 'Token' as const };
    const want = { 'reg.io': { username: 'u', password: 'tok' } };
    expect(setup({ tokenAttributes: token }, echo).provider.provide(IMAGE, POD)).toEqual(want);
    expect(setup({ tokenAttributes: TOKEN_MODE }, echo, '1.33').provider.provide(IMAGE, POD)).toEqual(want);
  });

  it('names the service account in token mode, from the plugin and from the cache alike', () => {
    const { provider, calls } = setup({ tokenAttributes: TOKEN_MODE });
    const want = {
      credentials: { 'reg.io': USER },
      serviceAccount: { namespace: 'ns', name: 'sa', uid: 'uid-1' },
    };
    expect(provider.provideWithCoordinates(IMAGE, POD)).toEqual(want);
    expect(provider.provideWithCoordinates(IMAGE, POD)).toEqual(want);
    expect(calls).toHaveLength(1);
  });

  it('names none outside token mode or for a pod without a service account', () => {
    expect(setup().provider.provideWithCoordinates(IMAGE, POD)).toEqual({ credentials: { 'reg.io': USER } });
    const optional = { ...TOKEN_MODE, requireServiceAccount: false };
    const { provider } = setup({ tokenAttributes: optional });
    expect(provider.provideWithCoordinates(IMAGE, NO_POD)).toEqual({ credentials: { 'reg.io': USER } });
  });
});

describe('PluginResponseCache (client-go ExpirationStore, getCachedCredentials)', () => {
  const key = (base: string) => {
    const result = generateCacheKey(base, '');
    if (!result.ok) throw new Error(result.error);
    return result.key;
  };

  it('finds an entry up to and including its expiry, never after', () => {
    fc.assert(
      fc.property(fc.nat(1_000), fc.nat(1_000), (expiresAt, now) => {
        const clock = { now: ticks(0) };
        const cache = new PluginResponseCache(() => clock.now);
        cache.add({ key: key('img'), credentials: { img: USER }, expiresAt: ticks(expiresAt) });
        clock.now = ticks(now);
        const found = cache.lookup('img', '');
        expect(found).toEqual({ ok: true, credentials: now <= expiresAt ? { img: USER } : undefined });
      }),
    );
  });

  it('purges expired entries nobody reads only once the purge interval has passed', () => {
    const clock = { now: ticks(0) };
    const cache = new PluginResponseCache(() => clock.now);
    cache.add({ key: key('a'), credentials: {}, expiresAt: ticks(1) });
    clock.now = PLUGIN_CACHE_PURGE_INTERVAL_TICKS;
    cache.lookup('b', '');
    expect(cache.keys()).toHaveLength(1);
    clock.now = ticks(PLUGIN_CACHE_PURGE_INTERVAL_TICKS + 1);
    cache.lookup('b', '');
    expect(cache.keys()).toEqual([]);
  });

  it('looks an image up under its image, registry and global keys', () => {
    const cache = new PluginResponseCache(() => ticks(0));
    const forever = ticks(Number.MAX_SAFE_INTEGER) as Ticks;
    cache.add({ key: key('global'), credentials: { g: USER }, expiresAt: forever });
    expect(cache.lookup('reg.io/a', '')).toEqual({ ok: true, credentials: { g: USER } });
    cache.add({ key: key('reg.io'), credentials: { r: USER }, expiresAt: forever });
    expect(cache.lookup('reg.io/a', '')).toEqual({ ok: true, credentials: { r: USER } });
    cache.add({ key: key('reg.io/a'), credentials: { i: USER }, expiresAt: forever });
    expect(cache.lookup('reg.io/a', '')).toEqual({ ok: true, credentials: { i: USER } });
  });
});
