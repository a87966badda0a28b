import { describe, expect, it } from 'vitest';
import { generateServiceAccountCacheKey } from '../../src/credentials/plugin-cache-key.js';
import {
  DEFAULT_KUBELET_VERSION,
  isKubeletVersion,
  KUBELET_VERSIONS,
  type KubeletVersion,
  kubeletProfile,
} from '../../src/profiles.js';
import { KubeletPanic } from '../../src/pullmanager/locks.js';
import { openPullRecordsStore } from '../../src/pullmanager/pull-records-store.js';
import {
  ensureRequest,
  fakePlugin,
  intentPath,
  KUBELET_ROOT,
  PULLED_DIR,
  PULLING_DIR,
  pullSucceeded,
  recordPath,
  startTestNode,
} from '../support/kubelet-fakes.js';
import { MemoryFileSystem } from '../support/memory-fs.js';
import {
  fixtureText,
  PULLED_FIXTURES,
  PULLING_FIXTURES,
  putFixtures,
  readJson,
} from '../support/pull-records.js';

/**
 * One behavioural test per difference between the version profiles (src/profiles.ts;
 * docs/kubelet-model.md#differences-between-profiles, with the upstream pull request of each).
 */
const GATE_ON = { featureGates: { KubeletEnsureSecretPulledImages: true } } as const;
const v = (versions: string) => versions.split(' ') as KubeletVersion[];

describe('profile selection', () => {
  it('knows 1.33–1.36 and defaults to the newest released behaviour (1.36)', () => {
    expect(KUBELET_VERSIONS).toEqual(['1.33', '1.34', '1.35', '1.36']);
    expect(DEFAULT_KUBELET_VERSION).toBe('1.36');
    expect(kubeletProfile().version).toBe('1.36');
    expect(isKubeletVersion('1.35')).toBe(true);
    expect(isKubeletVersion('1.37')).toBe(false);
    expect(isKubeletVersion(1.35)).toBe(false);
  });

  it('individual behaviours can be switched by overrides without changing the version', () => {
    const profile = kubeletProfile('1.35', { credentialMappingKey: 'familiar', lockStripesPanic: false });
    expect(profile).toMatchObject({
      version: '1.35',
      credentialMappingKey: 'familiar',
      lockStripesPanic: false,
    });
    expect(kubeletProfile('1.35').credentialMappingKey).toBe('normalised');
  });
});

describe('featureGateDefault: alpha off in 1.33/1.34, beta on from 1.35 (#135228)', () => {
  it.each(v('1.33 1.34'))('%s: no configuration → legacy, nothing on disk', (version) => {
    const node = startTestNode({ version });
    expect(node.stack.featureGateEnabled).toBe(false);
    node.ensure(ensureRequest('nginx', 'IfNotPresent'), pullSucceeded('sha256:n'));
    expect(node.fs.exists('/var/lib/kubelet/image_manager')).toBe(false);
  });

  it.each(v('1.35 1.36'))('%s: no configuration → records are kept', (version) => {
    const node = startTestNode({ version });
    expect(node.stack.featureGateEnabled).toBe(true);
    node.ensure(ensureRequest('nginx', 'IfNotPresent'), pullSucceeded('sha256:n'));
    expect(node.fs.exists(recordPath('sha256:n'))).toBe(true);
  });
});

describe('recordApiVersion: v1alpha1 ≤ 1.34, v1beta1 ≥ 1.35 (#132579)', () => {
  it.each([
    ['1.33', 'v1alpha1'],
    ['1.34', 'v1alpha1'],
    ['1.35', 'v1beta1'],
    ['1.36', 'v1beta1'],
  ] as const)('%s writes %s', (version, apiVersion) => {
    const node = startTestNode({ version, config: GATE_ON });
    node.stack.pullManager.recordPullIntent('nginx');
    expect(node.fs.read(intentPath('nginx'))).toBe(
      `{"kind":"ImagePullIntent","apiVersion":"kubelet.config.k8s.io/${apiVersion}","image":"nginx"}\n`,
    );
  });
});

describe('decodableApiVersions: 1.33/1.34 cannot read v1beta1 files (downgrade hazard, #132579)', () => {
  it.each([
    ['1.33', true],
    ['1.34', true],
    ['1.35', false],
    ['1.36', false],
  ] as const)('%s: a v1beta1 node-wide record makes the check fail safe = %s', (version, unreadable) => {
    const fs = new MemoryFileSystem();
    putFixtures(fs, { pulled: [PULLED_FIXTURES.anonymous] });
    const node = startTestNode({ version, config: GATE_ON, fs });
    const answer = node.stack.pullManager.mustAttemptImagePull(
      'docker.io/testing/test',
      'testimage-anonpull',
      () => ({
        ok: true,
        value: { secrets: [] },
      }),
    );
    expect(answer.result).toBe(unreadable ? 'error' : 'credentialRecordFound');
  });
});

