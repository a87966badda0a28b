/**
 * `pkg/credentialprovider/plugin/plugin_test.go`, the response-cache tests: `Test_Provide`,
 * `Test_getCachedCredentials` (with and without a service account), the three `*CacheKeyType` tests and
 * `Test_NoCacheResponse`, against src/credentials/plugin-provider.ts and plugin-cache.ts. The facts are those of the
 * revision with `Test_Provide` and the four-argument service-account key; the fake plugin answers with the test's
 * `cacheKeyType`, its `auth`, and a `cacheDuration` that is always set (zero unless the test gives one).
 *
 * `Test_Provide` and the `*CacheKeyType` tests are 1.33's only: they call `Provide`, which 1.34 replaces with
 * `provideWithCoordinates` (kubernetes/kubernetes#132771; the stored newer plugin.go has no `Provide`), and the newer
 * plugin_test.go replaces them with `Test_ProvideWithCoordinates` and `Test_CacheKeyGeneration`
 * (credentialprovider-plugin-newer.ts).
 *
 * `Test_getCachedCredentials` shares one cache and one fake clock across its cases: each case's facts hold the
 * steps of the cases before it, replayed first.
 */
import { expect } from 'vitest';
import type { PluginCredentials } from '../../src/credentials/plugin-cache.js';
import {
  generateCacheKey,
  generateServiceAccountCacheKey,
  type PluginCacheKeyType,
  type ServiceAccountCacheKeyParams,
} from '../../src/credentials/plugin-cache-key.js';
import {
  type PluginPodRequest,
  PluginProvider,
  type PluginProviderConfig,
  type PluginTokenAttributes,
} from '../../src/credentials/plugin-provider.js';
import { type KubeletVersion, kubeletProfile } from '../../src/profiles.js';
import { TICKS_PER_HOUR, TICKS_PER_MINUTE, TICKS_PER_SECOND, type Ticks, ticks } from '../../src/time.js';
import { ALL_VERSIONS } from './pull-manager-setup.js';
import { type UpstreamCase, upstreamTest } from './upstream-case.js';

const FILE = 'pkg/credentialprovider/plugin/plugin_test.go';
/** The versions of `Test_Provide` and the `*CacheKeyType` tests (see above). */
const ONLY_1_33: readonly KubeletVersion[] = ['1.33'];

function unwrap(result: { ok: true; key: string } | { ok: false; error: string }): string {
  if (!result.ok) throw new Error(result.error);
  return result.key;
}

/** A key as the test writes it: a literal, or `generateCacheKey(base, <the test's service-account key>)`. */
type KeyFact = { readonly literal: string } | { readonly base: string };

function keyOf(fact: KeyFact, serviceAccountKey: string): string {
  return 'literal' in fact ? fact.literal : unwrap(generateCacheKey(fact.base, serviceAccountKey));
}

function serviceAccountKey(
  account: ServiceAccountCacheKeyParams | undefined,
  version: KubeletVersion,
): string {
  if (account === undefined) return '';
  return unwrap(generateServiceAccountCacheKey(account, kubeletProfile(version)));
}

/** A provider on a fake clock at 0 with a fake plugin that gives `answer`, counting its runs. */
function provider(config: PluginProviderConfig, answer: Answer, version: KubeletVersion) {
  const clock = { now: ticks(0) };
  const runs = { count: 0 };
  const plugin = new PluginProvider(
    config,
    kubeletProfile(version),
    () => clock.now,
    () => {
      runs.count++;
      return {
        cacheKeyType: answer.cacheKeyType,
        cacheDurationTicks: answer.cacheDurationTicks ?? ticks(0),
        auth: answer.auth,
      };
    },
  );
  return { plugin, clock, runs };
}

interface Answer {
  readonly cacheKeyType: PluginCacheKeyType;
  readonly cacheDurationTicks?: Ticks;
  readonly auth: PluginCredentials;
}

const USER = { username: 'user', password: 'password' };
const NO_POD: PluginPodRequest = { podNamespace: '', serviceAccountName: '' };

interface ProvideFacts {
  readonly matchImages: readonly string[];
  readonly answer: Answer;
  readonly image: string;
  readonly want: PluginCredentials;
}

const provideCase = (
  name: string,
  cacheKeyType: PluginCacheKeyType,
  match: string,
  image: string,
): UpstreamCase<ProvideFacts> => ({
  case: name,
  facts: {
    matchImages: [match],
    answer: { cacheKeyType, auth: { [match]: USER } },
    image,
    want: { [match]: USER },
  },
});

