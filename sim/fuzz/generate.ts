import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { DEFAULT_KUBELET_VERSION } from '../../src/profiles.js';
import { TICKS_PER_MINUTE, TICKS_PER_SECOND, type Ticks, ticks } from '../../src/time.js';
import type {
  Action,
  FsFaultKind,
  ImagePullPolicy,
  Manifest,
  PodManifest,
  RegistrySpec,
  Scenario,
  SecretManifest,
  TimelineStep,
} from '../scenario/types.js';

/** Timeline actions a campaign can generate (setPolicy is left out: a mode fixes the policy). */
export const FUZZ_ACTIONS = [
  'restartKubelet',
  'crashKubelet',
  'registryOutage',
  'revokePuller',
  'changePassword',
  'rotateSecret',
  'recreateSecret',
  'retag',
  'imageGC',
  'deleteRecords',
  'removeImage',
  'restartContainer',
] as const;
export type FuzzAction = (typeof FUZZ_ACTIONS)[number];

export const FUZZ_FAULTS: readonly FsFaultKind[] = [
  'readError',
  'writeError',
  'enospc',
  'crashBeforeRename',
  'corrupt',
];

/**
 * Swarm testing (Groce et al.): each run first draws which kinds of actions and faults are enabled and which
 * world features appear, so that campaigns explore worlds dominated by a few behaviours instead of always mixing
 * everything thinly. The profile is printed with any failure.
 */
export interface SwarmProfile {
  readonly actions: readonly FuzzAction[];
  readonly faults: readonly FsFaultKind[];
  /** Upper bound on generated timeline actions. */
  readonly maxActions: number;
  readonly nodeWideCredentials: boolean;
  readonly sharedDigests: boolean;
  readonly preloadedImages: boolean;
  readonly serviceAccountProvider: boolean;
  readonly copiedCredentials: boolean;
  readonly wrongPasswords: boolean;
}

export const swarmProfileArb: fc.Arbitrary<SwarmProfile> = fc.record({
  actions: fc.subarray([...FUZZ_ACTIONS]),
  faults: fc.subarray([...FUZZ_FAULTS]),
  maxActions: fc.integer({ min: 0, max: 6 }),
  nodeWideCredentials: fc.boolean(),
  sharedDigests: fc.boolean(),
  preloadedImages: fc.boolean(),
  serviceAccountProvider: fc.boolean(),
  copiedCredentials: fc.boolean(),
  wrongPasswords: fc.boolean(),
});

const HOST = 'reg.example.com';
const PUBLIC_IMAGE = `${HOST}/shared/base:v1`;

/** A stable fake digest for a name. */
export function fakeDigest(name: string): string {
  return `sha256:${createHash('sha256').update(`pullsim-fuzz:${name}`).digest('hex')}`;
}

function password(tenant: number, generation: number): string {
  return `pw-${tenant}-${generation}`;
}

function dockerConfig(username: string, secret: string): string {
  return JSON.stringify({ auths: { [HOST]: { username, password: secret } } });
}

function secretManifest(namespace: string, name: string, username: string, secret: string): SecretManifest {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { namespace, name },
    type: 'kubernetes.io/dockerconfigjson',
    stringData: { '.dockerconfigjson': dockerConfig(username, secret) },
  };
}

interface PodPlan {
  readonly tenant: number;
  readonly image: number;
  readonly policy: ImagePullPolicy;
  readonly withSecret: boolean;
  readonly builderAccount: boolean;
  readonly atSeconds: number;
}

interface ActionPlan {
  readonly kind: FuzzAction | 'fsFault';
  readonly atSeconds: number;
  readonly a: number;
  readonly b: number;
  readonly fault: number;
}

const podPlanArb = fc.record({
  tenant: fc.nat(2),
  image: fc.nat(7),
  policy: fc.constantFrom<ImagePullPolicy>('Always', 'IfNotPresent', 'Never'),
  withSecret: fc.boolean(),
  builderAccount: fc.boolean(),
  atSeconds: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 300 })),
});

/**
 * A whole random multi-tenant scenario for one swarm profile: 1–3 tenants with their own registry user and
 * private repository, a public repository, pull secrets (sometimes copies of another tenant's or with a wrong
 * password), optional shared digests, preloaded images, node-wide credentials and a KEP-4412 provider, 1–6 pods
 * with all three pull policies, and timeline actions of the enabled kinds.
 */
