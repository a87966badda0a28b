import { describe, expect, it } from 'vitest';
import type { EventRecorder, FileSystem } from '../../../src/ports.js';
import { type KubeletProfile, type KubeletVersion, kubeletProfile } from '../../../src/profiles.js';
import { FileSystemPullRecordsAccessor, PullRecordsInitError } from '../../../src/pullmanager/fs-accessor.js';
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
const T_2024 = ticks(1_729_513_600_000_000);

function logger(): {
  lines: Array<{ message: string; fields?: Record<string, unknown> }>;
  recorder: Pick<EventRecorder, 'log'>;
} {
  const lines: Array<{ message: string; fields?: Record<string, unknown> }> = [];
  return {
    lines,
    recorder: {
      log: (message, fields) => lines.push(fields === undefined ? { message } : { message, fields }),
    },
  };
}

function open(
  fs: MemoryFileSystem,
  version: KubeletVersion = '1.35',
  extra: { profile?: Partial<KubeletProfile>; log?: Pick<EventRecorder, 'log'> } = {},
): FileSystemPullRecordsAccessor {
  const profile = kubeletProfile(version, extra.profile ?? {});
  return new FileSystemPullRecordsAccessor(fs, ROOT, {
    recordApiVersion: profile.recordApiVersion,
    decodableApiVersions: profile.decodableApiVersions,
    serviceAccountField: profile.serviceAccountTracking,
    migrateRecordsAtStartup: profile.migrateRecordsAtStartup,
    ...(extra.log === undefined ? {} : { logger: extra.log }),
  });
}

function record(imageRef: string, extra: Partial<ImagePulledRecord> = {}): ImagePulledRecord {
  return {
    lastUpdatedTime: T_2024,
    imageRef,
    credentialMapping: { 'docker.io/library/x': { nodePodsAccessible: true } },
    ...extra,
  };
}

const intentPath = (image: string) => `${PULLING}/${recordFileName(image)}`;
const recordPath = (ref: string) => `${PULLED}/${recordFileName(ref)}`;

describe('directories (NewFSPullRecordsAccessor)', () => {
  it('the constructor creates pulling/ then pulled/, and nothing else', () => {
    const fs = new MemoryFileSystem();
    const accessor = open(fs);
    expect(fs.log).toEqual([
      { op: 'mkdirAll', path: PULLING },
      { op: 'mkdirAll', path: PULLED },
      // 1.35 migration: one listing pass per directory, in the same order.
      { op: 'readDir', path: PULLING },
      { op: 'readDir', path: PULLED },
    ]);
    expect(fs.list(`${ROOT}/image_manager`)).toEqual(['pulled', 'pulling']);
    expect([accessor.pullingDir, accessor.pulledDir]).toEqual([PULLING, PULLED]);
  });

  it('creates a kubelet root that does not exist, two levels deep (upstream fs_pullrecords_test.go)', () => {
    const fs = new MemoryFileSystem();
    const accessor = new FileSystemPullRecordsAccessor(fs, '/tmp/t/does-not-exist/level2dir/', {
      recordApiVersion: 'v1beta1',
      decodableApiVersions: ['v1alpha1', 'v1beta1'],
      serviceAccountField: true,
      migrateRecordsAtStartup: true,
    });
    expect(accessor.pullingDir).toBe('/tmp/t/does-not-exist/level2dir/image_manager/pulling');
    expect(fs.list('/tmp/t/does-not-exist/level2dir/image_manager')).toEqual(['pulled', 'pulling']);
  });

  it('a directory-creation error aborts construction', () => {
    const fs = new MemoryFileSystem();
    fs.failNext(PULLED, 'EACCES', { op: 'mkdirAll' });
    expect(() => open(fs)).toThrow(PullRecordsInitError);
    const blocked = new MemoryFileSystem();
    blocked.put(`${ROOT}/image_manager`, 'a file in the way');
    expect(() => open(blocked)).toThrow(`mkdir ${PULLING}: not a directory`);
  });
});

