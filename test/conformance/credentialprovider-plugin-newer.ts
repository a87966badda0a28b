/**
 * `pkg/credentialprovider/plugin/plugin_test.go` as stored at kubernetes/kubernetes 030880a5 (1.34+): the tests that
 * replace `Test_Provide` and the three `*CacheKeyType` tests of the older file (credentialprovider-plugin-cache.ts),
 * against src/credentials/plugin-provider.ts. They call `perPodPluginProvider.provideWithCoordinates` (#132771,
 * 1.34, which replaces `Provide`) and set `tokenAttributes.cacheType` (#132617, 1.34), so they exist from 1.34.
 *
 * `Test_ProvideWithCoordinates` also expects a log line for the cases that give no credentials (`wantLog`); pullsim
 * has no kubelet log, so the facts hold the credentials and the service-account coordinates only.
 */
import { expect } from 'vitest';
import type { PluginCredentials } from '../../src/credentials/plugin-cache.js';
import {
  generateCacheKey,
  generateServiceAccountCacheKey,
  getHashIfNotEmpty,
  type PluginCacheKeyType,
  type ServiceAccountTokenCacheType,
} from '../../src/credentials/plugin-cache-key.js';
import {
  type PluginExec,
  type PluginPodRequest,
  PluginProvider,
  type PluginProviderConfig,
  type PluginTokenAttributes,
  type ServiceAccountCoordinates,
} from '../../src/credentials/plugin-provider.js';
import { type KubeletProfile, type KubeletVersion, kubeletProfile } from '../../src/profiles.js';
import { TICKS_PER_HOUR, type Ticks, ticks } from '../../src/time.js';
import { type UpstreamCase, upstreamTest } from './upstream-case.js';

const FILE = 'pkg/credentialprovider/plugin/plugin_test.go';
const VERSIONS: readonly KubeletVersion[] = ['1.34', '1.35', '1.36'];
const USER = { username: 'user', password: 'password' };
const IMAGE = 'test.registry.io/foo/bar';

/** The test's `fakeExecPlugin`: its `cacheKeyType`, `auth` and `cacheDuration` (always set, zero unless given). */
interface FakePlugin {
  readonly cacheKeyType: PluginCacheKeyType;
  readonly cacheDurationTicks?: Ticks;
  readonly auth: PluginCredentials;
}

/** The plugin, or (absent) a test that sets none: running it would fail the case. */
function exec(plugin: FakePlugin | undefined): PluginExec {
  return () => {
    if (plugin === undefined) throw new Error('the plugin ran, but the test configures none');
    return { ...plugin, cacheDurationTicks: plugin.cacheDurationTicks ?? ticks(0) };
  };
}

function providerFor(config: PluginProviderConfig, plugin: FakePlugin | undefined, version: KubeletVersion) {
  return new PluginProvider(config, kubeletProfile(version), () => ticks(0), exec(plugin));
}

interface CoordinatesFacts {
  readonly matchImages: readonly string[];
  readonly plugin?: FakePlugin;
  readonly tokenAttributes?: PluginTokenAttributes;
  readonly pod: PluginPodRequest;
  readonly image: string;
  readonly want: PluginCredentials;
  readonly serviceAccount?: ServiceAccountCoordinates;
}

const NO_POD: PluginPodRequest = { podNamespace: '', serviceAccountName: '' };

const plainCase = (
  name: string,
  cacheKeyType: PluginCacheKeyType,
  match: string,
  image: string,
): UpstreamCase<CoordinatesFacts> => ({
  case: name,
  facts: {
    matchImages: [match],
    plugin: { cacheKeyType, auth: { [match]: USER } },
    pod: NO_POD,
    image,
    want: { [match]: USER },
  },
});

const ID = 'domain.io/identity-id';
const TYPE = 'domain.io/identity-type';
const REQUIRED = { requireServiceAccount: true, optionalServiceAccountAnnotationKeys: [] };
const ID_AND_TYPE: PluginTokenAttributes = {
  requireServiceAccount: true,
  requiredServiceAccountAnnotationKeys: [ID],
  optionalServiceAccountAnnotationKeys: [TYPE],
};
const SA_POD = { podNamespace: 'ns', serviceAccountName: 'sa-name' };

