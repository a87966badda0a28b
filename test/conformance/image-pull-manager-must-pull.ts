/**
 * `pkg/kubelet/images/pullmanager/image_pull_manager_test.go`, `TestFileBasedImagePullManager_MustAttemptImagePull`
 * and `TestPreloadedImageNotPoisonedByPullFromDifferentRepo`. Each case is a pull manager over the kubelet's test
 * data (test/fixtures/kubelet), one MustAttemptImagePull, and its answer, whether the pod's credentials were looked
 * up and whether a pulled record was written (and how it reads). The older stored file (@ 788b7abe) has the
 * secret cases; the newer one (@ 00f1e470) adds the service-account cases (run in 1.34+, see pull-manager-setup.ts)
 * and the credential-lookup and write expectations, which hold for the older cases too.
 *
 * The newer file also carries the fix of kubernetes/kubernetes#138175 (PR #138211, not merged): with it a record
 * for the same image ID under another repository no longer makes an image kubelet-pulled. pullsim models the merged
 * kubelet (docs/kubelet-model.md#mustattemptimagepull): the secret case it changes keeps the older file's answer;
 * the service-account twin, only in the newer file, and the test of the fix are not ported.
 */
import { expect } from 'vitest';
import type { KubeletVersion } from '../../src/profiles.js';
import type { ImagePullCredentialsVerificationPolicy } from '../../src/pullmanager/policy.js';
import type {
  ImagePullCredentials,
  ImagePullSecret,
  ImagePullServiceAccount,
} from '../../src/pullmanager/records.js';
import { PULLED_DIR, recordPath } from '../support/kubelet-fakes.js';
import {
  FIXTURE_SECRET,
  FIXTURE_SERVICE_ACCOUNT,
  podCredentials,
  readJson,
  startManager,
} from '../support/pull-records.js';
import {
  ALL_VERSIONS,
  FILE,
  PULLED,
  PULLING,
  WITH_SERVICE_ACCOUNTS,
  withTestData,
} from './pull-manager-setup.js';
import { upstreamTest } from './upstream-case.js';

interface MustPullFacts {
  readonly policy?: ImagePullCredentialsVerificationPolicy;
  readonly secrets?: readonly ImagePullSecret[];
  readonly serviceAccount?: ImagePullServiceAccount;
  readonly image?: string;
  readonly imageRef: string;
  readonly pulled?: readonly string[];
  readonly pulling?: readonly string[];
  /** The record's credential mapping afterwards (upstream `expectedPullRecord`), when the case checks it. */
  readonly mapping?: Readonly<Record<string, ImagePullCredentials>>;
  readonly want: boolean;
  readonly credsRequested: boolean;
  /** Whether a pulled record was written (upstream `expectedCacheWrite`). */
  readonly write?: boolean;
}

const TEST_IMAGE = 'docker.io/testing/test:latest';
const SECRET = FIXTURE_SECRET;
const SA = FIXTURE_SERVICE_ACCOUNT;
const otherSecret = (change: Partial<ImagePullSecret>): ImagePullSecret => ({ ...SECRET, ...change });

type Row = { case: string; facts: MustPullFacts; versions?: readonly KubeletVersion[]; notPorted?: string };
/** Why the cases of the newer file that test PR #138211's change are not ported. */
const UNMERGED_FIX =
  'tests the fix of kubernetes/kubernetes#138175 (PR #138211, not merged); pullsim models the merged kubelet';
const sa = (row: Row): Row => ({ ...row, versions: WITH_SERVICE_ACCOUNTS });