describe('file names', () => {
  it('intents are keyed by the requested image string verbatim, pulled records by the imageRef', () => {
    const fs = new MemoryFileSystem();
    const accessor = open(fs);
    expect(accessor.writeImagePullIntent('nginx')).toEqual({});
    expect(accessor.writeImagePulledRecord(record('sha256:abc'))).toEqual({});
    expect(fs.list(PULLING)).toEqual([recordFileName('nginx')]);
    expect(fs.list(PULLED)).toEqual([recordFileName('sha256:abc')]);
  });

  it('a valid cache file is not a directory, starts with sha256- and does not end with .tmp; the hex is not checked', () => {
    const fs = new MemoryFileSystem();
    const accessor = open(fs);
    fs.put(`${PULLING}/sha256-foo`, encodeImagePullIntent({ image: 'foo' }, 'v1beta1'));
    fs.put(`${PULLING}/sha256-bar.tmp`, encodeImagePullIntent({ image: 'bar' }, 'v1beta1'));
    fs.put(`${PULLING}/other`, encodeImagePullIntent({ image: 'other' }, 'v1beta1'));
    fs.putDir(`${PULLING}/sha256-dir`);
    expect(accessor.listImagePullIntents()).toEqual({ intents: [{ image: 'foo' }], errors: [] });
    expect(accessor.intentsSize()).toEqual({ ok: true, value: 1 });
  });
});

describe('written apiVersion', () => {
  it('1.33/1.34 write v1alpha1, 1.35+ write v1beta1', () => {
    for (const [version, apiVersion] of [
      ['1.34', 'v1alpha1'],
      ['1.35', 'v1beta1'],
    ] as const) {
      const fs = new MemoryFileSystem();
      open(fs, version).writeImagePullIntent('docker.io/testing/test:latest');
      expect(fs.read(intentPath('docker.io/testing/test:latest'))).toBe(
        encodeImagePullIntent({ image: 'docker.io/testing/test:latest' }, apiVersion),
      );
    }
  });

  it('1.33 drops service accounts when writing (its types have no such field)', () => {
    const fs = new MemoryFileSystem();
    open(fs, '1.33').writeImagePulledRecord(
      record('r', {
        credentialMapping: { k: { kubernetesServiceAccounts: [{ uid: 'u', namespace: 'n', name: 's' }] } },
      }),
    );
    expect(fs.read(recordPath('r'))).toContain('"credentialMapping":{"k":{}}');
  });
});

