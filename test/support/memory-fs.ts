/**
 * A small in-memory FileSystem for unit tests: a tree of directories and files, sorted `readDir`, the errno codes
 * the kubelet's file code meets (ENOENT, EISDIR, ENOTDIR, ENOTEMPTY), one-shot fault injection per path and an
 * operation log. The counting, fault-injecting filesystem of the simulator lives elsewhere; this one stays small.
 */
import {
  type AppendHandle,
  type DirEntry,
  type FileStat,
  type FileSystem,
  FsError,
  type FsErrorCode,
} from '../../src/ports.js';

type Node = { kind: 'dir'; children: Map<string, Node> } | { kind: 'file'; data: string };

/** The port operations, as they appear in the log and in fault rules. */
export type FsOp =
  | 'mkdirAll'
  | 'writeFile'
  | 'rename'
  | 'readFile'
  | 'readDir'
  | 'remove'
  | 'stat'
  | 'openAppend'
  | 'append'
  | 'closeAppend';

export interface FsLogEntry {
  readonly op: FsOp;
  readonly path: string;
  /** The destination of a rename. */
  readonly to?: string;
}

interface Fault {
  readonly path: string;
  readonly code: FsErrorCode;
  readonly op: FsOp | undefined;
  remaining: number;
}

function splitPath(path: string): string[] {
  if (!path.startsWith('/'))
    throw new Error(`memory-fs: paths must be absolute, got ${JSON.stringify(path)}`);
  return path.split('/').filter((part) => part !== '');
}

export class MemoryFileSystem implements FileSystem {
  readonly #root: Node = { kind: 'dir', children: new Map() };
  readonly #faults: Fault[] = [];
  /** Every port call in order (helpers such as `put` and `read` are not logged). */
  readonly log: FsLogEntry[] = [];

  // ------------------------------------------------------------------------------------------------------------
  // Test helpers

  /** Makes the next `times` operations on `path` (of kind `op`, or any kind) throw `code`. */
  failNext(path: string, code: FsErrorCode, { op, times = 1 }: { op?: FsOp; times?: number } = {}): void {
    this.#faults.push({ path, code, op, remaining: times });
  }

  /** Creates a file (and its parent directories) without logging. */
  put(path: string, data: string): void {
    const parts = splitPath(path);
    const name = parts.pop();
    if (name === undefined) throw new Error('memory-fs: cannot put the root');
    const parent = this.#ensureDir(parts);
    parent.children.set(name, { kind: 'file', data });
  }

  /** Creates a directory (and parents) without logging. */
  putDir(path: string): void {
    this.#ensureDir(splitPath(path));
  }

  /** A file's content, or undefined; not logged. */
  read(path: string): string | undefined {
    const node = this.#lookup(path);
    return node?.kind === 'file' ? node.data : undefined;
  }

  /** Whether anything exists at `path`; not logged. */
  exists(path: string): boolean {
    return this.#lookup(path) !== undefined;
  }

  /** Names in a directory (sorted), or [] when it is absent; not logged. */
  list(path: string): string[] {
    const node = this.#lookup(path);
    return node?.kind === 'dir' ? [...node.children.keys()].sort() : [];
  }

  /** Number of logged operations, optionally of one kind. */
  count(op?: FsOp): number {
    return op === undefined ? this.log.length : this.log.filter((entry) => entry.op === op).length;
  }

  /** Forgets the log (for counting the operations of one call). */
  clearLog(): void {
    this.log.length = 0;
  }

  // ------------------------------------------------------------------------------------------------------------
  // FileSystem

  mkdirAll(path: string): void {
    this.#begin('mkdirAll', path);
    let node = this.#root;
    for (const part of splitPath(path)) {
      if (node.kind !== 'dir') throw new FsError('ENOTDIR', 'mkdir', path);
      let child = node.children.get(part);
      if (child === undefined) {
        child = { kind: 'dir', children: new Map() };
        node.children.set(part, child);
      }
      node = child;
    }
    if (node.kind !== 'dir') throw new FsError('ENOTDIR', 'mkdir', path);
  }

  writeFile(path: string, data: string): void {
    this.#begin('writeFile', path);
    const { parent, name } = this.#parentOf(path, 'open');
    if (parent.children.get(name)?.kind === 'dir') throw new FsError('EISDIR', 'open', path);
    parent.children.set(name, { kind: 'file', data });
  }

  rename(from: string, to: string): void {
    this.#begin('rename', from, to);
    const source = this.#parentOf(from, 'rename');
    const node = source.parent.children.get(source.name);
    if (node === undefined) throw new FsError('ENOENT', 'rename', from);
    const target = this.#parentOf(to, 'rename');
    const existing = target.parent.children.get(target.name);
    if (existing?.kind === 'dir') {
      if (node.kind === 'file') throw new FsError('EISDIR', 'rename', to);
      if (existing.children.size > 0) throw new FsError('ENOTEMPTY', 'rename', to);
    } else if (existing !== undefined && node.kind === 'dir') {
      throw new FsError('ENOTDIR', 'rename', to);
    }
    source.parent.children.delete(source.name);
    target.parent.children.set(target.name, node);
  }

