import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../../sim/kernel/random.js';
import type { PodManifest, SecretManifest } from '../../../sim/scenario/types.js';
import { ApiServer, defaultImagePullPolicy } from '../../../sim/world/api-server.js';
import { type Ticks, ticks } from '../../../src/time.js';
import {
  dockerConfigSecret,
  multiContainerPod,
  namespace,
  pod,
  serviceAccount,
} from '../../support/scenario-builder.js';

const T0 = ticks(0);
const T1 = ticks(1_000_000);
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function api(options: { seed?: number; alwaysPullImages?: boolean; defaultNode?: string } = {}): ApiServer {
  const { seed = 1, alwaysPullImages = false, defaultNode = 'node-1' } = options;
  return new ApiServer({
    uidStream: new SeededRandom(seed).stream('uids'),
    alwaysPullImages,
    defaultNode,
  });
}

function applyOk(server: ApiServer, manifest: Parameters<ApiServer['apply']>[0], now: Ticks = T0) {
  const outcome = server.apply(manifest, now);
  if (!outcome.ok) throw new Error(`rejected: ${outcome.reason}`);
  return outcome;
}

describe('API defaulting of imagePullPolicy (SetDefaults_Container)', () => {
  // pkg/apis/core/v1/defaults.go: Always when the tag is `latest` or there is neither tag nor digest.
  it.each([
    ['nginx', 'Always'],
    ['nginx:latest', 'Always'],
    ['docker.io/library/nginx', 'Always'],
    ['private.example.com:5000/team-a/app', 'Always'],
    ['nginx:1.27', 'IfNotPresent'],
    ['private.example.com:5000/team-a/app:v1', 'IfNotPresent'],
    [`nginx@sha256:${'a'.repeat(64)}`, 'IfNotPresent'],
    [`nginx:latest@sha256:${'a'.repeat(64)}`, 'Always'],
  ] as const)('%s defaults to %s', (image, expected) => {
    expect(defaultImagePullPolicy(image)).toBe(expected);
    const server = api();
    applyOk(server, pod('ns', 'p', image));
    expect(server.getPod('ns', 'p')?.containers[0]?.imagePullPolicy).toBe(expected);
  });

  it('an image that does not parse defaults to IfNotPresent (its tag is not `latest`)', () => {
    expect(defaultImagePullPolicy('Not/A/Valid:Image:Name')).toBe('IfNotPresent');
  });

  it('an explicit pull policy is kept', () => {
    const server = api();
    applyOk(
      server,
      multiContainerPod('ns', 'p', [
        { name: 'a', image: 'nginx', imagePullPolicy: 'Never' },
        { name: 'b', image: 'nginx:1.27', imagePullPolicy: 'Always' },
        { name: 'c', image: 'nginx:latest', imagePullPolicy: 'IfNotPresent' },
      ]),
    );
    expect(server.getPod('ns', 'p')?.containers.map((c) => c.imagePullPolicy)).toEqual([
      'Never',
      'Always',
      'IfNotPresent',
    ]);
  });

  it('AlwaysPullImages rewrites every container to Always, whatever was written', () => {
    const server = api({ alwaysPullImages: true });
    applyOk(
      server,
      multiContainerPod('ns', 'p', [
        { name: 'a', image: 'nginx:1.27', imagePullPolicy: 'Never' },
        { name: 'b', image: 'nginx:1.27', imagePullPolicy: 'IfNotPresent' },
        { name: 'c', image: 'nginx:1.27' },
      ]),
    );
    expect(server.getPod('ns', 'p')?.containers.map((c) => c.imagePullPolicy)).toEqual([
      'Always',
      'Always',
      'Always',
    ]);
  });

  it('fills the pod defaults: the first node, the default service account, restartPolicy Always', () => {
    const server = api({ defaultNode: 'worker-7' });
    applyOk(server, pod('ns', 'p', 'nginx:1.27'), T1);
    const stored = server.getPod('ns', 'p');
    expect(stored).toMatchObject({
      namespace: 'ns',
      name: 'p',
      nodeName: 'worker-7',
      serviceAccountName: 'default',
      restartPolicy: 'Always',
      imagePullSecrets: [],
      createdAt: T1,
    });
    applyOk(server, pod('ns', 'q', 'nginx:1.27', { nodeName: 'node-2', restartPolicy: 'Never' }));
    expect(server.getPod('ns', 'q')).toMatchObject({ nodeName: 'node-2', restartPolicy: 'Never' });
  });

  it('a pod without a namespace goes to `default`', () => {
    const server = api();
    const manifest: PodManifest = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p' },
      spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] },
    };
    const outcome = applyOk(server, manifest);
    expect(outcome.key).toBe('default/p');
    expect(server.getPod('default', 'p')?.namespace).toBe('default');
  });
});

