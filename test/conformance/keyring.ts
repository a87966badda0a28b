/**
 * `pkg/credentialprovider/keyring_test.go`: `URLsMatchStr`, `isDefaultRegistryMatch` and `BasicDockerKeyring`'s
 * `Add`/`Lookup` (glob keys, misses, the Docker Hub fallback, the reverse-sorted index), against
 * src/credentials/keyring.ts. The facts are those of the newest revision of the file available to this port (the
 * exported `URLsMatchStr`, `TestProvidersDockerKeyring`); later revisions compare `TrackedAuthConfig`s, of which
 * these facts keep the fields the test names (username, password, email).
 *
 * The Go tables have no case names: a row is named by its inputs, `<glob> ~ <target>` or the image looked up.
 */
import { expect } from 'vitest';
import { dockerConfigFromSecret } from '../../src/credentials/docker-config.js';
import { DockerKeyring, isDefaultRegistryMatch, urlsMatchStr } from '../../src/credentials/keyring.js';
import type { DockerConfig } from '../../src/ports.js';
import type { KubeletVersion } from '../../src/profiles.js';
import { type UpstreamCase, upstreamTest } from './upstream-case.js';

const FILE = 'pkg/credentialprovider/keyring_test.go';
const VERSIONS: readonly KubeletVersion[] = ['1.33', '1.34', '1.35', '1.36'];

interface Credential {
  readonly username: string;
  readonly password: string;
  readonly email: string;
}

/** The credential every config-file test stores: `auth` is base64("foo:bar"). */
const FOO: Credential = { username: 'foo', password: 'bar', email: 'foo@bar.baz' };

/**
 * The keyring the config-file tests build: `readDockerConfigFileFromBytes` of a bare `.dockercfg` map holding one
 * entry under `key`, then `Add`.
 */
function fooKeyring(key: string): DockerKeyring {
  const dockercfg = JSON.stringify({ [key]: { email: FOO.email, auth: 'Zm9vOmJhcg==' } });
  const parsed = dockerConfigFromSecret({
    uid: 'u',
    namespace: 'ns',
    name: 's',
    type: 'kubernetes.io/dockercfg',
    data: { '.dockercfg': dockercfg },
  });
  if (!parsed.ok || parsed.config === undefined) throw new Error(`config of ${key} does not parse`);
  const keyring = new DockerKeyring();
  keyring.add(parsed.config);
  return keyring;
}

function lookup(keyring: DockerKeyring, image: string): Credential[] {
  return keyring
    .lookup(image)
    .map(({ username, password, email }) => ({ username, password, email: email ?? '' }));
}

interface MatchFacts {
  readonly glob: string;
  readonly target: string;
  readonly match: boolean;
}

const match = (glob: string, target: string, want: boolean): UpstreamCase<MatchFacts> => ({
  case: `${glob} ~ ${target}`,
  facts: { glob, target, match: want },
});

const urlsMatch = upstreamTest<MatchFacts>({
  file: FILE,
  test: 'TestURLsMatch',
  versions: VERSIONS,
  cases: [
    match('*.kubernetes.io', 'prefix.kubernetes.io', true),
    match('prefix.*.io', 'prefix.kubernetes.io', true),
    match('prefix.kubernetes.*', 'prefix.kubernetes.io', true),
    match('*-good.kubernetes.io', 'prefix-good.kubernetes.io', true),
    match('*.kubernetes.io/blah', 'prefix.kubernetes.io/blah', true),
    match('prefix.*.io/foo', 'prefix.kubernetes.io/foo/bar', true),
    match('*.kubernetes.io:1111/blah', 'prefix.kubernetes.io:1111/blah', true),
    match('prefix.*.io:1111/foo', 'prefix.kubernetes.io:1111/foo/bar', true),
    match('*.kubernetes.io', 'kubernetes.io', false),
    match('*.*.kubernetes.io', 'prefix.kubernetes.io', false),
    match('*.*.kubernetes.io', 'kubernetes.io', false),
    match('*kubernetes.io', 'a.kubernetes.io', false),
    match('*kubernetes.io', 'kubernetes.io', true),
    match('*.*.*.kubernetes.io', 'a.b.c.kubernetes.io', true),
    match('kubernetes.io', 'kubernetes.com', false),
    match('k*.io', 'quay.io', false),
    match('*.kubernetes.io:1234/blah', 'prefix.kubernetes.io:1111/blah', false),
    match('prefix.*.io/foo', 'prefix.kubernetes.io:1111/foo/bar', false),
  ],
  check({ glob, target, match: want }) {
    expect(urlsMatchStr(glob, target)).toBe(want);
  },
});

