import fc from 'fast-check';
import { DEFAULT_KUBELET_VERSION } from '../../src/profiles.js';
import {
  TICKS_PER_MILLISECOND,
  TICKS_PER_MINUTE,
  TICKS_PER_SECOND,
  type Ticks,
  ticks,
} from '../../src/time.js';
import type {
  FsFaultKind,
  ImagePullPolicy,
  Manifest,
  PodManifest,
  Scenario,
  TimelineStep,
} from '../scenario/types.js';
import {
  type ActionPlan,
  FUZZ_ACTIONS,
  FUZZ_FAULTS,
  type FuzzAction,
  type PodPlan,
  type SwarmProfile,
} from './plan.js';
import { type Situation, situationArb, templateArb, templateShape, withTemplateNeeds } from './templates.js';
import {
  type CatalogImage,
  fakeDigest,
  HOST,
  imageCatalog,
  password,
  secretManifest,
  tenantObjects,
  tenantRegistry,
} from './tenant-world.js';

/** A swarm profile, its template drawn by weight and its needs applied (templates.ts). */
export const swarmProfileArb: fc.Arbitrary<SwarmProfile> = fc
  .record({
    template: templateArb,
    actions: fc.subarray([...FUZZ_ACTIONS]),
    faults: fc.subarray([...FUZZ_FAULTS]),
    maxActions: fc.integer({ min: 0, max: 6 }),
    nodeWideCredentials: fc.boolean(),
    sharedDigests: fc.boolean(),
    preloadedImages: fc.boolean(),
    serviceAccountProvider: fc.boolean(),
    copiedCredentials: fc.boolean(),
    wrongPasswords: fc.boolean(),
  })
  .map(withTemplateNeeds);

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
  // A template's situation (templates.ts) takes its pods and actions out of the run's 6 pods and maxActions.
  const shape = templateShape(profile.template);
  return fc
    .record({
      tenants: fc.integer({ min: shape.minTenants, max: 3 }),
      pods: fc.array(podPlanArb, { minLength: shape.pods === 0 ? 1 : 0, maxLength: 6 - shape.pods }),
      actions:
        actionKinds.length === 0
          ? fc.constant([] as ActionPlan[])
          : fc.array(actionPlanArb, { maxLength: profile.maxActions - shape.actions }),
      preloaded: fc.subarray([0, 1, 2, 3, 4, 5, 6, 7]),
      copies: fc.array(fc.nat(2), { minLength: 3, maxLength: 3 }),
      wrong: fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }),
      nodeWideTenant: fc.nat(2),
    })
    .chain((drawn) =>
      situationArb(profile, drawn.tenants).map((situation) =>
        buildScenario(profile, withSituation(drawn, situation), name),
      ),
    );
}

/** The drawn plan with the situation's pods and actions first, and its allowlist, preloads and node credentials. */
function withSituation(drawn: Omit<ScenarioPlan, 'allowlist'>, situation: Situation): ScenarioPlan {
  return {
    ...drawn,
    pods: [...situation.pods, ...drawn.pods],
    actions: [...situation.actions, ...drawn.actions],
    preloaded: [...situation.preloaded, ...drawn.preloaded],
    nodeWideTenant: situation.nodeWideTenant ?? drawn.nodeWideTenant,
    allowlist: situation.allowlist,
  };
}

interface ScenarioPlan {
  readonly tenants: number;
  readonly pods: readonly PodPlan[];
  readonly actions: readonly ActionPlan[];
  readonly preloaded: readonly number[];
  readonly copies: readonly number[];
  readonly wrong: readonly boolean[];
  readonly nodeWideTenant: number;
  /** Allowlist patterns besides `shared/*`. */
  readonly allowlist: readonly string[];
}

const NODE = 'node-1';

/**
 * The scenario a drawn plan stands for. Everything random was drawn before (scenarioArb); this only lays the plan
 * out: the tenants' world (tenant-world.ts), the pods at the start or on the timeline, the actions' steps, and
 * the node.
 */
