import { describe, expect, it } from 'vitest';
import { validateCredentialProviders } from '../../../src/credentials/index.js';
import {
  type KubeletImageConfig,
  serviceAccountTokenGateEnabled,
  startKubeletImageStack,
} from '../../../src/kubelet.js';
import type { CredentialProviderPlugin } from '../../../src/ports.js';
import { KUBELET_VERSIONS, type KubeletVersion, kubeletProfile } from '../../../src/profiles.js';
import {
  FakeClock,
  FakeCredentialSources,
  FakeImageService,
  RecordingEventRecorder,
} from '../../support/kubelet-fakes.js';
import { MemoryFileSystem } from '../../support/memory-fs.js';

const FORBIDDEN =
  'failed to validate credential provider config: providers.tokenAttributes: Forbidden: tokenAttributes is not supported when KubeletServiceAccountTokenForCredentialProviders feature gate is disabled';

function plugin(serviceAccountTokenMode: boolean): CredentialProviderPlugin {
  return {
    name: serviceAccountTokenMode ? 'sa-provider' : 'node-provider',
    serviceAccountTokenMode,
    requireServiceAccount: false,
    matchesImage: () => true,
    provide: () => undefined,
  };
}

function start(config: KubeletImageConfig, version: KubeletVersion, plugins: CredentialProviderPlugin[]) {
  const credentialSources = new FakeCredentialSources();
  credentialSources.pluginList.push(...plugins);
  const fs = new MemoryFileSystem();
  const started = startKubeletImageStack(
    config,
    {
      fs,
      clock: new FakeClock(),
      imageService: new FakeImageService(),
      credentialSources,
      recorder: new RecordingEventRecorder(),
    },
    kubeletProfile(version),
  );
  return { started, fs };
}

describe('KubeletServiceAccountTokenForCredentialProviders (kube_features.go)', () => {
  it('defaults to off in 1.33 (alpha) and on from 1.34 (beta); a configured value wins', () => {
    expect(KUBELET_VERSIONS.map((v) => serviceAccountTokenGateEnabled({}, kubeletProfile(v)))).toEqual([
      false,
      true,
      true,
      true,
    ]);
    const on = { featureGates: { KubeletServiceAccountTokenForCredentialProviders: true } };
    const off = { featureGates: { KubeletServiceAccountTokenForCredentialProviders: false } };
    expect(serviceAccountTokenGateEnabled(on, kubeletProfile('1.33'))).toBe(true);
    expect(serviceAccountTokenGateEnabled(off, kubeletProfile('1.36'))).toBe(false);
  });
});

describe('validateCredentialProviders (plugin.go RegisterCredentialProviderPlugins, config.go)', () => {
  it('forbids tokenAttributes with the gate off, once however many providers have them', () => {
    expect(validateCredentialProviders([plugin(true), plugin(true)], false)).toBe(FORBIDDEN);
    expect(validateCredentialProviders([plugin(true)], true)).toBeUndefined();
    expect(validateCredentialProviders([plugin(false)], false)).toBeUndefined();
    expect(validateCredentialProviders([], false)).toBeUndefined();
  });

  it('keeps a 1.33 kubelet with a token-mode provider from starting, before any record directory exists', () => {
    const { started, fs } = start({ featureGates: { KubeletEnsureSecretPulledImages: true } }, '1.33', [
      plugin(true),
    ]);
    expect(started).toEqual({ ok: false, errors: [FORBIDDEN] });
    expect(fs.exists('/var/lib/kubelet/image_manager')).toBe(false);
  });

  it('starts with the gate switched on in 1.33, or by default from 1.34', () => {
    const gateOn = { featureGates: { KubeletServiceAccountTokenForCredentialProviders: true } };
    expect(start(gateOn, '1.33', [plugin(true)]).started.ok).toBe(true);
    expect(start({}, '1.34', [plugin(true)]).started.ok).toBe(true);
    const gateOff = { featureGates: { KubeletServiceAccountTokenForCredentialProviders: false } };
    expect(start(gateOff, '1.36', [plugin(true)]).started.ok).toBe(false);
    expect(start(gateOff, '1.36', [plugin(false)]).started.ok).toBe(true);
  });
});
