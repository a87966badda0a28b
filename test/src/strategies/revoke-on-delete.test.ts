import { describe, expect, it } from 'vitest';
import { discardEvents } from '../../../src/ports.js';
import { kubeletProfile } from '../../../src/profiles.js';
import { createPullManager } from '../../../src/pullmanager/manager.js';
import { createPolicyEnforcer, EMPTY_ALLOWLIST } from '../../../src/pullmanager/policy.js';
import { type ImagePulledRecord, recordFileName } from '../../../src/pullmanager/records.js';
import {
  type CredentialSourceDeletion,
  openRecordStore,
  openRevokeOnDeleteRecordStore,
  revokeCredentialSource,
  withoutSource,
} from '../../../src/strategies/index.js';
import { TICKS_PER_HOUR } from '../../../src/time.js';
import { FakeClock, FakeImageService, RecordingEventRecorder, T0 } from '../../support/kubelet-fakes.js';
import { MemoryFileSystem } from '../../support/memory-fs.js';

/**
 * `revoke-on-delete`: deleting a secret, a service account or a namespace removes its coordinates from every
 * pulled record; the records stay (an image whose record vanished would look preloaded).
 */

const ROOT = '/var/lib/kubelet';
const PULLED = `${ROOT}/image_manager/pulled`;
const IMAGE = 'registry.example/team/app:v1';
const KEY = 'registry.example/team/app';
const REF = 'sha256:app';
const secretA = { uid: 'uid-a', namespace: 'tenant-a', name: 'pull', credentialHash: 'hash-a' };
const secretA2 = { uid: 'uid-a2', namespace: 'tenant-a', name: 'other', credentialHash: 'hash-a2' };
const secretB = { uid: 'uid-b', namespace: 'tenant-b', name: 'pull', credentialHash: 'hash-b' };
const accountA = { uid: 'sa-a', namespace: 'tenant-a', name: 'builder' };
const accountB = { uid: 'sa-b', namespace: 'tenant-b', name: 'builder' };

function start() {
  const fs = new MemoryFileSystem();
  const clock = new FakeClock(T0);
  const recorder = new RecordingEventRecorder();
  const store = openRevokeOnDeleteRecordStore({
    fs,
    kubeletRoot: ROOT,
    profile: kubeletProfile('1.36'),
    clock,
    logger: recorder,
  });
  const manager = createPullManager({
    accessor: store.accessor,
    policy: createPolicyEnforcer('NeverVerifyPreloadedImages', EMPTY_ALLOWLIST, 'normalised'),
    imageService: new FakeImageService(),
    clock,
    recorder: discardEvents,
    credentialMappingKey: 'normalised',
  });
  return { fs, clock, recorder, store, manager };
}

const pod = (secrets: (typeof secretA)[], serviceAccount?: typeof accountA) => () => ({
  ok: true as const,
  value: serviceAccount === undefined ? { secrets } : { secrets, serviceAccount },
});

