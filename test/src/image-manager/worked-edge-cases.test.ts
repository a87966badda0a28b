import { describe, expect, it } from 'vitest';
import type { PullImageJob, PullImageJobResult } from '../../../src/image-manager/index.js';
import type { KubeletImageConfig } from '../../../src/kubelet.js';
import type { KubeletVersion } from '../../../src/profiles.js';
import {
  credentialHashOf,
  dockerConfigJsonSecret,
  ensureRequest,
  intentPath,
  pullFailed,
  pullSucceeded,
  recordPath,
  seconds,
  startTestNode,
  type TestNode,
} from '../../support/kubelet-fakes.js';
import { readJson } from '../../support/pull-records.js';

/**
 * The worked edge cases of docs/kubelet-model.md#worked-edge-cases, one named test each. Unless a case says
 * otherwise: gate on (1.36), policy NeverVerifyPreloadedImages, credential-mapping key = normalised name.
 */

const APP = 'reg.io/p/app:1';
const APP_REF = `sha256:${'a'.repeat(64)}`;
const NGINX_REF = `sha256:${'c'.repeat(64)}`;
const ALLOWED = 'already present on machine and can be accessed by the pod';
const NEVER = (image: string) => `Container image "${image}" is not present with pull policy of Never`;

interface RegistrySpec {
  readonly imageRef: string;
  /** Credentials the registry accepts; none = it answers everyone (public). */
  readonly accepts?: readonly { username: string; password: string }[];
}

/**
 * kuberuntime's PullImage against a simple registry: with no credentials one anonymous pull; otherwise the
 * credentials in keyring order, the first accepted one wins; all rejected → the pull fails
 * (docs/kubelet-model.md#the-pull-path, step 5).
 */
function registry(spec: RegistrySpec): (job: PullImageJob) => PullImageJobResult {
  const accepts = spec.accepts;
  return (job) => {
    if (job.credentials.length === 0) {
      return accepts === undefined
        ? pullSucceeded(spec.imageRef)
        : pullFailed('unauthorized: authentication required');
    }
    const used = job.credentials.find(
      (c) =>
        accepts === undefined || accepts.some((a) => a.username === c.username && a.password === c.password),
    );
    return used === undefined
      ? pullFailed('unauthorized: authentication required')
      : pullSucceeded(spec.imageRef, { credentialsUsed: used });
  };
}

function node(config: KubeletImageConfig = {}, version: KubeletVersion = '1.36'): TestNode {
  return startTestNode({ version, config });
}

const secretIn = (namespace: string, name: string, username: string, password: string, uid?: string) =>
  dockerConfigJsonSecret({
    namespace,
    name,
    registry: 'reg.io',
    username,
    password,
    ...(uid === undefined ? {} : { uid }),
  });

const pod = (namespace: string, name: string) => ({ namespace, name, uid: `uid-${namespace}-${name}` });

/** Pod A (namespace a, secret sa1) pulls the private app image; the runtime then holds it. */
function pulledByPodA(n: TestNode) {
  const sa1 = secretIn('a', 'sa1', 'alice', 'pw1', 'uidA');
  const result = n.ensure(
    ensureRequest(APP, 'IfNotPresent', { pod: pod('a', 'pod-a'), pullSecrets: [sa1] }),
    registry({ imageRef: APP_REF, accepts: [{ username: 'alice', password: 'pw1' }] }),
  ).result;
  expect(result).toMatchObject({ ok: true, pulled: true });
  n.images.add({ id: APP_REF, repoTags: [APP] });
  return sa1;
}