describe('write protocol (writeFile)', () => {
  it('is mkdirAll(dir) → write <name>.tmp → rename over <name>, with no fsync', () => {
    const fs = new MemoryFileSystem();
    const accessor = open(fs);
    fs.clearLog();
    expect(accessor.writeImagePullIntent('docker.io/testing/test:latest')).toEqual({});
    const target = intentPath('docker.io/testing/test:latest');
    expect(fs.log).toEqual([
      { op: 'mkdirAll', path: PULLING },
      { op: 'writeFile', path: `${target}.tmp` },
      { op: 'rename', path: `${target}.tmp`, to: target },
    ]);
    expect(fs.list(PULLING)).toEqual([
      'sha256-aef2af226629a35d5f3ef0fdbb29fdbebf038d0acd8850590e8c48e1e283aa56',
    ]);
  });

  it('rewrites the whole file on every write, even when nothing changed (the file layer does not compare)', () => {
    const fs = new MemoryFileSystem();
    const accessor = open(fs);
    accessor.writeImagePulledRecord(record('r'));
    fs.clearLog();
    accessor.writeImagePulledRecord(record('r'));
    accessor.writeImagePullIntent('i');
    accessor.writeImagePullIntent('i');
    expect(fs.count('writeFile')).toBe(3);
    expect(fs.count('rename')).toBe(3);
  });

  it('re-creates the directory if someone deleted it', () => {
    const fs = new MemoryFileSystem();
    const accessor = open(fs);
    fs.remove(PULLED);
    expect(accessor.writeImagePulledRecord(record('r'))).toEqual({});
    expect(fs.exists(recordPath('r'))).toBe(true);
  });

  it('a directory error gives "failed to create directory …" and writes nothing', () => {
    const fs = new MemoryFileSystem();
    const accessor = open(fs);
    fs.failNext(PULLING, 'EACCES', { op: 'mkdirAll' });
    fs.clearLog();
    expect(accessor.writeImagePullIntent('i')).toEqual({
      error: `failed to create directory "${PULLING}": mkdirAll ${PULLING}: permission denied`,
    });
    expect(fs.log).toHaveLength(1);
  });

  it('a failed temporary write removes the temporary file (best effort) and names it in the error', () => {
    const fs = new MemoryFileSystem();
    const accessor = open(fs);
    const tmp = `${intentPath('i')}.tmp`;
    fs.failNext(tmp, 'ENOSPC', { op: 'writeFile' });
    fs.clearLog();
    expect(accessor.writeImagePullIntent('i')).toEqual({
      error: `failed to create temporary file "${tmp}": writeFile ${tmp}: no space left on device`,
    });
    expect(fs.log.map((e) => e.op)).toEqual(['mkdirAll', 'writeFile', 'remove']);
    expect(fs.list(PULLING)).toEqual([]);
  });

  it('a failed rename removes the temporary file and returns the raw error; the old file stays', () => {
    const fs = new MemoryFileSystem();
    const accessor = open(fs);
    accessor.writeImagePulledRecord(record('r', { lastUpdatedTime: ticks(0) }));
    const before = fs.read(recordPath('r'));
    fs.failNext(`${recordPath('r')}.tmp`, 'EIO', { op: 'rename' });
    expect(accessor.writeImagePulledRecord(record('r'))).toEqual({
      error: `rename ${recordPath('r')}.tmp: input/output error`,
    });
    expect(fs.list(PULLED)).toEqual([recordFileName('r')]);
    expect(fs.read(recordPath('r'))).toBe(before);
  });

  it('leftover .tmp files (a crash between write and rename) are ignored and never cleaned up', () => {
    const fs = new MemoryFileSystem();
    const leftover = `${intentPath('crashed')}.tmp`;
    fs.put(leftover, encodeImagePullIntent({ image: 'crashed' }, 'v1alpha1'));
    const accessor = open(fs);
    expect(accessor.listImagePullIntents()).toEqual({ intents: [], errors: [] });
    expect(accessor.intentsSize()).toEqual({ ok: true, value: 0 });
    expect(accessor.imagePullIntentExists('crashed')).toEqual({ exists: false });
    accessor.writeImagePullIntent('other');
    expect(fs.exists(leftover)).toBe(true);
  });
});

