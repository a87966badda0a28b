import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../../sim/kernel/random.js';
import { SimFileSystem, SimulatedCrash } from '../../../sim/world/filesystem.js';
import { discardEvents, type FileSystem } from '../../../src/ports.js';
import { kubeletProfile } from '../../../src/profiles.js';
import { PullRecordsInitError } from '../../../src/pullmanager/fs-accessor.js';
import { createPullManager } from '../../../src/pullmanager/manager.js';
import { createPolicyEnforcer, EMPTY_ALLOWLIST } from '../../../src/pullmanager/policy.js';
import { type ImagePulledRecord, recordFileName } from '../../../src/pullmanager/records.js';
import { encodeJournalLine } from '../../../src/strategies/_internal/journal-line.js';
import {
  JOURNAL_COMPACTION_SLACK_LINES,
  type JournalOptions,
  JournalPullRecordsAccessor,
} from '../../../src/strategies/index.js';
import { type Ticks, ticks } from '../../../src/time.js';
import { FakeClock, FakeImageService, RecordingEventRecorder, T0 } from '../../support/kubelet-fakes.js';
import { MemoryFileSystem } from '../../support/memory-fs.js';
import { fixtureText, PULLED_FIXTURES, PULLING_FIXTURES } from '../../support/pull-records.js';

/**
 * The journal keeps its state across restarts (replay), across compactions, and through torn lines: a line that
 * is torn (a crash, a `corrupt` fault) or does not decode is skipped and reported, never applied in part, and
 * the key it was about reads as the kubelet reads a corrupt file (docs/kubelet-model.md#record-files).
 */

const ROOT = '/var/lib/kubelet';
const DIR = `${ROOT}/image_manager`;
const LOG = `${DIR}/journal.log`;
const PROFILE = kubeletProfile('1.36');

function open(fs: FileSystem, options: JournalOptions = {}, profile = PROFILE): JournalPullRecordsAccessor {
  return new JournalPullRecordsAccessor(fs, ROOT, profile, options);
}

function record(imageRef: string, seconds = 0, key = 'docker.io/library/nginx'): ImagePulledRecord {
  return {
    lastUpdatedTime: ticks(T0 + seconds * 1_000_000),
    imageRef,
    credentialMapping: {
      [key]: { kubernetesSecrets: [{ uid: 'u1', namespace: 'tenant', name: 'pull', credentialHash: 'h1' }] },
    },
  };
}

const logOf = (fs: MemoryFileSystem): string => fs.read(LOG) ?? '';
const logLines = (fs: MemoryFileSystem): string[] =>
  logOf(fs)
    .split('\n')
    .filter((l) => l !== '');
const hash16 = (key: string): string => recordFileName(key).slice(7, 23);

describe('journal lines', () => {
  it('writes one checksummed line per mutation: op, key hash, checksum, body', () => {
    const fs = new MemoryFileSystem();
    const journal = open(fs);
    journal.writeImagePullIntent('nginx');
    journal.writeImagePulledRecord(record('sha256:abc'));
    journal.deleteImagePullIntent('nginx');
    journal.deleteImagePulledRecord('sha256:abc');
    const lines = logLines(fs);
    expect(lines.map((l) => l.slice(0, 2))).toEqual(['+i', '+r', '-i', '-r']);
    expect(lines[0]).toMatch(new RegExp(`^\\+i ${hash16('nginx')} [0-9a-f]{8} "nginx"$`));
    // The record line carries the record exactly as the kubelet would write its file
    // (docs/kubelet-model.md#record-files).
    expect(lines[1]).toContain(
      ' {"kind":"ImagePulledRecord","apiVersion":"kubelet.config.k8s.io/v1beta1","lastUpdatedTime":"2026-01-15T12:00:00Z","imageRef":"sha256:abc",',
    );
    expect(lines[3]).toMatch(new RegExp(`^-r ${hash16('sha256:abc')} [0-9a-f]{8} "sha256:abc"$`));
  });

  it('writes nothing for mutations that change nothing', () => {
    const fs = new MemoryFileSystem();
    const journal = open(fs);
    journal.writeImagePullIntent('nginx');
    journal.writeImagePullIntent('nginx');
    journal.writeImagePulledRecord(record('sha256:abc'));
    journal.writeImagePulledRecord(record('sha256:abc'));
    // The same second on disk: the kubelet's file would hold the same bytes.
    journal.writeImagePulledRecord({ ...record('sha256:abc'), lastUpdatedTime: ticks(T0 + 999_999) });
    journal.deleteImagePullIntent('absent');
    journal.deleteImagePulledRecord('sha256:absent');
    expect(logLines(fs)).toHaveLength(2);
    expect(fs.count('append')).toBe(2);
  });

  it('holds records as the kubelet reads its files back: whole seconds, canonical, profile codec', () => {
    const fs = new MemoryFileSystem();
    const journal = open(fs, {}, kubeletProfile('1.33'));
    journal.writeImagePulledRecord({
      lastUpdatedTime: ticks(T0 + 1_500_000),
      imageRef: 'r',
      credentialMapping: {
        a: {
          kubernetesServiceAccounts: [{ uid: 'u', namespace: 'n', name: 's' }],
          nodePodsAccessible: false,
        },
      },
    });
    // 1.33 records have no service-account field, so the file would hold an empty entry.
    expect(journal.getImagePulledRecord('r')).toEqual({
      record: { lastUpdatedTime: T0 + 1_000_000, imageRef: 'r', credentialMapping: { a: {} } },
      exists: true,
    });
    expect(logOf(fs)).toContain('"apiVersion":"kubelet.config.k8s.io/v1alpha1"');
  });
});

