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
 *
 * This module answers pulls; the configuration and its validation are in registry-config.ts, the state and its
 * mutations in registry-store.ts, authentication and authorization (with the refusal texts) in
 * registry-authorization.ts, and the token buckets in registry-rate-limits.ts. Their public names are re-exported
 * here.
 */
import { TICKS_PER_SECOND } from '../../src/time.js';
import type { RandomStream } from '../kernel/random.js';
import { type Ticks, ticks } from '../kernel/time.js';
import {
  authorize,
  failureMessage,
  type PullFailureStatus,
  type RegistryAuth,
  type TokenValidator,
} from './registry-authorization.js';
import {
  DEFAULT_BANDWIDTH_BYTES_PER_SECOND,
  DEFAULT_LATENCY_MAX_TICKS,
  DEFAULT_LATENCY_MIN_TICKS,
  MANIFEST_SIZE_BYTES,
  type RegistryConfig,
  type TagTarget,
  validateConfig,
} from './registry-config.js';
import { RateLimits } from './registry-rate-limits.js';
import { type RegistryState, RegistryStore, resolveIn } from './registry-store.js';

export type {
  PullFailureStatus,
  RegistryAuth,
} from './registry-authorization.js';
export {
  DEFAULT_LATENCY_MAX_TICKS,
  DEFAULT_LATENCY_MIN_TICKS,
  isDigest,
  MANIFEST_SIZE_BYTES,
  type RegistryConfig,
  sizeBytesFromDigest,
  type TagTarget,
} from './registry-config.js';
export type { RegistryState } from './registry-store.js';

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

type MutableCounters = { -readonly [K in keyof RegistryCounters]: RegistryCounters[K] };

function zeroCounters(): MutableCounters {
  return { requests: 0, pulls: 0, authFailures: 0, unavailable: 0, rateLimited: 0, notFound: 0, bytes: 0 };
}

/** The counters of several registries added up (a run's `totals.registry`). */
export function sumRegistryCounters(
  registries: Iterable<{ readonly counters: RegistryCounters }>,
): RegistryCounters {
  const sum = zeroCounters();
  const names = Object.keys(sum) as (keyof RegistryCounters)[];
  for (const registry of registries) for (const name of names) sum[name] += registry.counters[name];
  return sum;
}

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
  readonly #tokenValidator: TokenValidator | undefined;
  readonly #latencyMinTicks: number;
  readonly #latencyMaxTicks: number;
  readonly #bandwidthBytesPerSecond: number;
  readonly #store: RegistryStore;
  readonly #rateLimits: RateLimits;
  readonly #counters = zeroCounters();

  /** Builds the registry from its configuration; an invalid configuration is a programmer error (throws). */
  constructor(
    config: RegistryConfig,
    options: {
      latencyStream: RandomStream;
      tokenValidator?: TokenValidator;
    },
  ) {
    validateConfig(config);
    this.host = config.host;
    this.#latencyStream = options.latencyStream;
    this.#tokenValidator = options.tokenValidator;
    this.#rateLimits = new RateLimits(config.rateLimit);
    this.#latencyMinTicks = config.latency?.minTicks ?? DEFAULT_LATENCY_MIN_TICKS;
    this.#latencyMaxTicks = config.latency?.maxTicks ?? DEFAULT_LATENCY_MAX_TICKS;
    this.#bandwidthBytesPerSecond = config.bandwidthBytesPerSecond ?? DEFAULT_BANDWIDTH_BYTES_PER_SECOND;
    this.#store = new RegistryStore(config);
  }

  /** The declarative configuration after mutations (immer-frozen). */
  get state(): RegistryState {
    return this.#store.state;
  }

  /** Whether the registry is in an outage. */
  get isDown(): boolean {
    return this.#store.state.down;
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
    if (this.#store.state.down) {
      counters.unavailable++;
      return { status: 'unavailable', latency, message: this.#message('unavailable', repository, reference) };
    }

    const decision = authorize(this.#store, repository, auth, this.#tokenValidator);
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

    if (!this.#rateLimits.take(decision.username, now)) {
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
    return authorize(this.#store, repository, auth, this.#tokenValidator).kind === 'allowed';
  }

  /** Whether the repository exists and is public. */
  isPublic(repository: string): boolean {
    return this.#store.repository(repository)?.state.public ?? false;
  }

  /** Whether the repository exists. */
  hasRepository(repository: string): boolean {
    return this.#store.repository(repository) !== undefined;
  }

  /** What a tag points at now, without side effects. */
  resolveTag(repository: string, tag: string): TagTarget | undefined {
    return this.#store.repository(repository)?.tags.get(tag);
  }

  /** What a tag or digest resolves to now, without side effects (for preloaded images and the runtime). */
  resolve(repository: string, reference: string): TagTarget | undefined {
    const index = this.#store.repository(repository);
    return index === undefined ? undefined : resolveIn(index, reference);
  }

  // -------------------------------------------------------------------------------------------------------------
  // Mutations (timeline actions)

  /** Starts an outage: every pull answers `unavailable`. */
  down(): void {
    this.#store.setDown(true);
  }

  /** Ends an outage. */
  up(): void {
    this.#store.setDown(false);
  }

  /** Removes a user from a repository's pullers (no-op when absent); the repository must exist. */
  revokePuller(repository: string, username: string): void {
    this.#store.revokePuller(repository, username);
  }

  /** Adds a user to a repository's pullers (no-op when present); the repository must exist. */
  grantPuller(repository: string, username: string): void {
    this.#store.grantPuller(repository, username);
  }

  /** Sets a new password for an existing account; the old one stops working at once. */
  changePassword(username: string, password: string): void {
    this.#store.changePassword(username, password);
  }

  /**
   * Points a tag at a digest (a push). The size defaults to the size this registry already knows for the digest,
   * else one derived from the digest. The old manifest stays pullable by digest.
   */
  retag(repository: string, tag: string, digest: string, sizeBytes?: number): void {
    this.#store.retag(repository, tag, digest, sizeBytes);
  }

  /** Transfer time, rounded up to whole ticks, computed without overflowing exact integers. */
  #transferTicks(bytes: number): number {
    const rate = this.#bandwidthBytesPerSecond;
    const wholeSeconds = Math.floor(bytes / rate);
    const rest = bytes - wholeSeconds * rate;
    return wholeSeconds * TICKS_PER_SECOND + Math.ceil((rest * TICKS_PER_SECOND) / rate);
  }

  #message(status: PullFailureStatus, repository: string, reference: string, badCredentials = false): string {
    return failureMessage(this.host, status, repository, reference, badCredentials);
  }
}
