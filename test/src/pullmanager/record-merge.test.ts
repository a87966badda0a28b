import { describe, expect, it } from 'vitest';
import {
  compareCoordinates,
  mergePullSecrets,
  mergePullServiceAccounts,
  pulledRecordMergeNewCreds,
} from '../../../src/pullmanager/record-merge.js';
import type { ImagePullCredentials, ImagePulledRecord } from '../../../src/pullmanager/records.js';
import { ticks } from '../../../src/time.js';

/**
 * Expected values are those of upstream Test_pulledRecordMergeNewCreds and Test_mergePullServiceAccounts
 * (pkg/kubelet/images/pullmanager/image_pull_manager_test.go) and of docs/kubelet-model.md#writing-pulled-records.
 */
const BEFORE = ticks(1_645_531_200_000_000); // 2022-02-22T12:00:00Z
const NOW = ticks(1_700_000_000_000_000);

const s = (uid: string, namespace: string, name: string, credentialHash: string) => ({
  uid,
  namespace,
  name,
  credentialHash,
});
const sa = (uid: string, namespace: string, name: string) => ({ uid, namespace, name });

const testRecord: ImagePulledRecord = {
  imageRef: 'testImageRef',
  lastUpdatedTime: BEFORE,
  credentialMapping: {
    'test-image1': { kubernetesSecrets: [s('uid1', 'namespace1', 'name1', 'hash1')] },
    'test-image2': {
      kubernetesSecrets: [
        s('uid1', 'namespace1', 'name1', 'hash1'),
        s('uid2', 'namespace2', 'name2', 'hash2'),
      ],
    },
    'test-image-with-sa': { kubernetesServiceAccounts: [sa('sa-uid1', 'default', 'sa1')] },
    'test-image-mixed': {
      kubernetesSecrets: [s('secret-uid1', 'kube-system', 'secret1', 'secret-hash1')],
      kubernetesServiceAccounts: [sa('sa-uid2', 'kube-system', 'sa2')],
    },
    'test-nodewide': { nodePodsAccessible: true },
  },
};

function withEntry(image: string, entry: ImagePullCredentials): ImagePulledRecord {
  return {
    ...testRecord,
    lastUpdatedTime: NOW,
    credentialMapping: { ...testRecord.credentialMapping, [image]: entry },
  };
}

function expectUnchanged(image: string, creds: ImagePullCredentials | undefined): void {
  const merged = pulledRecordMergeNewCreds(testRecord, image, creds, NOW);
  expect(merged.changed).toBe(false);
  expect(merged.record).toBe(testRecord);
}

function expectMerged(image: string, creds: ImagePullCredentials, entry: ImagePullCredentials): void {
  const merged = pulledRecordMergeNewCreds(testRecord, image, creds, NOW);
  expect(merged.changed).toBe(true);
  expect(merged.record).toEqual(withEntry(image, entry));
}