export function scenarioArb(profile: SwarmProfile, name = 'fuzz'): fc.Arbitrary<Scenario> {
  const actionKinds: (FuzzAction | 'fsFault')[] = [
    ...profile.actions,
    ...(profile.faults.length > 0 ? (['fsFault'] as const) : []),
  ];
  const actionPlanArb = fc.record({
    kind:
      actionKinds.length === 0
        ? fc.constant<FuzzAction | 'fsFault'>('restartContainer')
        : fc.constantFrom(...actionKinds),
    atSeconds: fc.integer({ min: 5, max: 300 }),
    a: fc.nat(7),
    b: fc.nat(7),
    fault: fc.nat(profile.faults.length === 0 ? 0 : profile.faults.length - 1),
  });
  return fc
    .record({
      tenants: fc.integer({ min: 1, max: 3 }),
      pods: fc.array(podPlanArb, { minLength: 1, maxLength: 6 }),
      actions:
        actionKinds.length === 0
          ? fc.constant([] as ActionPlan[])
          : fc.array(actionPlanArb, { maxLength: profile.maxActions }),
      preloaded: fc.subarray([0, 1, 2, 3, 4, 5, 6, 7]),
      copies: fc.array(fc.nat(2), { minLength: 3, maxLength: 3 }),
      wrong: fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }),
      nodeWideTenant: fc.nat(2),
    })
    .map((plan) => buildScenario(profile, plan, name));
}

interface ScenarioPlan {
  readonly tenants: number;
  readonly pods: readonly PodPlan[];
  readonly actions: readonly ActionPlan[];
  readonly preloaded: readonly number[];
  readonly copies: readonly number[];
  readonly wrong: readonly boolean[];
  readonly nodeWideTenant: number;
}

/** The image references a world offers, by index (some are other tenants' private images). */
function imageCatalog(
  tenants: number,
  sharedDigests: boolean,
): { ref: string; repository: string; tag: string; digest: string }[] {
  const images: { ref: string; repository: string; tag: string; digest: string }[] = [
    { ref: PUBLIC_IMAGE, repository: 'shared/base', tag: 'v1', digest: fakeDigest('shared/base:v1') },
  ];
  for (let t = 0; t < tenants; t++) {
    for (const tag of ['v1', 'v2'])
      images.push({
        ref: `${HOST}/t${t}/app:${tag}`,
        repository: `t${t}/app`,
        tag,
        digest: fakeDigest(`t${t}/app:${tag}`),
      });
    if (sharedDigests) {
      // A private mirror holding the same content as the public image (kubernetes#138175's situation).
      images.push({
        ref: `${HOST}/t${t}/mirror:v1`,
        repository: `t${t}/mirror`,
        tag: 'v1',
        digest: fakeDigest('shared/base:v1'),
      });
    }
  }
  return images;
}

