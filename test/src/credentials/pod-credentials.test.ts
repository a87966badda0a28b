import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { TrackedAuthConfig } from '../../../src/credentials/keyring.js';
import {
  lookupPullCredentials,
  type PodCredentialContext,
  podCredentialsForMatching,
} from '../../../src/credentials/pod-credentials.js';
import type {
  CredentialProviderPlugin,
  DockerConfig,
  SecretObject,
  ServiceAccountObject,
} from '../../../src/ports.js';

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

function pullSecret(name: string, auths: Record<string, object>, uid = `uid-${name}`): SecretObject {
  return {
    uid,
    namespace: 'team-a',
    name,
    type: 'kubernetes.io/dockerconfigjson',
    data: { '.dockerconfigjson': JSON.stringify({ auths }) },
  };
}

const sa: ServiceAccountObject = { uid: 'sa-uid', namespace: 'team-a', name: 'builder' };

interface PluginSpec {
  name?: string;
  matches?: boolean;
  serviceAccountTokenMode?: boolean;
  requireServiceAccount?: boolean;
  config?: DockerConfig | undefined;
}

function plugin(spec: PluginSpec = {}): CredentialProviderPlugin & { calls: unknown[] } {
  const calls: unknown[] = [];
  return {
    calls,
    name: spec.name ?? 'ecr',
    matchesImage: () => spec.matches ?? true,
    serviceAccountTokenMode: spec.serviceAccountTokenMode ?? false,
    requireServiceAccount: spec.requireServiceAccount ?? false,
    provide: (request) => {
      calls.push(request);
      return 'config' in spec ? spec.config : { 'reg.io': { username: 'plugin', password: 'token' } };
    },
  };
}

function context(overrides: Partial<PodCredentialContext> = {}): PodCredentialContext {
  return {
    pullSecrets: [],
    nodeConfig: undefined,
    plugins: [],
    serviceAccount: undefined,
    serviceAccountTracking: true,
    computeHashes: true,
    ...overrides,
  };
}

function lookup(repository: string, overrides: Partial<PodCredentialContext> = {}): TrackedAuthConfig[] {
  const result = lookupPullCredentials(repository, context(overrides));
  if (!result.ok) throw new Error(result.error);
  return result.credentials;
}

const users = (credentials: readonly TrackedAuthConfig[]): string[] =>
  credentials.map((credential) => credential.username);

