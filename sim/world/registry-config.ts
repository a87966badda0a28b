/**
 * A simulated registry's configuration as a scenario declares it (accounts, repositories, tags, rate limits,
 * latency, bandwidth), its defaults, and its validation: an invalid configuration is a programmer error, since the
 * scenario loader checks it first.
 */
import { TICKS_PER_MILLISECOND } from '../../src/time.js';
import { type Ticks, ticks } from '../kernel/time.js';

/** A token bucket: `capacity` pulls at once, refilled continuously at `refillPerHour` pulls per hour. */
export interface TokenBucketConfig {
  readonly capacity: number;
  readonly refillPerHour: number;
}

/** One registry account. */
export interface RegistryUserConfig {
  readonly username: string;
  readonly password: string;
}

/** What a tag points at. */
export interface TagTarget {
  readonly digest: string;
  readonly sizeBytes: number;
}

/** One repository (its name is the path without the host, e.g. `team-a/app` or `library/nginx`). */
export interface RepositoryConfig {
  readonly name: string;
  readonly public: boolean;
  readonly pullers: readonly string[];
  readonly tags: Readonly<Record<string, TagTarget>>;
}

/** The registry of one host, as a scenario declares it. */
export interface RegistryConfig {
  /** `host[:port]`, e.g. `private.example.com`, `docker.io`, `localhost:5000`. */
  readonly host: string;
  readonly users: readonly RegistryUserConfig[];
  readonly repositories: readonly RepositoryConfig[];
  readonly rateLimit?: { readonly perUser?: TokenBucketConfig; readonly anonymous?: TokenBucketConfig };
  /** Per request, uniform in [minTicks, maxTicks] from the registry's stream. Default 20ms–120ms. */
  readonly latency?: { readonly minTicks: Ticks; readonly maxTicks: Ticks };
  /** Transfer rate of manifests and layers. Default 100 MB/s. */
  readonly bandwidthBytesPerSecond?: number;
}

/** Size of a manifest on the wire: what a pull of an image the node already has transfers. */
export const MANIFEST_SIZE_BYTES = 2_048;
/** Default lower bound of the per-request latency. */
export const DEFAULT_LATENCY_MIN_TICKS = ticks(20 * TICKS_PER_MILLISECOND);
/** Default upper bound of the per-request latency. */
export const DEFAULT_LATENCY_MAX_TICKS = ticks(120 * TICKS_PER_MILLISECOND);
/** Default transfer rate, 100 MB/s. */
export const DEFAULT_BANDWIDTH_BYTES_PER_SECOND = 100_000_000;
/** Largest bucket capacity: token levels are kept exactly in 1/TICKS_PER_HOUR units. */
const TOKEN_BUCKET_CAPACITY_MAX = 1_000_000;

const DIGEST_PATTERN = /^sha256:[0-9a-f]{64}$/;

/** Whether `value` has the form `sha256:<64 lower-case hex>`. */
export function isDigest(value: string): boolean {
  return DIGEST_PATTERN.test(value);
}

/**
 * A deterministic image size for a digest that comes without one (4 MiB to 100 MiB, from the digest's first hex
 * digits), so that a retag or an archive load with no size still has a stable, plausible size.
 */
export function sizeBytesFromDigest(digest: string): number {
  const hex = digest.slice(digest.indexOf(':') + 1, digest.indexOf(':') + 9);
  const seed = Number.parseInt(hex, 16);
  const mebibyte = 1_048_576;
  return 4 * mebibyte + ((Number.isNaN(seed) ? 0 : seed) % (96 * mebibyte));
}

/** Throws a RangeError naming the host and the first thing wrong with `config`. */
export function validateConfig(config: RegistryConfig): void {
  const fail = (what: string): never => {
    throw new RangeError(`registry ${JSON.stringify(config.host)}: ${what}`);
  };
  if (config.host === '') fail('empty host');
  validateAccounts(config, fail);
  validateRepositories(config, fail);
  validateRateLimits(config, fail);
  if (config.latency !== undefined) {
    const { minTicks, maxTicks } = config.latency;
    if (
      !Number.isSafeInteger(minTicks) ||
      !Number.isSafeInteger(maxTicks) ||
      minTicks < 0 ||
      minTicks > maxTicks
    ) {
      fail('latency must satisfy 0 <= minTicks <= maxTicks');
    }
  }
  const bandwidth = config.bandwidthBytesPerSecond;
  if (bandwidth !== undefined && (!Number.isFinite(bandwidth) || bandwidth <= 0)) {
    fail('bandwidthBytesPerSecond must be positive');
  }
}

type Fail = (what: string) => never;

function validateAccounts(config: RegistryConfig, fail: Fail): void {
  const usernames = new Set<string>();
  for (const user of config.users) {
    if (user.username === '') fail('empty username');
    if (usernames.has(user.username)) fail(`duplicate user ${JSON.stringify(user.username)}`);
    usernames.add(user.username);
  }
}

function validateRepositories(config: RegistryConfig, fail: Fail): void {
  const names = new Set<string>();
  for (const repo of config.repositories) {
    if (repo.name === '') fail('empty repository name');
    if (names.has(repo.name)) fail(`duplicate repository ${JSON.stringify(repo.name)}`);
    names.add(repo.name);
    for (const [tag, target] of Object.entries(repo.tags)) {
      const where = `repository ${repo.name} tag ${JSON.stringify(tag)}`;
      if (tag === '' || tag.includes(':')) fail(`${where}: invalid tag`);
      if (!isDigest(target.digest))
        fail(`${where}: digest must be sha256:<64 hex>, got ${JSON.stringify(target.digest)}`);
      if (!Number.isSafeInteger(target.sizeBytes) || target.sizeBytes < 0)
        fail(`${where}: invalid sizeBytes`);
    }
  }
}

function validateRateLimits(config: RegistryConfig, fail: Fail): void {
  for (const [name, bucket] of [
    ['perUser', config.rateLimit?.perUser],
    ['anonymous', config.rateLimit?.anonymous],
  ] as const) {
    if (bucket === undefined) continue;
    if (
      !Number.isSafeInteger(bucket.capacity) ||
      bucket.capacity < 0 ||
      bucket.capacity > TOKEN_BUCKET_CAPACITY_MAX
    ) {
      fail(`rateLimit.${name}.capacity must be an integer from 0 to ${TOKEN_BUCKET_CAPACITY_MAX}`);
    }
    if (!Number.isFinite(bucket.refillPerHour) || bucket.refillPerHour < 0) {
      fail(`rateLimit.${name}.refillPerHour must be a non-negative number`);
    }
  }
}
