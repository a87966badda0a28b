/**
 * A size-capped least-recently-used map with the semantics of `k8s.io/utils/lru` (a wrapper of groupcache's
 * `lru.Cache`), which the kubelet's in-memory record cache uses (spec/cache.md §4.2).
 *
 * A `Map` keeps insertion order, so its first key is the least recently used one once every use re-inserts.
 */

/** Called for every entry that leaves the cache: by capacity eviction, `remove` or `clear` (as groupcache does). */
export type EvictionCallback<K, V> = (key: K, value: V) => void;

/**
 * The LRU of `k8s.io/utils/lru`: `get` marks an entry most recently used; `add` of an existing key replaces the
 * value and marks it used without any callback; `add` of a new key beyond `maxEntries` evicts the least recently
 * used entry through the callback; `remove` and `clear` also run the callback. `maxEntries` 0 means unbounded.
 * Values must not be `undefined` (that is how `get` reports a miss).
 */
export class LruCache<K, V> {
  readonly #entries = new Map<K, V>();

  constructor(
    readonly maxEntries: number,
    private readonly onEvicted?: EvictionCallback<K, V>,
  ) {}

  /** Number of entries held. */
  get size(): number {
    return this.#entries.size;
  }

  /** The value, marking it most recently used; undefined on a miss. */
  get(key: K): V | undefined {
    const value = this.#entries.get(key);
    if (value === undefined) return undefined;
    this.#entries.delete(key);
    this.#entries.set(key, value);
    return value;
  }

  /** Whether the key is held, without touching its recency. */
  has(key: K): boolean {
    return this.#entries.has(key);
  }

  /** Inserts or replaces the value and marks it most recently used; may evict the least recently used entry. */
  add(key: K, value: V): void {
    if (this.#entries.has(key)) {
      this.#entries.delete(key);
      this.#entries.set(key, value);
      return;
    }
    this.#entries.set(key, value);
    if (this.maxEntries !== 0 && this.#entries.size > this.maxEntries) this.#removeOldest();
  }

  /** Removes the key (running the callback) if it is held. */
  remove(key: K): void {
    const value = this.#entries.get(key);
    if (value === undefined) return;
    this.#entries.delete(key);
    this.onEvicted?.(key, value);
  }

  /** Removes every entry, running the callback for each (least recently used first). */
  clear(): void {
    const entries = [...this.#entries];
    this.#entries.clear();
    for (const [key, value] of entries) this.onEvicted?.(key, value);
  }

  /** The keys from least to most recently used (no recency change). */
  keys(): K[] {
    return [...this.#entries.keys()];
  }

  #removeOldest(): void {
    // Map iteration starts at the least recently (re-)inserted key.
    for (const oldest of this.#entries.keys()) {
      this.remove(oldest);
      return;
    }
  }
}
