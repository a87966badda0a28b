/**
 * The kubelet configuration each run mode stands for (docs/contract.md §1): the scenario's own, the gate off
 * (`legacy`, `always-pull` with the AlwaysPullImages admission plugin), or the gate on with one policy.
 */
import type { KubeletImageConfig } from '../../src/kubelet.js';
import type { RunMode, Scenario } from '../scenario/types.js';

/** The kubelet configuration a mode runs with (docs/contract.md §1). */
export function kubeletConfigForMode(
  scenario: Scenario,
  mode: RunMode,
): { config: KubeletImageConfig; alwaysPullImages: boolean } {
  const k = scenario.kubelet;
  // Modes set KubeletEnsureSecretPulledImages; the scenario's other gates apply in every mode.
  const gates = (ensureSecretPulledImages: boolean) => ({
    ...k.featureGates,
    KubeletEnsureSecretPulledImages: ensureSecretPulledImages,
  });
  const base: KubeletImageConfig = {
    serializeImagePulls: k.serializeImagePulls,
    ...(k.maxParallelImagePulls === undefined ? {} : { maxParallelImagePulls: k.maxParallelImagePulls }),
  };
  switch (mode) {
    case 'as-configured':
      return {
        alwaysPullImages: false,
        config: {
          ...base,
          featureGates: k.featureGates,
          ...(k.imagePullCredentialsVerificationPolicy === undefined
            ? {}
            : { imagePullCredentialsVerificationPolicy: k.imagePullCredentialsVerificationPolicy }),
          preloadedImagesVerificationAllowlist: k.preloadedImagesVerificationAllowlist,
        },
      };
    case 'legacy':
      return {
        alwaysPullImages: false,
        config: { ...base, featureGates: gates(false) },
      };
    case 'always-pull':
      return {
        alwaysPullImages: true,
        config: { ...base, featureGates: gates(false) },
      };
    default:
      return {
        alwaysPullImages: false,
        config: {
          ...base,
          featureGates: gates(true),
          imagePullCredentialsVerificationPolicy: mode,
          preloadedImagesVerificationAllowlist:
            mode === 'NeverVerifyAllowlistedImages' ? k.preloadedImagesVerificationAllowlist : [],
        },
      };
  }
}