describe('ServiceAccount admission', () => {
  it('a pod that lists no imagePullSecrets inherits its service account’s', () => {
    const server = api();
    applyOk(server, serviceAccount('ns', 'default', { secrets: ['sa-cred', 'sa-cred-2'] }));
    applyOk(server, pod('ns', 'p', 'nginx:1.27'));
    expect(server.getPod('ns', 'p')?.imagePullSecrets).toEqual(['sa-cred', 'sa-cred-2']);
  });

  it('an empty list counts as none (the plugin fills it)', () => {
    const server = api();
    applyOk(server, serviceAccount('ns', 'default', { secrets: ['sa-cred'] }));
    applyOk(server, pod('ns', 'p', 'nginx:1.27', { secrets: [] }));
    expect(server.getPod('ns', 'p')?.imagePullSecrets).toEqual(['sa-cred']);
  });

  it('a pod that lists its own secrets keeps only those (no merge; openshift/origin#31102)', () => {
    const server = api();
    applyOk(server, serviceAccount('ns', 'default', { secrets: ['sa-cred'] }));
    applyOk(server, pod('ns', 'p', 'nginx:1.27', { secrets: ['own'] }));
    expect(server.getPod('ns', 'p')?.imagePullSecrets).toEqual(['own']);
  });

  it('a named service account is used for inheritance, and an empty name means `default`', () => {
    const server = api();
    applyOk(server, serviceAccount('ns', 'default', { secrets: ['default-cred'] }));
    applyOk(server, serviceAccount('ns', 'builder', { secrets: ['builder-cred'] }));
    applyOk(server, pod('ns', 'p', 'nginx:1.27', { serviceAccountName: 'builder' }));
    applyOk(server, pod('ns', 'q', 'nginx:1.27', { serviceAccountName: '' }));
    expect(server.getPod('ns', 'p')).toMatchObject({
      serviceAccountName: 'builder',
      imagePullSecrets: ['builder-cred'],
    });
    expect(server.getPod('ns', 'q')).toMatchObject({
      serviceAccountName: 'default',
      imagePullSecrets: ['default-cred'],
    });
  });

  it('inheritance happens at admission: a later change to the service account does not reach the pod', () => {
    const server = api();
    applyOk(server, pod('ns', 'p', 'nginx:1.27'));
    applyOk(server, serviceAccount('ns', 'default', { secrets: ['late'] }));
    expect(server.getPod('ns', 'p')?.imagePullSecrets).toEqual([]);
  });

  it('every namespace gets a `default` service account with no secrets', () => {
    const server = api();
    applyOk(server, namespace('ns'));
    expect(server.getServiceAccount('ns', 'default')).toMatchObject({
      namespace: 'ns',
      name: 'default',
      imagePullSecrets: [],
    });
    expect(server.getServiceAccount('ns', 'default')?.uid).toMatch(UUID_V4);
  });

  it('a pod naming a service account that does not exist is rejected, and nothing is stored', () => {
    const server = api();
    const outcome = server.apply(pod('ns', 'p', 'nginx:1.27', { serviceAccountName: 'ghost' }), T0);
    expect(outcome).toEqual({
      ok: false,
      kind: 'Pod',
      key: 'ns/p',
      reason: 'error looking up service account ns/ghost: serviceaccount "ghost" not found',
    });
    expect(server.getPod('ns', 'p')).toBeUndefined();
  });
});

