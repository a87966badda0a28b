/**
 * The shape of a drawn run before it becomes a scenario: pods and timeline actions as numbers the generator lays
 * out (generate.ts). Shared by the swarm generator and the situation templates (templates.ts).
 */
import type { FsFaultKind, ImagePullPolicy } from '../scenario/types.js';

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

/**
 * The situations a run can be built around (templates.ts): `swarm` is none, the others each set up one documented
 * gap class or known kubelet bug.
 */
export const TEMPLATES = [
  'swarm',
  'cross-tenant',
  'revocation',
  'rotation',
  'start-race',
  'deleted-records',
  'node-wide',
  'allowlisted',
  'fault-lost-record',
  'poisoned-preload',
] as const;
export type Template = (typeof TEMPLATES)[number];

/** One pod: its tenant, the catalog index of its image, its pull policy and credentials, and when it appears. */
export interface PodPlan {
  readonly tenant: number;
  readonly image: number;
  readonly policy: ImagePullPolicy;
  readonly withSecret: boolean;
  readonly builderAccount: boolean;
  readonly atSeconds: number;
}

/** One action: its kind and moment; `a` and `b` pick the tenant and a variant, `fault` a fault kind. */
export interface ActionPlan {
  readonly kind: FuzzAction | 'fsFault';
  readonly atSeconds: number;
  /** Milliseconds after `atSeconds` (a situation that needs a change while a pull runs). */
  readonly offsetMs?: number;
  readonly a: number;
  readonly b: number;
  readonly fault: number;
}

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
  /** The situation the run is built around (templates.ts), or `swarm` for none. */
  readonly template: Template;
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
