import { describe, expect, it } from 'vitest';
import {
  DEFAULT_KUBELET_ROOT,
  featureGateEnabled,
  getPullSecretsForPod,
  type KubeletImageConfig,
  startKubeletImageStack,
} from '../../src/kubelet.js';
import type { FileSystem } from '../../src/ports.js';
import { KUBELET_VERSIONS, kubeletProfile } from '../../src/profiles.js';
import { KubeletPanic } from '../../src/pullmanager/locks.js';
import { NoopPullManager, PullManager } from '../../src/pullmanager/manager.js';
import { referenceFnv1 } from '../support/fnv1.js';
import {
  dockerConfigJsonSecret,
  ensureRequest,
  FakeClock,
  FakeCredentialSources,
  FakeImageService,
  intentPath,
  PULLING_DIR,
  RecordingEventRecorder,
  recordPath,
  startTestNode,
} from '../support/kubelet-fakes.js';
import { MemoryFileSystem } from '../support/memory-fs.js';

function start(
  config: KubeletImageConfig,
  version: (typeof KUBELET_VERSIONS)[number] = '1.36',
  fs?: FileSystem,
) {
  return startKubeletImageStack(
    config,
    {
      fs: fs ?? new MemoryFileSystem(),
      clock: new FakeClock(),
      imageService: new FakeImageService(),
      credentialSources: new FakeCredentialSources(),
      recorder: new RecordingEventRecorder(),
    },
    kubeletProfile(version),
  );
}

describe('featureGateEnabled', () => {
  it('uses the configured value, else the profile default (alpha off in 1.33/1.34, beta on from 1.35)', () => {
    expect(KUBELET_VERSIONS.map((v) => featureGateEnabled({}, kubeletProfile(v)))).toEqual([
      false,
      false,
      true,
      true,
    ]);
    expect(
      featureGateEnabled({ featureGates: { KubeletEnsureSecretPulledImages: true } }, kubeletProfile('1.33')),
    ).toBe(true);
    expect(
      featureGateEnabled(
        { featureGates: { KubeletEnsureSecretPulledImages: false } },
        kubeletProfile('1.36'),
      ),
    ).toBe(false);
    expect(featureGateEnabled({ featureGates: {} }, kubeletProfile('1.35'))).toBe(true);
  });
});