const provideTest = upstreamTest<ProvideFacts>({
  file: FILE,
  test: 'Test_Provide',
  versions: ONLY_1_33,
  cases: [
    provideCase(
      'exact image match, with Registry cache key',
      'Registry',
      'test.registry.io',
      'test.registry.io/foo/bar',
    ),
    provideCase(
      'exact image match, with Image cache key',
      'Image',
      'test.registry.io/foo/bar',
      'test.registry.io/foo/bar',
    ),
    provideCase('exact image match, with Global cache key', 'Global', 'test.registry.io', 'test.registry.io'),
    provideCase(
      'wild card image match, with Registry cache key',
      'Registry',
      '*.registry.io:8080',
      'test.registry.io:8080/foo',
    ),
    provideCase(
      'wild card image match, with Image cache key',
      'Image',
      '*.*.registry.io',
      'foo.bar.registry.io/foo/bar',
    ),
    provideCase(
      'wild card image match, with Global cache key',
      'Global',
      '*.registry.io',
      'test.registry.io',
    ),
  ],
  check({ matchImages, answer, image, want }, version) {
    const { plugin } = provider({ matchImages, defaultCacheDurationTicks: ticks(0) }, answer, version);
    expect(plugin.provide(image, NO_POD)).toEqual(want);
  },
});

/** One case of `Test_getCachedCredentials`: add an entry, step the clock, look an image up, count the keys. */
interface CachedStep {
  readonly entry: {
    readonly key: KeyFact;
    readonly expiresAtTicks: Ticks;
    readonly credentials: PluginCredentials;
  };
  readonly stepTicks: Ticks;
  readonly image: string;
  readonly want?: PluginCredentials;
  readonly keyCount: number;
}

interface CachedFacts {
  readonly serviceAccount?: ServiceAccountCacheKeyParams;
  /** The steps of this case and the cases before it (one cache, one clock). */
  readonly steps: readonly CachedStep[];
}

const credentialsOf = (n: number): PluginCredentials => ({
  [`image${n}`]: { username: `user${n}`, password: `pass${n}` },
});

function cachedCases(
  serviceAccount: ServiceAccountCacheKeyParams | undefined,
  keys: readonly [KeyFact, KeyFact, KeyFact],
): UpstreamCase<CachedFacts>[] {
  const steps: CachedStep[] = [
    {
      entry: { key: keys[0], expiresAtTicks: ticks(TICKS_PER_MINUTE), credentials: credentialsOf(1) },
      stepTicks: ticks(TICKS_PER_SECOND),
      image: 'image1',
      want: credentialsOf(1),
      keyCount: 1,
    },
    {
      entry: { key: keys[1], expiresAtTicks: ticks(0), credentials: credentialsOf(2) },
      stepTicks: ticks(2 * TICKS_PER_MINUTE),
      image: 'image2',
      keyCount: 1,
    },
    {
      // The lookup of another image purges the expired image1 and image3 (the purge is 15 minutes due).
      entry: { key: keys[2], expiresAtTicks: ticks(2 * TICKS_PER_MINUTE), credentials: credentialsOf(3) },
      stepTicks: ticks(18 * TICKS_PER_MINUTE),
      image: 'random',
      keyCount: 0,
    },
  ];
  const names = [
    'It should return not expired credential',
    'It should not return expired credential',
    'It should delete expired credential during purge',
  ];
  return names.map((name, i) => ({
    case: name,
    facts: { ...(serviceAccount === undefined ? {} : { serviceAccount }), steps: steps.slice(0, i + 1) },
  }));
}

function checkCached({ serviceAccount, steps }: CachedFacts, version: KubeletVersion): void {
  const { plugin, clock } = provider(
    { matchImages: [], defaultCacheDurationTicks: ticks(0) },
    NO_ANSWER,
    version,
  );
  const accountKey = serviceAccountKey(serviceAccount, version);
  for (const step of steps) {
    const { key, expiresAtTicks, credentials } = step.entry;
    plugin.cache.add({ key: keyOf(key, accountKey), expiresAt: expiresAtTicks, credentials });
    clock.now = ticks(clock.now + step.stepTicks);
    expect(plugin.cache.lookup(step.image, accountKey)).toEqual({ ok: true, credentials: step.want });
    expect(plugin.cache.keys()).toHaveLength(step.keyCount);
  }
}

const NO_ANSWER: Answer = { cacheKeyType: 'Image', auth: {} };

const cachedTest = upstreamTest<CachedFacts>({
  file: FILE,
  test: 'Test_getCachedCredentials',
  versions: ALL_VERSIONS,
  cases: cachedCases(undefined, [
    { literal: '\x00\x06image1\x00\x00' },
    { literal: '\x00\x06image2\x00\x00' },
    { literal: '\x00\x06image3\x00\x00' },
  ]),
  check: checkCached,
});

/** The service account of the service-account tests: `generateServiceAccountCacheKey` of these four. */
const TEST_ACCOUNT: ServiceAccountCacheKeyParams = {
  namespace: 'namespace',
  serviceAccountName: 'serviceAccountName',
  serviceAccountUid: 'service-account-uid',
  annotations: { 'prefix.io/annotation-1': 'value1', 'prefix.io/annotation-2': 'value2' },
};

