import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  applyDefaultImageTag,
  familiarName,
  familiarString,
  type NamedReference,
  type ParseResult,
  parseImageName,
  parseNamed,
  parseNormalizedNamed,
  parseReference,
  referenceString,
  trimImageTagDigest,
} from '../../../src/reference/index.js';

// Fixtures from the upstream tests (pkg/util/parsers/parsers_test.go, distribution/reference *_test.go).
const E3B0 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const FFFF = 'f'.repeat(64);
const DBCC = 'dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9c';
const BUSYBOX_DIGEST = '86e0e091d0da6bde2456dbb48306f3956bbeb2eae1b5b9a43045843f69fe4aaa';

function value<T>(result: ParseResult<T>): T {
  if (!result.ok) throw new Error(`expected success, got error: ${result.error}`);
  return result.value;
}

function error<T>(result: ParseResult<T>): string {
  if (result.ok) throw new Error(`expected an error, got ${JSON.stringify(result.value)}`);
  return result.error;
}

describe('parseImageName (pkg/util/parsers.ParseImageName, examples of parsers_test.go)', () => {
  it.each([
    ['root', 'docker.io/library/root', 'latest', ''],
    ['root:tag', 'docker.io/library/root', 'tag', ''],
    [`root@sha256:${E3B0}`, 'docker.io/library/root', '', `sha256:${E3B0}`],
    ['user/repo', 'docker.io/user/repo', 'latest', ''],
    ['user/repo:tag', 'docker.io/user/repo', 'tag', ''],
    [`user/repo@sha256:${E3B0}`, 'docker.io/user/repo', '', `sha256:${E3B0}`],
    ['url:5000/repo', 'url:5000/repo', 'latest', ''],
    ['url:5000/repo:tag', 'url:5000/repo', 'tag', ''],
    [`url:5000/repo@sha256:${E3B0}`, 'url:5000/repo', '', `sha256:${E3B0}`],
    [`url:5000/repo:latest@sha256:${E3B0}`, 'url:5000/repo', 'latest', `sha256:${E3B0}`],
  ])('%s → repository %s, tag %j, digest %j', (image, repository, tag, digest) => {
    expect(value(parseImageName(image))).toEqual({ repository, tag, digest });
  });

  it('the tag defaults to "latest" only when there is neither tag nor digest', () => {
    expect(value(parseImageName('nginx')).tag).toBe('latest');
    expect(value(parseImageName(`nginx@sha256:${E3B0}`)).tag).toBe('');
  });

  it('an upper-case name is rejected with the wrapped lowercase error of distribution/reference v0.5+', () => {
    expect(error(parseImageName('ROOT'))).toBe(
      'couldn\'t parse image name "ROOT": invalid reference format: repository name (library/ROOT) must be lowercase',
    );
  });

  it('a URL is an invalid reference format', () => {
    expect(error(parseImageName('http://root'))).toBe(
      'couldn\'t parse image name "http://root": invalid reference format',
    );
  });

  it('a bare 64-hex string is refused as a repository name', () => {
    expect(error(parseImageName(E3B0))).toBe(
      `couldn't parse image name "${E3B0}": invalid repository name (${E3B0}), cannot specify 64-byte hexadecimal strings`,
    );
  });

  it('an empty image is an invalid reference format', () => {
    expect(error(parseImageName(''))).toBe('couldn\'t parse image name "": invalid reference format');
  });

  it('quotes the image with Go %q, escaping quotes and control characters', () => {
    expect(error(parseImageName('a"b\n'))).toBe(
      'couldn\'t parse image name "a\\"b\\n": invalid reference format',
    );
  });
});

