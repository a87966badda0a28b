import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeDockerConfig,
  dockerConfigFromSecret,
  normalizeRegistryKey,
  parseDockerConfigEntry,
} from '../../../src/credentials/docker-config.js';
import type { SecretObject } from '../../../src/ports.js';

function secret(type: string, data: Record<string, string>): SecretObject {
  return { uid: 'uid-1', namespace: 'team-a', name: 'regcred', type, data };
}
const configJson = (text: string): SecretObject =>
  secret('kubernetes.io/dockerconfigjson', { '.dockerconfigjson': text });
const dockercfg = (text: string): SecretObject => secret('kubernetes.io/dockercfg', { '.dockercfg': text });

describe('parseDockerConfigEntry (the upstream rows: test/conformance/credentialprovider-config.ts)', () => {
  it('reads padded and unpadded base64 alike', () => {
    for (const auth of ['dXNlcjpwYXNzd29yZA==', 'dXNlcjpwYXNzd29yZA', 'dXNlcjpwYXNzd29yZA== ']) {
      const result = parseDockerConfigEntry({ auth });
      expect(result.ok ? result.value : result.error, auth).toEqual(
        auth.endsWith(' ')
          ? 'illegal base64 data at input byte 20'
          : { username: 'user', password: 'password', email: '' },
      );
    }
  });

  it('splits at the first colon only; an empty password is allowed', () => {
    expect(parseDockerConfigEntry({ auth: Buffer.from('a:b:c').toString('base64') })).toMatchObject({
      value: { username: 'a', password: 'b:c' },
    });
    expect(parseDockerConfigEntry({ auth: Buffer.from('a:').toString('base64') })).toMatchObject({
      value: { username: 'a', password: '' },
    });
  });

  it.each([
    ['pants', 'illegal base64 data at input byte 4'],
    ['cGFudHM=', 'unable to parse auth field, must be formatted as base64(username:password)'],
    ['Zm9v=mJhcg==', 'illegal base64 data at input byte 4'],
    ['Zm9vOmJhcg=', 'illegal base64 data at input byte 11'],
    ['Zm9vOmJhcg===', 'illegal base64 data at input byte 12'],
    ['Zm9vOmJhcg==x', 'illegal base64 data at input byte 10'], // no trailing "=": read unpadded, "=" is invalid
    ['Zm9vOmJhcg==\n', undefined],
    ['Zm9v\r\nOmJhcg==', undefined],
    ['Zm9vOmJhcg=\n=', undefined],
    ['Zm9vOmJhc=', 'illegal base64 data at input byte 9'],
    ['Zm9vOmJh=', 'illegal base64 data at input byte 8'],
    ['Zm9vO', 'illegal base64 data at input byte 4'], // a single symbol cannot end a quantum
    ['Zm9vOmJhcg=\n', 'illegal base64 data at input byte 12'],
    ['Zm9vOmJhcg=x', 'illegal base64 data at input byte 10'],
    ['Zm9vOmJhcg=é', 'illegal base64 data at input byte 10'],
  ])('auth %j → %s', (auth, error) => {
    const result = parseDockerConfigEntry({ auth });
    if (error === undefined)
      expect(result).toEqual({ ok: true, value: { username: 'foo', password: 'bar', email: '' } });
    else expect(result).toEqual({ ok: false, error });
  });

  it('fails on a field of the wrong type, with Go’s UnmarshalTypeError text', () => {
    expect(parseDockerConfigEntry({ email: false })).toEqual({
      ok: false,
      error:
        'json: cannot unmarshal bool into Go struct field dockerConfigEntryWithAuth.email of type string',
    });
    expect(parseDockerConfigEntry(['x'])).toEqual({
      ok: false,
      error:
        'json: cannot unmarshal array into Go value of type credentialprovider.dockerConfigEntryWithAuth',
    });
    expect(parseDockerConfigEntry(7)).toMatchObject({
      error: expect.stringContaining('cannot unmarshal number'),
    });
    expect(parseDockerConfigEntry(7n)).toMatchObject({
      error: expect.stringContaining('cannot unmarshal number'),
    });
    expect(parseDockerConfigEntry('x')).toMatchObject({
      error: expect.stringContaining('cannot unmarshal string'),
    });
  });

  it('treats null as empty, matches field names case-insensitively, ignores other fields', () => {
    expect(parseDockerConfigEntry(null)).toEqual({
      ok: true,
      value: { username: '', password: '', email: '' },
    });
    expect(
      parseDockerConfigEntry({
        USERNAME: 'u',
        PassWord: 'p',
        e\u017fmail: 'x',
        email: null,
        identitytoken: 't',
      }),
    ).toEqual({
      ok: true,
      value: { username: 'u', password: 'p', email: '' },
    });
    expect(parseDockerConfigEntry({ u\u017fername: 'long-s' })).toMatchObject({
      value: { username: 'long-s' },
    });
    expect(parseDockerConfigEntry({ '\u212aey': 'kelvin', username: undefined })).toEqual({
      ok: true,
      value: { username: '', password: '', email: '' },
    });
  });

  it('decodes invalid UTF-8 in auth to bytes that survive as distinct strings', () => {
    const auth = Buffer.from([0x75, 0xff, 0x3a, 0xc3, 0xa9]).toString('base64'); // "u\xff:é"
    expect(parseDockerConfigEntry({ auth })).toEqual({
      ok: true,
      value: { username: 'u\udcff', password: 'é', email: '' },
    });
  });
});

