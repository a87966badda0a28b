/**
 * Situation templates: a share of a campaign's runs is built around one situation in which a documented gap class
 * (sim/gaps.ts) or a known kubelet bug can occur — a pull, then a change, then a second start of the same image —
 * so that rare classes are found in every campaign instead of by chance. The situation's pods and actions are
 * drawn (tenants, images, policies, moments) and added to an ordinary swarm run, so the run stays fully seeded by
 * (seed, index) and shrinks like any other (the shrinker works on the materialised scenario).
 */
import fc from 'fast-check';
import type { FsFaultKind, ImagePullPolicy } from '../scenario/types.js';
import type { ActionPlan, FuzzAction, PodPlan, SwarmProfile, Template } from './plan.js';
import { FUZZ_ACTIONS, FUZZ_FAULTS } from './plan.js';
import { catalogIndex, HOST } from './tenant-world.js';

/** The pods and actions a template adds to a run, and what it changes in the world. */
export interface Situation {
  readonly pods: readonly PodPlan[];
  readonly actions: readonly ActionPlan[];
  /** Allowlist patterns besides the world's own. */
  readonly allowlist: readonly string[];
  /** Whose credentials the node holds (with node-wide credentials). */
  readonly nodeWideTenant?: number;
  /** Catalog indices preloaded on the node (with preloaded images). */
  readonly preloaded: readonly number[];
}

/** What a situation is drawn for: the run's profile (template applied) and its number of tenants. */
interface SituationWorld {
  readonly profile: SwarmProfile;
  readonly tenants: number;
}

interface TemplateSpec {
  /** Share of the campaign's runs, out of the weights' sum. */
  readonly weight: number;
  readonly minTenants: number;
  /** How many pods and actions the situation adds (fixed per template). */
  readonly pods: number;
  readonly actions: number;
  /** Action and fault kinds the profile must enable, and world features it must have or lack. */
  readonly enables: readonly FuzzAction[];
  readonly faults: readonly FsFaultKind[];
  readonly features: Partial<
    Pick<
      SwarmProfile,
      'nodeWideCredentials' | 'sharedDigests' | 'preloadedImages' | 'copiedCredentials' | 'wrongPasswords'
    >
  >;
  readonly situation: (world: SituationWorld) => fc.Arbitrary<Situation>;
}

const NONE: Situation = { pods: [], actions: [], allowlist: [], preloaded: [] };
/** Each tenant's secret holds its own valid credentials, so that the first pull succeeds. */
const OWN_SECRETS = { copiedCredentials: false, wrongPasswords: false } as const;

/** First pull, the change `gap` seconds later, the second start `later` seconds after that. */
const timesArb = fc.record({
  first: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 60 })),
  gap: fc.integer({ min: 5, max: 60 }),
  later: fc.integer({ min: 1, max: 60 }),
});

function pod(
  tenant: number,
  image: number,
  policy: ImagePullPolicy,
  withSecret: boolean,
  atSeconds: number,
): PodPlan {
  return { tenant, image, policy, withSecret, builderAccount: false, atSeconds };
}

function action(kind: ActionPlan['kind'], atSeconds: number, a: number, b = 0): ActionPlan {
  return { kind, atSeconds, a, b, fault: 0 };
}

/** The registry stops accepting tenant `a`'s credential: a revoked puller or a password changed behind the secret. */
function revoke(kind: 'revokePuller' | 'changePassword', a: number, atSeconds: number): ActionPlan {
  // changePassword with an odd `b` leaves the secret as it was (generate.ts).
  return action(kind, atSeconds, a, 1);
}

/** Who starts the image the second time: the first pod's tenant with its secret, a pod without one, another tenant. */
type Second = 'same-secret' | 'no-secret' | 'other-tenant';

/**
 * The common shape: tenant `a`'s image pulled by a first pod (with its secret, or by the node's credentials), the
 * `change` actions, then a second pod starting the same image without pulling (IfNotPresent or Never).
 */
