/**
 * One simulated container registry (one host), with real authorization: accounts with passwords, repositories
 * that are public or restricted to a list of pullers, tags that point at digests, outages, per-user and anonymous
 * rate limits, and latency drawn from the registry's own seeded stream.
 *
 * Authorization follows what Docker Distribution and Docker Hub answer, in this order:
 *
 * 1. The registry is down: `unavailable` (the client cannot even connect).
 * 2. A credential is given and it is wrong (unknown username, wrong password, rejected service-account token):
 *    `unauthorized` (401), **even for a public repository** — a registry's token server rejects bad credentials
 *    before it looks at the scope, so `docker login` with a stale password breaks pulls of public images too.
 * 3. The repository does not exist: `unauthorized` (401) for an anonymous request, because the registry may not
 *    reveal which private repositories exist ("repository does not exist or may require authorization"), and
 *    `notFound` (404) for an authenticated one.
 * 4. A private repository: anonymous ⇒ `unauthorized` (401); an authenticated user who is not a puller ⇒
 *    `forbidden` (403). A public repository admits anyone.
 * 5. The rate limit (token bucket of the user, or the one shared anonymous bucket): empty ⇒ `rateLimited` (429).
 *    A request that passes authorization takes one token whatever the manifest lookup then answers, as Docker
 *    Hub counts manifest requests.
 * 6. The tag or digest is unknown in the repository: `notFound` (404). A digest stays pullable after its tag
 *    moved (registries keep untagged manifests), so a repository remembers every manifest it ever held.
 *
 * A credential with an empty username and an empty password is anonymous (an empty docker auth entry).
 *
 * The declarative state (accounts, repositories, down flag) is produced by immer, one `produce` per mutation, and
 * holds only a salted SHA-256 of each password so that tracing or diffing it can never leak a secret. Counters and
 * token buckets live outside immer: they change on every request.
 */
import { createHash } from 'node:crypto';
import { type Draft, freeze, produce } from 'immer';
import { TICKS_PER_HOUR, TICKS_PER_MILLISECOND, TICKS_PER_SECOND } from '../../src/time.js';
import type { RandomStream } from '../kernel/random.js';
import { type Ticks, ticks } from '../kernel/time.js';

// ---------------------------------------------------------------------------------------------------------------
// Configuration and answers

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

/** The failures a registry can answer a pull with. */
export type PullFailureStatus = 'unauthorized' | 'forbidden' | 'notFound' | 'rateLimited' | 'unavailable';

/** The registry's answer to one pull; `latency` includes the transfer time of `bytes`. */
export type PullAnswer =
  | {
      readonly status: 'ok';
      readonly digest: string;
      readonly sizeBytes: number;
      readonly latency: Ticks;
      readonly bytes: number;
    }
  | { readonly status: PullFailureStatus; readonly latency: Ticks; readonly message: string };

/** Registry credentials for one request; undefined means anonymous. */
export type RegistryAuth = { readonly username: string; readonly password: string } | undefined;

/** The per-request counters (the run's `totals.registry`). */
export interface RegistryCounters {
  /** Every `pull` call. */
  readonly requests: number;
  /** Successful pulls. */
  readonly pulls: number;
  /** 401 and 403 answers. */
  readonly authFailures: number;
  readonly unavailable: number;
  readonly rateLimited: number;
  readonly notFound: number;
  /** Bytes transferred by successful pulls. */
  readonly bytes: number;
}

// ---------------------------------------------------------------------------------------------------------------
// Declarative state (immer)

/** An account; the password is kept only as a salted hash. */
export interface RegistryUserState {
  readonly username: string;
  readonly passwordSha256: string;
}

/** A tag and the manifest it points at. */
export interface RepositoryTagState {
  readonly tag: string;
  readonly digest: string;
  readonly sizeBytes: number;
}

/** A manifest the repository holds (tagged or not). */
export interface ManifestState {
  readonly digest: string;
  readonly sizeBytes: number;
}

/** One repository after mutations; every list is sorted. */
export interface RepositoryState {
  readonly name: string;
  readonly public: boolean;
  readonly pullers: readonly string[];
  readonly tags: readonly RepositoryTagState[];
  /** Every manifest ever pushed here; pulls by digest find untagged ones too. */
  readonly manifests: readonly ManifestState[];
}

/** The registry's declarative configuration after mutations (deeply frozen; lists sorted). */
export interface RegistryState {
  readonly host: string;
  readonly down: boolean;
  readonly users: readonly RegistryUserState[];
  readonly repositories: readonly RepositoryState[];
}

