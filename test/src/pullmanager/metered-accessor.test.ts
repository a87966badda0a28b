import { describe, expect, it } from 'vitest';
import { kubeletProfile } from '../../../src/profiles.js';
import type { PullRecordsAccessor } from '../../../src/pullmanager/accessor.js';
import { CachedPullRecordsAccessor } from '../../../src/pullmanager/cached-accessor.js';
import { FileSystemPullRecordsAccessor } from '../../../src/pullmanager/fs-accessor.js';
import {
  MeteredPullRecordsAccessor,
  newPullRecordMetrics,
  PULL_RECORD_METRIC_NAMES,
  type PullRecordMetrics,
  type SizeExposedPullRecordsAccessor,
} from '../../../src/pullmanager/metered-accessor.js';
import { openPullRecordsStore } from '../../../src/pullmanager/pull-records-store.js';
import {
  encodeImagePulledRecord,
  encodeImagePullIntent,
  type ImagePulledRecord,
  recordFileName,
} from '../../../src/pullmanager/records.js';
import { ticks } from '../../../src/time.js';
import { MemoryFileSystem } from '../../support/memory-fs.js';

const ROOT = '/var/lib/kubelet';
const PULLING = `${ROOT}/image_manager/pulling`;
const PULLED = `${ROOT}/image_manager/pulled`;

const rec = (imageRef: string): ImagePulledRecord => ({
  lastUpdatedTime: ticks(1_000_000),
  imageRef,
  credentialMapping: {},
});

/** (on-disk intents, in-memory intents %, on-disk records, in-memory records %) as in upstream metrics_test.go. */
function gauges(m: PullRecordMetrics): [number, number, number, number] {
  return [
    m.ondiskPullIntents,
    m.inmemoryPullIntentsUsagePercent,
    m.ondiskPulledRecords,
    m.inmemoryPulledRecordsUsagePercent,
  ];
}

function ok(result: { error?: string }): void {
  expect(result.error).toBeUndefined();
}

