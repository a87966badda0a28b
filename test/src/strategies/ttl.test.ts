import { describe, expect, it } from 'vitest';
import { discardEvents } from '../../../src/ports.js';
import { kubeletProfile } from '../../../src/profiles.js';
import type { PullRecordsAccessor } from '../../../src/pullmanager/accessor.js';
import { createPullManager, type PullManager } from '../../../src/pullmanager/manager.js';
import { createPolicyEnforcer, EMPTY_ALLOWLIST } from '../../../src/pullmanager/policy.js';
import type { ImagePulledRecord } from '../../../src/pullmanager/records.js';
import {
  isRecordExpired,
  openRecordStore,
  parseRecordStoreSpec,
  TtlPullRecordsAccessor,
} from '../../../src/strategies/index.js';
import { TICKS_PER_HOUR, TICKS_PER_SECOND, ticks } from '../../../src/time.js';
import { FakeClock, FakeImageService, T0 } from '../../support/kubelet-fakes.js';
import { MemoryFileSystem } from '../../support/memory-fs.js';

/**
 * `ttl:<duration>`: a record older than the TTL reads with an empty credential mapping, so the image is still
 * "pulled by the kubelet" and every use re-verifies; a younger record reads as it is.
 */

const ROOT = '/var/lib/kubelet';
const IMAGE = 'registry.example/team/app:v1';
const KEY = 'registry.example/team/app';
const REF = 'sha256:app';
const tenantA = { uid: 'uid-a', namespace: 'tenant-a', name: 'pull', credentialHash: 'hash-a' };
const tenantB = { uid: 'uid-b', namespace: 'tenant-b', name: 'pull', credentialHash: 'hash-b' };
const podOf = (secret: typeof tenantA) => () => ({ ok: true as const, value: { secrets: [secret] } });

function start(spec = 'ttl:1h') {
  const parsed = parseRecordStoreSpec(spec);
  if (!parsed.ok) throw new Error(parsed.error);
  const fs = new MemoryFileSystem();
  const clock = new FakeClock(T0);
  const store = openRecordStore(parsed.value, {
    fs,
    kubeletRoot: ROOT,
    profile: kubeletProfile('1.36'),
    clock,
  });
  const manager: PullManager = createPullManager({
    accessor: store.accessor,
    policy: createPolicyEnforcer('NeverVerifyPreloadedImages', EMPTY_ALLOWLIST, 'normalised'),
    imageService: new FakeImageService(),
    clock,
    recorder: discardEvents,
    credentialMappingKey: 'normalised',
  });
  return { fs, clock, store, manager, accessor: store.accessor as PullRecordsAccessor };
}