/**
 * A config-file keyring under `key`, looked up with `image`: a miss finds nothing; a hit finds `FOO` first and, for
 * the Docker Hub tests, at most `maxHits` credentials (as upstream checks `creds[0]` and `len(creds)`).
 */
interface KeyLookupFacts {
  readonly key: string;
  readonly image: string;
  readonly hit: boolean;
  readonly maxHits?: number;
}

function checkKeyLookup({ key, image, hit, maxHits }: KeyLookupFacts): void {
  const found = lookup(fooKeyring(key), image);
  if (!hit) {
    expect(found).toEqual([]);
    return;
  }
  expect(found[0]).toEqual(FOO);
  if (maxHits !== undefined) expect(found.length).toBeLessThanOrEqual(maxHits);
}

/** The table tests: a row is a key and a registry, looked up as `<registry>/foo/bar`. */
function globTable(test: string, rows: readonly (readonly [string, string])[], hit: boolean) {
  return upstreamTest<KeyLookupFacts>({
    file: FILE,
    test,
    versions: VERSIONS,
    cases: rows.map(([key, target]) => ({
      case: `${key} ~ ${target}`,
      facts: { key, image: `${target}/foo/bar`, hit },
    })),
    check: checkKeyLookup,
  });
}

const forGlob = globTable(
  'TestDockerKeyringForGlob',
  [
    ['https://hello.kubernetes.io', 'hello.kubernetes.io'],
    ['https://*.docker.io', 'prefix.docker.io'],
    ['https://prefix.*.io', 'prefix.docker.io'],
    ['https://prefix.docker.*', 'prefix.docker.io'],
    ['https://*.docker.io/path', 'prefix.docker.io/path'],
    ['https://prefix.*.io/path', 'prefix.docker.io/path/subpath'],
    ['https://prefix.docker.*/path', 'prefix.docker.io/path'],
    ['https://*.docker.io:8888', 'prefix.docker.io:8888'],
    ['https://prefix.*.io:8888', 'prefix.docker.io:8888'],
    ['https://prefix.docker.*:8888', 'prefix.docker.io:8888'],
    ['https://*.docker.io/path:1111', 'prefix.docker.io/path:1111'],
    ['https://*.docker.io/v1/', 'prefix.docker.io/path:1111'],
    ['https://*.docker.io/v2/', 'prefix.docker.io/path:1111'],
    ['https://prefix.docker.*/path:1111', 'prefix.docker.io/path:1111'],
    ['prefix.docker.io:1111', 'prefix.docker.io:1111/path'],
    ['*.docker.io:1111', 'prefix.docker.io:1111/path'],
  ],
  true,
);

const miss = globTable(
  'TestKeyringMiss',
  [
    ['https://hello.kubernetes.io', 'world.mesos.org/foo/bar'],
    ['https://*.docker.com', 'prefix.docker.io'],
    ['https://suffix.*.io', 'prefix.docker.io'],
    ['https://prefix.docker.c*', 'prefix.docker.io'],
    ['https://prefix.*.io/path:1111', 'prefix.docker.io/path/subpath:1111'],
    ['suffix.*.io', 'prefix.docker.io'],
  ],
  false,
);

/** `defaultRegistryKey` (`defaultRegistryHost + "/v1/"`, keyring.go) as the Docker Hub tests store it. */
const DEFAULT_REGISTRY_KEY = 'index.docker.io/v1/';

