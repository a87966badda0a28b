/**
 * A registry's rate limits: one token bucket per user and one shared by anonymous requests, refilled for the
 * virtual time elapsed since their last use. A request that passes authorization takes one token whatever the
 * manifest lookup then answers, as Docker Hub counts manifest requests.
 */
import { TICKS_PER_HOUR } from '../../src/time.js';
import type { TokenBucketConfig } from './registry-config.js';

interface TokenBucket {
  /** Tokens × TICKS_PER_HOUR, so that a refill of `refillPerHour` per tick is exact for integer rates. */
  level: number;
  lastRefill: number;
}

/** The buckets of one registry, created full on first use. */
export class RateLimits {
  readonly #perUser: TokenBucketConfig | undefined;
  readonly #anonymous: TokenBucketConfig | undefined;
  readonly #userBuckets = new Map<string, TokenBucket>();
  #anonymousBucket: TokenBucket | undefined;

  constructor(limits: { readonly perUser?: TokenBucketConfig; readonly anonymous?: TokenBucketConfig } = {}) {
    this.#perUser = limits.perUser;
    this.#anonymous = limits.anonymous;
  }

  /** Takes one token from the bucket of `username` (undefined: anonymous); false when it is empty. */
  take(username: string | undefined, now: number): boolean {
    if (username === undefined) {
      if (this.#anonymous === undefined) return true;
      this.#anonymousBucket ??= fullBucket(this.#anonymous);
      return takeToken(this.#anonymousBucket, this.#anonymous, now);
    }
    if (this.#perUser === undefined) return true;
    let bucket = this.#userBuckets.get(username);
    if (bucket === undefined) {
      bucket = fullBucket(this.#perUser);
      this.#userBuckets.set(username, bucket);
    }
    return takeToken(bucket, this.#perUser, now);
  }
}

function fullBucket(config: TokenBucketConfig): TokenBucket {
  return { level: config.capacity * TICKS_PER_HOUR, lastRefill: -1 };
}

/** Refills the bucket for the virtual time elapsed since its last use, then takes one token if there is one. */
function takeToken(bucket: TokenBucket, config: TokenBucketConfig, now: number): boolean {
  const full = config.capacity * TICKS_PER_HOUR;
  if (bucket.lastRefill >= 0 && now > bucket.lastRefill && config.refillPerHour > 0) {
    const elapsed = now - bucket.lastRefill;
    const deficit = full - bucket.level;
    // Compare before multiplying so that a long quiet period cannot overflow exact integer arithmetic.
    bucket.level =
      elapsed >= Math.ceil(deficit / config.refillPerHour)
        ? full
        : bucket.level + elapsed * config.refillPerHour;
  }
  if (now > bucket.lastRefill) bucket.lastRefill = now;
  if (bucket.level < TICKS_PER_HOUR) return false;
  bucket.level -= TICKS_PER_HOUR;
  return true;
}
