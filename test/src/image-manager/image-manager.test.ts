import { describe, expect, it } from 'vitest';
import type { TrackedAuthConfig } from '../../../src/credentials/index.js';
import {
  Backoff,
  ImageManager,
  type PullPolicy,
  trackedToImagePullCreds,
} from '../../../src/image-manager/index.js';
import type { KubeletImageConfig } from '../../../src/kubelet.js';
import type { KubeletVersion } from '../../../src/profiles.js';
import {
  brokenSecret,
  credentialHashOf,
  dockerConfigJsonSecret,
  ensureRequest,
  fakePlugin,
  intentPath,
  PULLED_DIR,
  pullFailed,
  pullSucceeded,
  recordPath,
  seconds,
  startTestNode,
  T0,
  type TestNode,
} from '../../support/kubelet-fakes.js';
import { readJson } from '../../support/pull-records.js';

const NGINX_REF = `sha256:${'1'.repeat(64)}`;
const APP_REF = `sha256:${'2'.repeat(64)}`;

const GATE_ON: KubeletImageConfig = { featureGates: { KubeletEnsureSecretPulledImages: true } };
const GATE_OFF: KubeletImageConfig = { featureGates: { KubeletEnsureSecretPulledImages: false } };

/** A node with `nginx` (resolvable as `nginx:latest`) present in the runtime. */
function nodeWithNginx(options: { version?: KubeletVersion; config?: KubeletImageConfig } = {}): TestNode {
  const node = startTestNode({ version: options.version ?? '1.36', config: options.config ?? GATE_ON });
  node.images.add({ id: NGINX_REF, repoTags: ['docker.io/library/nginx:latest'] }, 'nginx:latest');
  return node;
}

const podRef = {
  kind: 'Pod',
  namespace: 'default',
  name: 'pod-a',
  uid: 'uid-pod-a',
  container: 'app',
} as const;

// -----------------------------------------------------------------------------------------------------------------
// EnsureImageExists, steps A and B (docs/kubelet-model.md#ensureimageexists)

describe('step A: the default tag (EnsureImageExists)', () => {
  it('an image that does not parse fails with InspectFailed and InvalidImageName', () => {
    const node = startTestNode();
    const { result, job } = node.ensure(ensureRequest('ROOT', 'IfNotPresent'));
    expect(job).toBeUndefined();
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.reason).toBe('InvalidImageName');
    expect(result.message).toMatch(
      /^Failed to apply default image tag "ROOT": couldn't parse image name "ROOT": /,
    );
    expect(result.message).toContain('must be lowercase');
    expect(node.recorder.summary()).toEqual([['Warning', 'InspectFailed', result.message]]);
    expect(node.images.statusCalls).toEqual([]);
  });

  it.each([
    ['nginx', 'nginx:latest'],
    ['docker.io/library/nginx', 'docker.io/library/nginx:latest'],
    ['nginx:1.27', 'nginx:1.27'],
    [`nginx@sha256:${'a'.repeat(64)}`, `nginx@sha256:${'a'.repeat(64)}`],
    ['localhost:5000/app', 'localhost:5000/app:latest'],
  ])(
    '%s is sent to the CRI as %s (":latest" appended to the raw string, nothing else)',
    (image, specImage) => {
      const node = startTestNode();
      node.ensure(ensureRequest(image, 'IfNotPresent'), pullSucceeded(NGINX_REF));
      expect(node.images.statusCalls).toEqual([specImage]);
    },
  );
});

describe('step B: imagePullPrecheck (image_manager.go)', () => {
  it('Always never inspects the image', () => {
    const node = nodeWithNginx();
    const { job } = node.ensure(ensureRequest('nginx', 'Always'), pullSucceeded(NGINX_REF));
    expect(job?.image).toBe('nginx:latest');
    expect(node.images.statusCalls).toEqual([]);
  });

  it.each(['IfNotPresent', 'Never'] as const)(
    '%s: an inspection error → InspectFailed "Failed to inspect image \\"\\": <err>", ImageInspectError',
    (policy) => {
      const node = startTestNode();
      node.images.statusError = 'rpc error: code = Unavailable desc = connection refused';
      const { result } = node.ensure(ensureRequest('nginx', policy));
      expect(result).toEqual({
        ok: false,
        reason: 'ImageInspectError',
        message: 'Failed to inspect image "": rpc error: code = Unavailable desc = connection refused',
      });
      expect(node.recorder.summary()).toEqual([
        [
          'Warning',
          'InspectFailed',
          'Failed to inspect image "": rpc error: code = Unavailable desc = connection refused',
        ],
      ]);
    },
  );
});

// -----------------------------------------------------------------------------------------------------------------
// The decision table (docs/kubelet-model.md#ensureimageexists)