describe('metrics (metrics.go)', () => {
  it('exposes the four gauges under their kubelet names', () => {
    expect(Object.values(PULL_RECORD_METRIC_NAMES)).toEqual([
      'kubelet_imagemanager_ondisk_pullintents',
      'kubelet_imagemanager_ondisk_pulledrecords',
      'kubelet_imagemanager_inmemory_pullintents_usage_percent',
      'kubelet_imagemanager_inmemory_pulledrecords_usage_percent',
    ]);
    expect(newPullRecordMetrics()).toEqual({
      ondiskPullIntents: 0,
      ondiskPulledRecords: 0,
      inmemoryPullIntentsUsagePercent: 0,
      inmemoryPulledRecordsUsagePercent: 0,
    });
  });

  it('the worked example of metrics_test.go (file accessor + cache, intents 5, records 10)', () => {
    const fs = new MemoryFileSystem();
    const profile = kubeletProfile('1.35', { intentsCacheSize: 5, pulledRecordsCacheSize: 10 });
    const { accessor: a, metrics: m } = openPullRecordsStore(fs, ROOT, profile);

    expect(gauges(m)).toEqual([0, 0, 0, 0]);
    ok(a.writeImagePullIntent('test-image:latest'));
    expect(gauges(m)).toEqual([1, 20, 0, 0]);
    // Writing the same intent again does not change the counts.
    ok(a.writeImagePullIntent('test-image:latest'));
    ok(a.writeImagePullIntent('test-image:latest'));
    expect(gauges(m)).toEqual([1, 20, 0, 0]);
    ok(a.writeImagePullIntent('test-image:v1'));
    ok(a.writeImagePullIntent('test-image:v1.1'));
    expect(gauges(m)).toEqual([3, 60, 0, 0]);

    ok(a.writeImagePulledRecord(rec('test-image-latest-ref')));
    expect(gauges(m)).toEqual([3, 60, 1, 10]);
    ok(a.writeImagePulledRecord(rec('test-image-latest-ref')));
    ok(a.writeImagePulledRecord(rec('test-image-latest-ref')));
    expect(gauges(m)).toEqual([3, 60, 1, 10]);
    for (const ref of ['test-image-v1-ref', 'test-image-v1.1-ref', 'test-image-v1.2-ref']) {
      ok(a.writeImagePulledRecord(rec(ref)));
    }
    expect(gauges(m)).toEqual([3, 60, 4, 40]);

    ok(a.deleteImagePullIntent('test-image:latest'));
    expect(gauges(m)).toEqual([2, 40, 4, 40]);
    // Deleting an absent file is a success and recomputes the gauges.
    ok(a.deleteImagePullIntent('test-image:latest'));
    ok(a.deleteImagePullIntent('test-image:latest'));
    expect(gauges(m)).toEqual([2, 40, 4, 40]);
    ok(a.deleteImagePullIntent('test-image:v1'));
    ok(a.deleteImagePullIntent('test-image:v1.1'));
    expect(gauges(m)).toEqual([0, 0, 4, 40]);

    ok(a.deleteImagePulledRecord('test-image-v1.1-ref'));
    expect(gauges(m)).toEqual([0, 0, 3, 30]);
    ok(a.deleteImagePulledRecord('test-image-v1.1-ref'));
    ok(a.deleteImagePulledRecord('test-image-v1.1-ref'));
    expect(gauges(m)).toEqual([0, 0, 3, 30]);
    for (const ref of ['test-image-v1.2-ref', 'test-image-v1-ref', 'test-image-latest-ref']) {
      ok(a.deleteImagePulledRecord(ref));
    }
    expect(gauges(m)).toEqual([0, 0, 0, 0]);
    ok(a.deleteImagePulledRecord('test-image-v1-ref'));
    ok(a.deleteImagePulledRecord('test-image-latest-ref'));
    expect(gauges(m)).toEqual([0, 0, 0, 0]);

    // Exceeding the memory cache sizes: the in-memory gauge is LRU occupancy, capped at 100.
    for (let i = 0; i < 20; i++) {
      ok(a.writeImagePullIntent(`test-image-${i}:latest`));
      ok(a.writeImagePulledRecord(rec(`test-image-v${i}-ref`)));
    }
    expect(gauges(m)).toEqual([20, 100, 20, 100]);
    // Removing some of the latest records from the cache.
    ok(a.deleteImagePullIntent('test-image-19:latest'));
    expect(gauges(m)).toEqual([19, 80, 20, 100]);
    ok(a.deleteImagePulledRecord('test-image-v19-ref'));
    expect(gauges(m)).toEqual([19, 80, 19, 90]);
  });

  it('gauges are not set at start-up: files on disk, the migration and the cache warm-up leave them at 0', () => {
    const fs = new MemoryFileSystem();
    fs.put(`${PULLING}/${recordFileName('old')}`, encodeImagePullIntent({ image: 'old' }, 'v1alpha1'));
    fs.put(`${PULLED}/${recordFileName('r')}`, encodeImagePulledRecord(rec('r'), 'v1alpha1'));
    const { metrics } = openPullRecordsStore(fs, ROOT, kubeletProfile('1.35'));
    expect(fs.read(`${PULLING}/${recordFileName('old')}`)).toContain('v1beta1');
    expect(gauges(metrics)).toEqual([0, 0, 0, 0]);
  });

  it('reads and Lists do not update the gauges', () => {
    const fs = new MemoryFileSystem();
    fs.put(`${PULLING}/${recordFileName('i')}`, encodeImagePullIntent({ image: 'i' }, 'v1beta1'));
    fs.put(`${PULLED}/${recordFileName('r')}`, encodeImagePulledRecord(rec('r'), 'v1beta1'));
    const { accessor, metrics } = openPullRecordsStore(fs, ROOT, kubeletProfile('1.36'));
    accessor.listImagePullIntents();
    accessor.listImagePulledRecords();
    accessor.imagePullIntentExists('i');
    accessor.getImagePulledRecord('r');
    accessor.getImagePulledRecord('absent');
    expect(gauges(metrics)).toEqual([0, 0, 0, 0]);
  });

  it('failed mutations do not touch the gauges', () => {
    const fs = new MemoryFileSystem();
    const { accessor, metrics } = openPullRecordsStore(fs, ROOT, kubeletProfile('1.35'));
    ok(accessor.writeImagePullIntent('a'));
    const before = gauges(metrics);
    fs.failNext(`${PULLING}/${recordFileName('b')}.tmp`, 'ENOSPC', { op: 'writeFile' });
    expect(accessor.writeImagePullIntent('b').error).toContain('failed to create temporary file');
    fs.failNext(`${PULLING}/${recordFileName('a')}`, 'EACCES', { op: 'remove' });
    expect(accessor.deleteImagePullIntent('a').error).toContain('permission denied');
    fs.failNext(`${PULLED}/${recordFileName('r')}.tmp`, 'EIO', { op: 'rename' });
    expect(accessor.writeImagePulledRecord(rec('r')).error).toContain('input/output error');
    fs.failNext(`${PULLED}/${recordFileName('r')}`, 'EACCES', { op: 'remove' });
    expect(accessor.deleteImagePulledRecord('r').error).toContain('permission denied');
    expect(gauges(metrics)).toEqual(before);
  });

  it('a size-read error is logged and leaves the gauge unchanged', () => {
    const fs = new MemoryFileSystem();
    const lines: Array<{ message: string; fields?: Readonly<Record<string, string | number | boolean>> }> =
      [];
    const { accessor, metrics } = openPullRecordsStore(fs, ROOT, kubeletProfile('1.35'), {
      logger: {
        log: (message, fields) => lines.push(fields === undefined ? { message } : { message, fields }),
      },
    });
    ok(accessor.writeImagePullIntent('a'));
    ok(accessor.writeImagePulledRecord(rec('r')));
    fs.failNext(PULLING, 'EIO', { op: 'readDir' });
    ok(accessor.writeImagePullIntent('b'));
    fs.failNext(PULLED, 'EIO', { op: 'readDir' });
    ok(accessor.writeImagePulledRecord(rec('r2')));
    expect(metrics.ondiskPullIntents).toBe(1);
    expect(metrics.ondiskPulledRecords).toBe(1);
    expect(metrics.inmemoryPullIntentsUsagePercent).toBe(0); // 2 of 1024 → 0 %
    expect(lines.map((l) => l.message)).toEqual([
      "failed to read number of ImagePullIntents, can't update metric",
      "failed to read number of ImagePulledRecords, can't update metric",
    ]);
    expect(lines[0]?.fields?.metricName).toBe('kubelet_imagemanager_ondisk_pullintents');
    expect(String(lines[1]?.fields?.error)).toContain(`failed to open directory "${PULLED}"`);
  });

  it('a wrapper passes reads and Lists straight through', () => {
    const calls: string[] = [];
    const delegate: SizeExposedPullRecordsAccessor = {
      listImagePullIntents: () => {
        calls.push('li');
        return { intents: [], errors: [] };
      },
      imagePullIntentExists: () => {
        calls.push('e');
        return { exists: true };
      },
      writeImagePullIntent: () => ({}),
      deleteImagePullIntent: () => ({}),
      listImagePulledRecords: () => {
        calls.push('lr');
        return { records: [], errors: ['x'] };
      },
      getImagePulledRecord: () => {
        calls.push('g');
        return { exists: true, error: 'y' };
      },
      writeImagePulledRecord: () => ({}),
      deleteImagePulledRecord: () => ({}),
      intentsSize: () => ({ ok: true, value: 7 }),
      pulledRecordsSize: () => ({ ok: false, error: 'no' }),
    };
    const metrics = newPullRecordMetrics();
    const metered = new MeteredPullRecordsAccessor(delegate, metrics, 'inMemory');
    expect(metered.listImagePullIntents()).toEqual({ intents: [], errors: [] });
    expect(metered.imagePullIntentExists('i')).toEqual({ exists: true });
    expect(metered.listImagePulledRecords()).toEqual({ records: [], errors: ['x'] });
    expect(metered.getImagePulledRecord('r')).toEqual({ exists: true, error: 'y' });
    expect(calls).toEqual(['li', 'e', 'lr', 'g']);
    metered.deleteImagePullIntent('i');
    metered.deleteImagePulledRecord('r'); // size error, no logger: silently unchanged
    expect(metrics.inmemoryPullIntentsUsagePercent).toBe(7);
    expect(metrics.inmemoryPulledRecordsUsagePercent).toBe(0);
  });
});

