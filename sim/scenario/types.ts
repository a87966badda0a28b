/**
 * The typed form of a scenario file (docs/contract.md §2) as the loader resolves it: defaults filled in, digests
 * and sizes derived, manifests reduced to the fields pullsim models. Each type is what a schema of
 * sim/scenario/schema/ outputs, made read-only, with what its builder fills in or computes written over it; it is
 * declared beside its schema (so the schemas need not import this module) and gathered here under the names the
 * rest of pullsim imports. Tests and campaign generators build these values in code.
 */

export type { Action, ActionName, FsFaultKind } from './schema/actions.js';
export type { Expectation } from './schema/expect.js';
export type { KubeletSpec } from './schema/kubelet.js';
export type {
  ContainerManifest,
  ImagePullPolicy,
  Manifest,
  ManifestKind,
  NamespaceManifest,
  ObjectKey,
  PodManifest,
  RestartPolicy,
  ServiceAccountManifest,
} from './schema/manifests.js';
export { isMode, MODES, type Mode, type RunMode } from './schema/modes.js';
export type { ImageGcPolicySpec, NodeSpec } from './schema/node.js';
export type { RegistrySpec } from './schema/registry.js';
export type { Scenario } from './schema/scenario.js';
export type { SecretManifest } from './schema/secret.js';
export type { TimelineStep } from './schema/timeline.js';
