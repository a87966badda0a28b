/**
 * A registry's declarative state, its tag store: accounts, repositories with their pullers, tags and every manifest
 * ever pushed, and the outage flag. It is produced by immer, one `produce` per mutation, and holds only a salted
 * SHA-256 of each password so that tracing or diffing it can never leak a secret. An index by name is rebuilt after
 * each mutation for the per-request look-ups.
 */
import { createHash } from 'node:crypto';
import { type Draft, freeze, produce } from 'immer';
import { isDigest, type RegistryConfig, sizeBytesFromDigest, type TagTarget } from './registry-config.js';

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

/** One repository indexed for look-ups. */
export interface RepositoryIndex {
  readonly state: RepositoryState;
  readonly pullers: ReadonlySet<string>;
  readonly tags: ReadonlyMap<string, TagTarget>;
  readonly manifests: ReadonlyMap<string, number>;
}

/** The state of one registry and its index; mutations are the timeline's registry actions. */
export class RegistryStore {
  readonly host: string;
  #state: RegistryState;
  #users = new Map<string, string>();
  #repositories = new Map<string, RepositoryIndex>();

  /** The initial state of a validated configuration. */
  constructor(config: RegistryConfig) {
    this.host = config.host;
    this.#state = freeze(initialState(config), true);
    this.#reindex();
  }

  /** The declarative configuration after mutations (immer-frozen). */
  get state(): RegistryState {
    return this.#state;
  }

  /** The repository with this name, indexed. */
  repository(name: string): RepositoryIndex | undefined {
    return this.#repositories.get(name);
  }

  /** Whether the account exists and `password` is its password. */
  passwordMatches(username: string, password: string): boolean {
    const stored = this.#users.get(username);
    return stored !== undefined && stored === passwordHash(this.host, username, password);
  }

  /** Starts (true) or ends (false) an outage. */
  setDown(down: boolean): void {
    this.#mutate((draft) => {
      draft.down = down;
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
}

/** What a tag or a digest (`sha256:…`) resolves to in a repository. */
export function resolveIn(repository: RepositoryIndex, reference: string): TagTarget | undefined {
  if (reference.includes(':')) {
    const sizeBytes = repository.manifests.get(reference);
    return sizeBytes === undefined ? undefined : { digest: reference, sizeBytes };
  }
  return repository.tags.get(reference);
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
