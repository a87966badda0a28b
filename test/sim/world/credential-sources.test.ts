import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../../sim/kernel/random.js';
import { runScenario } from '../../../sim/run.js';
import { ApiServer } from '../../../sim/world/api-server.js';
import {
  NodeCredentialSources,
  ServiceAccountTokenProvider,
  serviceAccountToken,
  serviceAccountTokenValidator,
  serviceAccountUsername,
} from '../../../sim/world/credential-sources.js';
import { SimRegistry } from '../../../sim/world/registry.js';
import { ticks } from '../../../src/time.js';
import {
  actionAt,
  applyAt,
  containerResult,
  DIGEST_A,
  deleteAt,
  dockerConfigSecret,
  minutes,
  node,
  pod,
  privateRegistry,
  recordsOf,
  scenario,
  seconds,
  serviceAccount,
} from '../../support/scenario-builder.js';

const T0 = ticks(0);
const HOST = 'private.example.com';
const IMAGE = `${HOST}/team-a/app:v1`;

function api(): ApiServer {
  return new ApiServer({
    uidStream: new SeededRandom(1).stream('uids'),
    alwaysPullImages: false,
    defaultNode: 'node-1',
  });
}

describe('service-account tokens (KEP-4412)', () => {
  it('the username is the Kubernetes service-account user name', () => {
    expect(serviceAccountUsername('team-a', 'builder')).toBe('system:serviceaccount:team-a:builder');
  });

  it('the token is bound to the account UID', () => {
    const a = serviceAccountToken({ uid: 'u1', namespace: 'ns', name: 'sa' });
    const b = serviceAccountToken({ uid: 'u2', namespace: 'ns', name: 'sa' });
    expect(a).toContain('u1');
    expect(a).not.toBe(b);
  });

  it('the registry-side validator accepts a token of an existing account and nothing else', () => {
    const server = api();
    server.apply(serviceAccount('ns', 'sa'), T0);
    const account = server.getServiceAccount('ns', 'sa');
    if (account === undefined) throw new Error('no account');
    const validate = serviceAccountTokenValidator(server);
    const user = serviceAccountUsername('ns', 'sa');
    expect(validate(user, serviceAccountToken(account))).toBe(true);
    expect(validate(user, 'forged')).toBe(false);
    expect(validate('team-a', serviceAccountToken(account))).toBe(false);
    expect(validate('system:serviceaccount:ns:missing', serviceAccountToken(account))).toBe(false);
    // The token names another account than the username claims.
    server.apply(serviceAccount('ns', 'other'), T0);
    expect(validate(serviceAccountUsername('ns', 'other'), serviceAccountToken(account))).toBe(false);
  });

  it('a re-created service account (same name, new UID) makes the old token invalid', () => {
    const server = api();
    server.apply(serviceAccount('ns', 'sa'), T0);
    const old = server.getServiceAccount('ns', 'sa');
    if (old === undefined) throw new Error('no account');
    server.delete({ kind: 'ServiceAccount', namespace: 'ns', name: 'sa' });
    const validate = serviceAccountTokenValidator(server);
    expect(validate(serviceAccountUsername('ns', 'sa'), serviceAccountToken(old))).toBe(false);
    server.apply(serviceAccount('ns', 'sa'), T0);
    const fresh = server.getServiceAccount('ns', 'sa');
    if (fresh === undefined) throw new Error('no account');
    expect(fresh.uid).not.toBe(old.uid);
    expect(validate(serviceAccountUsername('ns', 'sa'), serviceAccountToken(old))).toBe(false);
    expect(validate(serviceAccountUsername('ns', 'sa'), serviceAccountToken(fresh))).toBe(true);
  });

  it('a registry with the validator authenticates service-account users through it', () => {
    const server = api();
    server.apply(serviceAccount('team-a', 'builder'), T0);
    const account = server.getServiceAccount('team-a', 'builder');
    if (account === undefined) throw new Error('no account');
    const user = serviceAccountUsername('team-a', 'builder');
    const registry = new SimRegistry(
      privateRegistry({
        repositories: [
          {
            name: 'team-a/app',
            public: false,
            pullers: [user],
            tags: { v1: { digest: DIGEST_A, sizeBytes: 1 } },
          },
        ],
      }),
      {
        latencyStream: new SeededRandom(1).stream('latency'),
        tokenValidator: serviceAccountTokenValidator(server),
      },
    );
    expect(
      registry.wouldAuthorize('team-a/app', { username: user, password: serviceAccountToken(account) }),
    ).toBe(true);
    expect(registry.wouldAuthorize('team-a/app', { username: user, password: 'stale' })).toBe(false);
  });
});