/** A `[service account mode]` case: provider `test.registry.io`, image `test.registry.io/foo/bar`. */
const accountCase = (
  name: string,
  facts: Omit<CoordinatesFacts, 'matchImages' | 'image' | 'want'> & { want?: PluginCredentials },
): UpstreamCase<CoordinatesFacts> => ({
  case: `[service account mode] ${name}`,
  facts: { matchImages: ['test.registry.io'], image: IMAGE, want: {}, ...facts },
});

const provideWithCoordinatesTest = upstreamTest<CoordinatesFacts>({
  file: FILE,
  test: 'Test_ProvideWithCoordinates',
  versions: VERSIONS,
  cases: [
    plainCase('exact image match, with Registry cache key', 'Registry', 'test.registry.io', IMAGE),
    plainCase('exact image match, with Image cache key', 'Image', IMAGE, IMAGE),
    plainCase('exact image match, with Global cache key', 'Global', 'test.registry.io', 'test.registry.io'),
    plainCase(
      'wild card image match, with Registry cache key',
      'Registry',
      '*.registry.io:8080',
      'test.registry.io:8080/foo',
    ),
    plainCase(
      'wild card image match, with Image cache key',
      'Image',
      '*.*.registry.io',
      'foo.bar.registry.io/foo/bar',
    ),
    plainCase('wild card image match, with Global cache key', 'Global', '*.registry.io', 'test.registry.io'),
    accountCase('sa name required but empty', {
      tokenAttributes: { ...REQUIRED, requiredServiceAccountAnnotationKeys: [] },
      pod: { podNamespace: 'ns', serviceAccountName: '' },
    }),
    accountCase('sa does not have required annotations', {
      tokenAttributes: { ...REQUIRED, requiredServiceAccountAnnotationKeys: [ID] },
      pod: { ...SA_POD, serviceAccount: { uid: '', annotations: {} } },
    }),
    accountCase('failed to get service account token', {
      tokenAttributes: ID_AND_TYPE,
      pod: { ...SA_POD, serviceAccount: { uid: '', annotations: { [ID]: 'id' } } },
    }),
    accountCase('cache type not token but service account echoed back', {
      plugin: { cacheKeyType: 'Image', auth: { [IMAGE]: { username: 'user', password: 'token' } } },
      tokenAttributes: ID_AND_TYPE,
      pod: { ...SA_POD, serviceAccount: { uid: '', annotations: { [ID]: 'id' } }, token: 'token' },
    }),
    accountCase('exact image match', {
      plugin: { cacheKeyType: 'Image', auth: { [IMAGE]: USER } },
      tokenAttributes: ID_AND_TYPE,
      pod: {
        ...SA_POD,
        serviceAccount: { uid: 'sa-uid', annotations: { [ID]: 'id', [TYPE]: 'type' } },
        token: 'token',
      },
      want: { [IMAGE]: USER },
      serviceAccount: { namespace: 'ns', name: 'sa-name', uid: 'sa-uid' },
    }),
  ],
  check({ matchImages, plugin, tokenAttributes, pod, image, want, serviceAccount }, version) {
    const config = {
      matchImages,
      defaultCacheDurationTicks: ticks(0),
      ...(tokenAttributes && { tokenAttributes }),
    };
    const got = providerFor(config, plugin, version).provideWithCoordinates(image, pod);
    expect(got).toEqual(
      serviceAccount === undefined ? { credentials: want } : { credentials: want, serviceAccount },
    );
  },
});

/** `Test_CacheKeyGeneration`: one answer cached for an hour under the expected key, then served with the plugin gone. */
interface KeyGenerationFacts {
  readonly cacheKeyType: PluginCacheKeyType;
  /** `tokenAttributes.cacheType`; absent: the provider is not in service-account mode. */
  readonly cacheType?: ServiceAccountTokenCacheType;
  /** The base the expected key is generated from (`generateExpectedCacheKey(t, <base>, saKey)`). */
  readonly base: string;
}

const ANNOTATIONS = { 'prefix.io/annotation-1': 'value1', 'prefix.io/annotation-2': 'value2' };