describe('dockerConfigFromSecret (secrets/secrets.go)', () => {
  const auths = '{"auths": {"test.registry.io": {"auth": "dXNlcjpwYXNzd29yZA=="}}}';
  const bare = '{"test.registry.io": {"auth": "dXNlcjpwYXNzd29yZA=="}}';
  const expected = { 'test.registry.io': { username: 'user', password: 'password', email: '' } };

  it('reads kubernetes.io/dockerconfigjson (.dockerconfigjson, {"auths": …})', () => {
    expect(dockerConfigFromSecret(configJson(auths))).toEqual({ ok: true, config: expected });
  });

  it('reads kubernetes.io/dockercfg (.dockercfg, a bare map)', () => {
    expect(dockerConfigFromSecret(dockercfg(bare))).toEqual({ ok: true, config: expected });
  });

  it('ignores other secret types and a data key that does not belong to the type', () => {
    expect(dockerConfigFromSecret(secret('Opaque', { '.dockerconfigjson': auths }))).toEqual({
      ok: true,
      config: undefined,
    });
    expect(dockerConfigFromSecret(secret('kubernetes.io/dockercfg', { '.dockerconfigjson': auths }))).toEqual(
      {
        ok: true,
        config: undefined,
      },
    );
    expect(dockerConfigFromSecret(secret('kubernetes.io/dockerconfigjson', { '.dockercfg': bare }))).toEqual({
      ok: true,
      config: undefined,
    });
  });

  it('ignores a missing key and empty data', () => {
    expect(dockerConfigFromSecret(secret('kubernetes.io/dockerconfigjson', {}))).toEqual({
      ok: true,
      config: undefined,
    });
    expect(dockerConfigFromSecret(configJson(''))).toEqual({ ok: true, config: undefined });
    expect(dockerConfigFromSecret(dockercfg(''))).toEqual({ ok: true, config: undefined });
  });

  it('accepts null and empty documents as an empty config', () => {
    expect(dockerConfigFromSecret(configJson('null'))).toEqual({ ok: true, config: {} });
    expect(dockerConfigFromSecret(configJson('{}'))).toEqual({ ok: true, config: {} });
    expect(dockerConfigFromSecret(configJson('{"auths": null}'))).toEqual({ ok: true, config: {} });
    expect(dockerConfigFromSecret(dockercfg('null'))).toEqual({ ok: true, config: {} });
    expect(dockerConfigFromSecret(dockercfg('{"r.io": null}'))).toEqual({
      ok: true,
      config: { 'r.io': { username: '', password: '', email: '' } },
    });
  });

  it('applies repeated members as Go does: "auths" maps merge, null resets, later entries win', () => {
    const text =
      '{"auths": {"a.io": {"username": "1"}}, "Auths": {"b.io": {"username": "2"}, "a.io": {"username": "3"}}}';
    expect(dockerConfigFromSecret(configJson(text))).toEqual({
      ok: true,
      config: {
        'a.io': { username: '3', password: '', email: '' },
        'b.io': { username: '2', password: '', email: '' },
      },
    });
    const reset = '{"auths": {"a.io": {"username": "1"}}, "auths": null, "auths": {"b.io": {}}}';
    expect(dockerConfigFromSecret(configJson(reset))).toMatchObject({ config: { 'b.io': {} } });
    expect(dockerConfigFromSecret(configJson(reset))).not.toMatchObject({ config: { 'a.io': {} } });
    const fields = '{"a.io": {"username": "1", "USERNAME": "2", "username": "3"}}';
    expect(dockerConfigFromSecret(dockercfg(fields))).toMatchObject({
      config: { 'a.io': { username: '3' } },
    });
  });

  it('checks the HttpHeaders field like Go (a map of strings)', () => {
    expect(
      dockerConfigFromSecret(configJson('{"HttpHeaders": {"X-A": "1", "X-B": null}, "auths": {}}')),
    ).toEqual({
      ok: true,
      config: {},
    });
    expect(dockerConfigFromSecret(configJson('{"httpheaders": {"X-A": 1}}'))).toEqual({
      ok: false,
      error: 'json: cannot unmarshal number into Go struct field DockerConfigJSON.HttpHeaders of type string',
    });
    expect(dockerConfigFromSecret(configJson('{"HttpHeaders": []}'))).toEqual({
      ok: false,
      error:
        'json: cannot unmarshal array into Go struct field DockerConfigJSON.HttpHeaders of type map[string]string',
    });
  });

  it.each([
    [
      '{"auths": 5}',
      'json: cannot unmarshal number into Go struct field DockerConfigJSON.auths of type credentialprovider.DockerConfig',
    ],
    ['[]', 'json: cannot unmarshal array into Go value of type credentialprovider.DockerConfigJSON'],
    ['"x"', 'json: cannot unmarshal string into Go value of type credentialprovider.DockerConfigJSON'],
    [
      '{"auths": {"r.io": {"username": 5}}}',
      'json: cannot unmarshal number into Go struct field DockerConfigJSON.auths.username of type string',
    ],
    [
      '{"auths": {"r.io": true}}',
      'json: cannot unmarshal bool into Go struct field DockerConfigJSON.auths of type credentialprovider.dockerConfigEntryWithAuth',
    ],
    ['{"auths": {"r.io": {"auth": "pants"}}}', 'illegal base64 data at input byte 4'],
    // A type error is remembered and decoding goes on; an entry's own error aborts at once and wins.
    [
      '{"HttpHeaders": 1, "auths": 2}',
      'json: cannot unmarshal number into Go struct field DockerConfigJSON.HttpHeaders of type map[string]string',
    ],
    ['{"HttpHeaders": 1, "auths": {"r.io": {"auth": "x"}}}', 'illegal base64 data at input byte 0'],
  ])('.dockerconfigjson %s fails: %s', (text, error) => {
    expect(dockerConfigFromSecret(configJson(text))).toEqual({ ok: false, error });
  });

  it.each([
    ['[1]', 'json: cannot unmarshal array into Go value of type credentialprovider.DockerConfig'],
    [
      '{"r.io": 1}',
      'json: cannot unmarshal number into Go value of type credentialprovider.dockerConfigEntryWithAuth',
    ],
    [
      '{"r.io": {"password": {}}}',
      'json: cannot unmarshal object into Go struct field dockerConfigEntryWithAuth.password of type string',
    ],
  ])('.dockercfg %s fails: %s', (text, error) => {
    expect(dockerConfigFromSecret(dockercfg(text))).toEqual({ ok: false, error });
  });

  it.each([
    ['', undefined],
    ['{"auths": {"r.io": {"password": "hunter2"', 'unexpected end of JSON input'],
    [
      '{"auths": {"r.io": {"password": "hunter2"}}}x',
      'invalid character at input byte 44 after top-level value',
    ],
    ['hunter2', 'invalid character at input byte 0 looking for beginning of value'],
    ['{"auths" {}}', 'invalid character at input byte 9 after object key'],
    [
      '{"auths": {"r.io": {"password": "hun\tter2"}}}',
      'invalid character at input byte 36 in string literal',
    ],
    ['{"auths": {"r.io": {"password": "\\q"}}}', 'invalid character at input byte 34 in string escape code'],
    ['{"a": "\\u12G4"}', 'invalid character at input byte 11 in \\u hexadecimal character escape'],
    ['{"a": "\\u12', "invalid character ' ' in \\u hexadecimal character escape"],
    ['{"a": "\\', "invalid character ' ' in string escape code"],
    ['{"a": tru', "invalid character ' ' in literal true (expecting 'e')"],
    ['{"a": nul}', "invalid character at input byte 9 in literal null (expecting 'l')"],
    ['{"a": fals', "invalid character ' ' in literal false (expecting 'e')"],
    ['{"a": -}', 'invalid character at input byte 7 in numeric literal'],
    ['{"a": "abc', 'unexpected end of JSON input'],
    ['{"a": 1e5 x}', 'invalid character at input byte 10 after object key:value pair'],
    ['{"a": "\\ud800\\u12G4"}', 'invalid character at input byte 17 in \\u hexadecimal character escape'],
    ['{"a": "\\u00E9" "x"}', 'invalid character at input byte 15 after object key:value pair'],
    ['{"a": -', "invalid character ' ' in numeric literal"],
    ['{"a": 1.}', 'invalid character at input byte 8 after decimal point in numeric literal'],
    ['{"a": 1.', "invalid character ' ' after decimal point in numeric literal"],
    ['{"a": 1e+}', 'invalid character at input byte 9 in exponent of numeric literal'],
    ['{"a": 01}', 'invalid character at input byte 7 after object key:value pair'],
    ['[1 2]', 'invalid character at input byte 3 after array element'],
    ['[1,]', 'invalid character at input byte 3 looking for beginning of value'],
    ['{"a": 1,}', 'invalid character at input byte 8 looking for beginning of object key string'],
    ['{1: 2}', 'invalid character at input byte 1 looking for beginning of object key string'],
    ['{"é": x}', 'invalid character at input byte 7 looking for beginning of value'], // é is two bytes
    ['\ufeff{}', 'invalid character at input byte 0 looking for beginning of value'],
  ])('syntax error in %j reads %j and never echoes the data', (text, error) => {
    const result = dockerConfigFromSecret(configJson(text));
    if (error === undefined) expect(result).toEqual({ ok: true, config: undefined });
    else {
      expect(result).toEqual({ ok: false, error });
      // Go's own wording may quote the expected letter of a literal, or the space it feeds at the end of input.
      const wording = (result.ok ? '' : result.error).replace(/\(expecting '[a-z]'\)/, '');
      expect(wording).not.toMatch(/hun|'[^ ]'/);
    }
  });

  it('accepts well-formed JSON of every shape, numbers, escapes and surrogates included', () => {
    const text =
      '{"HttpHeaders": {"a": "\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00\\ud800\\u0041\\udc00x"}, "other": [1, -0.5e+3, 2E-2, true, false, null, [], {}, [[{}]]], "auths": {"r.io": {"username": "\\u00e9\\ud800"}}}';
    expect(dockerConfigFromSecret(configJson(text))).toEqual({
      ok: true,
      config: { 'r.io': { username: 'é\ufffd', password: '', email: '' } },
    });
    expect(dockerConfigFromSecret(dockercfg('{"r.io": {"username": "a\ud800b\ud83d\ude00"}}'))).toMatchObject(
      {
        config: { 'r.io': { username: 'a\ufffdb\ud83d\ude00' } },
      },
    );
  });

  it('limits nesting to Go’s 10000 levels', () => {
    const deep = (levels: number): string => `${'['.repeat(levels)}${']'.repeat(levels)}`;
    expect(dockerConfigFromSecret(dockercfg(`{"x": ${deep(9_999)}}`))).toMatchObject({
      error:
        'json: cannot unmarshal object into Go value of type credentialprovider.dockerConfigEntryWithAuth'.replace(
          'object',
          'array',
        ),
    });
    expect(dockerConfigFromSecret(dockercfg(deep(10_001)))).toEqual({
      ok: false,
      error: 'invalid character at input byte 10000 exceeded max depth',
    });
    expect(
      dockerConfigFromSecret(dockercfg(`${'{"a":'.repeat(10_001)}1${'}'.repeat(10_001)}`)),
    ).toMatchObject({
      error: expect.stringContaining('exceeded max depth'),
    });
  });

  it('keeps a registry named __proto__ as data', () => {
    const result = dockerConfigFromSecret(dockercfg('{"__proto__": {"username": "u"}}'));
    expect(result.ok && result.config !== undefined && Object.keys(result.config)).toEqual(['__proto__']);
  });
});