describe('lookupPullCredentials (makeLookupPullCredentialsFunc)', () => {
  it('concatenates pod secrets, then the node keyring, then plugins', () => {
    const found = lookup('reg.io/app', {
      pullSecrets: [pullSecret('s1', { 'reg.io': { username: 'secret', password: 'p' } })],
      nodeConfig: { 'reg.io': { username: 'node', password: 'n' } },
      plugins: [plugin()],
    });
    expect(found).toEqual([
      {
        username: 'secret',
        password: 'p',
        source: { kind: 'secret', uid: 'uid-s1', namespace: 'team-a', name: 's1' },
        credentialHash: sha256('{"username":"secret","password":"p"}'),
        registryKey: 'reg.io',
      },
      {
        username: 'node',
        password: 'n',
        credentialHash: sha256('{"username":"node","password":"n"}'),
        registryKey: 'reg.io',
      },
      {
        username: 'plugin',
        password: 'token',
        credentialHash: sha256('{"username":"plugin","password":"token"}'),
        registryKey: 'reg.io',
      },
    ]);
  });

  it('puts all pod secrets in one keyring: keys sort across secrets, secrets in order within a key', () => {
    const found = lookup('reg.io/team/app', {
      pullSecrets: [
        pullSecret('a', { 'reg.io': { username: 'a-host' } }),
        pullSecret('b', { 'reg.io/team': { username: 'b-path' }, 'reg.io': { username: 'b-host' } }),
      ],
    });
    expect(found.map((credential) => [credential.username, credential.source?.name])).toEqual([
      ['b-path', 'b'],
      ['a-host', 'a'],
      ['b-host', 'b'],
    ]);
  });

  it('gives one entry per matching key, so one secret can contribute several entries', () => {
    const found = lookup('reg.io/team/app', {
      pullSecrets: [
        pullSecret('s', {
          'reg.io': { username: 'u', password: 'p' },
          'reg.io/team': { username: 'u', password: 'p' },
        }),
      ],
    });
    expect(podCredentialsForMatching(found).secrets).toEqual([
      {
        uid: 'uid-s',
        namespace: 'team-a',
        name: 's',
        credentialHash: sha256('{"username":"u","password":"p"}'),
      },
      {
        uid: 'uid-s',
        namespace: 'team-a',
        name: 's',
        credentialHash: sha256('{"username":"u","password":"p"}'),
      },
    ]);
  });

  it('applies the Docker Hub fallback per keyring', () => {
    const found = lookup('docker.io/library/nginx', {
      pullSecrets: [
        pullSecret('hub', {
          'https://index.docker.io/v1/': { username: 'hub' },
          'quay.io': { username: 'quay' },
        }),
      ],
      nodeConfig: { 'docker.io': { username: 'node' } },
    });
    expect(users(found)).toEqual(['hub', 'node']);
  });

  it('fails the whole lookup when one pull secret is not valid JSON, even after a good one', () => {
    const broken: SecretObject = {
      ...pullSecret('bad', {}),
      data: { '.dockerconfigjson': '{"auths": {"reg.io": {"password": "s3cr3t"' },
    };
    const result = lookupPullCredentials(
      'reg.io/app',
      context({
        pullSecrets: [pullSecret('good', { 'reg.io': { username: 'u' } }), broken],
        nodeConfig: { 'reg.io': {} },
      }),
    );
    expect(result).toEqual({ ok: false, error: 'unexpected end of JSON input' });
  });

  it('never puts secret data into the error text', () => {
    const broken: SecretObject = { ...pullSecret('bad', {}), data: { '.dockerconfigjson': 's3cr3t-token' } };
    const result = lookupPullCredentials('reg.io/app', context({ pullSecrets: [broken] }));
    expect(result).toEqual({
      ok: false,
      error: 'invalid character at input byte 0 looking for beginning of value',
    });
  });

  it('ignores secrets of other types, missing keys and empty data', () => {
    const found = lookup('reg.io/app', {
      pullSecrets: [
        { ...pullSecret('opaque', {}), type: 'Opaque' },
        { ...pullSecret('missing', {}), data: {} },
        { ...pullSecret('empty', {}), data: { '.dockerconfigjson': '' } },
        {
          uid: 'cfg',
          namespace: 'team-a',
          name: 'legacy',
          type: 'kubernetes.io/dockercfg',
          data: { '.dockercfg': '{"reg.io": {"auth": "Zm9vOmJhcg=="}}' },
        },
      ],
    });
    expect(found.map((credential) => [credential.username, credential.source?.name])).toEqual([
      ['foo', 'legacy'],
    ]);
  });

  it('skips a node config whose entries do not decode, as the kubelet skips such a file', () => {
    expect(
      lookup('reg.io/app', { nodeConfig: { 'reg.io': { username: 'n' }, 'x.io': { auth: '!!' } } }),
    ).toEqual([]);
    expect(users(lookup('reg.io/app', { nodeConfig: { 'reg.io': { auth: 'Zm9vOmJhcg' } } }))).toEqual([
      'foo',
    ]);
  });

  it('computes hashes only with the gate on', () => {
    const found = lookup('reg.io/app', {
      pullSecrets: [pullSecret('s', { 'reg.io': { username: 'u' } })],
      computeHashes: false,
    });
    expect(found[0]?.credentialHash).toBe('');
    expect(found[0]?.source).toEqual({ kind: 'secret', uid: 'uid-s', namespace: 'team-a', name: 's' });
  });
});