describe('pulledRecordMergeNewCreds: the first rule that applies', () => {
  it('rule 1: absent credentials leave the record unchanged', () => {
    expectUnchanged('test-image1', undefined);
  });

  it('rule 2: credentials with no secrets, no service accounts and nodePodsAccessible=false leave it unchanged', () => {
    expectUnchanged('test-image1', {
      nodePodsAccessible: false,
      kubernetesSecrets: [],
      kubernetesServiceAccounts: [],
    });
    expectUnchanged('brand-new-image', {});
  });

  it('rule 3: a new image key gets the credentials as given (not sorted)', () => {
    const unsorted = [
      s('uid-z', 'z-namespace', 'z-name', 'hash-z'),
      s('uid-a', 'a-namespace', 'a-name', 'hash-a'),
      s('uid-m', 'm-namespace', 'm-name', 'hash-m'),
    ];
    expectMerged('new-sorted-image', { kubernetesSecrets: unsorted }, { kubernetesSecrets: unsorted });
    const accounts = [sa('sa-uid-z', 'z-namespace', 'z-sa'), sa('sa-uid-a', 'a-namespace', 'a-sa')];
    expectMerged(
      'new-sa-image',
      { kubernetesServiceAccounts: accounts },
      { kubernetesServiceAccounts: accounts },
    );
  });

  it('rule 4: a node-wide entry is terminal: secrets and service accounts are not added', () => {
    expectUnchanged('test-nodewide', {
      kubernetesSecrets: [s('any-uid', 'any-namespace', 'any-name', 'any-hash')],
    });
    expectUnchanged('test-nodewide', {
      kubernetesServiceAccounts: [sa('any-sa-uid', 'any-namespace', 'any-sa')],
    });
    expectUnchanged('test-nodewide', { nodePodsAccessible: true });
  });

  it('rule 5: node-wide credentials replace the entry, dropping its secrets and service accounts', () => {
    expectMerged('test-image2', { nodePodsAccessible: true }, { nodePodsAccessible: true });
    expectMerged('test-image-mixed', { nodePodsAccessible: true }, { nodePodsAccessible: true });
  });

  it('rule 5 comes before rule 6: node-wide credentials that also carry secrets make the entry node-wide', () => {
    expectMerged(
      'test-image1',
      { nodePodsAccessible: true, kubernetesSecrets: [s('x', 'y', 'z', 'h')] },
      { nodePodsAccessible: true },
    );
  });

  describe('rule 6: secrets merge by (uid, namespace, name), new hash wins, sorted by namespace, name, uid', () => {
    it('adds new coordinates', () => {
      expectMerged(
        'test-image1',
        { kubernetesSecrets: [s('newuid', 'newnamespace', 'newname', 'newhash')] },
        {
          kubernetesSecrets: [
            s('uid1', 'namespace1', 'name1', 'hash1'),
            s('newuid', 'newnamespace', 'newname', 'newhash'),
          ],
        },
      );
      expectMerged(
        'test-image2',
        { kubernetesSecrets: [s('newuid', 'namespace1', 'newname', 'newhash')] },
        {
          kubernetesSecrets: [
            s('uid1', 'namespace1', 'name1', 'hash1'),
            s('newuid', 'namespace1', 'newname', 'newhash'),
            s('uid2', 'namespace2', 'name2', 'hash2'),
          ],
        },
      );
    });

    it('replaces the hash of existing coordinates', () => {
      expectMerged(
        'test-image2',
        { kubernetesSecrets: [s('uid2', 'namespace2', 'name2', 'newhash')] },
        {
          kubernetesSecrets: [
            s('uid1', 'namespace1', 'name1', 'hash1'),
            s('uid2', 'namespace2', 'name2', 'newhash'),
          ],
        },
      );
    });

    it('keeps both coordinates when the same hash arrives under new coordinates', () => {
      expectMerged(
        'test-image2',
        { kubernetesSecrets: [s('uid3', 'namespace2', 'name3', 'hash2')] },
        {
          kubernetesSecrets: [
            s('uid1', 'namespace1', 'name1', 'hash1'),
            s('uid2', 'namespace2', 'name2', 'hash2'),
            s('uid3', 'namespace2', 'name3', 'hash2'),
          ],
        },
      );
    });

    it('is unchanged when nothing differs', () => {
      expectUnchanged('test-image2', { kubernetesSecrets: [s('uid2', 'namespace2', 'name2', 'hash2')] });
    });

    it('ignores service accounts carried together with secrets', () => {
      expectMerged(
        'test-image-with-sa',
        {
          kubernetesSecrets: [s('new-secret-uid', 'default', 'new-secret', 'new-secret-hash')],
          kubernetesServiceAccounts: [sa('ignored', 'default', 'ignored')],
        },
        {
          kubernetesSecrets: [s('new-secret-uid', 'default', 'new-secret', 'new-secret-hash')],
          kubernetesServiceAccounts: [sa('sa-uid1', 'default', 'sa1')],
        },
      );
    });
  });

  describe('rule 7: service accounts are set-unioned on the exact triple and sorted', () => {
    it('adds a new service account', () => {
      expectMerged(
        'test-image-with-sa',
        { kubernetesServiceAccounts: [sa('new-sa-uid', 'kube-system', 'new-sa')] },
        {
          kubernetesServiceAccounts: [
            sa('sa-uid1', 'default', 'sa1'),
            sa('new-sa-uid', 'kube-system', 'new-sa'),
          ],
        },
      );
    });

    it('treats the same namespace/name with another UID as a different account', () => {
      expectMerged(
        'test-image-with-sa',
        { kubernetesServiceAccounts: [sa('different-uid', 'default', 'sa1')] },
        {
          kubernetesServiceAccounts: [sa('different-uid', 'default', 'sa1'), sa('sa-uid1', 'default', 'sa1')],
        },
      );
    });

    it('adds service accounts to an entry that holds only secrets, keeping the secrets', () => {
      expectMerged(
        'test-image2',
        { kubernetesServiceAccounts: [sa('new-sa-uid', 'default', 'new-sa')] },
        {
          kubernetesSecrets: [
            s('uid1', 'namespace1', 'name1', 'hash1'),
            s('uid2', 'namespace2', 'name2', 'hash2'),
          ],
          kubernetesServiceAccounts: [sa('new-sa-uid', 'default', 'new-sa')],
        },
      );
    });

    it('is unchanged for an account already there', () => {
      expectUnchanged('test-image-with-sa', { kubernetesServiceAccounts: [sa('sa-uid1', 'default', 'sa1')] });
    });
  });

  it('any change sets lastUpdatedTime to now and does not touch the input record', () => {
    const copy = structuredClone(testRecord);
    const merged = pulledRecordMergeNewCreds(testRecord, 'test-image1', { nodePodsAccessible: true }, NOW);
    expect(merged.record.lastUpdatedTime).toBe(NOW);
    expect(testRecord).toEqual(copy);
  });
});