describe('applyDefaultImageTag (pkg/kubelet/images/image_manager.go)', () => {
  it.each([
    ['nginx', 'nginx:latest'],
    ['busybox', 'busybox:latest'],
    ['docker.io/library/nginx', 'docker.io/library/nginx:latest'],
    ['user/repo', 'user/repo:latest'],
    ['url:5000/repo', 'url:5000/repo:latest'],
    ['localhost/app', 'localhost/app:latest'],
  ])('appends :latest to the raw string %s without qualifying it', (image, expected) => {
    expect(value(applyDefaultImageTag(image))).toBe(expected);
  });

  it.each([
    'nginx:1.27',
    'nginx:latest',
    `nginx@sha256:${E3B0}`,
    `url:5000/repo:latest@sha256:${E3B0}`,
    'docker.io/library/nginx:1.27',
  ])('leaves %s alone because it has a tag or a digest', (image) => {
    expect(value(applyDefaultImageTag(image))).toBe(image);
  });

  it("fails with ParseImageName's error, which EnsureImageExists prefixes", () => {
    expect(error(applyDefaultImageTag('BUSYBOX'))).toBe(
      'couldn\'t parse image name "BUSYBOX": invalid reference format: repository name (library/BUSYBOX) must be lowercase',
    );
  });
});

describe('trimImageTagDigest (credentialMapping key, image_pull_manager.go)', () => {
  it.each([
    ['docker.io/testing/test:latest', 'docker.io/testing/test'],
    ['docker.io/testing/test:something', 'docker.io/testing/test'],
    ['repo.repo/test/test:v1', 'repo.repo/test/test'],
    ['docker.io/sa-test/app:v1', 'docker.io/sa-test/app'],
    ['nginx:1', 'docker.io/library/nginx'],
    ['nginx', 'docker.io/library/nginx'],
    ['docker.io/library/nginx:1.2', 'docker.io/library/nginx'],
    [`url:5000/repo:latest@sha256:${E3B0}`, 'url:5000/repo'],
  ])('normalised: %s → %s', (image, key) => {
    expect(value(trimImageTagDigest(image, 'normalised'))).toBe(key);
  });

  it.each([
    ['secretorg/myimage:customtag', 'secretorg/myimage'],
    [`testing@sha256:${E3B0}`, 'testing'],
    [`hello-world:latest@sha256:${E3B0}`, 'hello-world'],
    ['nginx', 'nginx'],
    ['docker.io/library/nginx:1.2', 'docker.io/library/nginx'],
    ['url:5000/repo:5000', 'url:5000/repo'],
  ])('familiar: %s → %s (the name as written)', (image, key) => {
    expect(value(trimImageTagDigest(image, 'familiar'))).toBe(key);
  });

  it('under the normalised rule `nginx` and `docker.io/library/nginx:1.2` share a key; under the familiar rule not', () => {
    expect(value(trimImageTagDigest('nginx', 'normalised'))).toBe(
      value(trimImageTagDigest('docker.io/library/nginx:1.2', 'normalised')),
    );
    expect(value(trimImageTagDigest('nginx', 'familiar'))).not.toBe(
      value(trimImageTagDigest('docker.io/library/nginx:1.2', 'familiar')),
    );
  });

  it.each(['normalised', 'familiar'] as const)(
    '%s: an unparsable image fails with the ParseImageName error',
    (form) => {
      expect(error(trimImageTagDigest('ROOT', form))).toBe(
        'couldn\'t parse image name "ROOT": invalid reference format: repository name (library/ROOT) must be lowercase',
      );
    },
  );
});