describe('restarts', () => {
  it('a new journal on the same files has the same intents and records', () => {
    const fs = new MemoryFileSystem();
    const first = open(fs);
    first.writeImagePullIntent('a');
    first.writeImagePullIntent('b');
    first.deleteImagePullIntent('a');
    first.writeImagePulledRecord(record('r1'));
    first.writeImagePulledRecord(record('r2', 5, 'example.com/app'));
    first.deleteImagePulledRecord('r1');
    const second = open(fs);
    expect(second.listImagePullIntents()).toEqual(first.listImagePullIntents());
    expect(second.listImagePulledRecords()).toEqual(first.listImagePulledRecords());
    expect(second.listImagePulledRecords().records).toEqual([record('r2', 5, 'example.com/app')]);
    expect(second.replayProblems).toEqual([]);
  });

  it('volatile intents are forgotten, records are not', () => {
    const fs = new MemoryFileSystem();
    const first = open(fs, { volatileIntents: true });
    first.writeImagePullIntent('a');
    first.writeImagePulledRecord(record('r1'));
    expect(first.imagePullIntentExists('a')).toEqual({ exists: true });
    expect(logLines(fs).map((l) => l.slice(0, 2))).toEqual(['+r']);
    first.deleteImagePullIntent('a');
    expect(fs.count('append')).toBe(1);
    first.writeImagePullIntent('b');
    const second = open(fs, { volatileIntents: true });
    expect(second.listImagePullIntents()).toEqual({ intents: [], errors: [] });
    expect(second.getImagePulledRecord('r1').exists).toBe(true);
  });

  it('a durable journal replays intents even when reopened with volatile intents (until the next compaction)', () => {
    const fs = new MemoryFileSystem();
    open(fs).writeImagePullIntent('a');
    const volatile = open(fs, { volatileIntents: true, compactionSlackLines: 0 });
    expect(volatile.imagePullIntentExists('a')).toEqual({ exists: true });
  });
});

