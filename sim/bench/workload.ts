import * as z from 'zod';
import { Issues } from '../input/issues.js';
import { asMapping, peek } from '../input/kit.js';
import { secretPaths } from '../input/secrets.js';
import { readYaml } from '../input/yaml.js';
import { WORKLOAD_PRESETS } from './workload-presets.js';
import { type Workload, workloadFileSchema, workloadSpecSchema } from './workload-schema.js';

export { BENCH_HOST, expandWorkload } from './workload-expansion.js';
export { isWorkloadPreset, WORKLOAD_PRESETS } from './workload-presets.js';
export {
  WORKLOAD_LIMITS,
  WORKLOAD_SPEC_FIELDS,
  type Workload,
  type WorkloadFile,
  workloadJsonSchema,
} from './workload-schema.js';

/** `T` with every field, at every depth, optional: what is left of a file after its invalid fields are dropped. */
type Partly<T> = T extends number | string | boolean ? T : { [K in keyof T]?: Partly<T[K]> };
type ParsedFile = Partly<z.output<typeof workloadFileSchema>>;

/**
 * Reads a workload file (YAML or JSON): `apiVersion: pullsim/v1alpha1`, `kind: Workload`, `metadata.name`, and a
 * `spec` whose fields override the preset named by `spec.base` (default `small`). Every problem is reported at
 * once (an InputError listing each with its line): the schema's, then those between fields, which are checked on
 * the merged workload with each invalid field taken from the preset.
 */
export function parseWorkload(text: string, file = '<workload>'): Workload {
  const { root, lineOf, offsetOf } = readYaml(text, file);
  const issues = new Issues({ file, lineOf, offsetOf, isSecret: secretPaths(root) });
  const parsed: ParsedFile =
    issues.parse(workloadFileSchema, root, []) ?? (validPart(workloadFileSchema, root) as ParsedFile);
  const workload = onPreset(parsed);
  checkAcrossFields(workload, issues);
  issues.throwIfAny();
  return workload;
}

/** The workload a file describes: its preset with each field the file sets, in the order of the schema's fields. */
function onPreset({ metadata, spec = {} }: ParsedFile): Workload {
  const base = WORKLOAD_PRESETS[spec.base ?? 'small'];
  const sections = workloadSpecSchema.shape;
  return {
    name: metadata?.name ?? 'workload',
    description: metadata?.description ?? `based on ${base.name}`,
    seed: spec.seed ?? base.seed,
    duration: spec.duration ?? base.duration,
    kubeletVersion: spec.kubelet?.version ?? base.kubeletVersion,
    maxParallelImagePulls: spec.kubelet?.maxParallelImagePulls ?? base.maxParallelImagePulls,
    device: spec.device ?? base.device,
    tenants: spec.tenants ?? base.tenants,
    images: overlay(sections.images, base.images, spec.images),
    pods: overlay(sections.pods, base.pods, spec.pods),
    secrets: overlay(sections.secrets, base.secrets, spec.secrets),
    kubeletRestarts: spec.kubeletRestarts ?? base.kubeletRestarts,
    imageGC: overlay(sections.imageGC, base.imageGC, spec.imageGC),
  };
}

/**
 * The checks that involve more than one field, on the merged workload (the schema has checked each field); a
 * sweep runs them on each combination's workload.
 */
export function checkAcrossFields(workload: Workload, issues: Issues): void {
  const p = workload.pods.pullPolicy;
  if (Math.abs(p.Always + p.IfNotPresent + p.Never - 1) > 1e-9)
    issues.add(['spec', 'pods', 'pullPolicy'], 'the three fractions must add up to 1');
  if (workload.images.minSizeBytes > workload.images.maxSizeBytes)
    issues.add(['spec', 'images', 'minSizeBytes'], 'must not exceed maxSizeBytes');
  if (workload.imageGC.lowThresholdPercent > workload.imageGC.highThresholdPercent)
    issues.add(['spec', 'imageGC', 'lowThresholdPercent'], 'must not exceed highThresholdPercent');
}

/** The fields of a mapping schema (optional or not), or undefined for any other schema. */
function shapeOf(schema: z.ZodType): Readonly<Record<string, z.ZodType>> | undefined {
  const inner = schema instanceof z.ZodOptional ? (schema.unwrap() as z.ZodType) : schema;
  return inner instanceof z.ZodObject ? (inner.shape as Record<string, z.ZodType>) : undefined;
}

/**
 * What `schema` accepts of `value` on its own: all of it when it is valid; otherwise, for a mapping, each field
 * that is valid by itself (recursively), so that one invalid field leaves the rest of its section in force, as
 * the preset's value stands in for it alone.
 */
function validPart(schema: z.ZodType, value: unknown): unknown {
  const whole = peek(schema, value);
  const shape = shapeOf(schema);
  if (whole !== undefined || shape === undefined) return whole;
  const mapping = asMapping(value);
  const part: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(shape)) {
    const valid = Object.hasOwn(mapping, key) ? validPart(field, mapping[key]) : undefined;
    if (valid !== undefined) part[key] = valid;
  }
  return part;
}

/** `base` with the fields `given` sets, in the order of the schema's fields; a nested section merges field by field. */
function overlay<T extends object>(schema: z.ZodType, base: T, given: object | undefined): T {
  const merged: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(shapeOf(schema) ?? {})) {
    const fallback = (base as Record<string, unknown>)[key];
    const value = (given as Record<string, unknown> | undefined)?.[key];
    merged[key] =
      shapeOf(field) === undefined
        ? (value ?? fallback)
        : overlay(field, fallback as object, value as object);
  }
  return merged as T;
}
