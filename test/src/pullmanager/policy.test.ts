import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type AllowlistMatching,
  createPolicyEnforcer,
  EMPTY_ALLOWLIST,
  type ImagePullCredentialsVerificationPolicy,
  imageMatchesAllowlist,
  isVerificationPolicy,
  type ParsedAllowlist,
  parseAllowlist,
  parseAllowlistPattern,
  VERIFICATION_POLICIES,
  validateImagePullConfiguration,
} from '../../../src/pullmanager/policy.js';

const DIGEST = 'sha256:38a8906435c4dd5f4258899d46621bfd8eea3ad6ff494ee3c2f17ef0321625bd';
const MATCHINGS: readonly AllowlistMatching[] = ['raw', 'normalised'];

function allowlist(patterns: readonly string[]): ParsedAllowlist {
  const parsed = parseAllowlist(patterns);
  if (!parsed.ok) throw new Error(`allowlist rejected: ${JSON.stringify(parsed.errors)}`);
  return parsed.value;
}

function patternError(pattern: string): string {
  const parsed = parseAllowlistPattern(pattern);
  if (parsed.ok) throw new Error(`pattern ${pattern} accepted as ${JSON.stringify(parsed.value)}`);
  return parsed.error;
}

describe('the four policies (NewImagePullCredentialVerificationPolicy)', () => {
  const image = 'test-image:sometag';

  it.each(MATCHINGS)('NeverVerify never requires verification (%s matching)', (matching) => {
    const enforcer = createPolicyEnforcer('NeverVerify', EMPTY_ALLOWLIST, matching);
    expect(enforcer.requireCredentialVerificationForImage(image, false)).toBe(false);
    expect(enforcer.requireCredentialVerificationForImage(image, true)).toBe(false);
  });

  it.each(MATCHINGS)(
    'NeverVerifyPreloadedImages: no records about the pull → no verification; records → verification (%s)',
    (matching) => {
      const enforcer = createPolicyEnforcer('NeverVerifyPreloadedImages', EMPTY_ALLOWLIST, matching);
      expect(enforcer.requireCredentialVerificationForImage(image, false)).toBe(false);
      expect(enforcer.requireCredentialVerificationForImage(image, true)).toBe(true);
    },
  );

  it.each(MATCHINGS)(
    'AlwaysVerify always requires verification, even for a preloaded image (%s)',
    (matching) => {
      const enforcer = createPolicyEnforcer('AlwaysVerify', EMPTY_ALLOWLIST, matching);
      expect(enforcer.requireCredentialVerificationForImage(image, false)).toBe(true);
      expect(enforcer.requireCredentialVerificationForImage(image, true)).toBe(true);
    },
  );

  it.each(MATCHINGS)(
    'NeverVerifyAllowlistedImages ignores whether the kubelet pulled the image: allowlisted → never, else always (%s)',
    (matching) => {
      const enforcer = createPolicyEnforcer(
        'NeverVerifyAllowlistedImages',
        allowlist(['reg.io/*']),
        matching,
      );
      for (const pulledByKubelet of [false, true]) {
        expect(enforcer.requireCredentialVerificationForImage('reg.io/app:1', pulledByKubelet)).toBe(false);
        expect(enforcer.requireCredentialVerificationForImage('other.io/app:1', pulledByKubelet)).toBe(true);
      }
    },
  );

  it('the allowlist is consulted only by NeverVerifyAllowlistedImages', () => {
    const list = allowlist(['reg.io/*']);
    expect(
      createPolicyEnforcer('AlwaysVerify', list, 'normalised').requireCredentialVerificationForImage(
        'reg.io/a',
        false,
      ),
    ).toBe(true);
    expect(
      createPolicyEnforcer(
        'NeverVerifyPreloadedImages',
        list,
        'normalised',
      ).requireCredentialVerificationForImage('reg.io/a', true),
    ).toBe(true);
  });

  it('knows exactly the four kubelet policy names', () => {
    expect(VERIFICATION_POLICIES).toEqual([
      'NeverVerify',
      'NeverVerifyPreloadedImages',
      'NeverVerifyAllowlistedImages',
      'AlwaysVerify',
    ]);
    expect(isVerificationPolicy('AlwaysVerify')).toBe(true);
    expect(isVerificationPolicy('alwaysverify')).toBe(false);
    expect(isVerificationPolicy(undefined)).toBe(false);
  });
});

