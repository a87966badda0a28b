/**
 * The container runtime's image service on one node, modelled on containerd's CRI plugin
 * (`internal/cri/server/images/` and its image store): images keyed by ID, each with the repo tags and repo digests
 * that name it; pulls go through the simulated registry of the image's host.
 *
 * In pullsim an image's ID is its manifest digest (`sha256:<64 hex>`), so the same digest under two repositories
 * (or two hosts) is one image with several names, exactly as two repositories holding byte-identical images share
 * one imageRef — and one pulled record — on a real node.
 *
 * The store is a map from image ID to image plus a name index, both updated in place: a node with thousands of
 * images (the cache benchmarks) must not copy its whole image list on every pull, which an immer `produce` per
 * change did. Readers get frozen snapshots, rebuilt lazily after a change.
 */
import type { AuthConfig, CriImage, CriPullResult, ImageService } from '../../src/ports.js';
import { type NamedReference, parseNormalizedNamed, referenceString } from '../../src/reference/index.js';
import { TICKS_PER_MILLISECOND } from '../../src/time.js';
import { type Ticks, ticks } from '../kernel/time.js';
import { isDigest, type RegistryAuth, type SimRegistry, sizeBytesFromDigest } from './registry.js';

/** An image in the runtime's store. */
export interface RuntimeImage {
  readonly id: string;
  readonly repoTags: string[];
  readonly repoDigests: string[];
  readonly sizeBytes: number;
  /** Pinned images (the sandbox image) are never garbage-collected by the kubelet. */
  readonly pinned?: boolean;
}

/** The runtime's declarative state: its images, sorted by id, each with sorted names. */
export interface RuntimeState {
  readonly images: readonly RuntimeImage[];
}

/** The outcome of one CRI PullImage call, with the virtual time it took and the host it went to. */
export interface RuntimePullOutcome {
  readonly result: CriPullResult;
  readonly latency: Ticks;
  /** The registry host of the image reference ('' when the reference could not be parsed). */
  readonly registryHost: string;
}

/** A pull whose registry answer is known and whose image lands in the store when `commit` runs. */
export interface RuntimePullAttempt extends RuntimePullOutcome {
  readonly commit: () => void;
}

/** The kubelet's image GC thresholds (`imageGCHighThresholdPercent` / `imageGCLowThresholdPercent`). */
export interface ImageGcPolicy {
  readonly capacityBytes: number;
  readonly highThresholdPercent: number;
  readonly lowThresholdPercent: number;
}

/** Time a pull to a host with no registry takes to fail (the DNS lookup). */
export const UNKNOWN_HOST_LATENCY_TICKS = ticks(5 * TICKS_PER_MILLISECOND);

/**
 * A containerd-like image service for one node.
 *
 * @example
 * const runtime = new SimRuntime({ registries: (host) => registriesByHost.get(host) });
 * runtime.pullImage('private.example.com/team-a/app:v1', { username: 'team-a', password: 's3cret-a' }, now);
 */
export class SimRuntime implements ImageService {
  readonly #registries: (host: string) => SimRegistry | undefined;
  /** Image id → image (mutable internally; readers see frozen snapshots). */
  readonly #images = new Map<string, MutableImage>();
  /** Repo tag or repo digest → image id. */
  readonly #byName = new Map<string, string>();
  /** Frozen snapshot per image id, dropped when the image changes. */
  readonly #snapshots = new Map<string, RuntimeImage>();
  /** The sorted frozen image list, dropped on any change. */
  #sorted: readonly RuntimeImage[] | undefined;
  #usageBytes = 0;

  /** A runtime with no images; `registries` maps a registry host to its simulated registry. */
  constructor(options: { registries: (host: string) => SimRegistry | undefined }) {
    this.#registries = options.registries;
  }

