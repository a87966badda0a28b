/**
 * A fast-check generator of small multi-tenant worlds for property tests: one node, one or two registries, one to
 * three tenants with pull secrets (their own credentials, a copy of another tenant's, or a wrong password), public
 * and private repositories whose tags share a small pool of digests (so one image can have a public and a private
 * name), preloaded images, pods with every pull policy, and optional timeline actions and file-system faults.
 *
 * The arbitrary produces a `WorldPlan` (small numbers that shrink well); `planToScenario` turns it into a Scenario.
 * `describePlan` says which features a plan uses, so a property can state exactly which worlds it covers.
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import type {
  Action,
  FsFaultKind,
  ImagePullPolicy,
  Manifest,
  RegistrySpec,
  Scenario,
  TimelineStep,
} from '../../sim/scenario/types.js';
import { serviceAccountUsername } from '../../sim/world/credential-sources.js';
import type { KubeletVersion } from '../../src/profiles.js';
import {
  actionAt,
  applyAt,
  deleteAt,
  dockerConfigSecret,
  kubelet,
  minutes,
  node,
  pod,
  scenario,
  seconds,
  serviceAccount,
} from './scenario-builder.js';

const REGISTRY_HOSTS = ['reg-a.example.com', 'reg-b.example.com'] as const;
const TAGS = ['v1', 'v2'] as const;
/** A small pool, so that repositories share digests. */
const DIGEST_POOL = [0, 1, 2, 3].map(
  (i) => `sha256:${createHash('sha256').update(`random-world-digest-${i}`).digest('hex')}`,
);

export interface RepoPlan {
  readonly public: boolean;
  /** Tenant indexes allowed to pull (as registry users `t<i>`). */
  readonly pullers: readonly number[];
  /** The node's own account may pull. */
  readonly nodePuller: boolean;
  /** Tenant indexes whose `default` service account may pull (with a token provider on the registry). */
  readonly saPullers: readonly number[];
  /** Digest index per tag (v1, then v2 when present). */
  readonly tags: readonly number[];
}

export interface RegistryPlan {
  readonly repos: readonly RepoPlan[];
  readonly saProvider: boolean;
}

export type SecretKind = 'own' | 'copy' | 'wrong';

export interface TenantPlan {
  /** The tenant's `regcred` secret: credentials for one registry; absent = the tenant has no secret. */
  readonly secret:
    | { readonly registry: number; readonly kind: SecretKind; readonly copyFrom: number }
    | undefined;
  /** The tenant's `default` service account lists `regcred`, so pods that list no secret inherit it. */
  readonly saInherits: boolean;
}

export interface PodPlan {
  readonly tenant: number;
  /** Index into the image catalogue (taken modulo its length). */
  readonly image: number;
  readonly policy: ImagePullPolicy | undefined;
  readonly listsSecret: boolean;
  /** Minutes after the start. */
  readonly at: number;
}

export type ActionKind =
  | 'registryOutage'
  | 'revokePuller'
  | 'grantPuller'
  | 'changePassword'
  | 'rotateSecret'
  | 'restartKubelet'
  | 'crashKubelet'
  | 'deleteRecords'
  | 'imageGC'
  | 'removeImage'
  | 'restartContainer'
  | 'retag'
  | 'deletePod'
  | 'fsFault';

export interface ActionPlan {
  readonly kind: ActionKind;
  /** Seconds after the start. */
  readonly at: number;
  /** Free parameters, each taken modulo what it indexes. */
  readonly a: number;
  readonly b: number;
  readonly c: number;
}

export interface WorldPlan {
  readonly seed: number;
  readonly version: KubeletVersion;
  readonly serializeImagePulls: boolean;
  readonly registries: readonly RegistryPlan[];
  readonly tenants: readonly TenantPlan[];
  /** Node-wide docker config for one registry, with the node's account. */
  readonly nodeCredentials: number | undefined;
  /** Image catalogue indexes preloaded on the node. */
  readonly preloaded: readonly number[];
  readonly pods: readonly PodPlan[];
  readonly actions: readonly ActionPlan[];
  /** Per-operation fault rates of the node's file system. */
  readonly fsFaultRates:
    | { readonly readError: number; readonly writeError: number; readonly corrupt: number }
    | undefined;
  /** Allowlist patterns (by catalogue index) for NeverVerifyAllowlistedImages. */
  readonly allowlist: readonly number[];
}

export interface RandomWorldOptions {
  /** Generate timeline actions. Default true. */
  readonly actions?: boolean;
  /** Generate fsFault actions and fault rates. Default true. */
  readonly faults?: boolean;
  /** Action kinds never generated. Default none. */
  readonly excludeActions?: readonly ActionKind[];
  /** Give the node node-wide credentials sometimes. Default true. */
  readonly nodeCredentials?: boolean;
  /** Preload images of private repositories too. Default true. */
  readonly preloadPrivate?: boolean;
  /** Kubelet profiles to choose from. Default: every released one. */
  readonly versions?: readonly KubeletVersion[];
}