describe('the decision table: pull policy × presence × feature gate (EnsureImageExists)', () => {
  const PRESENT_LEGACY = 'Container image "nginx" already present on machine';
  const PRESENT_VERIFIED =
    'Container image "nginx" already present on machine and can be accessed by the pod';
  const NEVER = 'Container image "nginx" is not present with pull policy of Never';

  type Row = [PullPolicy, 'present' | 'absent', 'pull' | 'local' | 'never'];

  describe.each([
    ['1.33', GATE_OFF],
    ['1.36', GATE_OFF],
  ] as const)('gate OFF (legacy, %s)', (version, config) => {
    it.each<Row>([
      ['Always', 'absent', 'pull'],
      ['Always', 'present', 'pull'],
      ['IfNotPresent', 'absent', 'pull'],
      ['IfNotPresent', 'present', 'local'],
      ['Never', 'absent', 'never'],
      ['Never', 'present', 'local'],
    ])('%s | %s → %s', (policy, presence, outcome) => {
      const node =
        presence === 'present' ? nodeWithNginx({ version, config }) : startTestNode({ version, config });
      const { result, job } = node.ensure(ensureRequest('nginx', policy), pullSucceeded(NGINX_REF));
      if (outcome === 'pull') {
        expect(job?.image).toBe('nginx:latest');
        expect(result).toEqual({ ok: true, imageRef: NGINX_REF, message: '', pulled: true });
      } else if (outcome === 'local') {
        expect(job).toBeUndefined();
        expect(result).toEqual({ ok: true, imageRef: NGINX_REF, message: PRESENT_LEGACY, pulled: false });
        expect(node.recorder.summary()).toEqual([['Normal', 'Pulled', PRESENT_LEGACY]]);
      } else {
        expect(result).toEqual({ ok: false, reason: 'ErrImageNeverPull', message: NEVER });
        expect(node.recorder.summary()).toEqual([['Warning', 'ErrImageNeverPull', NEVER]]);
      }
      // Gate off: no pull manager, no records at all.
      expect(node.fs.exists('/var/lib/kubelet/image_manager')).toBe(false);
    });
  });

  describe('gate ON', () => {
    it('Always → pull; MustAttemptImagePull is never consulted, but the pull is recorded', () => {
      const node = nodeWithNginx({
        config: { ...GATE_ON, imagePullCredentialsVerificationPolicy: 'AlwaysVerify' },
      });
      const { result } = node.ensure(ensureRequest('nginx', 'Always'), (job) => {
        // The intent is on disk while the pull runs.
        expect(node.fs.exists(intentPath('nginx'))).toBe(true);
        return pullSucceeded(NGINX_REF, { credentialsUsed: job.credentials[0] });
      });
      expect(result).toMatchObject({ ok: true, pulled: true });
      expect(node.stack.pullManager.mustPullChecks).toEqual({
        credentialPolicyAllowed: 0,
        credentialRecordFound: 0,
        mustAuthenticate: 0,
        error: 0,
      });
      expect(node.fs.exists(intentPath('nginx'))).toBe(false);
      expect(node.fs.exists(recordPath(NGINX_REF))).toBe(true);
    });

    it('IfNotPresent | absent → pull, recorded (intent before, record and intent removal after)', () => {
      const node = startTestNode();
      node.ensure(ensureRequest('nginx', 'IfNotPresent'), () => {
        expect(node.fs.exists(intentPath('nginx'))).toBe(true);
        return pullSucceeded(NGINX_REF);
      });
      expect(node.fs.exists(intentPath('nginx'))).toBe(false);
      expect(node.fs.exists(recordPath(NGINX_REF))).toBe(true);
    });

    it('IfNotPresent | present | MAIP=false → local image, "…and can be accessed by the pod"', () => {
      const node = nodeWithNginx();
      const { result, job } = node.ensure(ensureRequest('nginx', 'IfNotPresent'));
      expect(job).toBeUndefined();
      expect(result).toEqual({
        ok: true,
        imageRef: NGINX_REF,
        message: PRESENT_VERIFIED,
        pulled: false,
        // A preloaded image (no record, no intent) is exempt under the default policy.
        verification: {
          mustPull: false,
          result: 'credentialPolicyAllowed',
          why: 'preloaded image exempt by policy',
          match: { kind: 'policy', pulledByKubelet: false },
        },
      });
      expect(node.recorder.events).toEqual([
        { object: podRef, type: 'Normal', reason: 'Pulled', message: PRESENT_VERIFIED },
      ]);
    });

    it('IfNotPresent | present | MAIP=true → pull, recorded', () => {
      const node = nodeWithNginx({
        config: { ...GATE_ON, imagePullCredentialsVerificationPolicy: 'AlwaysVerify' },
      });
      const { result, job } = node.ensure(ensureRequest('nginx', 'IfNotPresent'), pullSucceeded(NGINX_REF));
      expect(job).toBeDefined();
      expect(result).toMatchObject({ ok: true, pulled: true });
      expect(node.stack.pullManager.mustPullChecks.mustAuthenticate).toBe(1);
      expect(node.fs.exists(recordPath(NGINX_REF))).toBe(true);
    });

    it('Never | absent → ErrImageNeverPull', () => {
      const node = startTestNode();
      expect(node.ensure(ensureRequest('nginx', 'Never')).result).toEqual({
        ok: false,
        reason: 'ErrImageNeverPull',
        message: NEVER,
      });
    });

    it('Never | present | MAIP=false → local image, "…and can be accessed by the pod"', () => {
      const node = nodeWithNginx();
      expect(node.ensure(ensureRequest('nginx', 'Never')).result).toEqual({
        ok: true,
        imageRef: NGINX_REF,
        message: PRESENT_VERIFIED,
        pulled: false,
        verification: {
          mustPull: false,
          result: 'credentialPolicyAllowed',
          why: 'preloaded image exempt by policy',
          match: { kind: 'policy', pulledByKubelet: false },
        },
      });
    });

    it('Never | present | MAIP=true → ErrImageNeverPull with the same "is not present" message (presence hidden)', () => {
      const node = nodeWithNginx({
        config: { ...GATE_ON, imagePullCredentialsVerificationPolicy: 'AlwaysVerify' },
      });
      const { result, job } = node.ensure(ensureRequest('nginx', 'Never'));
      expect(job).toBeUndefined();
      expect(result).toEqual({ ok: false, reason: 'ErrImageNeverPull', message: NEVER });
      expect(node.recorder.summary()).toEqual([['Warning', 'ErrImageNeverPull', NEVER]]);
      expect(node.fs.exists(intentPath('nginx'))).toBe(false);
    });

    it('a MAIP error (lazy credential lookup) fails EnsureImageExists with that text and no image-manager event', () => {
      const node = nodeWithNginx({
        config: { ...GATE_ON, imagePullCredentialsVerificationPolicy: 'AlwaysVerify' },
      });
      // A record whose entry holds a secret makes MAIP look up the pod's credentials.
      node.stack.pullManager.recordImagePulled('nginx', NGINX_REF, {
        kubernetesSecrets: [{ uid: 'u', namespace: 'default', name: 's', credentialHash: 'h' }],
      });
      const secret = brokenSecret('default', 'broken');
      const { result, job } = node.ensure(ensureRequest('nginx', 'IfNotPresent', { pullSecrets: [secret] }));
      expect(job).toBeUndefined();
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.reason).toMatch(/invalid character/);
      expect(result.message).toBe(result.reason);
      expect(node.recorder.events).toEqual([]);
      expect(node.stack.pullManager.mustPullChecks.error).toBe(1);
    });
  });
});