function reuseArb(
  world: SituationWorld,
  second: Second,
  change: (a: number, atSeconds: number) => fc.Arbitrary<readonly ActionPlan[]>,
  firstBy: 'secret' | 'node' = 'secret',
): fc.Arbitrary<Situation & { readonly tenant: number }> {
  const { tenants, profile } = world;
  return fc
    .record({
      a: fc.nat(tenants - 1),
      other: fc.nat(Math.max(0, tenants - 2)),
      anyone: fc.nat(tenants - 1),
      tag: fc.constantFrom<'v1' | 'v2'>('v1', 'v2'),
      firstPolicy: fc.constantFrom<ImagePullPolicy>('IfNotPresent', 'Always'),
      secondPolicy: fc.constantFrom<ImagePullPolicy>('IfNotPresent', 'Never'),
      times: timesArb,
    })
    .chain((d) => {
      const image = catalogIndex({ tenant: d.a, name: d.tag }, profile.sharedDigests);
      const firstTenant = firstBy === 'node' ? d.anyone : d.a;
      const secondTenant =
        second === 'same-secret' ? d.a : second === 'other-tenant' ? (d.a + 1 + d.other) % tenants : d.anyone;
      const changeAt = d.times.first + d.times.gap;
      return change(d.a, changeAt).map((actions) => ({
        ...NONE,
        tenant: d.a,
        pods: [
          pod(firstTenant, image, d.firstPolicy, firstBy === 'secret', d.times.first),
          pod(secondTenant, image, d.secondPolicy, second !== 'no-secret', changeAt + d.times.later),
        ],
        actions,
      }));
    });
}

const noChange = () => fc.constant([] as readonly ActionPlan[]);
const revocation = (a: number, at: number) =>
  fc
    .constantFrom<'revokePuller' | 'changePassword'>('revokePuller', 'changePassword')
    .map((kind) => [revoke(kind, a, at)]);

/** A tenant's image pulled, the registry changed while the transfer ran (within the shortest pull latency). */
function startRaceArb(world: SituationWorld): fc.Arbitrary<Situation> {
  return fc
    .record({
      a: fc.nat(world.tenants - 1),
      tag: fc.constantFrom<'v1' | 'v2'>('v1', 'v2'),
      policy: fc.constantFrom<ImagePullPolicy>('IfNotPresent', 'Always'),
      at: fc.integer({ min: 1, max: 120 }),
      offsetMs: fc.integer({ min: 1, max: 15 }),
      kind: fc.constantFrom<'revokePuller' | 'changePassword'>('revokePuller', 'changePassword'),
    })
    .map((d) => ({
      ...NONE,
      pods: [
        pod(
          d.a,
          catalogIndex({ tenant: d.a, name: d.tag }, world.profile.sharedDigests),
          d.policy,
          true,
          d.at,
        ),
      ],
      actions: [{ ...revoke(d.kind, d.a, d.at), offsetMs: d.offsetMs }],
    }));
}

/**
 * A record write fails under a fault (the intent stays), the kubelet restarts, and a later pull of the same image
 * string that fails (a pod without the right to it) ends and deletes the intent: neither a record nor an intent.
 */
function lostRecordArb(world: SituationWorld): fc.Arbitrary<Situation> {
  const faults = world.profile.faults;
  return reuseArb(world, 'no-secret', noChange).chain((s) =>
    fc.constantFrom<FsFaultKind>('writeError', 'enospc').map((fault) => {
      const [first, second] = s.pods as [PodPlan, PodPlan];
      const at = Math.max(first.atSeconds, 2);
      return {
        ...s,
        pods: [
          { ...first, atSeconds: at },
          { ...second, policy: 'Always' as const, atSeconds: at + 90 },
        ],
        // fsFault on `pulled` (b = 0), three writes (a = 2) so that later record writes fail too, just before
        // the pull; the restart between the two pulls.
        actions: [
          { ...action('fsFault', at - 1, 2, 0), fault: faults.indexOf(fault) },
          action('restartKubelet', at + 30, 0),
        ],
      };
    }),
  );
}

/** kubernetes#138175: the public image preloaded, then a private mirror of the same digest pulled; then the public one. */
function poisonedPreloadArb(world: SituationWorld): fc.Arbitrary<Situation> {
  return reuseArb(world, 'no-secret', noChange).map((s) => {
    const [first, second] = s.pods as [PodPlan, PodPlan];
    const mirror = catalogIndex({ tenant: s.tenant, name: 'mirror' }, true);
    return {
      ...s,
      pods: [
        { ...first, image: mirror },
        { ...second, image: catalogIndex('public', true), policy: 'Never' as const },
      ],
      preloaded: [catalogIndex('public', true)],
    };
  });
}

