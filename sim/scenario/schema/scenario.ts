import type * as z from 'zod';
import type { Defaulted, Frozen, Override } from '../../input/kit.js';
import { duration, fields, integer, list, literal, text } from '../../input/kit.js';
import { MAX_SEED } from '../../kernel/random.js';
import { SCENARIO_NAME } from './common.js';
import { type Expectation, expectSchema } from './expect.js';
import { type KubeletSpec, kubeletSchema } from './kubelet.js';
import { type Manifest, manifestSchema } from './manifests.js';
import { type NodeSpec, nodeSchema } from './node.js';
import { type RegistrySpec, registrySchema } from './registry.js';
import { stepSchema, type TimelineStep } from './timeline.js';

/*
 * The whole scenario file (docs/contract.md §2, docs/scenario-format.md): its header and its spec, each section
 * described by its own module. The loader (sim/scenario/load.ts) reads the sections one by one; the JSON Schema
 * (sim/scenario/json-schema.ts) is printed from `scenarioSchema`; the typed value, `Scenario`, follows them.
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

/**
 * A scenario as the loader resolves it: the seed defaulted to 1, every section read by its builder (defaults
 * filled in, digests and sizes derived, manifests reduced to the fields pullsim models). `until` left out runs to
 * 10m after the last timeline step. Tests and campaign generators build these values in code.
 */
export type Scenario = Frozen<
  Override<
    Defaulted<z.output<typeof metadataSchema> & z.output<typeof specSchema>, 'seed'>,
    {
      kubelet: KubeletSpec;
      registries: RegistrySpec[];
      nodes: NodeSpec[];
      objects: Manifest[];
      timeline: TimelineStep[];
      expect: Expectation[];
    }
  >
>;
