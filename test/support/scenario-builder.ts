import type { TraceRecord } from '../../sim/kernel/trace.js';
import type { ContainerResult, RunResult } from '../../sim/run.js';
import { pullSecret as dockerConfigSecret } from '../../sim/scenario/pull-secret.js';
import type {
  Action,
  ContainerManifest,
  KubeletSpec,
  Manifest,
  NamespaceManifest,
  NodeSpec,
  ObjectKey,
  PodManifest,
  RegistrySpec,
  RestartPolicy,
  Scenario,
  ServiceAccountManifest,
  TimelineStep,
} from '../../sim/scenario/types.js';
import { kubeletProfile } from '../../src/profiles.js';
import { TICKS_PER_SECOND, type Ticks, ticks } from '../../src/time.js';

export const seconds = (s: number): Ticks => ticks(s * TICKS_PER_SECOND);
export const minutes = (m: number): Ticks => seconds(m * 60);

export const DIGEST_A = `sha256:${'a'.repeat(64)}`;
export const DIGEST_B = `sha256:${'b'.repeat(64)}`;
export const DIGEST_C = `sha256:${'c'.repeat(64)}`;

/** A kubelet section with the scenario defaults of the contract. */
export function kubelet(overrides: Partial<KubeletSpec> = {}): KubeletSpec {
  return {
    version: kubeletProfile().version,
    featureGates: {},
    preloadedImagesVerificationAllowlist: [],
    serializeImagePulls: true,
    syncFrequency: minutes(1),
    ...overrides,
  };
}

export function node(overrides: Partial<NodeSpec> = {}): NodeSpec {
  return { name: 'node-1', images: [], imageManagerFiles: {}, ...overrides };
}

/** One private registry with team-a's repository and two users. */
export function privateRegistry(overrides: Partial<RegistrySpec> = {}): RegistrySpec {
  return {
    host: 'private.example.com',
    users: [
      { username: 'team-a', password: 's3cret-a' },
      { username: 'team-b', password: 's3cret-b' },
    ],
    repositories: [
      {
        name: 'team-a/app',
        public: false,
        pullers: ['team-a'],
        tags: { v1: { digest: DIGEST_A, sizeBytes: 50_000_000 } },
      },
    ],
    ...overrides,
  };
}

export { dockerConfigSecret };

export interface PodOptions {
  pullPolicy?: 'Always' | 'IfNotPresent' | 'Never';
  secrets?: string[];
  serviceAccountName?: string;
  nodeName?: string;
  restartPolicy?: RestartPolicy;
  uid?: string;
}

export function pod(namespace: string, name: string, image: string, options: PodOptions = {}): PodManifest {
  return multiContainerPod(
    namespace,
    name,
    [
      {
        name: 'app',
        image,
        ...(options.pullPolicy === undefined ? {} : { imagePullPolicy: options.pullPolicy }),
      },
    ],
    options,
  );
}

/** A pod with several containers; `options.pullPolicy` is ignored (give it per container). */
export function multiContainerPod(
  namespace: string,
  name: string,
  containers: ContainerManifest[],
  options: Omit<PodOptions, 'pullPolicy'> = {},
): PodManifest {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { namespace, name, ...(options.uid === undefined ? {} : { uid: options.uid }) },
    spec: {
      ...(options.nodeName === undefined ? {} : { nodeName: options.nodeName }),
      ...(options.serviceAccountName === undefined ? {} : { serviceAccountName: options.serviceAccountName }),
      ...(options.restartPolicy === undefined ? {} : { restartPolicy: options.restartPolicy }),
      ...(options.secrets === undefined
        ? {}
        : { imagePullSecrets: options.secrets.map((s) => ({ name: s })) }),
      containers,
    },
  };
}

export function namespace(name: string, uid?: string): NamespaceManifest {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, ...(uid === undefined ? {} : { uid }) } };
}

export function serviceAccount(
  namespace: string,
  name: string,
  options: { secrets?: string[]; uid?: string } = {},
): ServiceAccountManifest {
  return {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { namespace, name, ...(options.uid === undefined ? {} : { uid: options.uid }) },
    ...(options.secrets === undefined ? {} : { imagePullSecrets: options.secrets.map((s) => ({ name: s })) }),
  };
}

/** A timeline step that runs an action. */
export function actionAt(at: Ticks, action: Action): TimelineStep {
  return { at, action };
}

/** A timeline step that applies a manifest. */
export function applyAt(at: Ticks, manifest: Manifest): TimelineStep {
  return { at, apply: manifest };
}

/** A timeline step that deletes an object. */
export function deleteAt(at: Ticks, key: ObjectKey): TimelineStep {
  return { at, delete: key };
}

/** The result entry of one container (throws when absent, so a typo fails loudly). */
export function containerResult(result: RunResult, podKey: string, container = 'app'): ContainerResult {
  const found = result.containers.find((c) => c.pod === podKey && c.container === container);
  if (found === undefined) throw new Error(`no container ${podKey}/${container} in the result`);
  return found;
}

/** The trace records of one kind, optionally filtered by fields. */
export function recordsOf(
  records: readonly TraceRecord[],
  kind: string,
  fields: Record<string, unknown> = {},
): TraceRecord[] {
  return records.filter(
    (r) => r.kind === kind && Object.entries(fields).every(([key, value]) => r[key] === value),
  );
}

export function scenario(overrides: Partial<Scenario> & { objects?: Manifest[] } = {}): Scenario {
  return {
    name: 'test',
    seed: 1,
    kubelet: kubelet(),
    registries: [privateRegistry()],
    nodes: [node()],
    objects: [],
    timeline: [],
    expect: [],
    ...overrides,
  };
}

/** kubernetes#18787: tenant A pulls its private image; tenant B, without credentials, asks for it later. */
export function crossTenantScenario(pullPolicy: 'IfNotPresent' | 'Never' = 'IfNotPresent'): Scenario {
  return scenario({
    name: 'cross-tenant-reuse',
    until: minutes(5),
    objects: [
      dockerConfigSecret('team-a', 'regcred', 'private.example.com', 'team-a', 's3cret-a'),
      pod('team-a', 'a', 'private.example.com/team-a/app:v1', {
        pullPolicy: 'IfNotPresent',
        secrets: ['regcred'],
      }),
    ],
    timeline: [
      { at: minutes(1), apply: pod('team-b', 'b', 'private.example.com/team-a/app:v1', { pullPolicy }) },
    ],
  });
}
