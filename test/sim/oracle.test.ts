import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../sim/kernel/random.js';
import { judgeContainerStart, type OracleContext } from '../../sim/oracle.js';
import type { RegistrySpec } from '../../sim/scenario/types.js';
import { ApiServer, type StoredPod } from '../../sim/world/api-server.js';
import { serviceAccountTokenValidator, serviceAccountUsername } from '../../sim/world/credential-sources.js';
import { SimRegistry } from '../../sim/world/registry.js';
import type { DockerConfig } from '../../src/ports.js';
import { ticks } from '../../src/time.js';
import { DIGEST_A, dockerConfigSecret, pod, serviceAccount } from '../support/scenario-builder.js';

/**
 * The oracle's ground truth (contract §4): a start is a violation when the repository named by the container's
 * image is not public and no credential of the pod (pull secrets, service-account token where a provider exists)
 * or of the node is accepted by the registry for it, at that moment.
 */
const HOST = 'private.example.com';
const T0 = ticks(0);

const registrySpec: RegistrySpec = {
  host: HOST,
  users: [
    { username: 'team-a', password: 's3cret-a' },
    { username: 'team-b', password: 's3cret-b' },
    { username: 'node-puller', password: 'node-pw' },
  ],
  repositories: [
    // The same digest under a private and a public name.
    {
      name: 'team-a/app',
      public: false,
      pullers: ['team-a', 'node-puller'],
      tags: { v1: { digest: DIGEST_A, sizeBytes: 1 } },
    },
    { name: 'public/app', public: true, pullers: [], tags: { v1: { digest: DIGEST_A, sizeBytes: 1 } } },
    {
      name: 'team-a/sa-app',
      public: false,
      pullers: [serviceAccountUsername('team-a', 'builder')],
      tags: { v1: { digest: DIGEST_A, sizeBytes: 1 } },
    },
  ],
};

function world(
  options: {
    nodeCredentials?: DockerConfig;
    providerHosts?: string[];
    providerNodeCredentials?: OracleContext['providerNodeCredentials'];
  } = {},
) {
  const api = new ApiServer({
    uidStream: new SeededRandom(1).stream('uids'),
    alwaysPullImages: false,
    defaultNode: 'node-1',
  });
  const registry = new SimRegistry(registrySpec, {
    latencyStream: new SeededRandom(1).stream('latency'),
    tokenValidator: serviceAccountTokenValidator(api),
  });
  const context: OracleContext = {
    api,
    registryFor: (host) => (host === HOST ? registry : undefined),
    nodeCredentials: options.nodeCredentials,
    serviceAccountProviderHosts: new Set(options.providerHosts ?? []),
    providerNodeCredentials: options.providerNodeCredentials ?? {},
  };
  const podOf = (manifest: Parameters<ApiServer['apply']>[0]): StoredPod => {
    const outcome = api.apply(manifest, T0);
    if (!outcome.ok || manifest.kind !== 'Pod') throw new Error('pod not admitted');
    return api.getPod(manifest.metadata.namespace ?? 'default', manifest.metadata.name) as StoredPod;
  };
  return { api, registry, context, podOf };
}

const PRIVATE_IMAGE = `${HOST}/team-a/app:v1`;

