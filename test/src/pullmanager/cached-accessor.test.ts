import { describe, expect, it } from 'vitest';
import { kubeletProfile } from '../../../src/profiles.js';
import type { PullRecordsAccessor } from '../../../src/pullmanager/accessor.js';
import {
  CachedPullRecordsAccessor,
  MAX_INTENTS_CACHE_SIZE,
  MAX_PULLED_RECORDS_CACHE_SIZE,
} from '../../../src/pullmanager/cached-accessor.js';
import { FileSystemPullRecordsAccessor } from '../../../src/pullmanager/fs-accessor.js';
import {
  encodeImagePulledRecord,
  type ImagePulledRecord,
  type ImagePullIntent,
  recordFileName,
} from '../../../src/pullmanager/records.js';
import { ticks } from '../../../src/time.js';
import { MemoryFileSystem } from '../../support/memory-fs.js';

/**
 * A map-backed delegate like upstream's `testPullRecordsAccessor` (mem_pullrecords_test.go): Lists come back
 * sorted by key, list errors and a "next get/write error" can be set, and every call is recorded.
 */
class FakeAccessor implements PullRecordsAccessor {
  readonly intents = new Map<string, ImagePullIntent>();
  readonly records = new Map<string, ImagePulledRecord>();
  intentsListError: string | undefined;
  recordsListError: string | undefined;
  nextError: string | undefined;
  readonly calls: string[] = [];

  constructor(images: readonly string[] = [], refs: readonly string[] = []) {
    for (const image of images) this.intents.set(image, { image });
    for (const ref of refs) this.records.set(ref, rec(ref));
  }

  listImagePullIntents() {
    this.calls.push('ListImagePullIntents');
    const intents = [...this.intents.keys()].sort().map((k) => this.intents.get(k)!);
    return { intents, errors: this.intentsListError === undefined ? [] : [this.intentsListError] };
  }

  imagePullIntentExists(image: string) {
    this.calls.push(`ImagePullIntentExists ${image}`);
    if (this.nextError !== undefined) return { exists: false, error: this.nextError };
    return { exists: this.intents.has(image) };
  }

  writeImagePullIntent(image: string) {
    this.calls.push(`WriteImagePullIntent ${image}`);
    if (this.nextError !== undefined) return { error: this.nextError };
    this.intents.set(image, { image });
    return {};
  }

  deleteImagePullIntent(image: string) {
    this.calls.push(`DeleteImagePullIntent ${image}`);
    if (this.nextError !== undefined) return { error: this.nextError };
    this.intents.delete(image);
    return {};
  }

  listImagePulledRecords() {
    this.calls.push('ListImagePulledRecords');
    const records = [...this.records.keys()].sort().map((k) => this.records.get(k)!);
    return { records, errors: this.recordsListError === undefined ? [] : [this.recordsListError] };
  }

  getImagePulledRecord(imageRef: string) {
    this.calls.push(`GetImagePulledRecord ${imageRef}`);
    const record = this.records.get(imageRef);
    if (this.nextError !== undefined) return { exists: record !== undefined, error: this.nextError };
    return record === undefined ? { exists: false } : { record, exists: true };
  }

  writeImagePulledRecord(record: ImagePulledRecord) {
    this.calls.push(`WriteImagePulledRecord ${record.imageRef}`);
    if (this.nextError !== undefined) return { error: this.nextError };
    this.records.set(record.imageRef, record);
    return {};
  }

  deleteImagePulledRecord(imageRef: string) {
    this.calls.push(`DeleteImagePulledRecord ${imageRef}`);
    if (this.nextError !== undefined) return { error: this.nextError };
    this.records.delete(imageRef);
    return {};
  }
}

function rec(imageRef: string, seconds = 1): ImagePulledRecord {
  return { lastUpdatedTime: ticks(seconds * 1_000_000), imageRef, credentialMapping: {} };
}

