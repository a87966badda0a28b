import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SimFileSystem } from '../../../sim/world/filesystem.js';
import type { FileSystem } from '../../../src/ports.js';
import { type KubeletProfile, kubeletProfile } from '../../../src/profiles.js';
import { PullRecordsInitError } from '../../../src/pullmanager/fs-accessor.js';
import { openPullRecordsStore } from '../../../src/pullmanager/pull-records-store.js';
import { type ImagePulledRecord, recordFileName } from '../../../src/pullmanager/records.js';
import {
  MemoryPullRecordsAccessor,
  type OpenedRecordStore,
  openRecordStore,
  parseRecordStoreSpec,
  type RecordStoreOptions,
  type RecordStoreSpec,
} from '../../../src/strategies/index.js';
import { ticks } from '../../../src/time.js';
import { FakeClock, T0 } from '../../support/kubelet-fakes.js';
import { MemoryFileSystem } from '../../support/memory-fs.js';

/**
 * `openRecordStore`: each spec opens its strategy over the profile's codec; no spec is the profile's own stack;
 * `fs+lru:<i>/<r>` is the kubelet's cache algorithm with the sizes asked (same answers and I/O as the kubelet's
 * cache for sizes within its caps, and larger caches beyond them).
 */

const ROOT = '/var/lib/kubelet';
const PULLED = `${ROOT}/image_manager/pulled`;
const PROFILE = kubeletProfile('1.36');

function spec(text: string): RecordStoreSpec {
  const parsed = parseRecordStoreSpec(text);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.value;
}

/** Opens the strategy `text` names over `fs`, by default with the 1.36 profile and a clock of its own. */
const open = (text: string, fs: FileSystem, options: Partial<RecordStoreOptions> = {}): OpenedRecordStore =>
  openRecordStore(spec(text), {
    fs,
    kubeletRoot: ROOT,
    profile: PROFILE,
    clock: new FakeClock(),
    ...options,
  });

const record = (imageRef: string): ImagePulledRecord => ({
  lastUpdatedTime: T0,
  imageRef,
  credentialMapping: { 'docker.io/library/x': { nodePodsAccessible: true } },
});