const cachedServiceAccountTest = upstreamTest<CachedFacts>({
  file: FILE,
  test: 'Test_getCachedCredentials_pluginUsingServiceAccount',
  versions: ALL_VERSIONS,
  cases: cachedCases(TEST_ACCOUNT, [{ base: 'image1' }, { base: 'image2' }, { literal: 'image3' }]),
  check: checkCached,
});

/** `Test_*CacheKeyType`: one answer cached for an hour under the expected key, then served with the plugin gone. */
interface KeyTypeFacts {
  readonly cacheKeyType: PluginCacheKeyType;
  readonly serviceAccount?: TokenMode;
  readonly wantKey: KeyFact;
}

/** Token mode: the provider's attributes, the pod and its service account (its token is empty), the account's key. */
interface TokenMode {
  readonly tokenAttributes: PluginTokenAttributes;
  readonly pod: PluginPodRequest;
  readonly key: ServiceAccountCacheKeyParams;
}

const TOKEN_MODE: TokenMode = {
  tokenAttributes: {
    requireServiceAccount: false,
    requiredServiceAccountAnnotationKeys: ['prefix.io/annotation-1', 'prefix.io/annotation-2'],
    optionalServiceAccountAnnotationKeys: [],
  },
  pod: {
    podNamespace: 'namespace',
    serviceAccountName: 'service-account-name',
    serviceAccount: { uid: 'service-account-uid', annotations: TEST_ACCOUNT.annotations },
    token: '',
  },
  key: { ...TEST_ACCOUNT, serviceAccountName: 'service-account-name' },
};

function keyTypeTest(test: string, cacheKeyType: PluginCacheKeyType, base: string, literal: string) {
  return upstreamTest<KeyTypeFacts>({
    file: FILE,
    test,
    versions: ONLY_1_33,
    cases: [
      { case: 'plugin not using service account token', facts: { cacheKeyType, wantKey: { literal } } },
      {
        case: 'plugin using service account token',
        facts: { cacheKeyType, serviceAccount: TOKEN_MODE, wantKey: { base } },
      },
    ],
    check: checkKeyType,
  });
}

function checkKeyType(
  { cacheKeyType, serviceAccount, wantKey }: KeyTypeFacts,
  version: KubeletVersion,
): void {
  const config: PluginProviderConfig = {
    matchImages: ['*.registry.io'],
    defaultCacheDurationTicks: ticks(0),
    ...(serviceAccount === undefined ? {} : { tokenAttributes: serviceAccount.tokenAttributes }),
  };
  const answer = { cacheKeyType, cacheDurationTicks: ticks(TICKS_PER_HOUR), auth: { '*.registry.io': USER } };
  const { plugin, runs } = provider(config, answer, version);
  // Without token mode the pod's service-account name plays no part.
  const pod = serviceAccount?.pod ?? {
    podNamespace: 'namespace',
    serviceAccountName: 'service-account-name',
  };
  const want = { '*.registry.io': USER };
  expect(plugin.provide('test.registry.io/foo/bar', pod)).toEqual(want);
  expect(plugin.cache.keys()).toEqual([keyOf(wantKey, serviceAccountKey(serviceAccount?.key, version))]);
  expect(plugin.provide('test.registry.io/foo/bar', pod)).toEqual(want);
  expect(runs.count).toBe(1);
}

const noCacheTest = upstreamTest<{ readonly answer: Answer }>({
  file: FILE,
  test: 'Test_NoCacheResponse',
  versions: ALL_VERSIONS,
  cases: [
    {
      case: 'Test_NoCacheResponse',
      facts: {
        answer: { cacheKeyType: 'Global', cacheDurationTicks: ticks(0), auth: { '*.registry.io': USER } },
      },
    },
  ],
  check({ answer }, version) {
    const config = { matchImages: ['*.registry.io'], defaultCacheDurationTicks: ticks(0) };
    const { plugin } = provider(config, answer, version);
    expect(plugin.provide('test.registry.io/foo/bar', NO_POD)).toEqual({ '*.registry.io': USER });
    expect(plugin.cache.keys()).toEqual([]);
  },
});

export const PLUGIN_CACHE_TESTS = {
  provide: provideTest,
  cached: cachedTest,
  cachedServiceAccount: cachedServiceAccountTest,
  registryKeyType: keyTypeTest(
    'Test_RegistryCacheKeyType',
    'Registry',
    'test.registry.io',
    '\x00\x10test.registry.io\x00\x00',
  ),
  imageKeyType: keyTypeTest(
    'Test_ImageCacheKeyType',
    'Image',
    'test.registry.io/foo/bar',
    '\x00\x18test.registry.io/foo/bar\x00\x00',
  ),
  globalKeyType: keyTypeTest('Test_GlobalCacheKeyType', 'Global', 'global', '\x00\x06global\x00\x00'),
  noCache: noCacheTest,
};