describe('allowlist pattern syntax (getAllowlistImagePattern)', () => {
  it('rule 1: leading or trailing whitespace is refused', () => {
    expect(patternError('test.io/test/image1 ')).toBe(
      'leading/trailing spaces are not allowed: test.io/test/image1 ',
    );
    expect(patternError('\ttest.io/*')).toBe('leading/trailing spaces are not allowed: \ttest.io/*');
  });

  it("rule 1 uses Go's unicode.IsSpace: U+0085 counts as space, U+FEFF does not", () => {
    expect(patternError('test.io/x\u0085')).toBe('leading/trailing spaces are not allowed: test.io/x\u0085');
    expect(patternError('\ufefftest.io/x')).toBe(
      'failed to parse as an image name: invalid reference format',
    );
  });

  it('rule 2: a pattern ending in /* is a wildcard stored without its final *, trailing slash kept', () => {
    expect(parseAllowlistPattern('test.io/*')).toEqual({
      ok: true,
      value: { kind: 'wildcard', value: 'test.io/' },
    });
  });

  it('rule 3: the empty pattern is too short', () => {
    expect(patternError('')).toBe('the supplied pattern is too short: ');
  });

  it.each(['image.repo/pokus*/imagename', 'image.repo/pokus*', 'image.repo/*/imagename', '*', '**/*', '*/*'])(
    'rule 4: a * anywhere but a final /* is refused (%s)',
    (pattern) => {
      expect(patternError(pattern)).toBe(
        `not a valid wildcard pattern, only patterns ending with '/*' are allowed: ${pattern}`,
      );
    },
  );

  it('rule 5: a wildcard needs at least a registry hostname', () => {
    expect(patternError('/*')).toBe('at least registry hostname is required');
  });

  it.each(['a/*', 'nginx/*', 'Foo/*', 'docker.io/library/*'])(
    'rule 5: wildcard patterns are not parsed any further (%s is accepted)',
    (pattern) => {
      expect(parseAllowlistPattern(pattern)).toEqual({
        ok: true,
        value: { kind: 'wildcard', value: pattern.slice(0, -1) },
      });
    },
  );

  it.each(['docker.io/library/alpine', 'test.io/test/image1', 'localhost:5000/x/y'])(
    'rule 6: a fully qualified name without tag or digest is an absolute entry (%s)',
    (pattern) => {
      expect(parseAllowlistPattern(pattern)).toEqual({
        ok: true,
        value: { kind: 'absolute', value: pattern },
      });
    },
  );

  it('rule 6: an unparsable name is refused with the parser error', () => {
    expect(patternError('image.repo/')).toBe('failed to parse as an image name: invalid reference format');
    expect(patternError('test.io/Test')).toBe(
      'failed to parse as an image name: invalid reference format: repository name (Test) must be lowercase',
    );
  });

  it.each([
    'test.io/test/image1:tagged',
    `test.io/test/image1@${DIGEST}`,
    'alpine',
    'docker.io/alpine',
    'library/alpine',
    'index.docker.io/library/alpine',
  ])(
    'rule 6: a tag, a digest or a non-canonical name gets the "neither tag nor digest" message (%s)',
    (pattern) => {
      expect(patternError(pattern)).toBe(
        `neither tag nor digest is accepted in an image reference: ${pattern}`,
      );
    },
  );
});

