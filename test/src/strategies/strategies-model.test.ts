import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { kubeletProfile } from '../../../src/profiles.js';
import type { PullRecordsAccessor } from '../../../src/pullmanager/accessor.js';
import type { ImagePulledRecord } from '../../../src/pullmanager/records.js';
import { recordFileName } from '../../../src/pullmanager/records.js';
import {
  JournalPullRecordsAccessor,
  openRecordStore,
  parseRecordStoreSpec,
} from '../../../src/strategies/index.js';
import { TICKS_PER_HOUR, TICKS_PER_SECOND, type Ticks, ticks } from '../../../src/time.js';
import { FakeClock, T0 } from '../../support/kubelet-fakes.js';
import { MemoryFileSystem } from '../../support/memory-fs.js';
import { byFileName, credentials, image, ref } from '../../support/record-arbitraries.js';

/**
 * Invariant: for any sequence of intent/record writes, reads, deletes, Lists, failed mutations, clock moves and
 * restarts, each strategy answers like a Map of intents and records, with its own persistence (memory forgets
 * everything at a restart, volatile intents are forgotten, the rest survives) and, for `ttl`, with the
 * credential mapping of a record older than the TTL read back empty.
 */

const ROOT = '/var/lib/kubelet';
const PULLED = `${ROOT}/image_manager/pulled`;
const LOG = `${ROOT}/image_manager/journal.log`;
const TTL = ticks(TICKS_PER_HOUR);

interface Variant {
  readonly name: string;
  readonly open: (fs: MemoryFileSystem, clock: FakeClock) => PullRecordsAccessor;
  readonly keepsIntents: boolean;
  readonly keepsRecords: boolean;
  /** How a record write is made to fail (undefined: it cannot fail). */
  readonly failRecordWrite?: (fs: MemoryFileSystem, ref: string) => void;
  /** How an intent delete is made to fail (undefined: it cannot fail). */
  readonly failIntentDelete?: (fs: MemoryFileSystem, image: string) => void;
  /** Whether the store skips writes that change nothing (the journal), so a fault would stay armed. */
  readonly elidesNoOps: boolean;
  readonly ttl?: Ticks;
}

function fromSpec(text: string): Variant['open'] {
  const spec = parseRecordStoreSpec(text);
  if (!spec.ok) throw new Error(spec.error);
  return (fs, clock) =>
    openRecordStore(spec.value, { fs, kubeletRoot: ROOT, profile: kubeletProfile('1.36'), clock }).accessor;
}

const failTmpWrite = (fs: MemoryFileSystem, ref: string) =>
  fs.failNext(`${PULLED}/${recordFileName(ref)}.tmp`, 'ENOSPC', { op: 'writeFile' });
const failAppend = (fs: MemoryFileSystem) => fs.failNext(LOG, 'ENOSPC', { op: 'append' });

const VARIANTS: Variant[] = [
  { name: 'memory', open: fromSpec('memory'), keepsIntents: false, keepsRecords: false, elidesNoOps: false },
  {
    name: 'journal (compacting every few lines)',
    open: (fs) =>
      new JournalPullRecordsAccessor(fs, ROOT, kubeletProfile('1.36'), { compactionSlackLines: 4 }),
    keepsIntents: true,
    keepsRecords: true,
    failRecordWrite: failAppend,
    failIntentDelete: failAppend,
    elidesNoOps: true,
  },
  {
    name: 'journal (the spec, default compaction)',
    open: fromSpec('journal'),
    keepsIntents: true,
    keepsRecords: true,
    failRecordWrite: failAppend,
    failIntentDelete: failAppend,
    elidesNoOps: true,
  },
  {
    name: 'journal:volatile-intents',
    open: (fs) =>
      new JournalPullRecordsAccessor(fs, ROOT, kubeletProfile('1.36'), {
        volatileIntents: true,
        compactionSlackLines: 3,
      }),
    keepsIntents: false,
    keepsRecords: true,
    failRecordWrite: failAppend,
    elidesNoOps: true,
  },
  {
    name: 'fs+lru:3/4',
    open: fromSpec('fs+lru:3/4'),
    keepsIntents: true,
    keepsRecords: true,
    failRecordWrite: failTmpWrite,
    failIntentDelete: (fs, image) =>
      fs.failNext(`${ROOT}/image_manager/pulling/${recordFileName(image)}`, 'EACCES', { op: 'remove' }),
    elidesNoOps: false,
  },
  {
    name: 'ttl:1h',
    open: fromSpec('ttl:1h'),
    keepsIntents: true,
    keepsRecords: true,
    failRecordWrite: failTmpWrite,
    elidesNoOps: false,
    ttl: TTL,
  },
];

interface Model {
  readonly intents: Set<string>;
  readonly records: Map<string, ImagePulledRecord>;
}

interface Real {
  readonly variant: Variant;
  readonly fs: MemoryFileSystem;
  readonly clock: FakeClock;
  accessor: PullRecordsAccessor;
}

/** What a read of `record` returns: under a TTL an expired record comes back without credentials. */
function asRead(record: ImagePulledRecord, real: Real): ImagePulledRecord {
  const ttl = real.variant.ttl;
  if (ttl === undefined) return record;
  const expired = record.lastUpdatedTime === null || real.clock.now() - record.lastUpdatedTime > ttl;
  return expired ? { ...record, credentialMapping: {} } : record;
}

type Cmd = fc.Command<Model, Real>;

