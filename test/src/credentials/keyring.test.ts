import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dockerConfigFromSecret, normalizeRegistryKey } from '../../../src/credentials/docker-config.js';
import {
  type CredentialSource,
  DockerKeyring,
  type TrackedAuthConfig,
  urlsMatchStr,
} from '../../../src/credentials/keyring.js';
import type { DockerConfig } from '../../../src/ports.js';

const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/** The fixture of keyring_test.go: user foo, password bar as `auth`, email foo@bar.baz, under one key. */
function fooBarKeyring(key: string): DockerKeyring {
  const secret = {
    uid: 'u',
    namespace: 'ns',
    name: 's',
    type: 'kubernetes.io/dockercfg',
    data: { '.dockercfg': JSON.stringify({ [key]: { email: 'foo@bar.baz', auth: 'Zm9vOmJhcg==' } }) },
  };
  const parsed = dockerConfigFromSecret(secret);
  if (!parsed.ok || parsed.config === undefined) throw new Error('fixture does not parse');
  const keyring = new DockerKeyring();
  keyring.add(parsed.config);
  return keyring;
}

const users = (found: readonly TrackedAuthConfig[]): string[] =>
  found.map((credential) => credential.username);

describe('urlsMatchStr (the upstream rows: test/conformance/keyring.ts)', () => {
  it('further examples: one wildcard label, and a plain path prefix with ports', () => {
    expect(urlsMatchStr('*.example.com', 'a.example.com/x')).toBe(true);
    expect(urlsMatchStr('*.example.com', 'example.com/x')).toBe(false);
    expect(urlsMatchStr('*.example.com', 'a.b.example.com/x')).toBe(false);
    expect(urlsMatchStr('example.com:5000/path', 'example.com:5000/path/img')).toBe(true);
    expect(urlsMatchStr('example.com:5000/path', 'example.com:5000/pathology/img')).toBe(true);
    expect(urlsMatchStr('example.com:5000/path', 'example.com/path/img')).toBe(false);
    expect(urlsMatchStr('example.com:5000/path', 'example.com:5001/path/img')).toBe(false);
  });

  it('does not normalise :443 and compares hosts case-sensitively', () => {
    expect(urlsMatchStr('reg.io:443', 'reg.io/x')).toBe(false);
    expect(urlsMatchStr('reg.io', 'reg.io:443/x')).toBe(false);
    expect(urlsMatchStr('Reg.io', 'reg.io/x')).toBe(false);
  });

  it('supports ? and [...] classes within a label, never across a dot', () => {
    expect(urlsMatchStr('reg?.io', 'reg1.io')).toBe(false); // "?" starts the query: the host is "reg"
    expect(urlsMatchStr('reg[0-9].io', 'reg7.io')).toBe(true);
    expect(urlsMatchStr('reg[^0-9].io', 'reg7.io')).toBe(false);
    expect(urlsMatchStr('reg[!0-9].io', 'reg!.io')).toBe(true);
    expect(urlsMatchStr('*', 'a.b')).toBe(false);
    expect(urlsMatchStr('*.*', 'a.b')).toBe(true);
  });

  it('treats a malformed pattern or an unparsable URL as no match', () => {
    expect(urlsMatchStr('reg[.io', 'reg[.io')).toBe(false);
    expect(urlsMatchStr('reg.io/%zz', 'reg.io/%zz')).toBe(false);
    expect(urlsMatchStr('reg.io', 'reg.io/%zz')).toBe(false);
    expect(urlsMatchStr('reg.io:abc', 'reg.io:abc')).toBe(false);
  });
});