describe('migrateRecordsAtStartup: 1.35+ rewrite v1alpha1 files as v1beta1 at start (#132579)', () => {
  it.each([
    ['1.34', false],
    ['1.35', true],
  ] as const)('%s migrates = %s', (version, migrates) => {
    const fs = new MemoryFileSystem();
    putFixtures(fs, { pulled: [PULLED_FIXTURES.emptyMapping], pulling: [PULLING_FIXTURES.testSomething] });
    startTestNode({ version, config: GATE_ON, fs });
    const recordText = fs.read(`${PULLED_DIR}/${PULLED_FIXTURES.emptyMapping}`);
    if (migrates) {
      expect(recordText).toBe(
        '{"kind":"ImagePulledRecord","apiVersion":"kubelet.config.k8s.io/v1beta1","lastUpdatedTime":"2024-10-21T12:26:40Z","imageRef":"testemptycredmapping"}\n',
      );
      expect(fs.read(`${PULLING_DIR}/${PULLING_FIXTURES.testSomething}`)).toContain('v1beta1');
    } else {
      expect(recordText).toBe(fixtureText('pulled', PULLED_FIXTURES.emptyMapping));
    }
  });
});

describe('inMemoryCache: 1.35+ answer repeated checks from memory (#131882)', () => {
  it.each([
    ['1.34', 2],
    ['1.35', 0],
  ] as const)('%s: two checks of a known record read the file %i times', (version, reads) => {
    const fs = new MemoryFileSystem();
    putFixtures(fs, { pulled: [PULLED_FIXTURES.emptyMapping] });
    const node = startTestNode({ version, config: GATE_ON, fs });
    fs.clearLog();
    const none = () => ({ ok: true as const, value: { secrets: [] } });
    node.stack.pullManager.mustAttemptImagePull('docker.io/testing/test', 'testemptycredmapping', none);
    node.stack.pullManager.mustAttemptImagePull('docker.io/testing/test', 'testemptycredmapping', none);
    expect(fs.count('readFile')).toBe(reads);
  });

  it('the requested cache sizes are 1024 intents and 2000 records in every profile', () => {
    for (const version of KUBELET_VERSIONS) {
      expect(kubeletProfile(version)).toMatchObject({ intentsCacheSize: 1024, pulledRecordsCacheSize: 2000 });
    }
    const cached = openPullRecordsStore(new MemoryFileSystem(), KUBELET_ROOT, kubeletProfile('1.35')).cache;
    expect([cached?.intentsCacheMaxSize, cached?.pulledRecordsCacheMaxSize]).toEqual([1024, 2000]);
    expect(
      openPullRecordsStore(new MemoryFileSystem(), KUBELET_ROOT, kubeletProfile('1.34')).cache,
    ).toBeUndefined();
  });
});

describe('recordMetrics: 1.35+ keep the on-disk and in-memory gauges (#132812)', () => {
  it.each([
    ['1.34', 0],
    ['1.35', 1],
  ] as const)('%s: after one intent write the on-disk intents gauge is %i', (version, gauge) => {
    const node = startTestNode({ version, config: GATE_ON });
    node.stack.pullManager.recordPullIntent('nginx');
    expect(node.stack.metrics?.ondiskPullIntents).toBe(gauge);
  });
});

describe('serviceAccountTracking: 1.34+ record KEP-4412 service accounts (#132771)', () => {
  function pullWithServiceAccountPlugin(version: KubeletVersion) {
    const node = startTestNode({ version, config: GATE_ON });
    node.sources.addServiceAccount({ uid: 'sa-uid', namespace: 'default', name: 'builder' });
    node.sources.pluginList.push(
      fakePlugin({ 'reg.io': { username: 'token', password: 'jwt' } }, { serviceAccountTokenMode: true }),
    );
    node.ensure(
      ensureRequest('reg.io/p/app:1', 'IfNotPresent', { pod: { serviceAccountName: 'builder' } }),
      (job) => pullSucceeded('sha256:app', { credentialsUsed: job.credentials[0] }),
    );
    return readJson(node.fs, recordPath('sha256:app'));
  }

  it('1.33: plugin credentials are node-wide', () => {
    expect(pullWithServiceAccountPlugin('1.33')).toMatchObject({
      credentialMapping: { 'reg.io/p/app': { nodePodsAccessible: true } },
    });
  });

  it('1.34: the service account is recorded', () => {
    expect(pullWithServiceAccountPlugin('1.34')).toMatchObject({
      credentialMapping: {
        'reg.io/p/app': { kubernetesServiceAccounts: [{ uid: 'sa-uid', name: 'builder' }] },
      },
    });
  });

  it('1.33: a record with kubernetesServiceAccounts is an unknown field to the strict decoder', () => {
    const fs = new MemoryFileSystem();
    putFixtures(fs, { pulled: [PULLED_FIXTURES.serviceAccount] });
    const node = startTestNode({ version: '1.33', config: GATE_ON, fs });
    const none = () => ({ ok: true as const, value: { secrets: [] } });
    expect(
      node.stack.pullManager.mustAttemptImagePull('docker.io/testing/test', 'testimageref-sa', none).result,
    ).toBe('error');
  });
});

