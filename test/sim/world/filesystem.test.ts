import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../../sim/kernel/random.js';
import {
  compareNames,
  DEVICE_PROFILES,
  deviceProfile,
  FS_SYSCALLS,
  type FsSyscall,
  getdentsCalls,
  normalizePath,
  SimFileSystem,
  SimulatedCrash,
} from '../../../sim/world/filesystem.js';
import { type FsErrorCode, isFsError } from '../../../src/ports.js';
import { type Ticks, ticks } from '../../../src/time.js';

const KUBELET = '/var/lib/kubelet';
const PULLED = `${KUBELET}/image_manager/pulled`;
const NAME = 'sha256-b3c0cc4278800b03a308ceb2611161430df571ca733122f0a40ac8b9792a9064';
// The upstream pulled-record test data (test/fixtures/kubelet/), with the encoder's trailing newline.
const RECORD =
  '{"kind":"ImagePulledRecord","apiVersion":"kubelet.config.k8s.io/v1beta1","lastUpdatedTime":"2024-10-21T12:26:40Z","imageRef":"testimageref","credentialMapping":{"docker.io/testing/test":{"kubernetesSecrets":[{"uid":"testsecretuid","namespace":"default","name":"pull-secret","credentialHash":"testsecrethash"}]}}}\n';

/** The error code `fn` throws as an FsError (fails the test on anything else). */
function codeOf(fn: () => unknown): FsErrorCode {
  try {
    fn();
  } catch (error) {
    if (isFsError(error)) return error.code;
    throw error;
  }
  throw new Error('expected an FsError');
}

/** A filesystem with the kubelet's record directory in place and the counters zeroed (set-up excluded). */
function kubeletFs(options: ConstructorParameters<typeof SimFileSystem>[0] = {}): SimFileSystem {
  const fs = new SimFileSystem({ countUnder: KUBELET, ...options });
  fs.mkdirAll(PULLED);
  fs.resetCounters();
  fs.takePendingLatency();
  return fs;
}

/** Only the non-zero system-call counts, so expectations list exactly the calls the kubelet makes. */
function nonZeroSyscalls(fs: SimFileSystem): Partial<Record<FsSyscall, number>> {
  const out: Partial<Record<FsSyscall, number>> = {};
  for (const name of FS_SYSCALLS) if (fs.syscalls[name] !== 0) out[name] = fs.syscalls[name];
  return out;
}

/** The kubelet's atomic record write (`fs_pullrecords.go`): mkdirAll, write `<name>.tmp`, rename. */
function writeRecord(fs: SimFileSystem, dir: string, name: string, content: string): void {
  fs.mkdirAll(dir);
  fs.writeFile(`${dir}/${name}.tmp`, content);
  fs.rename(`${dir}/${name}.tmp`, `${dir}/${name}`);
}

// ---------------------------------------------------------------------------------------------------------------

