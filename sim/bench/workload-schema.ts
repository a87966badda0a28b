import * as z from 'zod';
import { KUBELET_VERSIONS, type KubeletVersion } from '../../src/profiles.js';
import {
  decimal,
  duration,
  type Frozen,
  fields,
  integer,
  literal,
  oneOf,
  QUOTED,
  text,
  VALUE,
} from '../input/kit.js';
import type { FsDeviceProfileName } from '../world/filesystem.js';

/*
 * The workload file format (`pullsim bench --workload FILE`), written once: the loader validates with it
 * (sim/bench/workload.ts), the Workload type is inferred from it, and its JSON Schema (workloadJsonSchema) lets an
 * editor complete and check workload files. Each field's description is what the JSON Schema documents and what
 * docs/benchmarks.md lists.
 */

/**
 * Upper bounds on the counts a workload file may ask for: the static world (tenants, images) is built in memory up
 * front, so a typo such as an extra three zeros should be an input error rather than an out-of-memory crash. Each
 * is 100× the large preset (restarts: one a minute for a week).
 */
export const WORKLOAD_LIMITS = {
  tenants: 100_000,
  images: 500_000,
  podStarts: 10_000_000,
  kubeletRestarts: 10_080,
} as const;

/** The built-in workloads a file can start from (`spec.base`). */
export const WORKLOAD_PRESET_NAMES = ['small', 'medium', 'large'] as const;
export type WorkloadPresetName = (typeof WORKLOAD_PRESET_NAMES)[number];

/** Filesystem latency profiles of the node (sim/world/filesystem.ts DEVICE_PROFILES). */
const DEVICES = ['none', 'ssd', 'hdd', 'network'] as const satisfies readonly FsDeviceProfileName[];

const described = <T extends z.ZodType>(schema: T, description: string): T => schema.meta({ description });

/** A fraction from 0 to 1. */
const fraction = (description: string) => described(decimal(0, 1), description);

/** What a duration field accepts, in the kit's words: `a duration such as 90s, 5m or 1h30m`. */
const DURATION_HINT = String(duration().meta()?.description);

/** The kit's JSON Schema of duration text (`{ type: 'string', pattern }`), without its alternative of a bare 0. */
const DURATION_TEXT = (duration().meta()?.anyOf as readonly object[] | undefined)?.[0] ?? { type: 'string' };

/** A duration (a bare 0 included); the kit's JSON Schema checks its syntax. */
const span = (description: string) => described(duration(), `${description}: ${DURATION_HINT}`);

/** A duration longer than zero (a zero would schedule the same check forever, or run nothing). */
const positiveSpan = (description: string) =>
  duration()
    .refine((value) => value > 0, { error: 'must be greater than 0' })
    .meta({ description: `${description}: ${DURATION_HINT}, longer than 0`, anyOf: [DURATION_TEXT] });

/**
 * A kubelet version profile (src/profiles.ts). YAML reads an unquoted `1.34` as a number, which is accepted as
 * the version it spells.
 */
const kubeletVersion = z
  .custom<string | number>((value) => typeof value === 'string' || typeof value === 'number', {
    error: `expected a kubelet version, got ${VALUE}`,
    params: { code: 'invalid_type' },
  })
  .transform((value, context): KubeletVersion => {
    const version = String(value);
    if ((KUBELET_VERSIONS as readonly string[]).includes(version)) return version as KubeletVersion;
    context.issues.push({ code: 'custom', message: `unknown kubelet version ${QUOTED}`, input: version });
    return z.NEVER;
  })
  .meta({
    description: 'The kubelet version whose behaviour is simulated (its profile in src/profiles.ts)',
    anyOf: [
      { type: 'string', enum: [...KUBELET_VERSIONS] },
      {
        type: 'number',
        // The versions YAML reads as numbers: those a number prints as (1.30 would print as 1.3).
        enum: KUBELET_VERSIONS.map(Number).filter((n) =>
          (KUBELET_VERSIONS as readonly string[]).includes(String(n)),
        ),
      },
    ],
  });