describe('startKubeletImageStack (kubelet start-up, configuration validation.go)', () => {
  it('refuses a policy or an allowlist while the gate is off', () => {
    const started = start(
      {
        featureGates: { KubeletEnsureSecretPulledImages: false },
        imagePullCredentialsVerificationPolicy: 'AlwaysVerify',
        preloadedImagesVerificationAllowlist: ['docker.io/library/*'],
      },
      '1.36',
    );
    expect(started.ok).toBe(false);
    if (!started.ok) {
      expect(started.errors).toHaveLength(2);
      expect(started.errors[0]).toContain('imagePullCredentialsVerificationPolicy');
      expect(started.errors[1]).toContain('preloadedImagesVerificationAllowlist');
    }
  });

  it('refuses an unknown policy with the kubelet message', () => {
    const started = start({ imagePullCredentialsVerificationPolicy: 'Sometimes' });
    expect(started).toEqual({
      ok: false,
      errors: [
        'invalid configuration: option "Sometimes" specified for imagePullCredentialsVerificationPolicy. Valid options are "NeverVerify", "NeverVerifyPreloadedImages", "NeverVerifyAllowlistedImages" or "AlwaysVerify"',
      ],
    });
  });

  it('refuses an allowlist with another policy (the "Vertification" typo is upstream\'s)', () => {
    const started = start({ preloadedImagesVerificationAllowlist: ['docker.io/library/*'] });
    expect(started).toEqual({
      ok: false,
      errors: [
        'invalid configuration: can\'t set `preloadedImagesVerificationAllowlist` if `imagePullCredentialsVertificationPolicy` is not "NeverVerifyAllowlistedImages"',
      ],
    });
  });

  it('gate off: the no-op pull manager, no records, no file access', () => {
    const fs = new MemoryFileSystem();
    const started = start({}, '1.33', fs);
    if (!started.ok) throw new Error(started.errors.join());
    expect(started.stack.featureGateEnabled).toBe(false);
    expect(started.stack.policy).toBeUndefined();
    expect(started.stack.records).toBeUndefined();
    expect(started.stack.metrics).toBeUndefined();
    expect(started.stack.pullManager).toBeInstanceOf(NoopPullManager);
    expect(fs.log).toEqual([]);
  });

  it.each([undefined, ''])(
    'gate on: an empty policy (%j) defaults to NeverVerifyPreloadedImages',
    (policy) => {
      const fs = new MemoryFileSystem();
      const config: KubeletImageConfig =
        policy === undefined ? {} : { imagePullCredentialsVerificationPolicy: policy };
      const started = start(config, '1.36', fs);
      if (!started.ok) throw new Error(started.errors.join());
      expect(started.stack.policy).toBe('NeverVerifyPreloadedImages');
      expect(started.stack.pullManager).toBeInstanceOf(PullManager);
      expect(started.stack.records).toBeDefined();
      expect(fs.list(`${DEFAULT_KUBELET_ROOT}/image_manager`)).toEqual(['pulled', 'pulling']);
    },
  );

  it('writes under --root-dir when configured', () => {
    const fs = new MemoryFileSystem();
    const started = start({ rootDirectory: '/data/kubelet' }, '1.36', fs);
    if (!started.ok) throw new Error(started.errors.join());
    started.stack.pullManager.recordPullIntent('nginx');
    expect(fs.list('/data/kubelet/image_manager/pulling')).toHaveLength(1);
    expect(fs.exists(DEFAULT_KUBELET_ROOT)).toBe(false);
  });

  it('a record directory that cannot be created stops the kubelet with that error', () => {
    const fs = new MemoryFileSystem();
    fs.failNext(PULLING_DIR, 'ENOSPC', { op: 'mkdirAll' });
    const started = start({}, '1.36', fs);
    expect(started.ok).toBe(false);
    if (!started.ok) expect(started.errors).toEqual([expect.stringContaining('no space left on device')]);
  });

  it('an error that is not a filesystem error is a programmer error and propagates', () => {
    const fs = new MemoryFileSystem();
    const broken: FileSystem = Object.assign(Object.create(fs) as FileSystem, {
      mkdirAll: () => {
        throw new TypeError('not a file-system error');
      },
    });
    expect(() => start({}, '1.36', broken)).toThrow(TypeError);
  });

  it('runs the pull manager start-up: a leftover intent matching a CRI tag becomes a record', () => {
    const node = startTestNode();
    node.stack.pullManager.recordPullIntent('reg.io/p/app:1');
    node.images.add({ id: 'sha256:app', repoTags: ['reg.io/p/app:1'] });
    const restarted = node.restart();
    expect(restarted.fs.exists(intentPath('reg.io/p/app:1'))).toBe(false);
    expect(restarted.fs.exists(recordPath('sha256:app'))).toBe(true);
  });

  describe('lock stripes = maxParallelImagePulls (kubernetes/kubernetes#138935)', () => {
    const parallel500: KubeletImageConfig = { serializeImagePulls: false, maxParallelImagePulls: 500 };
    /** A key whose FNV-1 hash mod 500 is below 31, so even the 1.35 kubelet indexes a real stripe. */
    const safeKey = Array.from({ length: 2000 }, (_, i) => `image-ref-${i}`).find(
      (key) => referenceFnv1(key) % 500 < 31,
    ) as string;

    function presentImage(version: '1.35' | '1.36', config: KubeletImageConfig, imageRef: string) {
      const node = startTestNode({ version, config });
      node.images.add({ id: imageRef, repoTags: [] }, 'nginx:latest', `${safeKey}:latest`);
      return node;
    }

    it('1.35 with maxParallelImagePulls 500: a check whose imageRef hashes past stripe 31 panics', () => {
      const node = presentImage('1.35', parallel500, 'image-ref-0');
      expect(() => node.ensure(ensureRequest('nginx', 'IfNotPresent'))).toThrow(KubeletPanic);
    });

    it('1.35 with maxParallelImagePulls 500: keys that hash below 31 do not panic', () => {
      expect(safeKey).toBeDefined();
      const node = presentImage('1.35', parallel500, safeKey);
      expect(node.ensure(ensureRequest(safeKey, 'IfNotPresent')).result).toMatchObject({ ok: true });
    });

    it('1.36 (fix #138937) with maxParallelImagePulls 500: no key panics', () => {
      const node = presentImage('1.36', parallel500, 'image-ref-0');
      expect(node.ensure(ensureRequest('nginx', 'IfNotPresent')).result).toMatchObject({ ok: true });
    });

    it('1.35 with parallel pulls but no maxParallelImagePulls uses one stripe and never panics', () => {
      const node = presentImage('1.35', { serializeImagePulls: false }, 'image-ref-0');
      expect(node.ensure(ensureRequest('nginx', 'IfNotPresent')).result).toMatchObject({ ok: true });
    });

    it('1.35 with serialized pulls (the default) uses one stripe and never panics', () => {
      const node = presentImage('1.35', { maxParallelImagePulls: 500 }, 'image-ref-0');
      expect(node.ensure(ensureRequest('nginx', 'IfNotPresent')).result).toMatchObject({ ok: true });
    });
  });
});