describe('Docker Hub fallback (index.docker.io key)', () => {
  const keyring = fooBarKeyring('https://index.docker.io/v1/');

  it('serves the normalised docker.io/library/nginx only through the fallback', () => {
    expect(keyring.lookup('docker.io/library/nginx')).toHaveLength(1);
    const direct = fooBarKeyring('docker.io');
    expect(direct.lookup('docker.io/library/nginx')).toHaveLength(1);
    expect(direct.lookup('nginx')).toEqual([]); // a "docker.io" key has no fallback role
  });

  it('is only a fallback: any direct match wins and the index.docker.io credentials are then not added', () => {
    const both = new DockerKeyring();
    both.add({
      'https://index.docker.io/v1/': { username: 'hub' },
      'docker.io/library': { username: 'lib' },
    });
    expect(users(both.lookup('docker.io/library/nginx'))).toEqual(['lib']);
    expect(users(both.lookup('docker.io/other/app'))).toEqual(['hub']);
  });
});

describe('BasicDockerKeyring.Lookup: the tracked fields (the upstream rows: test/conformance/keyring.ts)', () => {
  const ada = { username: 'ada', password: 'smash', email: 'ada@example.com' };
  const grace = { username: 'grace', password: 'squash', email: 'grace@example.com' };
  const keyring = new DockerKeyring();
  keyring.add({ 'bar.example.com/pong': grace, 'bar.example.com': ada });

  it('keeps the credential fields and the key it was stored under', () => {
    expect(keyring.lookup('bar.example.com/pong')).toEqual([
      { ...grace, credentialHash: expect.any(String), registryKey: 'bar.example.com/pong' },
      { ...ada, credentialHash: expect.any(String), registryKey: 'bar.example.com' },
    ]);
  });

  it('https://quay.io/v1/ is stored under quay.io, with the hash of its credential', () => {
    const quay = new DockerKeyring();
    quay.add({ 'https://quay.io/v1/': { username: 'rex', password: 'tiny arms', email: 'rex@example.com' } });
    expect(quay.lookup('quay.io/foo')).toEqual([
      {
        username: 'rex',
        password: 'tiny arms',
        email: 'rex@example.com',
        credentialHash: sha256('{"username":"rex","password":"tiny arms","email":"rex@example.com"}'),
        registryKey: 'quay.io',
      },
    ]);
  });

  it('lists the distinct keys reverse-sorted, duplicates after normalisation under one key in insertion order', () => {
    const dupes = new DockerKeyring();
    dupes.add({ 'https://quay.io/v1/': { username: 'one' }, 'quay.io': { username: 'two' } });
    dupes.add({
      'quay.io/': { username: 'three' },
      'a.io': { username: 'a' },
      'quay.io/x': { username: 'x' },
    });
    expect(dupes.keys()).toEqual(['quay.io/x', 'quay.io', 'a.io']);
    expect(users(dupes.lookup('quay.io/x/y'))).toEqual(['x', 'one', 'two', 'three']);
  });

  it('all matching keys contribute, glob and literal alike', () => {
    const mixed = new DockerKeyring();
    mixed.add({ '*.example.com': { username: 'glob' }, 'a.example.com': { username: 'plain' } });
    // Reverse byte order: "a.example.com" (0x61) sorts after "*.example.com" (0x2a), so it comes first.
    expect(users(mixed.lookup('a.example.com/img'))).toEqual(['plain', 'glob']);
  });
});