const kubeletSection = fields({
  version: kubeletVersion,
  maxParallelImagePulls: described(
    integer(1),
    'How many image pulls the kubelet runs at once (serializeImagePulls is false)',
  ),
});

const imagesSection = fields({
  count: described(
    integer(1, WORKLOAD_LIMITS.images),
    'How many images, each in its own repository of the bench registry with one tag',
  ),
  publicFraction: fraction(
    'Fraction of images in public repositories (pulled anonymously, recorded node-wide)',
  ),
  tenantsPerPrivateImage: described(integer(1), 'How many tenants may pull each private image'),
  preloadedFraction: fraction('Fraction of images already on the node at start (preloaded)'),
  minSizeBytes: described(
    integer(1),
    'Smallest image size in bytes; sizes are drawn uniformly between the two bounds',
  ),
  maxSizeBytes: described(integer(1), 'Largest image size in bytes; at least minSizeBytes'),
});

const pullPolicySection = fields({
  Always: fraction('Fraction of pods with imagePullPolicy Always'),
  IfNotPresent: fraction('Fraction of pods with imagePullPolicy IfNotPresent'),
  Never: fraction('Fraction of pods with imagePullPolicy Never (they run preloaded images)'),
});

const podsSection = fields({
  starts: described(
    integer(1, WORKLOAD_LIMITS.podStarts),
    'Pods created over the duration (Poisson arrivals; an arrival after the end creates nothing)',
  ),
  meanLifetime: span('Mean lifetime of a pod (exponential, at least one second)'),
  foreignImageFraction: fraction(
    'Fraction of pods naming a private image their tenant may not pull (the kubernetes#18787 attempt)',
  ),
  pullPolicy: pullPolicySection,
  withSecretFraction: fraction('Fraction of pods that list their tenant’s pull secret'),
});

const secretsSection = fields({
  rotationsPerHour: described(
    decimal(0, 1e6),
    'Mean rate of in-place pull-secret rotations (the registry password changes with it, so the secret stays valid)',
  ),
  copiesPerHour: described(
    decimal(0, 1e6),
    'Mean rate at which a tenant copies another tenant’s credentials into a second secret its later pods list',
  ),
});

const imageGCSection = fields({
  capacityBytes: described(integer(1), 'Size of the node’s image store in bytes'),
  highThresholdPercent: described(
    integer(0, 100),
    'Disk usage in percent at which image garbage collection starts (the kubelet’s imageGCHighThresholdPercent)',
  ),
  lowThresholdPercent: described(
    integer(0, 100),
    'Disk usage in percent that image garbage collection frees down to (imageGCLowThresholdPercent); at most highThresholdPercent',
  ),
  period: positiveSpan('How often the kubelet checks whether to collect images'),
});

/** Every setting of a workload, complete: what a preset holds, with the kubelet's settings in one section. */
const settingsShape = {
  seed: described(
    integer(0),
    'Seed of every random choice (image sharing, arrivals, pod choices, secret events): same seed, same timeline',
  ),
  duration: positiveSpan('Simulated time the workload runs; pods arrive over all of it'),
  kubelet: kubeletSection,
  device: described(
    oneOf(DEVICES),
    'Latency profile of the node’s filesystem, charged per system call (none charges nothing)',
  ),
  tenants: described(
    integer(1, WORKLOAD_LIMITS.tenants),
    'How many tenants: each a namespace with its own registry user and pull secret',
  ),
  images: imagesSection,
  pods: podsSection,
  secrets: secretsSection,
  kubeletRestarts: described(
    integer(0, WORKLOAD_LIMITS.kubeletRestarts),
    'Kubelet restarts, evenly spaced over the duration',
  ),
  imageGC: imageGCSection,
};

/** A complete workload's settings as the schema outputs them (durations in ticks). */
type Settings = z.output<z.ZodObject<typeof settingsShape>>;