describe('ttl:<duration>', () => {
  it('not expired: the record reads as written and the pod’s secret is enough', () => {
    const { clock, manager } = start();
    manager.recordPullIntent(IMAGE);
    manager.recordImagePulled(IMAGE, REF, { kubernetesSecrets: [tenantA] });
    clock.advance(TICKS_PER_HOUR);
    expect(manager.mustAttemptImagePull(IMAGE, REF, podOf(tenantA))).toMatchObject({
      mustPull: false,
      result: 'credentialRecordFound',
    });
  });

  it('expired: the mapping reads empty, so MustAttemptImagePull says the pod must pull', () => {
    const { clock, manager, accessor } = start();
    manager.recordPullIntent(IMAGE);
    manager.recordImagePulled(IMAGE, REF, { kubernetesSecrets: [tenantA] });
    clock.advance(TICKS_PER_HOUR + 1);
    expect(accessor.getImagePulledRecord(REF)).toEqual({
      record: { lastUpdatedTime: T0, imageRef: REF, credentialMapping: {} },
      exists: true,
    });
    expect(manager.mustAttemptImagePull(IMAGE, REF, podOf(tenantA))).toEqual({
      mustPull: true,
      result: 'mustAuthenticate',
      why: `no credentials recorded for ${KEY}`,
    });
  });

  it('an expired record is not absent: the image still counts as kubelet-pulled, never as preloaded', () => {
    const { clock, manager } = start();
    manager.recordPullIntent(IMAGE);
    manager.recordImagePulled(IMAGE, REF, { nodePodsAccessible: true });
    expect(manager.mustAttemptImagePull(IMAGE, REF, podOf(tenantB)).mustPull).toBe(false);
    clock.advance(2 * TICKS_PER_HOUR);
    // An absent record (and no intent) would be a preloaded image, which NeverVerifyPreloadedImages exempts.
    expect(manager.mustAttemptImagePull('never/pulled:1', 'sha256:preloaded', podOf(tenantB))).toMatchObject({
      mustPull: false,
      result: 'credentialPolicyAllowed',
    });
    expect(manager.mustAttemptImagePull(IMAGE, REF, podOf(tenantB))).toMatchObject({ mustPull: true });
  });

  it('the pull that re-verifies keeps only what was verified since: expired credentials are dropped', () => {
    const { clock, manager, accessor } = start();
    manager.recordPullIntent(IMAGE);
    manager.recordImagePulled(IMAGE, REF, { kubernetesSecrets: [tenantA] });
    clock.advance(2 * TICKS_PER_HOUR);
    manager.recordPullIntent(IMAGE);
    manager.recordImagePulled(IMAGE, REF, { kubernetesSecrets: [tenantB] });
    expect(accessor.listImagePulledRecords().records).toEqual([
      {
        lastUpdatedTime: T0 + 2 * TICKS_PER_HOUR,
        imageRef: REF,
        credentialMapping: { [KEY]: { kubernetesSecrets: [tenantB] } },
      },
    ]);
    expect(manager.mustAttemptImagePull(IMAGE, REF, podOf(tenantB)).mustPull).toBe(false);
    expect(manager.mustAttemptImagePull(IMAGE, REF, podOf(tenantA)).mustPull).toBe(true);
  });

  it('expiry is strict at the TTL, and the zero time counts as expired', () => {
    const ttl = ticks(TICKS_PER_HOUR);
    const record = (time: number | null): ImagePulledRecord => ({
      lastUpdatedTime: time === null ? null : ticks(time),
      imageRef: 'r',
      credentialMapping: {},
    });
    expect(isRecordExpired(record(T0), ttl, ticks(T0 + ttl))).toBe(false);
    expect(isRecordExpired(record(T0), ttl, ticks(T0 + ttl + 1))).toBe(true);
    expect(isRecordExpired(record(T0 + TICKS_PER_SECOND), ttl, T0)).toBe(false);
    expect(isRecordExpired(record(null), ttl, T0)).toBe(true);
  });

  it('passes everything else through: intents, Lists (not filtered), deletes, misses', () => {
    const { clock, accessor, fs } = start('ttl:1s');
    expect(accessor.writeImagePullIntent('a')).toEqual({});
    expect(accessor.imagePullIntentExists('a')).toEqual({ exists: true });
    expect(accessor.listImagePullIntents()).toEqual({ intents: [{ image: 'a' }], errors: [] });
    expect(accessor.deleteImagePullIntent('a')).toEqual({});
    const old: ImagePulledRecord = {
      lastUpdatedTime: T0,
      imageRef: 'r',
      credentialMapping: { k: { nodePodsAccessible: true } },
    };
    expect(accessor.writeImagePulledRecord(old)).toEqual({});
    clock.advance(5 * TICKS_PER_SECOND);
    expect(accessor.listImagePulledRecords()).toEqual({ records: [old], errors: [] });
    expect(accessor.getImagePulledRecord('missing')).toEqual({ exists: false });
    expect(accessor.deleteImagePulledRecord('r')).toEqual({});
    expect(fs.list(`${ROOT}/image_manager/pulled`)).toEqual([]);
  });

  it('is layered on fs+lru and exposes its gauges', () => {
    const { store, accessor } = start();
    accessor.writeImagePullIntent('a');
    expect(store.metrics).toMatchObject({ ondiskPullIntents: 1, inmemoryPullIntentsUsagePercent: 0 });
    expect(new TtlPullRecordsAccessor(accessor, ticks(TICKS_PER_HOUR), new FakeClock()).ttl).toBe(
      TICKS_PER_HOUR,
    );
  });
});