describe('secrets', () => {
  const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

  it('`data` is base64-decoded and `stringData` is taken as written; type defaults to Opaque', () => {
    const server = api();
    const manifest: SecretManifest = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { namespace: 'ns', name: 's' },
      data: { '.dockerconfigjson': base64('{"auths":{}}'), other: base64('ünïcödé') },
      stringData: { plain: 'as-is' },
    };
    applyOk(server, manifest);
    expect(server.getSecret('ns', 's')).toMatchObject({
      type: 'Opaque',
      data: { '.dockerconfigjson': '{"auths":{}}', other: 'ünïcödé', plain: 'as-is' },
    });
  });

  it('`stringData` wins over `data` for the same key, as the API server merges them', () => {
    const server = api();
    applyOk(server, {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { namespace: 'ns', name: 's' },
      type: 'kubernetes.io/dockerconfigjson',
      data: { '.dockerconfigjson': base64('from-data') },
      stringData: { '.dockerconfigjson': 'from-stringData' },
    });
    expect(server.getSecret('ns', 's')?.data['.dockerconfigjson']).toBe('from-stringData');
    expect(server.getSecret('ns', 's')?.type).toBe('kubernetes.io/dockerconfigjson');
  });

  it('a rotation (update) keeps the UID and the creation time; the content changes', () => {
    const server = api();
    const first = applyOk(server, dockerConfigSecret('ns', 's', 'r.io', 'u', 'old'), T0);
    const second = applyOk(server, dockerConfigSecret('ns', 's', 'r.io', 'u', 'new'), T1);
    expect(first.change).toBe('created');
    expect(second).toMatchObject({ change: 'updated', uid: first.uid });
    expect(server.getSecret('ns', 's')?.createdAt).toBe(T0);
    expect(server.getSecret('ns', 's')?.data['.dockerconfigjson']).toContain('"new"');
  });

  it('a re-creation (delete, then apply) gets a new UID', () => {
    const server = api();
    const first = applyOk(server, dockerConfigSecret('ns', 's', 'r.io', 'u', 'p'));
    expect(server.delete({ kind: 'Secret', namespace: 'ns', name: 's' })).toEqual({
      deleted: true,
      pods: [],
    });
    expect(server.getSecret('ns', 's')).toBeUndefined();
    const second = applyOk(server, dockerConfigSecret('ns', 's', 'r.io', 'u', 'p'), T1);
    expect(second.change).toBe('created');
    expect(second.uid).not.toBe(first.uid);
    expect(server.getSecret('ns', 's')?.createdAt).toBe(T1);
  });

  it('`metadata.uid` is honoured; a different pinned UID on an existing object is a re-creation', () => {
    const server = api();
    const pinned = (uid: string): SecretManifest => ({
      ...dockerConfigSecret('ns', 's', 'r.io', 'u', 'p'),
      metadata: { namespace: 'ns', name: 's', uid },
    });
    expect(applyOk(server, pinned('uid-1'), T0)).toMatchObject({ change: 'created', uid: 'uid-1' });
    expect(applyOk(server, pinned('uid-1'), T1)).toMatchObject({ change: 'updated', uid: 'uid-1' });
    expect(server.getSecret('ns', 's')?.createdAt).toBe(T0);
    expect(applyOk(server, pinned('uid-2'), T1)).toMatchObject({ change: 'recreated', uid: 'uid-2' });
    expect(server.getSecret('ns', 's')).toMatchObject({ uid: 'uid-2', createdAt: T1 });
  });
});

describe('service accounts and pods keep or change their identity', () => {
  it('a service account update keeps its UID (the implicit `default` one too); a pinned UID is honoured', () => {
    const server = api();
    applyOk(server, namespace('ns'));
    const implicit = server.getServiceAccount('ns', 'default')?.uid;
    expect(applyOk(server, serviceAccount('ns', 'default', { secrets: ['x'] }))).toMatchObject({
      change: 'updated',
      uid: implicit,
    });
    expect(applyOk(server, serviceAccount('ns', 'ci', { uid: 'sa-uid' }))).toMatchObject({
      change: 'created',
      uid: 'sa-uid',
    });
    expect(applyOk(server, serviceAccount('ns', 'ci', { uid: 'sa-uid-2' }))).toMatchObject({
      change: 'recreated',
      uid: 'sa-uid-2',
    });
    server.delete({ kind: 'ServiceAccount', namespace: 'ns', name: 'ci' });
    const again = applyOk(server, serviceAccount('ns', 'ci'));
    expect(again.change).toBe('created');
    expect(again.uid).not.toBe('sa-uid-2');
  });

  it('re-applying a pod replaces it with a new UID unless the manifest pins the same UID', () => {
    const server = api();
    const first = applyOk(server, pod('ns', 'p', 'nginx:1.27'), T0);
    const second = applyOk(server, pod('ns', 'p', 'nginx:1.27'), T1);
    expect(first.change).toBe('created');
    expect(second.change).toBe('recreated');
    expect(second.uid).not.toBe(first.uid);
    expect(server.getPod('ns', 'p')?.createdAt).toBe(T1);

    const pinned = applyOk(server, pod('ns', 'q', 'nginx:1.27', { uid: 'pod-uid' }), T0);
    expect(pinned).toMatchObject({ change: 'created', uid: 'pod-uid' });
    const update = applyOk(server, pod('ns', 'q', 'nginx:1.28', { uid: 'pod-uid' }), T1);
    expect(update).toMatchObject({ change: 'updated', uid: 'pod-uid' });
    expect(server.getPod('ns', 'q')).toMatchObject({ createdAt: T0 });
    expect(server.getPod('ns', 'q')?.containers[0]?.image).toBe('nginx:1.28');
  });
});