describe('point reads', () => {
  it('ImagePullIntentExists: an absent file is (false, no error) after one failed read', () => {
    const fs = new MemoryFileSystem();
    const accessor = open(fs);
    fs.clearLog();
    expect(accessor.imagePullIntentExists('i')).toEqual({ exists: false });
    expect(fs.log).toEqual([{ op: 'readFile', path: intentPath('i') }]);
  });

  it('ImagePullIntentExists: other read errors and decode errors are (false, error)', () => {
    const fs = new MemoryFileSystem();
    const accessor = open(fs);
    fs.putDir(intentPath('dir'));
    expect(accessor.imagePullIntentExists('dir')).toEqual({
      exists: false,
      error: `read ${intentPath('dir')}: is a directory`,
    });
    fs.put(intentPath('bad'), '{"kind":"ImagePullIntent"');
    expect(accessor.imagePullIntentExists('bad')).toEqual({
      exists: false,
      error: "couldn't get version/kind; json parse error: unexpected end of JSON input",
    });
  });

  it('ImagePullIntentExists: a name/content mismatch is false with no error', () => {
    const fs = new MemoryFileSystem();
    const accessor = open(fs);
    fs.put(intentPath('wanted'), encodeImagePullIntent({ image: 'other' }, 'v1beta1'));
    expect(accessor.imagePullIntentExists('wanted')).toEqual({ exists: false });
    accessor.writeImagePullIntent('wanted');
    expect(accessor.imagePullIntentExists('wanted')).toEqual({ exists: true });
  });

  it('GetImagePulledRecord: absent ⇒ (none, false); other read error ⇒ (none, false, error)', () => {
    const fs = new MemoryFileSystem();
    const accessor = open(fs);
    expect(accessor.getImagePulledRecord('r')).toEqual({ exists: false });
    fs.failNext(recordPath('r'), 'EACCES');
    expect(accessor.getImagePulledRecord('r')).toEqual({
      exists: false,
      error: `readFile ${recordPath('r')}: permission denied`,
    });
  });

  it('GetImagePulledRecord: a decode error is (none, true, error) – the file exists but is unusable', () => {
    const fs = new MemoryFileSystem();
    const accessor = open(fs);
    fs.put(
      recordPath('r'),
      encodeImagePulledRecord(record('r'), 'v1beta1').replace('"imageRef"', '"x":1,"imageRef"'),
    );
    expect(accessor.getImagePulledRecord('r')).toEqual({
      exists: true,
      error: 'strict decoding error: unknown field "x"',
    });
  });

  it('GetImagePulledRecord: a name/content mismatch is absent with no error; a match returns the record', () => {
    const fs = new MemoryFileSystem();
    const accessor = open(fs);
    fs.put(recordPath('r'), encodeImagePulledRecord(record('someone-else'), 'v1beta1'));
    expect(accessor.getImagePulledRecord('r')).toEqual({ exists: false });
    accessor.writeImagePulledRecord(record('r'));
    expect(accessor.getImagePulledRecord('r')).toEqual({ record: record('r'), exists: true });
  });
});

describe('deletes', () => {
  it('removes the file with one call; deleting an absent file succeeds (idempotent)', () => {
    const fs = new MemoryFileSystem();
    const accessor = open(fs);
    accessor.writeImagePullIntent('i');
    accessor.writeImagePulledRecord(record('r'));
    fs.clearLog();
    expect(accessor.deleteImagePullIntent('i')).toEqual({});
    expect(accessor.deleteImagePulledRecord('r')).toEqual({});
    expect(fs.log).toEqual([
      { op: 'remove', path: intentPath('i') },
      { op: 'remove', path: recordPath('r') },
    ]);
    expect(accessor.deleteImagePullIntent('i')).toEqual({});
    expect(accessor.deleteImagePulledRecord('r')).toEqual({});
    expect(fs.list(PULLING)).toEqual([]);
  });

  it('any other error is returned', () => {
    const fs = new MemoryFileSystem();
    const accessor = open(fs);
    fs.failNext(intentPath('i'), 'EACCES');
    expect(accessor.deleteImagePullIntent('i')).toEqual({
      error: `remove ${intentPath('i')}: permission denied`,
    });
    fs.put(`${recordPath('r')}/inside`, 'x');
    expect(accessor.deleteImagePulledRecord('r')).toEqual({
      error: `remove ${recordPath('r')}: directory not empty`,
    });
  });

  it('does not check the content: deleting by key removes whatever file has that hash name', () => {
    const fs = new MemoryFileSystem();
    const accessor = open(fs);
    fs.put(recordPath('r'), encodeImagePulledRecord(record('someone-else'), 'v1beta1'));
    expect(accessor.deleteImagePulledRecord('r')).toEqual({});
    expect(fs.exists(recordPath('r'))).toBe(false);
  });
});

