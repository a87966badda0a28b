/**
 * What a generated world holds before its timeline starts: one registry with a public repository and each
 * tenant's user and private repositories, the images those offer, and in each tenant's namespace a pull secret
 * and (with the KEP-4412 provider) a service account. The generator (generate.ts) draws the plan; this builds
 * the world's static part from it and draws nothing.
 */
import { createHash } from 'node:crypto';
import { ticks } from '../../src/time.js';
import { pullSecret } from '../scenario/pull-secret.js';
import type { Manifest, RegistrySpec, SecretManifest } from '../scenario/types.js';

/** The one registry of a generated world. */
export const HOST = 'reg.example.com';
const PUBLIC_IMAGE = `${HOST}/shared/base:v1`;

/** A stable fake digest for a name. */
export function fakeDigest(name: string): string {
  return `sha256:${createHash('sha256').update(`pullsim-fuzz:${name}`).digest('hex')}`;
}

/** A tenant's registry password; each change of password is a new generation. */
export function password(tenant: number, generation: number): string {
  return `pw-${tenant}-${generation}`;
}

/** A pull secret for the campaign's registry. */
export function secretManifest(
  namespace: string,
  name: string,
  username: string,
  secret: string,
): SecretManifest {
  return pullSecret(namespace, name, HOST, username, secret);
}

/** An image reference a world offers, with where it lives in the registry. */
export interface CatalogImage {
  readonly ref: string;
  readonly repository: string;
  readonly tag: string;
  readonly digest: string;
}

/** The image references a world offers, by index (some are other tenants' private images). */
export function imageCatalog(tenants: number, sharedDigests: boolean): CatalogImage[] {
  const images: CatalogImage[] = [
    { ref: PUBLIC_IMAGE, repository: 'shared/base', tag: 'v1', digest: fakeDigest('shared/base:v1') },
  ];
  for (let t = 0; t < tenants; t++) {
    for (const tag of ['v1', 'v2'])
      images.push({
        ref: `${HOST}/t${t}/app:${tag}`,
        repository: `t${t}/app`,
        tag,
        digest: fakeDigest(`t${t}/app:${tag}`),
      });
    if (sharedDigests) {
      // A private mirror holding the same content as the public image (kubernetes#138175's situation).
      images.push({
        ref: `${HOST}/t${t}/mirror:v1`,
        repository: `t${t}/mirror`,
        tag: 'v1',
        digest: fakeDigest('shared/base:v1'),
      });
    }
  }
  return images;
}

/**
 * The registry: the public base image, and per tenant a user (password generation 0) who may pull its private
 * `app` repository (and its `mirror`, with shared digests); with the provider, the tenant's `builder` service
 * account may pull them too.
 */
export function tenantRegistry(
  tenants: number,
  features: { readonly sharedDigests: boolean; readonly serviceAccountProvider: boolean },
): RegistrySpec {
  const repositories: RegistrySpec['repositories'][number][] = [
    {
      name: 'shared/base',
      public: true,
      pullers: [],
      tags: { v1: { digest: fakeDigest('shared/base:v1'), sizeBytes: 20_000_000 } },
    },
  ];
  for (let t = 0; t < tenants; t++) {
    const pullers = [
      `t${t}`,
      ...(features.serviceAccountProvider ? [`system:serviceaccount:t${t}:builder`] : []),
    ];
    repositories.push({
      name: `t${t}/app`,
      public: false,
      pullers,
      tags: {
        v1: { digest: fakeDigest(`t${t}/app:v1`), sizeBytes: 30_000_000 },
        v2: { digest: fakeDigest(`t${t}/app:v2`), sizeBytes: 30_000_000 },
      },
    });
    if (features.sharedDigests)
      repositories.push({
        name: `t${t}/mirror`,
        public: false,
        pullers,
        tags: { v1: { digest: fakeDigest('shared/base:v1'), sizeBytes: 20_000_000 } },
      });
  }
  return {
    host: HOST,
    users: Array.from({ length: tenants }, (_, t) => ({ username: `t${t}`, password: password(t, 0) })),
    repositories,
    latency: { minTicks: ticks(20_000), maxTicks: ticks(400_000) },
    ...(features.serviceAccountProvider
      ? { serviceAccountTokenProvider: { requireServiceAccount: false } }
      : {}),
  };
}

/**
 * Each tenant's namespace objects: the pull secret `regcred`, with copied credentials another tenant's (the
 * plan's `copies`), with wrong passwords not the password (the plan's `wrong`); and the `builder` service account
 * with the provider.
 */
export function tenantObjects(
  tenants: number,
  features: {
    readonly copiedCredentials: boolean;
    readonly wrongPasswords: boolean;
    readonly serviceAccountProvider: boolean;
  },
  plan: { readonly copies: readonly number[]; readonly wrong: readonly boolean[] },
): Manifest[] {
  const objects: Manifest[] = [];
  for (let t = 0; t < tenants; t++) {
    const source = features.copiedCredentials ? (plan.copies[t] ?? t) % tenants : t;
    const wrong = features.wrongPasswords && (plan.wrong[t] ?? false);
    objects.push(
      secretManifest(`t${t}`, 'regcred', `t${source}`, wrong ? 'not-the-password' : password(source, 0)),
    );
    if (features.serviceAccountProvider)
      objects.push({
        apiVersion: 'v1',
        kind: 'ServiceAccount',
        metadata: { namespace: `t${t}`, name: 'builder' },
      });
  }
  return objects;
}

/** The catalog index (imageCatalog's order) of a tenant's image, or of the public image without a tenant. */
export function catalogIndex(
  image: { readonly tenant: number; readonly name: 'v1' | 'v2' | 'mirror' } | 'public',
  sharedDigests: boolean,
): number {
  if (image === 'public') return 0;
  const offset = { v1: 0, v2: 1, mirror: 2 }[image.name];
  return 1 + image.tenant * (sharedDigests ? 3 : 2) + offset;
}