describe('production stacking per profile', () => {
  it('1.35+: metering(in-memory %) → cache → metering(on-disk count) → file accessor', () => {
    const store = openPullRecordsStore(new MemoryFileSystem(), ROOT, kubeletProfile('1.35'));
    expect(store.accessor).toBeInstanceOf(MeteredPullRecordsAccessor);
    expect(store.cache).toBeInstanceOf(CachedPullRecordsAccessor);
    expect(store.files).toBeInstanceOf(FileSystemPullRecordsAccessor);
    expect([store.cache?.intentsCacheMaxSize, store.cache?.pulledRecordsCacheMaxSize]).toEqual([1024, 2000]);
  });

  it('1.33/1.34: the bare file accessor, no cache, gauges stay 0', () => {
    for (const version of ['1.33', '1.34'] as const) {
      const store = openPullRecordsStore(new MemoryFileSystem(), ROOT, kubeletProfile(version));
      expect(store.accessor).toBe(store.files);
      expect(store.cache).toBeUndefined();
      ok(store.accessor.writeImagePullIntent('a'));
      expect(gauges(store.metrics)).toEqual([0, 0, 0, 0]);
    }
  });

  it('a cache without metrics (version B) and metrics without a cache are both possible by override', () => {
    const cacheOnly = openPullRecordsStore(
      new MemoryFileSystem(),
      ROOT,
      kubeletProfile('1.35', { recordMetrics: false }),
    );
    expect(cacheOnly.accessor).toBe(cacheOnly.cache);
    const metricsOnly = openPullRecordsStore(
      new MemoryFileSystem(),
      ROOT,
      kubeletProfile('1.35', { inMemoryCache: false }),
    );
    ok(metricsOnly.accessor.writeImagePullIntent('a'));
    expect(gauges(metricsOnly.metrics)).toEqual([1, 0, 0, 0]);
  });
});

