/**
 * `BasicDockerKeyring` (`pkg/credentialprovider/keyring.go`): registry credentials indexed by normalised registry
 * key, looked up by image with per-label shell globs (`URLsMatch`) and the Docker Hub fallback.
 *
 * Keys are parsed and their host labels compiled once, when they are added; a lookup parses the image once and
 * walks the reverse-sorted key index. Go's `Add` iterates a Go map (random order); here a config's entries are
 * added in the object's key order, which is one of the orders Go can produce.
 */

import {
  compareGoStrings,
  type GoUrl,
  goFilepathMatch,
  goStringToBytes,
  hasGlobMeta,
  parseGoUrl,
  splitHostPort,
} from '../go/index.js';
import type { DockerConfig } from '../ports.js';
import { credentialHash } from './credential-hash.js';
import { normalizeRegistryKey, parseDockerConfigEntry } from './docker-config.js';

/** Where a credential came from (Go `CredentialSource{Secret, ServiceAccount}`); absent for node-wide credentials. */
export type CredentialSource =
  | { readonly kind: 'secret'; readonly uid: string; readonly namespace: string; readonly name: string }
  | {
      readonly kind: 'serviceAccount';
      readonly uid: string;
      readonly namespace: string;
      readonly name: string;
    };

/** One credential as the keyring returns it (Go TrackedAuthConfig). */
export interface TrackedAuthConfig {
  readonly username: string;
  readonly password: string;
  readonly email?: string;
  readonly source?: CredentialSource;
  /** hashAuthConfig of the credential, '' when not computed */
  readonly credentialHash: string;
  /** the normalised registry key it was stored under */
  readonly registryKey: string;
}

/** The Docker Hub key of the fallback (`defaultRegistryHost`). */
export const DEFAULT_REGISTRY_HOST = 'index.docker.io';

/** A host label: a literal (plain equality) or a glob pattern as Go bytes. */
type LabelPattern = string | Uint8Array;

/** A key parsed for matching (`ParseSchemelessURL` + `SplitURL`), its glob labels compiled. */
interface CompiledGlob {
  readonly labels: readonly LabelPattern[];
  readonly port: string;
  readonly path: string;
}

interface Target {
  readonly labels: readonly string[];
  readonly port: string;
  readonly path: string;
}

/**
 * Parsed keys and targets by their text. Both parses are pure functions of a string, and a kubelet builds a fresh
 * keyring for every pod start from the same few registry keys, so remembering them saves most of the URL parsing.
 * Bounded: the memo is dropped when full.
 */
const MEMO_LIMIT = 4096;
const targetMemo = new Map<string, Target | undefined>();
const globMemo = new Map<string, CompiledGlob | undefined>();

function memoized<T>(
  memo: Map<string, T | undefined>,
  key: string,
  compute: (key: string) => T | undefined,
): T | undefined {
  if (memo.has(key)) return memo.get(key);
  if (memo.size >= MEMO_LIMIT) memo.clear();
  const value = compute(key);
  memo.set(key, value);
  return value;
}

/** `ParseSchemelessURL` then `SplitURL`: host labels, port ("" when `net.SplitHostPort` fails) and path. */
function splitSchemeless(text: string): Target | undefined {
  return memoized(targetMemo, text, parseSchemeless);
}

function parseSchemeless(text: string): Target | undefined {
  const url: GoUrl | undefined = parseGoUrl(`https://${text}`);
  if (url === undefined) return undefined;
  const hostPort = splitHostPort(url.host);
  const host = hostPort === undefined ? url.host : hostPort.host;
  return { labels: host.split('.'), port: hostPort === undefined ? '' : hostPort.port, path: url.path };
}

function compileGlob(glob: string): CompiledGlob | undefined {
  return memoized(globMemo, glob, compileGlobText);
}

function compileGlobText(glob: string): CompiledGlob | undefined {
  const split = splitSchemeless(glob);
  if (split === undefined) return undefined;
  const labels = split.labels.map((label) => (hasGlobMeta(label) ? goStringToBytes(label) : label));
  return { labels, port: split.port, path: split.path };
}

/** `URLsMatch`: equal ports, equal label counts, path prefix, then every label glob-matches. */
function matchesCompiled(glob: CompiledGlob, target: Target): boolean {
  if (glob.port !== target.port) return false;
  if (glob.labels.length !== target.labels.length) return false;
  if (!target.path.startsWith(glob.path)) return false;
  for (let index = 0; index < glob.labels.length; index++) {
    const pattern = glob.labels[index]!;
    const label = target.labels[index]!;
    if (typeof pattern === 'string' ? pattern !== label : !goFilepathMatch(pattern, goStringToBytes(label))) {
      return false;
    }
  }
  return true;
}

/**
 * `URLsMatchStr(glob, target)` (`keyring.go`): both are schemeless URLs; the glob may use `*`, `?` and `[…]` within
 * each host label. A parse error or a malformed pattern is "no match".
 *
 * @example urlsMatchStr('*.kubernetes.io', 'prefix.kubernetes.io') // true
 * @example urlsMatchStr('*.kubernetes.io', 'kubernetes.io') // false: label counts differ
 */