describe('ServiceAccountTokenProvider', () => {
  const provider = new ServiceAccountTokenProvider(HOST, true);

  it('is a service-account-token-mode plugin for its host only', () => {
    expect(provider.name).toBe(`sa-token-provider:${HOST}`);
    expect(provider.serviceAccountTokenMode).toBe(true);
    expect(provider.requireServiceAccount).toBe(true);
    expect(new ServiceAccountTokenProvider(HOST, false).requireServiceAccount).toBe(false);
    expect(provider.matchesImage(`${HOST}/team-a/app`)).toBe(true);
    expect(provider.matchesImage(`${HOST}.evil.com/team-a/app`)).toBe(false);
    expect(provider.matchesImage('docker.io/library/nginx')).toBe(false);
  });

  it('answers nothing without a service account, and the account’s user and token with one', () => {
    expect(provider.provide({ repository: `${HOST}/team-a/app` })).toBeUndefined();
    const account = { uid: 'u1', namespace: 'team-a', name: 'builder' };
    expect(provider.provide({ repository: `${HOST}/team-a/app`, serviceAccount: account })).toEqual({
      [HOST]: { username: 'system:serviceaccount:team-a:builder', password: serviceAccountToken(account) },
    });
  });
});

describe('NodeCredentialSources', () => {
  it('reads secrets and service accounts from the API server, and gives the node config and plugins', () => {
    const server = api();
    server.apply(dockerConfigSecret('ns', 's', HOST, 'u', 'p'), T0);
    const config = { [HOST]: { username: 'node', password: 'pw' } };
    const plugin = new ServiceAccountTokenProvider(HOST, false);
    const sources = new NodeCredentialSources(server, config, [plugin]);
    expect(sources.getSecret('ns', 's')?.name).toBe('s');
    expect(sources.getSecret('ns', 'missing')).toBeUndefined();
    expect(sources.getServiceAccount('ns', 'default')?.name).toBe('default');
    expect(sources.nodeDockerConfig()).toBe(config);
    expect(sources.plugins()).toEqual([plugin]);
    expect(new NodeCredentialSources(server, undefined, []).nodeDockerConfig()).toBeUndefined();
  });
});

