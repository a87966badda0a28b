/**
 * What the simulated filesystem's operations cost: the system calls Go issues for them, counted by name
 * (docs/kubelet-model.md#file-operations-and-their-cost), the operation-level I/O counters of a run's results, and
 * the virtual time each system call is charged on a device.
 */
import { type Ticks, ticks } from '../../src/time.js';
import { ROOT } from './filesystem-paths.js';

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

/**
 * Entries returned per `getdents64` call: Go reads directories through an 8 KiB buffer, and a 71-character
 * `sha256-<hex>` name takes a 96-byte `linux_dirent64` record, so one call returns about 85 entries
 * (docs/kubelet-model.md#file-operations-and-their-cost).
 */
const DIRENTS_PER_GETDENTS = 85;

/** `getdents64` calls to list a directory of `entries` entries (see `DIRENTS_PER_GETDENTS`). */
export function getdentsCalls(entries: number): number {
  return Math.ceil((entries + 2) / DIRENTS_PER_GETDENTS) + 1;
}

/**
 * The counters of one filesystem: system calls by name, operations by kind, the virtual time they were charged,
 * and per-directory tallies of replaced and removed files. Only paths in the counted scope (`countUnder`) are
 * counted; the filesystem asks `counts` before it charges anything.
 */
export class FsMeter {
  /** System calls counted so far, by name. */
  readonly syscalls: Record<FsSyscall, number> = zeroSyscalls();
  /** Operation-level counters so far. */
  readonly io: FsIoCounters = zeroIo();
  /** Virtual time charged since it was last taken. */
  pendingLatency = 0;
  /** Counted renames by target directory. */
  readonly renamesInto = new Map<string, number>();
  /** Counted removals of existing files by directory. */
  readonly filesRemovedFrom = new Map<string, number>();
  readonly #latency: Record<FsSyscall, number>;
  readonly #countRoot: string | undefined;
  readonly #countRootSlash: string;

  /** `countRoot` is a canonical path (`/` counts everything); `latency` misses cost 0. */
  constructor(countRoot: string, latency: Partial<Record<FsSyscall, Ticks>>) {
    this.#countRoot = countRoot === ROOT ? undefined : countRoot;
    this.#countRootSlash = `${countRoot}/`;
    this.#latency = zeroSyscalls();
    for (const name of FS_SYSCALLS) {
      const value = latency[name];
      if (value !== undefined) this.#latency[name] = ticks(value);
    }
  }

  /** Whether operations on canonical path `p` are counted. */
  counts(p: string): boolean {
    return this.#countRoot === undefined || p === this.#countRoot || p.startsWith(this.#countRootSlash);
  }

  /** `n` system calls of one name, and their latency. */
  sys(name: FsSyscall, n = 1): void {
    this.syscalls[name] += n;
    this.pendingLatency += this.#latency[name] * n;
  }

  /** One `stat`/`lstat` system call counted as one `stats` operation. */
  stat(name: 'stat' | 'lstat'): void {
    this.sys(name);
    this.io.stats++;
    this.io.ops++;
  }

  /** One `mkdir` system call counted as one `mkdirs` operation. */
  mkdir(): void {
    this.sys('mkdir');
    this.io.mkdirs++;
    this.io.ops++;
  }

  /** One counted rename whose target is in directory `dir`. */
  renamedInto(dir: string): void {
    this.renamesInto.set(dir, (this.renamesInto.get(dir) ?? 0) + 1);
  }

  /** One counted removal of an existing file from directory `dir`. */
  removedFrom(dir: string): void {
    this.filesRemovedFrom.set(dir, (this.filesRemovedFrom.get(dir) ?? 0) + 1);
  }

  /** A plain JSON copy of the counters: `totals.io` of contract.md §4 plus `mkdirs` and `syscalls`. */
  totals(): FsIoTotals {
    let total = 0;
    const syscalls = {} as Record<FsSyscall | 'total', number>;
    for (const name of FS_SYSCALLS) {
      syscalls[name] = this.syscalls[name];
      total += this.syscalls[name];
    }
    syscalls.total = total;
    return { ...this.io, syscalls };
  }

  /** Zeroes every counter and the pending latency. */
  reset(): void {
    Object.assign(this.syscalls, zeroSyscalls());
    Object.assign(this.io, zeroIo());
    this.renamesInto.clear();
    this.filesRemovedFrom.clear();
    this.pendingLatency = 0;
  }
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
