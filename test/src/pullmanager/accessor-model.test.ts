import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type KubeletProfile, kubeletProfile } from '../../../src/profiles.js';
import type { PullRecordsAccessor } from '../../../src/pullmanager/accessor.js';
import type { CachedPullRecordsAccessor } from '../../../src/pullmanager/cached-accessor.js';
import type { PullRecordMetrics } from '../../../src/pullmanager/metered-accessor.js';
import { openPullRecordsStore } from '../../../src/pullmanager/pull-records-store.js';
import type { ImagePulledRecord } from '../../../src/pullmanager/records.js';
import { recordFileName } from '../../../src/pullmanager/records.js';
import type { Ticks } from '../../../src/time.js';
import { MemoryFileSystem } from '../../support/memory-fs.js';
import { byFileName, credentials, image, ref } from '../../support/record-arbitraries.js';

/**
 * Invariant: for any sequence of intent/record writes, reads, deletes, Lists, failed mutations and restarts, the
 * file accessor and the cached stack (with caps small enough to evict) answer exactly like a plain Map of what is
 * on disk; while the cache is authoritative it holds every record on disk, so its "absent" is never wrong.
 */

const ROOT = '/var/lib/kubelet';
const PULLING = `${ROOT}/image_manager/pulling`;
const PULLED = `${ROOT}/image_manager/pulled`;

interface Model {
  readonly intents: Set<string>;
  readonly records: Map<string, ImagePulledRecord>;
}

interface Real {
  readonly fs: MemoryFileSystem;
  readonly profile: KubeletProfile;
  accessor: PullRecordsAccessor;
  cache: CachedPullRecordsAccessor | undefined;
  metrics: PullRecordMetrics;
}

function open(real: Pick<Real, 'fs' | 'profile'>): Pick<Real, 'accessor' | 'cache' | 'metrics'> {
  const store = openPullRecordsStore(real.fs, ROOT, real.profile);
  return { accessor: store.accessor, cache: store.cache, metrics: store.metrics };
}

/** After every command: the authoritative caches hold exactly what is on disk. */
function checkCache(model: Model, real: Real): void {
  const cache = real.cache;
  if (cache === undefined) return;
  if (cache.pulledRecordsAuthoritative) {
    expect(new Set(cache.cachedPulledRecordRefs())).toEqual(new Set(model.records.keys()));
  }
  if (cache.intentsAuthoritative) expect(new Set(cache.cachedIntentImages())).toEqual(model.intents);
  expect(cache.cachedIntentImages().length).toBeLessThanOrEqual(cache.intentsCacheMaxSize);
  expect(cache.cachedPulledRecordRefs().length).toBeLessThanOrEqual(cache.pulledRecordsCacheMaxSize);
}

function checkGauges(model: Model, real: Real, kind: 'intents' | 'records'): void {
  if (!real.profile.recordMetrics) return;
  if (kind === 'intents') expect(real.metrics.ondiskPullIntents).toBe(model.intents.size);
  else expect(real.metrics.ondiskPulledRecords).toBe(model.records.size);
}

type Cmd = fc.Command<Model, Real>;

class WriteIntent implements Cmd {
  constructor(readonly image: string) {}
  check = () => true;
  run(model: Model, real: Real): void {
    expect(real.accessor.writeImagePullIntent(this.image)).toEqual({});
    model.intents.add(this.image);
    checkGauges(model, real, 'intents');
    checkCache(model, real);
  }
  toString = () => `writeIntent(${this.image})`;
}

class DeleteIntent implements Cmd {
  constructor(readonly image: string) {}
  check = () => true;
  run(model: Model, real: Real): void {
    expect(real.accessor.deleteImagePullIntent(this.image)).toEqual({});
    model.intents.delete(this.image);
    checkGauges(model, real, 'intents');
    checkCache(model, real);
  }
  toString = () => `deleteIntent(${this.image})`;
}

class IntentExists implements Cmd {
  constructor(readonly image: string) {}
  check = () => true;
  run(model: Model, real: Real): void {
    expect(real.accessor.imagePullIntentExists(this.image)).toEqual({
      exists: model.intents.has(this.image),
    });
    checkCache(model, real);
  }
  toString = () => `intentExists(${this.image})`;
}

class ListIntents implements Cmd {
  check = () => true;
  run(model: Model, real: Real): void {
    expect(real.accessor.listImagePullIntents()).toEqual({
      intents: [...model.intents].sort(byFileName).map((image) => ({ image })),
      errors: [],
    });
    checkCache(model, real);
  }
  toString = () => 'listIntents()';
}

class WriteRecord implements Cmd {
  constructor(readonly record: ImagePulledRecord) {}
  check = () => true;
  run(model: Model, real: Real): void {
    expect(real.accessor.writeImagePulledRecord(this.record)).toEqual({});
    model.records.set(this.record.imageRef, this.record);
    checkGauges(model, real, 'records');
    checkCache(model, real);
  }
  toString = () => `writeRecord(${JSON.stringify(this.record)})`;
}

class DeleteRecord implements Cmd {
  constructor(readonly ref: string) {}
  check = () => true;
  run(model: Model, real: Real): void {
    expect(real.accessor.deleteImagePulledRecord(this.ref)).toEqual({});
    model.records.delete(this.ref);
    checkGauges(model, real, 'records');
    checkCache(model, real);
  }
  toString = () => `deleteRecord(${this.ref})`;
}