describe('decodeDockerConfig (node config.json)', () => {
  it('folds auth into username and password', () => {
    expect(decodeDockerConfig({ 'r.io': { auth: 'Zm9vOmJhcg==', email: 'e' } })).toEqual({
      ok: true,
      config: { 'r.io': { username: 'foo', password: 'bar', email: 'e' } },
    });
  });

  it('fails as a whole when one entry does not decode (the kubelet then skips the file)', () => {
    expect(decodeDockerConfig({ 'a.io': { username: 'a' }, 'r.io': { auth: 'pants' } })).toEqual({
      ok: false,
      error: 'illegal base64 data at input byte 4',
    });
  });
});

describe('normalizeRegistryKey (BasicDockerKeyring.Add)', () => {
  it.each([
    ['https://index.docker.io/v1/', 'index.docker.io'],
    ['https://quay.io/v1/', 'quay.io'],
    ['example.com:5000/path', 'example.com:5000/path'],
    ['https://*.docker.io/v2/', '*.docker.io'],
    ['http://reg.io/v2/team', 'reg.io/team'],
    ['reg.io/v1', 'reg.io/v1'],
    ['reg.io/', 'reg.io'],
    ['reg.io', 'reg.io'],
    ['user:pw@reg.io/x', 'reg.io/x'],
    ['reg.io/a%20b?query#frag', 'reg.io/a b'],
    ['reg.io?', 'reg.io'],
    ['reg.io:', 'reg.io:'],
    ['r%C3%A9g.io', 'rég.io'],
    ['[::1]:5000/x', '[::1]:5000/x'],
    ['[fe80::1%25en0]', '[fe80::1%en0]'],
    ['HTTPS://reg.io', 'HTTPS://reg.io'],
    ['', ''],
  ])('%j → %j', (key, expected) => {
    expect(normalizeRegistryKey(key)).toBe(expected);
  });

  it.each([
    'reg.io:abc',
    'https:reg.io',
    'a:b:c',
    'reg.io/%zz',
    'reg.io/%2',
    'r%41.io',
    'reg io',
    'reg.io#%zz',
    'reg.io/\x01',
    'us er@reg.io',
    'u%zz@reg.io',
    '[::1',
    '[::1]x',
    '[fe80::1%25%zz]',
    '[fe80::1%25%2F]',
  ])('%j is skipped (Go url.Parse error)', (key) => {
    expect(normalizeRegistryKey(key)).toBeUndefined();
  });

  it('never throws and yields a key without scheme for any string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (key) => {
        const normalised = normalizeRegistryKey(key);
        if (normalised !== undefined) expect(normalised.startsWith('https://')).toBe(false);
      }),
      { numRuns: 300 },
    );
  });
});