describe('compaction', () => {
  it('runs when the log exceeds 2 × the live entries + 1000 lines, and keeps the state', () => {
    const fs = new MemoryFileSystem();
    const journal = open(fs);
    journal.writeImagePulledRecord(record('kept'));
    // Every pull writes and deletes its intent: the log grows, the live state does not.
    let appends = 1;
    while (journal.logLines === appends) {
      journal.writeImagePullIntent('busy');
      journal.deleteImagePullIntent('busy');
      appends += 2;
    }
    // 1 record line + 1002 intent lines = 1003 > 2 × 1 + 1000 (the last append made the log compact).
    expect(appends).toBe(1 + 2 * Math.ceil((2 * 1 + JOURNAL_COMPACTION_SLACK_LINES) / 2));
    expect(journal.logLines).toBe(1);
    expect(logLines(fs)).toHaveLength(1);
    expect(fs.exists(`${LOG}.tmp`)).toBe(false);
    expect(fs.log.filter((e) => e.op === 'rename')).toEqual([{ op: 'rename', path: `${LOG}.tmp`, to: LOG }]);
    const reopened = open(fs);
    expect(reopened.listImagePulledRecords().records).toEqual([record('kept')]);
    expect(reopened.listImagePullIntents().intents).toEqual([]);
  });

  it('keeps appending to the new log after compacting (a new handle on the new file)', () => {
    const fs = new MemoryFileSystem();
    const journal = open(fs, { compactionSlackLines: 2 });
    for (const image of ['a', 'b', 'c', 'd']) {
      journal.writeImagePullIntent(image);
      journal.deleteImagePullIntent(image);
    }
    journal.writeImagePullIntent('e');
    journal.writeImagePulledRecord(record('r'));
    expect(fs.count('closeAppend')).toBeGreaterThan(0);
    const reopened = open(fs);
    expect(reopened.listImagePullIntents().intents).toEqual([{ image: 'e' }]);
    expect(reopened.getImagePulledRecord('r').exists).toBe(true);
    expect(reopened.logLines).toBeLessThanOrEqual(2 * 2 + 2);
  });

  it('compacts at start-up when the log is too long', () => {
    const fs = new MemoryFileSystem();
    const writer = open(fs, { compactionSlackLines: 100 });
    for (let i = 0; i < 20; i++) {
      writer.writeImagePullIntent('x');
      writer.deleteImagePullIntent('x');
    }
    expect(logLines(fs)).toHaveLength(40);
    const reader = open(fs, { compactionSlackLines: 5 });
    expect(reader.logLines).toBe(0);
    expect(logOf(fs)).toBe('');
  });

  it('a failed compaction is logged and retried; the log in use stays complete', () => {
    const fs = new MemoryFileSystem();
    const recorder = new RecordingEventRecorder();
    const journal = open(fs, { compactionSlackLines: 1, logger: recorder });
    journal.writeImagePullIntent('a');
    fs.failNext(`${LOG}.tmp`, 'ENOSPC', { op: 'writeFile' });
    journal.writeImagePullIntent('b'); // 2 lines > 2 × 2 + 1? no
    journal.deleteImagePullIntent('a');
    journal.deleteImagePullIntent('b'); // 4 lines > 2 × 0 + 1: compaction fails on the write
    expect(recorder.logMessages()).toContain('failed to compact the record journal');
    expect(fs.exists(`${LOG}.tmp`)).toBe(false);
    expect(logLines(fs)).toHaveLength(4);
    fs.failNext(`${LOG}.tmp`, 'EACCES', { op: 'rename' });
    journal.writeImagePullIntent('c'); // rename fails: the temporary file is removed
    expect(fs.exists(`${LOG}.tmp`)).toBe(false);
    expect(logLines(fs)).toHaveLength(5);
    journal.writeImagePullIntent('d'); // now it works
    expect(logLines(fs)).toHaveLength(2);
    expect(
      open(fs)
        .listImagePullIntents()
        .intents.map((i) => i.image)
        .sort(),
    ).toEqual(['c', 'd']);
  });

  it('a torn or unreadable compacted log is never installed: the read-back catches it', () => {
    const fs = new SimFileSystem();
    const recorder = new RecordingEventRecorder();
    const journal = open(fs, { compactionSlackLines: 0, logger: recorder });
    journal.writeImagePulledRecord(record('r1'));
    journal.writeImagePulledRecord(record('r2'));
    fs.armFault({ kind: 'corrupt', pathPrefix: `${LOG}.tmp` });
    for (const image of ['a', 'a2']) {
      journal.writeImagePullIntent(image);
      journal.deleteImagePullIntent(image); // at last 6 lines > 2 × 2 live: compaction, whose write is torn
    }
    expect(recorder.logs.at(-1)).toEqual({
      message: 'failed to compact the record journal',
      fields: { error: `${LOG}.tmp does not read back as written (a torn write)` },
    });
    expect(fs.exists(`${LOG}.tmp`)).toBe(false);
    fs.armFault({ kind: 'readError', pathPrefix: `${LOG}.tmp` });
    journal.writeImagePullIntent('b');
    expect(recorder.logs.at(-1)?.fields?.error).toBe(`read ${LOG}.tmp: input/output error`);
    const reopened = open(fs);
    expect(reopened.listImagePulledRecords().records).toEqual(
      [record('r1'), record('r2')].sort((x, y) =>
        recordFileName(x.imageRef) < recordFileName(y.imageRef) ? -1 : 1,
      ),
    );
    expect(reopened.replayProblems).toEqual([]);
  });

  it('a crash before the rename of the compacted log loses nothing: the old log is complete', () => {
    const fs = new SimFileSystem();
    const journal = open(fs, { compactionSlackLines: 0 });
    fs.armFault({ kind: 'crashBeforeRename' });
    journal.writeImagePulledRecord(record('r1'));
    journal.writeImagePullIntent('a');
    // 3 lines > 2 × 1 live entry: this delete compacts, and the kubelet dies before the rename.
    expect(() => journal.deleteImagePullIntent('a')).toThrow(SimulatedCrash);
    const reopened = open(fs);
    expect(reopened.listImagePulledRecords().records).toEqual([record('r1')]);
    expect(reopened.listImagePullIntents().intents).toEqual([]);
    expect(reopened.replayProblems).toEqual([]);
    // The leftover temporary file is simply overwritten by the next compaction.
    expect(fs.exists(`${LOG}.tmp`)).toBe(true);
  });

  it('rejects a negative compaction slack', () => {
    expect(() => open(new MemoryFileSystem(), { compactionSlackLines: -1 })).toThrow(RangeError);
  });
});