// The upstream allowlist tables (image_pull_policies_test.go) are in test/conformance/image-pull-policies.ts.
describe('allowlist parsing', () => {
  it('reports every bad entry with its index, unlike the kubelet which stops at the first', () => {
    expect(parseAllowlist(['test.io/*', '*', 'test.io/a', 'alpine'])).toEqual({
      ok: false,
      errors: [
        {
          index: 1,
          pattern: '*',
          error: "not a valid wildcard pattern, only patterns ending with '/*' are allowed: *",
        },
        {
          index: 3,
          pattern: 'alpine',
          error: 'neither tag nor digest is accepted in an image reference: alpine',
        },
      ],
    });
  });

  it('keeps wildcard prefixes as a list in the order given (duplicates included)', () => {
    expect(allowlist(['b.io/*', 'a.io/*', 'b.io/*']).wildcardPrefixes).toEqual(['b.io/', 'a.io/', 'b.io/']);
  });
});

describe('allowlist matching (raw string up to 1.35, normalised name from #137629)', () => {
  const list = allowlist([
    'docker.io/library/alpine',
    'test.io/test/test-image',
    'docker.io/foo/bar',
    'test.io/*',
  ]);

  it.each([
    ['alpine:3.19', true],
    [`foo/bar@${DIGEST}`, true],
    ['test.io/test/test-image:tag', true],
    ['docker.io/library/alpine', true],
    ['alpine', true],
    ['test.io/a', true],
    ['test.io/a/b/c:1', true],
    ['test.io.evil/a', false],
    ['docker.io/library/nginx', false],
  ])('POL-new matches the normalised name without tag or digest: %s → %s', (image, matches) => {
    expect(imageMatchesAllowlist(image, list, 'normalised')).toBe(matches);
  });

  it('POL-new: an image that does not parse never matches (verification required)', () => {
    const everything = allowlist(['test.io/*', 'docker.io/*']);
    expect(imageMatchesAllowlist('test.io/Bad', everything, 'normalised')).toBe(false);
    expect(imageMatchesAllowlist('NGINX', everything, 'normalised')).toBe(false);
    expect(
      createPolicyEnforcer(
        'NeverVerifyAllowlistedImages',
        everything,
        'normalised',
      ).requireCredentialVerificationForImage('test.io/Bad', false),
    ).toBe(true);
  });

  it.each([
    ['test.io/test/test-image', true],
    ['docker.io/library/alpine', true],
    ['test.io/test/test-image:tag', true], // by the test.io/ raw prefix
    ['alpine:3.19', false],
    ['alpine', false],
    [`foo/bar@${DIGEST}`, false],
    ['test.io/a/b/c:1', true],
    ['test.io.evil/a', false],
  ])('POL-old compares the raw pod image string: %s → %s', (image, matches) => {
    expect(imageMatchesAllowlist(image, list, 'raw')).toBe(matches);
  });

  it('POL-old: a tagged or digested image never matches an absolute entry', () => {
    const absoluteOnly = allowlist(['test.io/test/test-image']);
    expect(imageMatchesAllowlist('test.io/test/test-image:tag', absoluteOnly, 'raw')).toBe(false);
    expect(imageMatchesAllowlist(`test.io/test/test-image@${DIGEST}`, absoluteOnly, 'raw')).toBe(false);
    expect(imageMatchesAllowlist('test.io/test/test-image:tag', absoluteOnly, 'normalised')).toBe(true);
  });

  it('POL-old: wildcards still match tagged images by raw prefix, even unparsable ones', () => {
    const wildcard = allowlist(['test.io/*']);
    expect(imageMatchesAllowlist('test.io/app:1', wildcard, 'raw')).toBe(true);
    expect(imageMatchesAllowlist('test.io/Bad', wildcard, 'raw')).toBe(true);
  });

  it('worked case 11: allowlist docker.io/library/*, pod image nginx — POL-new exempts it, POL-old verifies it', () => {
    const library = allowlist(['docker.io/library/*']);
    const enforcer = (matching: AllowlistMatching) =>
      createPolicyEnforcer('NeverVerifyAllowlistedImages', library, matching);
    expect(enforcer('normalised').requireCredentialVerificationForImage('nginx', false)).toBe(false);
    expect(enforcer('raw').requireCredentialVerificationForImage('nginx', false)).toBe(true);
  });
});