describe('worked edge cases (docs/kubelet-model.md)', () => {
  it('case 1 a preloaded image is used without a pull or a record, with IfNotPresent and with Never', () => {
    const n = node();
    n.images.add({ id: NGINX_REF, repoTags: ['docker.io/library/nginx:1.27'] }, 'nginx:1.27');
    for (const policy of ['IfNotPresent', 'Never'] as const) {
      const { result, job } = n.ensure(ensureRequest('nginx:1.27', policy));
      expect(job).toBeUndefined();
      expect(result).toEqual({
        ok: true,
        imageRef: NGINX_REF,
        message: `Container image "nginx:1.27" ${ALLOWED}`,
        pulled: false,
        verification: {
          mustPull: false,
          result: 'credentialPolicyAllowed',
          why: 'preloaded image exempt by policy',
          match: { kind: 'policy', pulledByKubelet: false },
        },
      });
    }
    expect(n.fs.list('/var/lib/kubelet/image_manager/pulled')).toEqual([]);
    expect(n.fs.list('/var/lib/kubelet/image_manager/pulling')).toEqual([]);
  });

  it('case 2 AlwaysVerify: IfNotPresent pulls anonymously and records node-wide; Never fails ErrImageNeverPull', () => {
    const n = node({ imagePullCredentialsVerificationPolicy: 'AlwaysVerify' });
    n.images.add({ id: NGINX_REF, repoTags: ['docker.io/library/nginx:1.27'] }, 'nginx:1.27');
    expect(n.ensure(ensureRequest('nginx:1.27', 'Never')).result).toEqual({
      ok: false,
      reason: 'ErrImageNeverPull',
      message: NEVER('nginx:1.27'),
    });
    const { job } = n.ensure(ensureRequest('nginx:1.27', 'IfNotPresent'), registry({ imageRef: NGINX_REF }));
    expect(job?.credentials).toEqual([]);
    expect(readJson(n.fs, recordPath(NGINX_REF))).toMatchObject({
      credentialMapping: { 'docker.io/library/nginx': { nodePodsAccessible: true } },
    });
  });

  it('case 3 another namespace without the secret must pull (and fails on a private registry); an identical secret is accepted by hash', () => {
    const n = node();
    pulledByPodA(n);
    const h1 = credentialHashOf('alice', 'pw1');
    expect(readJson(n.fs, recordPath(APP_REF))).toMatchObject({
      credentialMapping: {
        'reg.io/p/app': {
          kubernetesSecrets: [{ uid: 'uidA', namespace: 'a', name: 'sa1', credentialHash: h1 }],
        },
      },
    });

    // Pod B (namespace b, no secret): verification fails → a credential-less pull attempt → ErrImagePull, back-off.
    const privateRegistry = registry({
      imageRef: APP_REF,
      accepts: [{ username: 'alice', password: 'pw1' }],
    });
    const podB = ensureRequest(APP, 'IfNotPresent', { pod: pod('b', 'pod-b') });
    const first = n.ensure(podB, privateRegistry);
    expect(first.job?.credentials).toEqual([]);
    expect(first.result).toMatchObject({ ok: false, reason: 'ErrImagePull' });
    expect(n.ensure(podB).result).toMatchObject({ ok: false, reason: 'ImagePullBackOff' });
    // Pod B with Never: presence is hidden.
    expect(n.ensure(ensureRequest(APP, 'Never', { pod: pod('b', 'pod-b2') })).result).toEqual({
      ok: false,
      reason: 'ErrImageNeverPull',
      message: NEVER(APP),
    });

    // Pod C (namespace c) with a different secret holding the same username/password: no pull; the record gains it.
    const sc = secretIn('c', 'sc', 'alice', 'pw1', 'uidC');
    const c = n.ensure(ensureRequest(APP, 'IfNotPresent', { pod: pod('c', 'pod-c'), pullSecrets: [sc] }));
    expect(c.job).toBeUndefined();
    expect(c.result).toMatchObject({ ok: true, pulled: false });
    expect(readJson(n.fs, recordPath(APP_REF))).toMatchObject({
      credentialMapping: {
        'reg.io/p/app': {
          kubernetesSecrets: [
            { uid: 'uidA', namespace: 'a', name: 'sa1', credentialHash: h1 },
            { uid: 'uidC', namespace: 'c', name: 'sc', credentialHash: h1 },
          ],
        },
      },
    });
  });

  it('case 4 a secret rotated in place (same UID, new password) matches by coordinates; the stored hash becomes the new one', () => {
    const n = node();
    pulledByPodA(n);
    const rotated = secretIn('a', 'sa1', 'alice', 'pw2', 'uidA');
    const { result, job } = n.ensure(
      ensureRequest(APP, 'IfNotPresent', { pod: pod('a', 'pod-a2'), pullSecrets: [rotated] }),
    );
    expect(job).toBeUndefined();
    expect(result).toMatchObject({ ok: true, pulled: false });
    expect(readJson(n.fs, recordPath(APP_REF))).toMatchObject({
      credentialMapping: {
        'reg.io/p/app': {
          kubernetesSecrets: [
            { uid: 'uidA', namespace: 'a', name: 'sa1', credentialHash: credentialHashOf('alice', 'pw2') },
          ],
        },
      },
    });
  });

  it('case 5 a secret re-created with a new UID: the same content matches by hash and is added; other content must pull', () => {
    const n = node();
    pulledByPodA(n);
    const same = secretIn('a', 'sa1', 'alice', 'pw1', 'uidA-new');
    expect(
      n.ensure(ensureRequest(APP, 'IfNotPresent', { pod: pod('a', 'p2'), pullSecrets: [same] })).job,
    ).toBeUndefined();
    expect(readJson(n.fs, recordPath(APP_REF))).toMatchObject({
      credentialMapping: {
        'reg.io/p/app': { kubernetesSecrets: [{ uid: 'uidA' }, { uid: 'uidA-new' }] },
      },
    });
    const other = secretIn('a', 'sa1', 'alice', 'different', 'uidA-newer');
    const { job } = n.ensure(
      ensureRequest(APP, 'IfNotPresent', { pod: pod('a', 'p3'), pullSecrets: [other] }),
      registry({ imageRef: APP_REF, accepts: [{ username: 'alice', password: 'pw1' }] }),
    );
    expect(job).toBeDefined();
  });

  it('case 6 a pull with node-level credentials only makes the image node-wide; a pod secret tried first wins if it works', () => {
    const n = node();
    n.sources.nodeConfig = { 'reg.io': { username: 'node', password: 'npw' } };
    n.ensure(
      ensureRequest(APP, 'IfNotPresent'),
      registry({ imageRef: APP_REF, accepts: [{ username: 'node', password: 'npw' }] }),
    );
    n.images.add({ id: APP_REF, repoTags: [APP] });
    expect(readJson(n.fs, recordPath(APP_REF))).toMatchObject({
      credentialMapping: { 'reg.io/p/app': { nodePodsAccessible: true } },
    });
    const anyone = n.ensure(ensureRequest(APP, 'Never', { pod: pod('z', 'anyone') }));
    expect(anyone.result).toMatchObject({ ok: true, message: `Container image "${APP}" ${ALLOWED}` });

    const m = node();
    m.sources.nodeConfig = { 'reg.io': { username: 'node', password: 'npw' } };
    const secret = secretIn('a', 'sa1', 'alice', 'pw1');
    const { job } = m.ensure(
      ensureRequest(APP, 'IfNotPresent', { pod: pod('a', 'pod-a'), pullSecrets: [secret] }),
      registry({
        imageRef: APP_REF,
        accepts: [
          { username: 'alice', password: 'pw1' },
          { username: 'node', password: 'npw' },
        ],
      }),
    );
    expect(job?.credentials.map((c) => c.username)).toEqual(['alice', 'node']);
    expect(readJson(m.fs, recordPath(APP_REF))).toMatchObject({
      credentialMapping: { 'reg.io/p/app': { kubernetesSecrets: [{ name: 'sa1' }] } },
    });
  });

  it('case 7 the same image ID under a second name poisons the preloaded name (kubernetes/kubernetes#138175)', () => {
    const n = node();
    const shared = `sha256:${'6'.repeat(64)}`;
    n.images.add({ id: shared, repoTags: ['quay.io/x/pub:foo', 'quay.io/x/priv:foo'] });
    const pub = ensureRequest('quay.io/x/pub:foo', 'Never', { pod: pod('p', 'pub-1') });
    expect(n.ensure(pub).result).toMatchObject({ ok: true });

    const secret = dockerConfigJsonSecret({
      namespace: 't',
      name: 'robot',
      registry: 'quay.io',
      username: 'r',
      password: 'p',
    });
    n.ensure(
      ensureRequest('quay.io/x/priv:foo', 'Always', { pod: pod('t', 'priv'), pullSecrets: [secret] }),
      registry({ imageRef: shared, accepts: [{ username: 'r', password: 'p' }] }),
    );

    expect(n.ensure(ensureRequest('quay.io/x/pub:foo', 'Never', { pod: pod('p', 'pub-2') })).result).toEqual({
      ok: false,
      reason: 'ErrImageNeverPull',
      message: NEVER('quay.io/x/pub:foo'),
    });
    const reload = n.ensure(
      ensureRequest('quay.io/x/pub:foo', 'IfNotPresent', { pod: pod('p', 'pub-3') }),
      registry({ imageRef: shared }),
    );
    expect(reload.job?.credentials).toEqual([]);
    expect(reload.result).toMatchObject({ ok: true, pulled: true });
  });

  describe('case 8 the kubelet crashed in the middle of a pull', () => {
    function crashMidPull(image: string) {
      const n = node();
      const process = n.stack.imageManager.ensureImageExists(ensureRequest(image, 'IfNotPresent'));
      expect(process.next().done).toBe(false); // the pull job is out; the kubelet dies here
      expect(n.fs.exists(intentPath(image))).toBe(true);
      return n;
    }

    it('an intent whose string the runtime reports as a tag becomes a credential-less record at restart', () => {
      const n = crashMidPull('docker.io/library/nginx:1.27');
      n.images.add({ id: NGINX_REF, repoTags: ['docker.io/library/nginx:1.27'] });
      const restarted = n.restart();
      expect(restarted.fs.exists(intentPath('docker.io/library/nginx:1.27'))).toBe(false);
      expect(readJson(restarted.fs, recordPath(NGINX_REF))).not.toHaveProperty('credentialMapping');
      // Every later use of any name with that imageRef needs verification: here a pull.
      const { job } = restarted.ensure(
        ensureRequest('docker.io/library/nginx:1.27', 'IfNotPresent'),
        registry({ imageRef: NGINX_REF }),
      );
      expect(job).toBeDefined();
    });

    it('an intent that matches nothing stays; the string is kubelet-pulled until a later pull of it finishes', () => {
      const n = crashMidPull('nginx');
      n.images.add({ id: NGINX_REF, repoTags: ['docker.io/library/nginx:latest'] }, 'nginx:latest');
      const restarted = n.restart();
      expect(restarted.fs.exists(intentPath('nginx'))).toBe(true);
      const { job } = restarted.ensure(ensureRequest('nginx', 'IfNotPresent'), pullFailed('registry down'));
      expect(job).toBeDefined();
      // The failed pull's decrement (counter ≤ 1) removed the leftover intent.
      expect(restarted.fs.exists(intentPath('nginx'))).toBe(false);
    });
  });

  it('case 9 Always pulls are recorded, so a later switch to IfNotPresent is verified against them', () => {
    const n = node();
    const secret = secretIn('a', 'sa1', 'alice', 'pw1');
    const privateRegistry = registry({
      imageRef: APP_REF,
      accepts: [{ username: 'alice', password: 'pw1' }],
    });
    n.ensure(ensureRequest(APP, 'Always', { pod: pod('a', 'a1'), pullSecrets: [secret] }), privateRegistry);
    n.images.add({ id: APP_REF, repoTags: [APP] });
    expect(n.stack.pullManager.mustPullChecks).toEqual({
      credentialPolicyAllowed: 0,
      credentialRecordFound: 0,
      mustAuthenticate: 0,
      error: 0,
    });
    expect(
      n.ensure(ensureRequest(APP, 'IfNotPresent', { pod: pod('a', 'a2'), pullSecrets: [secret] })).job,
    ).toBeUndefined();
    expect(
      n.ensure(ensureRequest(APP, 'IfNotPresent', { pod: pod('b', 'b1') }), privateRegistry).job,
    ).toBeDefined();
  });

  it('case 10 in back-off with the gate on, every refusal writes an intent and releases it at once', () => {
    const n = node();
    n.ensure(ensureRequest(APP, 'IfNotPresent'), pullFailed('unauthorized'));
    for (let i = 0; i < 3; i++) {
      n.fs.clearLog();
      n.clock.advance(seconds(1));
      expect(n.ensure(ensureRequest(APP, 'IfNotPresent')).result).toMatchObject({
        reason: 'ImagePullBackOff',
      });
      expect(n.fs.log.filter((e) => e.to === intentPath(APP)).map((e) => e.op)).toEqual(['rename']);
      expect(n.fs.log.filter((e) => e.path === intentPath(APP)).map((e) => e.op)).toEqual(['remove']);
    }
    expect(n.fs.exists(intentPath(APP))).toBe(false);
  });

  it.each([
    ['1.36', 'POL-new: docker.io/library/nginx matches → never verified', true],
    ['1.35', 'POL-old: raw "nginx" does not match → verified (no record → ErrImageNeverPull)', false],
  ] as const)(
    'case 11 allowlist docker.io/library/* and pod image "nginx" in %s: %s',
    (version, _what, allowed) => {
      const n = node(
        {
          imagePullCredentialsVerificationPolicy: 'NeverVerifyAllowlistedImages',
          preloadedImagesVerificationAllowlist: ['docker.io/library/*'],
        },
        version,
      );
      n.images.add({ id: NGINX_REF, repoTags: ['docker.io/library/nginx:latest'] }, 'nginx:latest');
      const { result } = n.ensure(ensureRequest('nginx', 'Never'));
      if (allowed) expect(result).toMatchObject({ ok: true, message: `Container image "nginx" ${ALLOWED}` });
      else expect(result).toEqual({ ok: false, reason: 'ErrImageNeverPull', message: NEVER('nginx') });
      // With IfNotPresent the verified case pulls.
      const ifNotPresent = n.ensure(
        ensureRequest('nginx', 'IfNotPresent'),
        registry({ imageRef: NGINX_REF }),
      );
      expect(ifNotPresent.job === undefined).toBe(allowed);
    },
  );

  describe('case 12 kubernetes/kubernetes#137024: a pod without secrets after a pull with a service-account-injected secret', () => {
    const secretOfSa = () => secretIn('a', 'default-dockercfg', 'alice', 'pw1');

    it('under the merged rules pod B must pull: it does not start with "…can be accessed by the pod"', () => {
      const n = node();
      n.ensure(
        ensureRequest(APP, 'IfNotPresent', { pod: pod('a', 'pod-a'), pullSecrets: [secretOfSa()] }),
        registry({ imageRef: APP_REF, accepts: [{ username: 'alice', password: 'pw1' }] }),
      );
      n.images.add({ id: APP_REF, repoTags: [APP] });
      const b = n.ensure(
        ensureRequest(APP, 'IfNotPresent', { pod: pod('b', 'pod-b') }),
        registry({ imageRef: APP_REF, accepts: [{ username: 'alice', password: 'pw1' }] }),
      );
      expect(b.job).toBeDefined();
      expect(b.result).toMatchObject({ ok: false, reason: 'ErrImagePull' });
    });

    it('only a node-wide entry (an anonymous pull), a preloaded image or a policy exemption let pod B start', () => {
      // Anonymous pull by pod A (no credentials matched the registry key): node-wide.
      const anonymous = node();
      anonymous.ensure(
        ensureRequest(APP, 'IfNotPresent', { pod: pod('a', 'pod-a') }),
        registry({ imageRef: APP_REF }),
      );
      anonymous.images.add({ id: APP_REF, repoTags: [APP] });
      expect(
        anonymous.ensure(ensureRequest(APP, 'IfNotPresent', { pod: pod('b', 'pod-b') })).result,
      ).toMatchObject({
        ok: true,
        message: `Container image "${APP}" ${ALLOWED}`,
      });

      // Preloaded: no record and no intent for this imageRef and string.
      const preloaded = node();
      preloaded.images.add({ id: APP_REF, repoTags: [APP] });
      expect(
        preloaded.ensure(ensureRequest(APP, 'IfNotPresent', { pod: pod('b', 'pod-b') })).job,
      ).toBeUndefined();

      // A policy exemption: NeverVerify.
      const exempt = node({ imagePullCredentialsVerificationPolicy: 'NeverVerify' });
      exempt.ensure(
        ensureRequest(APP, 'IfNotPresent', { pod: pod('a', 'pod-a'), pullSecrets: [secretOfSa()] }),
        registry({ imageRef: APP_REF, accepts: [{ username: 'alice', password: 'pw1' }] }),
      );
      exempt.images.add({ id: APP_REF, repoTags: [APP] });
      expect(
        exempt.ensure(ensureRequest(APP, 'IfNotPresent', { pod: pod('b', 'pod-b') })).job,
      ).toBeUndefined();
    });
  });
});