describe('torn and undecodable lines', () => {
  /** Writes a journal, then replaces its log with `edit(log)`, as a crash or a damaged disk would leave it. */
  function damaged(edit: (log: string) => string, setUp: (j: JournalPullRecordsAccessor) => void) {
    const fs = new MemoryFileSystem();
    setUp(open(fs));
    fs.put(LOG, edit(logOf(fs)));
    return { fs, journal: open(fs) };
  }
  const cutLastLine = (at: number) => (log: string) => {
    const lines = log.split('\n').filter((l) => l !== '');
    const last = lines.pop() as string;
    return [...lines, last.slice(0, at)].join('\n');
  };

  it('a torn last record line is skipped and reported, and its key reads as a corrupt file would', () => {
    const { journal } = damaged(cutLastLine(60), (j) => {
      j.writeImagePulledRecord(record('r1'));
      j.writeImagePulledRecord(record('r2'));
    });
    expect(journal.replayProblems).toEqual([
      `record journal line 2 is torn: record entries of keys with hash ${hash16('r2')}… are unreadable`,
    ]);
    expect(journal.getImagePulledRecord('r1')).toEqual({ record: record('r1'), exists: true });
    // fs_pullrecords.go: a file that exists but does not decode reads as (none, exists, error).
    expect(journal.getImagePulledRecord('r2')).toEqual({
      exists: true,
      error: 'record journal line 2 is torn',
    });
    expect(journal.listImagePulledRecords()).toEqual({
      records: [record('r1')],
      errors: ['record journal line 2 is torn'],
    });
  });

  it('a torn update drops the older value too, as a corrupt file replaces the good one it overwrote', () => {
    const { journal } = damaged(cutLastLine(100), (j) => {
      j.writeImagePulledRecord(record('r1', 0));
      j.writeImagePulledRecord(record('r1', 60));
    });
    expect(journal.getImagePulledRecord('r1')).toEqual({
      exists: true,
      error: 'record journal line 2 is torn',
    });
  });

  it('makes the pull manager demand a pull for the torn key, and a successful pull repairs it', () => {
    const { fs, journal } = damaged(cutLastLine(30), (j) => {
      j.writeImagePullIntent('nginx');
      j.writeImagePulledRecord({
        ...record('sha256:n'),
        credentialMapping: { 'docker.io/library/nginx': { nodePodsAccessible: true } },
      });
      j.deleteImagePullIntent('nginx');
      j.writeImagePullIntent('other');
    });
    expect(journal.imagePullIntentExists('other')).toEqual({
      exists: false,
      error: 'record journal line 4 is torn',
    });
    const manager = createPullManager({
      accessor: journal,
      policy: createPolicyEnforcer('NeverVerifyPreloadedImages', EMPTY_ALLOWLIST, 'normalised'),
      imageService: new FakeImageService(),
      clock: new FakeClock(),
      recorder: discardEvents,
      credentialMappingKey: 'normalised',
    });
    const noCredentials = () => ({ ok: true as const, value: { secrets: [] } });
    // The torn intent: the image string could have been pulled by the kubelet, so it is not "preloaded".
    expect(manager.mustAttemptImagePull('other', 'sha256:o', noCredentials)).toMatchObject({
      mustPull: true,
      result: 'error',
    });
    expect(manager.mustAttemptImagePull('nginx', 'sha256:n', noCredentials)).toMatchObject({
      mustPull: false,
    });
    expect(manager.recordPullIntent('other')).toEqual({});
    manager.recordImagePulled('other', 'sha256:o', { nodePodsAccessible: true });
    expect(manager.mustAttemptImagePull('other', 'sha256:o', noCredentials)).toMatchObject({
      mustPull: false,
    });
    expect(open(fs).imagePullIntentExists('other')).toEqual({ exists: false });
  });

  it('a line glued behind a torn one (the next append after a silent tear) is still applied', () => {
    const fs = new SimFileSystem();
    const journal = open(fs);
    journal.writeImagePulledRecord(record('r1'));
    fs.armFault({ kind: 'corrupt', pathPrefix: LOG });
    journal.writeImagePulledRecord(record('r2'));
    journal.writeImagePulledRecord(record('r3'));
    expect(fs.faultsInjected.corrupt).toBe(1);
    const reopened = open(fs);
    expect(reopened.getImagePulledRecord('r1').exists).toBe(true);
    expect(reopened.getImagePulledRecord('r3')).toEqual({ record: record('r3'), exists: true });
    expect(reopened.getImagePulledRecord('r2')).toMatchObject({
      exists: true,
      error: expect.stringContaining('torn'),
    });
    expect(reopened.replayProblems).toHaveLength(1);
  });

  it('never applies half a line, whatever the cut: every prefix of the last line leaves the rest intact', () => {
    const fs = new MemoryFileSystem();
    const writer = open(fs);
    writer.writeImagePulledRecord(record('r1'));
    writer.writeImagePullIntent('a');
    writer.writeImagePulledRecord(record('r2', 30, 'example.com/x'));
    const full = logOf(fs);
    const lastStart = full.slice(0, -1).lastIndexOf('\n') + 1;
    for (let cut = lastStart + 1; cut < full.length - 1; cut++) {
      fs.put(LOG, full.slice(0, cut));
      const journal = open(fs);
      expect(journal.getImagePulledRecord('r1')).toEqual({ record: record('r1'), exists: true });
      expect(journal.imagePullIntentExists('a')).toEqual({ exists: true });
      const r2 = journal.getImagePulledRecord('r2');
      expect(r2.record).toBeUndefined();
      expect(r2.exists).toBe(true);
      expect(journal.replayProblems).toHaveLength(1);
    }
  });

  it('a fragment that kept only part of the hash makes every key with that prefix unreadable', () => {
    const { journal } = damaged(
      (log) => `${log}+r ${hash16('r9').slice(0, 3)}`,
      (j) => j.writeImagePulledRecord(record('r1')),
    );
    expect(journal.getImagePulledRecord('r9')).toMatchObject({ exists: true, error: expect.any(String) });
    // A key with another prefix, or a live record, is not affected.
    const other = ['r2', 'r3', 'r4', 'r5'].find((k) => !hash16(k).startsWith(hash16('r9').slice(0, 3)));
    expect(journal.getImagePulledRecord(other as string)).toEqual({ exists: false });
    expect(journal.getImagePulledRecord('r1').record).toEqual(record('r1'));
    expect(journal.imagePullIntentExists('x')).toEqual({ exists: false });
  });

  it('a fragment that lost its operation makes every missing intent and record unreadable (fail safe)', () => {
    const { journal } = damaged(
      (log) => `${log}+`,
      (j) => j.writeImagePulledRecord(record('r1')),
    );
    expect(journal.replayProblems).toEqual([
      'record journal line 2 is torn: intent and record entries of any key are unreadable',
    ]);
    expect(journal.imagePullIntentExists('anything')).toMatchObject({
      exists: false,
      error: expect.any(String),
    });
    expect(journal.getImagePulledRecord('anything')).toMatchObject({
      exists: true,
      error: expect.any(String),
    });
    expect(journal.getImagePulledRecord('r1').record).toEqual(record('r1'));
    const garbage = damaged(
      (log) => `${log}\u0000\u0000junk\n`,
      (j) => j.writeImagePulledRecord(record('r1')),
    );
    expect(garbage.journal.imagePullIntentExists('x').error).toBeDefined();
  });

  it('a torn delete is reported and ignored: the entry stays, which forces verification, never access', () => {
    const { journal } = damaged(cutLastLine(10), (j) => {
      j.writeImagePulledRecord(record('r1'));
      j.deleteImagePulledRecord('r1');
    });
    expect(journal.replayProblems).toEqual(['record journal line 2 is torn: a lost delete, ignored']);
    expect(journal.getImagePulledRecord('r1').record).toEqual(record('r1'));
  });

  it('unreadable entries survive a compaction and a restart, and a write or delete of the key clears them', () => {
    const { fs, journal } = damaged(cutLastLine(40), (j) => {
      j.writeImagePullIntent('a');
      for (const busy of ['b', 'c']) {
        j.writeImagePullIntent(busy);
        j.deleteImagePullIntent(busy);
      }
      j.writeImagePulledRecord(record('r2'));
    });
    const compacting = open(fs, { compactionSlackLines: 0 });
    expect(logLines(fs).map((l) => l.slice(0, 2))).toEqual(['+i', '!r']);
    expect(compacting.getImagePulledRecord('r2').error).toBe('record journal line 6 is torn');
    expect(journal.liveEntries).toBe(2);
    expect(open(fs).getImagePulledRecord('r2').error).toBe('record journal line 6 is torn');
    compacting.deleteImagePulledRecord('r2');
    expect(open(fs).getImagePulledRecord('r2')).toEqual({ exists: false });
    compacting.writeImagePulledRecord(record('r2'));
    expect(open(fs).getImagePulledRecord('r2').record).toEqual(record('r2'));
  });

  it('a record the profile cannot decode (a downgrade) is unreadable under its key, as its file would be', () => {
    const fs = new MemoryFileSystem();
    open(fs).writeImagePulledRecord(record('r1'));
    const downgraded = open(fs, {}, kubeletProfile('1.33'));
    const got = downgraded.getImagePulledRecord('r1');
    expect(got.exists).toBe(true);
    expect(got.error).toContain(
      'record journal line 1: failed to decode an ImagePulledRecord: no kind "ImagePulledRecord" is registered for version "kubelet.config.k8s.io/v1beta1"',
    );
  });

  it('checked lines whose body does not fit their header are reported; puts leave their key unreadable', () => {
    const fs = new MemoryFileSystem();
    const body = (r: ImagePulledRecord) => {
      const probe = new MemoryFileSystem();
      open(probe).writeImagePulledRecord(r);
      return (logOf(probe).split(' ').slice(3).join(' ') as string).trimEnd();
    };
    fs.put(
      LOG,
      [
        encodeJournalLine('+i', hash16('zzz'), '"a"'),
        encodeJournalLine('+i', hash16('b'), '42'),
        encodeJournalLine('+r', hash16('x'), body(record('r1'))),
        encodeJournalLine('+r', hash16('r2'), body(record('r2'))),
        encodeJournalLine('-r', hash16('r2'), '"other"'),
        encodeJournalLine('!r', hash16('y'), '7'),
        encodeJournalLine('!i', 'ab', '"unreadable since the last compaction"'),
        // A put must name its key by the full hash: this one checks but is taken as torn.
        encodeJournalLine('+i', '', '"short hash"'),
      ].join(''),
    );
    const journal = open(fs);
    expect(journal.replayProblems).toEqual([
      'record journal line 1: the key does not match the hash of its line',
      'record journal line 2: the body is not a JSON string',
      'record journal line 3: the record does not match the hash of its line',
      'record journal line 5: the key does not match the hash of its line',
      'record journal line 6: the body is not a JSON string',
      expect.stringMatching(/^record journal line 8 is torn: intent entries of any key/),
    ]);
    expect(journal.imagePullIntentExists('a')).toMatchObject({ exists: false, error: expect.any(String) });
    expect(journal.getImagePulledRecord('r1').exists).toBe(false);
    expect(journal.getImagePulledRecord('x')).toEqual({
      exists: true,
      error: 'record journal line 3: the record does not match the hash of its line',
    });
    // The delete of r2 did not match its key: a lost delete, the record stays.
    expect(journal.getImagePulledRecord('r2').record).toEqual(record('r2'));
    expect(journal.getImagePulledRecord('y').error).toBe(
      'record journal line 6: the body is not a JSON string',
    );
  });

  it('a torn put or a `!` line for a key that is live drops the live entry; a body that is not JSON is reported', () => {
    const fs = new MemoryFileSystem();
    const writer = open(fs);
    writer.writeImagePullIntent('a');
    writer.writeImagePullIntent('b');
    fs.put(
      LOG,
      `${logOf(fs)}${encodeJournalLine('!i', hash16('b'), '"b is unreadable"')}+i ${hash16('a')} 0000\n${encodeJournalLine('+i', hash16('c'), 'not json')}`,
    );
    const journal = open(fs);
    expect(journal.listImagePullIntents().intents).toEqual([]);
    expect(journal.imagePullIntentExists('a').error).toBe('record journal line 4 is torn');
    expect(journal.imagePullIntentExists('b').error).toBe('b is unreadable');
    expect(journal.imagePullIntentExists('c').error).toBe(
      'record journal line 5: the body is not a JSON string',
    );
  });

  it('treats a profile whose encoder and decoder disagree as a programmer error', () => {
    const inconsistent = kubeletProfile('1.36', { decodableApiVersions: ['v1alpha1'] });
    const journal = open(new MemoryFileSystem(), {}, inconsistent);
    expect(() => journal.writeImagePulledRecord(record('r'))).toThrow('does not decode');
  });

  it('a `!` line with a short prefix marks every key with that prefix', () => {
    const fs = new MemoryFileSystem();
    const image = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'].find((i) => hash16(i).startsWith('a')) ?? 'a';
    const prefix = hash16(image).slice(0, 1);
    fs.put(LOG, encodeJournalLine('!i', prefix, '"unreadable"'));
    const journal = open(fs);
    expect(journal.imagePullIntentExists(image)).toEqual({ exists: false, error: 'unreadable' });
    journal.writeImagePullIntent(image);
    journal.deleteImagePullIntent(image);
    // A wide mark names no single key, so no write clears it.
    expect(journal.imagePullIntentExists(image)).toEqual({ exists: false, error: 'unreadable' });
  });
});