  readFile(path: string): string {
    this.#begin('readFile', path);
    const node = this.#resolve(path, 'open');
    if (node.kind === 'dir') throw new FsError('EISDIR', 'read', path);
    return node.data;
  }

  readDir(path: string): DirEntry[] {
    this.#begin('readDir', path);
    const node = this.#resolve(path, 'lstat');
    if (node.kind !== 'dir') throw new FsError('ENOTDIR', 'readdirent', path);
    return [...node.children.entries()]
      .map(([name, child]) => ({ name, isDirectory: child.kind === 'dir' }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  remove(path: string): void {
    this.#begin('remove', path);
    const { parent, name } = this.#parentOf(path, 'remove');
    const node = parent.children.get(name);
    if (node === undefined) throw new FsError('ENOENT', 'remove', path);
    if (node.kind === 'dir' && node.children.size > 0) throw new FsError('ENOTEMPTY', 'remove', path);
    parent.children.delete(name);
  }

  stat(path: string): FileStat {
    this.#begin('stat', path);
    const node = this.#resolve(path, 'stat');
    return {
      isDirectory: node.kind === 'dir',
      sizeBytes: node.kind === 'file' ? Buffer.byteLength(node.data) : 0,
    };
  }

  /**
   * Opens `path` for appending (created empty when absent). Each `write` is logged as `append` and can be failed
   * with `failNext(path, code, { op: 'append' })`, appending nothing; `close` is logged as `closeAppend`. The
   * handle holds the file node, so after a rename over the path its writes go to the replaced file.
   */
  openAppend(path: string): AppendHandle {
    this.#begin('openAppend', path);
    const { parent, name } = this.#parentOf(path, 'open');
    let node = parent.children.get(name);
    if (node?.kind === 'dir') throw new FsError('EISDIR', 'open', path);
    if (node === undefined) {
      node = { kind: 'file', data: '' };
      parent.children.set(name, node);
    }
    const file = node;
    let open = true;
    return {
      write: (data: string): void => {
        if (!open) throw new Error(`memory-fs: write to a closed append handle of ${path}`);
        this.#begin('append', path);
        file.data += data;
      },
      close: (): void => {
        if (!open) throw new Error(`memory-fs: close of a closed append handle of ${path}`);
        open = false;
        this.log.push({ op: 'closeAppend', path });
      },
    };
  }

  // ------------------------------------------------------------------------------------------------------------
  // Internals

  #begin(op: FsOp, path: string, to?: string): void {
    this.log.push(to === undefined ? { op, path } : { op, path, to });
    const index = this.#faults.findIndex((f) => f.path === path && (f.op === undefined || f.op === op));
    const fault = this.#faults[index];
    if (fault === undefined) return;
    fault.remaining--;
    if (fault.remaining <= 0) this.#faults.splice(index, 1);
    throw new FsError(fault.code, op, path);
  }

  #lookup(path: string): Node | undefined {
    let node: Node = this.#root;
    for (const part of splitPath(path)) {
      if (node.kind !== 'dir') return undefined;
      const child = node.children.get(part);
      if (child === undefined) return undefined;
      node = child;
    }
    return node;
  }

  /** The node at `path`; ENOENT when missing, ENOTDIR when a parent is a file. */
  #resolve(path: string, op: string, reportPath = path): Node {
    let node: Node = this.#root;
    for (const part of splitPath(path)) {
      if (node.kind !== 'dir') throw new FsError('ENOTDIR', op, reportPath);
      const child = node.children.get(part);
      if (child === undefined) throw new FsError('ENOENT', op, reportPath);
      node = child;
    }
    return node;
  }

  #parentOf(path: string, op: string): { parent: Extract<Node, { kind: 'dir' }>; name: string } {
    const parts = splitPath(path);
    const name = parts.pop();
    if (name === undefined) throw new FsError('EISDIR', op, path);
    const parent = this.#resolve('/' + parts.join('/'), op, path);
    if (parent.kind !== 'dir') throw new FsError('ENOTDIR', op, path);
    return { parent, name };
  }

  #ensureDir(parts: readonly string[]): Extract<Node, { kind: 'dir' }> {
    let node: Node = this.#root;
    for (const part of parts) {
      if (node.kind !== 'dir') throw new Error('memory-fs: a file is in the way');
      let child = node.children.get(part);
      if (child === undefined) {
        child = { kind: 'dir', children: new Map() };
        node.children.set(part, child);
      }
      node = child;
    }
    if (node.kind !== 'dir') throw new Error('memory-fs: a file is in the way');
    return node;
  }
}