describe('NeverVerifyAllowlistedImages under the raw matching', () => {
  it('raw: the tagged probe is verified even when its repository is allowlisted exactly (fixed by #137629)', () => {
    const list = allowlist([
      'test.io/test/image1',
      'test.io/test/image2',
      'test.io/test/test-image',
      'test.io/test/image3',
    ]);
    const enforcer = createPolicyEnforcer('NeverVerifyAllowlistedImages', list, 'raw');
    expect(enforcer.requireCredentialVerificationForImage('test.io/test/test-image:tag', false)).toBe(true);
  });
});

describe('validateImagePullConfiguration (validation.go)', () => {
  const INVALID_OPTION =
    'invalid configuration: option "Sometimes" specified for imagePullCredentialsVerificationPolicy. Valid options are "NeverVerify", "NeverVerifyPreloadedImages", "NeverVerifyAllowlistedImages" or "AlwaysVerify"';
  const ALLOWLIST_NEEDS_POLICY =
    'invalid configuration: can\'t set `preloadedImagesVerificationAllowlist` if `imagePullCredentialsVertificationPolicy` is not "NeverVerifyAllowlistedImages"';

  it('gate on: an empty policy is defaulted to NeverVerifyPreloadedImages and is valid', () => {
    expect(
      validateImagePullConfiguration({ featureGateEnabled: true, policy: undefined, allowlist: [] }),
    ).toEqual([]);
    expect(validateImagePullConfiguration({ featureGateEnabled: true, policy: '', allowlist: [] })).toEqual(
      [],
    );
  });

  it.each(VERIFICATION_POLICIES)('gate on: %s is a valid policy', (policy) => {
    expect(validateImagePullConfiguration({ featureGateEnabled: true, policy, allowlist: [] })).toEqual([]);
  });

  it('gate on: an unknown policy is listed against the four valid options (case matters)', () => {
    expect(
      validateImagePullConfiguration({ featureGateEnabled: true, policy: 'Sometimes', allowlist: [] }),
    ).toEqual([INVALID_OPTION]);
    expect(
      validateImagePullConfiguration({ featureGateEnabled: true, policy: 'alwaysVerify', allowlist: [] })[0],
    ).toContain('option "alwaysVerify" specified');
  });

  it.each<ImagePullCredentialsVerificationPolicy | undefined>([
    'NeverVerify',
    'NeverVerifyPreloadedImages',
    'AlwaysVerify',
    undefined,
  ])('gate on: an allowlist with policy %s is refused (with the upstream typo)', (policy) => {
    expect(
      validateImagePullConfiguration({ featureGateEnabled: true, policy, allowlist: ['test.io/*'] }),
    ).toEqual([ALLOWLIST_NEEDS_POLICY]);
  });

  it('gate on: an unknown policy with an allowlist reports both problems', () => {
    expect(
      validateImagePullConfiguration({
        featureGateEnabled: true,
        policy: 'Sometimes',
        allowlist: ['test.io/*'],
      }),
    ).toEqual([INVALID_OPTION, ALLOWLIST_NEEDS_POLICY]);
  });

  it('gate on: NeverVerifyAllowlistedImages with valid patterns (or none) is valid', () => {
    const policy = 'NeverVerifyAllowlistedImages';
    expect(validateImagePullConfiguration({ featureGateEnabled: true, policy, allowlist: [] })).toEqual([]);
    expect(
      validateImagePullConfiguration({
        featureGateEnabled: true,
        policy,
        allowlist: ['test.io/*', 'docker.io/library/nginx'],
      }),
    ).toEqual([]);
  });

  it('gate on: only the first bad allowlist pattern is reported, wrapped', () => {
    expect(
      validateImagePullConfiguration({
        featureGateEnabled: true,
        policy: 'NeverVerifyAllowlistedImages',
        allowlist: ['test.io/*', 'alpine', '*'],
      }),
    ).toEqual([
      'invalid configuration: invalid image pattern in `preloadedImagesVerificationAllowlist`: neither tag nor digest is accepted in an image reference: alpine',
    ]);
  });

  it('gate off: neither field may be set', () => {
    expect(
      validateImagePullConfiguration({
        featureGateEnabled: false,
        policy: 'AlwaysVerify',
        allowlist: ['test.io/*'],
      }),
    ).toEqual([
      'invalid configuration: `imagePullCredentialsVerificationPolicy` must not be set if KubeletEnsureSecretPulledImages feature gate is not enabled',
      'invalid configuration: `preloadedImagesVerificationAllowlist` must not be set if KubeletEnsureSecretPulledImages feature gate is not enabled',
    ]);
  });

  it('gate off: empty fields are valid, and an invalid value is refused only for being set', () => {
    expect(
      validateImagePullConfiguration({ featureGateEnabled: false, policy: undefined, allowlist: [] }),
    ).toEqual([]);
    expect(validateImagePullConfiguration({ featureGateEnabled: false, policy: '', allowlist: [] })).toEqual(
      [],
    );
    expect(
      validateImagePullConfiguration({ featureGateEnabled: false, policy: 'Sometimes', allowlist: [] }),
    ).toEqual([
      'invalid configuration: `imagePullCredentialsVerificationPolicy` must not be set if KubeletEnsureSecretPulledImages feature gate is not enabled',
    ]);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Properties

const segment = fc.stringMatching(/^[a-z0-9]+(?:[-_][a-z0-9]+)?$/);
const registryHost = fc.constantFrom('test.io', 'reg.example.com', 'localhost:5000', '10.0.0.1:5000');
const repository = fc
  .tuple(registryHost, fc.array(segment, { minLength: 1, maxLength: 3 }))
  .map(([host, path]) => `${host}/${path.join('/')}`);
const tag = fc.stringMatching(/^[a-z0-9][a-z0-9.-]{0,10}$/);

describe('allowlist properties', () => {
  it('an exactly allowlisted repository matches with any tag under POL-new, and with a tag never under POL-old', () => {
    fc.assert(
      fc.property(repository, tag, (repo, t) => {
        const list = allowlist([repo]);
        expect(imageMatchesAllowlist(`${repo}:${t}`, list, 'normalised')).toBe(true);
        expect(imageMatchesAllowlist(`${repo}:${t}`, list, 'raw')).toBe(false);
        expect(imageMatchesAllowlist(repo, list, 'raw')).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('a registry wildcard matches every fully qualified image of that registry in both modes', () => {
    fc.assert(
      fc.property(repository, fc.option(tag, { nil: undefined }), (repo, t) => {
        const host = repo.slice(0, repo.indexOf('/'));
        const list = allowlist([`${host}/*`]);
        const image = t === undefined ? repo : `${repo}:${t}`;
        for (const matching of MATCHINGS) expect(imageMatchesAllowlist(image, list, matching)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('NeverVerifyAllowlistedImages never depends on whether the kubelet pulled the image', () => {
    fc.assert(
      fc.property(repository, tag, fc.constantFrom(...MATCHINGS), (repo, t, matching) => {
        const enforcer = createPolicyEnforcer(
          'NeverVerifyAllowlistedImages',
          allowlist(['test.io/*']),
          matching,
        );
        const image = `${repo}:${t}`;
        expect(enforcer.requireCredentialVerificationForImage(image, true)).toBe(
          enforcer.requireCredentialVerificationForImage(image, false),
        );
      }),
      { numRuns: 300 },
    );
  });
});