function buildScenario(profile: SwarmProfile, plan: ScenarioPlan, name: string): Scenario {
  const images = imageCatalog(plan.tenants, profile.sharedDigests);
  const image = (index: number) => images[index % images.length] as CatalogImage;
  const namespace = (tenant: number) => `t${tenant % plan.tenants}`;
  const objects: Manifest[] = tenantObjects(plan.tenants, profile, plan);
  const timeline: TimelineStep[] = [];
  plan.pods.forEach((pod, i) => {
    const manifest = podManifest(profile, pod, `p${i}`, namespace(pod.tenant), image(pod.image).ref);
    if (pod.atSeconds === 0) objects.push(manifest);
    else timeline.push({ at: seconds(pod.atSeconds), apply: manifest });
  });
  timeline.push(...actionSteps(profile, plan, { image, namespace }));
  timeline.sort((x, y) => x.at - y.at);
  const last = timeline.reduce((max, step) => Math.max(max, step.at), 0);
  return {
    name,
    seed: 1,
    // Long enough after the last step for every back-off (at most 5 minutes) to run out: the liveness bound.
    until: ticks(last + 7 * TICKS_PER_MINUTE),
    kubelet: {
      version: DEFAULT_KUBELET_VERSION,
      featureGates: {},
      preloadedImagesVerificationAllowlist: [`${HOST}/shared/*`, ...plan.allowlist],
      serializeImagePulls: true,
      syncFrequency: ticks(TICKS_PER_MINUTE),
    },
    registries: [tenantRegistry(plan.tenants, profile)],
    nodes: [nodeSpec(profile, plan, image)],
    objects,
    timeline,
    expect: [],
  };
}

/** One pod with one container, its secret and service account as the plan says. */
function podManifest(
  profile: SwarmProfile,
  pod: PodPlan,
  name: string,
  namespace: string,
  image: string,
): PodManifest {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { namespace, name },
    spec: {
      ...(pod.withSecret ? { imagePullSecrets: [{ name: 'regcred' }] } : {}),
      ...(profile.serviceAccountProvider && pod.builderAccount ? { serviceAccountName: 'builder' } : {}),
      containers: [{ name: 'app', image, imagePullPolicy: pod.policy }],
    },
  };
}

/** The one node: its preloaded images and node-wide credentials (one tenant's), when the profile has them. */
function nodeSpec(
  profile: SwarmProfile,
  plan: ScenarioPlan,
  image: (index: number) => CatalogImage,
): Scenario['nodes'][number] {
  const preloaded = profile.preloadedImages
    ? [...new Set(plan.preloaded.map((i) => image(i).ref))].map((ref) => ({ ref }))
    : [];
  const tenant = plan.nodeWideTenant % plan.tenants;
  const nodeWide = profile.nodeWideCredentials
    ? { [HOST]: { username: `t${tenant}`, password: password(tenant, 0) } }
    : undefined;
  return {
    name: NODE,
    images: preloaded,
    imageManagerFiles: {},
    ...(nodeWide === undefined ? {} : { credentials: nodeWide }),
  };
}

/** What an action's steps are laid out with: the world's images and namespaces, and the moment and tenant. */
interface ActionContext {
  readonly at: Ticks;
  /** The tenant the action is about (`a`, modulo the tenants). */
  readonly tenant: number;
  readonly tenants: number;
  readonly pods: readonly PodPlan[];
  readonly faults: readonly FsFaultKind[];
  readonly image: (index: number) => CatalogImage;
  readonly namespace: (tenant: number) => string;
  /** Each tenant's current password generation, advanced by `changePassword`. */
  readonly passwordGeneration: Map<number, number>;
}

/** The timeline steps of the plan's actions, in the plan's order. */
function actionSteps(
  profile: SwarmProfile,
  plan: ScenarioPlan,
  world: Pick<ActionContext, 'image' | 'namespace'>,
): TimelineStep[] {
  const passwordGeneration = new Map<number, number>();
  return plan.actions.flatMap((action) =>
    ACTION_STEPS[action.kind](action, {
      ...world,
      at: ticks(seconds(action.atSeconds) + (action.offsetMs ?? 0) * TICKS_PER_MILLISECOND),
      tenant: action.a % plan.tenants,
      tenants: plan.tenants,
      pods: plan.pods,
      faults: profile.faults,
      passwordGeneration,
    }),
  );
}