describe('judgeContainerStart', () => {
  it('a public repository is never a violation, even for a pod without credentials', () => {
    const { context, podOf } = world();
    const verdict = judgeContainerStart(
      context,
      podOf(pod('team-b', 'b', `${HOST}/public/app:v1`)),
      `${HOST}/public/app:v1`,
    );
    expect(verdict).toEqual({ violation: false, why: 'public repository' });
  });

  it('a pod whose pull secret the registry accepts for that repository: no violation', () => {
    const { api, context, podOf } = world();
    api.apply(dockerConfigSecret('team-a', 'regcred', HOST, 'team-a', 's3cret-a'), T0);
    const p = podOf(pod('team-a', 'a', PRIVATE_IMAGE, { secrets: ['regcred'] }));
    expect(judgeContainerStart(context, p, PRIVATE_IMAGE)).toEqual({
      violation: false,
      why: 'the pod holds a credential the registry accepts',
    });
  });

  it('a pod without credentials starting a private image: a violation', () => {
    const { context, podOf } = world();
    const verdict = judgeContainerStart(context, podOf(pod('team-b', 'b', PRIVATE_IMAGE)), PRIVATE_IMAGE);
    expect(verdict).toEqual({
      violation: true,
      why: `no credential of the pod or the node may pull ${HOST}/team-a/app`,
    });
  });

  it("the node's own identity, from its credential provider, counts like node-wide credentials", () => {
    const pullerIdentity = { [HOST]: { username: 'team-a', password: 's3cret-a' } };
    const { context, podOf } = world({ providerHosts: [HOST], providerNodeCredentials: pullerIdentity });
    expect(judgeContainerStart(context, podOf(pod('team-b', 'b', PRIVATE_IMAGE)), PRIVATE_IMAGE)).toEqual({
      violation: false,
      why: "the node's own identity, from its credential provider, the registry accepts",
    });
    const otherIdentity = { [HOST]: { username: 'team-b', password: 's3cret-b' } };
    const other = world({ providerHosts: [HOST], providerNodeCredentials: otherIdentity });
    expect(
      judgeContainerStart(other.context, other.podOf(pod('team-b', 'b', PRIVATE_IMAGE)), PRIVATE_IMAGE)
        .violation,
    ).toBe(true);
  });

  it('a secret with a wrong password is not a credential the registry accepts', () => {
    const { api, context, podOf } = world();
    api.apply(dockerConfigSecret('team-a', 'regcred', HOST, 'team-a', 'wrong'), T0);
    const p = podOf(pod('team-a', 'a', PRIVATE_IMAGE, { secrets: ['regcred'] }));
    expect(judgeContainerStart(context, p, PRIVATE_IMAGE).violation).toBe(true);
  });

  it('a valid account that is not a puller of the repository does not count', () => {
    const { api, context, podOf } = world();
    api.apply(dockerConfigSecret('team-b', 'regcred', HOST, 'team-b', 's3cret-b'), T0);
    const p = podOf(pod('team-b', 'b', PRIVATE_IMAGE, { secrets: ['regcred'] }));
    expect(judgeContainerStart(context, p, PRIVATE_IMAGE).violation).toBe(true);
  });

  it('is judged at that moment: a revoked puller or a changed password turns the same start into a violation', () => {
    const { api, registry, context, podOf } = world();
    api.apply(dockerConfigSecret('team-a', 'regcred', HOST, 'team-a', 's3cret-a'), T0);
    const p = podOf(pod('team-a', 'a', PRIVATE_IMAGE, { secrets: ['regcred'] }));
    expect(judgeContainerStart(context, p, PRIVATE_IMAGE).violation).toBe(false);
    registry.revokePuller('team-a/app', 'team-a');
    expect(judgeContainerStart(context, p, PRIVATE_IMAGE).violation).toBe(true);
    registry.grantPuller('team-a/app', 'team-a');
    expect(judgeContainerStart(context, p, PRIVATE_IMAGE).violation).toBe(false);
    registry.changePassword('team-a', 'rotated');
    expect(judgeContainerStart(context, p, PRIVATE_IMAGE).violation).toBe(true);
  });

  it('reads the secret as it is now: a deleted secret gives no credential', () => {
    const { api, context, podOf } = world();
    api.apply(dockerConfigSecret('team-a', 'regcred', HOST, 'team-a', 's3cret-a'), T0);
    const p = podOf(pod('team-a', 'a', PRIVATE_IMAGE, { secrets: ['regcred'] }));
    api.delete({ kind: 'Secret', namespace: 'team-a', name: 'regcred' });
    expect(judgeContainerStart(context, p, PRIVATE_IMAGE).violation).toBe(true);
  });

  it('a secret that does not decode gives no credential (and no crash)', () => {
    const { api, context, podOf } = world();
    api.apply(
      {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { namespace: 'team-a', name: 'broken' },
        type: 'kubernetes.io/dockerconfigjson',
        stringData: { '.dockerconfigjson': '{not json' },
      },
      T0,
    );
    const p = podOf(pod('team-a', 'a', PRIVATE_IMAGE, { secrets: ['broken'] }));
    expect(judgeContainerStart(context, p, PRIVATE_IMAGE).violation).toBe(true);
  });

  it('node-wide credentials the registry accepts make any pod’s start legitimate (contract §4)', () => {
    const { context, podOf } = world({
      nodeCredentials: { [HOST]: { username: 'node-puller', password: 'node-pw' } },
    });
    expect(judgeContainerStart(context, podOf(pod('team-b', 'b', PRIVATE_IMAGE)), PRIVATE_IMAGE)).toEqual({
      violation: false,
      why: 'node-wide credentials the registry accepts',
    });
  });

  it('node credentials given as a base64 `auth` are decoded; empty entries are anonymous and do not count', () => {
    const auth = Buffer.from('node-puller:node-pw').toString('base64');
    expect(
      judgeContainerStart(
        world({ nodeCredentials: { [HOST]: { auth } } }).context,
        world().podOf(pod('team-b', 'b', PRIVATE_IMAGE)),
        PRIVATE_IMAGE,
      ).violation,
    ).toBe(false);
    const empty = world({ nodeCredentials: { [HOST]: {} } });
    expect(
      judgeContainerStart(empty.context, empty.podOf(pod('team-b', 'b', PRIVATE_IMAGE)), PRIVATE_IMAGE)
        .violation,
    ).toBe(true);
  });

  it('a service-account token counts only where the node has a provider for that registry', () => {
    const image = `${HOST}/team-a/sa-app:v1`;
    const withProvider = world({ providerHosts: [HOST] });
    withProvider.api.apply(serviceAccount('team-a', 'builder'), T0);
    const p = withProvider.podOf(pod('team-a', 'a', image, { serviceAccountName: 'builder' }));
    expect(judgeContainerStart(withProvider.context, p, image).violation).toBe(false);
    // Another account of the same namespace holds a token the registry does not accept for that repository.
    withProvider.api.apply(serviceAccount('team-a', 'other'), T0);
    const q = withProvider.podOf(pod('team-a', 'q', image, { serviceAccountName: 'other' }));
    expect(judgeContainerStart(withProvider.context, q, image).violation).toBe(true);

    const without = world();
    without.api.apply(serviceAccount('team-a', 'builder'), T0);
    const r = without.podOf(pod('team-a', 'a', image, { serviceAccountName: 'builder' }));
    expect(judgeContainerStart(without.context, r, image).violation).toBe(true);
  });

  it('a service account deleted since admission gives no token', () => {
    const image = `${HOST}/team-a/sa-app:v1`;
    const w = world({ providerHosts: [HOST] });
    w.api.apply(serviceAccount('team-a', 'builder'), T0);
    const p = w.podOf(pod('team-a', 'a', image, { serviceAccountName: 'builder' }));
    w.api.delete({ kind: 'ServiceAccount', namespace: 'team-a', name: 'builder' });
    expect(judgeContainerStart(w.context, p, image).violation).toBe(true);
  });

  it('a repository no registry knows is not a private repository: no violation', () => {
    const { context, podOf } = world();
    const other = 'elsewhere.example.com/x/y:1';
    expect(judgeContainerStart(context, podOf(pod('team-b', 'b', other)), other)).toEqual({
      violation: false,
      why: 'repository unknown to any registry (not a private repository)',
    });
    const unknownRepo = `${HOST}/nobody/here:1`;
    expect(judgeContainerStart(context, podOf(pod('team-b', 'c', unknownRepo)), unknownRepo).violation).toBe(
      false,
    );
  });

  it('an image name that does not parse cannot be judged private', () => {
    const { context, podOf } = world();
    const bad = 'Bad//Name';
    expect(judgeContainerStart(context, podOf(pod('team-b', 'b', 'nginx:1')), bad)).toEqual({
      violation: false,
      why: 'image name does not parse',
    });
  });

  it('the same digest under a public and a private name is judged by the container’s own repository', () => {
    const { context, podOf } = world();
    const p = podOf(pod('team-b', 'b', PRIVATE_IMAGE));
    expect(judgeContainerStart(context, p, `${HOST}/public/app:v1`).violation).toBe(false);
    expect(judgeContainerStart(context, p, PRIVATE_IMAGE).violation).toBe(true);
    expect(judgeContainerStart(context, p, `${HOST}/team-a/app@${DIGEST_A}`).violation).toBe(true);
  });
});
