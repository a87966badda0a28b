import { describe, expect, it } from 'vitest';
import { FS_SYSCALLS, type FsSyscall, SimFileSystem } from '../../../sim/world/filesystem.js';
import { discardEvents } from '../../../src/ports.js';
import { kubeletProfile } from '../../../src/profiles.js';
import type { PullRecordsAccessor } from '../../../src/pullmanager/accessor.js';
import { createPullManager, type PullManager } from '../../../src/pullmanager/manager.js';
import { createPolicyEnforcer, EMPTY_ALLOWLIST } from '../../../src/pullmanager/policy.js';
import type { ImagePulledRecord } from '../../../src/pullmanager/records.js';
import {
  JournalPullRecordsAccessor,
  openRecordStore,
  parseRecordStoreSpec,
} from '../../../src/strategies/index.js';
import { ticks } from '../../../src/time.js';
import { FakeClock, FakeImageService, T0 } from '../../support/kubelet-fakes.js';

/**
 * I/O accounting of the journal on the counting filesystem (the kubelet's costs are in
 * docs/kubelet-model.md#file-operations-and-their-cost): no system call on any read, one `write` per mutation
 * (plus one `open` for the first), and a pull of a new image–credential pair costs one append with volatile
 * intents, three with durable ones.
 */

const ROOT = '/var/lib/kubelet';
const PROFILE = kubeletProfile('1.36');

function counted(): SimFileSystem {
  return new SimFileSystem({ countUnder: ROOT });
}

function nonZero(fs: SimFileSystem): Partial<Record<FsSyscall, number>> {
  const out: Partial<Record<FsSyscall, number>> = {};
  for (const name of FS_SYSCALLS) if (fs.syscalls[name] !== 0) out[name] = fs.syscalls[name];
  return out;
}

const record = (imageRef: string): ImagePulledRecord => ({
  lastUpdatedTime: T0,
  imageRef,
  credentialMapping: { 'docker.io/library/nginx': { nodePodsAccessible: true } },
});

function manager(accessor: PullRecordsAccessor, clock = new FakeClock()): PullManager {
  return createPullManager({
    accessor,
    policy: createPolicyEnforcer('NeverVerifyPreloadedImages', EMPTY_ALLOWLIST, 'normalised'),
    imageService: new FakeImageService(),
    clock,
    recorder: discardEvents,
    credentialMappingKey: 'normalised',
  });
}

const secret = (i: number) => ({
  uid: `uid-${i}`,
  namespace: `tenant-${i}`,
  name: 'pull',
  credentialHash: `hash-${i}`,
});
const podWith = (i: number) => () => ({ ok: true as const, value: { secrets: [secret(i)] } });

describe('journal start-up', () => {
  it('on a new node: creates image_manager/, finds no log and no kubelet files', () => {
    const fs = counted();
    new JournalPullRecordsAccessor(fs, ROOT, PROFILE);
    // mkdirAll of 4 missing levels under / (os.MkdirAll: k stat + k mkdir), 1 failed open, 2 failed lstat.
    expect(nonZero(fs)).toEqual({ stat: 4, mkdir: 4, open: 1, lstat: 2 });
  });

  it('with a log: one directory check and one read of the whole log, whatever its size', () => {
    const fs = counted();
    const writer = new JournalPullRecordsAccessor(fs, ROOT, PROFILE);
    for (let i = 0; i < 300; i++) writer.writeImagePulledRecord(record(`sha256:${i}`));
    fs.resetCounters();
    const reader = new JournalPullRecordsAccessor(fs, ROOT, PROFILE);
    expect(nonZero(fs)).toEqual({ stat: 1, open: 1, fstat: 1, read: 2, close: 1 });
    expect(reader.listImagePulledRecords().records).toHaveLength(300);
  });
});

describe('journal reads cost nothing', () => {
  it('hits, misses, existence checks and Lists make no system call', () => {
    const fs = counted();
    const journal = new JournalPullRecordsAccessor(fs, ROOT, PROFILE);
    journal.writeImagePullIntent('nginx');
    journal.writeImagePulledRecord(record('sha256:a'));
    fs.resetCounters();
    for (let i = 0; i < 100; i++) {
      journal.getImagePulledRecord('sha256:a');
      journal.getImagePulledRecord(`sha256:missing-${i}`);
      journal.imagePullIntentExists('nginx');
      journal.imagePullIntentExists(`missing-${i}`);
    }
    journal.listImagePulledRecords();
    journal.listImagePullIntents();
    expect(fs.ioTotals().syscalls.total).toBe(0);
  });

  it('a warm MustAttemptImagePull (record found, credentials match) makes no system call', () => {
    const fs = counted();
    const pm = manager(new JournalPullRecordsAccessor(fs, ROOT, PROFILE));
    pm.recordPullIntent('nginx');
    pm.recordImagePulled('nginx', 'sha256:n', { kubernetesSecrets: [secret(1)] });
    fs.resetCounters();
    for (let i = 0; i < 50; i++) {
      expect(pm.mustAttemptImagePull('nginx', 'sha256:n', podWith(1)).mustPull).toBe(false);
      expect(pm.mustAttemptImagePull('nginx', 'sha256:n', podWith(2)).mustPull).toBe(true);
      expect(pm.mustAttemptImagePull('busybox', 'sha256:preloaded', podWith(1)).mustPull).toBe(false);
    }
    expect(fs.ioTotals().syscalls.total).toBe(0);
  });
});

