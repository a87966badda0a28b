/**
 * `pkg/credentialprovider/plugin/plugin_test.go`, the cache-key tests: `TestGenerateServiceAccountCacheKey`,
 * `TestGenerateCacheKey` and `TestGenerateServiceAccountCacheKey_Deterministic`, against
 * src/credentials/plugin-cache-key.ts. The four-argument `generateServiceAccountCacheKey` of 1.33 and the
 * `cacheKeyParams` form of 1.34+ (kubernetes/kubernetes#132617, which adds the case "token hash included") give the
 * same key unless the cache type is `Token`, so the older cases hold in every version.
 */
import { expect } from 'vitest';
import {
  type CacheKeyResult,
  generateCacheKey,
  generateServiceAccountCacheKey,
  type ServiceAccountCacheKeyParams,
} from '../../src/credentials/plugin-cache-key.js';
import { type KubeletVersion, kubeletProfile } from '../../src/profiles.js';
import { ALL_VERSIONS } from './pull-manager-setup.js';
import { type UpstreamCase, upstreamTest } from './upstream-case.js';

const FILE = 'pkg/credentialprovider/plugin/plugin_test.go';

function key(result: CacheKeyResult): string {
  if (!result.ok) throw new Error(result.error);
  return result.key;
}

function serviceAccountKey(params: ServiceAccountCacheKeyParams, version: KubeletVersion): string {
  return key(generateServiceAccountCacheKey(params, kubeletProfile(version)));
}

interface ServiceAccountKeyFacts {
  readonly params: ServiceAccountCacheKeyParams;
  readonly want: string;
}

/** The service account every case of the test keys, with the token hash the 1.34+ test passes to all of them. */
const ACCOUNT = {
  namespace: 'namespace',
  serviceAccountName: 'service-account',
  serviceAccountUid: 'service-account-uid',
  tokenHash: 'sha256:f7a41acb9633520e657fe58dedcd9e6a784e2d97e4c646492b45c61e28595c70',
} as const;
const ACCOUNT_KEY = '\x00\tnamespace\x00\x0fservice-account\x00\x13service-account-uid';
const TWO_ANNOTATIONS =
  '\x00\x00\x00\x02\x00\x16domain.io/annotation-1\x00\x06value1\x00\x16domain.io/annotation-2\x00\x06value2';

const accountKeyCase = (
  name: string,
  annotations: Record<string, string>,
  want: string,
  extra: Partial<ServiceAccountCacheKeyParams> = {},
): UpstreamCase<ServiceAccountKeyFacts> => ({
  case: name,
  facts: { params: { ...ACCOUNT, annotations, ...extra }, want },
});

const generateServiceAccountCacheKeyTest = upstreamTest<ServiceAccountKeyFacts>({
  file: FILE,
  test: 'TestGenerateServiceAccountCacheKey',
  versions: ALL_VERSIONS,
  cases: [
    accountKeyCase('no annotations', {}, `${ACCOUNT_KEY}\x00\x00\x00\x00`),
    accountKeyCase(
      'single annotation',
      { 'domain.io/annotation-1': 'value1' },
      `${ACCOUNT_KEY}\x00\x00\x00\x01\x00\x16domain.io/annotation-1\x00\x06value1`,
    ),
    accountKeyCase(
      'multiple annotations',
      { 'domain.io/annotation-1': 'value1', 'domain.io/annotation-2': 'value2' },
      `${ACCOUNT_KEY}${TWO_ANNOTATIONS}`,
    ),
    accountKeyCase(
      'annotations with different order should be sorted',
      { 'domain.io/annotation-2': 'value2', 'domain.io/annotation-1': 'value1' },
      `${ACCOUNT_KEY}${TWO_ANNOTATIONS}`,
    ),
    {
      ...accountKeyCase(
        'token hash included',
        { 'domain.io/annotation-2': 'value2', 'domain.io/annotation-1': 'value1' },
        `${ACCOUNT_KEY}${TWO_ANNOTATIONS}\x00\x05token\x00G${ACCOUNT.tokenHash}`,
        { cacheType: 'Token' },
      ),
      versions: ['1.34', '1.35', '1.36'],
    },
  ],
  check({ params, want }, version) {
    expect(serviceAccountKey(params, version)).toBe(want);
  },
});