describe('I/O cost model through the whole 1.35 stack', () => {
  function store(cacheSizes?: { intents: number; records: number }) {
    const fs = new MemoryFileSystem();
    const profile = kubeletProfile(
      '1.35',
      cacheSizes === undefined
        ? {}
        : { intentsCacheSize: cacheSizes.intents, pulledRecordsCacheSize: cacheSizes.records },
    );
    const opened = openPullRecordsStore(fs, ROOT, profile);
    return { fs, accessor: opened.accessor as PullRecordsAccessor };
  }

  it('kubelet start: directory creation × 2, the migration pass, then the cache warm-up pass', () => {
    const { fs } = store();
    expect(fs.log.map((e) => `${e.op} ${e.path}`)).toEqual([
      `mkdirAll ${PULLING}`,
      `mkdirAll ${PULLED}`,
      `readDir ${PULLING}`,
      `readDir ${PULLED}`,
      `readDir ${PULLING}`,
      `readDir ${PULLED}`,
    ]);
  });

  it('a hit and an authoritative miss cost nothing', () => {
    const { fs, accessor } = store();
    ok(accessor.writeImagePulledRecord(rec('r')));
    fs.clearLog();
    accessor.getImagePulledRecord('r');
    accessor.getImagePulledRecord('absent');
    accessor.imagePullIntentExists('absent');
    expect(fs.log).toEqual([]);
  });

  it('a non-authoritative miss costs one read (absent) or one read and a cache insert (present)', () => {
    const { fs, accessor } = store({ intents: 1, records: 1 });
    ok(accessor.writeImagePulledRecord(rec('a')));
    ok(accessor.writeImagePulledRecord(rec('b'))); // evicts a: non-authoritative now
    fs.clearLog();
    accessor.getImagePulledRecord('absent');
    expect(fs.log).toEqual([{ op: 'readFile', path: `${PULLED}/${recordFileName('absent')}` }]);
    fs.clearLog();
    accessor.getImagePulledRecord('a');
    accessor.getImagePulledRecord('a');
    expect(fs.count('readFile')).toBe(1);
  });

  it('a successful write is W + a scan of that directory; a failed one is the part done + unlink(tmp), no scan', () => {
    const { fs, accessor } = store();
    fs.clearLog();
    ok(accessor.writeImagePullIntent('i'));
    expect(fs.log.map((e) => e.op)).toEqual(['mkdirAll', 'writeFile', 'rename', 'readDir']);
    expect(fs.log[3]?.path).toBe(PULLING);
    fs.clearLog();
    fs.failNext(`${PULLED}/${recordFileName('r')}.tmp`, 'ENOSPC', { op: 'writeFile' });
    accessor.writeImagePulledRecord(rec('r'));
    expect(fs.log.map((e) => e.op)).toEqual(['mkdirAll', 'writeFile', 'remove']);
  });

  it('a delete is one unlink plus a scan, whether or not the file existed', () => {
    const { fs, accessor } = store();
    ok(accessor.writeImagePullIntent('i'));
    fs.clearLog();
    ok(accessor.deleteImagePullIntent('i'));
    ok(accessor.deleteImagePullIntent('i'));
    expect(fs.log.map((e) => e.op)).toEqual(['remove', 'readDir', 'remove', 'readDir']);
  });

  it('a List reads the directory and every valid file, authoritative or not', () => {
    const { fs, accessor } = store();
    ok(accessor.writeImagePulledRecord(rec('a')));
    ok(accessor.writeImagePulledRecord(rec('b')));
    fs.clearLog();
    expect(accessor.listImagePulledRecords().records).toHaveLength(2);
    expect(fs.log.map((e) => e.op)).toEqual(['readDir', 'readFile', 'readFile']);
  });
});
