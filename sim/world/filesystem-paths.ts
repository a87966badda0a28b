/**
 * Paths and name order of the simulated filesystem: canonical absolute paths (resolved lexically, as the tree has
 * no symbolic links) and Go's byte order of names, which `readDir` listings follow.
 */

import { compareGoStrings } from '../../src/go/index.js';

/** The root directory. */
export const ROOT = '/';

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

/** Compares names in Go's byte order, as `os.ReadDir` sorts a directory (`compareGoStrings`, src/go/utf8.ts). */
export const compareNames: (a: string, b: string) => number = compareGoStrings;

/** The directory holding canonical path `p` (`/` for `/` itself). */
export function parentOf(p: string): string {
  const i = p.lastIndexOf('/');
  return i <= 0 ? ROOT : p.slice(0, i);
}

/** The last segment of canonical path `p`. */
export function baseName(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}

/** The path of entry `name` in directory `dir`. */
export function join(dir: string, name: string): string {
  return dir === ROOT ? `/${name}` : `${dir}/${name}`;
}

/** Whether `p` is `prefix` or under it; an absent prefix (or `/`) holds every path. */
export function under(p: string, prefix: string | undefined): boolean {
  return prefix === undefined || prefix === ROOT || p === prefix || p.startsWith(`${prefix}/`);
}