/** The current password of a tenant (another tenant's, for a copied or rotated secret). */
function currentPassword(context: ActionContext, tenant: number): string {
  return password(tenant, context.passwordGeneration.get(tenant) ?? 0);
}

/**
 * Each kind of action as timeline steps, all at the action's moment but the end of an outage. `b` picks a
 * variant (a second tenant, an image, a pod, a fault's path), `a` a fault's count.
 */
const ACTION_STEPS: {
  readonly [K in ActionPlan['kind']]: (action: ActionPlan, context: ActionContext) => TimelineStep[];
} = {
  restartKubelet: (_, { at }) => [{ at, action: { action: 'restartKubelet', node: NODE } }],
  crashKubelet: (action, { at }) => [
    {
      at,
      action: { action: 'crashKubelet', node: NODE, ...(action.b % 2 === 0 ? {} : { downtime: seconds(5) }) },
    },
  ],
  registryOutage: (action, { at }) => [
    { at, action: { action: 'registryDown', host: HOST } },
    { at: seconds(action.atSeconds + 20 + action.b * 10), action: { action: 'registryUp', host: HOST } },
  ],
  revokePuller: (_, { at, tenant: t }) => [
    { at, action: { action: 'revokePuller', host: HOST, repository: `t${t}/app`, username: `t${t}` } },
  ],
  changePassword: (action, context) => {
    const { at, tenant: t } = context;
    context.passwordGeneration.set(t, (context.passwordGeneration.get(t) ?? 0) + 1);
    const changed = currentPassword(context, t);
    return [
      { at, action: { action: 'changePassword', host: HOST, username: `t${t}`, password: changed } },
      ...(action.b % 2 === 0
        ? [{ at, apply: secretManifest(context.namespace(t), 'regcred', `t${t}`, changed) }]
        : []),
    ];
  },
  // In place: same name and UID, new content (valid or not).
  rotateSecret: (action, context) => {
    const source = action.b % context.tenants;
    const secret = action.b % 2 === 0 ? currentPassword(context, source) : 'rotated-wrong';
    return [
      {
        at: context.at,
        apply: secretManifest(context.namespace(context.tenant), 'regcred', `t${source}`, secret),
      },
    ];
  },
  recreateSecret: (action, context) => {
    const { at, tenant: t } = context;
    const source = action.b % context.tenants;
    return [
      { at, delete: { kind: 'Secret', namespace: context.namespace(t), name: 'regcred' } },
      {
        at,
        apply: secretManifest(
          context.namespace(t),
          'regcred',
          `t${source}`,
          currentPassword(context, source),
        ),
      },
    ];
  },
  retag: (_, { at, tenant: t }) => [
    {
      at,
      action: {
        action: 'retag',
        host: HOST,
        repository: `t${t}/app`,
        tag: 'v1',
        digest: fakeDigest(`t${t}/app:v2`),
      },
    },
  ],
  imageGC: (_, { at }) => [{ at, action: { action: 'imageGC', node: NODE } }],
  deleteRecords: (action, { at }) => [
    { at, action: { action: 'deleteRecords', node: NODE } },
    ...(action.b % 2 === 0 ? [{ at, action: { action: 'restartKubelet', node: NODE } } as const] : []),
  ],
  removeImage: (action, { at, image }) => [
    { at, action: { action: 'removeImage', node: NODE, image: image(action.b).ref } },
  ],
  restartContainer: (action, { at, pods, namespace }) => {
    if (pods.length === 0) return [];
    const pod = action.b % pods.length;
    return [
      { at, action: { action: 'restartContainer', pod: `${namespace(pods[pod]?.tenant ?? 0)}/p${pod}` } },
    ];
  },
  fsFault: (action, { at, faults }) => {
    const fault = faults[action.fault % faults.length] as FsFaultKind;
    const path = action.b % 3 === 0 ? 'pulled' : action.b % 3 === 1 ? 'pulling' : undefined;
    return [
      {
        at,
        action: {
          action: 'fsFault',
          node: NODE,
          fault,
          count: 1 + (action.a % 3),
          ...(path === undefined ? {} : { path }),
        },
      },
    ];
  },
};

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