// -----------------------------------------------------------------------------------------------------------------
// The pull path (docs/kubelet-model.md#the-pull-path)

describe('the pull path (EnsureImageExists, kuberuntime PullImage)', () => {
  it('events: Pulling, then Pulled with the pull time, the time including waiting (ms precision) and the size', () => {
    const node = startTestNode();
    const { result } = node.ensure(
      ensureRequest('nginx', 'IfNotPresent'),
      pullSucceeded(NGINX_REF, { pullTicks: 1_500_000, sizeBytes: 1234 }),
      () => node.clock.advance(2_250_400),
    );
    expect(result).toEqual({ ok: true, imageRef: NGINX_REF, message: '', pulled: true });
    expect(node.recorder.events).toEqual([
      { object: podRef, type: 'Normal', reason: 'Pulling', message: 'Pulling image "nginx"' },
      {
        object: podRef,
        type: 'Normal',
        reason: 'Pulled',
        message:
          'Successfully pulled image "nginx" in 1.5s (2.25s including waiting). Image size: 1234 bytes.',
      },
    ]);
  });

  it.each([
    [0, '0s', 0, '0s'],
    [250_400, '250ms', 999_999, '999ms'],
    [1_234_567, '1.234s', 61_500_000, '1m1.5s'],
    [1_000, '1ms', 3_723_000_000, '1h2m3s'],
  ])(
    'durations print as Go time.Duration, truncated to ms: %i µs → %s, %i µs → %s',
    (pullTicks, pull, waited, total) => {
      const node = startTestNode();
      node.ensure(ensureRequest('nginx', 'IfNotPresent'), pullSucceeded(NGINX_REF, { pullTicks }), () =>
        node.clock.advance(waited),
      );
      expect(node.recorder.events.at(-1)?.message).toBe(
        `Successfully pulled image "nginx" in ${pull} (${total} including waiting). Image size: 1000 bytes.`,
      );
    },
  );

  it('the raw pod image string is used in events and the intent; the default-tagged one goes to the CRI', () => {
    const node = startTestNode();
    const { job } = node.ensure(ensureRequest('nginx', 'IfNotPresent'), () => {
      expect(node.fs.exists(intentPath('nginx'))).toBe(true);
      expect(node.fs.exists(intentPath('nginx:latest'))).toBe(false);
      return pullSucceeded(NGINX_REF);
    });
    expect(job).toMatchObject({ image: 'nginx:latest', pod: podRef });
    expect(node.recorder.events[0]?.message).toBe('Pulling image "nginx"');
  });

  it('a failed pull: Warning Failed "Failed to pull image …", waiting reason ErrImagePull with the raw CRI text', () => {
    const node = startTestNode();
    const error =
      'rpc error: code = NotFound desc = failed to pull and unpack image "docker.io/library/nginx:latest": not found';
    const { result } = node.ensure(ensureRequest('nginx', 'IfNotPresent'), pullFailed(error));
    expect(result).toEqual({ ok: false, reason: 'ErrImagePull', message: error });
    expect(node.recorder.summary()).toEqual([
      ['Normal', 'Pulling', 'Pulling image "nginx"'],
      ['Warning', 'Failed', `Failed to pull image "nginx": ${error}`],
    ]);
    // The intent is released by RecordImagePullFailed; no record is written.
    expect(node.fs.exists(intentPath('nginx'))).toBe(false);
    expect(node.fs.list(PULLED_DIR)).toEqual([]);
  });

  it.each([
    [
      'RegistryUnavailable: dial tcp 10.0.0.1:443: i/o timeout',
      'RegistryUnavailable',
      'image pull failed for nginx because the registry is unavailable: dial tcp 10.0.0.1:443: i/o timeout',
    ],
    [
      'SignatureValidationFailed: no valid signature found',
      'SignatureValidationFailed',
      'image pull failed for nginx because the signature validation failed: no valid signature found',
    ],
    [
      'RegistryUnavailable',
      'RegistryUnavailable',
      'image pull failed for nginx because the registry is unavailable',
    ],
  ])('a CRI error %j maps to reason %s', (error, reason, message) => {
    const node = startTestNode();
    expect(node.ensure(ensureRequest('nginx', 'IfNotPresent'), pullFailed(error)).result).toEqual({
      ok: false,
      reason,
      message,
    });
  });

  it('a failed intent write aborts the pull: "Failed to record image pull intent for container image …"', () => {
    const node = startTestNode();
    node.fs.failNext(`${intentPath('nginx')}.tmp`, 'ENOSPC', { op: 'writeFile' });
    const { result, job } = node.ensure(ensureRequest('nginx', 'IfNotPresent'));
    expect(job).toBeUndefined();
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.reason).toMatch(/^failed to record image pull intent: .*no space left on device$/);
    expect(result.message).toBe(
      `Failed to record image pull intent for container image "nginx": ${result.reason}`,
    );
    expect(node.recorder.events).toEqual([]);
    expect(node.stack.pullManager.intentCount('nginx')).toBe(0);
  });

  it('gate off: no intent, no record, but the same events', () => {
    const node = startTestNode({ config: GATE_OFF });
    node.ensure(ensureRequest('nginx', 'IfNotPresent'), pullSucceeded(NGINX_REF));
    expect(node.fs.log).toEqual([]);
    expect(node.recorder.events.map((e) => e.reason)).toEqual(['Pulling', 'Pulled']);
  });
});

