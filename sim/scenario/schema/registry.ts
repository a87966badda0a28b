import { createHash } from 'node:crypto';
import type * as zod from 'zod';
import type { Ticks } from '../../../src/time.js';
import type { Path } from '../../errors.js';
import type { Issues } from '../../input/issues.js';
import type { Defaulted, Frozen, Override } from '../../input/kit.js';
import {
  asList,
  asMapping,
  decimal,
  duration,
  fields,
  flag,
  integer,
  list,
  mapping,
  peek,
  text,
} from '../../input/kit.js';
import { digest, HOST, REPOSITORY, TAG, TAG_HINT } from './common.js';

export const tokenBucketSchema = fields({
  // The registry keeps token levels exactly only up to 1 000 000 (TOKEN_BUCKET_CAPACITY_MAX, sim/world/registry.ts).
  capacity: integer(1, 1_000_000),
  refillPerHour: decimal(0, 1e9),
});

export const tagSchema = fields({
  digest: digest()
    .exactOptional()
    .meta({ description: 'default: derived from the seed and the coordinates' }),
  sizeBytes: integer(1).exactOptional().meta({ description: 'default: derived from the seed, 10–200 MB' }),
});

export const repositorySchema = fields({
  name: text({ pattern: REPOSITORY, hint: 'a lower-case repository path such as team-a/app' }),
  public: flag().exactOptional(),
  pullers: list(text({ nonEmpty: true }))
    .exactOptional()
    .meta({ description: 'usernames, or system:serviceaccount:<namespace>:<name>' }),
  tags: mapping(tagSchema.nullable()).exactOptional(),
});

export const userSchema = fields({ username: text({ nonEmpty: true }), password: text({ nonEmpty: true }) });
export const rateLimitSchema = fields({
  perUser: tokenBucketSchema.exactOptional(),
  anonymous: tokenBucketSchema.exactOptional(),
});
export const latencySchema = fields({ min: duration(), max: duration() });
export const providerSchema = fields({
  requireServiceAccount: flag().exactOptional(),
  nodeUser: text({ nonEmpty: true }).exactOptional().meta({
    description:
      "a user of this registry whose credentials the provider returns when called without a service account (the node's own identity)",
  }),
});

export const registrySchema = fields({
  host: text({ pattern: HOST, hint: 'host[:port]' }),
  users: list(userSchema).exactOptional(),
  repositories: list(repositorySchema).exactOptional(),
  rateLimit: rateLimitSchema.exactOptional(),
  latency: latencySchema.exactOptional(),
  bandwidthBytesPerSecond: integer(1).exactOptional(),
  serviceAccountTokenProvider: providerSchema.nullable().exactOptional().meta({
    description: 'KEP-4412: an exec credential provider trading service-account tokens for this registry',
  }),
}).meta({ description: 'An image registry with its users, repositories, tags and access lists' });

type Output<S extends zod.ZodType> = zod.output<S>;

/** A KEP-4412 service-account-token credential provider for one registry. */
export type ServiceAccountTokenProviderSpec = Frozen<
  Defaulted<Output<typeof providerSchema>, 'requireServiceAccount'>
>;

/** A repository as `buildRegistry` fills it in: every tag with its digest and size, derived where left out. */
type RepositorySpec = Override<
  Defaulted<Output<typeof repositorySchema>, 'public' | 'pullers'>,
  { tags: Record<string, Defaulted<Output<typeof tagSchema>, 'digest' | 'sizeBytes'>> }
>;

/** The latency bounds, each named with its unit (`min` → `minTicks`). */
type LatencySpec = { [K in keyof Output<typeof latencySchema> as `${K}Ticks`]: Ticks };

/** A registry as the world takes it: defaults filled in, digests and sizes derived where the file leaves them out. */
export type RegistrySpec = Frozen<
  Override<
    Defaulted<Output<typeof registrySchema>, 'users'>,
    {
      repositories: RepositorySpec[];
      latency?: LatencySpec;
      /** KEP-4412: the kubelet has an exec credential provider for this registry that trades service-account tokens. */
      serviceAccountTokenProvider?: ServiceAccountTokenProviderSpec;
    }
  >
>;

/** A digest or size the file leaves out: derived from the scenario seed and the image's coordinates. */
function derived(seed: number, what: string): Buffer {
  return createHash('sha256').update(`pullsim:${seed}:${what}`).digest();
}

/**
 * The registries, with derived digests and sizes filled in. The checks that span fields (duplicates, pullers
 * that are no user, tag names, latency order) look at every value that is valid on its own, so that they are
 * reported together with the problems of the fields around them; a registry with problems still declares what
 * it validly names, so that references to it are not reported as well.
 */
