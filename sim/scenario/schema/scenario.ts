import { duration, fields, integer, list, literal, text } from '../../input/kit.js';
import { MAX_SEED } from '../../kernel/random.js';
import { SCENARIO_NAME } from './common.js';
import { expectSchema } from './expect.js';
import { kubeletSchema } from './kubelet.js';
import { manifestSchema } from './manifests.js';
import { nodeSchema } from './node.js';
import { registrySchema } from './registry.js';
import { stepSchema } from './timeline.js';

/*
 * The whole scenario file (docs/contract.md §2, docs/scenario-format.md): its header and its spec, each section
 * described by its own module. The loader (sim/scenario/load.ts) reads the sections one by one; the JSON Schema
 * (sim/scenario/json-schema.ts) is printed from `scenarioSchema`.
 */

export const metadataSchema = fields({
  name: text({ pattern: SCENARIO_NAME, hint: 'lower-case letters, digits and dashes' }),
  description: text().exactOptional(),
});

export const specSchema = fields({
  seed: integer(0, MAX_SEED).exactOptional().meta({ description: 'seed of every random choice (default 1)' }),
  until: duration()
    .exactOptional()
    .meta({ description: 'virtual time to run to (default: 10m after the last step)' }),
  kubelet: kubeletSchema.exactOptional(),
  registries: list(registrySchema).exactOptional(),
  nodes: list(nodeSchema).exactOptional().meta({ description: 'default: one node named node-1' }),
  objects: list(manifestSchema).exactOptional().meta({ description: 'applied at t=0, in order' }),
  timeline: list(stepSchema).exactOptional(),
  expect: list(expectSchema).exactOptional(),
});

/** The whole file. */
export const scenarioSchema = fields({
  apiVersion: literal('pullsim/v1alpha1'),
  kind: literal('Scenario'),
  metadata: metadataSchema,
  spec: specSchema,
}).meta({
  title: 'pullsim scenario',
  description: 'A scenario of the pullsim kubelet image-manager simulator',
});