const ACTION_KINDS: readonly ActionKind[] = [
  'registryOutage',
  'revokePuller',
  'grantPuller',
  'changePassword',
  'rotateSecret',
  'restartKubelet',
  'crashKubelet',
  'deleteRecords',
  'imageGC',
  'removeImage',
  'restartContainer',
  'retag',
  'deletePod',
];
const FAULT_KINDS: readonly FsFaultKind[] = [
  'readError',
  'writeError',
  'enospc',
  'crashBeforeRename',
  'corrupt',
];
const FAULT_PATHS = [undefined, 'pulling', 'pulled'] as const;

/** The arbitrary of world plans. */
export function worldPlan(options: RandomWorldOptions = {}): fc.Arbitrary<WorldPlan> {
  const {
    actions = true,
    faults = true,
    excludeActions = [],
    nodeCredentials = true,
    preloadPrivate = true,
    versions = ['1.33', '1.34', '1.35', '1.36'],
  } = options;
  const tenantIndex = fc.nat({ max: 2 });
  const repo = fc.record({
    // Mostly private: the interesting worlds are the ones where access matters.
    public: fc.constantFrom(false, false, true),
    pullers: fc.uniqueArray(tenantIndex, { maxLength: 3 }),
    nodePuller: fc.boolean(),
    saPullers: fc.uniqueArray(tenantIndex, { maxLength: 2 }),
    tags: fc.array(fc.nat({ max: DIGEST_POOL.length - 1 }), { minLength: 1, maxLength: 2 }),
  });
  const registry = fc.record({
    repos: fc.array(repo, { minLength: 1, maxLength: 3 }),
    saProvider: fc.boolean(),
  });
  const tenant = fc.record({
    secret: fc.option(
      fc.record({
        registry: fc.nat({ max: 1 }),
        kind: fc.constantFrom<SecretKind>('own', 'own', 'copy', 'wrong'),
        copyFrom: tenantIndex,
      }),
      { nil: undefined, freq: 4 },
    ),
    saInherits: fc.boolean(),
  });
  const podPlan = fc.record({
    tenant: tenantIndex,
    image: fc.nat({ max: 11 }),
    policy: fc.constantFrom<ImagePullPolicy | undefined>('Always', 'IfNotPresent', 'Never', undefined),
    listsSecret: fc.boolean(),
    at: fc.nat({ max: 4 }),
  });
  const kinds = (faults ? [...ACTION_KINDS, 'fsFault' as const] : ACTION_KINDS).filter(
    (kind) => !excludeActions.includes(kind),
  );
  const action = fc.record({
    kind: fc.constantFrom(...kinds),
    at: fc.nat({ max: 300 }),
    a: fc.nat({ max: 11 }),
    b: fc.nat({ max: 11 }),
    c: fc.nat({ max: 11 }),
  });
  const rate = fc.constantFrom(0, 0, 0.05, 0.2);
  return fc
    .record({
      seed: fc.nat({ max: 1_000_000 }),
      version: fc.constantFrom(...versions),
      serializeImagePulls: fc.boolean(),
      registries: fc.array(registry, { minLength: 1, maxLength: 2 }),
      tenants: fc.array(tenant, { minLength: 1, maxLength: 3 }),
      nodeCredentials: nodeCredentials
        ? fc.option(fc.nat({ max: 1 }), { nil: undefined, freq: 4 })
        : fc.constant(undefined),
      preloaded: fc.uniqueArray(fc.nat({ max: 11 }), { maxLength: 3 }),
      pods: fc.array(podPlan, { minLength: 1, maxLength: 6 }),
      actions: actions && kinds.length > 0 ? fc.array(action, { maxLength: 4 }) : fc.constant([]),
      fsFaultRates: faults
        ? fc.option(fc.record({ readError: rate, writeError: rate, corrupt: rate }), {
            nil: undefined,
            freq: 3,
          })
        : fc.constant(undefined),
      allowlist: fc.uniqueArray(fc.nat({ max: 11 }), { maxLength: 2 }),
    })
    .map((plan) => (preloadPrivate ? plan : withoutPrivatePreloads(plan)));
}

/** The plan with every preloaded image of a private repository left out. */
function withoutPrivatePreloads(plan: WorldPlan): WorldPlan {
  const images = catalogue(plan);
  return { ...plan, preloaded: plan.preloaded.filter((i) => pick(images, i).public) };
}

/** One image the world knows: where it lives and whether its repository is public. */
export interface CatalogueImage {
  readonly ref: string;
  readonly registry: number;
  readonly repo: number;
  readonly public: boolean;
}