class GetRecord implements Cmd {
  constructor(readonly ref: string) {}
  check = () => true;
  run(model: Model, real: Real): void {
    const authoritative = real.cache?.pulledRecordsAuthoritative ?? false;
    const got = real.accessor.getImagePulledRecord(this.ref);
    const expected = model.records.get(this.ref);
    expect(got).toEqual(expected === undefined ? { exists: false } : { record: expected, exists: true });
    if (authoritative && !got.exists) {
      // The authoritative "absent" must never hide a record that is on disk.
      expect(real.fs.exists(`${PULLED}/${recordFileName(this.ref)}`)).toBe(false);
    }
    checkCache(model, real);
  }
  toString = () => `getRecord(${this.ref})`;
}

class ListRecords implements Cmd {
  check = () => true;
  run(model: Model, real: Real): void {
    expect(real.accessor.listImagePulledRecords()).toEqual({
      records: [...model.records.keys()].sort(byFileName).map((ref) => model.records.get(ref)),
      errors: [],
    });
    checkCache(model, real);
  }
  toString = () => 'listRecords()';
}

/** A write whose temporary file cannot be written: an error, and nothing changes anywhere. */
class FailingWriteRecord implements Cmd {
  constructor(readonly record: ImagePulledRecord) {}
  check = () => true;
  run(model: Model, real: Real): void {
    real.fs.failNext(`${PULLED}/${recordFileName(this.record.imageRef)}.tmp`, 'ENOSPC', { op: 'writeFile' });
    const gaugesBefore = { ...real.metrics };
    expect(real.accessor.writeImagePulledRecord(this.record).error).toContain(
      'failed to create temporary file',
    );
    expect(real.metrics).toEqual(gaugesBefore);
    checkCache(model, real);
  }
  toString = () => `failingWriteRecord(${this.record.imageRef})`;
}

/** A delete the filesystem refuses: an error, and the intent stays. */
class FailingDeleteIntent implements Cmd {
  constructor(readonly image: string) {}
  check = () => true;
  run(model: Model, real: Real): void {
    real.fs.failNext(`${PULLING}/${recordFileName(this.image)}`, 'EACCES', { op: 'remove' });
    expect(real.accessor.deleteImagePullIntent(this.image).error).toContain('permission denied');
    checkCache(model, real);
  }
  toString = () => `failingDeleteIntent(${this.image})`;
}

/** A kubelet restart: the stack is rebuilt over the same files (warm-up, migration, fresh gauges). */
class Restart implements Cmd {
  check = () => true;
  run(model: Model, real: Real): void {
    Object.assign(real, open(real));
    checkCache(model, real);
  }
  toString = () => 'restart()';
}

/** Whole seconds: the disk keeps seconds, so an in-memory µs value would differ from what a re-read returns. */
const record: fc.Arbitrary<ImagePulledRecord> = fc.record({
  lastUpdatedTime: fc.option(
    fc.integer({ min: 0, max: 4_000_000_000 }).map((s) => (s * 1_000_000) as Ticks),
    { nil: null },
  ),
  imageRef: ref,
  credentialMapping: fc.dictionary(
    fc.constantFrom('docker.io/library/x', 'example.com/y', 'z'),
    credentials,
    {
      maxKeys: 2,
    },
  ),
});

const commands = fc.commands(
  [
    image.map((i) => new WriteIntent(i)),
    image.map((i) => new DeleteIntent(i)),
    image.map((i) => new IntentExists(i)),
    fc.constant(new ListIntents()),
    record.map((r) => new WriteRecord(r)),
    record.map((r) => new WriteRecord(r)),
    ref.map((r) => new DeleteRecord(r)),
    ref.map((r) => new GetRecord(r)),
    ref.map((r) => new GetRecord(r)),
    fc.constant(new ListRecords()),
    record.map((r) => new FailingWriteRecord(r)),
    image.map((i) => new FailingDeleteIntent(i)),
    fc.constant(new Restart()),
  ],
  { maxCommands: 60, size: 'max' },
);

describe('pull-record accessors against a Map model (fc.commands + fc.modelRun)', () => {
  const variants: Array<[string, KubeletProfile]> = [
    [
      'the file accessor (1.35, v1beta1)',
      kubeletProfile('1.35', { inMemoryCache: false, recordMetrics: false }),
    ],
    ['the file accessor (1.34, v1alpha1)', kubeletProfile('1.34')],
    [
      'the cached 1.35 stack with 3 intents / 4 records',
      kubeletProfile('1.35', { intentsCacheSize: 3, pulledRecordsCacheSize: 4 }),
    ],
  ];

  it.each(variants)('%s gives the same answers as the model', (_name, profile) => {
    fc.assert(
      fc.property(commands, (cmds) => {
        fc.modelRun(() => {
          const fs = new MemoryFileSystem();
          const real: Real = { fs, profile, ...open({ fs, profile }) };
          return { model: { intents: new Set<string>(), records: new Map() }, real };
        }, cmds);
      }),
      { numRuns: 150 },
    );
  });
});