describe('revoke-on-delete', () => {
  it('a deleted secret no longer lets a pod use the image, even re-created with the same name and content', () => {
    const { store, manager, clock } = start();
    manager.recordPullIntent(IMAGE);
    manager.recordImagePulled(IMAGE, REF, { kubernetesSecrets: [secretA, secretA2] });
    expect(manager.mustAttemptImagePull(IMAGE, REF, pod([secretA])).mustPull).toBe(false);
    clock.advance(TICKS_PER_HOUR);
    store.onCredentialSourceDeleted?.({ kind: 'secret', namespace: 'tenant-a', name: 'pull', uid: 'uid-a' });
    // The same content under a new uid: the hash is no longer recorded, so the pod must pull.
    expect(manager.mustAttemptImagePull(IMAGE, REF, pod([{ ...secretA, uid: 'uid-new' }])).mustPull).toBe(
      true,
    );
    expect(manager.mustAttemptImagePull(IMAGE, REF, pod([secretA2])).mustPull).toBe(false);
    // lastUpdatedTime is not bumped: a revocation verifies nothing.
    expect(store.accessor.getImagePulledRecord(REF).record).toEqual({
      lastUpdatedTime: T0,
      imageRef: REF,
      credentialMapping: { [KEY]: { kubernetesSecrets: [secretA2] } },
    });
  });

  it('the rewrite is on disk: a restarted kubelet sees it', () => {
    const { fs, store, manager } = start();
    manager.recordPullIntent(IMAGE);
    manager.recordImagePulled(IMAGE, REF, { kubernetesSecrets: [secretA, secretB] });
    const result = store.revoke({ kind: 'secret', namespace: 'tenant-a', name: 'pull' });
    expect(result).toEqual({ rewritten: [REF], errors: [] });
    const reopened = openRecordStore(
      { strategy: 'fs' },
      { fs, kubeletRoot: ROOT, profile: kubeletProfile('1.36'), clock: new FakeClock() },
    );
    expect(reopened.accessor.getImagePulledRecord(REF).record?.credentialMapping).toEqual({
      [KEY]: { kubernetesSecrets: [secretB] },
    });
  });

  it('keeps the record when its last credential goes: the image must be re-verified, not look preloaded', () => {
    const { store, manager } = start();
    manager.recordPullIntent(IMAGE);
    manager.recordImagePulled(IMAGE, REF, { kubernetesSecrets: [secretA] });
    store.revoke({ kind: 'namespace', namespace: 'tenant-a' });
    expect(store.accessor.getImagePulledRecord(REF).record?.credentialMapping).toEqual({});
    expect(manager.mustAttemptImagePull(IMAGE, REF, pod([secretA]))).toMatchObject({
      mustPull: true,
      result: 'mustAuthenticate',
    });
  });

  it('matches secrets by namespace, name and uid; an absent name or uid matches any', () => {
    const record: ImagePulledRecord = {
      lastUpdatedTime: T0,
      imageRef: REF,
      credentialMapping: {
        [KEY]: { kubernetesSecrets: [secretA, secretA2], kubernetesServiceAccounts: [accountA] },
      },
    };
    const keep = (source: CredentialSourceDeletion) => {
      const revoked = withoutSource(record, source);
      return revoked === undefined ? 'unchanged' : (revoked.credentialMapping[KEY] ?? 'entry removed');
    };
    expect(keep({ kind: 'secret', namespace: 'tenant-a', name: 'pull', uid: 'another-uid' })).toBe(
      'unchanged',
    );
    expect(keep({ kind: 'secret', namespace: 'tenant-b', name: 'pull' })).toBe('unchanged');
    expect(keep({ kind: 'secret', namespace: 'tenant-a', name: 'pull' })).toEqual({
      kubernetesSecrets: [secretA2],
      kubernetesServiceAccounts: [accountA],
    });
    expect(keep({ kind: 'secret', namespace: 'tenant-a' })).toEqual({
      kubernetesServiceAccounts: [accountA],
    });
    expect(keep({ kind: 'serviceAccount', namespace: 'tenant-a', name: 'builder', uid: 'sa-a' })).toEqual({
      kubernetesSecrets: [secretA, secretA2],
    });
    expect(keep({ kind: 'serviceAccount', namespace: 'tenant-a', name: 'deployer' })).toBe('unchanged');
    expect(keep({ kind: 'namespace', namespace: 'tenant-a', name: 'ignored' })).toBe('entry removed');
    expect(withoutSource(record, { kind: 'namespace', namespace: 'tenant-a' })?.credentialMapping).toEqual(
      {},
    );
  });

  it('a deleted service account no longer matches; other namespaces and node-wide entries are untouched', () => {
    const { store, manager } = start();
    manager.recordPullIntent(IMAGE);
    manager.recordImagePulled(IMAGE, REF, { kubernetesServiceAccounts: [accountA, accountB] });
    manager.recordPullIntent('docker.io/library/nginx');
    manager.recordImagePulled('docker.io/library/nginx', 'sha256:nginx', { nodePodsAccessible: true });
    store.revoke({ kind: 'serviceAccount', namespace: 'tenant-a', name: 'builder' });
    expect(manager.mustAttemptImagePull(IMAGE, REF, pod([], accountA)).mustPull).toBe(true);
    expect(manager.mustAttemptImagePull(IMAGE, REF, pod([], accountB)).mustPull).toBe(false);
    const result = store.revoke({ kind: 'namespace', namespace: 'tenant-b' });
    expect(result.rewritten).toEqual([REF]);
    expect(manager.mustAttemptImagePull('docker.io/library/nginx', 'sha256:nginx', pod([])).mustPull).toBe(
      false,
    );
    expect(store.revoke({ kind: 'namespace', namespace: 'tenant-c' })).toEqual({ rewritten: [], errors: [] });
  });

  it('keeps a node-wide flag when coordinates are removed from the same entry', () => {
    const record: ImagePulledRecord = {
      lastUpdatedTime: T0,
      imageRef: REF,
      credentialMapping: { [KEY]: { kubernetesSecrets: [secretA], nodePodsAccessible: true } },
    };
    expect(withoutSource(record, { kind: 'namespace', namespace: 'tenant-a' })?.credentialMapping).toEqual({
      [KEY]: { nodePodsAccessible: true },
    });
  });

  it('reports unreadable records and failed rewrites, and logs both', () => {
    const { fs, store, manager, recorder } = start();
    manager.recordPullIntent(IMAGE);
    manager.recordImagePulled(IMAGE, REF, { kubernetesSecrets: [secretA] });
    fs.put(`${PULLED}/${recordFileName('broken')}`, '{"kind":');
    fs.failNext(`${PULLED}/${recordFileName(REF)}.tmp`, 'ENOSPC', { op: 'writeFile' });
    const result = store.revoke({ kind: 'namespace', namespace: 'tenant-a' });
    expect(result.rewritten).toEqual([]);
    expect(result.errors).toHaveLength(2);
    expect(result.errors[1]).toContain(`failed to rewrite the record of "${REF}"`);
    // Access is not withdrawn when the rewrite failed: the coordinates are still there.
    expect(manager.mustAttemptImagePull(IMAGE, REF, pod([secretA])).mustPull).toBe(false);
    expect(recorder.logMessages()).toContain('failed to revoke credentials of a deleted object');
    store.revoke({ kind: 'secret', namespace: 'tenant-a', name: 'pull' });
    expect(recorder.logs.at(-2)).toEqual({
      message: 'revoked the credentials of a deleted object from image pull records',
      fields: { kind: 'secret', namespace: 'tenant-a', name: 'pull', records: 1 },
    });
  });

  it('works on any accessor and without a logger', () => {
    const { store } = start();
    store.accessor.writeImagePulledRecord({
      lastUpdatedTime: T0,
      imageRef: 'r',
      credentialMapping: { k: { kubernetesSecrets: [secretB] } },
    });
    expect(revokeCredentialSource(store.accessor, { kind: 'secret', namespace: 'tenant-b' })).toEqual({
      rewritten: ['r'],
      errors: [],
    });
  });

  it('openRecordStore exposes the hook and the kubelet’s gauges', () => {
    const opened = openRecordStore(
      { strategy: 'revoke-on-delete' },
      {
        fs: new MemoryFileSystem(),
        kubeletRoot: ROOT,
        profile: kubeletProfile('1.36'),
        clock: new FakeClock(),
      },
    );
    expect(Object.keys(opened).sort()).toEqual(['accessor', 'metrics', 'onCredentialSourceDeleted']);
    opened.accessor.writeImagePulledRecord({
      lastUpdatedTime: T0,
      imageRef: 'r',
      credentialMapping: { k: { kubernetesSecrets: [secretB] } },
    });
    expect(opened.onCredentialSourceDeleted?.({ kind: 'namespace', namespace: 'tenant-b' })).toBeUndefined();
    expect(opened.accessor.getImagePulledRecord('r').record?.credentialMapping).toEqual({});
  });
});