describe('parseNormalizedNamed (distribution/reference normalize_test.go)', () => {
  it.each([
    'docker/docker',
    'library/debian',
    'debian',
    'docker.io/docker/docker',
    'docker.io/library/debian',
    'docker.io/debian',
    'index.docker.io/docker/docker',
    'index.docker.io/library/debian',
    'index.docker.io/debian',
    '127.0.0.1:5000/docker/docker',
    '127.0.0.1:5000/library/debian',
    '127.0.0.1:5000/debian',
    '192.168.0.1',
    '192.168.0.1:80',
    '192.168.0.1:8/debian',
    '192.168.0.2:25000/debian',
    'thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev',
    '[fc00::1]:5000/docker',
    '[fc00::1]:5000/docker/docker',
    '[fc00:1:2:3:4:5:6:7]:5000/library/debian',
    'docker.io/1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a',
    'Docker/docker',
    'DOCKER/docker',
    // TestValidateRemoteName
    'docker-rules/docker',
    'docker---rules/docker',
    'doc/docker',
    'd/docker',
    'jess/t',
    'dock__er/docker',
  ])('accepts the valid reference name %s', (name) => {
    expect(parseNormalizedNamed(name).ok).toBe(true);
  });

  it.each([
    'https://github.com/docker/docker',
    'docker/Docker',
    '-docker',
    '-docker/docker',
    '-docker.io/docker/docker',
    'docker///docker',
    'docker.io/docker/Docker',
    'docker.io/docker///docker',
    '[fc00::1]',
    '[fc00::1]:5000',
    'fc00::1:5000/debian',
    '[fe80::1%eth0]:5000/debian',
    '[2001:db8:3:4::192.0.2.33]:5000/debian',
    '1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a',
    // TestValidateRemoteName
    'docker-/docker',
    '-docker-/docker',
    '____/____',
    '_docker/_docker',
    'dock..er/docker',
    'dock_.er/docker',
    'dock-.er/docker',
    'docker/',
    `${'this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255_'.repeat(3)}this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255/docker`,
  ])('rejects the invalid reference name %s', (name) => {
    expect(parseNormalizedNamed(name).ok).toBe(false);
  });

  // TestParseRepositoryInfo: every spelling parses to the full name, and the familiar name comes back.
  it.each([
    ['fooo/bar', 'fooo/bar', 'docker.io/fooo/bar', 'index.docker.io/fooo/bar', 'docker.io'],
    ['library/ubuntu', 'ubuntu', 'docker.io/library/ubuntu', 'library/ubuntu', 'docker.io'],
    ['nonlibrary/ubuntu', 'nonlibrary/ubuntu', 'docker.io/nonlibrary/ubuntu', '', 'docker.io'],
    ['other/library', 'other/library', 'docker.io/other/library', '', 'docker.io'],
    [
      'private/moonbase',
      '127.0.0.1:8000/private/moonbase',
      '127.0.0.1:8000/private/moonbase',
      '',
      '127.0.0.1:8000',
    ],
    ['privatebase', '127.0.0.1:8000/privatebase', '127.0.0.1:8000/privatebase', '', '127.0.0.1:8000'],
    ['private/moonbase', 'example.com/private/moonbase', 'example.com/private/moonbase', '', 'example.com'],
    ['privatebase', 'example.com/privatebase', 'example.com/privatebase', '', 'example.com'],
    [
      'private/moonbase',
      'example.com:8000/private/moonbase',
      'example.com:8000/private/moonbase',
      '',
      'example.com:8000',
    ],
    [
      'privatebasee',
      'example.com:8000/privatebasee',
      'example.com:8000/privatebasee',
      '',
      'example.com:8000',
    ],
    [
      'library/ubuntu-12.04-base',
      'ubuntu-12.04-base',
      'docker.io/library/ubuntu-12.04-base',
      'index.docker.io/library/ubuntu-12.04-base',
      'docker.io',
    ],
    ['library/foo', 'foo', 'docker.io/library/foo', 'docker.io/foo', 'docker.io'],
    ['library/foo/bar', 'library/foo/bar', 'docker.io/library/foo/bar', '', 'docker.io'],
    ['store/foo/bar', 'store/foo/bar', 'docker.io/store/foo/bar', '', 'docker.io'],
    ['bar', 'Foo/bar', 'Foo/bar', '', 'Foo'],
    ['bar', 'FOO/bar', 'FOO/bar', '', 'FOO'],
  ])('repository info: path %s, familiar %s, full %s', (path, familiar, full, ambiguous, domain) => {
    const spellings = [familiar, full, ...(ambiguous === '' ? [] : [ambiguous])];
    for (const spelling of spellings) {
      const named = value(parseNormalizedNamed(spelling));
      expect(familiarName(named)).toBe(familiar);
      expect(referenceString(named)).toBe(full);
      expect(named.domain).toBe(domain);
      expect(named.path).toBe(path);
    }
  });

  it('keeps both tag and digest, and the familiar string drops only docker.io/library/', () => {
    const shortRef = `busybox:latest@sha256:${BUSYBOX_DIGEST}`;
    const named = value(parseNormalizedNamed(shortRef));
    expect(referenceString(named)).toBe(`docker.io/library/${shortRef}`);
    expect(named.tag).toBe('latest');
    expect(named.digest).toBe(`sha256:${BUSYBOX_DIGEST}`);
    expect(familiarString(named)).toBe(shortRef);
  });

  it.each([
    ['redis', 'docker.io/library/redis'],
    ['redis:latest', 'docker.io/library/redis:latest'],
    ['docker.io/library/redis:latest', 'docker.io/library/redis:latest'],
    [`redis@sha256:${DBCC}`, `docker.io/library/redis@sha256:${DBCC}`],
    [`docker.io/library/redis@sha256:${DBCC}`, `docker.io/library/redis@sha256:${DBCC}`],
    ['dmcgowan/myapp', 'docker.io/dmcgowan/myapp'],
    ['dmcgowan/myapp:latest', 'docker.io/dmcgowan/myapp:latest'],
    ['docker.io/mcgowan/myapp:latest', 'docker.io/mcgowan/myapp:latest'],
    [`dmcgowan/myapp@sha256:${DBCC}`, `docker.io/dmcgowan/myapp@sha256:${DBCC}`],
    [DBCC.slice(0, 63), `docker.io/library/${DBCC.slice(0, 63)}`],
    ['dbcc1', 'docker.io/library/dbcc1'],
  ])('normalises %s to %s', (input, full) => {
    expect(referenceString(value(parseNormalizedNamed(input)))).toBe(full);
  });

  // TestNormalizedSplitHostname
  it.each([
    ['test.com/foo', 'test.com', 'foo'],
    ['test_com/foo', 'docker.io', 'test_com/foo'],
    ['docker/migrator', 'docker.io', 'docker/migrator'],
    ['test.com:8080/foo', 'test.com:8080', 'foo'],
    ['test-com:8080/foo', 'test-com:8080', 'foo'],
    ['foo', 'docker.io', 'library/foo'],
    ['xn--n3h.com/foo', 'xn--n3h.com', 'foo'],
    ['xn--n3h.com:18080/foo', 'xn--n3h.com:18080', 'foo'],
    ['docker.io/foo', 'docker.io', 'library/foo'],
    ['docker.io/library/foo', 'docker.io', 'library/foo'],
    ['docker.io/library/foo/bar', 'docker.io', 'library/foo/bar'],
  ])('splits %s into domain %s and path %s', (input, domain, path) => {
    const named = value(parseNormalizedNamed(input));
    expect([named.domain, named.path]).toEqual([domain, path]);
  });

  it('treats localhost as a domain only when a path follows', () => {
    expect(value(parseNormalizedNamed('localhost/foo')).domain).toBe('localhost');
    expect(value(parseNormalizedNamed('localhost:5000/x/y')).name).toBe('localhost:5000/x/y');
    expect(value(parseNormalizedNamed('localhost')).name).toBe('docker.io/library/localhost');
  });

  it('maps the legacy index.docker.io domain to docker.io', () => {
    expect(value(parseNormalizedNamed('index.docker.io/library/nginx:1')).name).toBe(
      'docker.io/library/nginx',
    );
  });

  it('allows upper case in the domain but not in the path', () => {
    expect(value(parseNormalizedNamed('Example.COM/foo')).domain).toBe('Example.COM');
    expect(error(parseNormalizedNamed('example.com/Foo'))).toBe(
      'invalid reference format: repository name (Foo) must be lowercase',
    );
  });

  it('reports the bare uppercase error when only lower-casing a domain-like first segment would make it parse', () => {
    // splitDockerDomain takes `UPPER_case` for a domain (it has upper case), which the grammar rejects.
    expect(error(parseNormalizedNamed('UPPER_case/foo'))).toBe('repository name must be lowercase');
  });

  it('lower-cases like Go: U+0130 (İ) becomes ASCII i, so only the upper-case error applies', () => {
    expect(error(parseNormalizedNamed('\u0130/foo'))).toBe('repository name must be lowercase');
    expect(error(parseNormalizedNamed('\u00c9/foo'))).toBe('invalid reference format');
  });

  it('re-reads a first segment the grammar rejects as a domain as part of the path, leaving the domain empty', () => {
    const named = value(parseNormalizedNamed('a_b.c/foo'));
    expect(named).toEqual({ domain: '', path: 'a_b.c/foo', name: 'a_b.c/foo' });
    expect(value(parseImageName('a_b.c/foo:1')).repository).toBe('a_b.c/foo');
    expect(familiarName(named)).toBe('a_b.c/foo');
  });

  it('does not round-trip a Docker Hub path whose first segment looks like a domain (upstream FamiliarName)', () => {
    const named = value(parseNormalizedNamed('docker.io/foo.bar/baz'));
    expect(familiarName(named)).toBe('foo.bar/baz');
    expect(value(parseNormalizedNamed(familiarName(named))).domain).toBe('foo.bar');
  });

  it('limits the path (not the domain) to 255 characters', () => {
    expect(value(parseNormalizedNamed(`example.com/${'a'.repeat(255)}:tag`)).path).toHaveLength(255);
    expect(error(parseNormalizedNamed(`domain.io/${'a'.repeat(256)}:tag`))).toBe(
      'repository name must not be more than 255 characters',
    );
    // docker.io/library/ counts: "library/" is part of the path.
    expect(error(parseNormalizedNamed('a'.repeat(248)))).toBe(
      'repository name must not be more than 255 characters',
    );
    expect(parseNormalizedNamed('a'.repeat(247)).ok).toBe(true);
  });

  it('limits the tag to 128 characters', () => {
    expect(value(parseNormalizedNamed(`nginx:${'t'.repeat(128)}`)).tag).toHaveLength(128);
    expect(error(parseNormalizedNamed(`nginx:${'t'.repeat(129)}`))).toBe('invalid reference format');
  });

  it.each([
    [`repo@sha256:${'f'.repeat(34)}`, 'invalid checksum digest length'],
    [`validname@invaliddigest:${FFFF}`, 'unsupported digest algorithm'],
    [`repo@sha256:${'F'.repeat(64)}`, 'invalid checksum digest format'],
    [`repo@sha256:${'f'.repeat(31)}`, 'invalid reference format'],
  ])('validates the digest of %s like go-digest: %s', (input, message) => {
    expect(error(parseNormalizedNamed(input))).toBe(message);
  });

  it('checks the lowercase rule on everything before the first colon, so an upper-case algorithm fails there', () => {
    expect(error(parseNormalizedNamed(`repo@SHA256:${FFFF}`))).toBe(
      'invalid reference format: repository name (library/repo@SHA256) must be lowercase',
    );
    // Parse alone accepts the upper-case algorithm grammatically; go-digest then rejects it as malformed.
    expect(error(parseReference(`repo@SHA256:${FFFF}`))).toBe('invalid checksum digest format');
  });

  it('accepts sha384 and sha512 digests of the right length', () => {
    expect(value(parseNormalizedNamed(`repo@sha384:${'a'.repeat(96)}`)).digest).toBe(
      `sha384:${'a'.repeat(96)}`,
    );
    expect(value(parseNormalizedNamed(`repo@sha512:${'a'.repeat(128)}`)).digest).toBe(
      `sha512:${'a'.repeat(128)}`,
    );
    expect(error(parseNormalizedNamed(`repo@sha512:${'a'.repeat(96)}`))).toBe(
      'invalid checksum digest length',
    );
  });
});

