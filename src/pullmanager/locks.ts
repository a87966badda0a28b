/**
 * The kubelet's striped locks (`pkg/kubelet/images/pullmanager/locks.go`), reduced to what a single-threaded model
 * can observe: which stripe a key maps to, and the out-of-range panic of kubernetes/kubernetes#138935. The model
 * runs one step at a time, so no mutual exclusion is needed; the stripe index still decides whether the kubelet
 * of the affected release panics.
 */

/** Largest number of stripes the kubelet allocates. */
export const MAX_LOCK_STRIPES = 31;

/** How many keys a lock set remembers the stripe of. */
export const STRIPE_MEMO_SIZE = 4096;

/** FNV-1 (not FNV-1a) 32-bit hash of the key's UTF-8 bytes, as Go's `hash/fnv.New32`. */
export function fnv1Hash32(key: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    const code = key.charCodeAt(i);
    // Image names and refs are ASCII: their UTF-16 units are their UTF-8 bytes. Anything else takes the byte path.
    if (code > 0x7f) return fnv1Hash32Bytes(key);
    hash = Math.imul(hash, 0x01000193) >>> 0;
    hash = (hash ^ code) >>> 0;
  }
  return hash >>> 0;
}

function fnv1Hash32Bytes(key: string): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(key, 'utf8')) {
    hash = Math.imul(hash, 0x01000193) >>> 0;
    hash = (hash ^ byte) >>> 0;
  }
  return hash >>> 0;
}

/** The kubelet process died from a Go panic; the driver restarts it. Not a programmer error of pullsim. */
export class KubeletPanic extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KubeletPanic';
  }
}

/** A striped lock set of `requestedSize` stripes (clamped to 1..31). */
export class StripedLockSet {
  readonly stripes: number;
  readonly #modulus: number;

  /**
   * @param requestedSize the kubelet passes `maxParallelImagePulls`.
   * @param panicOnOverflow reproduce #138935: the stripe index used the unclamped size, so with more than 31
   *   stripes some keys index past the slice and the kubelet panics (1.35 before #138937).
   */
  constructor(requestedSize: number, panicOnOverflow = false) {
    this.stripes = Math.min(MAX_LOCK_STRIPES, Math.max(1, requestedSize));
    this.#modulus = panicOnOverflow ? Math.max(1, requestedSize) : this.stripes;
  }

  /**
   * Stripes already computed, by key: every decision locks its image and its imageRef, and hashing a 71-character
   * digest was a quarter of a warm-hit decision. Bounded: emptied when it reaches `STRIPE_MEMO_SIZE` keys.
   */
  readonly #memo = new Map<string, number>();

  /** The stripe `key` locks; throws KubeletPanic where the kubelet would index out of range. */
  stripeOf(key: string): number {
    const known = this.#memo.get(key);
    if (known !== undefined) return known;
    const index = fnv1Hash32(key) % this.#modulus;
    if (index >= this.stripes) {
      throw new KubeletPanic(
        `runtime error: index out of range [${index}] with length ${this.stripes} (StripedLockSet.Lock, kubernetes/kubernetes#138935)`,
      );
    }
    if (this.#memo.size >= STRIPE_MEMO_SIZE) this.#memo.clear();
    this.#memo.set(key, index);
    return index;
  }

  /** Locking a key: in the model only the panic check is observable. */
  lock(key: string): void {
    this.stripeOf(key);
  }
}
