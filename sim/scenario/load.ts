import * as z from 'zod';
import { TICKS_PER_MINUTE, type Ticks, ticks } from '../../src/time.js';
import { InputError, type Path } from '../errors.js';
import { Issues } from '../input/issues.js';
import { asMapping, duration, fields, integer, list, literal, peek } from '../input/kit.js';
import { secretPaths } from '../input/secrets.js';
import { readYaml } from '../input/yaml.js';
import { MAX_SEED } from '../kernel/random.js';
import { ACTION_FIELDS } from './schema/actions.js';
import {
  expectSchema,
  intentCheckSchema,
  metricCheckSchema,
  pullsRangeSchema,
  readExpectations,
  recordCheckSchema,
} from './schema/expect.js';
import { featureGatesSchema, type KubeletSpec, kubeletSchema, readKubelet } from './schema/kubelet.js';
import { deleteSchema, type Manifest, readManifest } from './schema/manifests.js';
import { fsFaultsSchema, imageGCSchema, imageSchema, nodeSchema, readNodes } from './schema/node.js';
import {
  latencySchema,
  providerSchema,
  rateLimitSchema,
  readRegistries,
  registrySchema,
  repositorySchema,
  tagSchema,
  tokenBucketSchema,
  userSchema,
} from './schema/registry.js';
import { metadataSchema, type Scenario, scenarioSchema, specSchema } from './schema/scenario.js';
import { readTimeline, type TimelineContext, type TimelineStep } from './schema/timeline.js';

/*
 * A scenario file's loader. Its schema (sim/scenario/schema/scenario.ts) is the one description of the format
 * (docs/scenario-format.md; the JSON Schema that `pullsim schema scenario` prints comes from it). Sections are
 * read one by one, and list items one by one, so that every problem of the file is reported at once and references
 * between sections are checked against whatever could be read.
 */

export { ACTION_FIELDS };

/** The schema of each group of fields, by the name docs/scenario-format.md gives its table. */
const GROUPS = {
  top: scenarioSchema,
  metadata: metadataSchema,
  spec: specSchema,
  kubelet: kubeletSchema,
  featureGates: featureGatesSchema,
  registry: registrySchema,
  user: userSchema,
  repository: repositorySchema,
  tag: tagSchema,
  rateLimit: rateLimitSchema,
  tokenBucket: tokenBucketSchema,
  latency: latencySchema,
  serviceAccountTokenProvider: providerSchema,
  node: nodeSchema,
  image: imageSchema,
  imageGC: imageGCSchema,
  fsFaults: fsFaultsSchema,
  delete: deleteSchema,
  expect: expectSchema,
  pulls: pullsRangeSchema,
  record: recordCheckSchema,
  intent: intentCheckSchema,
  metric: metricCheckSchema,
} as const;

/** The fields of each group, in the schema's (and the documentation's) order; a step is one of three shapes. */
export const SCENARIO_FIELDS: Readonly<Record<keyof typeof GROUPS | 'step', readonly string[]>> = {
  ...(Object.fromEntries(
    Object.entries(GROUPS).map(([group, schema]) => [group, Object.keys(schema.shape)]),
  ) as unknown as Record<keyof typeof GROUPS, readonly string[]>),
  step: ['at', 'apply', 'delete', 'action'],
};

const topSchema = fields({
  apiVersion: literal('pullsim/v1alpha1'),
  kind: literal('Scenario'),
  metadata: metadataSchema,
  spec: fields(
    Object.fromEntries(Object.keys(specSchema.shape).map((key) => [key, z.unknown().exactOptional()])),
  ),
});

/**
 * Parses and validates a scenario file (YAML or JSON; docs/contract.md §2). Every problem is reported at once as
 * an `InputError` whose issues carry the file, the line, the field path and what was expected.
 */