export function urlsMatchStr(glob: string, target: string): boolean {
  const compiled = compileGlob(glob);
  const parsed = splitSchemeless(target);
  return compiled !== undefined && parsed !== undefined && matchesCompiled(compiled, parsed);
}

/**
 * `isDefaultRegistryMatch` (`keyring.go`): whether an image name refers to Docker Hub — a single segment, a first
 * segment `docker.io` or `index.docker.io`, or a first segment with neither "." nor ":".
 */
export function isDefaultRegistryMatch(image: string): boolean {
  const slash = image.indexOf('/');
  const first = slash < 0 ? image : image.slice(0, slash);
  if (first.length === 0) return false;
  if (slash < 0) return true;
  if (first === 'docker.io' || first === DEFAULT_REGISTRY_HOST) return true;
  return !first.includes('.') && !first.includes(':');
}

/** One credential of a docker config as `add` stores it: under its normalised registry key. */
export interface KeyringEntry {
  readonly key: string;
  readonly credential: TrackedAuthConfig;
}

/**
 * What `DockerKeyring.add(config, source, options)` stores, in order, without a keyring: the parsed, hashed and
 * frozen credentials. A pure function of its input, so callers that add the same immutable config again and
 * again (the kubelet builds a keyring for every pod sync) may keep the result.
 */
export function keyringEntries(
  config: DockerConfig,
  source?: CredentialSource,
  options: { readonly computeHash?: boolean } = {},
): KeyringEntry[] {
  const { computeHash = true } = options;
  const entries: KeyringEntry[] = [];
  for (const [location, raw] of Object.entries(config)) {
    const entry = parseDockerConfigEntry(raw);
    if (!entry.ok) continue;
    const key = normalizeRegistryKey(location);
    if (key === undefined) continue; // Go: klog "Entry %q in dockercfg invalid (%v), ignoring"
    const { username, password, email } = entry.value;
    const credential: TrackedAuthConfig = Object.freeze({
      username,
      password,
      ...(email === '' ? {} : { email }),
      ...(source === undefined ? {} : { source }),
      credentialHash: computeHash ? credentialHash({ username, password, email }) : '',
      registryKey: key,
    });
    entries.push({ key, credential });
  }
  return entries;
}

interface KeyEntry {
  /** undefined when the key does not re-parse (then it never matches, as in Go). */
  readonly glob: CompiledGlob | undefined;
  readonly credentials: TrackedAuthConfig[];
}

/**
 * `BasicDockerKeyring` (`keyring.go`): `add` stores each entry of a docker config under its normalised key; `lookup`
 * returns, in reverse-lexicographic key order, the credentials of every key that matches the image (insertion order
 * within a key), or the `index.docker.io` credentials when nothing matched and the image is a Docker Hub name.
 */
export class DockerKeyring {
  /** Distinct keys, reverse-sorted by Go string order (bytes), so longer paths come before their prefixes. */
  readonly #index: string[] = [];
  readonly #entries = new Map<string, KeyEntry>();

  /**
   * `Add(src, cfg)`. `source` is undefined for node-wide credentials. `computeHash` stands for the
   * `KubeletEnsureSecretPulledImages` gate (`NewTrackedAuthConfig` hashes only when it is on). Entries whose key does
   * not parse, or whose `auth` does not decode, are skipped.
   *
   * Upstream also drops the Source when the gate is off; nothing reads it then, so it is kept here.
   */
  add(
    config: DockerConfig,
    source?: CredentialSource,
    options: { readonly computeHash?: boolean } = {},
  ): void {
    this.addEntries(keyringEntries(config, source, options));
  }

  /** Adds entries prepared by `keyringEntries` (the same as `add` of the config they came from). */
  addEntries(entries: readonly KeyringEntry[]): void {
    for (const entry of entries) this.#entryFor(entry.key).credentials.push(entry.credential);
  }

  /** `Lookup(image)`: all matching keys' credentials in index order; else the Docker Hub fallback; else none. */
  lookup(image: string): TrackedAuthConfig[] {
    const found: TrackedAuthConfig[] = [];
    const target = splitSchemeless(image);
    if (target !== undefined) {
      for (const key of this.#index) {
        const entry = this.#entries.get(key);
        if (entry?.glob !== undefined && matchesCompiled(entry.glob, target))
          found.push(...entry.credentials);
      }
    }
    if (found.length > 0) return found;
    const fallback = this.#entries.get(DEFAULT_REGISTRY_HOST);
    return fallback !== undefined && isDefaultRegistryMatch(image) ? [...fallback.credentials] : [];
  }

  /** The distinct keys in lookup order. */
  keys(): readonly string[] {
    return [...this.#index];
  }

  #entryFor(key: string): KeyEntry {
    const existing = this.#entries.get(key);
    if (existing !== undefined) return existing;
    const created: KeyEntry = { glob: compileGlob(key), credentials: [] };
    this.#entries.set(key, created);
    // Binary search for the first position whose key sorts below `key` (descending order).
    let low = 0;
    let high = this.#index.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (compareGoStrings(this.#index[middle]!, key) > 0) low = middle + 1;
      else high = middle;
    }
    this.#index.splice(low, 0, key);
    return created;
  }
}