const SECRET_CASES: Row[] = [
  {
    case: "image exists and is recorded with pod's exact secret",
    facts: {
      secrets: [SECRET],
      imageRef: 'testimageref',
      pulled: [PULLED.testimageref],
      want: false,
      credsRequested: true,
    },
  },
  {
    case: 'image exists and is recorded, no pod secrets',
    facts: { imageRef: 'testimageref', pulled: [PULLED.testimageref], want: true, credsRequested: true },
  },
  {
    case: 'image exists and is recorded with the same secret but different credential hash',
    facts: {
      secrets: [otherSecret({ credentialHash: 'differenthash' })],
      imageRef: 'testimageref',
      pulled: [PULLED.testimageref],
      mapping: {
        'docker.io/testing/test': { kubernetesSecrets: [otherSecret({ credentialHash: 'differenthash' })] },
      },
      want: false,
      credsRequested: true,
      write: true,
    },
  },
  {
    case: 'image exists and is recorded with a different secret with a different UID',
    facts: {
      secrets: [otherSecret({ uid: 'different uid', credentialHash: 'differenthash' })],
      imageRef: 'testimageref',
      pulled: [PULLED.testimageref],
      want: true,
      credsRequested: true,
    },
  },
  {
    case: 'image exists and is recorded with a different secret',
    facts: {
      secrets: [otherSecret({ namespace: 'differentns', credentialHash: 'differenthash' })],
      imageRef: 'testimageref',
      pulled: [PULLED.testimageref],
      want: true,
      credsRequested: true,
    },
  },
  {
    case: 'image exists and is recorded with a different secret with the same credential hash',
    facts: {
      secrets: [otherSecret({ namespace: 'differentns' })],
      imageRef: 'testimageref',
      pulled: [PULLED.testimageref],
      mapping: {
        'docker.io/testing/test': { kubernetesSecrets: [SECRET, otherSecret({ namespace: 'differentns' })] },
      },
      want: false,
      credsRequested: true,
      write: true,
    },
  },
  {
    // The older file's answer (see the header): the record makes the image kubelet-pulled, and it holds no entry
    // for docker.io/testing/different, so the pod must pull without its credentials being looked up.
    case: 'image exists but the pull is recorded with a different image name but with the exact same secret',
    facts: {
      secrets: [SECRET],
      image: 'docker.io/testing/different:latest',
      imageRef: 'testimageref',
      pulled: [PULLED.testimageref],
      want: true,
      credsRequested: false,
    },
  },
  {
    case: 'image exists and is recorded with empty credential mapping',
    facts: {
      imageRef: 'testemptycredmapping',
      pulled: [PULLED.emptyCredMapping],
      want: true,
      credsRequested: false,
    },
  },
  {
    case: 'image does not exist and there are no records of it',
    facts: { imageRef: '', want: true, credsRequested: false },
  },
  {
    case: 'image exists and there are no records of it with NeverVerifyPreloadedImages pull policy',
    facts: { imageRef: 'testexistingref', want: false, credsRequested: false },
  },
  {
    case: 'image exists and there are no records of it with AlwaysVerify pull policy',
    facts: { policy: 'AlwaysVerify', imageRef: 'testexistingref', want: true, credsRequested: false },
  },
  {
    case: 'image exists but is only recorded via pulling intent',
    facts: {
      secrets: [SECRET],
      imageRef: 'testexistingref',
      pulling: [PULLING.testLatest],
      want: true,
      credsRequested: false,
    },
  },
  {
    case: 'image exists but is only recorded via pulling intent - NeverVerify policy',
    facts: {
      policy: 'NeverVerify',
      secrets: [SECRET],
      imageRef: 'testexistingref',
      pulling: [PULLING.testLatest],
      want: false,
      credsRequested: false,
    },
  },
  {
    case: 'image exists and is recorded as node-accessible, no pod secrets',
    facts: { imageRef: 'testimage-anonpull', pulled: [PULLED.anonpull], want: false, credsRequested: false },
  },
  {
    case: 'image exists and is recorded as node-accessible, request with pod secrets',
    facts: {
      secrets: [SECRET],
      imageRef: 'testimage-anonpull',
      pulled: [PULLED.anonpull],
      want: false,
      credsRequested: false,
    },
  },
  {
    case: 'image exists and is recorded with empty hash as its hashing originally failed, the same fail for a different pod secret',
    facts: {
      secrets: [otherSecret({ namespace: 'differentns', credentialHash: '' })],
      imageRef: 'test-brokenhash',
      pulled: [PULLED.brokenHash],
      want: true,
      credsRequested: true,
    },
  },
  {
    case: 'image exists and is recorded with empty hash as its hashing originally failed, the same fail for the same pod secret',
    facts: {
      secrets: [otherSecret({ credentialHash: '' })],
      imageRef: 'test-brokenhash',
      pulled: [PULLED.brokenHash],
      want: false,
      credsRequested: true,
    },
  },
];

