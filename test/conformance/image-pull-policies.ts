/**
 * `pkg/kubelet/images/pullmanager/image_pull_policies_test.go`: the preloaded-images policy and the allowlist
 * policy's parsing and decision. Two versions of the file: the released one (1.33–1.35, allowlist matched against
 * the raw pod image) and the one of kubernetes/kubernetes#137629 (1.36, the image normalised and stripped of its
 * tag or digest first), which changed only the image the tests probe.
 */
import { expect } from 'vitest';
import { type KubeletVersion, kubeletProfile } from '../../src/profiles.js';
import { createPolicyEnforcer, EMPTY_ALLOWLIST, parseAllowlist } from '../../src/pullmanager/policy.js';
import { upstreamTest } from './upstream-case.js';

const FILE = 'pkg/kubelet/images/pullmanager/image_pull_policies_test.go';
const DIGEST = 'sha256:38a8906435c4dd5f4258899d46621bfd8eea3ad6ff494ee3c2f17ef0321625bd';

/** The images the two tests ask about: the released file probes untagged names, #137629 added the tags. */
const PRELOADED_PROBE: Record<KubeletVersion, string> = {
  '1.33': 'test-image',
  '1.34': 'test-image',
  '1.35': 'test-image',
  '1.36': 'test-image:sometag',
};
const ALLOWLIST_PROBE: Record<KubeletVersion, string> = {
  '1.33': 'test.io/test/test-image',
  '1.34': 'test.io/test/test-image',
  '1.35': 'test.io/test/test-image',
  '1.36': 'test.io/test/test-image:tag',
};

const neverVerifyPreloaded = upstreamTest<{ recordsExist: boolean; want: boolean }>({
  file: FILE,
  test: 'TestNeverVerifyPreloadedPullPolicy',
  versions: ['1.33', '1.34', '1.35', '1.36'],
  cases: [
    {
      case: 'there are no records about the image being pulled',
      facts: { recordsExist: false, want: false },
    },
    { case: 'there are records about the image being pulled', facts: { recordsExist: true, want: true } },
  ],
  check({ recordsExist, want }, version) {
    const matching = kubeletProfile(version).allowlistMatching;
    const enforcer = createPolicyEnforcer('NeverVerifyPreloadedImages', EMPTY_ALLOWLIST, matching);
    expect(enforcer.requireCredentialVerificationForImage(PRELOADED_PROBE[version], recordsExist)).toBe(want);
  },
});

type AllowlistFacts =
  | { readonly allowlist: readonly string[]; readonly wantErr: true }
  | {
      readonly allowlist: readonly string[];
      readonly recordsExist: boolean;
      readonly absolutes: number;
      readonly wildcards: number;
      readonly want: boolean;
    };

const IMAGES_1_2_3 = ['test.io/test/image1', 'test.io/test/image2', 'test.io/test/image3'];
const WITH_TEST_IMAGE = [
  'test.io/test/image1',
  'test.io/test/image2',
  'test.io/test/test-image',
  'test.io/test/image3',
];

function invalid(name: string, pattern: string) {
  return {
    case: `invalid allowlist pattern - ${name}`,
    facts: { allowlist: [pattern], wantErr: true as const },
  };
}

function wildcard(name: string, pattern: string, want: boolean) {
  return {
    case: `there are no records about the image being pulled, not in allowlist - ${name}`,
    facts: {
      allowlist: ['test.io/test/image1', 'test.io/test/image2', pattern],
      recordsExist: false,
      absolutes: 2,
      wildcards: 1,
      want,
    },
  };
}

const neverVerifyAllowlisted = upstreamTest<AllowlistFacts>({
  file: FILE,
  test: 'TestNewNeverVerifyAllowListedPullPolicy',
  versions: ['1.33', '1.34', '1.35', '1.36'],
  cases: [
    {
      case: 'there are no records about the image being pulled, not in allowlist',
      facts: { allowlist: IMAGES_1_2_3, recordsExist: false, absolutes: 3, wildcards: 0, want: true },
    },
    {
      case: 'there are records about the image being pulled, not in allowlist',
      facts: {
        allowlist: [
          'test.io/test/image1',
          'test.io/test/image3',
          'test.io/test/image2',
          'test.io/test/image3',
        ],
        recordsExist: true,
        absolutes: 3,
        wildcards: 0,
        want: true,
      },
    },
    {
      case: 'there are no records about the image being pulled, appears in allowlist',
      facts: { allowlist: WITH_TEST_IMAGE, recordsExist: false, absolutes: 4, wildcards: 0, want: false },
    },
    {
      case: 'there are records about the image being pulled, appears in allowlist',
      facts: { allowlist: WITH_TEST_IMAGE, recordsExist: true, absolutes: 4, wildcards: 0, want: false },
    },
    invalid('wildcard in the middle', 'image.repo/pokus*/imagename'),
    invalid('trailing non-segment wildcard middle', 'image.repo/pokus*'),
    invalid('wildcard path segment in the middle', 'image.repo/*/imagename'),
    invalid('only wildcard segment', '/*'),
    invalid("ends with a '/'", 'image.repo/'),
    invalid('empty', ''),
    invalid('asterisk', '*'),
    invalid('image with a tag', 'test.io/test/image1:tagged'),
    invalid('image with a digest', `test.io/test/image1@${DIGEST}`),
    invalid('trailing whitespace', 'test.io/test/image1 '),
    wildcard('different repo wildcard', 'different.repo/test/*', true),
    wildcard('matches org wildcard', 'test.io/test/*', false),
    wildcard('matches repo wildcard', 'test.io/*', false),
  ],
  check(facts, version) {
    const parsed = parseAllowlist(facts.allowlist);
    if ('wantErr' in facts) {
      expect(parsed.ok, 'the allowlist is refused').toBe(false);
      return;
    }
    if (!parsed.ok) throw new Error(`allowlist refused: ${JSON.stringify(parsed.errors)}`);
    expect(parsed.value.absolute.size, 'absolute entries').toBe(facts.absolutes);
    expect(parsed.value.wildcardPrefixes, 'wildcard entries').toHaveLength(facts.wildcards);
    const matching = kubeletProfile(version).allowlistMatching;
    const enforcer = createPolicyEnforcer('NeverVerifyAllowlistedImages', parsed.value, matching);
    expect(enforcer.requireCredentialVerificationForImage(ALLOWLIST_PROBE[version], facts.recordsExist)).toBe(
      facts.want,
    );
  },
});

export const IMAGE_PULL_POLICIES_TESTS = [neverVerifyPreloaded, neverVerifyAllowlisted];