describe('what a successful pull records (trackedToImagePullCreds)', () => {
  const REGISTRY = 'reg.io';
  const IMAGE = 'reg.io/p/app:1';

  function privateNode(version: KubeletVersion = '1.36'): TestNode {
    return startTestNode({ version, config: GATE_ON });
  }

  it('an anonymous pull records the normalised name as node-wide (exact bytes)', () => {
    const node = startTestNode();
    node.ensure(ensureRequest('nginx', 'IfNotPresent'), pullSucceeded(NGINX_REF));
    expect(node.fs.read(recordPath(NGINX_REF))).toBe(
      '{"kind":"ImagePulledRecord","apiVersion":"kubelet.config.k8s.io/v1beta1","lastUpdatedTime":"2026-01-15T12:00:00Z",' +
        `"imageRef":"${NGINX_REF}","credentialMapping":{"docker.io/library/nginx":{"nodePodsAccessible":true}}}\n`,
    );
  });

  it('a node-level config.json credential (no source) records node-wide', () => {
    const node = privateNode();
    node.sources.nodeConfig = { [REGISTRY]: { username: 'node', password: 'pw' } };
    const { job } = node.ensure(ensureRequest(IMAGE, 'IfNotPresent'), (pull) =>
      pullSucceeded(APP_REF, { credentialsUsed: pull.credentials[0] }),
    );
    expect(job?.credentials.map((c) => [c.username, c.source])).toEqual([['node', undefined]]);
    expect(readJson(node.fs, recordPath(APP_REF))).toMatchObject({
      credentialMapping: { 'reg.io/p/app': { nodePodsAccessible: true } },
    });
  });

  it('a pod secret records its coordinates and the credential hash of its content', () => {
    const node = privateNode();
    const secret = dockerConfigJsonSecret({
      namespace: 'default',
      name: 'regcred',
      uid: 'uid-regcred',
      registry: REGISTRY,
      username: 'alice',
      password: 's3cret',
    });
    node.ensure(ensureRequest(IMAGE, 'IfNotPresent', { pullSecrets: [secret] }), (pull) =>
      pullSucceeded(APP_REF, { credentialsUsed: pull.credentials[0] }),
    );
    expect(readJson(node.fs, recordPath(APP_REF))).toMatchObject({
      credentialMapping: {
        'reg.io/p/app': {
          kubernetesSecrets: [
            {
              uid: 'uid-regcred',
              namespace: 'default',
              name: 'regcred',
              credentialHash: credentialHashOf('alice', 's3cret'),
            },
          ],
        },
      },
    });
  });

  it('credentials are offered in keyring order (pod secrets, then the node keyring); the one that worked is recorded', () => {
    const secret = dockerConfigJsonSecret({
      namespace: 'default',
      name: 'regcred',
      registry: REGISTRY,
      username: 'alice',
      password: 'pw',
    });
    // The pod secret works: it is recorded, not node-wide (worked edge case 6 of docs/kubelet-model.md).
    const first = privateNode();
    first.sources.nodeConfig = { [REGISTRY]: { username: 'node', password: 'pw' } };
    const { job } = first.ensure(ensureRequest(IMAGE, 'IfNotPresent', { pullSecrets: [secret] }), (pull) =>
      pullSucceeded(APP_REF, { credentialsUsed: pull.credentials[0] }),
    );
    expect(job?.credentials.map((c) => c.username)).toEqual(['alice', 'node']);
    expect(readJson(first.fs, recordPath(APP_REF))).toMatchObject({
      credentialMapping: { 'reg.io/p/app': { kubernetesSecrets: [{ name: 'regcred' }] } },
    });

    // The pod secret is rejected by the registry and the node credential works: node-wide.
    const second = privateNode();
    second.sources.nodeConfig = { [REGISTRY]: { username: 'node', password: 'pw' } };
    second.ensure(ensureRequest(IMAGE, 'IfNotPresent', { pullSecrets: [secret] }), (pull) =>
      pullSucceeded(APP_REF, { credentialsUsed: pull.credentials[1] }),
    );
    expect(readJson(second.fs, recordPath(APP_REF))).toMatchObject({
      credentialMapping: { 'reg.io/p/app': { nodePodsAccessible: true } },
    });
  });

  it('a service-account-mode plugin credential (1.34+) records the service account coordinates', () => {
    const node = privateNode('1.36');
    node.sources.addServiceAccount({ uid: 'sa-uid', namespace: 'default', name: 'builder' });
    node.sources.pluginList.push(
      fakePlugin({ [REGISTRY]: { username: 'token', password: 'jwt' } }, { serviceAccountTokenMode: true }),
    );
    node.ensure(ensureRequest(IMAGE, 'IfNotPresent', { pod: { serviceAccountName: 'builder' } }), (pull) =>
      pullSucceeded(APP_REF, { credentialsUsed: pull.credentials[0] }),
    );
    expect(readJson(node.fs, recordPath(APP_REF))).toMatchObject({
      credentialMapping: {
        'reg.io/p/app': {
          kubernetesServiceAccounts: [{ uid: 'sa-uid', namespace: 'default', name: 'builder' }],
        },
      },
    });
  });

  it('a later pod with the same service account reuses the image; a re-created account (new UID) must pull', () => {
    const node = privateNode('1.36');
    node.sources.addServiceAccount({ uid: 'sa-uid', namespace: 'default', name: 'builder' });
    node.sources.pluginList.push(
      fakePlugin({ [REGISTRY]: { username: 'token', password: 'jwt' } }, { serviceAccountTokenMode: true }),
    );
    const asBuilder = (name: string) =>
      ensureRequest(IMAGE, 'IfNotPresent', {
        pod: { name, uid: `uid-${name}`, serviceAccountName: 'builder' },
      });
    node.ensure(asBuilder('first'), (pull) =>
      pullSucceeded(APP_REF, { credentialsUsed: pull.credentials[0] }),
    );
    node.images.add({ id: APP_REF, repoTags: [IMAGE] });

    expect(node.ensure(asBuilder('second')).result).toMatchObject({ ok: true, pulled: false });
    node.sources.addServiceAccount({ uid: 'sa-uid-2', namespace: 'default', name: 'builder' });
    expect(node.ensure(asBuilder('third'), pullSucceeded(APP_REF)).job).toBeDefined();
  });

  it('the record is keyed by the imageRef of the pull response', () => {
    const node = startTestNode();
    node.ensure(ensureRequest('nginx', 'Always'), pullSucceeded(APP_REF));
    expect(node.fs.exists(recordPath(APP_REF))).toBe(true);
  });
});