  /** The image store after every change (immer-frozen). */
  get state(): RuntimeState {
    return { images: this.#sortedImages() };
  }

  /**
   * CRI `ImageStatus`: the image named by a reference (normalised as containerd's `ParseDockerRef` does:
   * `nginx` → `docker.io/library/nginx:latest`), else by its ID (full, or a unique hex prefix). Undefined when
   * absent; an ambiguous ID prefix is a runtime error (thrown), as containerd's digest set reports it.
   */
  imageStatus(image: string): CriImage | undefined {
    const id = this.#resolveLocal(image);
    return id === undefined ? undefined : this.#snapshot(id);
  }

  /** CRI `ListImages`, sorted by id. */
  listImages(): CriImage[] {
    return [...this.#sortedImages()];
  }

  /**
   * One CRI `PullImage` call with one credential (or anonymous). On success the image is stored under its digest,
   * named by the normalised repo tag (when pulled by tag) and the repo digest `<name>@<digest>`; a digest the node
   * already has only gains names. A tag that named another image moves to the pulled one.
   */
  pullImage(image: string, auth: AuthConfig | undefined, now: Ticks): RuntimePullOutcome {
    const { commit, ...outcome } = this.beginPull(image, auth, now);
    commit();
    return outcome;
  }

  /**
   * `pullImage` split in two for a driver that lets virtual time pass: the registry answers at `now` (counters,
   * rate limit, latency), and the image lands in the store only when the driver calls `commit` at `now + latency`.
   * `commit` is idempotent and does nothing for a failed pull; it stores the image even if it was removed meanwhile.
   */
  beginPull(image: string, auth: AuthConfig | undefined, now: Ticks): RuntimePullAttempt {
    const parsed = dockerRef(image);
    if (!parsed.ok) {
      return {
        result: {
          ok: false,
          error: `rpc error: code = Unknown desc = failed to parse image reference "${image}": ${parsed.error}`,
        },
        latency: ticks(0),
        registryHost: '',
        commit: noop,
      };
    }
    const named = parsed.value;
    const ref = parsed.text;
    const host = named.domain;
    const registry = this.#registries(host);
    if (registry === undefined) {
      return {
        result: {
          ok: false,
          error: `RegistryUnavailable: failed to resolve reference "${ref}": dial tcp: lookup ${host}: no such host`,
        },
        latency: UNKNOWN_HOST_LATENCY_TICKS,
        registryHost: host,
        commit: noop,
      };
    }

    const reference = named.digest ?? (named.tag as string);
    // The manifest is resolved first; layers the node already has (the whole image, here) are not fetched again.
    const known = registry.resolve(named.path, reference);
    const nodeHasDigest = known !== undefined && this.#images.has(known.digest);
    const answer = registry.pull(named.path, reference, registryAuth(auth), now, { nodeHasDigest });
    if (answer.status !== 'ok') {
      const error =
        answer.status === 'unavailable'
          ? `RegistryUnavailable: failed to resolve reference "${ref}": ${answer.message}`
          : `rpc error: code = Unknown desc = failed to pull and unpack image "${ref}": ` +
            `failed to resolve reference "${ref}": ${answer.message}`;
      return { result: { ok: false, error }, latency: answer.latency, registryHost: host, commit: noop };
    }

    const entry = {
      id: answer.digest,
      sizeBytes: answer.sizeBytes,
      repoTag: named.digest === undefined ? ref : undefined,
      repoDigest: `${named.name}@${answer.digest}`,
    };
    return {
      result: { ok: true, imageRef: answer.digest, sizeBytes: answer.sizeBytes },
      latency: answer.latency,
      registryHost: host,
      commit: () => {
        this.#store(entry);
      },
    };
  }

  /** `crictl rmi`: removes the whole image named by a reference or id; false when there is none. */
  removeImage(imageOrId: string): boolean {
    const id = this.#resolveLocal(imageOrId);
    if (id === undefined) return false;
    this.#remove(new Set([id]));
    return true;
  }

  /**
   * An image present at t=0, pulled outside the kubelet. Without `id` the ref is resolved through its registry
   * (side-effect free: no counters, no latency); a ref that does not resolve but carries a digest stands alone
   * under that digest. With `id`, it must agree with the registry when the ref resolves there; otherwise the id
   * stands alone (an image loaded from an archive).
   */
  preload(
    ref: string,
    id?: string,
    sizeBytes?: number,
    options: { pinned?: boolean } = {},
  ): { ok: true; id: string } | { ok: false; error: string } {
    const { pinned = false } = options;
    const parsed = dockerRef(ref);
    if (!parsed.ok) return { ok: false, error: `invalid image reference "${ref}": ${parsed.error}` };
    const named = parsed.value;
    const normalised = parsed.text;
    if (id !== undefined && !isDigest(id)) {
      return { ok: false, error: `image "${normalised}": id must be sha256:<64 hex>, got "${id}"` };
    }
    if (sizeBytes !== undefined && (!Number.isSafeInteger(sizeBytes) || sizeBytes < 0)) {
      return { ok: false, error: `image "${normalised}": sizeBytes must be a non-negative integer` };
    }
    if (id !== undefined && named.digest !== undefined && id !== named.digest) {
      return { ok: false, error: `image "${normalised}": id ${id} differs from the reference's digest` };
    }

    const resolved = this.#registries(named.domain)?.resolve(
      named.path,
      named.digest ?? (named.tag as string),
    );
    if (resolved !== undefined && id !== undefined && resolved.digest !== id) {
      return {
        ok: false,
        error: `image "${normalised}": id ${id} differs from the registry's digest ${resolved.digest}`,
      };
    }
    const imageId = resolved?.digest ?? id ?? named.digest;
    if (imageId === undefined) {
      return {
        ok: false,
        error: `image "${normalised}" does not resolve through the registry of ${named.domain}; give its id`,
      };
    }
    const size =
      sizeBytes ??
      resolved?.sizeBytes ??
      this.#images.get(imageId)?.sizeBytes ??
      sizeBytesFromDigest(imageId);
    // A ref resolved through a registry, or one written by digest, has a repo digest; an archive load has none.
    const hasRepoDigest = resolved !== undefined || named.digest !== undefined;
    this.#store({
      id: imageId,
      sizeBytes: size,
      repoTag: named.digest === undefined ? normalised : undefined,
      repoDigest: hasRepoDigest ? `${named.name}@${imageId}` : undefined,
      pinned,
    });
    return { ok: true, id: imageId };
  }

  /**
   * Image GC freeing everything possible (the kubelet's `realImageGCManager` with usage above its high threshold):
   * removes every image that is neither in use nor pinned. Returns the removed ids, sorted.
   */
  garbageCollect(inUse: ReadonlySet<string>): string[] {
    const removable = this.#sortedImages().filter((image) => !inUse.has(image.id) && image.pinned !== true);
    const ids = removable.map((image) => image.id);
    this.#remove(new Set(ids));
    return ids;
  }

  /**
   * Threshold image GC as `realImageGCManager.GarbageCollect` (pkg/kubelet/images/image_gc_manager.go): when
   * `100 - floor(available × 100 / capacity)` reaches the high threshold, frees
   * `capacity × (100 − low) / 100 − available` bytes by removing unused, unpinned images least recently used first
   * (ties by id, standing in for the kubelet's first-detected time). Returns the removed ids in removal order.
   */
  garbageCollectToThreshold(
    inUse: ReadonlySet<string>,
    policy: ImageGcPolicy,
    lastUsed: (id: string) => Ticks,
  ): string[] {
    const { capacityBytes, highThresholdPercent, lowThresholdPercent } = policy;
    if (!Number.isSafeInteger(capacityBytes) || capacityBytes <= 0) {
      throw new RangeError(`image GC: capacityBytes must be a positive integer, got ${capacityBytes}`);
    }
    if (
      !isPercent(highThresholdPercent) ||
      !isPercent(lowThresholdPercent) ||
      lowThresholdPercent > highThresholdPercent
    ) {
      throw new RangeError(
        `image GC: thresholds must satisfy 0 <= low <= high <= 100, got low ${lowThresholdPercent}, high ${highThresholdPercent}`,
      );
    }
    const available = capacityBytes - this.usageBytes();
    const usagePercent = 100 - Math.floor((available * 100) / capacityBytes);
    if (usagePercent < highThresholdPercent) return [];
    const bytesToFree = Math.floor((capacityBytes * (100 - lowThresholdPercent)) / 100) - available;
    if (bytesToFree <= 0) return [];

    const candidates = this.#sortedImages()
      .filter((image) => !inUse.has(image.id) && image.pinned !== true)
      .map((image) => ({ image, lastUsed: lastUsed(image.id) as number }))
      .sort((a, b) => a.lastUsed - b.lastUsed || compareStrings(a.image.id, b.image.id));
    const removed: string[] = [];
    let bytesFreed = 0;
    for (const { image } of candidates) {
      if (bytesFreed >= bytesToFree) break;
      removed.push(image.id);
      bytesFreed += image.sizeBytes;
    }
    this.#remove(new Set(removed));
    return removed;
  }

  /** Bytes used by all images. */
  usageBytes(): number {
    return this.#usageBytes;
  }

  // -------------------------------------------------------------------------------------------------------------
  // Internals

  /**
   * containerd's `LocalResolve`: the normalised reference among the stored names, else the string as an image ID
   * (digest-set lookup: the full `sha256:<hex>`, or a unique prefix with or without `sha256:`).
   */
  #resolveLocal(refOrId: string): string | undefined {
    if (refOrId === '') return undefined;
    const parsed = dockerRef(refOrId);
    if (parsed.ok) {
      const id = this.#byName.get(parsed.text);
      if (id !== undefined) return id;
    }
    const match = /^(?:sha256:)?([0-9a-f]{1,64})$/.exec(refOrId);
    if (match === null) return undefined;
    const prefix = `sha256:${match[1]}`;
    const hits = [...this.#images.keys()].filter((id) => id.startsWith(prefix)).map((id) => ({ id }));
    if (hits.length > 1) {
      throw new Error(
        `rpc error: code = Unknown desc = can not resolve "${refOrId}" locally: ambiguous digest string`,
      );
    }
    return hits[0]?.id;
  }

  #store(entry: {
    id: string;
    sizeBytes: number;
    repoTag: string | undefined;
    repoDigest: string | undefined;
    pinned?: boolean;
  }): void {
    // A tag names one image: it moves away from whatever image held it before.
    if (entry.repoTag !== undefined) {
      const holder = this.#byName.get(entry.repoTag);
      if (holder !== undefined && holder !== entry.id) {
        const previous = this.#images.get(holder) as MutableImage;
        previous.repoTags = previous.repoTags.filter((tag) => tag !== entry.repoTag);
        this.#changed(holder);
      }
    }
    let image = this.#images.get(entry.id);
    if (image === undefined) {
      image = { id: entry.id, repoTags: [], repoDigests: [], sizeBytes: entry.sizeBytes, pinned: false };
      this.#images.set(entry.id, image);
      this.#usageBytes += entry.sizeBytes;
    }
    if (entry.repoTag !== undefined) {
      image.repoTags = addSorted(image.repoTags, entry.repoTag);
      this.#byName.set(entry.repoTag, entry.id);
    }
    if (entry.repoDigest !== undefined) {
      image.repoDigests = addSorted(image.repoDigests, entry.repoDigest);
      this.#byName.set(entry.repoDigest, entry.id);
    }
    if (entry.pinned === true) image.pinned = true;
    this.#changed(entry.id);
  }

  #remove(ids: ReadonlySet<string>): void {
    for (const id of ids) {
      const image = this.#images.get(id);
      if (image === undefined) continue;
      for (const name of [...image.repoTags, ...image.repoDigests])
        if (this.#byName.get(name) === id) this.#byName.delete(name);
      this.#images.delete(id);
      this.#usageBytes -= image.sizeBytes;
      this.#changed(id);
    }
  }

  #changed(id: string): void {
    this.#snapshots.delete(id);
    this.#sorted = undefined;
  }

  #snapshot(id: string): RuntimeImage | undefined {
    let snapshot = this.#snapshots.get(id);
    if (snapshot === undefined) {
      const image = this.#images.get(id);
      if (image === undefined) return undefined;
      snapshot = Object.freeze({
        id: image.id,
        repoTags: Object.freeze([...image.repoTags]) as string[],
        repoDigests: Object.freeze([...image.repoDigests]) as string[],
        sizeBytes: image.sizeBytes,
        pinned: image.pinned,
      });
      this.#snapshots.set(id, snapshot);
    }
    return snapshot;
  }

  #sortedImages(): readonly RuntimeImage[] {
    if (this.#sorted === undefined) {
      this.#sorted = Object.freeze(
        [...this.#images.keys()].sort(compareStrings).map((id) => this.#snapshot(id) as RuntimeImage),
      );
    }
    return this.#sorted;
  }
}