interface CacheKeyFacts {
  readonly baseKey: string;
  readonly serviceAccountCacheKey: string;
  readonly want: string;
}

const generateCacheKeyTest = upstreamTest<CacheKeyFacts>({
  file: FILE,
  test: 'TestGenerateCacheKey',
  versions: ALL_VERSIONS,
  cases: [
    {
      case: 'empty service account cache key',
      facts: {
        baseKey: 'registry.io/image',
        serviceAccountCacheKey: '',
        want: '\x00\x11registry.io/image\x00\x00',
      },
    },
    {
      case: 'combined key',
      facts: {
        baseKey: 'registry.io/image',
        serviceAccountCacheKey: `${ACCOUNT_KEY}${TWO_ANNOTATIONS}`,
        want: `\x00\x11registry.io/image\x00u${ACCOUNT_KEY}${TWO_ANNOTATIONS}`,
      },
    },
  ],
  check({ baseKey, serviceAccountCacheKey, want }) {
    expect(key(generateCacheKey(baseKey, serviceAccountCacheKey))).toBe(want);
  },
});

interface DeterministicFacts {
  readonly a: ServiceAccountCacheKeyParams;
  readonly b: ServiceAccountCacheKeyParams;
  /** Whether the two keys (and the two image keys built on them) are equal: exactly when the accounts are. */
  readonly equal: boolean;
}

/** The 16 service accounts of the test, in its order: UID slowest, then namespace, name, annotations. */
function deterministicAccounts(): ServiceAccountCacheKeyParams[] {
  const uids = ['633a81d0-0f58-4a43-9e84-113145201b72', '1408a4e6-e40b-4bbf-9019-4d86bfea73ae'];
  const annotations = [
    { 'domain.io/identity-id': '1234567890', 'domain.io/role': 'admin' },
    { 'domain.io/identity-id': '0987654321', 'domain.io/role': 'viewer' },
  ];
  return uids.flatMap((serviceAccountUid) =>
    ['default', 'kube-system'].flatMap((namespace) =>
      ['service-account1', 'service-account2'].flatMap((serviceAccountName) =>
        annotations.map((map) => ({ namespace, serviceAccountName, serviceAccountUid, annotations: map })),
      ),
    ),
  );
}

/** An account as the test's struct prints with `%+v` (Go prints a map's keys sorted). */
function goPrint(account: ServiceAccountCacheKeyParams): string {
  const map = Object.keys(account.annotations)
    .sort()
    .map((k) => `${k}:${account.annotations[k]}`)
    .join(' ');
  return `{serviceAccountNamespace:${account.namespace} serviceAccountName:${account.serviceAccountName} serviceAccountUID:${account.serviceAccountUid} requiredAnnotations:map[${map}]}`;
}

/** `t.Run(fmt.Sprintf("%+v-%+v", tc, tc2))`, with the spaces Go's testing package turns into underscores. */
function deterministicCases(): UpstreamCase<DeterministicFacts>[] {
  const accounts = deterministicAccounts();
  return accounts.flatMap((a, i) =>
    accounts.map((b, j) => ({
      case: `${goPrint(a)}-${goPrint(b)}`.replaceAll(' ', '_'),
      facts: { a, b, equal: i === j },
    })),
  );
}

const deterministicTest = upstreamTest<DeterministicFacts>({
  file: FILE,
  test: 'TestGenerateServiceAccountCacheKey_Deterministic',
  versions: ALL_VERSIONS,
  cases: deterministicCases(),
  check({ a, b, equal }, version) {
    const keyA = serviceAccountKey(a, version);
    const keyB = serviceAccountKey(b, version);
    expect(keyA === keyB).toBe(equal);
    const image = (saKey: string) => key(generateCacheKey('registry.io/image', saKey));
    expect(image(keyA) === image(keyB)).toBe(equal);
  },
});

export const PLUGIN_KEY_TESTS = {
  deterministic: deterministicTest,
  serviceAccountKey: generateServiceAccountCacheKeyTest,
  cacheKey: generateCacheKeyTest,
};