describe('journal mutations cost one write each', () => {
  it('the first mutation opens the log once; every mutation is then one write', () => {
    const fs = counted();
    const journal = new JournalPullRecordsAccessor(fs, ROOT, PROFILE);
    fs.resetCounters();
    journal.writeImagePullIntent('nginx');
    expect(nonZero(fs)).toEqual({ open: 1, write: 1 });
    journal.writeImagePulledRecord(record('sha256:a'));
    expect(nonZero(fs)).toEqual({ open: 1, write: 2 });
    journal.deleteImagePullIntent('nginx');
    journal.deleteImagePulledRecord('sha256:a');
    expect(nonZero(fs)).toEqual({ open: 1, write: 4 });
    expect(fs.io).toMatchObject({ ops: 4, writes: 4, reads: 0 });
  });

  it('a mutation that changes nothing costs nothing', () => {
    const fs = counted();
    const journal = new JournalPullRecordsAccessor(fs, ROOT, PROFILE);
    journal.writeImagePullIntent('nginx');
    journal.writeImagePulledRecord(record('sha256:a'));
    fs.resetCounters();
    journal.writeImagePullIntent('nginx');
    journal.writeImagePulledRecord(record('sha256:a'));
    journal.deleteImagePullIntent('absent');
    journal.deleteImagePulledRecord('sha256:absent');
    expect(fs.ioTotals().syscalls.total).toBe(0);
  });

  it('a compaction costs one write, read-back and rename of the new log and a new handle', () => {
    const fs = counted();
    const journal = new JournalPullRecordsAccessor(fs, ROOT, PROFILE, { compactionSlackLines: 0 });
    journal.writeImagePulledRecord(record('sha256:a'));
    journal.writeImagePullIntent('x');
    fs.resetCounters();
    journal.deleteImagePullIntent('x'); // 3 lines > 2 × 1 live entry: compaction
    expect(nonZero(fs)).toEqual({ write: 2, open: 2, close: 3, fstat: 1, read: 2, rename: 1 });
    expect(journal.logLines).toBe(1);
    fs.resetCounters();
    journal.writeImagePullIntent('y');
    expect(nonZero(fs)).toEqual({ open: 1, write: 1 });
  });
});

describe('a pull through the PullManager', () => {
  /** Pulls `pairs` new image–credential pairs and checks each `checks` times; returns the system calls. */
  function workload(spec: string, pairs: number, checks: number): number {
    const parsed = parseRecordStoreSpec(spec);
    if (!parsed.ok) throw new Error(parsed.error);
    const fs = counted();
    const clock = new FakeClock();
    const pm = manager(
      openRecordStore(parsed.value, { fs, kubeletRoot: ROOT, profile: PROFILE, clock }).accessor,
      clock,
    );
    fs.resetCounters();
    for (let i = 0; i < pairs; i++) {
      const image = `registry.example/app-${i % 5}:v1`;
      const ref = `sha256:${i % 5}`;
      expect(pm.recordPullIntent(image)).toEqual({});
      pm.recordImagePulled(image, ref, { kubernetesSecrets: [secret(i)] });
      for (let c = 0; c < checks; c++)
        expect(pm.mustAttemptImagePull(image, ref, podWith(i)).mustPull).toBe(false);
      clock.advance(1_000_000);
    }
    return fs.ioTotals().syscalls.total;
  }

  it('journal:volatile-intents: one write per new pair, none per check (≤ 1.05 × the least possible I/O)', () => {
    const pairs = 50;
    const syscalls = workload('journal:volatile-intents', pairs, 10);
    // The least possible: one write per new image–credential pair, no read on a warm hit; plus the one open.
    expect(syscalls).toBe(pairs + 1);
    expect(syscalls / pairs).toBeLessThanOrEqual(1.05);
  });

  it('journal: three writes per pull (intent, record, intent delete), none per check', () => {
    expect(workload('journal', 50, 10)).toBe(3 * 50 + 1);
  });

  it('for comparison, the kubelet’s 1.35 stack pays the file protocol and a directory scan per mutation', () => {
    const kubelet = workload('fs+lru', 50, 10);
    const journal = workload('journal', 50, 10);
    // Per pull: 3 mutations × (stat, open, write, close, rename + lstat, open, getdents × 2, close), plus one
    // read of the (absent) record before it is written: well above the journal's 3.
    expect(kubelet).toBeGreaterThan(8 * journal);
  });

  it('a pull that changes nothing: 2 writes with durable intents, none with volatile ones', () => {
    for (const [spec, expected] of [
      ['journal', 2],
      ['journal:volatile-intents', 0],
    ] as const) {
      const parsed = parseRecordStoreSpec(spec);
      if (!parsed.ok) throw new Error(parsed.error);
      const fs = counted();
      const pm = manager(
        openRecordStore(parsed.value, { fs, kubeletRoot: ROOT, profile: PROFILE, clock: new FakeClock() })
          .accessor,
      );
      pm.recordPullIntent('nginx');
      pm.recordImagePulled('nginx', 'sha256:n', { kubernetesSecrets: [secret(1)] });
      fs.resetCounters();
      pm.recordPullIntent('nginx');
      pm.recordImagePulled('nginx', 'sha256:n', { kubernetesSecrets: [secret(1)] });
      expect(fs.ioTotals().syscalls.total, spec).toBe(expected);
    }
  });
});

describe('lastUpdatedTime', () => {
  it('is kept in whole seconds, as the kubelet reads its files back', () => {
    const journal = new JournalPullRecordsAccessor(counted(), ROOT, PROFILE);
    journal.writeImagePulledRecord({ ...record('r'), lastUpdatedTime: ticks(T0 + 1_999_999) });
    expect(journal.getImagePulledRecord('r').record?.lastUpdatedTime).toBe(T0 + 1_000_000);
  });
});
