import * as z from 'zod';
import { parseRecordStoreSpec } from '../../src/strategies/index.js';
import { InputError, type InputIssue } from '../errors.js';
import { Issues } from '../input/issues.js';
import { peek } from '../input/kit.js';
import { checkAcrossFields, type Workload } from './workload.js';
import { workloadSpecSchema } from './workload-schema.js';

/*
 * The parameters of `pullsim bench --sweep PARAM=V1,V2,…`: a workload field, named by its dotted path in the
 * workload file's `spec` (`tenants`, `images.count`, `pods.starts`, `kubelet.maxParallelImagePulls`, …), or a
 * strategy template, a record-store spec with one `*` where the value goes (`ttl:*`, `fs+lru:1024/*`,
 * `fs+lru:*`). Values are checked as a workload file's would be (the same messages), and each combination's
 * workload against the checks that span fields.
 */

/** A value of a swept parameter: a number when it reads as one and the field does not take it as text. */
export type SweepValue = string | number;

/** One `--sweep`: a workload field or a strategy template, and its values in the order given. */
export interface SweepParameter {
  readonly name: string;
  readonly kind: 'workload' | 'strategy';
  readonly values: readonly SweepValue[];
}

/** One combination of the sweep: each parameter's value, in the order of the parameters. */
export type SweepPoint = Readonly<Record<string, SweepValue>>;

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** The shape of a mapping schema (through `.optional()`), or undefined for a leaf. */
function shapeOf(schema: z.ZodType): Readonly<Record<string, z.ZodType>> | undefined {
  const inner = schema instanceof z.ZodOptional ? (schema.unwrap() as z.ZodType) : schema;
  return inner instanceof z.ZodObject ? (inner.shape as Record<string, z.ZodType>) : undefined;
}

/** The spec's fields a sweep may set (`base` is the file's, not a setting); sections as `images.*`. */
function fieldList(shape: Readonly<Record<string, z.ZodType>>, prefix: string): string {
  return Object.entries(shape)
    .filter(([key]) => prefix !== '' || key !== 'base')
    .map(([key, field]) => `${prefix}${key}${shapeOf(field) === undefined ? '' : '.*'}`)
    .join(', ');
}

/** Why a dotted path is not a workload field, or undefined when it is one. */
function unknownField(path: readonly string[]): string | undefined {
  let shape = shapeOf(workloadSpecSchema) as Readonly<Record<string, z.ZodType>>;
  for (const [i, key] of path.entries()) {
    const prefix = path.slice(0, i).join('.');
    const field = key === 'base' && i === 0 ? undefined : Object.hasOwn(shape, key) ? shape[key] : undefined;
    const expected = `expected a workload field (${fieldList(shape, prefix === '' ? '' : `${prefix}.`)})`;
    if (field === undefined)
      return `unknown field ${JSON.stringify(path.slice(0, i + 1).join('.'))}; ${expected}`;
    const inner = shapeOf(field);
    if (inner === undefined)
      return i === path.length - 1 ? undefined : `${path.slice(0, i + 1).join('.')} is not a section`;
    if (i === path.length - 1)
      return `${path.join('.')} is a section; expected one of its fields (${fieldList(inner, `${path.join('.')}.`)})`;
    shape = inner;
  }
  return 'empty parameter name';
}

/** The value at a dotted path of a nested object. */
function valueAt(root: unknown, path: readonly string[]): unknown {
  let value = root;
  for (const key of path) value = (value as Record<string, unknown> | undefined)?.[key];
  return value;
}

/** `{ a: { b: value } }` from `['a', 'b']`. */
function nested(path: readonly string[], value: unknown): Record<string, unknown> {
  return path.reduceRight<Record<string, unknown>>((inner, key) => ({ [key]: inner }), value as never);
}

/**
 * A workload field's value as the workload needs it (durations in ticks), or undefined after recording why the
 * value is not valid there: the workload file's own schema and messages.
 */
function fieldValue(path: readonly string[], value: SweepValue, issues: Issues): unknown {
  const parsed = issues.parse(workloadSpecSchema, nested(path, value), []);
  return parsed === undefined ? undefined : valueAt(parsed, path);
}