describe('parseReference (distribution/reference Parse, reference_test.go)', () => {
  const sha256 = `sha256:${FFFF}`;
  const sha512 = `sha512:${'f'.repeat(128)}`;
  it.each<[string, { domain?: string; name: string; tag?: string; digest?: string }]>([
    ['test_com', { name: 'test_com' }],
    ['test.com:tag', { name: 'test.com', tag: 'tag' }],
    ['test.com:5000', { name: 'test.com', tag: '5000' }],
    ['test.com/repo:tag', { domain: 'test.com', name: 'test.com/repo', tag: 'tag' }],
    ['test:5000/repo', { domain: 'test:5000', name: 'test:5000/repo' }],
    ['test:5000/repo:tag', { domain: 'test:5000', name: 'test:5000/repo', tag: 'tag' }],
    [`test:5000/repo@${sha256}`, { domain: 'test:5000', name: 'test:5000/repo', digest: sha256 }],
    [
      `test:5000/repo:tag@${sha256}`,
      { domain: 'test:5000', name: 'test:5000/repo', tag: 'tag', digest: sha256 },
    ],
    ['lowercase:Uppercase', { name: 'lowercase', tag: 'Uppercase' }],
    [
      `${'a/'.repeat(127)}a:tag-puts-this-over-max`,
      { domain: 'a', name: `${'a/'.repeat(127)}a`, tag: 'tag-puts-this-over-max' },
    ],
    ['sub-dom1.foo.com/bar/baz/quux', { domain: 'sub-dom1.foo.com', name: 'sub-dom1.foo.com/bar/baz/quux' }],
    [
      'sub-dom1.foo.com/bar/baz/quux:some-long-tag',
      { domain: 'sub-dom1.foo.com', name: 'sub-dom1.foo.com/bar/baz/quux', tag: 'some-long-tag' },
    ],
    [
      'b.gcr.io/test.example.com/my-app:test.example.com',
      { domain: 'b.gcr.io', name: 'b.gcr.io/test.example.com/my-app', tag: 'test.example.com' },
    ],
    [
      'xn--n3h.com/myimage:xn--n3h.com',
      { domain: 'xn--n3h.com', name: 'xn--n3h.com/myimage', tag: 'xn--n3h.com' },
    ],
    [
      `xn--7o8h.com/myimage:xn--7o8h.com@${sha512}`,
      { domain: 'xn--7o8h.com', name: 'xn--7o8h.com/myimage', tag: 'xn--7o8h.com', digest: sha512 },
    ],
    ['foo_bar.com:8080', { name: 'foo_bar.com', tag: '8080' }],
    ['foo/foo_bar.com:8080', { domain: 'foo', name: 'foo/foo_bar.com', tag: '8080' }],
    ['192.168.1.1', { name: '192.168.1.1' }],
    ['192.168.1.1:tag', { name: '192.168.1.1', tag: 'tag' }],
    ['192.168.1.1:5000', { name: '192.168.1.1', tag: '5000' }],
    ['192.168.1.1/repo', { domain: '192.168.1.1', name: '192.168.1.1/repo' }],
    ['192.168.1.1:5000/repo', { domain: '192.168.1.1:5000', name: '192.168.1.1:5000/repo' }],
    [
      '192.168.1.1:5000/repo:5050',
      { domain: '192.168.1.1:5000', name: '192.168.1.1:5000/repo', tag: '5050' },
    ],
    ['[2001:db8::1]/repo', { domain: '[2001:db8::1]', name: '[2001:db8::1]/repo' }],
    [
      '[2001:db8:1:2:3:4:5:6]/repo:tag',
      { domain: '[2001:db8:1:2:3:4:5:6]', name: '[2001:db8:1:2:3:4:5:6]/repo', tag: 'tag' },
    ],
    ['[2001:db8::1]:5000/repo', { domain: '[2001:db8::1]:5000', name: '[2001:db8::1]:5000/repo' }],
    [
      '[2001:db8::1]:5000/repo:tag',
      { domain: '[2001:db8::1]:5000', name: '[2001:db8::1]:5000/repo', tag: 'tag' },
    ],
    [
      `[2001:db8::1]:5000/repo@${sha256}`,
      { domain: '[2001:db8::1]:5000', name: '[2001:db8::1]:5000/repo', digest: sha256 },
    ],
    [
      `[2001:db8::1]:5000/repo:tag@${sha256}`,
      { domain: '[2001:db8::1]:5000', name: '[2001:db8::1]:5000/repo', tag: 'tag', digest: sha256 },
    ],
    ['[2001:db8::]:5000/repo', { domain: '[2001:db8::]:5000', name: '[2001:db8::]:5000/repo' }],
    ['[::1]:5000/repo', { domain: '[::1]:5000', name: '[::1]:5000/repo' }],
    [
      `example.com/${'a'.repeat(255)}:tag`,
      { domain: 'example.com', name: `example.com/${'a'.repeat(255)}`, tag: 'tag' },
    ],
  ])('parses %s', (input, expected) => {
    const ref = value(parseReference(input));
    expect(referenceString(ref)).toBe(input);
    expect(ref.name).toBe(expected.name);
    expect(ref.domain).toBe(expected.domain ?? '');
    expect(ref.tag).toBe(expected.tag);
    expect(ref.digest).toBe(expected.digest);
  });

  it.each([
    ['', 'repository name must have at least one component'],
    [':justtag', 'invalid reference format'],
    [`@sha256:${FFFF}`, 'invalid reference format'],
    [`repo@sha256:${'f'.repeat(34)}`, 'invalid checksum digest length'],
    [`validname@invaliddigest:${FFFF}`, 'unsupported digest algorithm'],
    ['Uppercase:tag', 'repository name must be lowercase'],
    ['test:5000/Uppercase/lowercase:tag', 'repository name must be lowercase'],
    [`domain/${'a'.repeat(256)}:tag`, 'repository name must not be more than 255 characters'],
    ['aa/asdf$$^/aa', 'invalid reference format'],
    ['[2001:db8::1]', 'invalid reference format'],
    ['[2001:db8::1]:5000', 'invalid reference format'],
    ['[2001:db8::1]:tag', 'invalid reference format'],
    ['[fe80::1%eth0]:5000/repo', 'invalid reference format'],
    ['[fe80::1%@invalidzone]:5000/repo', 'invalid reference format'],
  ])('rejects %j with %s', (input, message) => {
    expect(error(parseReference(input))).toBe(message);
  });
});