function buildScenario(profile: SwarmProfile, plan: ScenarioPlan, name: string): Scenario {
  const tenants = plan.tenants;
  const images = imageCatalog(tenants, profile.sharedDigests);
  const image = (index: number) => images[index % images.length] as (typeof images)[number];
  const ns = (t: number) => `t${t % tenants}`;
  const repositories: RegistrySpec['repositories'][number][] = [
    {
      name: 'shared/base',
      public: true,
      pullers: [],
      tags: { v1: { digest: fakeDigest('shared/base:v1'), sizeBytes: 20_000_000 } },
    },
  ];
  for (let t = 0; t < tenants; t++) {
    const pullers = [
      `t${t}`,
      ...(profile.serviceAccountProvider ? [`system:serviceaccount:t${t}:builder`] : []),
    ];
    repositories.push({
      name: `t${t}/app`,
      public: false,
      pullers,
      tags: {
        v1: { digest: fakeDigest(`t${t}/app:v1`), sizeBytes: 30_000_000 },
        v2: { digest: fakeDigest(`t${t}/app:v2`), sizeBytes: 30_000_000 },
      },
    });
    if (profile.sharedDigests)
      repositories.push({
        name: `t${t}/mirror`,
        public: false,
        pullers,
        tags: { v1: { digest: fakeDigest('shared/base:v1'), sizeBytes: 20_000_000 } },
      });
  }
  const registry: RegistrySpec = {
    host: HOST,
    users: Array.from({ length: tenants }, (_, t) => ({ username: `t${t}`, password: password(t, 0) })),
    repositories,
    latency: { minTicks: ticks(20_000), maxTicks: ticks(400_000) },
    ...(profile.serviceAccountProvider
      ? { serviceAccountTokenProvider: { requireServiceAccount: false } }
      : {}),
  };

  const objects: Manifest[] = [];
  const timeline: TimelineStep[] = [];
  for (let t = 0; t < tenants; t++) {
    const source = profile.copiedCredentials ? (plan.copies[t] ?? t) % tenants : t;
    const wrong = profile.wrongPasswords && (plan.wrong[t] ?? false);
    objects.push(
      secretManifest(ns(t), 'regcred', `t${source}`, wrong ? 'not-the-password' : password(source, 0)),
    );
    if (profile.serviceAccountProvider)
      objects.push({
        apiVersion: 'v1',
        kind: 'ServiceAccount',
        metadata: { namespace: ns(t), name: 'builder' },
      });
  }
  plan.pods.forEach((pod, i) => {
    const manifest: PodManifest = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { namespace: ns(pod.tenant), name: `p${i}` },
      spec: {
        ...(pod.withSecret ? { imagePullSecrets: [{ name: 'regcred' }] } : {}),
        ...(profile.serviceAccountProvider && pod.builderAccount ? { serviceAccountName: 'builder' } : {}),
        containers: [{ name: 'app', image: image(pod.image).ref, imagePullPolicy: pod.policy }],
      },
    };
    if (pod.atSeconds === 0) objects.push(manifest);
    else timeline.push({ at: seconds(pod.atSeconds), apply: manifest });
  });

  const passwordGeneration = new Map<number, number>();
  for (const action of plan.actions) {
    const at = seconds(action.atSeconds);
    const t = action.a % tenants;
    const add = (step: Action) => timeline.push({ at, action: step });
    switch (action.kind) {
      case 'restartKubelet':
        add({ action: 'restartKubelet', node: 'node-1' });
        break;
      case 'crashKubelet':
        add({
          action: 'crashKubelet',
          node: 'node-1',
          ...(action.b % 2 === 0 ? {} : { downtime: seconds(5) }),
        });
        break;
      case 'registryOutage':
        add({ action: 'registryDown', host: HOST });
        timeline.push({
          at: seconds(action.atSeconds + 20 + action.b * 10),
          action: { action: 'registryUp', host: HOST },
        });
        break;
      case 'revokePuller':
        add({ action: 'revokePuller', host: HOST, repository: `t${t}/app`, username: `t${t}` });
        break;
      case 'changePassword': {
        const generation = (passwordGeneration.get(t) ?? 0) + 1;
        passwordGeneration.set(t, generation);
        add({ action: 'changePassword', host: HOST, username: `t${t}`, password: password(t, generation) });
        if (action.b % 2 === 0)
          timeline.push({ at, apply: secretManifest(ns(t), 'regcred', `t${t}`, password(t, generation)) });
        break;
      }
      case 'rotateSecret':
        // In place: same name and UID, new content (valid or not).
        timeline.push({
          at,
          apply: secretManifest(
            ns(t),
            'regcred',
            `t${action.b % tenants}`,
            action.b % 2 === 0
              ? password(action.b % tenants, passwordGeneration.get(action.b % tenants) ?? 0)
              : 'rotated-wrong',
          ),
        });
        break;
      case 'recreateSecret':
        timeline.push({ at, delete: { kind: 'Secret', namespace: ns(t), name: 'regcred' } });
        timeline.push({
          at,
          apply: secretManifest(
            ns(t),
            'regcred',
            `t${action.b % tenants}`,
            password(action.b % tenants, passwordGeneration.get(action.b % tenants) ?? 0),
          ),
        });
        break;
      case 'retag':
        add({
          action: 'retag',
          host: HOST,
          repository: `t${t}/app`,
          tag: 'v1',
          digest: fakeDigest(`t${t}/app:v2`),
        });
        break;
      case 'imageGC':
        add({ action: 'imageGC', node: 'node-1' });
        break;
      case 'deleteRecords':
        add({ action: 'deleteRecords', node: 'node-1' });
        if (action.b % 2 === 0) add({ action: 'restartKubelet', node: 'node-1' });
        break;
      case 'removeImage':
        add({ action: 'removeImage', node: 'node-1', image: image(action.b).ref });
        break;
      case 'restartContainer':
        if (plan.pods.length > 0) {
          const pod = action.b % plan.pods.length;
          add({ action: 'restartContainer', pod: `${ns(plan.pods[pod]?.tenant ?? 0)}/p${pod}` });
        }
        break;
      case 'fsFault': {
        const fault = profile.faults[action.fault % profile.faults.length] as FsFaultKind;
        const path = action.b % 3 === 0 ? 'pulled' : action.b % 3 === 1 ? 'pulling' : undefined;
        add({
          action: 'fsFault',
          node: 'node-1',
          fault,
          count: 1 + (action.a % 3),
          ...(path === undefined ? {} : { path }),
        });
        break;
      }
    }
  }
  timeline.sort((x, y) => x.at - y.at);
  const last = timeline.reduce((max, step) => Math.max(max, step.at), 0);

  const preloaded = profile.preloadedImages
    ? [...new Set(plan.preloaded.map((i) => image(i).ref))].map((ref) => ({ ref }))
    : [];
  const nodeWide = profile.nodeWideCredentials
    ? {
        [HOST]: {
          username: `t${plan.nodeWideTenant % tenants}`,
          password: password(plan.nodeWideTenant % tenants, 0),
        },
      }
    : undefined;
  return {
    name,
    seed: 1,
    // Long enough after the last step for every back-off (at most 5 minutes) to run out: the liveness bound.
    until: ticks(last + 7 * TICKS_PER_MINUTE),
    kubelet: {
      version: DEFAULT_KUBELET_VERSION,
      featureGates: {},
      preloadedImagesVerificationAllowlist: [`${HOST}/shared/*`],
      serializeImagePulls: true,
      syncFrequency: ticks(TICKS_PER_MINUTE),
    },
    registries: [registry],
    nodes: [
      {
        name: 'node-1',
        images: preloaded,
        imageManagerFiles: {},
        ...(nodeWide === undefined ? {} : { credentials: nodeWide }),
      },
    ],
    objects,
    timeline,
    expect: [],
  };
}