describe('trackedToImagePullCreds', () => {
  const base: TrackedAuthConfig = {
    username: 'u',
    password: 'p',
    credentialHash: 'h',
    registryKey: 'reg.io',
  };

  it('no credential, or one without a source, → nodePodsAccessible', () => {
    expect(trackedToImagePullCreds(undefined)).toEqual({ nodePodsAccessible: true });
    expect(trackedToImagePullCreds(base)).toEqual({ nodePodsAccessible: true });
  });

  it('a secret → its coordinates and hash; a service account → its coordinates', () => {
    expect(
      trackedToImagePullCreds({ ...base, source: { kind: 'secret', uid: 'u1', namespace: 'ns', name: 's' } }),
    ).toEqual({ kubernetesSecrets: [{ uid: 'u1', namespace: 'ns', name: 's', credentialHash: 'h' }] });
    expect(
      trackedToImagePullCreds({
        ...base,
        source: { kind: 'serviceAccount', uid: 'u2', namespace: 'ns', name: 'sa' },
      }),
    ).toEqual({ kubernetesServiceAccounts: [{ uid: 'u2', namespace: 'ns', name: 'sa' }] });
  });
});

// -----------------------------------------------------------------------------------------------------------------
// Back-off

describe('image pull back-off (EnsureImageExists, flowcontrol.Backoff)', () => {
  const ERROR = 'rpc error: code = Unknown desc = 500 Internal Server Error';

  it('the key is <podUID>_<raw image>', () => {
    expect(ImageManager.backOffKey('uid-pod-a', 'nginx')).toBe('uid-pod-a_nginx');
  });

  it('within the window: Normal BackOff event without suffix; waiting message with ": <prevReason>: <prevMsg>"', () => {
    const node = startTestNode();
    node.ensure(ensureRequest('nginx', 'IfNotPresent'), pullFailed(ERROR));
    node.recorder.clear();
    node.clock.advance(seconds(5));
    const { result, job } = node.ensure(ensureRequest('nginx', 'IfNotPresent'));
    expect(job).toBeUndefined();
    expect(result).toEqual({
      ok: false,
      reason: 'ImagePullBackOff',
      message: `Back-off pulling image "nginx": ErrImagePull: ${ERROR}`,
    });
    expect(node.recorder.summary()).toEqual([['Normal', 'BackOff', 'Back-off pulling image "nginx"']]);
  });

  it('the suffix carries the mapped reason and message of the previous failure', () => {
    const node = startTestNode();
    node.ensure(ensureRequest('nginx', 'IfNotPresent'), pullFailed('RegistryUnavailable: i/o timeout'));
    const { result } = node.ensure(ensureRequest('nginx', 'IfNotPresent'));
    expect(result).toMatchObject({
      message:
        'Back-off pulling image "nginx": RegistryUnavailable: image pull failed for nginx because the registry is unavailable: i/o timeout',
    });
  });

  it('without a stored previous error the message has no suffix', () => {
    const backoff = new Backoff();
    backoff.next(ImageManager.backOffKey('uid-pod-a', 'nginx'), T0);
    const node = startTestNode();
    const manager = new ImageManager({
      profile: node.profile,
      featureGateEnabled: false,
      imageService: node.images,
      pullManager: node.stack.pullManager,
      credentialSources: node.sources,
      clock: node.clock,
      recorder: node.recorder,
      backoff,
    });
    const first = manager.ensureImageExists(ensureRequest('nginx', 'IfNotPresent')).next();
    expect(first).toEqual({
      done: true,
      value: { ok: false, reason: 'ImagePullBackOff', message: 'Back-off pulling image "nginx"' },
    });
  });

  it('the delay starts at 10 s and doubles up to 300 s: refused 1 µs before the window ends, retried at its end', () => {
    const node = startTestNode();
    for (const delay of [10, 20, 40, 80, 160, 300, 300]) {
      const attempt = node.ensure(ensureRequest('nginx', 'IfNotPresent'), pullFailed(ERROR));
      expect(attempt.job).toBeDefined();
      node.clock.advance(seconds(delay) - 1);
      expect(node.ensure(ensureRequest('nginx', 'IfNotPresent')).result).toMatchObject({
        reason: 'ImagePullBackOff',
      });
      node.clock.advance(1);
    }
    expect(node.ensure(ensureRequest('nginx', 'IfNotPresent'), pullSucceeded(NGINX_REF)).job).toBeDefined();
  });

  it('each pod has its own back-off: another pod pulls the same image at once', () => {
    const node = startTestNode();
    node.ensure(ensureRequest('nginx', 'IfNotPresent'), pullFailed(ERROR));
    const other = ensureRequest('nginx', 'IfNotPresent', { pod: { uid: 'uid-pod-b', name: 'pod-b' } });
    expect(node.ensure(other, pullFailed(ERROR)).job).toBeDefined();
  });

  it('an intent is written even when back-off then refuses, and released right after (gate on)', () => {
    const node = startTestNode();
    node.ensure(ensureRequest('nginx', 'IfNotPresent'), pullFailed(ERROR));
    node.fs.clearLog();
    node.ensure(ensureRequest('nginx', 'IfNotPresent'));
    const intentOps = node.fs.log
      .filter((e) => e.path === intentPath('nginx') || e.to === intentPath('nginx'))
      .map((e) => e.op);
    expect(intentOps).toEqual(['rename', 'remove']);
    expect(node.fs.exists(intentPath('nginx'))).toBe(false);
    expect(node.stack.pullManager.intentCount('nginx')).toBe(0);
  });

  it('gate off: back-off refusals touch no files', () => {
    const node = startTestNode({ config: GATE_OFF });
    node.ensure(ensureRequest('nginx', 'IfNotPresent'), pullFailed(ERROR));
    node.ensure(ensureRequest('nginx', 'IfNotPresent'));
    expect(node.fs.log).toEqual([]);
  });

  it('a successful pull garbage-collects back-off entries idle for more than twice the maximum', () => {
    const node = startTestNode();
    node.ensure(ensureRequest('nginx', 'IfNotPresent'), pullFailed(ERROR));
    expect(node.stack.imageManager.backoff.size).toBe(1);
    node.clock.advance(seconds(601));
    node.ensure(ensureRequest('other:1', 'IfNotPresent'), pullSucceeded(APP_REF));
    expect(node.stack.imageManager.backoff.size).toBe(0);
  });
});

