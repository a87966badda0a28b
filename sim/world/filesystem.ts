/**
 * The simulated node filesystem: an in-memory tree of directories and regular files that implements the kubelet's
 * `FileSystem` port, counts every call as the system calls Go issues for it
 * (docs/kubelet-model.md#file-operations-and-their-cost), charges virtual time per system call, and injects faults
 * drawn from the run's seeded `faults` stream.
 *
 * This module holds the operations of the port, each as the sequence of system calls Go makes for it. The tree and
 * its directory listings and tallies are in filesystem-tree.ts, the counters and device latencies in
 * filesystem-meter.ts, fault injection in filesystem-faults.ts, append handles in filesystem-append.ts, and path
 * handling in filesystem-paths.ts; their public names are re-exported here.
 */
import {
  type AppendHandle,
  type DirEntry,
  type FileNameFilter,
  type FileStat,
  type FileSystem,
  FsError,
  type FsErrorCode,
} from '../../src/ports.js';
import type { Ticks } from '../../src/time.js';
import type { RandomStream } from '../kernel/random.js';
import { appendHandle } from './filesystem-append.js';
import {
  FsFaultInjector,
  type FsFaultKind,
  type FsFaultRates,
  type FsFaultSpec,
  SimulatedCrash,
} from './filesystem-faults.js';
import {
  type FsIoCounters,
  type FsIoTotals,
  FsMeter,
  type FsSyscall,
  getdentsCalls,
} from './filesystem-meter.js';
import { normalizePath, parentOf, ROOT } from './filesystem-paths.js';
import { DirNode, FileNode, FsTree } from './filesystem-tree.js';

export {
  type FsFaultKind,
  type FsFaultRates,
  type FsFaultSpec,
  SimulatedCrash,
} from './filesystem-faults.js';
export {
  DEVICE_PROFILES,
  deviceProfile,
  FS_SYSCALLS,
  type FsDeviceProfileName,
  type FsIoCounters,
  type FsIoTotals,
  type FsSyscall,
  getdentsCalls,
} from './filesystem-meter.js';
export { compareNames, normalizePath } from './filesystem-paths.js';

export interface SimFileSystemOptions {
  /** Count (and charge latency for) only operations on paths equal to or under this directory. */
  readonly countUnder?: string;
  /** Virtual time per system call; missing calls cost 0. */
  readonly latency?: Partial<Record<FsSyscall, Ticks>>;
  /** The seeded stream used to choose how an armed `corrupt` fault damages content (see `setFaultRates`). */
  readonly faultStream?: RandomStream;
}

/** The size `stat` reports for a directory: one ext4 block, as Linux shows for a small directory. */
const DIRECTORY_SIZE_BYTES = 4096;

/**
 * An in-memory POSIX-like filesystem for one simulated node, counting each call as Go's system calls.
 *
 * @example
 * const fs = new SimFileSystem({ countUnder: '/var/lib/kubelet', latency: DEVICE_PROFILES.ssd });
 * fs.mkdirAll('/var/lib/kubelet/image_manager/pulled');
 * fs.resetCounters(); // exclude set-up
 */
export class SimFileSystem implements FileSystem {
  readonly #tree = new FsTree();
  /** The tree's node map, for the look-ups every operation starts with. */
  readonly #nodes = this.#tree.nodes;
  readonly #meter: FsMeter;
  readonly #faults: FsFaultInjector;

  constructor({ countUnder, latency = {}, faultStream }: SimFileSystemOptions = {}) {
    this.#meter = new FsMeter(countUnder === undefined ? ROOT : normalizePath(countUnder), latency);
    this.#faults = new FsFaultInjector(faultStream);
  }

  // -------------------------------------------------------------------------------------------------------------
  // The FileSystem port

