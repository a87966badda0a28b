/**
 * `pkg/kubelet/images/pullmanager/image_pull_manager_test.go`, its two pure merge tests: `pulledRecordMergeNewCreds`
 * and `mergePullServiceAccounts` (src/pullmanager/record-merge.ts). Two versions of the file are stored: @ 788b7abe,
 * whose merge test has the first six cases and no service accounts, and @ 00f1e470, which adds the service-account
 * cases (KEP-4412) and `Test_mergePullServiceAccounts`. The cases only in the newer file run in the versions that
 * track service accounts (1.34+); the record they start from is the newer file's, a superset of the older one.
 */
import { expect } from 'vitest';
import type { KubeletVersion } from '../../src/profiles.js';
import { mergePullServiceAccounts, pulledRecordMergeNewCreds } from '../../src/pullmanager/record-merge.js';
import type {
  ImagePullCredentials,
  ImagePulledRecord,
  ImagePullSecret,
  ImagePullServiceAccount,
} from '../../src/pullmanager/records.js';
import { ticks } from '../../src/time.js';
import { ALL_VERSIONS, FILE, WITH_SERVICE_ACCOUNTS } from './pull-manager-setup.js';
import { upstreamTest } from './upstream-case.js';

const secret = (uid: string, namespace: string, name: string, credentialHash: string): ImagePullSecret => ({
  uid,
  namespace,
  name,
  credentialHash,
});
const account = (uid: string, namespace: string, name: string): ImagePullServiceAccount => ({
  uid,
  namespace,
  name,
});

const UID1 = secret('uid1', 'namespace1', 'name1', 'hash1');
const UID2 = secret('uid2', 'namespace2', 'name2', 'hash2');
const SA1 = account('sa-uid1', 'default', 'sa1');

/** The upstream `testRecord` (2022-02-22 12:00 local time; any earlier instant than `NOW` does). */
const TEST_RECORD: ImagePulledRecord = {
  imageRef: 'testImageRef',
  lastUpdatedTime: ticks(Date.UTC(2022, 1, 22, 12) * 1000),
  credentialMapping: {
    'test-image1': { kubernetesSecrets: [UID1] },
    'test-image2': { kubernetesSecrets: [UID1, UID2] },
    'test-image-with-sa': { kubernetesServiceAccounts: [SA1] },
    'test-image-mixed': {
      kubernetesSecrets: [secret('secret-uid1', 'kube-system', 'secret1', 'secret-hash1')],
      kubernetesServiceAccounts: [account('sa-uid2', 'kube-system', 'sa2')],
    },
    'test-nodewide': { nodePodsAccessible: true },
  },
};
const NOW = ticks(Date.UTC(2026, 0, 15, 12) * 1000);

interface MergeFacts {
  readonly image: string;
  /** undefined: the upstream `nil` credentials. */
  readonly creds?: ImagePullCredentials;
  /** The entry `image` holds afterwards (upstream `withImageRecord`); absent when the record is unchanged. */
  readonly entry?: ImagePullCredentials;
}

function updated(case_: string, image: string, creds: ImagePullCredentials, entry: ImagePullCredentials) {
  return { case: case_, facts: { image, creds, entry } };
}
function unchanged(case_: string, image: string, creds?: ImagePullCredentials) {
  return { case: case_, facts: creds === undefined ? { image } : { image, creds } };
}
const newer = <C>(row: C): C & { versions: readonly KubeletVersion[] } => ({
  ...row,
  versions: WITH_SERVICE_ACCOUNTS,
});

const NEW_SECRET = secret('newuid', 'newnamespace', 'newname', 'newhash');
const NS1_SECRET = secret('newuid', 'namespace1', 'newname', 'newhash');
const NEW_SA = account('new-sa-uid', 'default', 'new-sa');
const Z_A_M = [
  secret('uid-z', 'z-namespace', 'z-name', 'hash-z'),
  secret('uid-a', 'a-namespace', 'a-name', 'hash-a'),
  secret('uid-m', 'm-namespace', 'm-name', 'hash-m'),
];
const Z_A_M_SA = [
  account('sa-uid-z', 'z-namespace', 'z-sa'),
  account('sa-uid-a', 'a-namespace', 'a-sa'),
  account('sa-uid-m', 'm-namespace', 'm-sa'),
];
const OTHER_UID_SA1 = account('different-uid', 'default', 'sa1');