/** Every `host/apps/r<j>:<tag>` of the plan's registries, in a fixed order. */
function catalogue(plan: WorldPlan): CatalogueImage[] {
  const out: CatalogueImage[] = [];
  plan.registries.forEach((registry, r) => {
    registry.repos.forEach((repo, j) => {
      repo.tags.forEach((_, k) => {
        out.push({
          ref: `${REGISTRY_HOSTS[r]}/apps/r${j}:${TAGS[k]}`,
          registry: r,
          repo: j,
          public: repo.public,
        });
      });
    });
  });
  return out;
}

const user = (tenant: number) => `t${tenant}`;
const password = (tenant: number) => `pw-t${tenant}`;

function pick<T>(items: readonly T[], index: number): T {
  return items[index % items.length] as T;
}

/** The scenario a plan describes. */
export function planToScenario(plan: WorldPlan): Scenario {
  const tenants = plan.tenants.length;
  const images = catalogue(plan);
  const registries: RegistrySpec[] = plan.registries.map((registry, r) => ({
    host: REGISTRY_HOSTS[r] as string,
    users: [
      ...plan.tenants.map((_, i) => ({ username: user(i), password: password(i) })),
      { username: 'node', password: 'pw-node' },
    ],
    repositories: registry.repos.map((repo, j) => ({
      name: `apps/r${j}`,
      public: repo.public,
      pullers: [
        ...repo.pullers.filter((i) => i < tenants).map(user),
        ...(repo.nodePuller ? ['node'] : []),
        ...repo.saPullers.filter((i) => i < tenants).map((i) => serviceAccountUsername(`t${i}`, 'default')),
      ],
      tags: Object.fromEntries(
        repo.tags.map((d, k) => [
          TAGS[k],
          { digest: DIGEST_POOL[d] as string, sizeBytes: 1_000_000 * (d + 1) },
        ]),
      ),
    })),
    latency: { minTicks: seconds(0.02), maxTicks: seconds(2) },
    ...(registry.saProvider ? { serviceAccountTokenProvider: { requireServiceAccount: false } } : {}),
  }));

  const secretOf = (i: number, content: 'current' | 'rotated'): Manifest | undefined => {
    const secret = plan.tenants[i]?.secret;
    if (secret === undefined) return undefined;
    const host = pick(REGISTRY_HOSTS.slice(0, plan.registries.length), secret.registry);
    const owner = secret.kind === 'copy' ? secret.copyFrom % tenants : i;
    const pw = secret.kind === 'wrong' ? 'wrong' : password(owner);
    return dockerConfigSecret(
      `t${i}`,
      'regcred',
      host,
      user(owner),
      content === 'rotated' ? `${pw}-rotated` : pw,
    );
  };

  const objects: Manifest[] = [];
  plan.tenants.forEach((t, i) => {
    const secret = secretOf(i, 'current');
    if (secret !== undefined) objects.push(secret);
    if (t.saInherits) objects.push(serviceAccount(`t${i}`, 'default', { secrets: ['regcred'] }));
  });

  const podName = (p: number) => `p${p}`;
  const podKey = (p: number) => {
    const planned = plan.pods[p % plan.pods.length] as PodPlan;
    return `t${planned.tenant % tenants}/${podName(p % plan.pods.length)}`;
  };
  const timeline: TimelineStep[] = [];
  plan.pods.forEach((p, index) => {
    const manifest = pod(`t${p.tenant % tenants}`, podName(index), pick(images, p.image).ref, {
      ...(p.policy === undefined ? {} : { pullPolicy: p.policy }),
      ...(p.listsSecret ? { secrets: ['regcred'] } : {}),
    });
    if (p.at === 0) objects.push(manifest);
    else timeline.push(applyAt(minutes(p.at), manifest));
  });

  for (const a of plan.actions) {
    const at = seconds(a.at);
    const image = pick(images, a.a);
    const host = REGISTRY_HOSTS[image.registry] as string;
    const step = (action: Action) => timeline.push(actionAt(at, action));
    switch (a.kind) {
      case 'registryOutage':
        step({ action: 'registryDown', host });
        timeline.push(actionAt(seconds(a.at + 30 + 10 * (a.b % 12)), { action: 'registryUp', host }));
        break;
      case 'revokePuller':
        step({
          action: 'revokePuller',
          host,
          repository: `apps/r${image.repo}`,
          username: user(a.b % tenants),
        });
        break;
      case 'grantPuller':
        step({
          action: 'grantPuller',
          host,
          repository: `apps/r${image.repo}`,
          username: user(a.b % tenants),
        });
        break;
      case 'changePassword':
        step({
          action: 'changePassword',
          host,
          username: user(a.b % tenants),
          password: `pw-changed-${a.c}`,
        });
        break;
      case 'rotateSecret': {
        const rotated = secretOf(a.b % tenants, 'rotated');
        if (rotated !== undefined) timeline.push(applyAt(at, rotated));
        break;
      }
      case 'restartKubelet':
      case 'crashKubelet':
        step({
          action: a.kind,
          node: 'node-1',
          ...(a.b % 3 === 0 ? {} : { downtime: seconds(5 * (a.b % 3)) }),
        });
        break;
      case 'deleteRecords':
      case 'imageGC':
        step({ action: a.kind, node: 'node-1' });
        break;
      case 'removeImage':
        step({ action: 'removeImage', node: 'node-1', image: image.ref });
        break;
      case 'restartContainer':
        step({ action: 'restartContainer', pod: podKey(a.b) });
        break;
      case 'retag':
        step({
          action: 'retag',
          host,
          repository: `apps/r${image.repo}`,
          tag: image.ref.slice(image.ref.lastIndexOf(':') + 1),
          digest: pick(DIGEST_POOL, a.c),
        });
        break;
      case 'deletePod': {
        const [namespace, name] = podKey(a.b).split('/') as [string, string];
        timeline.push(deleteAt(at, { kind: 'Pod', namespace, name }));
        break;
      }
      case 'fsFault': {
        const path = pick(FAULT_PATHS, a.c);
        step({
          action: 'fsFault',
          node: 'node-1',
          fault: pick(FAULT_KINDS, a.b),
          count: 1 + (a.c % 3),
          ...(path === undefined ? {} : { path }),
        });
        break;
      }
    }
  }
  timeline.sort((x, y) => x.at - y.at);

  const nodeCredentials =
    plan.nodeCredentials === undefined
      ? undefined
      : {
          [pick(REGISTRY_HOSTS.slice(0, plan.registries.length), plan.nodeCredentials)]: {
            username: 'node',
            password: 'pw-node',
          },
        };
  const allowlist = [
    ...new Set(
      plan.allowlist.map((i) => {
        const ref = pick(images, i).ref;
        return `${ref.slice(0, ref.lastIndexOf('/'))}/*`;
      }),
    ),
  ];
  return scenario({
    name: 'random-world',
    seed: plan.seed,
    kubelet: kubelet({
      version: plan.version,
      // A token provider needs its gate (off by default in 1.33): random worlds study the provider, not a refused start.
      featureGates: plan.registries.some((r) => r.saProvider)
        ? { KubeletServiceAccountTokenForCredentialProviders: true }
        : {},
      serializeImagePulls: plan.serializeImagePulls,
      ...(plan.serializeImagePulls ? {} : { maxParallelImagePulls: 3 }),
      preloadedImagesVerificationAllowlist: allowlist,
    }),
    registries,
    nodes: [
      node({
        images: [...new Set(plan.preloaded.map((i) => pick(images, i).ref))].map((ref) => ({ ref })),
        ...(nodeCredentials === undefined ? {} : { credentials: nodeCredentials }),
        ...(plan.fsFaultRates === undefined ? {} : { fsFaults: plan.fsFaultRates }),
      }),
    ],
    objects,
    timeline,
  });
}