// ---------------------------------------------------------------------------------------------------------------
// Constants

/** Size of a manifest on the wire: what a pull of an image the node already has transfers. */
export const MANIFEST_SIZE_BYTES = 2_048;
/** Default lower bound of the per-request latency. */
export const DEFAULT_LATENCY_MIN_TICKS = ticks(20 * TICKS_PER_MILLISECOND);
/** Default upper bound of the per-request latency. */
export const DEFAULT_LATENCY_MAX_TICKS = ticks(120 * TICKS_PER_MILLISECOND);
/** Default transfer rate, 100 MB/s. */
export const DEFAULT_BANDWIDTH_BYTES_PER_SECOND = 100_000_000;
/** Username prefix of Kubernetes service-account tokens (KEP-4412 credential providers). */
export const SERVICE_ACCOUNT_USERNAME_PREFIX = 'system:serviceaccount:';
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

// ---------------------------------------------------------------------------------------------------------------
// The registry

interface RepositoryIndex {
  readonly state: RepositoryState;
  readonly pullers: ReadonlySet<string>;
  readonly tags: ReadonlyMap<string, TagTarget>;
  readonly manifests: ReadonlyMap<string, number>;
}

interface TokenBucket {
  /** Tokens × TICKS_PER_HOUR, so that a refill of `refillPerHour` per tick is exact for integer rates. */
  level: number;
  lastRefill: number;
}

type MutableCounters = { -readonly [K in keyof RegistryCounters]: RegistryCounters[K] };

/**
 * A container registry for one host. `pull` is the only call that counts, consumes rate-limit tokens and draws
 * latency; every other query is free of side effects.
 *
 * @example
 * const registry = new SimRegistry(config, { latencyStream: random.stream('registry-latency/private.example.com') });
 * const answer = registry.pull('team-a/app', 'v1', { username: 'team-a', password: 's3cret-a' }, now);
 */
export class SimRegistry {
  /** The `host[:port]` this registry serves. */
  readonly host: string;
  readonly #latencyStream: RandomStream;
  readonly #tokenValidator: ((username: string, password: string) => boolean) | undefined;
  readonly #perUserLimit: TokenBucketConfig | undefined;
  readonly #anonymousLimit: TokenBucketConfig | undefined;
  readonly #latencyMinTicks: number;
  readonly #latencyMaxTicks: number;
  readonly #bandwidthBytesPerSecond: number;