describe('import of the kubelet’s files (once)', () => {
  const PULLING = `${DIR}/pulling`;
  const PULLED = `${DIR}/pulled`;

  function kubeletNode(): MemoryFileSystem {
    const fs = new MemoryFileSystem();
    for (const name of [PULLED_FIXTURES.secret, PULLED_FIXTURES.anonymousAlpha, PULLED_FIXTURES.malformed]) {
      fs.put(`${PULLED}/${name}`, fixtureText('pulled', name));
    }
    fs.put(`${PULLING}/${PULLING_FIXTURES.testLatest}`, fixtureText('pulling', PULLING_FIXTURES.testLatest));
    return fs;
  }

  it('imports intents and records, writes the log, removes the files, and never imports again', () => {
    const fs = kubeletNode();
    const journal = open(fs);
    expect(journal.listImagePullIntents().intents).toEqual([{ image: 'docker.io/testing/test:latest' }]);
    expect(journal.getImagePulledRecord('testimageref').record?.credentialMapping).toEqual({
      'docker.io/testing/test': {
        kubernetesSecrets: [
          {
            uid: 'testsecretuid',
            namespace: 'default',
            name: 'pull-secret',
            credentialHash: 'testsecrethash',
          },
        ],
      },
    });
    expect(journal.getImagePulledRecord('testimage-anonpull-alpha').exists).toBe(true);
    // The malformed file is unreadable under its name, as the kubelet reads it: exists, with an error.
    const broken = journal.getImagePulledRecord('testbrokenrecord');
    expect(broken.exists).toBe(true);
    expect(broken.error).toContain(
      `failed to deserialize content of file "${PULLED}/${PULLED_FIXTURES.malformed}"`,
    );
    expect(fs.exists(PULLED)).toBe(false);
    expect(fs.exists(PULLING)).toBe(false);
    expect(logLines(fs).map((l) => l.slice(0, 2))).toEqual(['+i', '+r', '+r', '!r']);
    // A kubelet-format file that shows up later is ignored: the log exists.
    fs.put(`${PULLING}/${PULLING_FIXTURES.repoV1}`, fixtureText('pulling', PULLING_FIXTURES.repoV1));
    expect(open(fs).imagePullIntentExists('repo.repo/test/test:v1')).toEqual({ exists: false });
  });

  it('imported v1alpha1 records are written in the profile’s version', () => {
    const fs = kubeletNode();
    open(fs);
    expect(logOf(fs)).not.toContain('v1alpha1');
  });

  it('drops files whose content names another key, or that no key can name, and reports them', () => {
    const fs = new MemoryFileSystem();
    fs.put(`${PULLED}/${recordFileName('other')}`, fixtureText('pulled', PULLED_FIXTURES.secret));
    fs.put(`${PULLED}/sha256-foo`, 'not json');
    fs.put(`${PULLED}/sha256-bar.tmp`, 'leftover');
    fs.put(`${PULLED}/README`, 'not a record');
    fs.putDir(`${PULLED}/sha256-dir`);
    const journal = open(fs);
    expect(journal.listImagePulledRecords()).toEqual({ records: [], errors: [] });
    expect(journal.replayProblems).toEqual([
      `"${PULLED}/${recordFileName('other')}" holds "testimageref", which is not its name: not imported`,
      expect.stringContaining(`"${PULLED}/sha256-foo" into ImagePulledRecord`),
    ]);
    // Files that are not records stay, and so does their directory.
    expect(fs.list(PULLED)).toEqual(['README', 'sha256-bar.tmp', 'sha256-dir']);
    expect(fs.exists(LOG)).toBe(true);
  });

  it('imports intents into memory only with volatile intents', () => {
    const fs = kubeletNode();
    const journal = open(fs, { volatileIntents: true });
    expect(journal.imagePullIntentExists('docker.io/testing/test:latest')).toEqual({ exists: true });
    expect(logLines(fs).map((l) => l.slice(0, 2))).toEqual(['+r', '+r', '!r']);
  });

  it('imports an unreadable intent file as an unreadable intent', () => {
    const fs = new MemoryFileSystem();
    fs.put(`${PULLING}/${recordFileName('img')}`, '{"kind":"ImagePullIntent"');
    const journal = open(fs);
    expect(journal.imagePullIntentExists('img').error).toContain('into ImagePullIntent');
    expect(journal.listImagePullIntents().errors).toHaveLength(1);
  });

  it('refuses to start when the files cannot be read or the log cannot be written (the files stay)', () => {
    const unreadableDir = kubeletNode();
    unreadableDir.failNext(PULLED, 'EIO', { op: 'readDir' });
    expect(() => open(unreadableDir)).toThrow(PullRecordsInitError);
    const unreadableFile = kubeletNode();
    unreadableFile.failNext(`${PULLED}/${PULLED_FIXTURES.secret}`, 'EIO', { op: 'readFile' });
    expect(() => open(unreadableFile)).toThrow(`failed to import "${PULLED}/${PULLED_FIXTURES.secret}"`);
    const full = kubeletNode();
    full.failNext(`${LOG}.tmp`, 'ENOSPC', { op: 'writeFile' });
    expect(() => open(full)).toThrow('failed to write the record journal after the import');
    expect(full.list(PULLED)).toHaveLength(3);
    expect(open(full).listImagePulledRecords().records).toHaveLength(2);
  });

  it('a missing or non-directory kubelet directory is simply not imported', () => {
    const fs = new MemoryFileSystem();
    fs.put(PULLING, 'a file where a directory would be');
    const journal = open(fs);
    expect(journal.listImagePullIntents()).toEqual({ intents: [], errors: [] });
    expect(fs.exists(LOG)).toBe(false);
  });
});