describe('listing (processDirFiles)', () => {
  it('returns entries sorted by file name (SHA-256 order), not in write order', () => {
    const fs = new MemoryFileSystem();
    const accessor = open(fs);
    const refs = ['zeta', 'alpha', 'mid', 'testimageref', 'b'];
    for (const ref of refs) accessor.writeImagePulledRecord(record(ref));
    const byName = [...refs].sort((a, b) => (recordFileName(a) < recordFileName(b) ? -1 : 1));
    expect(accessor.listImagePulledRecords().records.map((r) => r.imageRef)).toEqual(byName);
  });

  it('skips sub-directories, .tmp files and names without the prefix without reading them', () => {
    const fs = new MemoryFileSystem();
    const accessor = open(fs);
    fs.putDir(`${PULLED}/sha256-subdir`);
    fs.put(
      `${PULLED}/sha256-subdir/${recordFileName('nested')}`,
      encodeImagePulledRecord(record('nested'), 'v1beta1'),
    );
    fs.put(`${PULLED}/README`, 'not a record');
    fs.put(`${recordPath('r')}.tmp`, 'garbage');
    fs.clearLog();
    expect(accessor.listImagePulledRecords()).toEqual({ records: [], errors: [] });
    expect(fs.log).toEqual([{ op: 'readDir', path: PULLED }]);
  });

  it('collects read and decode errors per file and keeps going; bad files are left in place', () => {
    const fs = new MemoryFileSystem();
    const accessor = open(fs);
    accessor.writeImagePullIntent('good');
    fs.put(intentPath('corrupt'), '{"kind":"ImagePullIntent",');
    fs.put(intentPath('unreadable'), encodeImagePullIntent({ image: 'unreadable' }, 'v1beta1'));
    fs.failNext(intentPath('unreadable'), 'EIO', { op: 'readFile' });
    const listed = accessor.listImagePullIntents();
    expect(listed.intents).toEqual([{ image: 'good' }]);
    expect(listed.errors.sort()).toEqual(
      [
        `failed to deserialize content of file "${intentPath('corrupt')}" into ImagePullIntent: couldn't get version/kind; json parse error: unexpected end of JSON input`,
        `failed to read "${intentPath('unreadable')}": readFile ${intentPath('unreadable')}: input/output error`,
      ].sort(),
    );
    expect(fs.exists(intentPath('corrupt'))).toBe(true);
  });

  it('names the kind in decode errors of pulled records too', () => {
    const fs = new MemoryFileSystem();
    const accessor = open(fs);
    fs.put(recordPath('x'), encodeImagePullIntent({ image: 'x' }, 'v1beta1'));
    expect(accessor.listImagePulledRecords()).toEqual({
      records: [],
      errors: [
        `failed to deserialize content of file "${recordPath('x')}" into ImagePulledRecord: failed to convert object to *ImagePulledRecord: *config.ImagePullIntent`,
      ],
    });
  });

  it('reports an error for the directory itself and returns nothing', () => {
    const fs = new MemoryFileSystem();
    const accessor = open(fs);
    fs.remove(PULLING);
    expect(accessor.listImagePullIntents()).toEqual({
      intents: [],
      errors: [`lstat ${PULLING}: no such file or directory`],
    });
  });

  it('a directory path that is a regular file lists nothing without an error, as filepath.WalkDir', () => {
    const fs = new MemoryFileSystem();
    const accessor = open(fs);
    fs.remove(PULLING);
    fs.put(PULLING, 'not a directory');
    expect(accessor.listImagePullIntents()).toEqual({ intents: [], errors: [] });
  });

  it('does not check names against content: a mismatching file is listed as if valid', () => {
    const fs = new MemoryFileSystem();
    const accessor = open(fs);
    fs.put(recordPath('r'), encodeImagePulledRecord(record('someone-else'), 'v1beta1'));
    expect(accessor.listImagePulledRecords().records).toEqual([record('someone-else')]);
  });
});