const SA_CASES: Row[] = [
  sa({
    case: "image exists and is recorded with pod's exact service account",
    facts: {
      serviceAccount: SA,
      imageRef: 'testimageref-sa',
      pulled: [PULLED.serviceAccount],
      want: false,
      credsRequested: true,
    },
  }),
  sa({
    case: 'image exists and is recorded, no pod service accounts',
    facts: { imageRef: 'testimageref', pulled: [PULLED.testimageref], want: true, credsRequested: true },
  }),
  sa({
    case: 'image exists and is recorded with a different service account with different UID',
    facts: {
      serviceAccount: { ...SA, uid: 'different-sa-uid' },
      imageRef: 'testimageref-sa',
      pulled: [PULLED.serviceAccount],
      want: true,
      credsRequested: true,
    },
  }),
  sa({
    case: 'image exists and is recorded with a different service account with different namespace',
    facts: {
      serviceAccount: { ...SA, namespace: 'different-ns' },
      imageRef: 'testimageref-sa',
      pulled: [PULLED.serviceAccount],
      want: true,
      credsRequested: true,
    },
  }),
  sa({
    // The facts stay as the record of what the unmerged fix expects.
    notPorted: `${UNMERGED_FIX}, where any record for the imageRef makes the image kubelet-pulled (must pull)`,
    case: 'image exists but the pull is recorded with a different image name but with the exact same service account',
    facts: {
      serviceAccount: SA,
      image: 'docker.io/testing/different:latest',
      imageRef: 'testimageref-sa',
      pulled: [PULLED.serviceAccount],
      want: false,
      credsRequested: false,
    },
  }),
  sa({
    case: 'image exists but is only recorded via pulling intent with service account',
    facts: {
      serviceAccount: SA,
      imageRef: 'testexistingref',
      pulling: [PULLING.testLatest],
      want: true,
      credsRequested: false,
    },
  }),
  sa({
    case: 'image exists but is only recorded via pulling intent with service account - NeverVerify policy',
    facts: {
      policy: 'NeverVerify',
      serviceAccount: SA,
      imageRef: 'testexistingref',
      pulling: [PULLING.testLatest],
      want: false,
      credsRequested: false,
    },
  }),
  sa({
    case: 'image exists and is recorded as node-accessible, request with pod service accounts',
    facts: {
      serviceAccount: SA,
      imageRef: 'testimage-anonpull',
      pulled: [PULLED.anonpull],
      want: false,
      credsRequested: false,
    },
  }),
];

const mustAttemptImagePull = upstreamTest<MustPullFacts>({
  file: FILE,
  test: 'TestFileBasedImagePullManager_MustAttemptImagePull',
  versions: ALL_VERSIONS,
  cases: [...SECRET_CASES, ...SA_CASES],
  check(facts, version) {
    const fs = withTestData(version, { pulled: facts.pulled ?? [], pulling: facts.pulling ?? [] });
    const { manager } = startManager({ version, fs, policy: facts.policy ?? 'NeverVerifyPreloadedImages' });
    fs.clearLog();
    const creds = podCredentials(facts.secrets, facts.serviceAccount);
    const answer = manager.mustAttemptImagePull(facts.image ?? TEST_IMAGE, facts.imageRef, creds);
    expect(answer.error, 'error').toBeUndefined();
    expect(answer.mustPull, 'want').toBe(facts.want);
    expect(creds.calls > 0, 'pod credentials requested').toBe(facts.credsRequested);
    const writes = fs.log.filter((e) => e.op === 'writeFile' && e.path.startsWith(`${PULLED_DIR}/`));
    expect(writes.length > 0, 'pulled record written').toBe(facts.write === true);
    if (facts.mapping !== undefined) {
      expect(readJson(fs, recordPath(facts.imageRef))).toMatchObject({
        imageRef: facts.imageRef,
        credentialMapping: facts.mapping,
      });
    }
  },
});

const notPoisoned = upstreamTest<never>({
  file: FILE,
  test: 'TestPreloadedImageNotPoisonedByPullFromDifferentRepo',
  versions: WITH_SERVICE_ACCOUNTS,
  cases: [
    {
      case: 'TestPreloadedImageNotPoisonedByPullFromDifferentRepo',
      notPorted: UNMERGED_FIX,
    },
  ],
  check() {
    throw new Error('not ported');
  },
});

export const IMAGE_PULL_MANAGER_MUST_PULL_TESTS = [mustAttemptImagePull, notPoisoned];
