/**
 * Paths and name order of the simulated filesystem: canonical absolute paths (resolved lexically, as the tree has
 * no symbolic links) and Go's byte order of names, which `readDir` listings follow.
 */

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

/** Moves surrogates (code points above U+FFFF) after U+E000–U+FFFF. */
function codeUnitRank(unit: number): number {
  return unit >= 0xe000 ? unit - 0x800 : unit + 0x2000;
}

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
