/**
 * `pkg/credentialprovider/plugin/plugin_test.go`, as stored with the four-argument `generateServiceAccountCacheKey`
 * (a later version that adds the token hash and cache type to the service-account key was not read). Every case is
 * listed; none is ported: pullsim does not model the exec plugin provider's response cache (its cache key types,
 * the service-account part of the key, expiry and purge), the exec request/response encoding, the plugin's
 * environment or its singleflight. A plugin's answer is taken fresh on every credential lookup
 * (src/credentials/pod-credentials.ts).
 */
import { ALL_VERSIONS } from './pull-manager-setup.js';
import { upstreamTest } from './upstream-case.js';

const FILE = 'pkg/credentialprovider/plugin/plugin_test.go';
const CACHE =
  "pullsim does not model the plugin provider's credential cache: a plugin answers every lookup afresh";
const CACHE_KEY =
  'pullsim does not model the plugin cache key (generateCacheKey, generateServiceAccountCacheKey)';
const EXEC =
  "tests the exec plugin's wire encoding (credentialprovider API types), which pullsim does not model";
const ENV = "tests the exec plugin's environment variables, which pullsim does not model";
const PARALLEL = 'tests Go plumbing: concurrent Provide calls (race detection, singleflight)';

function notPorted(test: string, reason: string, cases: readonly string[]) {
  return upstreamTest<never>({
    file: FILE,
    test,
    versions: ALL_VERSIONS,
    cases: cases.map((name) => ({ case: name, notPorted: reason })),
    check() {},
  });
}

const MATCHES = ['exact image match', 'wild card image match'].flatMap((match) =>
  ['Registry', 'Image', 'Global'].map((key) => `${match}, with ${key} cache key`),
);
const CACHED = [
  'It should return not expired credential',
  'It should not return expired credential',
  'It should delete expired credential during purge',
];
const WITH_AND_WITHOUT_TOKEN = [
  'plugin not using service account token',
  'plugin using service account token',
];

/** The 16 service accounts of TestGenerateServiceAccountCacheKey_Deterministic, as `%+v` prints them. */
function deterministicAccounts(): string[] {
  const uids = ['633a81d0-0f58-4a43-9e84-113145201b72', '1408a4e6-e40b-4bbf-9019-4d86bfea73ae'];
  const annotations = [
    'map[domain.io/identity-id:1234567890 domain.io/role:admin]',
    'map[domain.io/identity-id:0987654321 domain.io/role:viewer]',
  ];
  return uids.flatMap((uid) =>
    ['default', 'kube-system'].flatMap((namespace) =>
      ['service-account1', 'service-account2'].flatMap((name) =>
        annotations.map(
          (map) =>
            `{serviceAccountNamespace:${namespace} serviceAccountName:${name} serviceAccountUID:${uid} requiredAnnotations:${map}}`,
        ),
      ),
    ),
  );
}

/** `t.Run(fmt.Sprintf("%+v-%+v", tc, tc2))`, with the spaces Go's testing package turns into underscores. */
function deterministicCases(): string[] {
  const accounts = deterministicAccounts();
  return accounts.flatMap((a) => accounts.map((b) => `${a}-${b}`.replaceAll(' ', '_')));
}

export const CREDENTIALPROVIDER_PLUGIN_TESTS = [
  notPorted('TestSingleflightProvide', PARALLEL, ['TestSingleflightProvide']),
  notPorted('Test_Provide', CACHE, MATCHES),
  notPorted(
    'Test_ProvideParallel',
    PARALLEL,
    [1, 2, 3, 4].map((n) => `provide for registry ${n}`),
  ),
  notPorted('Test_getCachedCredentials', CACHE, CACHED),
  notPorted('Test_getCachedCredentials_pluginUsingServiceAccount', CACHE, CACHED),
  notPorted('Test_encodeRequest', EXEC, [
    'successful with v1alpha1',
    'successful with v1beta1',
    'successful with v1',
    'successful with v1, with service account token and annotations',
  ]),
  notPorted('Test_decodeResponse', EXEC, [
    'success with v1',
    'success with v1beta1',
    'success with v1alpha1',
    'wrong Kind',
    'wrong Group',
  ]),
  notPorted('Test_RegistryCacheKeyType', CACHE_KEY, WITH_AND_WITHOUT_TOKEN),
  notPorted('Test_ImageCacheKeyType', CACHE_KEY, WITH_AND_WITHOUT_TOKEN),
  notPorted('Test_GlobalCacheKeyType', CACHE_KEY, WITH_AND_WITHOUT_TOKEN),
  notPorted('Test_NoCacheResponse', CACHE, ['Test_NoCacheResponse']),
  notPorted('Test_ExecPluginEnvVars', ENV, [
    'positive append system env vars',
    'positive no env vars provided in plugin',
    'positive no system env vars but env vars are provided in plugin',
    'positive no system or plugin provided env vars',
    'positive plugin provided vars takes priority',
  ]),
  notPorted('TestGenerateServiceAccountCacheKey_Deterministic', CACHE_KEY, deterministicCases()),
  notPorted('TestGenerateServiceAccountCacheKey', CACHE_KEY, [
    'no annotations',
    'single annotation',
    'multiple annotations',
    'annotations with different order should be sorted',
  ]),
  notPorted('TestGenerateCacheKey', CACHE_KEY, ['empty service account cache key', 'combined key']),
];