describe('parseNamed (distribution/reference ParseNamed)', () => {
  it.each([
    ['test.com/foo', 'test.com', 'foo'],
    ['test:8080/foo', 'test:8080', 'foo'],
    ['docker.io/library/foo', 'docker.io', 'library/foo'],
  ])('accepts the canonical name %s', (input, domain, path) => {
    const named = value(parseNamed(input));
    expect([named.domain, named.path]).toEqual([domain, path]);
  });

  it.each(['test_com/foo', 'test.com', 'foo', 'library/foo', 'docker.io/foo'])(
    'rejects the non-canonical name %s',
    (input) => {
      expect(error(parseNamed(input))).toBe('repository name must be canonical');
    },
  );

  it('passes normalisation errors through', () => {
    expect(error(parseNamed('ROOT'))).toBe(
      'invalid reference format: repository name (library/ROOT) must be lowercase',
    );
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Properties

const component = fc.stringMatching(/^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+){0,2}$/);
/** A first path segment that splitDockerDomain does not take for a domain: no '.', ':' and not `localhost`. */
const hubNamespace = fc
  .stringMatching(/^[a-z0-9]+(?:(?:_|__|-+)[a-z0-9]+){0,2}$/)
  .filter((segment) => segment !== 'localhost');
const registry = fc.constantFrom(
  'docker.io',
  'index.docker.io',
  'localhost',
  'localhost:5000',
  'reg.io',
  'quay.io',
  '10.0.0.1:5000',
  '[::1]:5000',
  'Example.COM',
);
const tag = fc.stringMatching(/^\w[\w.-]{0,20}$/);
const digest = fc.stringMatching(/^[a-f0-9]{64}$/).map((hex) => `sha256:${hex}`);

/** Image names as users write them: optional registry, path, optional tag and digest. */
const imageName = fc
  .record({
    registry: fc.option(registry, { nil: undefined }),
    path: fc.tuple(hubNamespace, fc.array(component, { maxLength: 2 })),
    tag: fc.option(tag, { nil: undefined }),
    digest: fc.option(digest, { nil: undefined }),
  })
  .map(({ registry: host, path: [first, rest], tag: t, digest: d }) => {
    let image = [host, first, ...rest].filter((part) => part !== undefined).join('/');
    if (t !== undefined) image += `:${t}`;
    if (d !== undefined) image += `@${d}`;
    return image;
  })
  .filter((image) => !/^[a-f0-9]{64}$/.test(image));

describe('reference properties', () => {
  it('every generated image name parses, and its familiar name parses back to the same repository', () => {
    fc.assert(
      fc.property(imageName, (image) => {
        const named: NamedReference = value(parseNormalizedNamed(image));
        expect(value(parseNormalizedNamed(familiarName(named))).name).toBe(named.name);
      }),
      { numRuns: 500 },
    );
  });

  it('the reference string of a parsed name is canonical: parseNamed accepts it unchanged', () => {
    fc.assert(
      fc.property(imageName, (image) => {
        const canonical = referenceString(value(parseNormalizedNamed(image)));
        expect(referenceString(value(parseNamed(canonical)))).toBe(canonical);
      }),
      { numRuns: 300 },
    );
  });

  it('applyDefaultImageTag is idempotent and only ever appends ":latest"', () => {
    fc.assert(
      fc.property(imageName, (image) => {
        const once = value(applyDefaultImageTag(image));
        expect(value(applyDefaultImageTag(once))).toBe(once);
        expect([image, `${image}:latest`]).toContain(once);
      }),
      { numRuns: 300 },
    );
  });

  it('a trimmed credentialMapping key never carries a tag or digest and re-parses to itself without one', () => {
    fc.assert(
      fc.property(imageName, fc.constantFrom('normalised' as const, 'familiar' as const), (image, form) => {
        const key = value(trimImageTagDigest(image, form));
        expect(key).not.toContain('@');
        const reparsed = value(parseNormalizedNamed(key));
        expect(reparsed.tag).toBeUndefined();
        expect(reparsed.digest).toBeUndefined();
        expect(reparsed.name).toBe(value(parseImageName(image)).repository);
      }),
      { numRuns: 300 },
    );
  });

  it('gives the same answers after its memo of parsed names has been flushed', () => {
    const before = value(parseNormalizedNamed('reg.io/team/app:1'));
    for (let i = 0; i < 5000; i++) parseNormalizedNamed(`reg.io/flush/app-${i}`);
    expect(value(parseNormalizedNamed('reg.io/team/app:1'))).toEqual(before);
    expect(value(parseNormalizedNamed('reg.io/flush/app-0')).path).toBe('flush/app-0');
  });

  it('parsing never throws, whatever the input', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300, unit: 'binary' }), (input) => {
        for (const result of [parseImageName(input), applyDefaultImageTag(input), parseReference(input)]) {
          expect(typeof result.ok).toBe('boolean');
        }
      }),
      { numRuns: 500 },
    );
  });
});