/** The Docker Hub tests: one credential under `https://` + `defaultRegistryKey`, one image looked up. */
function hubTest(test: string, image: string, hit: boolean, maxHits?: number) {
  const facts = { key: `https://${DEFAULT_REGISTRY_KEY}`, image, hit };
  return upstreamTest<KeyLookupFacts>({
    file: FILE,
    test,
    versions: VERSIONS,
    cases: [{ case: image, facts: maxHits === undefined ? facts : { ...facts, maxHits } }],
    check: checkKeyLookup,
  });
}

const hubTests = [
  hubTest('TestKeyringMissWithDockerHubCredentials', 'world.mesos.org/foo/bar', false),
  hubTest('TestKeyringHitWithUnqualifiedDockerHub', 'google/docker-registry', true, 1),
  hubTest('TestKeyringHitWithUnqualifiedLibraryDockerHub', 'jenkins', true, 1),
  hubTest('TestKeyringHitWithQualifiedDockerHub', `${DEFAULT_REGISTRY_KEY}/google/docker-registry`, true, 2),
];

const defaultRegistryMatch = upstreamTest<{ image: string; want: boolean }>({
  file: FILE,
  test: 'TestIsDefaultRegistryMatch',
  versions: VERSIONS,
  cases: (
    [
      ['foo/bar', true],
      ['docker.io/foo/bar', true],
      ['index.docker.io/foo/bar', true],
      ['foo', true],
      ['', false],
      ['registry.tld/foo/bar', false],
      ['registry:5000/foo/bar', false],
      ['myhostdocker.io/foo/bar', false],
    ] as const
  ).map(([image, want]) => ({ case: JSON.stringify(image), facts: { image, want } })),
  check({ image, want }) {
    expect(isDefaultRegistryMatch(image)).toBe(want);
  },
});

const providersKeyring = upstreamTest<never>({
  file: FILE,
  test: 'TestProvidersDockerKeyring',
  versions: VERSIONS,
  cases: [
    {
      case: 'TestProvidersDockerKeyring',
      notPorted:
        'tests Go plumbing: counts the Provide calls providersDockerKeyring makes to a fake DockerConfigProvider',
    },
  ],
  check() {
    throw new Error('not ported');
  },
});

/** A keyring built from `config` (a `DockerConfig` literal, as the test's `dk.Add`), looked up with `image`. */
interface ConfigLookupFacts {
  readonly config: DockerConfig;
  readonly image: string;
  readonly want: readonly Credential[];
}

const ADA: Credential = { username: 'ada', password: 'smash', email: 'ada@example.com' };
const GRACE: Credential = { username: 'grace', password: 'squash', email: 'grace@example.com' };
const REX: Credential = { username: 'rex', password: 'tiny arms', email: 'rex@example.com' };

function configTest(test: string, config: DockerConfig, rows: readonly (readonly [string, Credential[]])[]) {
  return upstreamTest<ConfigLookupFacts>({
    file: FILE,
    test,
    versions: VERSIONS,
    cases: rows.map(([image, want]) => ({ case: image, facts: { config, image, want } })),
    check({ config: added, image, want }) {
      const keyring = new DockerKeyring();
      keyring.add(added);
      expect(lookup(keyring, image)).toEqual(want);
    },
  });
}

const keyringLookup = configTest(
  'TestDockerKeyringLookup',
  { 'bar.example.com/pong': GRACE, 'bar.example.com': ADA },
  [
    ['bar.example.com', [ADA]],
    ['bar.example.com/pong', [GRACE, ADA]],
    ['bar.example.com/ping', [ADA]],
    ['bar.example.com/pongz', [GRACE, ADA]],
    ['bar.example.com/pong/pang', [GRACE, ADA]],
    ['example.com', []],
    ['foo.example.com', []],
  ],
);

const issue3797 = configTest('TestIssue3797', { 'https://quay.io/v1/': REX }, [
  ['quay.io', [REX]],
  ['quay.io/foo', [REX]],
  ['quay.io/foo/bar', [REX]],
]);

export const KEYRING_TESTS = [
  urlsMatch,
  forGlob,
  miss,
  ...hubTests,
  defaultRegistryMatch,
  providersKeyring,
  keyringLookup,
  issue3797,
];