describe('start-up and append failures', () => {
  it('refuses to start when the log cannot be read: an empty index would take every image for preloaded', () => {
    const fs = new MemoryFileSystem();
    open(fs).writeImagePullIntent('a');
    fs.failNext(LOG, 'EIO', { op: 'readFile' });
    expect(() => open(fs)).toThrow(
      'failed to read the record journal: readFile /var/lib/kubelet/image_manager/journal.log',
    );
    expect(open(fs).imagePullIntentExists('a')).toEqual({ exists: true });
  });

  it('refuses to start when its directory cannot be created or the filesystem cannot append', () => {
    const fs = new MemoryFileSystem();
    fs.failNext(DIR, 'ENOSPC', { op: 'mkdirAll' });
    expect(() => open(fs)).toThrow(PullRecordsInitError);
    // A port written before appends existed (as the test doubles of fail-safe.test.ts).
    const noAppend: FileSystem = {
      mkdirAll: (path) => fs.mkdirAll(path),
      writeFile: (path, data) => fs.writeFile(path, data),
      rename: (from, to) => fs.rename(from, to),
      readFile: (path) => fs.readFile(path),
      readDir: (path) => fs.readDir(path),
      remove: (path) => fs.remove(path),
      stat: (path) => fs.stat(path),
    };
    expect(() => open(noAppend)).toThrow('needs a filesystem that can append');
  });

  it('a failed open or append is an error, changes nothing, and the next mutation tries again', () => {
    const fs = new MemoryFileSystem();
    const journal = open(fs);
    fs.failNext(LOG, 'EACCES', { op: 'openAppend' });
    expect(journal.writeImagePullIntent('a').error).toBe(
      `failed to open the record journal: openAppend ${LOG}: permission denied`,
    );
    expect(journal.imagePullIntentExists('a')).toEqual({ exists: false });
    fs.failNext(LOG, 'ENOSPC', { op: 'append' });
    expect(journal.writeImagePulledRecord(record('r1')).error).toBe(
      `failed to append to the record journal: append ${LOG}: no space left on device`,
    );
    expect(journal.getImagePulledRecord('r1')).toEqual({ exists: false });
    expect(journal.writeImagePullIntent('a')).toEqual({});
    expect(journal.writeImagePulledRecord(record('r1'))).toEqual({});
    fs.failNext(LOG, 'EIO', { op: 'append' });
    expect(journal.deleteImagePulledRecord('r1').error).toContain('input/output error');
    fs.failNext(LOG, 'EIO', { op: 'append' });
    expect(journal.deleteImagePullIntent('a').error).toContain('input/output error');
    // After a failed append the next line starts on a line of its own, in case part of the failed one landed.
    journal.writeImagePullIntent('b');
    expect(logOf(fs)).toContain('\n\n+i ');
    const reopened = open(fs);
    expect(reopened.replayProblems).toEqual([]);
    expect(
      reopened
        .listImagePullIntents()
        .intents.map((i) => i.image)
        .sort(),
    ).toEqual(['a', 'b']);
    expect(reopened.getImagePulledRecord('r1').exists).toBe(true);
  });

  it('after a start on a torn tail, the first append starts a new line', () => {
    const fs = new MemoryFileSystem();
    open(fs).writeImagePulledRecord(record('r1'));
    fs.put(LOG, `${logOf(fs)}+i ${hash16('x')}`);
    const journal = open(fs);
    journal.writeImagePullIntent('y');
    expect(logOf(fs)).toContain(`+i ${hash16('x')}\n+i ${hash16('y')} `);
    expect(logLines(fs)).toHaveLength(3);
    const reopened = open(fs);
    expect(reopened.imagePullIntentExists('y')).toEqual({ exists: true });
    expect(reopened.imagePullIntentExists('x').error).toBeDefined();
  });

  it('logs what the replay found', () => {
    const fs = new MemoryFileSystem();
    open(fs).writeImagePulledRecord(record('r1'));
    fs.put(LOG, `${logOf(fs)}+r`);
    const recorder = new RecordingEventRecorder();
    open(fs, { logger: recorder });
    expect(recorder.logs).toEqual([
      {
        message: 'the record journal had entries that cannot be read; they force verification',
        fields: {
          problems: 1,
          first: 'record journal line 2 is torn: record entries of any key are unreadable',
        },
      },
    ]);
  });
});

describe('corrupt faults from the simulated device', () => {
  it('with a corruption rate, every replay is consistent: each key reads as written or as unreadable', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const fs = new SimFileSystem();
      fs.setFaultRates({ corrupt: 0.2 }, new SeededRandom(seed).stream('faults'));
      const journal = open(fs, { compactionSlackLines: 8 });
      const written = new Map<string, Ticks>();
      for (let i = 0; i < 40; i++) {
        const ref = `r${i % 7}`;
        const seconds = i * 10;
        expect(journal.writeImagePulledRecord(record(ref, seconds))).toEqual({});
        written.set(ref, ticks(T0 + seconds * 1_000_000));
      }
      const replayed = open(fs);
      for (const [ref, time] of written) {
        const got = replayed.getImagePulledRecord(ref);
        if (got.record !== undefined) expect(got.record.lastUpdatedTime).toBeLessThanOrEqual(time);
        else expect(got.exists, `seed ${seed} ${ref}`).toBe(true);
        // Never a half-applied record: what is there is a whole record that was written.
        if (got.record !== undefined)
          expect(got.record.credentialMapping).toEqual(record(ref).credentialMapping);
      }
    }
  });
});
