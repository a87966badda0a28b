/**
 * `pkg/credentialprovider/plugin/plugin_test.go`, as stored with `Test_Provide` and the four-argument
 * `generateServiceAccountCacheKey` (1.33; kubernetes/kubernetes#132617 adds the cache type and token hash to the key
 * from 1.34), and the newer tests that replace `Test_Provide` and the `*CacheKeyType` tests from 1.34
 * (credentialprovider-plugin-newer.ts, stored at 030880a5). The cache-key tests are ported in credentialprovider-plugin-keys.ts (src/credentials/plugin-cache-key.ts),
 * the response-cache tests in credentialprovider-plugin-cache.ts (src/credentials/plugin-provider.ts,
 * plugin-cache.ts). Not ported: the exec request/response encoding, the plugin's environment, and concurrency
 * (race detection, singleflight).
 */
import { PLUGIN_CACHE_TESTS } from './credentialprovider-plugin-cache.js';
import { PLUGIN_KEY_TESTS } from './credentialprovider-plugin-keys.js';
import { PLUGIN_NEWER_TESTS } from './credentialprovider-plugin-newer.js';
import { ALL_VERSIONS } from './pull-manager-setup.js';
import { upstreamTest } from './upstream-case.js';

const FILE = 'pkg/credentialprovider/plugin/plugin_test.go';
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

export const CREDENTIALPROVIDER_PLUGIN_TESTS = [
  notPorted('TestSingleflightProvide', PARALLEL, ['TestSingleflightProvide']),
  PLUGIN_CACHE_TESTS.provide,
  PLUGIN_NEWER_TESTS.provideWithCoordinates,
  notPorted(
    'Test_ProvideParallel',
    PARALLEL,
    [1, 2, 3, 4].map((n) => `provide for registry ${n}`),
  ),
  PLUGIN_CACHE_TESTS.cached,
  PLUGIN_CACHE_TESTS.cachedServiceAccount,
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
  PLUGIN_CACHE_TESTS.registryKeyType,
  PLUGIN_CACHE_TESTS.imageKeyType,
  PLUGIN_CACHE_TESTS.globalKeyType,
  PLUGIN_CACHE_TESTS.noCache,
  notPorted('Test_ExecPluginEnvVars', ENV, [
    'positive append system env vars',
    'positive no env vars provided in plugin',
    'positive no system env vars but env vars are provided in plugin',
    'positive no system or plugin provided env vars',
    'positive plugin provided vars takes priority',
  ]),
  PLUGIN_KEY_TESTS.deterministic,
  PLUGIN_KEY_TESTS.serviceAccountKey,
  PLUGIN_KEY_TESTS.cacheKey,
  PLUGIN_NEWER_TESTS.requiredAnnotation,
  PLUGIN_NEWER_TESTS.cacheKeyGeneration,
];