interface MutableImage {
  readonly id: string;
  repoTags: string[];
  repoDigests: string[];
  readonly sizeBytes: number;
  pinned: boolean;
}

/**
 * containerd's `docker.ParseDockerRef`: normalise a familiar name, add `:latest` when there is neither tag nor
 * digest, and drop the tag when both are given (the digest wins).
 */
function dockerRef(image: string): DockerRef {
  let ref = dockerRefMemo.get(image);
  if (ref === undefined) {
    ref = parseDockerRef(image);
    if (dockerRefMemo.size >= DOCKER_REF_MEMO_LIMIT) dockerRefMemo.clear();
    dockerRefMemo.set(image, ref);
  }
  return ref;
}

type DockerRef = { ok: true; value: NamedReference; readonly text: string } | { ok: false; error: string };

/**
 * Parsed references by their input string, with their normalised text: every sync asks the runtime about the same
 * few image strings. Bounded; the values are never mutated.
 */
const dockerRefMemo = new Map<string, DockerRef>();
const DOCKER_REF_MEMO_LIMIT = 65_536;

function parseDockerRef(image: string): DockerRef {
  const parsed = parseNormalizedNamed(image);
  if (!parsed.ok) return parsed;
  const { domain, path, name, tag, digest } = parsed.value;
  const value: NamedReference =
    digest !== undefined ? { domain, path, name, digest } : { domain, path, name, tag: tag ?? 'latest' };
  return { ok: true, value, text: referenceString(value) };
}

/** CRI credentials for the registry: absent or empty (no username, no password) means anonymous. */
function registryAuth(auth: AuthConfig | undefined): RegistryAuth {
  if (auth === undefined || (auth.username === '' && auth.password === '')) return undefined;
  return { username: auth.username, password: auth.password };
}

function noop(): void {}

function addSorted(list: readonly string[], value: string): string[] {
  return list.includes(value) ? [...list] : [...list, value].sort(compareStrings);
}

function isPercent(value: number): boolean {
  return Number.isInteger(value) && value >= 0 && value <= 100;
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