describe('openRecordStore', () => {
  it.each<[string, string[], boolean]>([
    ['fs', ['accessor'], true],
    ['fs+lru', ['accessor', 'metrics'], true],
    ['fs+lru:3/4', ['accessor', 'metrics'], true],
    ['memory', ['accessor'], false],
    ['ttl:1h', ['accessor', 'metrics'], true],
    ['revoke-on-delete', ['accessor', 'metrics', 'onCredentialSourceDeleted'], true],
    ['journal', ['accessor'], false],
    ['journal:volatile-intents', ['accessor'], false],
  ])('%s opens with %j and kubelet directories: %s', (text, keys, kubeletDirs) => {
    const fs = new MemoryFileSystem();
    const opened = open(text, fs);
    expect(Object.keys(opened).sort()).toEqual(keys);
    expect(fs.exists(PULLED)).toBe(kubeletDirs);
    expect(opened.accessor.writeImagePulledRecord(record('r'))).toEqual({});
    expect(opened.accessor.getImagePulledRecord('r').record).toEqual(record('r'));
  });

  it('without a spec opens exactly the profile’s own stack', () => {
    for (const version of ['1.33', '1.36'] as const) {
      const profile = kubeletProfile(version);
      const a = new SimFileSystem();
      const b = new SimFileSystem();
      const opened = openRecordStore(undefined, {
        fs: a,
        kubeletRoot: ROOT,
        profile,
        clock: new FakeClock(),
      });
      const own = openPullRecordsStore(b, ROOT, profile);
      for (const store of [opened, own]) {
        store.accessor.writeImagePullIntent('x');
        store.accessor.writeImagePulledRecord(record('r'));
        store.accessor.getImagePulledRecord('missing');
      }
      expect(a.ioTotals()).toEqual(b.ioTotals());
      expect(a.snapshotFiles('/')).toEqual(b.snapshotFiles('/'));
      expect(opened.metrics).toEqual(own.metrics);
    }
  });

  it('fs is the 1.33 shape under any profile: no cache, no gauges, every check reads the file', () => {
    const fs = new SimFileSystem({ countUnder: ROOT });
    const opened = open('fs', fs);
    opened.accessor.writeImagePulledRecord(record('r'));
    fs.resetCounters();
    opened.accessor.getImagePulledRecord('r');
    expect(fs.ioTotals().syscalls).toMatchObject({ open: 1, fstat: 1, read: 2, close: 1, total: 5 });
  });

  it('memory touches no file and forgets everything at a restart', () => {
    const fs = new SimFileSystem();
    const first = open('memory', fs);
    expect(first.accessor).toBeInstanceOf(MemoryPullRecordsAccessor);
    first.accessor.writeImagePullIntent('b');
    first.accessor.writeImagePullIntent('a');
    first.accessor.writeImagePullIntent('a');
    first.accessor.writeImagePulledRecord(record('r2'));
    first.accessor.writeImagePulledRecord(record('r1'));
    first.accessor.writeImagePulledRecord(record('r1'));
    expect(first.accessor.listImagePullIntents().intents).toHaveLength(2);
    expect(first.accessor.deleteImagePullIntent('a')).toEqual({});
    expect(first.accessor.deleteImagePulledRecord('r2')).toEqual({});
    expect(first.accessor.listImagePulledRecords()).toEqual({ records: [record('r1')], errors: [] });
    expect(fs.ioTotals().syscalls.total).toBe(0);
    expect(fs.exists(ROOT)).toBe(false);
    const second = open('memory', fs);
    expect(second.accessor.getImagePulledRecord('r1')).toEqual({ exists: false });
    expect(second.accessor.imagePullIntentExists('b')).toEqual({ exists: false });
  });

  it('refuses to open when the record directories cannot be created, as the kubelet does', () => {
    for (const text of ['fs', 'fs+lru', 'fs+lru:3/4', 'ttl:1h', 'revoke-on-delete', 'journal']) {
      const fs = new MemoryFileSystem();
      fs.put(`${ROOT}/image_manager`, 'a file in the way');
      expect(() => open(text, fs), text).toThrow(PullRecordsInitError);
    }
  });
});

