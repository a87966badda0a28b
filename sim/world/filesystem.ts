/**
 * The simulated node filesystem: an in-memory tree of directories and regular files that implements the kubelet's
 * `FileSystem` port, counts every call as the system calls Go issues for it
 * (docs/kubelet-model.md#file-operations-and-their-cost), charges virtual time per system call, and injects faults
 * drawn from the run's seeded `faults` stream.
 *
 * Layout: one `Map` from absolute path to node (O(1) lookup of any path) plus, per directory, a `Map` of its
 * children and a sorted listing that `readDir` brings up to date lazily (a merge of the names added since the last
 * listing), so creating, renaming and removing a file cost O(1) and a listing costs O(entries + k log k) for k
 * new names. Only `rename` of a directory, `removeTree` and `snapshotFiles` touch a whole subtree.
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
import { type Ticks, ticks } from '../../src/time.js';
import type { RandomStream } from '../kernel/random.js';

// ---------------------------------------------------------------------------------------------------------------
// Public types

/** The system calls the simulator counts, named as on Linux (`getdents` is `getdents64`). */
export type FsSyscall =
  | 'open'
  | 'close'
  | 'read'
  | 'write'
  | 'fstat'
  | 'stat'
  | 'lstat'
  | 'mkdir'
  | 'rename'
  | 'unlink'
  | 'rmdir'
  | 'getdents';

/** Every counted system call, in a fixed order (the order of `ioTotals().syscalls`). */
export const FS_SYSCALLS: readonly FsSyscall[] = [
  'open',
  'close',
  'read',
  'write',
  'fstat',
  'stat',
  'lstat',
  'mkdir',
  'rename',
  'unlink',
  'rmdir',
  'getdents',
];

/** Virtual time charged per system call. */
export type FsLatencyProfile = Readonly<Record<FsSyscall, Ticks>>;

/** The named device profiles accepted for `latency`. */
export type FsDeviceProfileName = 'none' | 'ssd' | 'hdd' | 'network';

/**
 * Per-system-call latencies of a few device kinds, in ticks (µs). These are assumptions chosen to give plausible
 * orders of magnitude (page-cache hits for fstat/close, a device round trip for metadata updates), not
 * measurements of any machine; the kubelet never fsyncs, so write latencies are those of a buffered write.
 */
export const DEVICE_PROFILES: Readonly<Record<FsDeviceProfileName, FsLatencyProfile>> = {
  none: profile({}),
  ssd: profile({
    open: 10,
    close: 2,
    read: 20,
    write: 25,
    fstat: 2,
    stat: 5,
    lstat: 5,
    mkdir: 30,
    rename: 15,
    unlink: 15,
    rmdir: 15,
    getdents: 10,
  }),
  hdd: profile({
    open: 200,
    close: 5,
    read: 5_000,
    write: 100,
    fstat: 2,
    stat: 50,
    lstat: 50,
    mkdir: 500,
    rename: 300,
    unlink: 300,
    rmdir: 300,
    getdents: 200,
  }),
  network: profile({
    open: 800,
    close: 400,
    read: 1_000,
    write: 1_000,
    fstat: 5,
    stat: 500,
    lstat: 500,
    mkdir: 1_200,
    rename: 1_200,
    unlink: 1_000,
    rmdir: 1_000,
    getdents: 900,
  }),
};

/** The device profile with this name (e.g. from a scenario's `device` field), or undefined when unknown. */
export function deviceProfile(name: string): FsLatencyProfile | undefined {
  return Object.hasOwn(DEVICE_PROFILES, name) ? DEVICE_PROFILES[name as FsDeviceProfileName] : undefined;
}

/** Operation-level I/O counters, as the result JSON's `totals.io` (contract.md §4) plus `mkdirs`. */
export interface FsIoCounters {
  /** The sum of the operation counts below (bytes excluded). */
  ops: number;
  reads: number;
  writes: number;
  renames: number;
  removes: number;
  readdirs: number;
  stats: number;
  mkdirs: number;
  bytesRead: number;
  bytesWritten: number;
}

/** `ioTotals()`: the operation counters plus the system calls by name and their total. */
export interface FsIoTotals extends FsIoCounters {
  syscalls: Record<FsSyscall | 'total', number>;
}

/** The kinds of fault the filesystem can inject. */
export type FsFaultKind = 'readError' | 'writeError' | 'enospc' | 'crashBeforeRename' | 'corrupt';