  /**
   * Go's `os.MkdirAll`. Accounting follows its recursion: `Stat(path)`; on failure recurse to the parent (which
   * stats it, and so on up to the first existing directory), then `Mkdir` each missing level top-down. So creating
   * k missing levels under an existing directory D costs k + 1 `stat` and k `mkdir`; when D is `/` it is never
   * stat'ed (Go stops recursing at the volume root), so k `stat` and k `mkdir`. An existing directory costs 1
   * `stat`. A file in the way fails with ENOTDIR after the stats. A failed `mkdir` is followed by Go's `Lstat`
   * double-check. Every `stat`/`lstat` counts as one `stats` operation, every `mkdir` attempt as one `mkdirs`.
   */
  mkdirAll(path: string): void {
    const p = normalizePath(path);
    const counted = this.#meter.counts(p);
    const missing: string[] = [];
    let cur = p;
    for (;;) {
      if (counted) this.#meter.stat('stat');
      const node = this.#nodes.get(cur);
      if (node !== undefined) {
        if (!node.isDirectory) throw new FsError('ENOTDIR', 'mkdir', cur);
        break;
      }
      missing.push(cur);
      const parent = parentOf(cur);
      if (parent === ROOT) break;
      cur = parent;
    }
    if (missing.length === 0) return;
    if (this.#faults.active && this.#faults.mkdir(p)) {
      if (counted) {
        this.#meter.mkdir();
        this.#meter.stat('lstat');
      }
      throw new FsError('ENOSPC', 'mkdir', missing[missing.length - 1] as string);
    }
    for (let i = missing.length - 1; i >= 0; i--) {
      if (counted) this.#meter.mkdir();
      this.#tree.link(missing[i] as string, new DirNode());
    }
  }