const names = (prefix: string, n: number) =>
  Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(3, '0')}`);

function cached(delegate: PullRecordsAccessor, intents = 50, records = 100) {
  return new CachedPullRecordsAccessor(delegate, {
    intentsCacheSize: intents,
    pulledRecordsCacheSize: records,
  });
}

describe('capacities', () => {
  it('caps the intents cache at 1024 and the pulled-records cache at 2000', () => {
    const c = cached(new FakeAccessor(), 5000, 5000);
    expect([c.intentsCacheMaxSize, c.pulledRecordsCacheMaxSize]).toEqual([1024, 2000]);
    expect([MAX_INTENTS_CACHE_SIZE, MAX_PULLED_RECORDS_CACHE_SIZE]).toEqual([1024, 2000]);
    const small = cached(new FakeAccessor(), 5, 10);
    expect([small.intentsCacheMaxSize, small.pulledRecordsCacheMaxSize]).toEqual([5, 10]);
  });

  it('capped: false takes the sizes as requested, beyond the caps (fs+lru:<i>/<r>)', () => {
    const big = new CachedPullRecordsAccessor(new FakeAccessor(), {
      intentsCacheSize: 4096,
      pulledRecordsCacheSize: 16_384,
      capped: false,
    });
    expect([big.intentsCacheMaxSize, big.pulledRecordsCacheMaxSize]).toEqual([4096, 16_384]);
    const uncapped = (intents: number, records: number) =>
      new CachedPullRecordsAccessor(new FakeAccessor(), {
        intentsCacheSize: intents,
        pulledRecordsCacheSize: records,
        capped: false,
      });
    expect(() => uncapped(0, 1)).toThrow('intents cache size must be an integer ≥ 1, got 0');
    expect(() => uncapped(1, 1.5)).toThrow('pulled records cache size must be an integer ≥ 1, got 1.5');
  });

  it('refuses a size below 1 (upstream: an unbounded LRU and a division by zero in the usage gauge)', () => {
    expect(() => cached(new FakeAccessor(), 0, 10)).toThrow(RangeError);
    expect(() => cached(new FakeAccessor(), 5, -1)).toThrow(RangeError);
    expect(() => cached(new FakeAccessor(), 1.5, 10)).toThrow(RangeError);
  });
});

describe('constructor warm-up (TestNewCachedPullRecordsAccessor)', () => {
  it('no issues during init: both caches filled and authoritative', () => {
    const delegate = new FakeAccessor(['b', 'a'], ['r2', 'r1']);
    const c = cached(delegate);
    expect(delegate.calls).toEqual(['ListImagePullIntents', 'ListImagePulledRecords']);
    expect(c.cachedIntentImages()).toEqual(['a', 'b']);
    expect(c.cachedPulledRecordRefs()).toEqual(['r1', 'r2']);
    expect([c.intentsAuthoritative, c.pulledRecordsAuthoritative]).toEqual([true, true]);
  });

  it('a List that fails during warm-up still fills an empty cache but leaves it non-authoritative', () => {
    const delegate = new FakeAccessor(['a', 'b'], ['r1']);
    delegate.intentsListError = 'intentsError';
    const lines: string[] = [];
    const c = new CachedPullRecordsAccessor(delegate, {
      intentsCacheSize: 50,
      pulledRecordsCacheSize: 100,
      logger: { log: (message) => lines.push(message) },
    });
    expect(c.cachedIntentImages()).toEqual(['a', 'b']);
    expect([c.intentsAuthoritative, c.pulledRecordsAuthoritative]).toEqual([false, true]);
    expect(lines).toEqual([
      'there was an error initializing the image pull intents cache, the cache will work in a non-authoritative mode until the intents are listed successfully',
    ]);
  });

  it('both delegate Lists fail during init: both caches filled, neither authoritative, both logged', () => {
    const delegate = new FakeAccessor(['a'], ['r1']);
    delegate.intentsListError = 'intentsError';
    delegate.recordsListError = 'pulledRecordsError';
    const lines: string[] = [];
    const c = new CachedPullRecordsAccessor(delegate, {
      intentsCacheSize: 50,
      pulledRecordsCacheSize: 100,
      logger: { log: (message) => lines.push(message) },
    });
    expect([c.intentsAuthoritative, c.pulledRecordsAuthoritative]).toEqual([false, false]);
    expect(c.cachedPulledRecordRefs()).toEqual(['r1']);
    expect(lines).toHaveLength(2);
  });

  it('a List with ≥ maxSize entries caches the first maxSize (in list order) and stays non-authoritative', () => {
    const manyIntents = names('img', 51);
    const manyRecords = names('ref', 101);
    const c = cached(new FakeAccessor(manyIntents, manyRecords), 50, 100);
    expect(c.cachedIntentImages()).toEqual(manyIntents.slice(0, 50));
    expect(c.cachedPulledRecordRefs()).toEqual(manyRecords.slice(0, 100));
    expect([c.intentsAuthoritative, c.pulledRecordsAuthoritative]).toEqual([false, false]);
  });

  it('exactly maxSize entries is not authoritative: the comparison is strict', () => {
    const c = cached(new FakeAccessor(names('i', 5), names('r', 10)), 5, 10);
    expect([c.intentsAuthoritative, c.pulledRecordsAuthoritative]).toEqual([false, false]);
    const fits = cached(new FakeAccessor(names('i', 4), names('r', 9)), 5, 10);
    expect([fits.intentsAuthoritative, fits.pulledRecordsAuthoritative]).toEqual([true, true]);
  });

  it('on disk, the first maxSize records in file-name (hash) order are the ones cached', () => {
    const fs = new MemoryFileSystem();
    const files = new FileSystemPullRecordsAccessor(fs, '/k', {
      recordApiVersion: 'v1beta1',
      decodableApiVersions: ['v1beta1'],
      serviceAccountField: true,
      migrateRecordsAtStartup: false,
    });
    const refs = names('ref', 6);
    for (const ref of refs) files.writeImagePulledRecord(rec(ref));
    const byHash = [...refs].sort((a, b) => (recordFileName(a) < recordFileName(b) ? -1 : 1));
    const c = cached(files, 5, 4);
    expect(c.cachedPulledRecordRefs()).toEqual(byHash.slice(0, 4));
    expect(c.pulledRecordsAuthoritative).toBe(false);
  });
});

describe('List (refreshing list)', () => {
  it('always reads the delegate, even when authoritative', () => {
    const delegate = new FakeAccessor(['a'], ['r']);
    const c = cached(delegate);
    delegate.calls.length = 0;
    c.listImagePullIntents();
    c.listImagePulledRecords();
    expect(delegate.calls).toEqual(['ListImagePullIntents', 'ListImagePulledRecords']);
  });

  it('an authoritative cache returns the delegate answer unchanged and does not touch the cache', () => {
    const delegate = new FakeAccessor(['a'], []);
    const c = cached(delegate);
    delegate.intents.set('behind-the-back', { image: 'behind-the-back' });
    expect(c.listImagePullIntents()).toEqual({
      intents: [{ image: 'a' }, { image: 'behind-the-back' }],
      errors: [],
    });
    expect(c.cachedIntentImages()).toEqual(['a']);
    expect(c.intentsAuthoritative).toBe(true);
  });

  it('a partial List with an error while authoritative keeps the flag', () => {
    const delegate = new FakeAccessor(['a', 'b', 'c'], []);
    const c = cached(delegate);
    delegate.intents.delete('c');
    delegate.intentsListError = 'only partial list was returned';
    expect(c.listImagePullIntents()).toEqual({
      intents: [{ image: 'a' }, { image: 'b' }],
      errors: ['only partial list was returned'],
    });
    expect(c.intentsAuthoritative).toBe(true);
    expect(c.cachedIntentImages()).toEqual(['a', 'b', 'c']);
  });

  it('a successful List on a non-authoritative cache replaces its content and makes it authoritative', () => {
    const delegate = new FakeAccessor(names('i', 4), []);
    const c = cached(delegate, 3, 10);
    expect(c.intentsAuthoritative).toBe(false);
    expect(c.cachedIntentImages()).toEqual(['i000', 'i001', 'i002']);
    delegate.intents.clear();
    delegate.intents.set('fresh', { image: 'fresh' });
    c.listImagePullIntents();
    expect(c.cachedIntentImages()).toEqual(['fresh']);
    expect(c.intentsAuthoritative).toBe(true);
  });

  it('a failed List on a non-authoritative, non-empty cache leaves cache and flag alone', () => {
    const delegate = new FakeAccessor(names('i', 4), []);
    const c = cached(delegate, 3, 10);
    delegate.intents.clear();
    delegate.intentsListError = 'boom';
    expect(c.listImagePullIntents()).toEqual({ intents: [], errors: ['boom'] });
    expect(c.cachedIntentImages()).toEqual(['i000', 'i001', 'i002']);
    expect(c.intentsAuthoritative).toBe(false);
  });

  it('an empty successful List makes the cache authoritative and returns an empty (not absent) list', () => {
    const delegate = new FakeAccessor([], []);
    const c = cached(delegate);
    expect(c.intentsAuthoritative).toBe(true);
    expect(c.listImagePullIntents()).toEqual({ intents: [], errors: [] });
    expect(c.listImagePulledRecords()).toEqual({ records: [], errors: [] });
  });

  it('stays non-authoritative after an eviction until a clean List returns fewer than maxSize entries', () => {
    const delegate = new FakeAccessor([], []);
    const c = cached(delegate, 2, 10);
    for (const image of ['a', 'b', 'c']) c.writeImagePullIntent(image);
    expect(c.intentsAuthoritative).toBe(false);
    c.deleteImagePullIntent('a');
    c.deleteImagePullIntent('b');
    expect(c.intentsAuthoritative).toBe(false);
    c.listImagePullIntents();
    expect(c.intentsAuthoritative).toBe(true);
    expect(c.cachedIntentImages()).toEqual(['c']);
  });
});

describe('point reads', () => {
  it('a hit never asks the delegate', () => {
    const delegate = new FakeAccessor(['a'], ['r']);
    const c = cached(delegate);
    delegate.calls.length = 0;
    expect(c.imagePullIntentExists('a')).toEqual({ exists: true });
    expect(c.getImagePulledRecord('r')).toEqual({ record: rec('r'), exists: true });
    expect(delegate.calls).toEqual([]);
  });

  it('while authoritative a miss returns absent without asking the delegate', () => {
    const delegate = new FakeAccessor([], []);
    const c = cached(delegate);
    delegate.calls.length = 0;
    delegate.records.set('behind-the-back', rec('behind-the-back'));
    expect(c.getImagePulledRecord('behind-the-back')).toEqual({ exists: false });
    expect(c.imagePullIntentExists('nope')).toEqual({ exists: false });
    expect(delegate.calls).toEqual([]);
  });

  it('a non-authoritative miss asks the delegate and caches a clean hit', () => {
    const delegate = new FakeAccessor(names('i', 3), names('r', 3));
    const c = cached(delegate, 2, 2);
    delegate.calls.length = 0;
    expect(c.getImagePulledRecord('r002')).toEqual({ record: rec('r002'), exists: true });
    expect(c.imagePullIntentExists('i002')).toEqual({ exists: true });
    expect(c.cachedPulledRecordRefs()).toContain('r002');
    expect(c.cachedIntentImages()).toContain('i002');
    delegate.calls.length = 0;
    c.getImagePulledRecord('r002');
    c.imagePullIntentExists('i002');
    expect(delegate.calls).toEqual([]);
  });

  it('misses are not cached: every non-authoritative miss asks the delegate again', () => {
    const delegate = new FakeAccessor(names('i', 3), names('r', 3));
    const c = cached(delegate, 2, 2);
    delegate.calls.length = 0;
    c.getImagePulledRecord('absent');
    c.getImagePulledRecord('absent');
    c.imagePullIntentExists('absent');
    c.imagePullIntentExists('absent');
    expect(delegate.calls).toEqual([
      'GetImagePulledRecord absent',
      'GetImagePulledRecord absent',
      'ImagePullIntentExists absent',
      'ImagePullIntentExists absent',
    ]);
  });

  it('a delegate error passes through unchanged and nothing is cached', () => {
    const delegate = new FakeAccessor(names('i', 3), names('r', 3));
    const c = cached(delegate, 2, 2);
    delegate.nextError = 'decode error';
    expect(c.getImagePulledRecord('r002')).toEqual({ exists: true, error: 'decode error' });
    expect(c.imagePullIntentExists('i002')).toEqual({ exists: false, error: 'decode error' });
    expect(c.cachedPulledRecordRefs()).not.toContain('r002');
    expect(c.cachedIntentImages()).not.toContain('i002');
  });

  it('Get bumps recency: the entry read last is evicted last', () => {
    const c = cached(new FakeAccessor([], []), 3, 3);
    for (const ref of ['a', 'b', 'c']) c.writeImagePulledRecord(rec(ref));
    c.getImagePulledRecord('a');
    c.writeImagePulledRecord(rec('d'));
    expect(c.cachedPulledRecordRefs()).toEqual(['c', 'a', 'd']);
  });

  it('does not validate name vs content: what the delegate returns is cached under the requested key', () => {
    const delegate = new FakeAccessor([], names('r', 3));
    const c = cached(delegate, 2, 2);
    delegate.records.set('asked', rec('answered'));
    expect(c.getImagePulledRecord('asked').record?.imageRef).toBe('answered');
    expect(c.cachedPulledRecordRefs()).toContain('asked');
  });
});

describe('writes and deletes', () => {
  it('writes through after delegate success, even when the same value is already cached', () => {
    const delegate = new FakeAccessor([], []);
    const c = cached(delegate);
    const first = rec('r', 1);
    const second = rec('r', 2);
    c.writeImagePulledRecord(first);
    c.writeImagePulledRecord(second);
    c.writeImagePullIntent('i');
    c.writeImagePullIntent('i');
    expect(delegate.calls.filter((call) => call.startsWith('Write'))).toHaveLength(4);
    delegate.calls.length = 0;
    expect(c.getImagePulledRecord('r').record).toBe(second);
    expect(delegate.calls).toEqual([]);
  });

  it('a failed write leaves the cache untouched (a stale old value stays)', () => {
    const delegate = new FakeAccessor([], []);
    const c = cached(delegate);
    const old = rec('r', 1);
    c.writeImagePulledRecord(old);
    delegate.nextError = 'disk full';
    expect(c.writeImagePulledRecord(rec('r', 2))).toEqual({ error: 'disk full' });
    expect(c.writeImagePullIntent('i')).toEqual({ error: 'disk full' });
    delegate.nextError = undefined;
    expect(c.getImagePulledRecord('r').record).toBe(old);
    expect(c.cachedIntentImages()).toEqual([]);
    expect(c.intentsAuthoritative).toBe(true);
  });

  it('writing a new key into a full authoritative cache evicts the oldest entry and makes it non-authoritative', () => {
    const c = cached(new FakeAccessor(['a', 'b'], ['r1', 'r2']), 3, 3);
    expect(c.intentsAuthoritative).toBe(true);
    c.writeImagePullIntent('c');
    expect(c.intentsAuthoritative).toBe(true);
    c.writeImagePullIntent('d');
    expect(c.cachedIntentImages()).toEqual(['b', 'c', 'd']);
    expect(c.intentsAuthoritative).toBe(false);
    c.writeImagePulledRecord(rec('r3'));
    c.writeImagePulledRecord(rec('r1'));
    expect(c.pulledRecordsAuthoritative).toBe(true);
    c.writeImagePulledRecord(rec('r4'));
    expect(c.pulledRecordsAuthoritative).toBe(false);
  });

  it('explicit deletes never change the flag, in either state; an absent key is a no-op', () => {
    const delegate = new FakeAccessor(['a', 'b'], ['r1']);
    const c = cached(delegate, 3, 3);
    c.deleteImagePullIntent('a');
    c.deleteImagePullIntent('absent');
    c.deleteImagePulledRecord('r1');
    expect([c.intentsAuthoritative, c.pulledRecordsAuthoritative]).toEqual([true, true]);
    expect(c.cachedIntentImages()).toEqual(['b']);
    expect(c.cachedPulledRecordRefs()).toEqual([]);
    for (const image of ['x', 'y', 'z']) c.writeImagePullIntent(image);
    expect(c.intentsAuthoritative).toBe(false);
    c.deleteImagePullIntent('z');
    expect(c.intentsAuthoritative).toBe(false);
  });

  it('explicit deletes and failed delegate calls never change the cache or the flag', () => {
    for (const authoritative of [true, false]) {
      const delegate = new FakeAccessor(authoritative ? ['a', 'b'] : ['a', 'b', 'c', 'd'], ['r1']);
      const c = cached(delegate, 3, 3);
      expect(c.intentsAuthoritative).toBe(authoritative);
      const before = c.cachedIntentImages();
      delegate.nextError = 'injected';
      c.writeImagePullIntent('new');
      c.deleteImagePullIntent('a');
      c.imagePullIntentExists('zzz');
      c.writeImagePulledRecord(rec('r9'));
      c.deleteImagePulledRecord('r1');
      c.getImagePulledRecord('r9');
      expect(c.cachedIntentImages()).toEqual(before);
      expect(c.cachedPulledRecordRefs()).toEqual(['r1']);
      delegate.nextError = undefined;
      c.deleteImagePullIntent('a');
      expect(c.cachedIntentImages()).toEqual(before.filter((i) => i !== 'a'));
      expect([c.intentsAuthoritative, c.pulledRecordsAuthoritative]).toEqual([authoritative, true]);
    }
  });

  it('a failed delete changes neither the cache nor the flag', () => {
    const delegate = new FakeAccessor(['a'], ['r']);
    const c = cached(delegate);
    delegate.nextError = 'EACCES';
    expect(c.deleteImagePullIntent('a')).toEqual({ error: 'EACCES' });
    expect(c.deleteImagePulledRecord('r')).toEqual({ error: 'EACCES' });
    expect(c.cachedIntentImages()).toEqual(['a']);
    expect(c.cachedPulledRecordRefs()).toEqual(['r']);
    expect([c.intentsAuthoritative, c.pulledRecordsAuthoritative]).toEqual([true, true]);
  });
});

describe('consistency (non-)guarantees', () => {
  const ROOT = '/var/lib/kubelet';
  const PULLED = `${ROOT}/image_manager/pulled`;

  function stack(fs: MemoryFileSystem, records = 100) {
    const profile = kubeletProfile('1.35');
    const files = new FileSystemPullRecordsAccessor(fs, ROOT, {
      recordApiVersion: profile.recordApiVersion,
      decodableApiVersions: profile.decodableApiVersions,
      serviceAccountField: true,
      migrateRecordsAtStartup: true,
    });
    return cached(files, 50, records);
  }

  it('while authoritative, a miss does no disk I/O at all', () => {
    const fs = new MemoryFileSystem();
    const c = stack(fs);
    fs.clearLog();
    expect(c.getImagePulledRecord('anything')).toEqual({ exists: false });
    expect(c.imagePullIntentExists('anything')).toEqual({ exists: false });
    expect(fs.log).toEqual([]);
  });

  it('files changed behind the kubelet are not noticed for cached keys or authoritative misses; a restart re-reads', () => {
    const fs = new MemoryFileSystem();
    const c = stack(fs);
    c.writeImagePulledRecord(rec('cached'));
    fs.remove(`${PULLED}/${recordFileName('cached')}`);
    fs.put(`${PULLED}/${recordFileName('added')}`, encodeImagePulledRecord(rec('added'), 'v1beta1'));
    expect(c.getImagePulledRecord('cached').exists).toBe(true);
    expect(c.getImagePulledRecord('added').exists).toBe(false);
    const restarted = stack(fs);
    expect(restarted.getImagePulledRecord('cached').exists).toBe(false);
    expect(restarted.getImagePulledRecord('added').exists).toBe(true);
  });

  it('a corrupt file read through a non-authoritative cache is (none, true, error) and is not cached', () => {
    const fs = new MemoryFileSystem();
    for (const ref of ['a', 'b', 'c'])
      fs.put(`${PULLED}/${recordFileName(ref)}`, encodeImagePulledRecord(rec(ref), 'v1beta1'));
    fs.put(`${PULLED}/${recordFileName('bad')}`, '{');
    const c = stack(fs, 2);
    expect(c.pulledRecordsAuthoritative).toBe(false);
    const got = c.getImagePulledRecord('bad');
    expect(got.exists).toBe(true);
    expect(got.error).toContain('unexpected end of JSON input');
    expect(c.cachedPulledRecordRefs()).not.toContain('bad');
  });

  it('usage sizes are Len × 100 / maxSize (integer division)', () => {
    const c = cached(new FakeAccessor(['a'], ['r1', 'r2']), 3, 7);
    expect(c.intentsSize()).toEqual({ ok: true, value: 33 });
    expect(c.pulledRecordsSize()).toEqual({ ok: true, value: 28 });
  });
});