describe('fs+lru:<intents>/<records>', () => {
  it('is not capped: 3000 records keep a 3000-entry cache authoritative where the kubelet’s 2000 cannot', () => {
    const misses = (text: string) => {
      const fs = new SimFileSystem({ countUnder: ROOT });
      const writer = open('fs', fs);
      for (let i = 0; i < 2500; i++) writer.accessor.writeImagePulledRecord(record(`sha256:${i}`));
      const opened = open(text, fs);
      fs.resetCounters();
      for (let i = 0; i < 10; i++) opened.accessor.getImagePulledRecord(`sha256:missing-${i}`);
      return { syscalls: fs.ioTotals().syscalls.total, metrics: opened.metrics };
    };
    // The kubelet's cache holds 2000 of the 2500 records and stays non-authoritative: each miss opens a file.
    expect(misses('fs+lru').syscalls).toBe(10);
    expect(misses('fs+lru:1024/3000').syscalls).toBe(0);
  });

  it('reports cache usage against the sizes asked', () => {
    const opened = open('fs+lru:4/8', new MemoryFileSystem());
    opened.accessor.writeImagePullIntent('a');
    opened.accessor.writeImagePulledRecord(record('r'));
    expect(opened.metrics).toEqual({
      ondiskPullIntents: 1,
      ondiskPulledRecords: 1,
      inmemoryPullIntentsUsagePercent: 25,
      inmemoryPulledRecordsUsagePercent: 12,
    });
  });

  it('keeps a record cached when its delete fails, as the kubelet’s cache does', () => {
    const fs = new MemoryFileSystem();
    const opened = open('fs+lru:3/4', fs);
    opened.accessor.writeImagePulledRecord(record('r'));
    fs.failNext(`${PULLED}/${recordFileName('r')}`, 'EACCES', { op: 'remove' });
    expect(opened.accessor.deleteImagePulledRecord('r').error).toContain('permission denied');
    expect(opened.accessor.getImagePulledRecord('r').record).toEqual(record('r'));
  });

  it('logs a failed warm-up as the kubelet’s cache does', () => {
    const fs = new MemoryFileSystem();
    fs.put(`${ROOT}/image_manager/pulling/sha256-bad`, 'x');
    fs.put(`${PULLED}/sha256-bad`, 'x');
    const logs: string[] = [];
    open('fs+lru:3/4', fs, {
      logger: { log: (message) => logs.push(message) },
    });
    expect(logs.filter((m) => m.includes('non-authoritative mode'))).toHaveLength(2);
  });

  /**
   * Invariant: with sizes within the kubelet's caps, `fs+lru:<i>/<r>` (exact sizes, no caps) and the kubelet's
   * stack opened with those sizes in its profile give the same answers, the same gauges and the same system calls
   * for any sequence of calls, failures and restarts.
   */
  it('makes the same answers and the same system calls as the kubelet’s cache for sizes within its caps', () => {
    type Call =
      | { readonly call: 'writeIntent' | 'deleteIntent' | 'intentExists'; readonly key: string }
      | { readonly call: 'writeRecord' | 'deleteRecord' | 'getRecord'; readonly key: string }
      | { readonly call: 'listIntents' | 'listRecords' | 'restart' | 'failNextWrite' };
    const key = fc.constantFrom('a', 'b', 'c', 'd', 'e');
    const call: fc.Arbitrary<Call> = fc.oneof(
      fc.record({
        call: fc.constantFrom(
          'writeIntent',
          'deleteIntent',
          'intentExists',
          'writeRecord',
          'deleteRecord',
          'getRecord',
        ),
        key,
      }),
      fc.record({ call: fc.constantFrom('listIntents', 'listRecords', 'restart', 'failNextWrite') }),
    ) as fc.Arbitrary<Call>;
    const profile: KubeletProfile = kubeletProfile('1.36', {
      intentsCacheSize: 2,
      pulledRecordsCacheSize: 3,
    });
    fc.assert(
      fc.property(fc.array(call, { maxLength: 50 }), (calls) => {
        const fsA = new SimFileSystem();
        const fsB = new SimFileSystem();
        const openA = (): OpenedRecordStore => open('fs+lru:2/3', fsA, { profile });
        const openB = (): OpenedRecordStore => openPullRecordsStore(fsB, ROOT, profile);
        let a = openA();
        let b = openB();
        for (const c of calls) {
          const run = (s: OpenedRecordStore, fs: SimFileSystem): unknown => {
            switch (c.call) {
              case 'writeIntent':
                return s.accessor.writeImagePullIntent(c.key);
              case 'deleteIntent':
                return s.accessor.deleteImagePullIntent(c.key);
              case 'intentExists':
                return s.accessor.imagePullIntentExists(c.key);
              case 'writeRecord':
                return s.accessor.writeImagePulledRecord({ ...record(c.key), lastUpdatedTime: ticks(T0) });
              case 'deleteRecord':
                return s.accessor.deleteImagePulledRecord(c.key);
              case 'getRecord':
                return s.accessor.getImagePulledRecord(c.key);
              case 'listIntents':
                return s.accessor.listImagePullIntents();
              case 'listRecords':
                return s.accessor.listImagePulledRecords();
              case 'failNextWrite':
                fs.armFault({ kind: 'writeError' });
                return undefined;
              case 'restart':
                return undefined;
            }
          };
          if (c.call === 'restart') {
            a = openA();
            b = openB();
          }
          expect(run(a, fsA)).toEqual(run(b, fsB));
          expect(fsA.ioTotals()).toEqual(fsB.ioTotals());
          expect(a.metrics).toEqual(b.metrics);
        }
      }),
      { numRuns: 150 },
    );
  });
});