  #state: RegistryState;
  #users = new Map<string, string>();
  #repositories = new Map<string, RepositoryIndex>();
  readonly #userBuckets = new Map<string, TokenBucket>();
  #anonymousBucket: TokenBucket | undefined;
  readonly #counters: MutableCounters = {
    requests: 0,
    pulls: 0,
    authFailures: 0,
    unavailable: 0,
    rateLimited: 0,
    notFound: 0,
    bytes: 0,
  };

  /** Builds the registry from its configuration; an invalid configuration is a programmer error (throws). */
  constructor(
    config: RegistryConfig,
    options: {
      latencyStream: RandomStream;
      tokenValidator?: (username: string, password: string) => boolean;
    },
  ) {
    validateConfig(config);
    this.host = config.host;
    this.#latencyStream = options.latencyStream;
    this.#tokenValidator = options.tokenValidator;
    this.#perUserLimit = config.rateLimit?.perUser;
    this.#anonymousLimit = config.rateLimit?.anonymous;
    this.#latencyMinTicks = config.latency?.minTicks ?? DEFAULT_LATENCY_MIN_TICKS;
    this.#latencyMaxTicks = config.latency?.maxTicks ?? DEFAULT_LATENCY_MAX_TICKS;
    this.#bandwidthBytesPerSecond = config.bandwidthBytesPerSecond ?? DEFAULT_BANDWIDTH_BYTES_PER_SECOND;
    this.#state = freeze(initialState(config), true);
    this.#reindex();
  }

  /** The declarative configuration after mutations (immer-frozen). */
  get state(): RegistryState {
    return this.#state;
  }

  /** Whether the registry is in an outage. */
  get isDown(): boolean {
    return this.#state.down;
  }

  /** A snapshot of the request counters. */
  get counters(): Readonly<RegistryCounters> {
    return { ...this.#counters };
  }

  /**
   * One pull: manifest resolution plus the blobs the node lacks. `reference` is a tag or a digest; `auth`
   * undefined means anonymous; with `nodeHasDigest` only the manifest is transferred.
   */
  pull(
    repository: string,
    reference: string,
    auth: RegistryAuth,
    now: Ticks,
    options: { nodeHasDigest?: boolean } = {},
  ): PullAnswer {
    const { nodeHasDigest = false } = options;
    const counters = this.#counters;
    counters.requests++;
    const requestTicks = this.#latencyStream.int(this.#latencyMinTicks, this.#latencyMaxTicks);
    const latency = ticks(requestTicks);
    if (this.#state.down) {
      counters.unavailable++;
      return { status: 'unavailable', latency, message: this.#message('unavailable', repository, reference) };
    }

    const decision = this.#authorize(repository, auth);
    if (decision.kind !== 'allowed') {
      if (decision.kind === 'notFound') counters.notFound++;
      else counters.authFailures++;
      const badCredentials = decision.kind === 'unauthorized' && decision.badCredentials;
      return {
        status: decision.kind,
        latency,
        message: this.#message(decision.kind, repository, reference, badCredentials),
      };
    }

    const bucket = this.#bucketFor(decision.username);
    if (bucket !== undefined && !takeToken(bucket.bucket, bucket.config, now)) {
      counters.rateLimited++;
      return { status: 'rateLimited', latency, message: this.#message('rateLimited', repository, reference) };
    }

    const target = resolveIn(decision.repository, reference);
    if (target === undefined) {
      counters.notFound++;
      return { status: 'notFound', latency, message: this.#message('notFound', repository, reference) };
    }

    const bytes = nodeHasDigest ? MANIFEST_SIZE_BYTES : MANIFEST_SIZE_BYTES + target.sizeBytes;
    counters.pulls++;
    counters.bytes += bytes;
    return {
      status: 'ok',
      digest: target.digest,
      sizeBytes: target.sizeBytes,
      latency: ticks(requestTicks + this.#transferTicks(bytes)),
      bytes,
    };
  }

  /**
   * Ground truth for the violation oracle: would the registry accept this credential for a pull of `repository`
   * right now? Same authentication and authorization as `pull`, ignoring outages, rate limits and tags; no side
   * effects, no counters, no latency draw. A wrong password is refused even for a public repository.
   */
  wouldAuthorize(repository: string, auth: RegistryAuth): boolean {
    return this.#authorize(repository, auth).kind === 'allowed';
  }

  /** Whether the repository exists and is public. */
  isPublic(repository: string): boolean {
    return this.#repositories.get(repository)?.state.public ?? false;
  }

  /** Whether the repository exists. */
  hasRepository(repository: string): boolean {
    return this.#repositories.has(repository);
  }

  /** What a tag points at now, without side effects. */
  resolveTag(repository: string, tag: string): TagTarget | undefined {
    return this.#repositories.get(repository)?.tags.get(tag);
  }

  /** What a tag or digest resolves to now, without side effects (for preloaded images and the runtime). */
  resolve(repository: string, reference: string): TagTarget | undefined {
    const index = this.#repositories.get(repository);
    return index === undefined ? undefined : resolveIn(index, reference);
  }

  // -------------------------------------------------------------------------------------------------------------
  // Mutations (timeline actions)

  /** Starts an outage: every pull answers `unavailable`. */
  down(): void {
    this.#mutate((draft) => {
      draft.down = true;
    });
  }

  /** Ends an outage. */
  up(): void {
    this.#mutate((draft) => {
      draft.down = false;
    });
  }

  /** Removes a user from a repository's pullers (no-op when absent); the repository must exist. */
  revokePuller(repository: string, username: string): void {
    const position = this.#repositoryPosition(repository, 'revokePuller');
    this.#mutate((draft) => {
      const repo = draft.repositories[position] as Draft<RepositoryState>;
      repo.pullers = repo.pullers.filter((puller) => puller !== username);
    });
  }

  /** Adds a user to a repository's pullers (no-op when present); the repository must exist. */
  grantPuller(repository: string, username: string): void {
    const position = this.#repositoryPosition(repository, 'grantPuller');
    if (this.#repositories.get(repository)?.pullers.has(username)) return;
    this.#mutate((draft) => {
      const repo = draft.repositories[position] as Draft<RepositoryState>;
      repo.pullers = [...repo.pullers, username].sort(compareStrings);
    });
  }

  /** Sets a new password for an existing account; the old one stops working at once. */
  changePassword(username: string, password: string): void {
    const position = this.#state.users.findIndex((user) => user.username === username);
    if (position === -1)
      throw new RangeError(`registry ${this.host}: changePassword: no user ${JSON.stringify(username)}`);
    this.#mutate((draft) => {
      const user = draft.users[position] as Draft<RegistryUserState>;
      user.passwordSha256 = passwordHash(this.host, username, password);
    });
  }

  /**
   * Points a tag at a digest (a push). The size defaults to the size this registry already knows for the digest,
   * else one derived from the digest. The old manifest stays pullable by digest.
   */
  retag(repository: string, tag: string, digest: string, sizeBytes?: number): void {
    const position = this.#repositoryPosition(repository, 'retag');
    if (!isDigest(digest))
      throw new RangeError(`registry ${this.host}: retag: invalid digest ${JSON.stringify(digest)}`);
    if (tag === '') throw new RangeError(`registry ${this.host}: retag: empty tag`);
    const size = sizeBytes ?? this.#knownSize(digest) ?? sizeBytesFromDigest(digest);
    if (!Number.isSafeInteger(size) || size < 0) {
      throw new RangeError(`registry ${this.host}: retag: invalid sizeBytes ${size}`);
    }
    this.#mutate((draft) => {
      const repo = draft.repositories[position] as Draft<RepositoryState>;
      repo.tags = [...repo.tags.filter((entry) => entry.tag !== tag), { tag, digest, sizeBytes: size }].sort(
        (a, b) => compareStrings(a.tag, b.tag),
      );
      const manifest = repo.manifests.find((entry) => entry.digest === digest);
      if (manifest === undefined) {
        repo.manifests = [...repo.manifests, { digest, sizeBytes: size }].sort((a, b) =>
          compareStrings(a.digest, b.digest),
        );
      } else {
        manifest.sizeBytes = size;
      }
    });
  }

  // -------------------------------------------------------------------------------------------------------------
  // Internals

  #mutate(recipe: (draft: Draft<RegistryState>) => void): void {
    this.#state = produce(this.#state, recipe);
    this.#reindex();
  }

  #reindex(): void {
    this.#users = new Map(this.#state.users.map((user) => [user.username, user.passwordSha256]));
    this.#repositories = new Map(
      this.#state.repositories.map((repo) => [
        repo.name,
        {
          state: repo,
          pullers: new Set(repo.pullers),
          tags: new Map(
            repo.tags.map((entry) => [entry.tag, { digest: entry.digest, sizeBytes: entry.sizeBytes }]),
          ),
          manifests: new Map(repo.manifests.map((entry) => [entry.digest, entry.sizeBytes])),
        },
      ]),
    );
  }

  #repositoryPosition(repository: string, action: string): number {
    const position = this.#state.repositories.findIndex((repo) => repo.name === repository);
    if (position === -1) {
      throw new RangeError(`registry ${this.host}: ${action}: no repository ${JSON.stringify(repository)}`);
    }
    return position;
  }

  #knownSize(digest: string): number | undefined {
    for (const repo of this.#state.repositories) {
      const size = repo.manifests.find((entry) => entry.digest === digest)?.sizeBytes;
      if (size !== undefined) return size;
    }
    return undefined;
  }

  /** Authentication, then repository existence, then authorization (steps 2–4 of the module comment). */
  #authorize(repository: string, auth: RegistryAuth): Decision {
    const username =
      auth === undefined || (auth.username === '' && auth.password === '') ? undefined : auth.username;
    if (auth !== undefined && username !== undefined && !this.#authenticate(username, auth.password)) {
      return { kind: 'unauthorized', badCredentials: true };
    }
    const repo = this.#repositories.get(repository);
    if (repo === undefined) {
      return username === undefined ? { kind: 'unauthorized', badCredentials: false } : { kind: 'notFound' };
    }
    if (repo.state.public) return { kind: 'allowed', repository: repo, username };
    if (username === undefined) return { kind: 'unauthorized', badCredentials: false };
    if (!repo.pullers.has(username)) return { kind: 'forbidden' };
    return { kind: 'allowed', repository: repo, username };
  }

  #authenticate(username: string, password: string): boolean {
    if (username.startsWith(SERVICE_ACCOUNT_USERNAME_PREFIX) && this.#tokenValidator !== undefined) {
      return this.#tokenValidator(username, password);
    }
    const stored = this.#users.get(username);
    return stored !== undefined && stored === passwordHash(this.host, username, password);
  }

  #bucketFor(username: string | undefined): { bucket: TokenBucket; config: TokenBucketConfig } | undefined {
    if (username === undefined) {
      if (this.#anonymousLimit === undefined) return undefined;
      this.#anonymousBucket ??= fullBucket(this.#anonymousLimit);
      return { bucket: this.#anonymousBucket, config: this.#anonymousLimit };
    }
    if (this.#perUserLimit === undefined) return undefined;
    let bucket = this.#userBuckets.get(username);
    if (bucket === undefined) {
      bucket = fullBucket(this.#perUserLimit);
      this.#userBuckets.set(username, bucket);
    }
    return { bucket, config: this.#perUserLimit };
  }

  /** Transfer time, rounded up to whole ticks, computed without overflowing exact integers. */
  #transferTicks(bytes: number): number {
    const rate = this.#bandwidthBytesPerSecond;
    const wholeSeconds = Math.floor(bytes / rate);
    const rest = bytes - wholeSeconds * rate;
    return wholeSeconds * TICKS_PER_SECOND + Math.ceil((rest * TICKS_PER_SECOND) / rate);
  }

  /** Registry error texts as containerd reports them; they never contain a credential. */
  #message(status: PullFailureStatus, repository: string, reference: string, badCredentials = false): string {
    const separator = reference.includes(':') ? '@' : ':';
    const manifestUrl = `https://${this.host}/v2/${repository}/manifests/${reference}`;
    switch (status) {
      case 'unauthorized':
        if (badCredentials) {
          return (
            `failed to authorize: failed to fetch oauth token: unexpected status from GET request to ` +
            `https://${this.host}/token?scope=repository%3A${encodeURIComponent(repository)}%3Apull` +
            `&service=${this.host}: 401 Unauthorized`
          );
        }
        return (
          'pull access denied, repository does not exist or may require authorization: ' +
          'server message: insufficient_scope: authorization failed'
        );
      case 'forbidden':
        return `unexpected status from HEAD request to ${manifestUrl}: 403 Forbidden`;
      case 'notFound':
        return `${this.host}/${repository}${separator}${reference}: not found`;
      case 'rateLimited':
        return (
          `unexpected status from HEAD request to ${manifestUrl}: 429 Too Many Requests - Server message: ` +
          'toomanyrequests: You have reached your pull rate limit.'
        );
      case 'unavailable':
        return `dial tcp: lookup ${this.host}: connection refused`;
    }
  }
}

type Decision =
  | { readonly kind: 'allowed'; readonly repository: RepositoryIndex; readonly username: string | undefined }
  | { readonly kind: 'unauthorized'; readonly badCredentials: boolean }
  | { readonly kind: 'forbidden' }
  | { readonly kind: 'notFound' };

function resolveIn(repository: RepositoryIndex, reference: string): TagTarget | undefined {
  if (reference.includes(':')) {
    const sizeBytes = repository.manifests.get(reference);
    return sizeBytes === undefined ? undefined : { digest: reference, sizeBytes };
  }
  return repository.tags.get(reference);
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

function passwordHash(host: string, username: string, password: string): string {
  return createHash('sha256').update(`pullsim-registry\0${host}\0${username}\0${password}`).digest('hex');
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function initialState(config: RegistryConfig): RegistryState {
  return {
    host: config.host,
    down: false,
    users: config.users
      .map((user) => ({
        username: user.username,
        passwordSha256: passwordHash(config.host, user.username, user.password),
      }))
      .sort((a, b) => compareStrings(a.username, b.username)),
    repositories: config.repositories
      .map((repo) => {
        const tags = Object.entries(repo.tags)
          .map(([tag, target]) => ({ tag, digest: target.digest, sizeBytes: target.sizeBytes }))
          .sort((a, b) => compareStrings(a.tag, b.tag));
        const manifests = new Map<string, number>();
        for (const entry of tags)
          if (!manifests.has(entry.digest)) manifests.set(entry.digest, entry.sizeBytes);
        return {
          name: repo.name,
          public: repo.public,
          pullers: [...new Set(repo.pullers)].sort(compareStrings),
          tags,
          manifests: [...manifests]
            .map(([digest, sizeBytes]) => ({ digest, sizeBytes }))
            .sort((a, b) => compareStrings(a.digest, b.digest)),
        };
      })
      .sort((a, b) => compareStrings(a.name, b.name)),
  };
}

function validateConfig(config: RegistryConfig): void {
  const fail = (what: string): never => {
    throw new RangeError(`registry ${JSON.stringify(config.host)}: ${what}`);
  };
  if (config.host === '') fail('empty host');
  const usernames = new Set<string>();
  for (const user of config.users) {
    if (user.username === '') fail('empty username');
    if (usernames.has(user.username)) fail(`duplicate user ${JSON.stringify(user.username)}`);
    usernames.add(user.username);
  }
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