// -----------------------------------------------------------------------------------------------------------------
// Credential lookup: eager (1.33/1.34) vs lazy (1.35+)

describe('credential lookup: eager in 1.33/1.34 (#132951), lazy from #133079', () => {
  function withPlugin(version: KubeletVersion, config: KubeletImageConfig) {
    const node = nodeWithNginx({ version, config });
    const plugin = fakePlugin({ 'docker.io': { username: 'p', password: 'q' } });
    node.sources.pluginList.push(plugin);
    return { node, plugin };
  }

  it.each(['1.33', '1.34'] as const)(
    '%s: plugins run for a present image even with the gate off',
    (version) => {
      const { node, plugin } = withPlugin(version, GATE_OFF);
      expect(node.ensure(ensureRequest('nginx', 'IfNotPresent')).result).toMatchObject({
        ok: true,
        pulled: false,
      });
      expect(plugin.calls).toHaveLength(1);
    },
  );

  it.each(['1.35', '1.36'] as const)(
    '%s: a present image needs no credential lookup (gate off)',
    (version) => {
      const { node, plugin } = withPlugin(version, GATE_OFF);
      expect(node.ensure(ensureRequest('nginx', 'IfNotPresent')).result).toMatchObject({ ok: true });
      expect(plugin.calls).toHaveLength(0);
      expect(node.sources.nodeConfigCalls).toBe(0);
    },
  );

  it.each(['1.35', '1.36'] as const)(
    '%s: a preloaded image needs no credential lookup (gate on)',
    (version) => {
      const { node, plugin } = withPlugin(version, GATE_ON);
      expect(node.ensure(ensureRequest('nginx', 'IfNotPresent')).result).toMatchObject({ ok: true });
      expect(plugin.calls).toHaveLength(0);
    },
  );

  it('1.33: an unparsable pull secret fails a present image even with the gate off; 1.35 uses the image', () => {
    const secret = brokenSecret('default', 'broken');
    const old = nodeWithNginx({ version: '1.33', config: GATE_OFF });
    const { result } = old.ensure(ensureRequest('nginx', 'IfNotPresent', { pullSecrets: [secret] }));
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.reason).toMatch(/invalid character/);
      expect(result.message).toBe(result.reason);
    }
    expect(old.recorder.events).toEqual([]);

    const lazy = nodeWithNginx({ version: '1.35', config: GATE_OFF });
    expect(
      lazy.ensure(ensureRequest('nginx', 'IfNotPresent', { pullSecrets: [secret] })).result,
    ).toMatchObject({
      ok: true,
    });
  });

  it('1.33: the eager lookup comes after the precheck: Never with an absent image fails without a lookup', () => {
    const node = startTestNode({ version: '1.33' });
    const plugin = fakePlugin({ 'docker.io': { username: 'p', password: 'q' } });
    node.sources.pluginList.push(plugin);
    expect(node.ensure(ensureRequest('nginx', 'Never')).result).toMatchObject({
      reason: 'ErrImageNeverPull',
    });
    expect(plugin.calls).toHaveLength(0);
  });

  it('lazy: the lookup runs once even when MAIP needs it and a pull follows', () => {
    const { node, plugin } = withPlugin('1.36', {
      ...GATE_ON,
      imagePullCredentialsVerificationPolicy: 'AlwaysVerify',
    });
    node.stack.pullManager.recordImagePulled('nginx', NGINX_REF, {
      kubernetesSecrets: [{ uid: 'u', namespace: 'other', name: 's', credentialHash: 'h' }],
    });
    const { job } = node.ensure(ensureRequest('nginx', 'IfNotPresent'), pullSucceeded(NGINX_REF));
    expect(job?.credentials.map((c) => c.username)).toEqual(['p']);
    expect(plugin.calls).toHaveLength(1);
  });

  it('a lookup error on the pull path fails before any intent is written', () => {
    const node = startTestNode({ version: '1.36' });
    const { result } = node.ensure(
      ensureRequest('nginx', 'IfNotPresent', { pullSecrets: [brokenSecret('default', 'broken')] }),
    );
    expect(result).toMatchObject({ ok: false });
    expect(node.fs.exists(intentPath('nginx'))).toBe(false);
    expect(node.recorder.events).toEqual([]);
  });
});