/** Parses one `--sweep` text; problems are added to `issues` (undefined then). */
function parseOne(text: string, issues: Issues): SweepParameter | undefined {
  const equals = text.indexOf('=');
  const name = equals < 0 ? text.trim() : text.slice(0, equals).trim();
  const values =
    equals < 0
      ? []
      : text
          .slice(equals + 1)
          .split(',')
          .map((v) => v.trim());
  const label = JSON.stringify(text);
  if (equals < 0 || name === '' || values.some((v) => v === ''))
    return issues.add([], `${label}: expected PARAM=V1,V2,… (e.g. images.count=100,1000)`, 'invalid_option');
  const repeated = values.find((v, i) => values.indexOf(v) !== i);
  if (repeated !== undefined)
    return issues.add([], `${label}: the value ${JSON.stringify(repeated)} is given twice`, 'invalid_option');
  if (name.includes('*')) {
    if (name.indexOf('*') !== name.lastIndexOf('*'))
      return issues.add([], `${label}: a strategy template takes one *`, 'invalid_option');
    const before = issues.count;
    for (const value of values) {
      const spec = parseRecordStoreSpec(name.replace('*', value));
      if (!spec.ok) issues.add([], spec.error, 'invalid_option');
    }
    return issues.count === before ? { name, kind: 'strategy', values } : undefined;
  }
  const path = name.split('.');
  const unknown = unknownField(path);
  if (unknown !== undefined) return issues.add([], `${label}: ${unknown}`, 'invalid_option');
  // Text the field takes as it is stays text (kubelet.version=1.30 must not read as 1.3); other numbers are numbers.
  const typed = values.map((v) =>
    NUMBER.test(v) && peek(workloadSpecSchema, nested(path, v)) === undefined ? Number(v) : v,
  );
  const before = issues.count;
  for (const value of typed) fieldValue(path, value, issues);
  return issues.count === before ? { name, kind: 'workload', values: typed } : undefined;
}

/**
 * Parses every `--sweep`: each PARAM once, each value valid for it. Bad input throws one InputError listing every
 * problem (`--sweep: images.count: expected an integer from 1 to 500000, got 0`).
 */
export function parseSweeps(texts: readonly string[]): SweepParameter[] {
  const issues = new Issues({ file: '--sweep' });
  const parameters: SweepParameter[] = [];
  for (const text of texts) {
    const parameter = parseOne(text, issues);
    if (parameter === undefined) continue;
    if (parameters.some((p) => p.name === parameter.name))
      issues.add([], `${parameter.name} is swept twice; give its values in one --sweep`, 'invalid_option');
    else parameters.push(parameter);
  }
  issues.throwIfAny();
  return parameters;
}

/**
 * Every combination of the parameters' values (the cartesian product), the first parameter varying slowest and
 * each parameter's values in the order given: `a=1,2 b=x,y` gives a1 bx, a1 by, a2 bx, a2 by.
 */
export function sweepPoints(parameters: readonly SweepParameter[]): SweepPoint[] {
  let points: SweepPoint[] = [{}];
  for (const parameter of parameters)
    points = points.flatMap((point) =>
      parameter.values.map((value) => ({ ...point, [parameter.name]: value })),
    );
  return points;
}

/** Where a spec path lives in a Workload (the kubelet section's fields sit at the top). */
function workloadPath(path: readonly string[]): readonly string[] {
  return path[0] === 'kubelet' ? [path[1] === 'version' ? 'kubeletVersion' : (path[1] as string)] : path;
}

/**
 * The workload of one combination: `base` with each swept workload field set. Throws an InputError when the
 * combination breaks a check that spans fields (e.g. images.minSizeBytes above maxSizeBytes).
 */
export function pointWorkload(
  base: Workload,
  parameters: readonly SweepParameter[],
  point: SweepPoint,
): Workload {
  const workload = structuredClone(base) as unknown as Record<string, unknown>;
  const where = parameters.map((p) => `${p.name}=${point[p.name]}`).join(' ');
  const issues = new Issues({ file: `--sweep ${where}` });
  for (const parameter of parameters) {
    if (parameter.kind !== 'workload') continue;
    const path = parameter.name.split('.');
    const value = fieldValue(path, point[parameter.name] as SweepValue, issues);
    const target = workloadPath(path);
    const section = valueAt(workload, target.slice(0, -1)) as Record<string, unknown>;
    section[target[target.length - 1] as string] = value;
  }
  checkAcrossFields(workload as unknown as Workload, issues);
  issues.throwIfAny();
  return workload as unknown as Workload;
}

/**
 * The strategies of one combination: each template of `strategies` with the combination's value in place of its
 * `*`. A template in `strategies` must be swept, and a swept template not in `strategies` is added at the end.
 */
export function pointStrategies(
  strategies: readonly string[],
  parameters: readonly SweepParameter[],
): { readonly templates: readonly string[]; readonly instantiate: (point: SweepPoint) => string[] } {
  const swept = parameters.filter((p) => p.kind === 'strategy').map((p) => p.name);
  const unswept = strategies.filter((s) => s.includes('*') && !swept.includes(s));
  if (unswept.length > 0) {
    const issues: InputIssue[] = unswept.map((s) => ({
      code: 'invalid_option',
      path: ['--strategies'],
      message: `${JSON.stringify(s)} has a * but no --sweep '${s}=V1,V2,…' gives its values`,
    }));
    throw new InputError(issues);
  }
  const templates = [...strategies, ...swept.filter((s) => !strategies.includes(s))];
  return {
    templates,
    instantiate: (point) => templates.map((t) => (t.includes('*') ? t.replace('*', String(point[t])) : t)),
  };
}