/** What a plan uses, for properties that hold only in some worlds. */
export interface PlanFeatures {
  /** Access taken away or credentials changed: revokePuller, changePassword, a secret rotated in place. */
  readonly accessChanges: boolean;
  readonly nodeCredentials: boolean;
  readonly deleteRecords: boolean;
  /** A preloaded image whose repository is not public. */
  readonly preloadedPrivate: boolean;
  /** A registry with a KEP-4412 service-account token provider. */
  readonly serviceAccountProvider: boolean;
  readonly faults: boolean;
}

export function describePlan(plan: WorldPlan): PlanFeatures {
  const images = catalogue(plan);
  const kinds = new Set(plan.actions.map((a) => a.kind));
  return {
    accessChanges: kinds.has('revokePuller') || kinds.has('changePassword') || kinds.has('rotateSecret'),
    nodeCredentials: plan.nodeCredentials !== undefined,
    deleteRecords: kinds.has('deleteRecords'),
    preloadedPrivate: plan.preloaded.some((i) => !pick(images, i).public),
    serviceAccountProvider: plan.registries.some((r) => r.saProvider),
    faults: kinds.has('fsFault') || plan.fsFaultRates !== undefined,
  };
}

/** The same world with every fault removed: no fsFault action, no fault rates. */
export function withoutFaults(plan: WorldPlan): WorldPlan {
  return { ...plan, actions: plan.actions.filter((a) => a.kind !== 'fsFault'), fsFaultRates: undefined };
}

/** A short label for a plan's run in failure messages. */
export function planLabel(plan: WorldPlan): string {
  return `seed ${plan.seed}, kubelet ${plan.version}, ${plan.pods.length} pods, ${plan.actions.length} actions`;
}