describe('credential-provider plugins', () => {
  it('asks only plugins whose matchImages cover the image, with the repository', () => {
    const matching = plugin({ name: 'yes' });
    const other = plugin({ name: 'no', matches: false });
    expect(users(lookup('reg.io/app', { plugins: [other, matching], serviceAccount: sa }))).toEqual([
      'plugin',
    ]);
    expect(other.calls).toEqual([]);
    expect(matching.calls).toEqual([{ repository: 'reg.io/app' }]);
  });

  it('gives plugin credentials no source outside service-account mode', () => {
    const [credential] = lookup('reg.io/app', { plugins: [plugin()], serviceAccount: sa });
    expect(credential?.source).toBeUndefined();
  });

  it('ties service-account-mode credentials to the pod’s service account and passes it to the plugin', () => {
    const saPlugin = plugin({ serviceAccountTokenMode: true });
    const found = lookup('reg.io/app', { plugins: [saPlugin], serviceAccount: sa });
    expect(found[0]?.source).toEqual({
      kind: 'serviceAccount',
      uid: 'sa-uid',
      namespace: 'team-a',
      name: 'builder',
    });
    expect(saPlugin.calls).toEqual([{ repository: 'reg.io/app', serviceAccount: sa }]);
  });

  it('records no service account where the profile does not track them (1.33)', () => {
    const found = lookup('reg.io/app', {
      plugins: [plugin({ serviceAccountTokenMode: true })],
      serviceAccount: sa,
      serviceAccountTracking: false,
    });
    expect(users(found)).toEqual(['plugin']);
    expect(found[0]?.source).toBeUndefined();
  });

  it('runs a plugin that requires a service account only when the pod has one', () => {
    const required = plugin({ serviceAccountTokenMode: true, requireServiceAccount: true });
    expect(lookup('reg.io/app', { plugins: [required] })).toEqual([]);
    expect(required.calls).toEqual([]);
  });

  it('runs a service-account-mode plugin without one when it is not required, node-wide', () => {
    const optional = plugin({ serviceAccountTokenMode: true });
    const found = lookup('reg.io/app', { plugins: [optional] });
    expect(users(found)).toEqual(['plugin']);
    expect(found[0]?.source).toBeUndefined();
    expect(optional.calls).toEqual([{ repository: 'reg.io/app' }]);
  });

  it('does not run a service-account-mode plugin when the named service account cannot be read', () => {
    const optional = plugin({ serviceAccountTokenMode: true });
    const plain = plugin({ name: 'plain' });
    expect(users(lookup('reg.io/app', { plugins: [optional, plain], serviceAccountName: 'gone' }))).toEqual([
      'plugin',
    ]);
    expect(optional.calls).toEqual([]);
    expect(plain.calls).toHaveLength(1);
  });

  it('keeps only username and password of a plugin answer and tolerates no answer', () => {
    const found = lookup('reg.io/app', {
      plugins: [
        plugin({ config: undefined }),
        plugin({ config: { 'reg.io': { username: 'u', password: 'p', email: 'e', auth: 'Zm9vOmJhcg==' } } }),
        plugin({ config: { 'reg.io': {} } }),
      ],
    });
    expect(found).toEqual([
      {
        username: 'u',
        password: 'p',
        credentialHash: sha256('{"username":"u","password":"p"}'),
        registryKey: 'reg.io',
      },
      { username: '', password: '', credentialHash: sha256('{}'), registryKey: 'reg.io' },
    ]);
  });

  it('shares one keyring across plugins: keys sort across plugins', () => {
    const found = lookup('reg.io/team/app', {
      plugins: [
        plugin({ name: 'a', config: { 'reg.io': { username: 'a' } } }),
        plugin({ name: 'b', config: { 'reg.io/team': { username: 'b' }, ['__proto__']: { username: 'c' } } }),
      ],
    });
    expect(users(found)).toEqual(['b', 'a']);
  });
});

describe('podCredentialsForMatching (MustAttemptImagePull step 9)', () => {
  const secretA = { kind: 'secret', uid: 'a', namespace: 'ns', name: 'sa' } as const;
  const secretB = { kind: 'secret', uid: 'b', namespace: 'ns', name: 'sb' } as const;
  const sa1 = { kind: 'serviceAccount', uid: 's1', namespace: 'ns', name: 'one' } as const;
  const sa2 = { kind: 'serviceAccount', uid: 's2', namespace: 'ns', name: 'two' } as const;
  const credential = (source: TrackedAuthConfig['source'], credentialHash: string): TrackedAuthConfig => ({
    username: 'u',
    password: 'p',
    ...(source === undefined ? {} : { source }),
    credentialHash,
    registryKey: 'reg.io',
  });

  it('keeps every secret entry in order, the first service account only, and drops node-wide entries', () => {
    expect(
      podCredentialsForMatching([
        credential(undefined, 'node'),
        credential(secretA, 'h1'),
        credential(sa1, 'x'),
        credential(secretB, 'h2'),
        credential(sa2, 'y'),
        credential(secretA, 'h3'),
      ]),
    ).toEqual({
      secrets: [
        { uid: 'a', namespace: 'ns', name: 'sa', credentialHash: 'h1' },
        { uid: 'b', namespace: 'ns', name: 'sb', credentialHash: 'h2' },
        { uid: 'a', namespace: 'ns', name: 'sa', credentialHash: 'h3' },
      ],
      serviceAccount: { uid: 's1', namespace: 'ns', name: 'one' },
    });
  });

  it('has no serviceAccount key when there is none', () => {
    const result = podCredentialsForMatching([credential(undefined, ''), credential(secretA, '')]);
    expect(result).toEqual({ secrets: [{ uid: 'a', namespace: 'ns', name: 'sa', credentialHash: '' }] });
    expect('serviceAccount' in result).toBe(false);
    expect(podCredentialsForMatching([])).toEqual({ secrets: [] });
  });
});
