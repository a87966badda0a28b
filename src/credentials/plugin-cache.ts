/**
 * The credential-provider plugin's response cache (`pkg/credentialprovider/plugin/plugin.go`): a client-go
 * `cache.NewExpirationStore` keyed by `cacheKeyFunc` (the entry's key) with `cacheExpirationPolicy` (an entry is
 * expired once the clock is strictly after its `expiresAt`), and `pluginProvider.getCachedCredentials`, which first
 * purges every expired entry if the last purge is more than `cachePurgeInterval` (15 minutes) ago, then looks the
 * image up under its image, registry and global keys, in that order.
 *
 * The expiration store drops an expired entry only when it is read (`GetByKey`) or listed (`List`, the purge);
 * `ListKeys` shows expired entries that nobody read. Time is the injected clock's (docs/kubelet-model.md#the-plugin-response-cache).
 */
import type { Ticks } from '../time.js';
import { TICKS_PER_MINUTE } from '../time.js';
import { GLOBAL_CACHE_KEY, generateCacheKey, parseRegistry } from './plugin-cache-key.js';

/** `cachePurgeInterval`. */
export const PLUGIN_CACHE_PURGE_INTERVAL_TICKS = (15 * TICKS_PER_MINUTE) as Ticks;

/** The credentials of a plugin's answer (`credentialprovider.DockerConfig`: username and password only). */
export type PluginCredentials = Readonly<
  Record<string, { readonly username: string; readonly password: string }>
>;

/** `cacheEntry`. */
export interface PluginCacheEntry {
  readonly key: string;
  readonly credentials: PluginCredentials;
  readonly expiresAt: Ticks;
}

export type CachedCredentials =
  | { readonly ok: true; readonly credentials: PluginCredentials | undefined }
  | { readonly ok: false; readonly error: string };

export class PluginResponseCache {
  private readonly entries = new Map<string, PluginCacheEntry>();
  private lastCachePurge: Ticks;

  /** `lastCachePurge` starts at the provider's creation. */
  constructor(private readonly now: () => Ticks) {
    this.lastCachePurge = now();
  }

  /** `cache.Add`: stores the entry, replacing one under the same key. */
  add(entry: PluginCacheEntry): void {
    this.entries.set(entry.key, entry);
  }

  /** `ListKeys`: every stored key, expired or not, sorted (Go lists them in map order). */
  keys(): string[] {
    return [...this.entries.keys()].sort();
  }

  /** `getCachedCredentials(image, serviceAccountCacheKey)`: the purge when due, then image, registry, global. */
  lookup(image: string, serviceAccountCacheKey: string): CachedCredentials {
    const now = this.now();
    if (now > this.lastCachePurge + PLUGIN_CACHE_PURGE_INTERVAL_TICKS) {
      for (const key of this.keys()) this.getByKey(key, now);
      this.lastCachePurge = now;
    }
    for (const base of [image, parseRegistry(image), GLOBAL_CACHE_KEY]) {
      const key = generateCacheKey(base, serviceAccountCacheKey);
      if (!key.ok) return { ok: false, error: `error generating cache key: ${key.error}` };
      const entry = this.getByKey(key.key, now);
      if (entry !== undefined) return { ok: true, credentials: entry.credentials };
    }
    return { ok: true, credentials: undefined };
  }

  /** `GetByKey` of the expiration store: an expired entry is deleted and not found. */
  private getByKey(key: string, now: Ticks): PluginCacheEntry | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (now > entry.expiresAt) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }
}