// -----------------------------------------------------------------------------------------------------------------
// Waiting reasons and messages (docs/kubelet-model.md#waiting-reasons-and-messages)

describe('container waiting reason and message (kuberuntime startContainer)', () => {
  it.each<[string, string, (node: TestNode) => ReturnType<TestNode['ensure']>, RegExp]>([
    [
      'invalid image name',
      'InvalidImageName',
      (n) => n.ensure(ensureRequest('ROOT', 'Always')),
      /^Failed to apply default image tag "ROOT": /,
    ],
    [
      'inspection error',
      'ImageInspectError',
      (n) => {
        n.images.statusError = 'boom';
        return n.ensure(ensureRequest('nginx', 'IfNotPresent'));
      },
      /^Failed to inspect image "": boom$/,
    ],
    [
      'never pull',
      'ErrImageNeverPull',
      (n) => n.ensure(ensureRequest('nginx', 'Never')),
      /^Container image "nginx" is not present with pull policy of Never$/,
    ],
    [
      'pull error',
      'ErrImagePull',
      (n) => n.ensure(ensureRequest('nginx', 'Always'), pullFailed('manifest unknown')),
      /^manifest unknown$/,
    ],
    [
      'registry unavailable',
      'RegistryUnavailable',
      (n) => n.ensure(ensureRequest('nginx', 'Always'), pullFailed('RegistryUnavailable: x')),
      /^image pull failed for nginx because the registry is unavailable: x$/,
    ],
    [
      'signature validation',
      'SignatureValidationFailed',
      (n) => n.ensure(ensureRequest('nginx', 'Always'), pullFailed('SignatureValidationFailed: y')),
      /^image pull failed for nginx because the signature validation failed: y$/,
    ],
    [
      'back-off',
      'ImagePullBackOff',
      (n) => {
        n.ensure(ensureRequest('nginx', 'Always'), pullFailed('manifest unknown'));
        return n.ensure(ensureRequest('nginx', 'Always'));
      },
      /^Back-off pulling image "nginx": ErrImagePull: manifest unknown$/,
    ],
  ])('%s → reason %s', (_name, reason, run, message) => {
    const { result } = run(startTestNode());
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.reason).toBe(reason);
    expect(result.message).toMatch(message);
  });

  it('a credential-lookup error: reason and message are both the error text', () => {
    const node = startTestNode();
    const { result } = node.ensure(
      ensureRequest('nginx', 'Always', { pullSecrets: [brokenSecret('default', 'broken')] }),
    );
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toBe(result.reason);
  });

  it('a failing pull then back-off then a new attempt: ErrImagePull, ImagePullBackOff, ErrImagePull', () => {
    const node = startTestNode();
    const reasons: string[] = [];
    for (const [delay, answer] of [
      [0, pullFailed('manifest unknown')],
      [seconds(5), undefined],
      [seconds(5), pullFailed('manifest unknown')],
    ] as const) {
      node.clock.advance(delay);
      const { result } = node.ensure(ensureRequest('nginx', 'IfNotPresent'), answer);
      reasons.push(result.ok ? 'ok' : result.reason);
    }
    expect(reasons).toEqual(['ErrImagePull', 'ImagePullBackOff', 'ErrImagePull']);
  });
});
