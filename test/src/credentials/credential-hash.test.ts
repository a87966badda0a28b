/**
 * The credential hash is the hex SHA-256 of Go's JSON encoding of {username, password, email} (`hashAuthConfig`,
 * pkg/credentialprovider/keyring.go; docs/kubelet-model.md#the-credential-hash). Every expected value below is the
 * digest of a literal string written from that rule.
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { authConfigJson, credentialHash } from '../../../src/credentials/credential-hash.js';
import { DockerKeyring } from '../../../src/credentials/keyring.js';
import { lookupPullCredentials } from '../../../src/credentials/pod-credentials.js';

const sha256 = (text: string | Uint8Array): string => createHash('sha256').update(text).digest('hex');
const json = (auth: Parameters<typeof authConfigJson>[0]): string =>
  Buffer.from(authConfigJson(auth)).toString('utf8');

describe('credentialHash (hashAuthConfig)', () => {
  it('hashes the compact JSON of username and password', () => {
    expect(credentialHash({ username: 'u', password: 'p' })).toBe(sha256('{"username":"u","password":"p"}'));
    expect(credentialHash({ username: 'u', password: 'p' })).toMatch(/^[0-9a-f]{64}$/);
  });

  it('writes email after password', () => {
    expect(credentialHash({ username: 'u', password: 'p', email: 'e' })).toBe(
      sha256('{"username":"u","password":"p","email":"e"}'),
    );
  });

  it('omits empty fields (Go omitempty)', () => {
    expect(credentialHash({})).toBe(sha256('{}'));
    expect(credentialHash({ username: '', password: '', email: '' })).toBe(sha256('{}'));
    expect(credentialHash({ password: 'p' })).toBe(sha256('{"password":"p"}'));
    expect(credentialHash({ username: 'u', email: 'e' })).toBe(sha256('{"username":"u","email":"e"}'));
  });

  it('hashes what an auth field decodes to, not the auth field', () => {
    const keyring = new DockerKeyring();
    keyring.add({ 'r.io': { username: 'x', password: 'y', auth: Buffer.from('u:p').toString('base64') } });
    expect(keyring.lookup('r.io/a')[0]?.credentialHash).toBe(sha256('{"username":"u","password":"p"}'));
  });

  it('does not depend on the registry key or on the secret that holds the credential', () => {
    const secret = (name: string, registry: string) => ({
      uid: `uid-${name}`,
      namespace: `ns-${name}`,
      name,
      type: 'kubernetes.io/dockerconfigjson',
      data: {
        '.dockerconfigjson': JSON.stringify({ auths: { [registry]: { username: 'u', password: 'p' } } }),
      },
    });
    const result = lookupPullCredentials('reg.io/team/app', {
      pullSecrets: [secret('a', 'reg.io'), secret('b', 'reg.io/team'), secret('c', '*.io')],
      nodeConfig: undefined,
      plugins: [],
      serviceAccount: undefined,
      serviceAccountTracking: true,
      computeHashes: true,
    });
    expect(result.ok && result.credentials.map((credential) => credential.credentialHash)).toEqual([
      sha256('{"username":"u","password":"p"}'),
      sha256('{"username":"u","password":"p"}'),
      sha256('{"username":"u","password":"p"}'),
    ]);
  });

  it('escapes like Go’s encoder, HTML characters included', () => {
    expect(json({ username: '<a&b>' })).toBe('{"username":"\\u003ca\\u0026b\\u003e"}');
    expect(json({ username: '"\\/' })).toBe('{"username":"\\"\\\\/"}');
    expect(json({ password: '\b\f\n\r\t\u0000\u001f\u007f' })).toBe(
      '{"password":"\\b\\f\\n\\r\\t\\u0000\\u001f\u007f"}',
    );
    expect(json({ email: 'é\u2028\u2029😀' })).toBe('{"email":"é\\u2028\\u2029😀"}');
    expect(credentialHash({ username: 'a<b' })).toBe(sha256('{"username":"a\\u003cb"}'));
  });

  it('writes each invalid UTF-8 byte as \\ufffd, unlike a real U+FFFD', () => {
    // U+DCFF carries the raw byte 0xFF (a decoded auth field may hold any bytes).
    expect(json({ username: 'a\udcffb' })).toBe('{"username":"a\\ufffdb"}');
    expect(json({ username: 'a\ufffdb' })).toBe('{"username":"a\ufffdb"}');
    // Bytes that form valid UTF-8 together come out as that character.
    expect(json({ username: '\udcc3\udca9' })).toBe('{"username":"é"}');
    // Any other lone surrogate has no Go form and is encoded as U+FFFD.
    expect(json({ username: '\ud800' })).toBe('{"username":"\ufffd"}');
    const auth = Buffer.from([0x75, 0xff, 0x3a, 0x70]).toString('base64');
    const keyring = new DockerKeyring();
    keyring.add({ 'r.io': { auth } });
    expect(keyring.lookup('r.io')[0]?.credentialHash).toBe(
      sha256(Buffer.concat([Buffer.from('{"username":"u\\ufffd","password":"p"}')])),
    );
  });

  it('property: the hash is determined by (username, password, email) alone', () => {
    const text = fc.string({ unit: 'binary', maxLength: 12 });
    fc.assert(
      fc.property(
        text,
        text,
        text,
        fc.constantFrom('r.io', 'https://index.docker.io/v1/', '*.io/x', 'r.io:5000'),
        fc.option(fc.record({ uid: text, namespace: text, name: text })),
        (username, password, email, registry, coordinates) => {
          const keyring = new DockerKeyring();
          const source = coordinates === null ? undefined : ({ kind: 'secret', ...coordinates } as const);
          keyring.add({ [registry]: { username, password, email } }, source);
          const [stored] = keyring.lookup(
            registry.replace('https://', '').replace('/v1/', '').replace('*', 'a'),
          );
          expect(stored?.credentialHash).toBe(credentialHash({ username, password, email }));
          // An independent model: JSON.stringify already writes Go's escapes except the HTML and U+2028/9 ones.
          const goString = (value: string): string =>
            JSON.stringify(value).replace(
              /[<>&\u2028\u2029]/g,
              (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
            );
          const fields = Object.entries({ username, password, email }).filter(([, value]) => value !== '');
          const model = `{${fields.map(([name, value]) => `"${name}":${goString(value)}`).join(',')}}`;
          if (!/[\ud800-\udfff]/.test(username + password + email))
            expect(stored?.credentialHash).toBe(sha256(model));
        },
      ),
      { numRuns: 300 },
    );
  });
});