describe('DockerKeyring.add', () => {
  const source: CredentialSource = { kind: 'secret', uid: 'uid-1', namespace: 'ns', name: 'pull' };

  it('attaches the source and the hash; without the gate the hash is empty', () => {
    const keyring = new DockerKeyring();
    keyring.add({ 'reg.io': { username: 'u', password: 'p' } }, source);
    keyring.add({ 'reg.io': { username: 'u', password: 'p' } }, source, { computeHash: false });
    keyring.add({ 'reg.io': { username: 'v', password: 'q' } });
    expect(keyring.lookup('reg.io/app')).toEqual([
      {
        username: 'u',
        password: 'p',
        source,
        credentialHash: sha256('{"username":"u","password":"p"}'),
        registryKey: 'reg.io',
      },
      { username: 'u', password: 'p', source, credentialHash: '', registryKey: 'reg.io' },
      {
        username: 'v',
        password: 'q',
        credentialHash: sha256('{"username":"v","password":"q"}'),
        registryKey: 'reg.io',
      },
    ]);
  });

  it('decodes auth entries and skips entries whose auth or key is invalid', () => {
    const keyring = new DockerKeyring();
    keyring.add({
      'reg.io': { auth: 'Zm9vOmJhcg' },
      'bad.io': { auth: 'pants' },
      'reg.io:abc': { username: 'bad-port' },
      'reg.io/%zz': { username: 'bad-escape' },
    });
    expect(keyring.keys()).toEqual(['reg.io']);
    expect(keyring.lookup('reg.io/x')).toMatchObject([{ username: 'foo', password: 'bar' }]);
  });

  it('never matches a key that does not re-parse, as Go re-parses the stored key on every lookup', () => {
    const keyring = new DockerKeyring();
    keyring.add({ 'reg.io/a%25zz': { username: 'u' } });
    expect(keyring.keys()).toEqual(['reg.io/a%zz']);
    expect(keyring.lookup('reg.io/a%zz')).toEqual([]);
  });

  it('keeps a registry key named __proto__ as an ordinary key', () => {
    const keyring = new DockerKeyring();
    keyring.add(JSON.parse('{"__proto__": {"username": "u"}}') as DockerConfig);
    expect(keyring.keys()).toEqual(['__proto__']);
  });
});

describe('properties', () => {
  const label = fc.stringMatching(/^[a-z0-9*-]{1,6}$/);
  const host = fc.array(label, { minLength: 1, maxLength: 4 }).map((labels) => labels.join('.'));
  const port = fc.option(
    fc.integer({ min: 1, max: 65535 }).map((value) => `:${value}`),
    { nil: '' },
  );
  const path = fc.option(fc.stringMatching(/^(\/[a-z0-9._-]{0,6}){1,3}\/?$/), { nil: '' });
  const scheme = fc.constantFrom('', 'https://', 'http://');

  it('a normalised key always matches itself as a target', () => {
    fc.assert(
      fc.property(scheme, host, port, path, (prefix, h, p, tail) => {
        const key = normalizeRegistryKey(`${prefix}${h}${p}${tail}`);
        expect(key).toBeDefined();
        expect(urlsMatchStr(key ?? '', key ?? '')).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('lookup returns the matching keys in reverse-sorted order, each key’s credentials in insertion order', () => {
    // The target reg.io/a/b/c is matched by the first seven keys and by none of the others.
    const matching = ['reg.io', 'reg.io/a', 'reg.io/a/b', 'reg.io/a/b/c', 'r*.io', 'reg.*', '*.*'];
    const other = ['other.io', 'reg.io:5000', 'reg.io/x', 'a.reg.io', 'reg.io/a/b/c/d'];
    const pool = [...matching, ...other];
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.nat({ max: pool.length - 1 }), { minLength: 1, maxLength: 4 }), {
          maxLength: 12,
        }),
        (batches) => {
          const keyring = new DockerKeyring();
          const inserted = new Map<string, string[]>();
          let counter = 0;
          for (const batch of batches) {
            const config: Record<string, { username: string }> = {};
            for (const index of batch) {
              const key = pool[index] ?? '';
              if (key in config) continue;
              const user = `user-${counter++}`;
              config[key] = { username: user };
            }
            for (const [key, entry] of Object.entries(config))
              inserted.set(key, [...(inserted.get(key) ?? []), entry.username]);
            keyring.add(config);
          }
          const expected = [...inserted.keys()]
            .filter((key) => matching.includes(key))
            .sort()
            .reverse()
            .flatMap((key) => inserted.get(key) ?? []);
          expect(users(keyring.lookup('reg.io/a/b/c'))).toEqual(expected);
        },
      ),
      { numRuns: 300 },
    );
  });
});
