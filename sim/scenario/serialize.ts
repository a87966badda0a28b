import { stringify } from 'yaml';
import { formatDuration, type Ticks } from '../../src/time.js';
import type { Action, Expectation, Manifest, Scenario, TimelineStep } from './types.js';

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

/** The plain object a scenario file holds (before YAML encoding). */
export function scenarioDocument(scenario: Scenario): Record<string, unknown> {
  const k = scenario.kubelet;
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
      kubelet: {
        version: k.version,
        ...(k.featureGates.KubeletEnsureSecretPulledImages === undefined
          ? {}
          : { featureGates: { ...k.featureGates } }),
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
      },
      registries: scenario.registries.map((r) => ({
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
      })),
      nodes: scenario.nodes.map((n) => ({
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
        ...(n.device === undefined ? {} : { device: n.device }),
        ...(n.fsFaults === undefined ? {} : { fsFaults: { ...n.fsFaults } }),
      })),
      objects: scenario.objects.map(manifestDocument),
      timeline: scenario.timeline.map(stepDocument),
      expect: scenario.expect.map(expectDocument),
    },
  };
}

function duration(value: Ticks): string {
  return formatDuration(value);
}

function manifestDocument(manifest: Manifest): Record<string, unknown> {
  return structuredClone(manifest) as unknown as Record<string, unknown>;
}

function stepDocument(step: TimelineStep): Record<string, unknown> {
  const at = duration(step.at);
  if ('apply' in step) return { at, apply: manifestDocument(step.apply) };
  if ('delete' in step) return { at, delete: { ...step.delete } };
  return { at, ...actionDocument(step.action) };
}

function actionDocument(action: Action): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(action)) {
    if (value === undefined) continue;
    out[key] = key === 'downtime' ? duration(value as Ticks) : Array.isArray(value) ? [...value] : value;
  }
  return out;
}

function expectDocument(e: Expectation): Record<string, unknown> {
  const pulls =
    e.pulls === undefined
      ? undefined
      : e.pulls.min !== undefined && e.pulls.min === e.pulls.max
        ? e.pulls.min
        : { ...e.pulls };
  return {
    pod: e.pod,
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