  /**
   * Go's `os.WriteFile`: `open(O_WRONLY|O_CREAT|O_TRUNC)` + one `write` + `close`. A `writeError` or `enospc`
   * fault fails the `write` after the `open` has created or truncated the file, so the file is left empty, as a
   * real failure mid-write can leave it. A `corrupt` fault stores damaged content and reports success.
   * `bytesWritten` counts the bytes the caller asked to write, also when the device corrupted them.
   */
  writeFile(path: string, data: string): void {
    const p = normalizePath(path);
    const counted = this.#meter.counts(p);
    if (counted) {
      this.#meter.sys('open');
      this.#meter.io.writes++;
      this.#meter.io.ops++;
    }
    const node = this.#nodes.get(p);
    if (node === undefined) {
      const parent = this.#nodes.get(parentOf(p));
      if (parent === undefined) throw new FsError(this.#tree.missingCode(p), 'open', p);
      if (!parent.isDirectory) throw new FsError('ENOTDIR', 'open', p);
    } else if (node.isDirectory) {
      throw new FsError('EISDIR', 'open', p);
    }
    const fault = this.#faults.active ? this.#faults.write(p) : undefined;
    let content = data;
    let failure: FsErrorCode | undefined;
    if (fault === 'writeError') failure = 'EIO';
    else if (fault === 'enospc') failure = 'ENOSPC';
    else if (fault === 'corrupt') content = this.#faults.corrupt(data);
    const sizeBytes = failure === undefined ? Buffer.byteLength(content, 'utf8') : 0;
    if (failure !== undefined) content = '';
    if (node === undefined) this.#tree.link(p, new FileNode(content, sizeBytes));
    else {
      node.content = content;
      node.sizeBytes = sizeBytes;
    }
    if (counted) {
      this.#meter.sys('write');
      this.#meter.sys('close');
      if (failure === undefined) this.#meter.io.bytesWritten += Buffer.byteLength(data, 'utf8');
    }
    if (failure !== undefined) throw new FsError(failure, 'write', p);
  }

  /**
   * `rename(2)`: atomically replaces `to` (a file by a file, or an empty directory by a directory). Counted as one
   * `rename` when either path is in the counted scope. A `crashBeforeRename` fault on a `.tmp` source throws
   * `SimulatedCrash` before the system call, so nothing is renamed or counted. The error path is Go's
   * `*LinkError` text, `from to`. Moving a directory into its own subtree (EINVAL) or renaming `/` is a
   * programmer error.
   */
  rename(from: string, to: string): void {
    const f = normalizePath(from);
    const t = normalizePath(to);
    if (f === ROOT || t === ROOT)
      throw new RangeError(`rename: cannot rename the root directory (${f} ${t})`);
    if (this.#faults.active && f.endsWith('.tmp') && this.#faults.crashBeforeRename(f)) {
      throw new SimulatedCrash(f, t);
    }
    if (this.#meter.counts(f) || this.#meter.counts(t)) {
      this.#meter.sys('rename');
      this.#meter.io.renames++;
      this.#meter.io.ops++;
      this.#meter.renamedInto(parentOf(t));
    }
    const linkPath = `${f} ${t}`;
    const src = this.#nodes.get(f);
    if (src === undefined) throw new FsError(this.#tree.missingCode(f), 'rename', linkPath);
    const targetParent = this.#nodes.get(parentOf(t));
    if (targetParent === undefined) throw new FsError(this.#tree.missingCode(t), 'rename', linkPath);
    if (!targetParent.isDirectory) throw new FsError('ENOTDIR', 'rename', linkPath);
    if (f === t) return;
    const dst = this.#nodes.get(t);
    if (!src.isDirectory) {
      if (dst?.isDirectory) throw new FsError('EISDIR', 'rename', linkPath);
      this.#tree.unlink(f);
      this.#tree.link(t, src);
      return;
    }
    if (t.startsWith(`${f}/`)) {
      throw new RangeError(`rename: cannot move directory ${f} into itself (${t}); EINVAL is not modelled`);
    }
    if (dst !== undefined) {
      if (!dst.isDirectory) throw new FsError('ENOTDIR', 'rename', linkPath);
      if (dst.children.size > 0) throw new FsError('ENOTEMPTY', 'rename', linkPath);
      this.#tree.unlink(t);
    }
    this.#tree.moveTree(f, t, src);
  }

  /**
   * Go's `os.ReadFile`: `open` + `fstat` + `read` until end of file + `close`. A non-empty file takes 2 reads (the
   * data, then the end of file); an empty one takes 1. A missing file is 1 failed `open`. A directory opens,
   * then its `read` fails with EISDIR. A `readError` fault fails the first `read` with EIO.
   */
  readFile(path: string): string {
    const p = normalizePath(path);
    const counted = this.#meter.counts(p);
    if (counted) {
      this.#meter.sys('open');
      this.#meter.io.reads++;
      this.#meter.io.ops++;
    }
    const node = this.#nodes.get(p);
    if (node === undefined) throw new FsError(this.#tree.missingCode(p), 'open', p);
    const failure: FsErrorCode | undefined = node.isDirectory
      ? 'EISDIR'
      : this.#faults.active && this.#faults.read(p)
        ? 'EIO'
        : undefined;
    if (failure !== undefined) {
      if (counted) {
        this.#meter.sys('fstat');
        this.#meter.sys('read');
        this.#meter.sys('close');
      }
      throw new FsError(failure, 'read', p);
    }
    const file = node as FileNode;
    if (counted) {
      this.#meter.sys('fstat');
      this.#meter.sys('read');
      if (file.sizeBytes > 0) this.#meter.sys('read');
      this.#meter.sys('close');
      this.#meter.io.bytesRead += file.sizeBytes;
    }
    return file.content;
  }

  /**
   * A directory listing as the kubelet's walk does it: `lstat` + `open` + `getdents64` × (⌈(E + 2) / 85⌉ + 1) +
   * `close`, E entries plus `.` and `..` (docs/kubelet-model.md#file-operations-and-their-cost). Sorted by name in
   * byte order. A missing directory fails at the `lstat`; a regular file opens, then `getdents64` fails with ENOTDIR.
   */
  readDir(path: string): readonly DirEntry[] {
    // The cached listing itself: callers only read it (the port returns it readonly), and copying it cost O(n) per scan.
    return this.#openDir(path).listing();
  }

  /**
   * The regular files `filter` selects in a directory, charged exactly as `readDir` (the kubelet lists, then
   * counts): the directory keeps one tally per filter up to date as entries come and go, so the simulator does
   * not walk the entries that the simulated kernel is charged for.
   */
  countFiles(path: string, filter: FileNameFilter): number {
    return this.#openDir(path).tally(filter);
  }

  /** `readDir`'s system calls and errors; returns the directory. */
  #openDir(path: string): DirNode {
    const p = normalizePath(path);
    const counted = this.#meter.counts(p);
    if (counted) {
      this.#meter.sys('lstat');
      this.#meter.io.readdirs++;
      this.#meter.io.ops++;
    }
    const node = this.#nodes.get(p);
    if (node === undefined) throw new FsError(this.#tree.missingCode(p), 'lstat', p);
    if (!node.isDirectory) {
      if (counted) {
        this.#meter.sys('open');
        this.#meter.sys('getdents');
        this.#meter.sys('close');
      }
      throw new FsError('ENOTDIR', 'readdirent', p);
    }
    if (counted) {
      this.#meter.sys('open');
      this.#meter.sys('getdents', getdentsCalls(node.children.size));
      this.#meter.sys('close');
    }
    return node;
  }

  /**
   * Go's `os.Remove`: `unlink`, and only when that fails, `rmdir`. An existing file costs 1 system call; a
   * missing path or a directory costs 2. When both fail Go reports the `rmdir` error unless it is ENOTDIR, so a
   * non-empty directory gives ENOTEMPTY.
   */
  remove(path: string): void {
    const p = normalizePath(path);
    if (p === ROOT) throw new RangeError('remove: cannot remove the root directory');
    const counted = this.#meter.counts(p);
    if (counted) {
      this.#meter.sys('unlink');
      this.#meter.io.removes++;
      this.#meter.io.ops++;
    }
    const node = this.#nodes.get(p);
    if (node !== undefined && !node.isDirectory) {
      if (counted) {
        this.#meter.removedFrom(parentOf(p));
      }
      this.#tree.unlink(p);
      return;
    }
    if (counted) this.#meter.sys('rmdir');
    if (node === undefined) throw new FsError(this.#tree.missingCode(p), 'remove', p);
    if (node.children.size > 0) throw new FsError('ENOTEMPTY', 'remove', p);
    this.#tree.unlink(p);
  }

  /** `os.Stat`: 1 `stat`. Directories report 4096 bytes, as a small ext4 directory does. */
  stat(path: string): FileStat {
    const p = normalizePath(path);
    if (this.#meter.counts(p)) this.#meter.stat('stat');
    const node = this.#nodes.get(p);
    if (node === undefined) throw new FsError(this.#tree.missingCode(p), 'stat', p);
    return node.isDirectory
      ? { isDirectory: true, sizeBytes: DIRECTORY_SIZE_BYTES }
      : { isDirectory: false, sizeBytes: node.sizeBytes };
  }

  /**
   * `os.OpenFile(path, O_WRONLY|O_APPEND|O_CREATE, 0600)`: 1 `open`, creating an empty file when it is absent.
   * Each `write` of the handle is 1 `write` system call and one `writes` operation (its bytes in `bytesWritten`);
   * `close` is 1 `close`. The open alone is no `io` operation, as the open of `writeFile` is folded into its one
   * `writes`. Faults hit the handle's writes as they hit `writeFile`: `writeError` (EIO) and `enospc` (ENOSPC)
   * append nothing and throw; `corrupt` appends a torn prefix of the data and reports success. The handle holds
   * the file, not the path: after a rename over the path or a removal, writes land in the unlinked file, as on
   * Linux. A missing parent fails the `open` with ENOENT (ENOTDIR under a file), a directory with EISDIR.
   */
  openAppend(path: string): AppendHandle {
    const p = normalizePath(path);
    const counted = this.#meter.counts(p);
    if (counted) this.#meter.sys('open');
    let node = this.#nodes.get(p);
    if (node === undefined) {
      const parent = this.#nodes.get(parentOf(p));
      if (parent === undefined) throw new FsError(this.#tree.missingCode(p), 'open', p);
      if (!parent.isDirectory) throw new FsError('ENOTDIR', 'open', p);
      node = new FileNode('', 0);
      this.#tree.link(p, node);
    } else if (node.isDirectory) {
      throw new FsError('EISDIR', 'open', p);
    }
    return appendHandle(node, p, counted, this.#meter, this.#faults);
  }

  // -------------------------------------------------------------------------------------------------------------
  // Counters and latency

  /** System calls counted so far, by name (a live read-only view). */
  get syscalls(): Readonly<Record<FsSyscall, number>> {
    return this.#meter.syscalls;
  }

  /** Operation-level counters so far (a live read-only view). */
  get io(): Readonly<FsIoCounters> {
    return this.#meter.io;
  }

  /** Faults injected so far, by kind (a live read-only view; not zeroed by `resetCounters`). */
  get faultsInjected(): Readonly<Record<FsFaultKind, number>> {
    return this.#faults.injected;
  }

  /** Virtual time charged by counted system calls since the last `takePendingLatency`. */
  get pendingLatency(): Ticks {
    return this.#meter.pendingLatency as Ticks;
  }

  /** The pending latency without taking it (same as the `pendingLatency` getter). */
  peekPendingLatency(): Ticks {
    return this.#meter.pendingLatency as Ticks;
  }

  /** Returns the pending latency and zeroes it; the node adds it to the step that caused the I/O. */
  takePendingLatency(): Ticks {
    const value = this.#meter.pendingLatency;
    this.#meter.pendingLatency = 0;
    return value as Ticks;
  }

  /** A plain JSON copy of the counters: `totals.io` of contract.md §4 plus `mkdirs` and `syscalls`. */
  ioTotals(): FsIoTotals {
    return this.#meter.totals();
  }

  /** Counted renames by target directory: how many files a directory's atomic writes replaced (benchmarks). */
  renamesInto(dir: string): number {
    return this.#meter.renamesInto.get(normalizePath(dir)) ?? 0;
  }

  /** Counted removals of existing files by directory: how many files a directory lost (benchmarks). */
  filesRemovedFrom(dir: string): number {
    return this.#meter.filesRemovedFrom.get(normalizePath(dir)) ?? 0;
  }

  /** Zeroes the I/O and system-call counters and the pending latency (e.g. after scenario set-up). */
  resetCounters(): void {
    this.#meter.reset();
  }

  // -------------------------------------------------------------------------------------------------------------
  // Faults

  /**
   * Arms a scripted fault: the next `count` operations that reach the faulted step fail. `readError` matches a
   * `readFile` of an existing file; `writeError` and `corrupt` a `writeFile` whose `open` succeeds or a `write`
   * of an append handle; `enospc` either of those or an `mkdirAll` that must create a directory; `crashBeforeRename` a `rename` whose source ends
   * in `.tmp`. With `pathPrefix`, only paths equal to or under it match (the source path for `rename`). Armed
   * faults are consulted in arming order, before any rate.
   */
  armFault(fault: FsFaultSpec): void {
    this.#faults.arm(fault);
  }

  /** The armed faults not yet used up, in arming order. */
  armedFaults(): FsFaultSpec[] {
    return this.#faults.armed();
  }

  /**
   * Sets per-operation fault probabilities drawn from `stream` (the run's `faults` stream), replacing earlier
   * rates. A rate of 0 draws nothing, so enabling one kind never shifts the draws of a run without it. Each
   * operation that reaches a faultable step draws once per non-zero kind, in the order enospc, writeError,
   * corrupt (writes) or readError (reads), stopping at the first hit. `pathPrefix` limits rates to a subtree.
   * The stream also chooses how `corrupt` damages content.
   */
  setFaultRates(
    rates: FsFaultRates,
    stream: RandomStream,
    { pathPrefix }: { pathPrefix?: string } = {},
  ): void {
    this.#faults.setRates(rates, stream, pathPrefix);
  }

  // -------------------------------------------------------------------------------------------------------------
  // Uncounted helpers for the harness

  /** Whether a file or directory exists at `path` (not counted: the harness's look, not the kubelet's). */
  exists(path: string): boolean {
    return this.#nodes.has(normalizePath(path));
  }

  /**
   * The regular files under `root`, recursively: relative path → content, keys sorted by byte order (for
   * `--include-files`). Empty when `root` does not exist or is not a directory. Not counted.
   */
  snapshotFiles(root: string): Record<string, string> {
    return this.#tree.snapshot(normalizePath(root));
  }

  /**
   * Creates files (relative path under `root` → content) and their missing parents, without counting, latency or
   * faults (scenario set-up, e.g. `imageManagerFiles`). Throws FsError ENOTDIR / EISDIR when something is in the
   * way.
   */
  loadFiles(root: string, files: Readonly<Record<string, string>>): void {
    this.#tree.load(normalizePath(root), files);
  }

  /**
   * Removes `path` and everything under it (a missing path is a no-op; `/` is emptied). Not kubelet I/O, so
   * nothing is counted (e.g. the `deleteRecords` scenario action).
   */
  removeTree(path: string): void {
    const p = normalizePath(path);
    if (this.#nodes.has(p)) this.#tree.removeTree(p);
  }
}