/**
 * A load workload, described the way ClusterLoader2 describes a test: how many tenants and images, how images
 * are shared, how pods arrive and how long they live, how often secrets rotate or are copied, how often the
 * kubelet restarts, and the image GC pressure. It is expanded lazily into a timeline (sim/bench/workload-expansion.ts),
 * so a day with 100 000 pod starts never exists in memory at once. Its sections are the workload file's.
 */
export interface Workload extends Frozen<Omit<Settings, 'kubelet'>> {
  readonly name: string;
  readonly description: string;
  readonly kubeletVersion: KubeletVersion;
  readonly maxParallelImagePulls: number;
}

/** The `spec` of a workload file: a preset to start from and any of its settings to override. */
export const workloadSpecSchema = described(
  fields({
    base: described(
      oneOf(WORKLOAD_PRESET_NAMES),
      'The preset whose values fill every field the file leaves out (default small)',
    ).optional(),
    seed: settingsShape.seed.optional(),
    duration: settingsShape.duration.optional(),
    kubelet: described(kubeletSection.partial(), 'The kubelet under test').optional(),
    device: settingsShape.device.optional(),
    tenants: settingsShape.tenants.optional(),
    images: described(imagesSection.partial(), 'The images the pods run and who may pull them').optional(),
    pods: described(
      podsSection.partial().extend({
        pullPolicy: described(
          pullPolicySection.partial(),
          'How the pods’ image pull policies are spread; the three fractions (with the base’s for those left out) must add up to 1',
        ).optional(),
      }),
      'How pods arrive, what they run and how long they live',
    ).optional(),
    secrets: described(
      secretsSection.partial(),
      'Credential churn: secret rotations and copies (Poisson processes)',
    ).optional(),
    kubeletRestarts: settingsShape.kubeletRestarts.optional(),
    imageGC: described(
      imageGCSection.partial(),
      'The node’s image store and the kubelet’s image garbage collection',
    ).optional(),
  }),
  'What differs from the preset named by base; every field is optional',
);

/** A whole workload file. */
export const workloadFileSchema = fields({
  apiVersion: described(literal('pullsim/v1alpha1'), 'The version of the workload format'),
  kind: described(literal('Workload'), 'What the file describes'),
  metadata: described(
    fields({
      name: described(text({ nonEmpty: true }), 'The workload’s name, shown in bench reports'),
      description: described(
        text(),
        'What the workload is, in one line (default: `based on` and the base preset’s name)',
      ).optional(),
    }),
    'The workload’s name and description',
  ),
  spec: workloadSpecSchema,
});

/** A workload file as written (durations as text), e.g. for serializing one. */
export type WorkloadFile = z.input<typeof workloadFileSchema>;

/** The sections a workload file's `spec` may hold, in the order the docs list them. */
export const WORKLOAD_SPEC_FIELDS = Object.keys(
  workloadSpecSchema.shape,
) as readonly (keyof WorkloadFile['spec'])[];

/**
 * The JSON Schema (draft 2020-12) of workload files, so that editors complete and check them. It checks each
 * field's type, range, choices and duration syntax; the checks that involve two fields (the pull-policy fractions
 * add up to 1, minSizeBytes ≤ maxSizeBytes, lowThresholdPercent ≤ highThresholdPercent) and a duration's value
 * (finer than 1µs, or zero where it must be longer) are the loader's alone.
 */
export function workloadJsonSchema(): Record<string, unknown> {
  const { $schema, ...schema } = z.toJSONSchema(workloadFileSchema, {
    io: 'input',
    unrepresentable: 'any',
    target: 'draft-2020-12',
  });
  return {
    $schema,
    $id: 'https://github.com/pullsim/pullsim/docs/schema/workload.schema.json',
    title: 'pullsim workload (pullsim/v1alpha1 Workload)',
    description:
      'A load workload for `pullsim bench --workload FILE`; its spec overrides the preset named by base.',
    ...schema,
  };
}
