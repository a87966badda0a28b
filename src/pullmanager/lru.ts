/**
 * A size-capped least-recently-used map with the semantics of `k8s.io/utils/lru` (a wrapper of groupcache's
 * `lru.Cache`), which the kubelet's in-memory record cache uses (`mem_pullrecords.go`, #131882;
 * docs/kubelet-model.md#the-in-memory-cache).
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
  /**
   * Key → node of a doubly linked list ordered from least (`#head`) to most (`#tail`) recently used. Moving an entry
   * to the tail is a few pointer updates; re-inserting into a `Map` (delete + set) cost microseconds on a large
   * map, and `get` runs on every cached decision.
   */
  readonly #nodes = new Map<K, LruNode<K, V>>();
  #head: LruNode<K, V> | undefined;
  #tail: LruNode<K, V> | undefined;

  constructor(
    readonly maxEntries: number,
    private readonly onEvicted?: EvictionCallback<K, V>,
  ) {}

  /** Number of entries held. */
  get size(): number {
    return this.#nodes.size;
  }

  /** The value, marking it most recently used; undefined on a miss. */
  get(key: K): V | undefined {
    const node = this.#nodes.get(key);
    if (node === undefined) return undefined;
    this.#moveToTail(node);
    return node.value;
  }

  /** Whether the key is held, without touching its recency. */
  has(key: K): boolean {
    return this.#nodes.has(key);
  }

  /** Inserts or replaces the value and marks it most recently used; may evict the least recently used entry. */
  add(key: K, value: V): void {
    const existing = this.#nodes.get(key);
    if (existing !== undefined) {
      existing.value = value;
      this.#moveToTail(existing);
      return;
    }
    const node: LruNode<K, V> = { key, value, previous: this.#tail, next: undefined };
    if (this.#tail !== undefined) this.#tail.next = node;
    this.#tail = node;
    this.#head ??= node;
    this.#nodes.set(key, node);
    if (this.maxEntries !== 0 && this.#nodes.size > this.maxEntries && this.#head !== undefined)
      this.remove(this.#head.key);
  }

  /** Removes the key (running the callback) if it is held. */
  remove(key: K): void {
    const node = this.#nodes.get(key);
    if (node === undefined) return;
    this.#unlink(node);
    this.#nodes.delete(key);
    this.onEvicted?.(key, node.value);
  }

  /** Removes every entry, running the callback for each (least recently used first). */
  clear(): void {
    const entries: [K, V][] = [];
    for (let node = this.#head; node !== undefined; node = node.next) entries.push([node.key, node.value]);
    this.#nodes.clear();
    this.#head = undefined;
    this.#tail = undefined;
    for (const [key, value] of entries) this.onEvicted?.(key, value);
  }

  /** The keys from least to most recently used (no recency change). */
  keys(): K[] {
    const keys: K[] = [];
    for (let node = this.#head; node !== undefined; node = node.next) keys.push(node.key);
    return keys;
  }

  #moveToTail(node: LruNode<K, V>): void {
    if (node === this.#tail) return;
    this.#unlink(node);
    node.previous = this.#tail;
    node.next = undefined;
    if (this.#tail !== undefined) this.#tail.next = node;
    this.#tail = node;
    this.#head ??= node;
  }

  #unlink(node: LruNode<K, V>): void {
    if (node.previous === undefined) this.#head = node.next;
    else node.previous.next = node.next;
    if (node.next === undefined) this.#tail = node.previous;
    else node.next.previous = node.previous;
    node.previous = undefined;
    node.next = undefined;
  }
}

interface LruNode<K, V> {
  readonly key: K;
  value: V;
  previous: LruNode<K, V> | undefined;
  next: LruNode<K, V> | undefined;
}