const TEMPLATE_SPECS: { readonly [T in Template]: TemplateSpec } = {
  swarm: spec(40, 1, 0, 0, {}, () => fc.constant(NONE)),
  // Another tenant's pod, with its own secret, asks for an image a tenant pulled: kubernetes#18787 itself, and
  // the situation of the planted bug (a secret matched without comparing its hash).
  'cross-tenant': spec(15, 2, 2, 0, OWN_SECRETS, (w) => reuseArb(w, 'other-tenant', noChange)),
  revocation: spec(6, 1, 2, 1, OWN_SECRETS, (w) => reuseArb(w, 'same-secret', revocation), [
    'revokePuller',
    'changePassword',
  ]),
  rotation: spec(
    6,
    1,
    2,
    1,
    OWN_SECRETS,
    (w) =>
      // rotateSecret with an odd `b` puts a password the registry refuses into the same secret.
      reuseArb(w, 'same-secret', (a, at) =>
        fc.integer({ min: 0, max: 3 }).map((k) => [action('rotateSecret', at, a, 2 * k + 1)]),
      ),
    ['rotateSecret'],
  ),
  'start-race': spec(6, 1, 1, 1, OWN_SECRETS, startRaceArb, ['revokePuller', 'changePassword']),
  // The records wiped and the kubelet restarted (deleteRecords with an even `b`): the image looks preloaded.
  'deleted-records': spec(
    6,
    1,
    2,
    1,
    { ...OWN_SECRETS, nodeWideCredentials: false },
    (w) => reuseArb(w, 'no-secret', (a, at) => fc.constant([action('deleteRecords', at, a, 0)])),
    ['deleteRecords'],
  ),
  'node-wide': spec(
    6,
    1,
    2,
    1,
    { nodeWideCredentials: true },
    (w) => reuseArb(w, 'no-secret', revocation, 'node').map((s) => ({ ...s, nodeWideTenant: s.tenant })),
    ['revokePuller', 'changePassword'],
  ),
  // An administrator allowlisted a tenant's private repository.
  allowlisted: spec(6, 1, 2, 0, { ...OWN_SECRETS, nodeWideCredentials: false }, (w) =>
    reuseArb(w, 'no-secret', noChange).map((s) => ({ ...s, allowlist: [`${HOST}/t${s.tenant}/app`] })),
  ),
  'fault-lost-record': spec(
    6,
    1,
    2,
    2,
    { ...OWN_SECRETS, nodeWideCredentials: false },
    lostRecordArb,
    ['restartKubelet'],
    ['writeError', 'enospc'],
  ),
  'poisoned-preload': spec(
    6,
    1,
    2,
    0,
    { ...OWN_SECRETS, sharedDigests: true, preloadedImages: true },
    poisonedPreloadArb,
  ),
};

function spec(
  weight: number,
  minTenants: number,
  pods: number,
  actions: number,
  features: TemplateSpec['features'],
  situation: TemplateSpec['situation'],
  enables: readonly FuzzAction[] = [],
  faults: readonly FsFaultKind[] = [],
): TemplateSpec {
  return { weight, minTenants, pods, actions, enables, faults, features, situation };
}

/** The template of a run, by the templates' weights. */
export const templateArb: fc.Arbitrary<Template> = fc.oneof(
  ...Object.entries(TEMPLATE_SPECS).map(([name, s]) => ({
    arbitrary: fc.constant(name as Template),
    weight: s.weight,
  })),
);

/**
 * The profile with its template's needs: the situation's action and fault kinds enabled, its world features set,
 * and room in `maxActions` for the situation's actions.
 */
export function withTemplateNeeds(profile: SwarmProfile): SwarmProfile {
  const s = TEMPLATE_SPECS[profile.template];
  return {
    ...profile,
    ...s.features,
    actions: FUZZ_ACTIONS.filter((a) => profile.actions.includes(a) || s.enables.includes(a)),
    faults: FUZZ_FAULTS.filter((f) => profile.faults.includes(f) || s.faults.includes(f)),
    maxActions: profile.maxActions + s.actions,
  };
}

/** What a template takes of a run: its fewest tenants, and the pods and actions it adds (fixed counts). */
export function templateShape(template: Template): {
  readonly minTenants: number;
  readonly pods: number;
  readonly actions: number;
} {
  const { minTenants, pods, actions } = TEMPLATE_SPECS[template];
  return { minTenants, pods, actions };
}

/** The situation of a run's template, drawn for its world. */
export function situationArb(profile: SwarmProfile, tenants: number): fc.Arbitrary<Situation> {
  return TEMPLATE_SPECS[profile.template].situation({ profile, tenants });
}