describe('decoding in the file layer', () => {
  it('1.33/1.34 cannot read v1beta1 files (downgrade hazard); 1.35 reads both versions', () => {
    const fs = new MemoryFileSystem();
    fs.put(intentPath('beta'), encodeImagePullIntent({ image: 'beta' }, 'v1beta1'));
    fs.put(intentPath('alpha'), encodeImagePullIntent({ image: 'alpha' }, 'v1alpha1'));
    const old = open(fs, '1.34');
    expect(old.imagePullIntentExists('alpha')).toEqual({ exists: true });
    expect(old.imagePullIntentExists('beta').error).toContain(
      'no kind "ImagePullIntent" is registered for version',
    );
    expect(open(fs, '1.35').listImagePullIntents().errors).toEqual([]);
  });

  it('1.33 rejects a record with kubernetesServiceAccounts; 1.34 reads it', () => {
    const fs = new MemoryFileSystem();
    const sa = record('sa', {
      credentialMapping: { k: { kubernetesServiceAccounts: [{ uid: 'u', namespace: 'n', name: 's' }] } },
    });
    fs.put(recordPath('sa'), encodeImagePulledRecord(sa, 'v1alpha1'));
    expect(open(fs, '1.33').getImagePulledRecord('sa')).toEqual({
      exists: true,
      error: 'strict decoding error: unknown field "kubernetesServiceAccounts"',
    });
    expect(open(fs, '1.34').getImagePulledRecord('sa')).toEqual({ record: sa, exists: true });
  });
});

