/** Sorted key lists by the object's own key order, so records of the same shape sort their keys once. */
const sortedKeysCache = new Map<string, string[]>();
const MAX_CACHED_SHAPES = 4096;

function sortedKeys(record: Record<string, unknown>): string[] {
  const keys = Object.keys(record);
  const shape = `${keys.length}\u0000${keys.join('\u0000')}`;
  let sorted = sortedKeysCache.get(shape);
  // Keys containing NUL could make two shapes collide; a cached list is used only if it is a permutation.
  if (sorted === undefined || !sorted.every((key) => Object.hasOwn(record, key))) {
    sorted = keys.slice().sort();
    if (sortedKeysCache.size < MAX_CACHED_SHAPES) sortedKeysCache.set(shape, sorted);
  }
  return sorted;
}

/**
 * JSON with a stable key order (keys sorted by UTF-16 code units at every level), so the same value always has
 * the same bytes. `undefined` members are dropped, as JSON.stringify does; non-finite numbers are a programmer
 * error because they have no JSON form.
 */
export function canonicalJson(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`canonicalJson: non-finite number ${value}`);
      return JSON.stringify(value);
    case 'object': {
      if (value === null) return 'null';
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i++) {
          if (i > 0) out += ',';
          const item = value[i];
          out += item === undefined ? 'null' : canonicalJson(item);
        }
        return `${out}]`;
      }
      const record = value as Record<string, unknown>;
      let out = '{';
      let first = true;
      for (const key of sortedKeys(record)) {
        const member = record[key];
        if (member === undefined) continue;
        if (!first) out += ',';
        first = false;
        out += `${JSON.stringify(key)}:${canonicalJson(member)}`;
      }
      return `${out}}`;
    }
    default:
      throw new TypeError(`canonicalJson: cannot encode a ${typeof value}`);
  }
}