export function readRegistries(issues: Issues, value: unknown, seed: number): RegistrySpec[] {
  if (value === undefined) return [];
  const items = issues.items(registrySchema, value, ['spec', 'registries']) ?? [];
  const hosts = new Set<string>();
  return items.flatMap((reg, i) => {
    const path = ['spec', 'registries', i];
    const raw = asMapping(asList(value)[i]);
    const host = peek(registrySchema.shape.host, raw.host);
    if (host !== undefined && hosts.has(host))
      issues.add([...path, 'host'], `duplicate registry host ${host}`, 'duplicate');
    if (host !== undefined) hosts.add(host);
    const declared = checkRegistry(issues, raw, path);
    if (reg !== undefined) return [buildRegistry(reg, seed)];
    return host === undefined ? [] : [{ host, users: declared.users, repositories: declared.repositories }];
  });
}

/** The checks of one registry that span its fields; what it validly declares. */
function checkRegistry(issues: Issues, raw: Readonly<Record<string, unknown>>, path: Path) {
  const usernames = new Set<string>();
  asList(raw.users).forEach((user, j) => {
    const username = peek(userSchema.shape.username, asMapping(user).username);
    if (username === undefined) return;
    if (usernames.has(username))
      issues.add([...path, 'users', j, 'username'], `duplicate user ${username}`, 'duplicate');
    usernames.add(username);
  });
  const names = new Set<string>();
  asList(raw.repositories).forEach((repo, j) => {
    const rp = [...path, 'repositories', j];
    const name = peek(repositorySchema.shape.name, asMapping(repo).name);
    if (name !== undefined && names.has(name))
      issues.add([...rp, 'name'], `duplicate repository ${name}`, 'duplicate');
    if (name !== undefined) names.add(name);
    asList(asMapping(repo).pullers).forEach((puller, k) => {
      if (typeof puller !== 'string' || puller === '') return;
      if (!usernames.has(puller) && !puller.startsWith('system:serviceaccount:'))
        issues.add(
          [...rp, 'pullers', k],
          `unknown user ${JSON.stringify(puller)} (declare it under users, or name a service account as system:serviceaccount:<namespace>:<name>)`,
          'unknown_reference',
        );
    });
    for (const tag of Object.keys(asMapping(asMapping(repo).tags)))
      if (!TAG.test(tag)) issues.add([...rp, 'tags', tag], `not a valid tag: ${TAG_HINT}`);
  });
  const nodeUser = asMapping(raw.serviceAccountTokenProvider).nodeUser;
  if (typeof nodeUser === 'string' && nodeUser !== '' && !usernames.has(nodeUser))
    issues.add(
      [...path, 'serviceAccountTokenProvider', 'nodeUser'],
      `unknown user ${JSON.stringify(nodeUser)} (declare it under this registry's users)`,
      'unknown_reference',
    );
  const latency = asMapping(raw.latency);
  const min = peek(latencySchema.shape.min, latency.min);
  const max = peek(latencySchema.shape.max, latency.max);
  if (min !== undefined && max !== undefined && max < min)
    issues.add([...path, 'latency', 'max'], 'must not be less than min');
  return {
    users: [...usernames].map((username) => ({ username, password: '' })),
    repositories: [...names].map((name) => ({ name, public: false, pullers: [], tags: {} })),
  };
}

type ParsedRegistry = Output<typeof registrySchema>;

/** A valid registry as the world takes it: defaults filled in, digests and sizes derived where left out. */
function buildRegistry(reg: ParsedRegistry, seed: number): RegistrySpec {
  const repositories = (reg.repositories ?? []).map((repo) => {
    const tags: Record<string, { digest: string; sizeBytes: number }> = {};
    for (const [tag, target] of Object.entries(repo.tags ?? {})) {
      const coordinates = `${reg.host}/${repo.name}:${tag}`;
      tags[tag] = {
        digest: target?.digest ?? `sha256:${derived(seed, `digest:${coordinates}`).toString('hex')}`,
        sizeBytes:
          target?.sizeBytes ??
          10_000_000 + (derived(seed, `size:${coordinates}`).readUInt32BE(0) % 190_000_000),
      };
    }
    return { name: repo.name, public: repo.public ?? false, pullers: repo.pullers ?? [], tags };
  });
  const { latency, rateLimit } = reg;
  return {
    host: reg.host,
    users: (reg.users ?? []).map(({ username, password }) => ({ username, password })),
    repositories,
    ...(rateLimit === undefined
      ? {}
      : {
          rateLimit: {
            ...(rateLimit.perUser === undefined ? {} : { perUser: rateLimit.perUser }),
            ...(rateLimit.anonymous === undefined ? {} : { anonymous: rateLimit.anonymous }),
          },
        }),
    ...(latency === undefined || latency.max < latency.min
      ? {}
      : { latency: { minTicks: latency.min, maxTicks: latency.max } }),
    ...(reg.bandwidthBytesPerSecond === undefined
      ? {}
      : { bandwidthBytesPerSecond: reg.bandwidthBytesPerSecond }),
    ...(reg.serviceAccountTokenProvider === undefined
      ? {}
      : {
          serviceAccountTokenProvider: {
            requireServiceAccount: reg.serviceAccountTokenProvider?.requireServiceAccount ?? false,
            ...(reg.serviceAccountTokenProvider?.nodeUser === undefined
              ? {}
              : { nodeUser: reg.serviceAccountTokenProvider.nodeUser }),
          },
        }),
  };
}