/** Every fault kind, in a fixed order. */
export const FS_FAULT_KINDS: readonly FsFaultKind[] = [
  'readError',
  'writeError',
  'enospc',
  'crashBeforeRename',
  'corrupt',
];

/** A scripted fault: the next `count` (default 1) matching operations under `pathPrefix` (default all) fail. */
export interface FsFaultSpec {
  readonly kind: FsFaultKind;
  readonly count?: number;
  readonly pathPrefix?: string;
}

/** Per-operation fault probabilities for `setFaultRates` (0 or absent: never, and nothing is drawn). */
export interface FsFaultRates {
  readonly readError?: number;
  readonly writeError?: number;
  readonly enospc?: number;
  readonly corrupt?: number;
}

export interface SimFileSystemOptions {
  /** Count (and charge latency for) only operations on paths equal to or under this directory. */
  readonly countUnder?: string;
  /** Virtual time per system call; missing calls cost 0. */
  readonly latency?: Partial<Record<FsSyscall, Ticks>>;
  /** The seeded stream used to choose how an armed `corrupt` fault damages content (see `setFaultRates`). */
  readonly faultStream?: RandomStream;
}

/**
 * Thrown by `rename` when a `crashBeforeRename` fault fires: the kubelet process dies between writing `<name>.tmp`
 * and renaming it, so the temporary file stays and the final file is unchanged. The node catches it as a crash.
 */