describe('start-up migration (#132579)', () => {
  it('rewrites v1alpha1 intents and records as v1beta1 without bumping lastUpdatedTime', () => {
    const fs = new MemoryFileSystem();
    fs.put(intentPath('old'), encodeImagePullIntent({ image: 'old' }, 'v1alpha1'));
    fs.put(recordPath('old'), encodeImagePulledRecord(record('old'), 'v1alpha1'));
    open(fs);
    expect(fs.read(intentPath('old'))).toBe(encodeImagePullIntent({ image: 'old' }, 'v1beta1'));
    expect(fs.read(recordPath('old'))).toBe(encodeImagePulledRecord(record('old'), 'v1beta1'));
    expect(fs.read(recordPath('old'))).toContain('"lastUpdatedTime":"2024-10-21T12:26:40Z"');
  });

  it('leaves v1beta1 files byte-identical and does not write them', () => {
    const fs = new MemoryFileSystem();
    const handMade =
      '{"kind": "ImagePullIntent", "apiVersion": "kubelet.config.k8s.io/v1beta1", "image": "x"}';
    fs.put(intentPath('x'), handMade);
    open(fs);
    expect(fs.read(intentPath('x'))).toBe(handMade);
    expect(fs.count('writeFile')).toBe(0);
  });

  it('only reports undecodable files (one log line per directory) and leaves them untouched', () => {
    const fs = new MemoryFileSystem();
    fs.put(intentPath('bad1'), '{');
    fs.put(intentPath('bad2'), '}');
    fs.put(
      recordPath('bad'),
      '{"kind":"ImagePulledRecord","apiVersion":"kubelet.config.k8s.io/v1alpha1","x":1}',
    );
    const log = logger();
    open(fs, '1.35', { log: log.recorder });
    expect(log.lines.map((l) => l.message)).toEqual([
      'Error migrating image pull intents',
      'Error migrating image pulled records',
    ]);
    expect(String(log.lines[0]?.fields?.error)).toMatch(
      /^\[failed to deserialize content of file .*, failed to/,
    );
    expect(String(log.lines[1]?.fields?.error)).toMatch(/^failed to deserialize .*unknown field "x"$/);
    expect(fs.read(intentPath('bad1'))).toBe('{');
    expect(fs.count('writeFile')).toBe(0);
  });

  it('a failed rewrite is logged and does not fail construction', () => {
    const fs = new MemoryFileSystem();
    fs.put(intentPath('old'), encodeImagePullIntent({ image: 'old' }, 'v1alpha1'));
    fs.failNext(`${intentPath('old')}.tmp`, 'ENOSPC', { op: 'writeFile' });
    const log = logger();
    const accessor = open(fs, '1.35', { log: log.recorder });
    expect(log.lines).toHaveLength(1);
    expect(String(log.lines[0]?.fields?.error)).toContain('failed to create temporary file');
    expect(fs.read(intentPath('old'))).toBe(encodeImagePullIntent({ image: 'old' }, 'v1alpha1'));
    expect(accessor.imagePullIntentExists('old')).toEqual({ exists: true });
  });

  it('a failed record rewrite is logged for the pulled directory too', () => {
    const fs = new MemoryFileSystem();
    fs.put(recordPath('old'), encodeImagePulledRecord(record('old'), 'v1alpha1'));
    fs.failNext(`${recordPath('old')}.tmp`, 'EIO', { op: 'rename' });
    const log = logger();
    open(fs, '1.35', { log: log.recorder });
    expect(log.lines).toEqual([
      {
        message: 'Error migrating image pulled records',
        fields: {
          error: `failed to migrate "${recordPath('old')}": rename ${recordPath('old')}.tmp: input/output error`,
        },
      },
    ]);
    expect(fs.read(recordPath('old'))).toContain('v1alpha1');
    expect(fs.exists(`${recordPath('old')}.tmp`)).toBe(false);
  });

  it('writes through the normal path, so a mismatching file is rewritten under its content key', () => {
    const fs = new MemoryFileSystem();
    fs.put(intentPath('name'), encodeImagePullIntent({ image: 'content' }, 'v1alpha1'));
    open(fs);
    expect(fs.read(intentPath('content'))).toBe(encodeImagePullIntent({ image: 'content' }, 'v1beta1'));
    expect(fs.read(intentPath('name'))).toBe(encodeImagePullIntent({ image: 'content' }, 'v1alpha1'));
  });

  it('does not run before 1.35 (no migration, no listing at start-up)', () => {
    const fs = new MemoryFileSystem();
    fs.put(intentPath('old'), encodeImagePullIntent({ image: 'old' }, 'v1alpha1'));
    open(fs, '1.34');
    expect(fs.log.map((e) => e.op)).toEqual(['mkdirAll', 'mkdirAll']);
  });
});

describe('size functions', () => {
  it('count valid files with one directory read, without opening them', () => {
    const fs = new MemoryFileSystem();
    const accessor = open(fs);
    accessor.writeImagePullIntent('a');
    accessor.writeImagePullIntent('b');
    accessor.writeImagePulledRecord(record('r'));
    fs.put(`${PULLED}/sha256-broken`, 'garbage still counts');
    fs.clearLog();
    expect(accessor.intentsSize()).toEqual({ ok: true, value: 2 });
    expect(accessor.pulledRecordsSize()).toEqual({ ok: true, value: 2 });
    expect(fs.log).toEqual([
      { op: 'readDir', path: PULLING },
      { op: 'readDir', path: PULLED },
    ]);
  });

  it('report a directory error as "failed to open directory …"', () => {
    const fs = new MemoryFileSystem();
    const accessor = open(fs);
    fs.failNext(PULLED, 'EIO', { op: 'readDir' });
    expect(accessor.pulledRecordsSize()).toEqual({
      ok: false,
      error: `failed to open directory "${PULLED}": readDir ${PULLED}: input/output error`,
    });
  });
});

describe('errors that are not FsError', () => {
  it('propagate: a broken filesystem is a bug, not a kubelet outcome', () => {
    const fs = new MemoryFileSystem();
    const accessor = open(fs);
    const broken: FileSystem = {
      mkdirAll: (path) => fs.mkdirAll(path),
      writeFile: (path, data) => fs.writeFile(path, data),
      rename: (from, to) => fs.rename(from, to),
      readDir: (path) => fs.readDir(path),
      remove: (path) => fs.remove(path),
      stat: (path) => fs.stat(path),
      readFile: () => {
        throw new TypeError('boom');
      },
    };
    const other = new FileSystemPullRecordsAccessor(broken, ROOT, {
      recordApiVersion: 'v1beta1',
      decodableApiVersions: ['v1beta1'],
      serviceAccountField: true,
      migrateRecordsAtStartup: false,
    });
    expect(() => other.getImagePulledRecord('r')).toThrow('boom');
    expect(accessor.getImagePulledRecord('r')).toEqual({ exists: false });
  });
});