describe('getPullSecretsForPod (kubelet_pods.go)', () => {
  const pod = { kind: 'Pod', namespace: 'team-a', name: 'web', uid: 'uid-web' } as const;

  it('returns the secrets that exist, skips empty names, and emits one Warning naming the missing ones', () => {
    const sources = new FakeCredentialSources();
    const regcred = sources.addSecret(
      dockerConfigJsonSecret({
        namespace: 'team-a',
        name: 'regcred',
        registry: 'reg.io',
        username: 'u',
        password: 'p',
      }),
    );
    const recorder = new RecordingEventRecorder();
    const found = getPullSecretsForPod(pod, ['a', '', 'regcred', 'b'], sources, recorder);
    expect(found).toEqual([regcred]);
    expect(recorder.events).toEqual([
      {
        object: pod,
        type: 'Warning',
        reason: 'FailedToRetrieveImagePullSecret',
        message:
          'Unable to retrieve some image pull secrets (a, b); attempting to pull the image may not succeed.',
      },
    ]);
  });

  it('logs each secret that cannot be fetched: "Unable to retrieve pull secret, the image pull may not succeed."', () => {
    const recorder = new RecordingEventRecorder();
    getPullSecretsForPod(pod, ['a', 'b'], new FakeCredentialSources(), recorder);
    expect(recorder.logs).toEqual([
      {
        message: 'Unable to retrieve pull secret, the image pull may not succeed.',
        fields: { pod: 'team-a/web', secret: 'team-a/a' },
      },
      {
        message: 'Unable to retrieve pull secret, the image pull may not succeed.',
        fields: { pod: 'team-a/web', secret: 'team-a/b' },
      },
    ]);
  });

  it('emits nothing when every secret is found', () => {
    const sources = new FakeCredentialSources();
    sources.addSecret(
      dockerConfigJsonSecret({
        namespace: 'team-a',
        name: 'regcred',
        registry: 'reg.io',
        username: 'u',
        password: 'p',
      }),
    );
    const recorder = new RecordingEventRecorder();
    expect(getPullSecretsForPod(pod, ['regcred'], sources, recorder)).toHaveLength(1);
    expect(recorder.events).toEqual([]);
  });

  it('looks secrets up in the pod namespace only', () => {
    const sources = new FakeCredentialSources();
    sources.addSecret(
      dockerConfigJsonSecret({
        namespace: 'other',
        name: 'regcred',
        registry: 'reg.io',
        username: 'u',
        password: 'p',
      }),
    );
    expect(getPullSecretsForPod(pod, ['regcred'], sources, new RecordingEventRecorder())).toEqual([]);
  });
});