describe('SimFileSystem semantics', () => {
  it('mkdirAll creates missing parents and accepts an existing directory', () => {
    const fs = new SimFileSystem();
    fs.mkdirAll('/a/b/c');
    expect(fs.stat('/a').isDirectory).toBe(true);
    expect(fs.stat('/a/b/c').isDirectory).toBe(true);
    fs.mkdirAll('/a/b/c');
    fs.mkdirAll('/a/b/');
    fs.mkdirAll('/');
    expect(fs.readDir('/a/b')).toEqual([{ name: 'c', isDirectory: true }]);
  });

  it('mkdirAll fails with ENOTDIR when a file is the path or in the way', () => {
    const fs = new SimFileSystem();
    fs.writeFile('/f', 'x');
    expect(codeOf(() => fs.mkdirAll('/f'))).toBe('ENOTDIR');
    expect(codeOf(() => fs.mkdirAll('/f/a/b'))).toBe('ENOTDIR');
    expect(() => fs.mkdirAll('/f/a/b')).toThrow('mkdir /f: not a directory');
    expect(fs.exists('/f/a')).toBe(false);
  });

  it('writeFile creates or truncates, and fails with ENOENT, ENOTDIR, EISDIR', () => {
    const fs = new SimFileSystem();
    fs.mkdirAll('/d');
    fs.writeFile('/d/f', 'long content');
    fs.writeFile('/d/f', 'short');
    expect(fs.readFile('/d/f')).toBe('short');
    expect(codeOf(() => fs.writeFile('/missing/f', 'x'))).toBe('ENOENT');
    expect(codeOf(() => fs.writeFile('/missing/deeper/f', 'x'))).toBe('ENOENT');
    expect(codeOf(() => fs.writeFile('/d/f/g', 'x'))).toBe('ENOTDIR');
    expect(codeOf(() => fs.writeFile('/d', 'x'))).toBe('EISDIR');
    expect(() => fs.writeFile('/missing/f', 'x')).toThrow('open /missing/f: no such file or directory');
  });

  it('rename atomically replaces a file and moves within and across directories', () => {
    const fs = new SimFileSystem();
    fs.mkdirAll('/a');
    fs.mkdirAll('/b');
    fs.writeFile('/a/x.tmp', 'new');
    fs.writeFile('/a/x', 'old');
    fs.rename('/a/x.tmp', '/a/x');
    expect(fs.readFile('/a/x')).toBe('new');
    expect(fs.exists('/a/x.tmp')).toBe(false);
    fs.rename('/a/x', '/b/y');
    expect(fs.readDir('/a')).toEqual([]);
    expect(fs.readFile('/b/y')).toBe('new');
    fs.rename('/b/y', '/b/y');
    expect(fs.readFile('/b/y')).toBe('new');
  });

  it('rename fails with ENOENT, ENOTDIR, EISDIR, ENOTEMPTY as rename(2) does', () => {
    const fs = new SimFileSystem();
    fs.mkdirAll('/d/sub');
    fs.mkdirAll('/full/x');
    fs.mkdirAll('/empty');
    fs.writeFile('/f', 'x');
    expect(codeOf(() => fs.rename('/nope', '/other'))).toBe('ENOENT');
    expect(codeOf(() => fs.rename('/f/nope', '/other'))).toBe('ENOTDIR');
    expect(codeOf(() => fs.rename('/f', '/missing/f'))).toBe('ENOENT');
    expect(codeOf(() => fs.rename('/d', '/f/d'))).toBe('ENOTDIR');
    expect(codeOf(() => fs.rename('/f', '/d'))).toBe('EISDIR');
    expect(codeOf(() => fs.rename('/d', '/f'))).toBe('ENOTDIR');
    expect(codeOf(() => fs.rename('/d', '/full'))).toBe('ENOTEMPTY');
    expect(() => fs.rename('/nope', '/other')).toThrow('rename /nope /other: no such file or directory');
    expect(fs.readFile('/f')).toBe('x');
  });

  it('rename moves a directory with its subtree and may replace an empty directory', () => {
    const fs = new SimFileSystem();
    fs.mkdirAll('/src/deep');
    fs.writeFile('/src/deep/f', 'data');
    fs.writeFile('/src/g', 'more');
    fs.mkdirAll('/dst');
    fs.rename('/src', '/dst');
    expect(fs.exists('/src')).toBe(false);
    expect(fs.exists('/src/deep/f')).toBe(false);
    expect(fs.readFile('/dst/deep/f')).toBe('data');
    expect(fs.readFile('/dst/g')).toBe('more');
    expect(fs.readDir('/')).toEqual([{ name: 'dst', isDirectory: true }]);
    expect(fs.snapshotFiles('/')).toEqual({ 'dst/deep/f': 'data', 'dst/g': 'more' });
  });

  it('rename of the root or of a directory into itself is a programmer error', () => {
    const fs = new SimFileSystem();
    fs.mkdirAll('/d');
    expect(() => fs.rename('/', '/x')).toThrow(RangeError);
    expect(() => fs.rename('/d', '/')).toThrow(RangeError);
    expect(() => fs.rename('/d', '/d/inner')).toThrow(RangeError);
  });

  it('readFile returns the content and fails with ENOENT, ENOTDIR, EISDIR', () => {
    const fs = new SimFileSystem();
    fs.mkdirAll('/d');
    fs.writeFile('/d/f', RECORD);
    fs.writeFile('/d/empty', '');
    expect(fs.readFile('/d/f')).toBe(RECORD);
    expect(fs.readFile('/d/empty')).toBe('');
    expect(codeOf(() => fs.readFile('/d/nope'))).toBe('ENOENT');
    expect(codeOf(() => fs.readFile('/d/f/x'))).toBe('ENOTDIR');
    expect(codeOf(() => fs.readFile('/d'))).toBe('EISDIR');
    expect(() => fs.readFile('/d')).toThrow('read /d: is a directory');
  });

  it('readDir lists entries sorted by name in byte order, with their kinds', () => {
    const fs = new SimFileSystem();
    fs.mkdirAll('/d/sub');
    for (const name of ['b', 'a.tmp', 'Z', 'a', 'sha256-x', '\u{1F600}', '\uFFFD'])
      fs.writeFile(`/d/${name}`, '');
    // UTF-8 byte order: U+FFFD (EF BF BD) sorts before U+1F600 (F0 9F 98 80), unlike UTF-16 order.
    expect(fs.readDir('/d').map((e) => e.name)).toEqual([
      'Z',
      'a',
      'a.tmp',
      'b',
      'sha256-x',
      'sub',
      '\uFFFD',
      '\u{1F600}',
    ]);
    expect(fs.readDir('/d').find((e) => e.name === 'sub')?.isDirectory).toBe(true);
    expect(fs.readDir('/d').find((e) => e.name === 'b')?.isDirectory).toBe(false);
  });

  it('readDir returns a read-only listing that later changes do not alter, and fails with ENOENT and ENOTDIR', () => {
    const fs = new SimFileSystem();
    fs.mkdirAll('/d');
    fs.writeFile('/d/f', '');
    const listed = fs.readDir('/d');
    fs.writeFile('/d/g', '');
    expect(listed.map((e) => e.name)).toEqual(['f']);
    expect(fs.readDir('/d').map((e) => e.name)).toEqual(['f', 'g']);
    expect(codeOf(() => fs.readDir('/nope'))).toBe('ENOENT');
    expect(codeOf(() => fs.readDir('/d/f'))).toBe('ENOTDIR');
    expect(codeOf(() => fs.readDir('/d/f/x'))).toBe('ENOTDIR');
  });

  it('remove unlinks a file or an empty directory, as os.Remove', () => {
    const fs = new SimFileSystem();
    fs.mkdirAll('/d/empty');
    fs.writeFile('/d/f', 'x');
    fs.remove('/d/f');
    fs.remove('/d/empty');
    expect(fs.readDir('/d')).toEqual([]);
    fs.writeFile('/d/g', 'x');
    expect(codeOf(() => fs.remove('/d'))).toBe('ENOTEMPTY');
    expect(codeOf(() => fs.remove('/d/nope'))).toBe('ENOENT');
    expect(codeOf(() => fs.remove('/d/g/x'))).toBe('ENOTDIR');
    expect(() => fs.remove('/d/nope')).toThrow('remove /d/nope: no such file or directory');
    expect(() => fs.remove('/')).toThrow(RangeError);
  });

  it('stat reports kind and size in UTF-8 bytes', () => {
    const fs = new SimFileSystem();
    fs.mkdirAll('/d');
    fs.writeFile('/d/f', 'é😀a');
    expect(fs.stat('/d/f')).toEqual({ isDirectory: false, sizeBytes: 2 + 4 + 1 });
    expect(fs.stat('/d')).toEqual({ isDirectory: true, sizeBytes: 4096 });
    expect(codeOf(() => fs.stat('/nope'))).toBe('ENOENT');
    expect(codeOf(() => fs.stat('/d/f/x'))).toBe('ENOTDIR');
  });

  it('paths are normalised and must be absolute', () => {
    expect(normalizePath('/a/b')).toBe('/a/b');
    expect(normalizePath('/a//b/')).toBe('/a/b');
    expect(normalizePath('/a/./b/../c')).toBe('/a/c');
    expect(normalizePath('/..')).toBe('/');
    expect(normalizePath('/')).toBe('/');
    expect(normalizePath('/a/.hidden')).toBe('/a/.hidden');
    expect(() => normalizePath('a/b')).toThrow(RangeError);
    expect(() => normalizePath('')).toThrow(RangeError);
    const fs = new SimFileSystem();
    fs.mkdirAll('/a/b/');
    fs.writeFile('/a//b/./f', 'x');
    expect(fs.readFile('/a/b/f')).toBe('x');
  });

  it('compareNames is code-point (UTF-8 byte) order', () => {
    expect(compareNames('a', 'b')).toBeLessThan(0);
    expect(compareNames('ab', 'a')).toBeGreaterThan(0);
    expect(compareNames('same', 'same')).toBe(0);
    expect(compareNames('\u{1F600}', '\uE000')).toBeGreaterThan(0);
    expect(compareNames('\uE000', '\u{1F600}')).toBeLessThan(0);
    expect(compareNames('\u{1F600}', '\u{1F601}')).toBeLessThan(0);
    expect(compareNames('\uD7FF', '\u{1F600}')).toBeLessThan(0);
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('SimFileSystem harness helpers (never counted)', () => {
  it('loadFiles creates files and parents; snapshotFiles returns them sorted; nothing is counted', () => {
    const fs = new SimFileSystem();
    fs.loadFiles(`${KUBELET}/image_manager`, {
      [`pulled/${NAME}`]: RECORD,
      'pulling/sha256-aef2': 'intent',
      'pulled/sha256-0000.tmp': '',
    });
    fs.loadFiles(`${KUBELET}/image_manager`, { 'pulling/sha256-aef2': 'intent v2' });
    expect(Object.keys(fs.snapshotFiles(`${KUBELET}/image_manager`))).toEqual([
      'pulled/sha256-0000.tmp',
      `pulled/${NAME}`,
      'pulling/sha256-aef2',
    ]);
    expect(fs.snapshotFiles(`${KUBELET}/image_manager/`)['pulling/sha256-aef2']).toBe('intent v2');
    expect(fs.stat(`${KUBELET}/image_manager/pulled/${NAME}`).sizeBytes).toBe(RECORD.length);
    expect(fs.snapshotFiles('/nope')).toEqual({});
    fs.writeFile('/file', 'x');
    expect(fs.snapshotFiles('/file')).toEqual({});
    expect(fs.snapshotFiles('/').file).toBe('x');
    // Only the kubelet-port calls count: the stat (1) and the writeFile (open, write, close).
    expect(fs.ioTotals().syscalls.total).toBe(1 + 3);
  });

  it('snapshotFiles sorts whole relative paths, not a directory walk', () => {
    const fs = new SimFileSystem();
    fs.loadFiles('/r', { 'a/b': '1', 'a-c': '2' });
    // '-' (0x2d) sorts before '/' (0x2f).
    expect(Object.keys(fs.snapshotFiles('/r'))).toEqual(['a-c', 'a/b']);
  });

  it('loadFiles reports what is in the way', () => {
    const fs = new SimFileSystem();
    fs.loadFiles('/r', { f: 'x', 'd/g': 'y' });
    expect(codeOf(() => fs.loadFiles('/r', { 'f/g': 'z' }))).toBe('ENOTDIR');
    expect(codeOf(() => fs.loadFiles('/r', { d: 'z' }))).toBe('EISDIR');
    expect(() => fs.loadFiles('/r', { '.': 'z' })).toThrow(RangeError);
    expect(fs.ioTotals().ops).toBe(0);
  });

  it('removeTree wipes a subtree (or empties the root) without counting', () => {
    const fs = new SimFileSystem({ countUnder: KUBELET });
    fs.loadFiles(`${KUBELET}/image_manager`, { 'pulled/a': '1', 'pulling/b': '2' });
    fs.loadFiles('/other', { c: '3' });
    fs.removeTree(`${KUBELET}/image_manager`);
    fs.removeTree('/does/not/exist');
    expect(fs.exists(`${KUBELET}/image_manager`)).toBe(false);
    expect(fs.exists(`${KUBELET}/image_manager/pulled/a`)).toBe(false);
    expect(fs.exists(KUBELET)).toBe(true);
    expect(fs.ioTotals().syscalls.total).toBe(0);
    fs.removeTree('/');
    expect(fs.readDir('/')).toEqual([]);
    expect(fs.exists('/other/c')).toBe(false);
    fs.writeFile('/again', 'ok');
    expect(fs.readFile('/again')).toBe('ok');
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('SimFileSystem system-call accounting (docs/kubelet-model.md#file-operations-and-their-cost)', () => {
  it('a record write is stat 1, open 1, write 1, close 1, rename 1', () => {
    const fs = kubeletFs();
    writeRecord(fs, PULLED, NAME, RECORD);
    expect(nonZeroSyscalls(fs)).toEqual({ stat: 1, open: 1, write: 1, close: 1, rename: 1 });
    const totals = fs.ioTotals();
    expect(totals.syscalls.total).toBe(5);
    expect(totals).toMatchObject({ stats: 1, writes: 1, renames: 1, mkdirs: 0, ops: 3 });
    expect(totals.bytesWritten).toBe(RECORD.length);
    expect(fs.readFile(`${PULLED}/${NAME}`)).toBe(RECORD);
  });

  it('countFiles costs what readDir costs, for 200 entries, a missing directory and a file', () => {
    const fill = () => {
      const fs = kubeletFs({ latency: { getdents: ticks(7), lstat: ticks(3) } });
      for (let i = 0; i < 200; i++) writeRecord(fs, PULLED, `sha256-${i}`, RECORD);
      fs.writeFile(`${PULLED}/sha256-x.tmp`, '');
      fs.mkdirAll(`${PULLED}/sha256-dir`);
      fs.resetCounters();
      return fs;
    };
    const filter = { prefix: 'sha256-', excludedSuffix: '.tmp' };
    for (const path of [PULLED, `${PULLED}/missing`, `${PULLED}/sha256-1`]) {
      const listing = fill();
      const counting = fill();
      const outcome = (call: () => number): number | FsErrorCode => {
        try {
          return call();
        } catch (error) {
          if (isFsError(error)) return error.code;
          throw error;
        }
      };
      const listed = outcome(
        () => listing.readDir(path).filter((e) => !e.isDirectory && !e.name.endsWith('.tmp')).length,
      );
      const counted = outcome(() => counting.countFiles(path, filter));
      expect(counted, path).toBe(listed);
      expect(counting.ioTotals(), path).toEqual(listing.ioTotals());
      expect(counting.takePendingLatency(), path).toBe(listing.takePendingLatency());
    }
  });

  it("mkdirAll counts Go's MkdirAll recursion: k missing levels cost k + 1 stat and k mkdir", () => {
    // The kubelet root exists; image_manager and pulled are missing (k = 2): stat(pulled) ENOENT,
    // stat(image_manager) ENOENT, stat(kubelet) ok, then mkdir(image_manager), mkdir(pulled).
    const fs = new SimFileSystem();
    fs.mkdirAll(KUBELET);
    fs.resetCounters();
    fs.mkdirAll(PULLED);
    expect(nonZeroSyscalls(fs)).toEqual({ stat: 3, mkdir: 2 });
    expect(fs.ioTotals()).toMatchObject({ stats: 3, mkdirs: 2, ops: 5 });
  });

  it('mkdirAll never stats the root: /a/b from an empty tree is 2 stat and 2 mkdir', () => {
    const fs = new SimFileSystem();
    fs.mkdirAll('/a/b');
    expect(nonZeroSyscalls(fs)).toEqual({ stat: 2, mkdir: 2 });
  });

  it('mkdirAll with a file in the way stats down to the file and creates nothing', () => {
    const fs = new SimFileSystem();
    fs.writeFile('/f', 'x');
    fs.resetCounters();
    expect(codeOf(() => fs.mkdirAll('/f/a/b'))).toBe('ENOTDIR');
    expect(nonZeroSyscalls(fs)).toEqual({ stat: 3 });
  });

  it('a read of an existing record is open, fstat, read × 2, close', () => {
    const fs = kubeletFs();
    fs.loadFiles(PULLED, { [NAME]: RECORD });
    expect(fs.readFile(`${PULLED}/${NAME}`)).toBe(RECORD);
    expect(nonZeroSyscalls(fs)).toEqual({ open: 1, fstat: 1, read: 2, close: 1 });
    expect(fs.ioTotals()).toMatchObject({ reads: 1, ops: 1, bytesRead: RECORD.length });
  });

  it('a read of a missing record is 1 open', () => {
    const fs = kubeletFs();
    expect(codeOf(() => fs.readFile(`${PULLED}/${NAME}`))).toBe('ENOENT');
    expect(nonZeroSyscalls(fs)).toEqual({ open: 1 });
    expect(fs.ioTotals()).toMatchObject({ reads: 1, ops: 1, bytesRead: 0 });
  });

  it('an empty file reaches end of file on the first read; a directory fails at the read', () => {
    const fs = kubeletFs();
    fs.loadFiles(PULLED, { empty: '' });
    fs.readFile(`${PULLED}/empty`);
    expect(nonZeroSyscalls(fs)).toEqual({ open: 1, fstat: 1, read: 1, close: 1 });
    fs.resetCounters();
    codeOf(() => fs.readFile(PULLED));
    expect(nonZeroSyscalls(fs)).toEqual({ open: 1, fstat: 1, read: 1, close: 1 });
  });

  it('deleting an existing record is 1 unlink; a missing one is unlink + rmdir', () => {
    const fs = kubeletFs();
    fs.loadFiles(PULLED, { [NAME]: RECORD });
    fs.remove(`${PULLED}/${NAME}`);
    expect(nonZeroSyscalls(fs)).toEqual({ unlink: 1 });
    fs.resetCounters();
    codeOf(() => fs.remove(`${PULLED}/${NAME}`));
    expect(nonZeroSyscalls(fs)).toEqual({ unlink: 1, rmdir: 1 });
    expect(fs.ioTotals()).toMatchObject({ removes: 1, ops: 1 });
  });

  it('counts files replaced in and removed from each directory, in the counted scope only', () => {
    const fs = kubeletFs();
    const other = `${KUBELET}/image_manager/pulling`;
    fs.mkdirAll(other);
    fs.loadFiles('/outside', { a: 'x' });
    for (const name of ['a', 'b', 'a']) {
      fs.writeFile(`${PULLED}/${name}.tmp`, RECORD);
      fs.rename(`${PULLED}/${name}.tmp`, `${PULLED}/${name}`);
    }
    fs.writeFile(`${other}/c.tmp`, RECORD);
    fs.rename(`${other}/c.tmp`, `${other}/c`);
    fs.rename('/outside/a', '/outside/b');
    expect([fs.renamesInto(PULLED), fs.renamesInto(`${other}/`), fs.renamesInto('/outside')]).toEqual([
      3, 1, 0,
    ]);

    fs.remove(`${PULLED}/a`);
    codeOf(() => fs.remove(`${PULLED}/a`)); // missing: an unlink system call, but no file removed
    fs.remove(`${other}/c`);
    fs.remove('/outside/b');
    fs.mkdirAll(`${PULLED}/sub`);
    fs.remove(`${PULLED}/sub`); // a directory, not a file
    expect([
      fs.filesRemovedFrom(PULLED),
      fs.filesRemovedFrom(other),
      fs.filesRemovedFrom('/outside'),
    ]).toEqual([1, 1, 0]);

    fs.resetCounters();
    expect([fs.renamesInto(PULLED), fs.filesRemovedFrom(PULLED)]).toEqual([0, 0]);
  });

  it('removing a directory is a failed unlink then rmdir', () => {
    const fs = kubeletFs();
    fs.mkdirAll(`${PULLED}/sub`);
    fs.resetCounters();
    fs.remove(`${PULLED}/sub`);
    expect(nonZeroSyscalls(fs)).toEqual({ unlink: 1, rmdir: 1 });
    fs.resetCounters();
    codeOf(() => fs.remove(PULLED.replace('/pulled', '')));
    expect(nonZeroSyscalls(fs)).toEqual({ unlink: 1, rmdir: 1 });
  });

  it('a directory scan of E entries is lstat + open + getdents × (⌈(E + 2) / 85⌉ + 1) + close', () => {
    // Expected getdents64 calls from the formula: E = 0 → 2; 3 → 2; 83 → 2; 84 → 3; 200 → 4.
    const cases: [number, number][] = [
      [0, 2],
      [3, 2],
      [83, 2],
      [84, 3],
      [200, 4],
    ];
    for (const [entries, getdents] of cases) {
      const fs = kubeletFs();
      const files: Record<string, string> = {};
      for (let i = 0; i < entries; i++) files[`sha256-${String(i).padStart(64, '0')}`] = '';
      fs.loadFiles(PULLED, files);
      expect(fs.readDir(PULLED)).toHaveLength(entries);
      expect(nonZeroSyscalls(fs)).toEqual({ lstat: 1, open: 1, getdents, close: 1 });
      expect(fs.ioTotals()).toMatchObject({ readdirs: 1, ops: 1 });
      expect(getdentsCalls(entries)).toBe(getdents);
    }
  });

  it('a scan counts .tmp files and sub-directories among the entries', () => {
    const fs = kubeletFs();
    const files: Record<string, string> = {};
    for (let i = 0; i < 82; i++) files[`sha256-${i}`] = '';
    fs.loadFiles(PULLED, files);
    fs.writeFile(`${PULLED}/sha256-x.tmp`, '');
    fs.mkdirAll(`${PULLED}/subdir`);
    fs.resetCounters();
    fs.readDir(PULLED); // E = 84 → 3 getdents
    expect(fs.syscalls.getdents).toBe(3);
  });

  it('failed scans: a missing directory is 1 lstat; a file is lstat, open, getdents, close', () => {
    const fs = kubeletFs();
    codeOf(() => fs.readDir(`${KUBELET}/image_manager/pulling`));
    expect(nonZeroSyscalls(fs)).toEqual({ lstat: 1 });
    fs.loadFiles(PULLED, { f: '' });
    fs.resetCounters();
    codeOf(() => fs.readDir(`${PULLED}/f`));
    expect(nonZeroSyscalls(fs)).toEqual({ lstat: 1, open: 1, getdents: 1, close: 1 });
  });

  it('stat is 1 stat; a failed write into a missing directory is 1 open', () => {
    const fs = kubeletFs();
    fs.stat(PULLED);
    codeOf(() => fs.stat(`${PULLED}/nope`));
    expect(nonZeroSyscalls(fs)).toEqual({ stat: 2 });
    fs.resetCounters();
    codeOf(() => fs.writeFile(`${KUBELET}/image_manager/pulling/x.tmp`, 'x'));
    expect(nonZeroSyscalls(fs)).toEqual({ open: 1 });
    expect(fs.ioTotals()).toMatchObject({ writes: 1, bytesWritten: 0 });
  });

  it('the contract §4 totals: ops is the sum of the operation counts', () => {
    // Two record writes (stat, write, rename each), one read, one delete: 2 + 2 + 2 + 1 + 1 + 1 = 9 ops.
    const fs = kubeletFs();
    writeRecord(fs, PULLED, 'sha256-a', RECORD);
    writeRecord(fs, PULLED, 'sha256-b', RECORD);
    fs.readFile(`${PULLED}/sha256-a`);
    fs.remove(`${PULLED}/sha256-b`);
    fs.readDir(PULLED);
    const totals = fs.ioTotals();
    expect(totals).toEqual({
      ops: 9,
      reads: 1,
      writes: 2,
      renames: 2,
      removes: 1,
      readdirs: 1,
      stats: 2,
      mkdirs: 0,
      bytesRead: RECORD.length,
      bytesWritten: 2 * RECORD.length,
      syscalls: {
        open: 2 + 1 + 1,
        close: 2 + 1 + 1,
        read: 2,
        write: 2,
        fstat: 1,
        stat: 2,
        lstat: 1,
        mkdir: 0,
        rename: 2,
        unlink: 1,
        rmdir: 0,
        getdents: 2,
        total: 4 + 4 + 2 + 2 + 1 + 2 + 1 + 2 + 1 + 2,
      },
    });
    expect(JSON.parse(JSON.stringify(totals))).toEqual(totals);
    expect(fs.io.ops).toBe(9);
  });

  it('resetCounters zeroes operations, system calls and pending latency', () => {
    const fs = kubeletFs({ latency: DEVICE_PROFILES.ssd });
    writeRecord(fs, PULLED, NAME, RECORD);
    fs.resetCounters();
    expect(fs.ioTotals().ops).toBe(0);
    expect(fs.ioTotals().syscalls.total).toBe(0);
    expect(fs.pendingLatency).toBe(0);
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('SimFileSystem countUnder', () => {
  it('counts only paths equal to or under the root', () => {
    const fs = new SimFileSystem({ countUnder: `${KUBELET}/` });
    fs.mkdirAll('/etc/other');
    fs.writeFile('/etc/other/f', 'x');
    fs.readFile('/etc/other/f');
    fs.mkdirAll(`${KUBELET}2`);
    fs.writeFile(`${KUBELET}2/f`, 'x');
    expect(fs.ioTotals().ops).toBe(0);
    expect(fs.ioTotals().syscalls.total).toBe(0);
    fs.stat(KUBELET.replace('/kubelet', '')); // /var/lib: outside
    expect(fs.ioTotals().ops).toBe(0);
    fs.mkdirAll(KUBELET); // /var/lib exists: stat(kubelet) fails, stat(/var/lib) ok, mkdir(kubelet)
    expect(nonZeroSyscalls(fs)).toEqual({ stat: 2, mkdir: 1 });
  });

  it('counts a rename when either side is under the root', () => {
    const fs = new SimFileSystem({ countUnder: KUBELET });
    fs.mkdirAll(KUBELET);
    fs.mkdirAll('/tmp');
    fs.writeFile('/tmp/a', 'x');
    fs.resetCounters();
    fs.rename('/tmp/a', `${KUBELET}/a`);
    fs.rename(`${KUBELET}/a`, '/tmp/b');
    expect(fs.syscalls.rename).toBe(2);
    fs.rename('/tmp/b', '/tmp/c');
    expect(fs.syscalls.rename).toBe(2);
  });

  it('countUnder "/" counts everything', () => {
    const fs = new SimFileSystem({ countUnder: '/' });
    fs.writeFile('/f', 'x');
    expect(fs.ioTotals().writes).toBe(1);
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('SimFileSystem latency', () => {
  it('charges the latency of each system call and hands it over once', () => {
    const fs = kubeletFs({ latency: DEVICE_PROFILES.ssd });
    writeRecord(fs, PULLED, NAME, RECORD);
    // ssd: stat 5 + open 10 + write 25 + close 2 + rename 15.
    expect(fs.pendingLatency).toBe(57);
    expect(fs.peekPendingLatency()).toBe(57);
    expect(fs.takePendingLatency()).toBe(57);
    expect(fs.takePendingLatency()).toBe(0);
    fs.readFile(`${PULLED}/${NAME}`);
    // open 10 + fstat 2 + read 20 × 2 + close 2.
    expect(fs.takePendingLatency()).toBe(54);
    fs.readDir(PULLED); // lstat 5 + open 10 + getdents 10 × 2 + close 2
    expect(fs.takePendingLatency()).toBe(37);
  });

  it('a partial latency table charges only what it names; uncounted paths cost nothing', () => {
    const fs = new SimFileSystem({ countUnder: KUBELET, latency: { open: ticks(100) } });
    fs.mkdirAll(PULLED);
    fs.writeFile(`${PULLED}/f`, 'x');
    fs.writeFile('/f', 'x');
    expect(fs.takePendingLatency()).toBe(100);
  });

  it('rejects a latency that is not a non-negative integer', () => {
    expect(() => new SimFileSystem({ latency: { read: -1 as Ticks } })).toThrow(RangeError);
    expect(() => new SimFileSystem({ latency: { read: 1.5 as Ticks } })).toThrow(RangeError);
  });

  it('every device profile names every system call; none is all zero', () => {
    for (const profile of Object.values(DEVICE_PROFILES)) {
      expect(Object.keys(profile).sort()).toEqual([...FS_SYSCALLS].sort());
      for (const value of Object.values(profile))
        expect(Number.isSafeInteger(value) && value >= 0).toBe(true);
    }
    expect(Object.values(DEVICE_PROFILES.none).every((value) => value === 0)).toBe(true);
    expect(DEVICE_PROFILES.hdd.read).toBeGreaterThan(DEVICE_PROFILES.ssd.read);
    expect(deviceProfile('ssd')).toBe(DEVICE_PROFILES.ssd);
    expect(deviceProfile('floppy')).toBeUndefined();
    expect(deviceProfile('toString')).toBeUndefined();
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('SimFileSystem faults', () => {
  it('readError fails the next reads of existing files with EIO, then stops', () => {
    const fs = kubeletFs();
    fs.loadFiles(PULLED, { [NAME]: RECORD });
    fs.armFault({ kind: 'readError', count: 2 });
    expect(codeOf(() => fs.readFile(`${PULLED}/missing`))).toBe('ENOENT'); // does not use the fault
    expect(fs.armedFaults()).toEqual([{ kind: 'readError', count: 2 }]);
    expect(codeOf(() => fs.readFile(`${PULLED}/${NAME}`))).toBe('EIO');
    expect(() => fs.readFile(`${PULLED}/${NAME}`)).toThrow('read');
    expect(fs.readFile(`${PULLED}/${NAME}`)).toBe(RECORD);
    expect(fs.faultsInjected.readError).toBe(2);
    expect(fs.armedFaults()).toEqual([]);
    expect(fs.ioTotals().bytesRead).toBe(RECORD.length);
  });

  it('a readError costs open, fstat, one failed read, close', () => {
    const fs = kubeletFs();
    fs.loadFiles(PULLED, { [NAME]: RECORD });
    fs.armFault({ kind: 'readError' });
    codeOf(() => fs.readFile(`${PULLED}/${NAME}`));
    expect(nonZeroSyscalls(fs)).toEqual({ open: 1, fstat: 1, read: 1, close: 1 });
  });

  it('a fault with pathPrefix applies only under that prefix', () => {
    const fs = kubeletFs();
    fs.loadFiles(`${KUBELET}/image_manager`, { 'pulling/i': 'intent', 'pulled/r': 'record' });
    fs.armFault({ kind: 'readError', pathPrefix: `${KUBELET}/image_manager/pulled/` });
    expect(fs.readFile(`${KUBELET}/image_manager/pulling/i`)).toBe('intent');
    expect(codeOf(() => fs.readFile(`${KUBELET}/image_manager/pulled/r`))).toBe('EIO');
  });

  it('writeError fails the write with EIO and leaves an empty file', () => {
    const fs = kubeletFs();
    fs.loadFiles(PULLED, { [NAME]: RECORD });
    fs.armFault({ kind: 'writeError', count: 2 });
    expect(codeOf(() => fs.writeFile(`${PULLED}/${NAME}.tmp`, RECORD))).toBe('EIO');
    expect(fs.readFile(`${PULLED}/${NAME}.tmp`)).toBe('');
    expect(codeOf(() => fs.writeFile(`${PULLED}/${NAME}`, 'new'))).toBe('EIO');
    expect(fs.stat(`${PULLED}/${NAME}`).sizeBytes).toBe(0);
    expect(fs.ioTotals().bytesWritten).toBe(0);
    expect(fs.faultsInjected.writeError).toBe(2);
    expect(fs.syscalls).toMatchObject({ open: 3, write: 2, close: 3 });
  });

  it('a write that fails before the open does not use a write fault', () => {
    const fs = kubeletFs();
    fs.armFault({ kind: 'writeError' });
    expect(codeOf(() => fs.writeFile('/nope/f', 'x'))).toBe('ENOENT');
    expect(fs.armedFaults()).toHaveLength(1);
  });

  it('enospc fails writeFile and a creating mkdirAll, never a stat of an existing directory', () => {
    const fs = kubeletFs();
    fs.armFault({ kind: 'enospc', count: 2 });
    fs.mkdirAll(PULLED); // exists: no mkdir, nothing to fail
    expect(codeOf(() => fs.writeFile(`${PULLED}/x.tmp`, 'x'))).toBe('ENOSPC');
    expect(fs.readFile(`${PULLED}/x.tmp`)).toBe('');
    fs.resetCounters();
    expect(() => fs.mkdirAll(`${KUBELET}/image_manager/pulling/deep`)).toThrow(
      `mkdir ${KUBELET}/image_manager/pulling: no space left on device`,
    );
    expect(fs.exists(`${KUBELET}/image_manager/pulling`)).toBe(false);
    // stat(deep), stat(pulling), stat(image_manager) ok; mkdir(pulling) fails; Go's Lstat double-check.
    expect(nonZeroSyscalls(fs)).toEqual({ stat: 3, mkdir: 1, lstat: 1 });
    expect(fs.faultsInjected.enospc).toBe(2);
    fs.mkdirAll(`${KUBELET}/image_manager/pulling/deep`);
    expect(fs.exists(`${KUBELET}/image_manager/pulling/deep`)).toBe(true);
  });

  it('crashBeforeRename throws SimulatedCrash, keeps the .tmp file and the old record, counts nothing', () => {
    const fs = kubeletFs();
    fs.loadFiles(PULLED, { [NAME]: 'old' });
    fs.armFault({ kind: 'crashBeforeRename' });
    fs.writeFile(`${PULLED}/other`, 'x');
    fs.rename(`${PULLED}/other`, `${PULLED}/other2`); // not a .tmp source: the fault waits
    fs.writeFile(`${PULLED}/${NAME}.tmp`, 'new');
    fs.resetCounters();
    let crash: unknown;
    try {
      fs.rename(`${PULLED}/${NAME}.tmp`, `${PULLED}/${NAME}`);
    } catch (error) {
      crash = error;
    }
    expect(crash).toBeInstanceOf(SimulatedCrash);
    expect((crash as SimulatedCrash).from).toBe(`${PULLED}/${NAME}.tmp`);
    expect((crash as SimulatedCrash).to).toBe(`${PULLED}/${NAME}`);
    expect((crash as SimulatedCrash).name).toBe('SimulatedCrash');
    expect(fs.readFile(`${PULLED}/${NAME}.tmp`)).toBe('new');
    expect(fs.readFile(`${PULLED}/${NAME}`)).toBe('old');
    expect(fs.syscalls.rename).toBe(0);
    expect(fs.faultsInjected.crashBeforeRename).toBe(1);
    fs.rename(`${PULLED}/${NAME}.tmp`, `${PULLED}/${NAME}`);
    expect(fs.readFile(`${PULLED}/${NAME}`)).toBe('new');
  });

  it('corrupt stores a torn prefix that is never valid JSON and reports success', () => {
    const fs = kubeletFs();
    fs.armFault({ kind: 'corrupt' });
    fs.writeFile(`${PULLED}/${NAME}`, RECORD);
    const stored = fs.readFile(`${PULLED}/${NAME}`);
    // Without a stream the cut is half-way through the meaningful content.
    expect(stored).toBe(RECORD.slice(0, (RECORD.length - 1) >> 1));
    expect(() => JSON.parse(stored)).toThrow();
    expect(fs.ioTotals().bytesWritten).toBe(RECORD.length);
    expect(fs.stat(`${PULLED}/${NAME}`).sizeBytes).toBe(stored.length);
    expect(fs.faultsInjected.corrupt).toBe(1);
  });

  it('corrupt with a stream cuts at a seeded length, reproducibly', () => {
    const cuts = (seed: number): string[] => {
      const fs = kubeletFs({ faultStream: new SeededRandom(seed).stream('faults') });
      fs.armFault({ kind: 'corrupt', count: 20 });
      const out: string[] = [];
      for (let i = 0; i < 20; i++) {
        fs.writeFile(`${PULLED}/f`, RECORD);
        out.push(fs.readFile(`${PULLED}/f`));
      }
      return out;
    };
    const first = cuts(7);
    expect(cuts(7)).toEqual(first);
    for (const stored of first) {
      expect(RECORD.startsWith(stored)).toBe(true);
      expect(stored.length).toBeLessThan(RECORD.trimEnd().length);
      expect(() => JSON.parse(stored)).toThrow();
    }
    expect(new Set(first.map((s) => s.length)).size).toBeGreaterThan(1);
  });

  it('corrupt of tiny content empties it and never splits a surrogate pair', () => {
    const fs = kubeletFs();
    fs.armFault({ kind: 'corrupt', count: 3 });
    fs.writeFile(`${PULLED}/a`, '}\n');
    expect(fs.readFile(`${PULLED}/a`)).toBe('');
    fs.writeFile(`${PULLED}/b`, '');
    expect(fs.readFile(`${PULLED}/b`)).toBe('');
    fs.writeFile(`${PULLED}/c`, 'a😀bc'); // 5 code units; the half-way cut (2) would split the emoji
    expect(fs.readFile(`${PULLED}/c`)).toBe('a');
  });

  it('armFault validates its input', () => {
    const fs = new SimFileSystem();
    expect(() => fs.armFault({ kind: 'readError', count: 0 })).toThrow(RangeError);
    expect(() => fs.armFault({ kind: 'readError', count: 1.5 })).toThrow(RangeError);
    expect(() => fs.armFault({ kind: 'nope' as 'readError' })).toThrow(RangeError);
    fs.armFault({ kind: 'enospc', count: 3, pathPrefix: '/x/' });
    expect(fs.armedFaults()).toEqual([{ kind: 'enospc', count: 3, pathPrefix: '/x' }]);
  });

  it('armed faults come before rates and are used in arming order', () => {
    const stream = new SeededRandom(1).stream('faults');
    const fs = kubeletFs();
    fs.setFaultRates({ writeError: 1 }, stream);
    fs.armFault({ kind: 'enospc' });
    fs.armFault({ kind: 'corrupt' });
    expect(codeOf(() => fs.writeFile(`${PULLED}/a`, 'x'))).toBe('ENOSPC');
    fs.writeFile(`${PULLED}/b`, '{"a":1}');
    expect(fs.readFile(`${PULLED}/b`)).not.toBe('{"a":1}');
    expect(codeOf(() => fs.writeFile(`${PULLED}/c`, 'x'))).toBe('EIO');
  });

  it('rates of 0 draw nothing from the stream', () => {
    const stream = new SeededRandom(3).stream('faults');
    const before = stream.state();
    const fs = kubeletFs();
    fs.setFaultRates({ readError: 0, writeError: 0, enospc: 0, corrupt: 0 }, stream);
    for (let i = 0; i < 50; i++) {
      writeRecord(fs, PULLED, `sha256-${i}`, RECORD);
      fs.readFile(`${PULLED}/sha256-${i}`);
      fs.mkdirAll(`${PULLED}/d${i}`);
    }
    expect(stream.state()).toEqual(before);
    expect(Object.values(fs.faultsInjected).every((n) => n === 0)).toBe(true);
  });

  it('a write-only rate never draws on reads', () => {
    const stream = new SeededRandom(3).stream('faults');
    const fs = kubeletFs();
    fs.loadFiles(PULLED, { f: RECORD });
    fs.setFaultRates({ writeError: 0.5 }, stream);
    const before = stream.state();
    for (let i = 0; i < 20; i++) fs.readFile(`${PULLED}/f`);
    expect(stream.state()).toEqual(before);
    try {
      fs.writeFile(`${PULLED}/g`, 'x');
    } catch (error) {
      expect(isFsError(error, 'EIO')).toBe(true);
    }
    expect(stream.state()).not.toEqual(before);
  });

  it('rates inject faults from the seeded stream, reproducibly', () => {
    const outcomes = (seed: number): string[] => {
      const fs = kubeletFs();
      fs.loadFiles(PULLED, { f: RECORD });
      fs.setFaultRates(
        { readError: 0.3, writeError: 0.2, enospc: 0.1, corrupt: 0.2 },
        new SeededRandom(seed).stream('faults'),
      );
      const out: string[] = [];
      for (let i = 0; i < 200; i++) {
        try {
          fs.writeFile(`${PULLED}/g`, RECORD);
          out.push(fs.readFile(`${PULLED}/g`) === RECORD ? 'ok' : 'corrupt');
        } catch (error) {
          out.push(isFsError(error) ? error.code : 'other');
        }
      }
      return out;
    };
    const run = outcomes(11);
    expect(outcomes(11)).toEqual(run);
    expect(outcomes(12)).not.toEqual(run);
    for (const kind of ['ok', 'corrupt', 'EIO', 'ENOSPC']) expect(run).toContain(kind);
  });

  it('rates apply only under their pathPrefix, and setFaultRates replaces earlier rates', () => {
    const stream = new SeededRandom(5).stream('faults');
    const fs = kubeletFs();
    fs.mkdirAll(`${KUBELET}/other`);
    fs.setFaultRates({ writeError: 1 }, stream, { pathPrefix: PULLED });
    fs.writeFile(`${KUBELET}/other/f`, 'x');
    expect(codeOf(() => fs.writeFile(`${PULLED}/f`, 'x'))).toBe('EIO');
    fs.setFaultRates({ enospc: 1 }, stream);
    expect(codeOf(() => fs.mkdirAll(`${KUBELET}/new`))).toBe('ENOSPC');
    expect(codeOf(() => fs.writeFile(`${KUBELET}/other/f`, 'x'))).toBe('ENOSPC');
    fs.setFaultRates({}, stream);
    fs.writeFile(`${PULLED}/f`, 'x');
    expect(fs.faultsInjected).toEqual({
      readError: 0,
      writeError: 1,
      enospc: 2,
      crashBeforeRename: 0,
      corrupt: 0,
    });
  });

  it('setFaultRates rejects rates outside [0, 1]', () => {
    const fs = new SimFileSystem();
    const stream = new SeededRandom(1).stream('faults');
    expect(() => fs.setFaultRates({ readError: 1.5 }, stream)).toThrow(RangeError);
    expect(() => fs.setFaultRates({ corrupt: -0.1 }, stream)).toThrow(RangeError);
    expect(() => fs.setFaultRates({ enospc: Number.NaN }, stream)).toThrow(RangeError);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Model-based test.
//
// Invariant: for any sequence of operations, SimFileSystem and a plain Map from path to content agree on every
// result and every error code, and end with the same tree.

type ModelNode = { readonly dir: true } | { readonly dir: false; readonly content: string };
type Model = Map<string, ModelNode>;
type Outcome = { ok: unknown } | { error: string };

function modelParent(p: string): string {
  const i = p.lastIndexOf('/');
  return i === 0 ? '/' : p.slice(0, i);
}

/** Path resolution top-down: the first component that is missing (ENOENT) or a file (ENOTDIR). */
function modelMissing(model: Model, p: string): FsErrorCode {
  const parts = p.split('/').slice(1, -1);
  let cur = '';
  for (const part of parts) {
    cur = `${cur}/${part}`;
    const node = model.get(cur);
    if (node === undefined) return 'ENOENT';
    if (!node.dir) return 'ENOTDIR';
  }
  return 'ENOENT';
}

function modelChildren(model: Model, p: string): string[] {
  const prefix = p === '/' ? '/' : `${p}/`;
  return [...model.keys()].filter(
    (k) => k !== '/' && k.startsWith(prefix) && !k.slice(prefix.length).includes('/'),
  );
}

type Op =
  | { op: 'mkdirAll'; path: string }
  | { op: 'writeFile'; path: string; data: string }
  | { op: 'rename'; from: string; to: string }
  | { op: 'readFile'; path: string }
  | { op: 'readDir'; path: string }
  | { op: 'countFiles'; path: string; prefix: string; excludedSuffix: string }
  | { op: 'remove'; path: string }
  | { op: 'stat'; path: string };

function applyModel(model: Model, o: Op): Outcome {
  const fail = (code: string): Outcome => ({ error: code });
  switch (o.op) {
    case 'mkdirAll': {
      let cur = '';
      for (const part of o.path.split('/').slice(1)) {
        cur = `${cur}/${part}`;
        const node = model.get(cur);
        if (node === undefined) model.set(cur, { dir: true });
        else if (!node.dir) return fail('ENOTDIR');
      }
      return { ok: undefined };
    }
    case 'writeFile': {
      const node = model.get(o.path);
      if (node?.dir) return fail('EISDIR');
      const parent = model.get(modelParent(o.path));
      if (parent === undefined) return fail(modelMissing(model, o.path));
      if (!parent.dir) return fail('ENOTDIR');
      model.set(o.path, { dir: false, content: o.data });
      return { ok: undefined };
    }
    case 'rename': {
      const src = model.get(o.from);
      if (src === undefined) return fail(modelMissing(model, o.from));
      const parent = model.get(modelParent(o.to));
      if (parent === undefined) return fail(modelMissing(model, o.to));
      if (!parent.dir) return fail('ENOTDIR');
      if (o.from === o.to) return { ok: undefined };
      const dst = model.get(o.to);
      if (!src.dir && dst?.dir) return fail('EISDIR');
      if (src.dir && o.to.startsWith(`${o.from}/`)) return fail('EINVAL');
      if (src.dir && dst !== undefined && !dst.dir) return fail('ENOTDIR');
      if (dst?.dir && modelChildren(model, o.to).length > 0) return fail('ENOTEMPTY');
      model.delete(o.to);
      for (const [key, node] of [...model.entries()]) {
        if (key === o.from || key.startsWith(`${o.from}/`)) {
          model.delete(key);
          model.set(o.to + key.slice(o.from.length), node);
        }
      }
      return { ok: undefined };
    }
    case 'readFile': {
      const node = model.get(o.path);
      if (node === undefined) return fail(modelMissing(model, o.path));
      if (node.dir) return fail('EISDIR');
      return { ok: node.content };
    }
    case 'readDir': {
      const node = model.get(o.path);
      if (node === undefined) return fail(modelMissing(model, o.path));
      if (!node.dir) return fail('ENOTDIR');
      const names = modelChildren(model, o.path).map((k) => k.slice(k.lastIndexOf('/') + 1));
      return {
        ok: names.sort().map((name) => ({
          name,
          isDirectory: model.get(o.path === '/' ? `/${name}` : `${o.path}/${name}`)?.dir,
        })),
      };
    }
    case 'countFiles': {
      const node = model.get(o.path);
      if (node === undefined) return fail(modelMissing(model, o.path));
      if (!node.dir) return fail('ENOTDIR');
      const files = modelChildren(model, o.path).filter((key) => {
        const name = key.slice(key.lastIndexOf('/') + 1);
        return model.get(key)?.dir === false && name.startsWith(o.prefix) && !name.endsWith(o.excludedSuffix);
      });
      return { ok: files.length };
    }
    case 'remove': {
      const node = model.get(o.path);
      if (node === undefined) return fail(modelMissing(model, o.path));
      if (node.dir && modelChildren(model, o.path).length > 0) return fail('ENOTEMPTY');
      model.delete(o.path);
      return { ok: undefined };
    }
    case 'stat': {
      const node = model.get(o.path);
      if (node === undefined) return fail(modelMissing(model, o.path));
      return {
        ok: node.dir
          ? { isDirectory: true, sizeBytes: 4096 }
          : { isDirectory: false, sizeBytes: new TextEncoder().encode(node.content).length },
      };
    }
  }
}

function applyReal(fs: SimFileSystem, o: Op): Outcome {
  try {
    switch (o.op) {
      case 'mkdirAll':
        return { ok: fs.mkdirAll(o.path) };
      case 'writeFile':
        return { ok: fs.writeFile(o.path, o.data) };
      case 'rename':
        return { ok: fs.rename(o.from, o.to) };
      case 'readFile':
        return { ok: fs.readFile(o.path) };
      case 'readDir':
        return { ok: fs.readDir(o.path) };
      case 'countFiles':
        return { ok: fs.countFiles(o.path, o) };
      case 'remove':
        return { ok: fs.remove(o.path) };
      case 'stat':
        return { ok: fs.stat(o.path) };
    }
  } catch (error) {
    if (isFsError(error)) return { error: error.code };
    if (error instanceof RangeError) return { error: 'EINVAL' };
    throw error;
  }
}

/** Every path of the tree, with file contents, sorted. */
function modelTree(model: Model): [string, string | null][] {
  return [...model.entries()]
    .filter(([k]) => k !== '/')
    .map(([k, n]): [string, string | null] => [k, n.dir ? null : n.content])
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

function realTree(fs: SimFileSystem): [string, string | null][] {
  const out: [string, string | null][] = [];
  const visit = (dir: string): void => {
    for (const entry of fs.readDir(dir)) {
      const path = dir === '/' ? `/${entry.name}` : `${dir}/${entry.name}`;
      if (entry.isDirectory) {
        out.push([path, null]);
        visit(path);
      } else out.push([path, fs.readFile(path)]);
    }
  };
  visit('/');
  return out.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

class OpCommand implements fc.Command<Model, SimFileSystem> {
  constructor(readonly o: Op) {}
  check(): boolean {
    return true;
  }
  run(model: Model, fs: SimFileSystem): void {
    const expected = applyModel(model, this.o);
    expect(applyReal(fs, this.o)).toEqual(expected);
    const io = fs.ioTotals();
    expect(io.ops).toBe(io.reads + io.writes + io.renames + io.removes + io.readdirs + io.stats + io.mkdirs);
  }
  toString(): string {
    return JSON.stringify(this.o);
  }
}

describe('SimFileSystem against a Map model', () => {
  const segment = fc.constantFrom('a', 'b', 'x.tmp');
  const path = fc.array(segment, { minLength: 1, maxLength: 3 }).map((parts) => `/${parts.join('/')}`);
  const data = fc.oneof(fc.constantFrom('', RECORD, 'é😀'), fc.string({ maxLength: 8 }));
  const commands = fc.commands(
    [
      path.map((p) => new OpCommand({ op: 'mkdirAll', path: p })),
      fc.tuple(path, data).map(([p, d]) => new OpCommand({ op: 'writeFile', path: p, data: d })),
      fc.tuple(path, path).map(([f, t]) => new OpCommand({ op: 'rename', from: f, to: t })),
      path.map((p) => new OpCommand({ op: 'readFile', path: p })),
      fc.oneof(path, fc.constant('/')).map((p) => new OpCommand({ op: 'readDir', path: p })),
      // Two filters, so that a directory keeps more than one tally: `a` and `b` files, and `x.tmp` files.
      fc.tuple(fc.oneof(path, fc.constant('/')), fc.constantFrom(['', '.tmp'], ['x', '.zip'])).map(
        ([p, [prefix, excludedSuffix]]) =>
          new OpCommand({
            op: 'countFiles',
            path: p,
            prefix: prefix ?? '',
            excludedSuffix: excludedSuffix ?? '',
          }),
      ),
      path.map((p) => new OpCommand({ op: 'remove', path: p })),
      path.map((p) => new OpCommand({ op: 'stat', path: p })),
    ],
    { maxCommands: 60 },
  );

  it('agrees on every result, error code and the final tree', () => {
    fc.assert(
      fc.property(commands, (cmds) => {
        const model: Model = new Map([['/', { dir: true }]]);
        const fs = new SimFileSystem();
        fc.modelRun(() => ({ model, real: fs }), cmds);
        expect(realTree(fs)).toEqual(modelTree(model));
      }),
      { numRuns: 300 },
    );
  });
});
