/**
 * The simulated filesystem's tree: one `Map` from absolute path to node (O(1) lookup of any path) plus, per
 * directory, a `Map` of its children, a sorted listing that `readDir` brings up to date lazily (a merge of the names
 * added since the last listing), and tallies of the files a name filter selects. Creating, renaming and removing a
 * file cost O(1) and a listing costs O(entries + k log k) for k new names. Nothing here is counted or faulted: the
 * filesystem charges its operations before it changes the tree.
 */
import { type DirEntry, type FileNameFilter, FsError, type FsErrorCode } from '../../src/ports.js';
import { baseName, compareNames, join, normalizePath, parentOf, ROOT } from './filesystem-paths.js';

/** A regular file: its content and its size in UTF-8 bytes. */
export class FileNode {
  readonly isDirectory = false as const;
  constructor(
    public content: string,
    public sizeBytes: number,
  ) {}
}

/** A directory: its entries by name, its sorted listing and its tallies. */
export class DirNode {
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

export type Node = FileNode | DirNode;

interface Tally extends FileNameFilter {
  count: number;
}

function selects(filter: FileNameFilter, name: string, isDirectory: boolean): boolean {
  return !isDirectory && name.startsWith(filter.prefix) && !name.endsWith(filter.excludedSuffix);
}

/** The nodes by canonical path, and the linking that keeps each directory's entries, listing and tallies true. */
export class FsTree {
  /** Every node by canonical path; `/` always exists. */
  readonly nodes = new Map<string, Node>([[ROOT, new DirNode()]]);

  /** ENOTDIR when the nearest existing ancestor of `p` is a file, else ENOENT (path resolution on Linux). */
  missingCode(p: string): FsErrorCode {
    let cur = parentOf(p);
    while (cur !== ROOT) {
      const node = this.nodes.get(cur);
      if (node !== undefined) return node.isDirectory ? 'ENOENT' : 'ENOTDIR';
      cur = parentOf(cur);
    }
    return 'ENOENT';
  }

  /** Puts `node` at `p` (replacing what is there) and in its parent directory, which must exist. */
  link(p: string, node: Node): void {
    this.nodes.set(p, node);
    const parent = this.nodes.get(parentOf(p)) as DirNode;
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
  unlink(p: string): void {
    const parent = this.nodes.get(parentOf(p)) as DirNode;
    const name = baseName(p);
    const node = parent.children.get(name);
    if (node !== undefined && parent.tallies !== undefined) parent.retally(name, node.isDirectory, -1);
    parent.children.delete(name);
    parent.added.delete(name);
    parent.dirty = true;
    this.nodes.delete(p);
  }

  /** Every path in the subtree rooted at `p` (itself included), parents before children. */
  collect(p: string): string[] {
    const out = [p];
    for (let k = 0; k < out.length; k++) {
      const path = out[k] as string;
      const node = this.nodes.get(path);
      if (node?.isDirectory) for (const name of node.children.keys()) out.push(join(path, name));
    }
    return out;
  }

  /** Moves directory `from` and its subtree to `to`, whose parent exists and where nothing is. */
  moveTree(from: string, to: string, dir: DirNode): void {
    // Re-key the whole subtree: nodes do not store their paths, so only the map keys change.
    const moved = this.collect(from).map((old): [string, Node] => [old, this.nodes.get(old) as Node]);
    this.unlink(from);
    for (const [old] of moved) this.nodes.delete(old);
    for (const [old, node] of moved) if (old !== from) this.nodes.set(to + old.slice(from.length), node);
    this.link(to, dir);
  }

  /** Removes `p` and its subtree; `/` is emptied. */
  removeTree(p: string): void {
    if (p === ROOT) {
      this.nodes.clear();
      this.nodes.set(ROOT, new DirNode());
      return;
    }
    for (const old of this.collect(p)) this.nodes.delete(old);
    this.unlink(p);
  }

  /** The regular files under directory `root`, recursively: relative path → content, sorted by byte order. */
  snapshot(root: string): Record<string, string> {
    const node = this.nodes.get(root);
    if (node === undefined || !node.isDirectory) return {};
    const files: [string, string][] = [];
    const base = root === ROOT ? ROOT : `${root}/`;
    const visit = (dir: string, d: DirNode): void => {
      for (const [name, n] of d.children) {
        const child = join(dir, name);
        if (n.isDirectory) visit(child, n);
        else files.push([child.slice(base.length), n.content]);
      }
    };
    visit(root, node);
    files.sort((a, b) => compareNames(a[0], b[0]));
    return Object.fromEntries(files);
  }

  /** Creates files (relative path under directory `root` → content) and their missing parents. */
  load(root: string, files: Readonly<Record<string, string>>): void {
    for (const [relative, content] of Object.entries(files)) {
      const p = normalizePath(`${root}/${relative}`);
      if (p === root) throw new RangeError(`loadFiles: empty relative path under ${root}`);
      this.ensureDir(parentOf(p));
      const node = this.nodes.get(p);
      const sizeBytes = Buffer.byteLength(content, 'utf8');
      if (node === undefined) this.link(p, new FileNode(content, sizeBytes));
      else if (node.isDirectory) throw new FsError('EISDIR', 'open', p);
      else {
        node.content = content;
        node.sizeBytes = sizeBytes;
      }
    }
  }

  /** Like `mkdir -p`. */
  ensureDir(p: string): void {
    const missing: string[] = [];
    let cur = p;
    for (;;) {
      const node = this.nodes.get(cur);
      if (node !== undefined) {
        if (!node.isDirectory) throw new FsError('ENOTDIR', 'mkdir', cur);
        break;
      }
      missing.push(cur);
      cur = parentOf(cur);
    }
    for (let i = missing.length - 1; i >= 0; i--) this.link(missing[i] as string, new DirNode());
  }
}