/** `createTestPerPodPluginProvider`'s pod, service account (its token is `token`) and expected key parameters. */
function expectedKey({ cacheType, base }: KeyGenerationFacts, profile: KubeletProfile): string {
  const account =
    cacheType === undefined
      ? { ok: true as const, key: '' }
      : generateServiceAccountCacheKey(
          {
            namespace: 'namespace',
            serviceAccountName: 'service-account-name',
            serviceAccountUid: 'service-account-uid',
            annotations: ANNOTATIONS,
            tokenHash: getHashIfNotEmpty('token'),
            cacheType,
          },
          profile,
        );
  const key = account.ok ? generateCacheKey(base, account.key) : account;
  if (!key.ok) throw new Error(key.error);
  return key.key;
}

function checkKeyGeneration(facts: KeyGenerationFacts, version: KubeletVersion): void {
  const { cacheKeyType, cacheType } = facts;
  const tokenAttributes: PluginTokenAttributes | undefined = cacheType && {
    requireServiceAccount: false,
    requiredServiceAccountAnnotationKeys: Object.keys(ANNOTATIONS),
    optionalServiceAccountAnnotationKeys: [],
    cacheType,
  };
  const config = {
    matchImages: ['*.registry.io'],
    defaultCacheDurationTicks: ticks(0),
    ...(tokenAttributes && { tokenAttributes }),
  };
  const plugin = { cacheKeyType, cacheDurationTicks: ticks(TICKS_PER_HOUR), auth: { '*.registry.io': USER } };
  const provider = providerFor(config, plugin, version);
  const pod: PluginPodRequest = {
    podNamespace: 'namespace',
    serviceAccountName: 'service-account-name',
    serviceAccount: { uid: 'service-account-uid', annotations: ANNOTATIONS },
    token: 'token',
  };
  const want = { '*.registry.io': USER };
  expect(provider.provide(IMAGE, pod)).toEqual(want);
  expect(provider.cache.keys()).toEqual([expectedKey(facts, kubeletProfile(version))]);
  provider.exec = exec(undefined);
  expect(provider.provide(IMAGE, pod)).toEqual(want);
}

const GLOBAL_KEY =
  'expects the Global answer under the base key `<global>` of the stored newer plugin.go; pullsim keys it on ' +
  '`global`, as the 1.33 plugin.go and the older Test_GlobalCacheKeyType do, and the upstream change between the ' +
  'two is not located to a version';

function keyGenerationCases(): UpstreamCase<KeyGenerationFacts>[] {
  const types: [string, PluginCacheKeyType, string][] = [
    ['image', 'Image', IMAGE],
    ['registry', 'Registry', 'test.registry.io'],
    ['global', 'Global', '<global>'],
  ];
  const modes: [string, ServiceAccountTokenCacheType | undefined][] = [
    ['no-sa', undefined],
    ['sa-serviceaccount', 'ServiceAccount'],
    ['sa-token', 'Token'],
  ];
  return types.flatMap(([prefix, cacheKeyType, base]) =>
    modes.map(([suffix, cacheType]): UpstreamCase<KeyGenerationFacts> => {
      const name = `${prefix}-${suffix}`;
      if (cacheKeyType === 'Global') return { case: name, notPorted: GLOBAL_KEY };
      return { case: name, facts: { cacheKeyType, base, ...(cacheType && { cacheType }) } };
    }),
  );
}

const cacheKeyGenerationTest = upstreamTest<KeyGenerationFacts>({
  file: FILE,
  test: 'Test_CacheKeyGeneration',
  versions: VERSIONS,
  cases: keyGenerationCases(),
  check: checkKeyGeneration,
});

/**
 * `TestRequiredAnnotationNotFoundErr` checks that `isRequiredAnnotationNotFoundError` recognises its error type
 * (`errors.As`). The behaviour it serves, a missing required annotation giving no credentials without running the
 * plugin, is Test_ProvideWithCoordinates' "sa does not have required annotations".
 */
const requiredAnnotationTest = upstreamTest<never>({
  file: FILE,
  test: 'TestRequiredAnnotationNotFoundErr',
  versions: VERSIONS,
  cases: ['required annotation not found error', 'other error'].map((name) => ({
    case: name,
    notPorted: "tests Go plumbing: the error type's errors.As match",
  })),
  check() {},
});

export const PLUGIN_NEWER_TESTS = {
  provideWithCoordinates: provideWithCoordinatesTest,
  cacheKeyGeneration: cacheKeyGenerationTest,
  requiredAnnotation: requiredAnnotationTest,
};
