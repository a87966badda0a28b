import { parseNormalizedNamed } from '../../src/reference/index.js';
import type { ReplacedEntry } from './credentials.js';
import type { CriImage } from './inputs.js';
import type { ImportNote, RecordFacts } from './records.js';

/*
 * The registries of the imported scenario, inferred: their hosts, repositories and tags from the runtime's images,
 * the pods' images and the records; their users from the (replaced) credentials found on the node. Who may pull
 * what is not on the node at all, so it is assumed, and said so in the scenario's comment (docs/audit.md "What
 * cannot be known"): every repository is private and pullable by every user declared for its registry (and by the
 * service accounts the records name for it), except that a repository is public when a record shows a pull without
 * pod credentials while the node has no docker config for its registry (that pull was anonymous), or when the node
 * holds no credential at all for its registry (its images came without one, or from an archive).
 */

const DIGEST = /^sha256:[0-9a-f]{64}$/;

interface RepositoryFacts {
  readonly tags: Map<string, { digest?: string; sizeBytes?: number }>;
  readonly serviceAccounts: Set<string>;
  nodeAccessible: boolean;
}

/** The registries section, the node's preloaded images, and the notes on what was assumed. */
export interface InferredRegistries {
  readonly registries: readonly Record<string, unknown>[];
  readonly images: readonly { ref: string; id: string }[];
  /** Repositories assumed public, as `host/repository`. */
  readonly publicRepositories: readonly string[];
  readonly notes: readonly ImportNote[];
}

/** Infers the registries from what the node shows. */
export function inferRegistries(input: {
  readonly criImages: readonly CriImage[];
  readonly podImages: readonly string[];
  readonly records: RecordFacts;
  readonly credentials: readonly ReplacedEntry[];
  readonly nodeCredentials: readonly ReplacedEntry[];
  readonly serviceAccountProvider: boolean;
}): InferredRegistries {
  const hosts = new Map<string, Map<string, RepositoryFacts>>();
  const notes: ImportNote[] = [];
  const repository = (ref: string) => {
    const parsed = parseNormalizedNamed(ref);
    if (!parsed.ok) return undefined;
    const repos = hosts.get(parsed.value.domain) ?? new Map<string, RepositoryFacts>();
    hosts.set(parsed.value.domain, repos);
    let repo = repos.get(parsed.value.path);
    if (repo === undefined) {
      repo = { tags: new Map(), serviceAccounts: new Set(), nodeAccessible: false };
      repos.set(parsed.value.path, repo);
    }
    return { repo, tag: parsed.value.tag, digest: parsed.value.digest };
  };
  const images: { ref: string; id: string }[] = [];
  for (const image of input.criImages) {
    if (!DIGEST.test(image.id) || image.repoTags.length === 0) {
      notes.push({
        about: 'images.json',
        message: `image ${image.id.slice(0, 19)}: ${image.repoTags.length === 0 ? 'no tag (only a pod naming it by digest could use it)' : 'its id is not a sha256 digest'}; left out`,
      });
      continue;
    }
    for (const ref of image.repoTags) {
      const found = repository(ref);
      if (found?.tag === undefined) continue;
      found.repo.tags.set(found.tag, {
        digest: image.id,
        ...(image.sizeBytes === undefined || image.sizeBytes < 1 ? {} : { sizeBytes: image.sizeBytes }),
      });
      images.push({ ref, id: image.id });
    }
  }
  for (const ref of input.podImages) {
    const found = repository(ref);
    if (found === undefined) continue;
    if (found.digest !== undefined) {
      notes.push({
        about: 'objects',
        message: `${ref}: named by digest; the runtime knows an image by its id (config digest), pullsim by its manifest digest, so whether it is present cannot be judged`,
      });
    } else if (!found.repo.tags.has(found.tag ?? 'latest')) found.repo.tags.set(found.tag ?? 'latest', {});
  }
  for (const key of input.records.images) {
    const found = repository(key);
    if (found === undefined) continue;
    if (input.records.nodeAccessible.has(key)) found.repo.nodeAccessible = true;
    for (const account of input.records.serviceAccounts.get(key) ?? [])
      found.repo.serviceAccounts.add(account);
  }
  return assemble(hosts, images, input, notes);
}

function assemble(
  hosts: Map<string, Map<string, RepositoryFacts>>,
  images: { ref: string; id: string }[],
  input: Parameters<typeof inferRegistries>[0],
  notes: ImportNote[],
): InferredRegistries {
  const users = new Map<string, Map<string, string>>();
  for (const entry of [...input.nodeCredentials, ...input.credentials]) {
    if (entry.host === undefined) {
      notes.push({
        about: 'registries',
        message: `a docker config key with a glob (${entry.key}) names no one registry; its credential is declared nowhere`,
      });
      continue;
    }
    const byName = users.get(entry.host) ?? new Map<string, string>();
    byName.set(entry.username, entry.password);
    users.set(entry.host, byName);
    if (!hosts.has(entry.host)) hosts.set(entry.host, new Map());
  }
  const nodeHosts = new Set(input.nodeCredentials.flatMap((e) => (e.host === undefined ? [] : [e.host])));
  const publicRepositories: string[] = [];
  const registries = [...hosts.keys()].sort().map((host) => {
    const usernames = [...(users.get(host)?.keys() ?? [])].sort();
    const repos = hosts.get(host) as Map<string, RepositoryFacts>;
    const withProvider =
      input.serviceAccountProvider && [...repos.values()].some((r) => r.serviceAccounts.size > 0);
    return {
      host,
      users: usernames.map((username) => ({ username, password: users.get(host)?.get(username) as string })),
      repositories: [...repos.keys()].sort().map((name) => {
        const repo = repos.get(name) as RepositoryFacts;
        // No credential for the registry anywhere on the node: its images came without one (or from an archive).
        const isPublic = (repo.nodeAccessible && !nodeHosts.has(host)) || usernames.length === 0;
        if (isPublic) publicRepositories.push(`${host}/${name}`);
        return {
          name,
          public: isPublic,
          pullers: [...usernames, ...[...repo.serviceAccounts].sort()],
          tags: Object.fromEntries([...repo.tags.keys()].sort().map((tag) => [tag, repo.tags.get(tag)])),
        };
      }),
      ...(withProvider ? { serviceAccountTokenProvider: {} } : {}),
    };
  });
  return { registries, images, publicRepositories, notes };
}