function seconds(s: number): Ticks {
  return ticks(s * TICKS_PER_SECOND);
}

/** What a generated scenario contains, for the campaign's feature distribution. */
export function scenarioFeatures(scenario: Scenario): string[] {
  const features = new Set<string>();
  const digests = new Map<string, number>();
  for (const registry of scenario.registries) {
    if (registry.serviceAccountTokenProvider !== undefined) features.add('service-account provider');
    for (const repo of registry.repositories)
      for (const tag of Object.values(repo.tags)) digests.set(tag.digest, (digests.get(tag.digest) ?? 0) + 1);
  }
  if ([...digests.values()].some((n) => n > 1)) features.add('shared digest');
  for (const node of scenario.nodes) {
    if (node.images.length > 0) features.add('preloaded images');
    if (node.credentials !== undefined) features.add('node-wide credentials');
  }
  const manifests = [
    ...scenario.objects,
    ...scenario.timeline.flatMap((s) => ('apply' in s ? [s.apply] : [])),
  ];
  const secrets = new Map<string, string>();
  for (const m of manifests) {
    if (m.kind === 'Pod') {
      for (const c of m.spec.containers) features.add(`pull policy ${c.imagePullPolicy ?? 'default'}`);
      features.add(m.spec.imagePullSecrets === undefined ? 'pod without secrets' : 'pod with secrets');
    }
    if (m.kind === 'Secret') {
      const content = m.stringData?.['.dockerconfigjson'] ?? '';
      const key = `${m.metadata.namespace}/${m.metadata.name}`;
      if ([...secrets.entries()].some(([k, v]) => k !== key && v === content))
        features.add('copied credentials');
      secrets.set(key, content);
    }
  }
  for (const step of scenario.timeline) {
    if ('action' in step)
      features.add(
        step.action.action === 'fsFault' ? `fault ${step.action.fault}` : `action ${step.action.action}`,
      );
    if ('delete' in step) features.add(`delete ${step.delete.kind}`);
    if ('apply' in step && step.apply.kind === 'Secret') features.add('secret rotation or re-creation');
  }
  return [...features].sort();
}