describe('mergePullServiceAccounts (upstream Test_mergePullServiceAccounts)', () => {
  it.each([
    ['merge empty slices', [], [], undefined],
    [
      'add new service account to empty slice',
      [],
      [sa('sa1', 'default', 'serviceaccount1')],
      [sa('sa1', 'default', 'serviceaccount1')],
    ],
    [
      'duplicate service account - no change',
      [sa('sa1', 'default', 'serviceaccount1')],
      [sa('sa1', 'default', 'serviceaccount1')],
      undefined,
    ],
    [
      'merge different service accounts',
      [sa('sa1', 'default', 'serviceaccount1')],
      [sa('sa2', 'kube-system', 'serviceaccount2')],
      [sa('sa1', 'default', 'serviceaccount1'), sa('sa2', 'kube-system', 'serviceaccount2')],
    ],
    [
      'verify sorting by namespace, name, uid',
      [sa('sa2', 'kube-system', 'z-sa')],
      [sa('sa1', 'default', 'a-sa'), sa('sa3', 'kube-system', 'a-sa')],
      [sa('sa1', 'default', 'a-sa'), sa('sa3', 'kube-system', 'a-sa'), sa('sa2', 'kube-system', 'z-sa')],
    ],
    [
      'multiple service accounts with some duplicates',
      [sa('sa1', 'default', 'serviceaccount1'), sa('sa2', 'kube-system', 'serviceaccount2')],
      [sa('sa1', 'default', 'serviceaccount1'), sa('sa3', 'default', 'serviceaccount3')],
      [
        sa('sa1', 'default', 'serviceaccount1'),
        sa('sa3', 'default', 'serviceaccount3'),
        sa('sa2', 'kube-system', 'serviceaccount2'),
      ],
    ],
    [
      'same namespace and name, different UID',
      [sa('sa1', 'default', 'serviceaccount1')],
      [sa('sa2', 'default', 'serviceaccount1')],
      [sa('sa1', 'default', 'serviceaccount1'), sa('sa2', 'default', 'serviceaccount1')],
    ],
  ])('%s', (_name, orig, incoming, expected) => {
    expect(mergePullServiceAccounts(orig, incoming)).toEqual(expected);
  });
});

describe('mergePullSecrets', () => {
  it('returns undefined when nothing changed, otherwise the union sorted by namespace, name, uid', () => {
    const a = s('u1', 'ns-b', 'x', 'h1');
    expect(mergePullSecrets([a], [a])).toBeUndefined();
    expect(mergePullSecrets([a], [s('u0', 'ns-a', 'x', 'h0'), s('u2', 'ns-b', 'x', 'h2')])).toEqual([
      s('u0', 'ns-a', 'x', 'h0'),
      a,
      s('u2', 'ns-b', 'x', 'h2'),
    ]);
  });

  it('de-duplicates existing coordinates (a brand-new entry may hold duplicates)', () => {
    const a = s('u1', 'ns', 'x', 'h1');
    expect(mergePullSecrets([a, a], [s('u1', 'ns', 'x', 'h2')])).toEqual([s('u1', 'ns', 'x', 'h2')]);
  });
});

describe('compareCoordinates (Go strings.Compare on namespace, name, uid)', () => {
  it('orders by namespace first, then name, then uid, in byte order', () => {
    const items = [sa('2', 'b', 'a'), sa('1', 'b', 'a'), sa('9', 'a', 'z'), sa('0', 'B', 'z')];
    expect([...items].sort(compareCoordinates)).toEqual([
      sa('0', 'B', 'z'),
      sa('9', 'a', 'z'),
      sa('1', 'b', 'a'),
      sa('2', 'b', 'a'),
    ]);
    expect(compareCoordinates(sa('1', 'a', 'a'), sa('1', 'a', 'a'))).toBe(0);
  });
});