export class SimulatedCrash extends Error {
  constructor(
    readonly from: string,
    readonly to: string,
  ) {
    super(`simulated kubelet crash before rename ${from} ${to}`);
    this.name = 'SimulatedCrash';
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Constants of the cost model

/**
 * Entries returned per `getdents64` call: Go reads directories through an 8 KiB buffer, and a 71-character
 * `sha256-<hex>` name takes a 96-byte `linux_dirent64` record, so one call returns about 85 entries
 * (docs/kubelet-model.md#file-operations-and-their-cost).
 */
export const DIRENTS_PER_GETDENTS = 85;

/** The size `stat` reports for a directory: one ext4 block, as Linux shows for a small directory. */
const DIRECTORY_SIZE_BYTES = 4096;

// ---------------------------------------------------------------------------------------------------------------
// Nodes

class FileNode {
  readonly isDirectory = false as const;
  constructor(
    public content: string,
    public sizeBytes: number,
  ) {}
}

class DirNode {
  readonly isDirectory = true as const;
  readonly children = new Map<string, Node>();
  /** The listing as of the last `readDir`, sorted by name in byte order (as Go sorts `os.ReadDir`). */
  sorted: DirEntry[] = [];
  /** Names linked since `sorted` was made; `sorted` may hold stale entries for them and for removed names. */
  readonly added = new Set<string>();
  /** Whether anything was linked or unlinked since `sorted` was made. */
  dirty = false;
  /** Counts of the entries each filter asked of `countFiles` selects, kept up to date by link and unlink. */
  tallies: Tally[] | undefined;

  /** How many entries `filter` selects: counted once, then kept up to date as entries come and go. */
  tally(filter: FileNameFilter): number {
    this.tallies ??= [];
    for (const tally of this.tallies)
      if (tally.prefix === filter.prefix && tally.excludedSuffix === filter.excludedSuffix)
        return tally.count;
    const tally: Tally = { prefix: filter.prefix, excludedSuffix: filter.excludedSuffix, count: 0 };
    for (const [name, node] of this.children) if (selects(tally, name, node.isDirectory)) tally.count++;
    this.tallies.push(tally);
    return tally.count;
  }

  /** Adjusts the tallies for an entry that appeared (+1) or went (−1). */
  retally(name: string, isDirectory: boolean, delta: 1 | -1): void {
    const tallies = this.tallies;
    if (tallies === undefined) return;
    for (const tally of tallies) if (selects(tally, name, isDirectory)) tally.count += delta;
  }

  /** The up-to-date sorted listing: stale entries dropped, the names added since merged in. */
  listing(): DirEntry[] {
    if (!this.dirty) return this.sorted;
    const { children, added } = this;
    const fresh: DirEntry[] = [];
    for (const name of added) fresh.push({ name, isDirectory: (children.get(name) as Node).isDirectory });
    fresh.sort((a, b) => compareNames(a.name, b.name));
    const merged: DirEntry[] = [];
    let j = 0;
    for (const entry of this.sorted) {
      if (!children.has(entry.name) || added.has(entry.name)) continue;
      while (j < fresh.length && compareNames((fresh[j] as DirEntry).name, entry.name) < 0) {
        merged.push(fresh[j++] as DirEntry);
      }
      merged.push(entry);
    }
    while (j < fresh.length) merged.push(fresh[j++] as DirEntry);
    this.sorted = merged;
    added.clear();
    this.dirty = false;
    return merged;
  }
}

type Node = FileNode | DirNode;

interface Tally extends FileNameFilter {
  count: number;
}

function selects(filter: FileNameFilter, name: string, isDirectory: boolean): boolean {
  return !isDirectory && name.startsWith(filter.prefix) && !name.endsWith(filter.excludedSuffix);
}

const ROOT = '/';

interface ArmedFault {
  readonly kind: FsFaultKind;
  remaining: number;
  readonly prefix: string | undefined;
}

type WriteFault = 'writeError' | 'enospc' | 'corrupt' | undefined;

// ---------------------------------------------------------------------------------------------------------------

/**
 * An in-memory POSIX-like filesystem for one simulated node, counting each call as Go's system calls.
 *
 * @example
 * const fs = new SimFileSystem({ countUnder: '/var/lib/kubelet', latency: DEVICE_PROFILES.ssd });
 * fs.mkdirAll('/var/lib/kubelet/image_manager/pulled');
 * fs.resetCounters(); // exclude set-up
 */
export class SimFileSystem implements FileSystem {
  readonly #nodes = new Map<string, Node>([[ROOT, new DirNode()]]);
  readonly #countRoot: string | undefined;
  readonly #countRootSlash: string;
  readonly #latency: Record<FsSyscall, number>;
  readonly #syscalls: Record<FsSyscall, number> = zeroSyscalls();
  readonly #io: FsIoCounters = zeroIo();
  readonly #faultsInjected: Record<FsFaultKind, number> = zeroFaults();
  #pendingLatency = 0;
  #armed: ArmedFault[] = [];
  #rates: Required<FsFaultRates> = { readError: 0, writeError: 0, enospc: 0, corrupt: 0 };
  #ratesPrefix: string | undefined;
  #faultStream: RandomStream | undefined;
  #faultsActive = false;

  constructor({ countUnder, latency = {}, faultStream }: SimFileSystemOptions = {}) {
    const root = countUnder === undefined ? ROOT : normalizePath(countUnder);
    this.#countRoot = root === ROOT ? undefined : root;
    this.#countRootSlash = `${root}/`;
    this.#latency = zeroSyscalls();
    for (const name of FS_SYSCALLS) {
      const value = latency[name];
      if (value !== undefined) this.#latency[name] = ticks(value);
    }
    this.#faultStream = faultStream;
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
    const counted = this.#counted(p);
    const missing: string[] = [];
    let cur = p;
    for (;;) {
      if (counted) this.#stat('stat');
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
    if (this.#faultsActive && this.#enospcOnMkdir(p)) {
      if (counted) {
        this.#sys('mkdir');
        this.#io.mkdirs++;
        this.#io.ops++;
        this.#stat('lstat');
      }
      throw new FsError('ENOSPC', 'mkdir', missing[missing.length - 1] as string);
    }
    for (let i = missing.length - 1; i >= 0; i--) {
      if (counted) {
        this.#sys('mkdir');
        this.#io.mkdirs++;
        this.#io.ops++;
      }
      this.#link(missing[i] as string, new DirNode());
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
    const counted = this.#counted(p);
    if (counted) {
      this.#sys('open');
      this.#io.writes++;
      this.#io.ops++;
    }
    const node = this.#nodes.get(p);
    if (node === undefined) {
      const parent = this.#nodes.get(parentOf(p));
      if (parent === undefined) throw new FsError(this.#missingCode(p), 'open', p);
      if (!parent.isDirectory) throw new FsError('ENOTDIR', 'open', p);
    } else if (node.isDirectory) {
      throw new FsError('EISDIR', 'open', p);
    }
    const fault = this.#faultsActive ? this.#writeFault(p) : undefined;
    let content = data;
    let failure: FsErrorCode | undefined;
    if (fault === 'writeError') failure = 'EIO';
    else if (fault === 'enospc') failure = 'ENOSPC';
    else if (fault === 'corrupt') content = this.#corrupt(data);
    const sizeBytes = failure === undefined ? Buffer.byteLength(content, 'utf8') : 0;
    if (failure !== undefined) content = '';
    if (node === undefined) this.#link(p, new FileNode(content, sizeBytes));
    else {
      node.content = content;
      node.sizeBytes = sizeBytes;
    }
    if (counted) {
      this.#sys('write');
      this.#sys('close');
      if (failure === undefined) this.#io.bytesWritten += Buffer.byteLength(data, 'utf8');
    }
    if (failure !== undefined) throw new FsError(failure, 'write', p);
  }

  /** Counted renames by target directory: how many files a directory's atomic writes replaced (benchmarks). */
  renamesInto(dir: string): number {
    return this.#renamesInto.get(normalizePath(dir)) ?? 0;
  }

  readonly #renamesInto = new Map<string, number>();

  /** Counted removals of existing files by directory: how many files a directory lost (benchmarks). */
  filesRemovedFrom(dir: string): number {
    return this.#filesRemovedFrom.get(normalizePath(dir)) ?? 0;
  }

  readonly #filesRemovedFrom = new Map<string, number>();

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
    if (this.#faultsActive && f.endsWith('.tmp') && this.#takeArmed('crashBeforeRename', f)) {
      throw new SimulatedCrash(f, t);
    }
    if (this.#counted(f) || this.#counted(t)) {
      this.#sys('rename');
      this.#io.renames++;
      this.#io.ops++;
      const dir = parentOf(t);
      this.#renamesInto.set(dir, (this.#renamesInto.get(dir) ?? 0) + 1);
    }
    const linkPath = `${f} ${t}`;
    const src = this.#nodes.get(f);
    if (src === undefined) throw new FsError(this.#missingCode(f), 'rename', linkPath);
    const targetParent = this.#nodes.get(parentOf(t));
    if (targetParent === undefined) throw new FsError(this.#missingCode(t), 'rename', linkPath);
    if (!targetParent.isDirectory) throw new FsError('ENOTDIR', 'rename', linkPath);
    if (f === t) return;
    const dst = this.#nodes.get(t);
    if (!src.isDirectory) {
      if (dst?.isDirectory) throw new FsError('EISDIR', 'rename', linkPath);
      this.#unlinkEntry(f);
      this.#link(t, src);
      return;
    }
    if (t.startsWith(`${f}/`)) {
      throw new RangeError(`rename: cannot move directory ${f} into itself (${t}); EINVAL is not modelled`);
    }
    if (dst !== undefined) {
      if (!dst.isDirectory) throw new FsError('ENOTDIR', 'rename', linkPath);
      if (dst.children.size > 0) throw new FsError('ENOTEMPTY', 'rename', linkPath);
      this.#unlinkEntry(t);
    }
    // Re-key the whole subtree: nodes do not store their paths, so only the map keys change.
    const moved = this.#collect(f).map((old): [string, Node] => [old, this.#nodes.get(old) as Node]);
    this.#unlinkEntry(f);
    for (const [old] of moved) this.#nodes.delete(old);
    for (const [old, node] of moved) if (old !== f) this.#nodes.set(t + old.slice(f.length), node);
    this.#link(t, src);
  }

  /**
   * Go's `os.ReadFile`: `open` + `fstat` + `read` until end of file + `close`. A non-empty file takes 2 reads (the
   * data, then the end of file); an empty one takes 1. A missing file is 1 failed `open`. A directory opens,
   * then its `read` fails with EISDIR. A `readError` fault fails the first `read` with EIO.
   */
  readFile(path: string): string {
    const p = normalizePath(path);
    const counted = this.#counted(p);
    if (counted) {
      this.#sys('open');
      this.#io.reads++;
      this.#io.ops++;
    }
    const node = this.#nodes.get(p);
    if (node === undefined) throw new FsError(this.#missingCode(p), 'open', p);
    const failure: FsErrorCode | undefined = node.isDirectory
      ? 'EISDIR'
      : this.#faultsActive && this.#readFault(p)
        ? 'EIO'
        : undefined;
    if (failure !== undefined) {
      if (counted) {
        this.#sys('fstat');
        this.#sys('read');
        this.#sys('close');
      }
      throw new FsError(failure, 'read', p);
    }
    const file = node as FileNode;
    if (counted) {
      this.#sys('fstat');
      this.#sys('read');
      if (file.sizeBytes > 0) this.#sys('read');
      this.#sys('close');
      this.#io.bytesRead += file.sizeBytes;
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
    const counted = this.#counted(p);
    if (counted) {
      this.#sys('lstat');
      this.#io.readdirs++;
      this.#io.ops++;
    }
    const node = this.#nodes.get(p);
    if (node === undefined) throw new FsError(this.#missingCode(p), 'lstat', p);
    if (!node.isDirectory) {
      if (counted) {
        this.#sys('open');
        this.#sys('getdents');
        this.#sys('close');
      }
      throw new FsError('ENOTDIR', 'readdirent', p);
    }
    if (counted) {
      this.#sys('open');
      this.#sys('getdents', getdentsCalls(node.children.size));
      this.#sys('close');
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
    const counted = this.#counted(p);
    if (counted) {
      this.#sys('unlink');
      this.#io.removes++;
      this.#io.ops++;
    }
    const node = this.#nodes.get(p);
    if (node !== undefined && !node.isDirectory) {
      if (counted) {
        const dir = parentOf(p);
        this.#filesRemovedFrom.set(dir, (this.#filesRemovedFrom.get(dir) ?? 0) + 1);
      }
      this.#unlinkEntry(p);
      return;
    }
    if (counted) this.#sys('rmdir');
    if (node === undefined) throw new FsError(this.#missingCode(p), 'remove', p);
    if (node.children.size > 0) throw new FsError('ENOTEMPTY', 'remove', p);
    this.#unlinkEntry(p);
  }

  /** `os.Stat`: 1 `stat`. Directories report 4096 bytes, as a small ext4 directory does. */
  stat(path: string): FileStat {
    const p = normalizePath(path);
    if (this.#counted(p)) this.#stat('stat');
    const node = this.#nodes.get(p);
    if (node === undefined) throw new FsError(this.#missingCode(p), 'stat', p);
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
    const counted = this.#counted(p);
    if (counted) this.#sys('open');
    let node = this.#nodes.get(p);
    if (node === undefined) {
      const parent = this.#nodes.get(parentOf(p));
      if (parent === undefined) throw new FsError(this.#missingCode(p), 'open', p);
      if (!parent.isDirectory) throw new FsError('ENOTDIR', 'open', p);
      node = new FileNode('', 0);
      this.#link(p, node);
    } else if (node.isDirectory) {
      throw new FsError('EISDIR', 'open', p);
    }
    const file = node;
    let open = true;
    return {
      write: (data: string): void => {
        if (!open) throw new Error(`write to a closed append handle of ${p} (EBADF: a programmer error)`);
        if (counted) {
          this.#sys('write');
          this.#io.writes++;
          this.#io.ops++;
        }
        const fault = this.#faultsActive ? this.#writeFault(p) : undefined;
        if (fault === 'writeError') throw new FsError('EIO', 'write', p);
        if (fault === 'enospc') throw new FsError('ENOSPC', 'write', p);
        const appended = fault === 'corrupt' ? this.#corrupt(data) : data;
        file.content += appended;
        file.sizeBytes += Buffer.byteLength(appended, 'utf8');
        if (counted) this.#io.bytesWritten += Buffer.byteLength(data, 'utf8');
      },
      close: (): void => {
        if (!open) throw new Error(`close of a closed append handle of ${p} (EBADF: a programmer error)`);
        open = false;
        if (counted) this.#sys('close');
      },
    };
  }

  // -------------------------------------------------------------------------------------------------------------
  // Counters and latency

  /** System calls counted so far, by name (a live read-only view). */
  get syscalls(): Readonly<Record<FsSyscall, number>> {
    return this.#syscalls;
  }

  /** Operation-level counters so far (a live read-only view). */
  get io(): Readonly<FsIoCounters> {
    return this.#io;
  }

  /** Faults injected so far, by kind (a live read-only view; not zeroed by `resetCounters`). */
  get faultsInjected(): Readonly<Record<FsFaultKind, number>> {
    return this.#faultsInjected;
  }

  /** Virtual time charged by counted system calls since the last `takePendingLatency`. */
  get pendingLatency(): Ticks {
    return this.#pendingLatency as Ticks;
  }

  /** The pending latency without taking it (same as the `pendingLatency` getter). */
  peekPendingLatency(): Ticks {
    return this.#pendingLatency as Ticks;
  }

  /** Returns the pending latency and zeroes it; the node adds it to the step that caused the I/O. */
  takePendingLatency(): Ticks {
    const value = this.#pendingLatency;
    this.#pendingLatency = 0;
    return value as Ticks;
  }

  /** A plain JSON copy of the counters: `totals.io` of contract.md §4 plus `mkdirs` and `syscalls`. */
  ioTotals(): FsIoTotals {
    let total = 0;
    const syscalls = {} as Record<FsSyscall | 'total', number>;
    for (const name of FS_SYSCALLS) {
      syscalls[name] = this.#syscalls[name];
      total += this.#syscalls[name];
    }
    syscalls.total = total;
    return { ...this.#io, syscalls };
  }

  /** Zeroes the I/O and system-call counters and the pending latency (e.g. after scenario set-up). */
  resetCounters(): void {
    Object.assign(this.#syscalls, zeroSyscalls());
    Object.assign(this.#io, zeroIo());
    this.#renamesInto.clear();
    this.#filesRemovedFrom.clear();
    this.#pendingLatency = 0;
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
    const { kind, count = 1, pathPrefix } = fault;
    if (!FS_FAULT_KINDS.includes(kind)) throw new RangeError(`armFault: unknown fault kind ${String(kind)}`);
    if (!Number.isSafeInteger(count) || count < 1) {
      throw new RangeError(`armFault: count must be a positive integer, got ${count}`);
    }
    this.#armed.push({
      kind,
      remaining: count,
      prefix: pathPrefix === undefined ? undefined : normalizePath(pathPrefix),
    });
    this.#faultsActive = true;
  }

  /** The armed faults not yet used up, in arming order. */
  armedFaults(): FsFaultSpec[] {
    return this.#armed.map(({ kind, remaining, prefix }) =>
      prefix === undefined ? { kind, count: remaining } : { kind, count: remaining, pathPrefix: prefix },
    );
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
    const next = { readError: 0, writeError: 0, enospc: 0, corrupt: 0 };
    for (const key of Object.keys(next) as (keyof FsFaultRates)[]) {
      const rate = rates[key] ?? 0;
      if (!(rate >= 0 && rate <= 1))
        throw new RangeError(`setFaultRates: ${key} must be in [0, 1], got ${rate}`);
      next[key] = rate;
    }
    this.#rates = next;
    this.#ratesPrefix = pathPrefix === undefined ? undefined : normalizePath(pathPrefix);
    this.#faultStream = stream;
    this.#refreshFaultsActive();
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
    const r = normalizePath(root);
    const node = this.#nodes.get(r);
    if (node === undefined || !node.isDirectory) return {};
    const files: [string, string][] = [];
    const base = r === ROOT ? ROOT : `${r}/`;
    const visit = (dir: string, d: DirNode): void => {
      for (const [name, n] of d.children) {
        const child = join(dir, name);
        if (n.isDirectory) visit(child, n);
        else files.push([child.slice(base.length), n.content]);
      }
    };
    visit(r, node);
    files.sort((a, b) => compareNames(a[0], b[0]));
    return Object.fromEntries(files);
  }

  /**
   * Creates files (relative path under `root` → content) and their missing parents, without counting, latency or
   * faults (scenario set-up, e.g. `imageManagerFiles`). Throws FsError ENOTDIR / EISDIR when something is in the
   * way.
   */
  loadFiles(root: string, files: Readonly<Record<string, string>>): void {
    const r = normalizePath(root);
    for (const [relative, content] of Object.entries(files)) {
      const p = normalizePath(`${r}/${relative}`);
      if (p === r) throw new RangeError(`loadFiles: empty relative path under ${r}`);
      this.#ensureDir(parentOf(p));
      const node = this.#nodes.get(p);
      const sizeBytes = Buffer.byteLength(content, 'utf8');
      if (node === undefined) this.#link(p, new FileNode(content, sizeBytes));
      else if (node.isDirectory) throw new FsError('EISDIR', 'open', p);
      else {
        node.content = content;
        node.sizeBytes = sizeBytes;
      }
    }
  }

  /**
   * Removes `path` and everything under it (a missing path is a no-op; `/` is emptied). Not kubelet I/O, so
   * nothing is counted (e.g. the `deleteRecords` scenario action).
   */
  removeTree(path: string): void {
    const p = normalizePath(path);
    if (!this.#nodes.has(p)) return;
    if (p === ROOT) {
      this.#nodes.clear();
      this.#nodes.set(ROOT, new DirNode());
      return;
    }
    for (const old of this.#collect(p)) this.#nodes.delete(old);
    this.#unlinkEntry(p);
  }

  // -------------------------------------------------------------------------------------------------------------
  // Internals

  #counted(p: string): boolean {
    return this.#countRoot === undefined || p === this.#countRoot || p.startsWith(this.#countRootSlash);
  }

  #sys(name: FsSyscall, n = 1): void {
    this.#syscalls[name] += n;
    this.#pendingLatency += this.#latency[name] * n;
  }

  /** One `stat`/`lstat` system call counted as one `stats` operation. */
  #stat(name: 'stat' | 'lstat'): void {
    this.#sys(name);
    this.#io.stats++;
    this.#io.ops++;
  }

  /** ENOTDIR when the nearest existing ancestor of `p` is a file, else ENOENT (path resolution on Linux). */
  #missingCode(p: string): FsErrorCode {
    let cur = parentOf(p);
    while (cur !== ROOT) {
      const node = this.#nodes.get(cur);
      if (node !== undefined) return node.isDirectory ? 'ENOENT' : 'ENOTDIR';
      cur = parentOf(cur);
    }
    return 'ENOENT';
  }

  /** Puts `node` at `p` (replacing what is there) and in its parent directory, which must exist. */
  #link(p: string, node: Node): void {
    this.#nodes.set(p, node);
    const parent = this.#nodes.get(parentOf(p)) as DirNode;
    const name = baseName(p);
    const previous = parent.children.get(name);
    parent.children.set(name, node);
    if (parent.tallies !== undefined) {
      if (previous !== undefined) parent.retally(name, previous.isDirectory, -1);
      parent.retally(name, node.isDirectory, 1);
    }
    if (previous === undefined || previous.isDirectory !== node.isDirectory) {
      parent.added.add(name);
      parent.dirty = true;
    }
  }

  /** Removes `p` from the node map and its entry from its parent directory (descendants are left to the caller). */
  #unlinkEntry(p: string): void {
    const parent = this.#nodes.get(parentOf(p)) as DirNode;
    const name = baseName(p);
    const node = parent.children.get(name);
    if (node !== undefined && parent.tallies !== undefined) parent.retally(name, node.isDirectory, -1);
    parent.children.delete(name);
    parent.added.delete(name);
    parent.dirty = true;
    this.#nodes.delete(p);
  }

  /** Every path in the subtree rooted at `p` (itself included), parents before children. */
  #collect(p: string): string[] {
    const out = [p];
    for (let k = 0; k < out.length; k++) {
      const path = out[k] as string;
      const node = this.#nodes.get(path);
      if (node?.isDirectory) for (const name of node.children.keys()) out.push(join(path, name));
    }
    return out;
  }

  /** Like `mkdir -p` without counting, latency or faults. */
  #ensureDir(p: string): void {
    const missing: string[] = [];
    let cur = p;
    for (;;) {
      const node = this.#nodes.get(cur);
      if (node !== undefined) {
        if (!node.isDirectory) throw new FsError('ENOTDIR', 'mkdir', cur);
        break;
      }
      missing.push(cur);
      cur = parentOf(cur);
    }
    for (let i = missing.length - 1; i >= 0; i--) this.#link(missing[i] as string, new DirNode());
  }

  #disarm(index: number): void {
    this.#armed.splice(index, 1);
    this.#refreshFaultsActive();
  }

  /** Faults are looked for only while some are armed or some rate is non-zero (the common no-fault fast path). */
  #refreshFaultsActive(): void {
    const r = this.#rates;
    this.#faultsActive =
      this.#armed.length > 0 || r.readError > 0 || r.writeError > 0 || r.enospc > 0 || r.corrupt > 0;
  }

  #takeArmed(kind: FsFaultKind, p: string): boolean {
    const armed = this.#armed;
    for (let i = 0; i < armed.length; i++) {
      const fault = armed[i] as ArmedFault;
      if (fault.kind !== kind || !under(p, fault.prefix)) continue;
      fault.remaining--;
      if (fault.remaining === 0) this.#disarm(i);
      this.#faultsInjected[kind]++;
      return true;
    }
    return false;
  }

  /** Whether the rate of `kind` fires for this operation; draws only when the rate is non-zero. */
  #drawRate(kind: 'readError' | 'writeError' | 'enospc' | 'corrupt', p: string): boolean {
    const rate = this.#rates[kind];
    if (rate === 0 || !under(p, this.#ratesPrefix)) return false;
    const stream = this.#faultStream as RandomStream;
    if (!stream.chance(rate)) return false;
    this.#faultsInjected[kind]++;
    return true;
  }

  #readFault(p: string): boolean {
    return this.#takeArmed('readError', p) || this.#drawRate('readError', p);
  }

  #writeFault(p: string): WriteFault {
    const armed = this.#armed;
    for (let i = 0; i < armed.length; i++) {
      const fault = armed[i] as ArmedFault;
      if (fault.kind === 'enospc' || fault.kind === 'writeError' || fault.kind === 'corrupt') {
        if (!under(p, fault.prefix)) continue;
        fault.remaining--;
        if (fault.remaining === 0) this.#disarm(i);
        this.#faultsInjected[fault.kind]++;
        return fault.kind;
      }
    }
    if (this.#drawRate('enospc', p)) return 'enospc';
    if (this.#drawRate('writeError', p)) return 'writeError';
    if (this.#drawRate('corrupt', p)) return 'corrupt';
    return undefined;
  }

  #enospcOnMkdir(p: string): boolean {
    return this.#takeArmed('enospc', p) || this.#drawRate('enospc', p);
  }

  /**
   * A torn write: the content cut before its last non-whitespace character, at a length drawn from the faults
   * stream (half-way without a stream). A JSON document never survives the cut, so the kubelet sees a decode
   * error rather than a plausible but different record.
   */
  #corrupt(data: string): string {
    const meaningful = data.trimEnd().length;
    if (meaningful <= 1) return '';
    const stream = this.#faultStream;
    let cut = stream === undefined ? meaningful >> 1 : stream.int(0, meaningful - 1);
    // Never split a surrogate pair: the stored content must stay a well-formed string.
    const last = data.charCodeAt(cut - 1);
    if (cut > 0 && last >= 0xd800 && last <= 0xdbff) cut--;
    return data.slice(0, cut);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Path and ordering helpers

/**
 * An absolute path in canonical form: no empty or `.` segments, `..` resolved lexically (the simulated tree has
 * no symbolic links), no trailing slash. A relative path is a programmer error.
 */
export function normalizePath(path: string): string {
  if (path.charCodeAt(0) !== 47) throw new RangeError(`path must be absolute, got ${JSON.stringify(path)}`);
  const last = path.charCodeAt(path.length - 1);
  if (path.length > 1 && last !== 47 && !path.includes('//') && !path.includes('/.')) return path;
  const out: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') out.pop();
    else out.push(segment);
  }
  return `/${out.join('/')}`;
}

/**
 * Compares names in UTF-8 byte order (= code point order), as Go compares strings; JavaScript's default order
 * (UTF-16 code units) differs only for characters above U+FFFF against U+E000–U+FFFF.
 */
export function compareNames(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) return codeUnitRank(x) - codeUnitRank(y);
    return x - y;
  }
  return a.length - b.length;
}

/** `getdents64` calls to list a directory of `entries` entries (see `DIRENTS_PER_GETDENTS`). */
export function getdentsCalls(entries: number): number {
  return Math.ceil((entries + 2) / DIRENTS_PER_GETDENTS) + 1;
}

/** Moves surrogates (code points above U+FFFF) after U+E000–U+FFFF. */
function codeUnitRank(unit: number): number {
  return unit >= 0xe000 ? unit - 0x800 : unit + 0x2000;
}

function parentOf(p: string): string {
  const i = p.lastIndexOf('/');
  return i <= 0 ? ROOT : p.slice(0, i);
}

function baseName(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}

function join(dir: string, name: string): string {
  return dir === ROOT ? `/${name}` : `${dir}/${name}`;
}

function under(p: string, prefix: string | undefined): boolean {
  return prefix === undefined || prefix === ROOT || p === prefix || p.startsWith(`${prefix}/`);
}

function profile(values: Partial<Record<FsSyscall, number>>): FsLatencyProfile {
  const out = zeroSyscalls();
  for (const name of FS_SYSCALLS) out[name] = values[name] ?? 0;
  return Object.freeze(out) as Record<FsSyscall, Ticks>;
}

function zeroSyscalls(): Record<FsSyscall, number> {
  return {
    open: 0,
    close: 0,
    read: 0,
    write: 0,
    fstat: 0,
    stat: 0,
    lstat: 0,
    mkdir: 0,
    rename: 0,
    unlink: 0,
    rmdir: 0,
    getdents: 0,
  };
}

function zeroIo(): FsIoCounters {
  return {
    ops: 0,
    reads: 0,
    writes: 0,
    renames: 0,
    removes: 0,
    readdirs: 0,
    stats: 0,
    mkdirs: 0,
    bytesRead: 0,
    bytesWritten: 0,
  };
}

function zeroFaults(): Record<FsFaultKind, number> {
  return { readError: 0, writeError: 0, enospc: 0, corrupt: 0, crashBeforeRename: 0 };
}