describe('the SA token provider in a run', () => {
  const saUser = serviceAccountUsername('team-a', 'builder');
  const registry = privateRegistry({
    serviceAccountTokenProvider: { requireServiceAccount: false },
    repositories: [
      {
        name: 'team-a/app',
        public: false,
        pullers: [saUser],
        tags: { v1: { digest: DIGEST_A, sizeBytes: 1_000 } },
      },
    ],
  });

  it('a pod of the allowed service account pulls with its token and its record names the account', () => {
    const { result, trace } = runScenario(
      scenario({
        until: minutes(1),
        registries: [registry],
        objects: [
          serviceAccount('team-a', 'builder'),
          pod('team-a', 'a', IMAGE, { serviceAccountName: 'builder' }),
        ],
      }),
      { mode: 'AlwaysVerify', includeFiles: true },
    );
    expect(containerResult(result, 'team-a/a')).toMatchObject({
      state: 'running',
      violation: false,
      pulls: 1,
    });
    const attempts = recordsOf(trace.records(), 'pull.attempt');
    expect(attempts.map((r) => r.credential)).toEqual([`serviceaccount team-a/builder (${saUser})`]);
    const files = Object.values(result.nodes[0]?.imageManagerFiles ?? {}).join('\n');
    expect(files).toContain('"kubernetesServiceAccounts"');
    expect(files).toContain('"name":"builder"');
    // The token is a secret: it never appears in the trace or the result.
    expect(trace.toJsonLines()).not.toContain('sa-token.');
    expect(JSON.stringify(result)).not.toContain('sa-token.');
  });

  it('a pod of the re-created service account must pull again: the record held the old UID (KEP-4412, #132771)', () => {
    const { result, trace } = runScenario(
      scenario({
        until: minutes(3),
        registries: [registry],
        objects: [
          serviceAccount('team-a', 'builder'),
          pod('team-a', 'a', IMAGE, { serviceAccountName: 'builder' }),
        ],
        timeline: [
          deleteAt(minutes(1), { kind: 'ServiceAccount', namespace: 'team-a', name: 'builder' }),
          applyAt(minutes(1), serviceAccount('team-a', 'builder')),
          applyAt(minutes(2), pod('team-a', 'b', IMAGE, { serviceAccountName: 'builder' })),
        ],
      }),
      { mode: 'AlwaysVerify' },
    );
    // The new account's token is valid, so the verification pull succeeds.
    expect(containerResult(result, 'team-a/b')).toMatchObject({
      state: 'running',
      pulls: 1,
      violation: false,
    });
    expect(recordsOf(trace.records(), 'pull.attempt', { ok: true })).toHaveLength(2);
  });

  it('a pod of another service account in the same namespace is not allowed by the first one’s record', () => {
    const { result } = runScenario(
      scenario({
        until: minutes(3),
        registries: [registry],
        objects: [
          serviceAccount('team-a', 'builder'),
          serviceAccount('team-a', 'intruder'),
          pod('team-a', 'a', IMAGE, { serviceAccountName: 'builder' }),
        ],
        timeline: [
          applyAt(
            minutes(1),
            pod('team-a', 'b', IMAGE, { serviceAccountName: 'intruder', pullPolicy: 'Never' }),
          ),
        ],
      }),
      { mode: 'AlwaysVerify' },
    );
    expect(containerResult(result, 'team-a/b')).toMatchObject({
      state: 'waiting',
      reason: 'ErrImageNeverPull',
      violation: false,
    });
  });

  it('legacy reuses the image for the other service account: a violation by the registry’s access list', () => {
    const { result } = runScenario(
      scenario({
        until: minutes(3),
        registries: [registry],
        objects: [
          serviceAccount('team-a', 'builder'),
          serviceAccount('team-a', 'intruder'),
          pod('team-a', 'a', IMAGE, { serviceAccountName: 'builder' }),
        ],
        timeline: [
          applyAt(
            minutes(1),
            pod('team-a', 'b', IMAGE, { serviceAccountName: 'intruder', pullPolicy: 'Never' }),
          ),
        ],
      }),
      { mode: 'legacy' },
    );
    expect(containerResult(result, 'team-a/b')).toMatchObject({
      state: 'running',
      violation: true,
      pulls: 0,
    });
  });

  it('with requireServiceAccount the plugin still runs for the pod’s (default) service account', () => {
    const { result } = runScenario(
      scenario({
        until: seconds(30),
        registries: [{ ...registry, serviceAccountTokenProvider: { requireServiceAccount: true } }],
        nodes: [node()],
        objects: [pod('team-a', 'a', IMAGE)],
        timeline: [actionAt(seconds(1), { action: 'registryUp', host: HOST })],
      }),
      { mode: 'AlwaysVerify' },
    );
    // The default account is not a puller: the token is valid but not authorised (403).
    expect(containerResult(result, 'team-a/a').state).toBe('waiting');
    expect(result.totals.registry.authFailures).toBeGreaterThanOrEqual(1);
  });
});