const pulledRecordMergeNewCredsTest = upstreamTest<MergeFacts>({
  file: FILE,
  test: 'Test_pulledRecordMergeNewCreds',
  versions: ALL_VERSIONS,
  cases: [
    updated(
      'create a new image record',
      'new-image',
      { kubernetesSecrets: [NEW_SECRET] },
      {
        kubernetesSecrets: [NEW_SECRET],
      },
    ),
    updated(
      'merge with an existing image secret',
      'test-image1',
      { kubernetesSecrets: [NEW_SECRET] },
      {
        kubernetesSecrets: [UID1, NEW_SECRET],
      },
    ),
    updated(
      'merge with existing image record secrets',
      'test-image2',
      { kubernetesSecrets: [NS1_SECRET] },
      {
        kubernetesSecrets: [UID1, NS1_SECRET, UID2],
      },
    ),
    updated(
      'node-accessible overrides all secrets',
      'test-image2',
      { nodePodsAccessible: true },
      {
        nodePodsAccessible: true,
      },
    ),
    updated(
      'new creds have the same secret coordinates but a different hash',
      'test-image2',
      { kubernetesSecrets: [{ ...UID2, credentialHash: 'newhash' }] },
      { kubernetesSecrets: [UID1, { ...UID2, credentialHash: 'newhash' }] },
    ),
    updated(
      'new creds have the same hash but a different coordinates',
      'test-image2',
      { kubernetesSecrets: [secret('uid3', 'namespace2', 'name3', 'hash2')] },
      { kubernetesSecrets: [UID1, UID2, secret('uid3', 'namespace2', 'name3', 'hash2')] },
    ),
    newer(
      updated(
        'create a new image record with service accounts',
        'new-sa-image',
        {
          kubernetesServiceAccounts: [NEW_SA],
        },
        { kubernetesServiceAccounts: [NEW_SA] },
      ),
    ),
    newer(
      updated(
        'merge with existing service account',
        'test-image-with-sa',
        { kubernetesServiceAccounts: [account('new-sa-uid', 'kube-system', 'new-sa')] },
        { kubernetesServiceAccounts: [SA1, account('new-sa-uid', 'kube-system', 'new-sa')] },
      ),
    ),
    newer(
      unchanged('no update when service account is identical', 'test-image-with-sa', {
        kubernetesServiceAccounts: [SA1],
      }),
    ),
    newer(
      updated(
        'add service account to image with only secrets',
        'test-image2',
        {
          kubernetesServiceAccounts: [NEW_SA],
        },
        { kubernetesSecrets: [UID1, UID2], kubernetesServiceAccounts: [NEW_SA] },
      ),
    ),
    newer(
      updated(
        'add secret to image with only service accounts',
        'test-image-with-sa',
        { kubernetesSecrets: [secret('new-secret-uid', 'default', 'new-secret', 'new-secret-hash')] },
        {
          kubernetesSecrets: [secret('new-secret-uid', 'default', 'new-secret', 'new-secret-hash')],
          kubernetesServiceAccounts: [SA1],
        },
      ),
    ),
    newer(
      updated(
        'node-accessible overrides mixed credentials',
        'test-image-mixed',
        { nodePodsAccessible: true },
        {
          nodePodsAccessible: true,
        },
      ),
    ),
    newer(
      unchanged('no update when image already marked as node-accessible with secrets', 'test-nodewide', {
        kubernetesSecrets: [secret('any-uid', 'any-namespace', 'any-name', 'any-hash')],
      }),
    ),
    newer(
      unchanged('no update when trying to add service account to node-accessible image', 'test-nodewide', {
        kubernetesServiceAccounts: [account('any-sa-uid', 'any-namespace', 'any-sa')],
      }),
    ),
    newer(unchanged('nil credentials should not update', 'test-image1')),
    newer(
      unchanged('empty credentials should not update', 'test-image1', {
        nodePodsAccessible: false,
        kubernetesSecrets: [],
        kubernetesServiceAccounts: [],
      }),
    ),
    newer(
      updated(
        'multiple secrets with sorting verification',
        'new-sorted-image',
        { kubernetesSecrets: Z_A_M },
        {
          kubernetesSecrets: Z_A_M,
        },
      ),
    ),
    newer(
      updated(
        'multiple service accounts with sorting verification',
        'new-sorted-sa-image',
        { kubernetesServiceAccounts: Z_A_M_SA },
        { kubernetesServiceAccounts: Z_A_M_SA },
      ),
    ),
    newer(
      updated(
        'service account with same namespace and name but different UID',
        'test-image-with-sa',
        { kubernetesServiceAccounts: [OTHER_UID_SA1] },
        { kubernetesServiceAccounts: [OTHER_UID_SA1, SA1] },
      ),
    ),
  ],
  check({ image, creds, entry }) {
    const { record, changed } = pulledRecordMergeNewCreds(TEST_RECORD, image, creds, NOW);
    expect(changed, 'wantUpdate').toBe(entry !== undefined);
    if (entry === undefined) {
      expect(record).toEqual(TEST_RECORD);
      return;
    }
    // Upstream: the new update time is after the original one; the rest equals `withImageRecord`.
    expect(record.lastUpdatedTime).toBe(NOW);
    expect(record).toEqual({
      ...TEST_RECORD,
      lastUpdatedTime: NOW,
      credentialMapping: { ...TEST_RECORD.credentialMapping, [image]: entry },
    });
  },
});