export function parseScenario(text: string, file = '<scenario>'): Scenario {
  const { root, lineOf, offsetOf } = readYaml(text, file);
  const issues = new Issues({ file, lineOf, offsetOf, isSecret: secretPaths(root) });
  // The header's problems are reported, and the spec is read all the same.
  issues.parse(topSchema, root, []);
  const metadata = peek(metadataSchema, asMapping(root).metadata);
  const spec = asMapping(asMapping(root).spec);
  const read = readSpec(issues, spec);
  const scenario = metadata === undefined || read === undefined ? undefined : assemble({ metadata, ...read });
  issues.throwIfAny();
  if (scenario === undefined) {
    throw new InputError({ code: 'invalid_value', file, line: 1, path: [], message: 'invalid scenario' });
  }
  SOURCE_LINES.set(scenario, lineOf);
  return scenario;
}

function readSpec(issues: Issues, spec: Readonly<Record<string, unknown>>) {
  const seed =
    spec.seed === undefined ? 1 : (issues.parse(integer(0, MAX_SEED), spec.seed, ['spec', 'seed']) ?? 1);
  const until =
    spec.until === undefined ? undefined : issues.parse(duration(), spec.until, ['spec', 'until']);
  const kubelet = readKubelet(issues, spec.kubelet);
  const registries = readRegistries(issues, spec.registries, seed);
  const nodes = readNodes(issues, spec.nodes, registries);
  const context: TimelineContext = {
    nodes: new Set(nodes.map((n) => n.name)),
    registries: new Map(registries.map((reg) => [reg.host, reg])),
    defaultNode: nodes.length === 1 ? nodes[0]?.name : undefined,
  };
  const objects = readObjects(issues, spec.objects, context);
  const timeline = readTimeline(issues, spec.timeline, context);
  const expect = readExpectations(issues, spec.expect, podsOf(objects, timeline), context.nodes);
  if (kubelet === undefined) return undefined;
  return { seed, until, kubelet, registries, nodes, objects, timeline, expect };
}

function assemble(
  parts: Omit<Scenario, 'name' | 'description' | 'until'> & {
    readonly metadata: z.output<typeof metadataSchema>;
    readonly until: Ticks | undefined;
    readonly kubelet: KubeletSpec;
  },
): Scenario {
  const { metadata, until, ...rest } = parts;
  return {
    name: metadata.name,
    ...(metadata.description === undefined ? {} : { description: metadata.description }),
    seed: rest.seed,
    ...(until === undefined ? {} : { until }),
    kubelet: rest.kubelet,
    registries: rest.registries,
    nodes: rest.nodes,
    objects: rest.objects,
    timeline: rest.timeline,
    expect: rest.expect,
  };
}

function readObjects(issues: Issues, value: unknown, context: TimelineContext): Manifest[] {
  if (value === undefined) return [];
  const items = issues.parse(list(z.unknown()), value, ['spec', 'objects']) ?? [];
  return items.flatMap((item, i) => readManifest(issues, item, ['spec', 'objects', i], context) ?? []);
}

/** `namespace/name` of every pod the scenario creates. */
function podsOf(objects: readonly Manifest[], timeline: readonly TimelineStep[]): Set<string> {
  const pods = new Set<string>();
  for (const manifest of [...objects, ...timeline.flatMap((step) => ('apply' in step ? [step.apply] : []))]) {
    if (manifest.kind === 'Pod')
      pods.add(`${manifest.metadata.namespace ?? 'default'}/${manifest.metadata.name}`);
  }
  return pods;
}

/** The source lines of each loaded scenario, for problems found after loading (a kubelet that will not start). */
const SOURCE_LINES = new WeakMap<Scenario, (path: Path) => number>();

/** The line of `path` in the file a scenario was loaded from; 1 for a scenario built in code. */
export function sourceLine(scenario: Scenario, path: Path): number {
  return SOURCE_LINES.get(scenario)?.(path) ?? 1;
}

/** The virtual end of a scenario as the loader defaults it (re-exported for docs and tests). */
export function defaultEnd(timeline: readonly TimelineStep[]): Ticks {
  return ticks(timeline.reduce((max, step) => Math.max(max, step.at), 0) + 10 * TICKS_PER_MINUTE);
}