describe('namespaces and deletion', () => {
  it('a namespace apply creates it once (its `metadata.uid` honoured); a second apply is an update', () => {
    const server = api();
    expect(applyOk(server, namespace('ns', 'ns-uid'))).toEqual({
      ok: true,
      kind: 'Namespace',
      key: 'ns',
      change: 'created',
      uid: 'ns-uid',
    });
    expect(applyOk(server, namespace('ns', 'other'))).toMatchObject({ change: 'updated', uid: 'ns-uid' });
  });

  it('namespaces are created implicitly by the first object that names them, listed sorted by name', () => {
    const server = api();
    applyOk(server, pod('zeta', 'p', 'nginx:1.27'));
    applyOk(server, dockerConfigSecret('alpha', 's', 'r.io', 'u', 'p'));
    expect(server.namespaces().map(([name]) => name)).toEqual(['alpha', 'zeta']);
    expect(server.namespaces()[0]?.[1].uid).toMatch(UUID_V4);
  });

  it('deleting a namespace deletes its pods (returned sorted by name), secrets and service accounts', () => {
    const server = api();
    applyOk(server, dockerConfigSecret('ns', 's', 'r.io', 'u', 'p'));
    applyOk(server, pod('ns', 'b', 'nginx:1.27'));
    applyOk(server, pod('ns', 'a', 'nginx:1.27'));
    applyOk(server, pod('other', 'c', 'nginx:1.27'));
    const removed = server.delete({ kind: 'Namespace', name: 'ns' });
    expect(removed.deleted).toBe(true);
    expect(removed.pods.map((p) => `${p.namespace}/${p.name}`)).toEqual(['ns/a', 'ns/b']);
    expect(server.getPod('ns', 'a')).toBeUndefined();
    expect(server.getSecret('ns', 's')).toBeUndefined();
    expect(server.getServiceAccount('ns', 'default')).toBeUndefined();
    expect(server.getPod('other', 'c')).toBeDefined();
    expect(server.delete({ kind: 'Namespace', name: 'ns' })).toEqual({ deleted: false, pods: [] });
  });

  it('deleting a pod returns it; deleting what does not exist reports nothing deleted', () => {
    const server = api();
    applyOk(server, pod('ns', 'p', 'nginx:1.27'));
    const removed = server.delete({ kind: 'Pod', namespace: 'ns', name: 'p' });
    expect(removed.deleted).toBe(true);
    expect(removed.pods.map((p) => p.name)).toEqual(['p']);
    expect(server.delete({ kind: 'Pod', namespace: 'ns', name: 'p' })).toEqual({ deleted: false, pods: [] });
    expect(server.delete({ kind: 'Secret', namespace: 'nowhere', name: 's' })).toEqual({
      deleted: false,
      pods: [],
    });
    expect(server.delete({ kind: 'ServiceAccount', name: 'default' })).toEqual({ deleted: false, pods: [] });
  });

  it('stored objects are frozen: a change replaces them, so what a reader holds never changes', () => {
    const server = api();
    applyOk(server, dockerConfigSecret('ns', 's', 'r.io', 'u', 'p'));
    applyOk(server, pod('ns', 'p', 'nginx:1.27'));
    const secret = server.getSecret('ns', 's');
    const stored = server.getPod('ns', 'p');
    expect(Object.isFrozen(stored)).toBe(true);
    expect(Object.isFrozen(secret)).toBe(true);
    expect(Object.isFrozen(secret?.data)).toBe(true);
    expect(Object.isFrozen(server.getServiceAccount('ns', 'default'))).toBe(true);
    applyOk(server, dockerConfigSecret('ns', 's', 'r.io', 'u', 'other'));
    applyOk(server, pod('ns', 'p', 'nginx:1.28'));
    expect(server.getSecret('ns', 's')).not.toBe(secret);
    expect(stored?.containers[0]?.image).toBe('nginx:1.27');
    expect(server.getPod('ns', 'p')?.containers[0]?.image).toBe('nginx:1.28');
  });
});

describe('UIDs', () => {
  function uidsFor(seed: number): string[] {
    const server = api({ seed });
    return [
      applyOk(server, namespace('ns')).uid,
      applyOk(server, dockerConfigSecret('ns', 's', 'r.io', 'u', 'p')).uid,
      applyOk(server, serviceAccount('ns', 'ci')).uid,
      applyOk(server, pod('ns', 'p', 'nginx:1.27', { serviceAccountName: 'ci' })).uid,
    ];
  }

  it('are version-4-shaped, distinct, and the same for the same seed', () => {
    const one = uidsFor(7);
    expect(one.every((uid) => UUID_V4.test(uid))).toBe(true);
    expect(new Set(one).size).toBe(one.length);
    expect(uidsFor(7)).toEqual(one);
  });

  it('differ between seeds', () => {
    expect(uidsFor(8)).not.toEqual(uidsFor(7));
  });
});
