import { stringify } from 'yaml';
import type * as z from 'zod';
import { formatDuration, type Ticks } from '../../src/time.js';
import type { scenarioSchema } from './schema/scenario.js';
import type {
  Action,
  Expectation,
  KubeletSpec,
  Manifest,
  NodeSpec,
  RegistrySpec,
  Scenario,
  TimelineStep,
} from './types.js';

/**
 * Writes a typed scenario back in the file format of docs/contract.md §2, so that generated or shrunk scenarios
 * can be saved, read by people and replayed with `pullsim run`. `parseScenario(scenarioToYaml(s))` gives `s` back.
 */
export function scenarioToYaml(scenario: Scenario, header?: string): string {
  const body = stringify(scenarioDocument(scenario), { lineWidth: 0, aliasDuplicateObjects: false });
  const comment =
    header === undefined
      ? ''
      : `${header
          .split('\n')
          .map((line) => `# ${line}`.trimEnd())
          .join('\n')}\n`;
  return `${comment}${body}`;
}

/** What a scenario file holds, as the schema reads it (sim/scenario/schema/scenario.ts `scenarioSchema`). */
type ScenarioDocument = z.input<typeof scenarioSchema>;
type SpecDocument = ScenarioDocument['spec'];
/** One item of a list section of the spec. */
type Item<K extends 'objects' | 'timeline' | 'expect'> = NonNullable<SpecDocument[K]>[number];

/** The plain object a scenario file holds (before YAML encoding); its type is the schema's input. */
function scenarioDocument(scenario: Scenario): ScenarioDocument {
  return {
    apiVersion: 'pullsim/v1alpha1',
    kind: 'Scenario',
    metadata: {
      name: scenario.name,
      ...(scenario.description === undefined ? {} : { description: scenario.description }),
    },
    spec: {
      seed: scenario.seed,
      ...(scenario.until === undefined ? {} : { until: duration(scenario.until) }),
      kubelet: kubeletDocument(scenario.kubelet),
      registries: scenario.registries.map(registryDocument),
      nodes: scenario.nodes.map(nodeDocument),
      objects: scenario.objects.map(manifestDocument),
      timeline: scenario.timeline.map(stepDocument),
      expect: scenario.expect.map(expectDocument),
    },
  };
}

function kubeletDocument(k: KubeletSpec): NonNullable<SpecDocument['kubelet']> {
  return {
    version: k.version,
    ...(Object.keys(k.featureGates).length === 0 ? {} : { featureGates: { ...k.featureGates } }),
    ...(k.imagePullCredentialsVerificationPolicy === undefined
      ? {}
      : { imagePullCredentialsVerificationPolicy: k.imagePullCredentialsVerificationPolicy }),
    ...(k.preloadedImagesVerificationAllowlist.length === 0
      ? {}
      : { preloadedImagesVerificationAllowlist: [...k.preloadedImagesVerificationAllowlist] }),
    serializeImagePulls: k.serializeImagePulls,
    ...(k.maxParallelImagePulls === undefined ? {} : { maxParallelImagePulls: k.maxParallelImagePulls }),
    syncFrequency: duration(k.syncFrequency),
    ...(k.credentialMappingKey === undefined ? {} : { credentialMappingKey: k.credentialMappingKey }),
  };
}

function registryDocument(r: RegistrySpec): NonNullable<SpecDocument['registries']>[number] {
  return {
    host: r.host,
    users: r.users.map((u) => ({ username: u.username, password: u.password })),
    repositories: r.repositories.map((repo) => ({
      name: repo.name,
      public: repo.public,
      pullers: [...repo.pullers],
      tags: Object.fromEntries(
        Object.entries(repo.tags).map(([tag, t]) => [tag, { digest: t.digest, sizeBytes: t.sizeBytes }]),
      ),
    })),
    ...(r.rateLimit === undefined ? {} : { rateLimit: structuredClone(r.rateLimit) }),
    ...(r.latency === undefined
      ? {}
      : { latency: { min: duration(r.latency.minTicks), max: duration(r.latency.maxTicks) } }),
    ...(r.bandwidthBytesPerSecond === undefined
      ? {}
      : { bandwidthBytesPerSecond: r.bandwidthBytesPerSecond }),
    ...(r.serviceAccountTokenProvider === undefined
      ? {}
      : { serviceAccountTokenProvider: { ...r.serviceAccountTokenProvider } }),
  };
}

function nodeDocument(n: NodeSpec): NonNullable<SpecDocument['nodes']>[number] {
  return {
    name: n.name,
    images: n.images.map((i) => (i.id === undefined ? i.ref : { ref: i.ref, id: i.id })),
    ...(n.credentials === undefined ? {} : { credentials: { auths: structuredClone(n.credentials) } }),
    ...(Object.keys(n.imageManagerFiles).length === 0
      ? {}
      : { imageManagerFiles: { ...n.imageManagerFiles } }),
    ...(n.imageGC === undefined
      ? {}
      : {
          imageGC: {
            capacityBytes: n.imageGC.capacityBytes,
            highThresholdPercent: n.imageGC.highThresholdPercent,
            lowThresholdPercent: n.imageGC.lowThresholdPercent,
            period: duration(n.imageGC.period),
          },
        }),
    ...(n.device === undefined ? {} : { device: n.device as 'none' }),
    ...(n.fsFaults === undefined ? {} : { fsFaults: { ...n.fsFaults } }),
  };
}

function duration(value: Ticks): string {
  return formatDuration(value);
}

function manifestDocument(manifest: Manifest): Item<'objects'> {
  if (manifest.kind !== 'Pod') return structuredClone(manifest) as Item<'objects'>;
  // The loader lists init containers first among the containers, each with its role; the file has them apart.
  const { containers, ...spec } = structuredClone(manifest.spec);
  const plain = ({ role: _role, ...container }: (typeof containers)[number]) => container;
  const init = containers.filter((c) => c.role !== undefined);
  return {
    ...structuredClone(manifest),
    spec: {
      ...spec,
      ...(init.length === 0
        ? {}
        : {
            initContainers: init.map((c) => ({
              ...plain(c),
              ...(c.role === 'sidecar' ? { restartPolicy: 'Always' as const } : {}),
            })),
          }),
      containers: containers.filter((c) => c.role === undefined).map(plain),
    },
  } as Item<'objects'>;
}

function stepDocument(step: TimelineStep): Item<'timeline'> {
  const at = duration(step.at);
  if ('apply' in step) return { at, apply: manifestDocument(step.apply) };
  if ('delete' in step) return { at, delete: { ...step.delete } };
  return { at, ...actionDocument(step.action) } as Item<'timeline'>;
}

function actionDocument(action: Action): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(action)) {
    if (value === undefined) continue;
    out[key] = key === 'downtime' ? duration(value as Ticks) : Array.isArray(value) ? [...value] : value;
  }
  return out;
}

function recordCheckDocument(record: NonNullable<Expectation['record']>) {
  const { sources, ...rest } = record;
  return { ...rest, ...(sources === undefined ? {} : { sources: [...sources] }) };
}

function expectDocument(e: Expectation): Item<'expect'> {
  const pulls =
    e.pulls === undefined
      ? undefined
      : e.pulls.min !== undefined && e.pulls.min === e.pulls.max
        ? e.pulls.min
        : { ...e.pulls };
  return {
    ...(e.pod === undefined ? {} : { pod: e.pod }),
    ...(e.node === undefined ? {} : { node: e.node }),
    ...(e.record === undefined ? {} : { record: recordCheckDocument(e.record) }),
    ...(e.intent === undefined ? {} : { intent: { ...e.intent } }),
    ...(e.metric === undefined ? {} : { metric: { ...e.metric } }),
    ...(e.container === undefined ? {} : { container: e.container }),
    ...(e.modes === undefined ? {} : { modes: [...e.modes] }),
    ...(e.at === undefined ? {} : { at: duration(e.at) }),
    ...(e.state === undefined ? {} : { state: e.state }),
    ...(e.reason === undefined ? {} : { reason: e.reason.length === 1 ? e.reason[0] : [...e.reason] }),
    ...(e.violation === undefined ? {} : { violation: e.violation }),
    ...(e.started === undefined ? {} : { started: e.started }),
    ...(pulls === undefined ? {} : { pulls }),
  };
}