describe('serviceAccountTokenGateDefault: KEP-4412 gate alpha off in 1.33, beta on from 1.34', () => {
  it.each(v('1.33'))('%s: off, so a token-mode provider keeps the kubelet from starting', (version) => {
    expect(kubeletProfile(version).serviceAccountTokenGateDefault).toBe(false);
  });

  it.each(v('1.34 1.35 1.36'))('%s: on', (version) => {
    expect(kubeletProfile(version).serviceAccountTokenGateDefault).toBe(true);
  });
});

describe('pluginServiceAccountCacheType: no cacheType in 1.33, tokenAttributes.cacheType from 1.34 (#132617)', () => {
  const params = {
    namespace: 'ns',
    serviceAccountName: 'sa',
    serviceAccountUid: 'uid',
    annotations: {},
    tokenHash: 'sha256:00',
    cacheType: 'Token',
  } as const;

  it.each(v('1.33'))(
    '%s: a Token cache type leaves the service-account key as the account alone',
    (version) => {
      const profile = kubeletProfile(version);
      expect(profile.pluginServiceAccountCacheType).toBe(false);
      const key = generateServiceAccountCacheKey(params, profile);
      expect(key).toEqual(
        generateServiceAccountCacheKey({ ...params, cacheType: 'ServiceAccount' }, profile),
      );
    },
  );

  it.each(v('1.34 1.35 1.36'))('%s: a Token cache type adds the token hash to the key', (version) => {
    const profile = kubeletProfile(version);
    expect(profile.pluginServiceAccountCacheType).toBe(true);
    const key = generateServiceAccountCacheKey(params, profile);
    expect(key).not.toEqual(
      generateServiceAccountCacheKey({ ...params, cacheType: 'ServiceAccount' }, profile),
    );
  });
});

describe('allowlistMatching: raw string ≤ 1.35, normalised name in 1.36 (#137629)', () => {
  it.each([
    ['1.35', false],
    ['1.36', true],
  ] as const)('%s: "nginx" is allowlisted by docker.io/library/* = %s', (version, exempt) => {
    const node = startTestNode({
      version,
      config: {
        imagePullCredentialsVerificationPolicy: 'NeverVerifyAllowlistedImages',
        preloadedImagesVerificationAllowlist: ['docker.io/library/*'],
      },
    });
    node.images.add({ id: 'sha256:nginx' }, 'nginx:latest');
    const { result } = node.ensure(ensureRequest('nginx', 'Never'));
    expect(result.ok).toBe(exempt);
  });
});

describe('credentialLookup: eager in 1.33/1.34 (#132951), lazy from 1.35 (#133079)', () => {
  it.each([
    ['1.33', 1],
    ['1.34', 1],
    ['1.35', 0],
    ['1.36', 0],
  ] as const)('%s: a present image with the gate off runs the plugins %i times', (version, calls) => {
    const node = startTestNode({
      version,
      config: { featureGates: { KubeletEnsureSecretPulledImages: false } },
    });
    node.images.add({ id: 'sha256:nginx' }, 'nginx:latest');
    const plugin = fakePlugin({ 'docker.io': { username: 'u', password: 'p' } });
    node.sources.pluginList.push(plugin);
    node.ensure(ensureRequest('nginx', 'IfNotPresent'));
    expect(plugin.calls).toHaveLength(calls);
  });
});

describe('credentialMappingKey: normalised in every released profile; familiar only by override', () => {
  it.each(KUBELET_VERSIONS)('%s records docker.io/library/nginx for "nginx"', (version) => {
    const node = startTestNode({ version, config: GATE_ON });
    node.stack.pullManager.recordImagePulled('nginx', 'sha256:n', { nodePodsAccessible: true });
    expect(node.fs.read(recordPath('sha256:n'))).toContain('"credentialMapping":{"docker.io/library/nginx":');
  });

  it('the familiar override records "nginx" as written', () => {
    const node = startTestNode({ profile: kubeletProfile('1.36', { credentialMappingKey: 'familiar' }) });
    node.stack.pullManager.recordImagePulled('nginx:1.27', 'sha256:n', { nodePodsAccessible: true });
    expect(node.fs.read(recordPath('sha256:n'))).toContain('"credentialMapping":{"nginx":');
  });
});

describe('lockStripesPanic: 1.35 (before #138937) panics with more than 31 stripes; 1.36 does not', () => {
  it.each([
    ['1.35', true],
    ['1.36', false],
  ] as const)('%s with maxParallelImagePulls 500 panics = %s', (version, panics) => {
    expect(kubeletProfile(version).lockStripesPanic).toBe(panics);
    const node = startTestNode({
      version,
      config: { serializeImagePulls: false, maxParallelImagePulls: 500 },
    });
    const record = () => node.stack.pullManager.recordPullIntent('image-ref-0');
    if (panics) expect(record).toThrow(KubeletPanic);
    else expect(record()).toEqual({});
  });

  it.each(v('1.33 1.34'))('%s has no striped-lock panic either', (version) => {
    expect(kubeletProfile(version).lockStripesPanic).toBe(false);
  });
});