interface AccountsFacts {
  readonly orig: readonly ImagePullServiceAccount[];
  readonly incoming: readonly ImagePullServiceAccount[];
  readonly expected: readonly ImagePullServiceAccount[];
  readonly changed: boolean;
}

const SA_1 = account('sa1', 'default', 'serviceaccount1');
const SA_2 = account('sa2', 'kube-system', 'serviceaccount2');
const SA_3 = account('sa3', 'default', 'serviceaccount3');

const mergePullServiceAccountsTest = upstreamTest<AccountsFacts>({
  file: FILE,
  test: 'Test_mergePullServiceAccounts',
  versions: WITH_SERVICE_ACCOUNTS,
  cases: [
    { case: 'merge empty slices', facts: { orig: [], incoming: [], expected: [], changed: false } },
    {
      case: 'add new service account to empty slice',
      facts: { orig: [], incoming: [SA_1], expected: [SA_1], changed: true },
    },
    {
      case: 'duplicate service account - no change',
      facts: { orig: [SA_1], incoming: [SA_1], expected: [SA_1], changed: false },
    },
    {
      case: 'merge different service accounts',
      facts: { orig: [SA_1], incoming: [SA_2], expected: [SA_1, SA_2], changed: true },
    },
    {
      case: 'verify sorting by namespace, name, uid',
      facts: {
        orig: [account('sa2', 'kube-system', 'z-sa')],
        incoming: [account('sa1', 'default', 'a-sa'), account('sa3', 'kube-system', 'a-sa')],
        expected: [
          account('sa1', 'default', 'a-sa'),
          account('sa3', 'kube-system', 'a-sa'),
          account('sa2', 'kube-system', 'z-sa'),
        ],
        changed: true,
      },
    },
    {
      case: 'multiple service accounts with some duplicates',
      facts: { orig: [SA_1, SA_2], incoming: [SA_1, SA_3], expected: [SA_1, SA_3, SA_2], changed: true },
    },
    {
      case: 'same namespace and name, different UID',
      facts: {
        orig: [SA_1],
        incoming: [account('sa2', 'default', 'serviceaccount1')],
        expected: [SA_1, account('sa2', 'default', 'serviceaccount1')],
        changed: true,
      },
    },
  ],
  check({ orig, incoming, expected, changed }) {
    // pullsim returns undefined for "unchanged"; upstream returns the original slice with changed=false.
    const merged = mergePullServiceAccounts(orig, incoming);
    expect(merged !== undefined, 'changed').toBe(changed);
    expect(merged ?? orig).toEqual(expected);
  },
});

export const IMAGE_PULL_MANAGER_MERGE_TESTS = [pulledRecordMergeNewCredsTest, mergePullServiceAccountsTest];