class WriteIntent implements Cmd {
  constructor(readonly image: string) {}
  check = () => true;
  run(model: Model, real: Real): void {
    expect(real.accessor.writeImagePullIntent(this.image)).toEqual({});
    model.intents.add(this.image);
  }
  toString = () => `writeIntent(${this.image})`;
}

class DeleteIntent implements Cmd {
  constructor(readonly image: string) {}
  check = () => true;
  run(model: Model, real: Real): void {
    expect(real.accessor.deleteImagePullIntent(this.image)).toEqual({});
    model.intents.delete(this.image);
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
  }
  toString = () => 'listIntents()';
}

class WriteRecord implements Cmd {
  constructor(readonly record: ImagePulledRecord) {}
  check = () => true;
  run(model: Model, real: Real): void {
    expect(real.accessor.writeImagePulledRecord(this.record)).toEqual({});
    model.records.set(this.record.imageRef, this.record);
  }
  toString = () => `writeRecord(${JSON.stringify(this.record)})`;
}

class DeleteRecord implements Cmd {
  constructor(readonly ref: string) {}
  check = () => true;
  run(model: Model, real: Real): void {
    expect(real.accessor.deleteImagePulledRecord(this.ref)).toEqual({});
    model.records.delete(this.ref);
  }
  toString = () => `deleteRecord(${this.ref})`;
}

class GetRecord implements Cmd {
  constructor(readonly ref: string) {}
  check = () => true;
  run(model: Model, real: Real): void {
    const expected = model.records.get(this.ref);
    expect(real.accessor.getImagePulledRecord(this.ref)).toEqual(
      expected === undefined ? { exists: false } : { record: asRead(expected, real), exists: true },
    );
  }
  toString = () => `getRecord(${this.ref})`;
}

class ListRecords implements Cmd {
  check = () => true;
  run(model: Model, real: Real): void {
    // Lists are not filtered by the TTL: image GC compares times, not credentials.
    expect(real.accessor.listImagePulledRecords()).toEqual({
      records: [...model.records.keys()].sort(byFileName).map((ref) => model.records.get(ref)),
      errors: [],
    });
  }
  toString = () => 'listRecords()';
}

/** A record write the filesystem refuses: an error, and nothing changes. */
class FailingWriteRecord implements Cmd {
  constructor(readonly record: ImagePulledRecord) {}
  check = () => true;
  run(model: Model, real: Real): void {
    const fail = real.variant.failRecordWrite;
    const unchanged = isDeepStrictEqual(model.records.get(this.record.imageRef), this.record);
    // A store that skips no-op writes would leave the fault armed for a later, unrelated call.
    if (fail === undefined || (real.variant.elidesNoOps && unchanged)) return;
    fail(real.fs, this.record.imageRef);
    expect(real.accessor.writeImagePulledRecord(this.record).error).toMatch(/no space left on device/);
  }
  toString = () => `failingWriteRecord(${this.record.imageRef})`;
}

/** An intent delete the filesystem refuses: an error, and the intent stays. */
class FailingDeleteIntent implements Cmd {
  constructor(readonly image: string) {}
  check = () => true;
  run(model: Model, real: Real): void {
    const fail = real.variant.failIntentDelete;
    if (fail === undefined || (real.variant.elidesNoOps && !model.intents.has(this.image))) return;
    fail(real.fs, this.image);
    expect(real.accessor.deleteImagePullIntent(this.image).error).toBeDefined();
  }
  toString = () => `failingDeleteIntent(${this.image})`;
}

class AdvanceClock implements Cmd {
  constructor(readonly seconds: number) {}
  check = () => true;
  run(_model: Model, real: Real): void {
    real.clock.advance(this.seconds * TICKS_PER_SECOND);
  }
  toString = () => `advanceClock(${this.seconds}s)`;
}

/** A kubelet restart: a new store over the same files; what the strategy does not persist is gone. */
class Restart implements Cmd {
  check = () => true;
  run(model: Model, real: Real): void {
    real.accessor = real.variant.open(real.fs, real.clock);
    if (!real.variant.keepsIntents) model.intents.clear();
    if (!real.variant.keepsRecords) model.records.clear();
  }
  toString = () => 'restart()';
}

/** Whole seconds around the clock: the disk keeps seconds, and the TTL sees both fresh and expired records. */
const record: fc.Arbitrary<ImagePulledRecord> = fc.record({
  lastUpdatedTime: fc.option(
    fc.integer({ min: -3 * 3600, max: 3 * 3600 }).map((s) => ticks(T0 + s * TICKS_PER_SECOND)),
    { nil: null, freq: 10 },
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
    fc.integer({ min: 0, max: 5400 }).map((s) => new AdvanceClock(s)),
    fc.constant(new Restart()),
  ],
  { maxCommands: 60, size: 'max' },
);

describe('record-store strategies against a Map model (fc.commands + fc.modelRun)', () => {
  it.each(VARIANTS.map((v) => [v.name, v] as const))('%s gives the model’s answers', (_name, variant) => {
    fc.assert(
      fc.property(commands, (cmds) => {
        fc.modelRun(() => {
          const fs = new MemoryFileSystem();
          const clock = new FakeClock(T0);
          const real: Real = { variant, fs, clock, accessor: variant.open(fs, clock) };
          return { model: { intents: new Set<string>(), records: new Map() }, real };
        }, cmds);
      }),
      { numRuns: 150 },
    );
  });
});
