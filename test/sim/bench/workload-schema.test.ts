/**
 * The workload format's JSON Schema (sim/bench/workload-schema.ts) agrees with the loader: every workload file in
 * the repository validates against it, bad files are refused by both, and the checks it cannot express (between
 * two fields, the duration syntax) are the loader's. Checked with Ajv, an independent JSON Schema validator, as an
 * editor would check a file.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import {
  parseWorkload,
  WORKLOAD_LIMITS,
  WORKLOAD_PRESETS,
  WORKLOAD_SPEC_FIELDS,
  workloadJsonSchema,
} from '../../../sim/bench/workload.js';
import { parseDuration } from '../../../sim/kernel/time.js';
import { tinyWorkloadText, workloadFileOf } from '../../support/bench-workloads.js';
import { rejectionOf, runCli } from '../../support/cli-harness.js';
import { schemaAt } from '../../support/schema-table.js';

const root = join(import.meta.dirname, '../../..');
const SKIPPED = new Set(['node_modules', 'dist', 'coverage', 'reports', '.git']);

/** Every file under `dir` (relative to the repository), build output and dependencies left out. */
function filesUnder(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true })
    .filter((entry) => !SKIPPED.has(entry.name))
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) => (entry.isDirectory() ? filesUnder(join(dir, entry.name)) : [join(dir, entry.name)]));
}

/** The repository's workload files and the workloads in its docs' YAML blocks, as [where, text]. */
function repositoryWorkloads(): [string, string][] {
  const files = filesUnder('.');
  const standalone = files
    .filter((file) => /\.(ya?ml|json)$/.test(file))
    .map((file): [string, string] => [file, readFileSync(join(root, file), 'utf8')])
    .filter(([, text]) => /^kind: Workload$|"kind": "Workload"/m.test(text));
  const inDocs = files
    .filter((file) => file.endsWith('.md'))
    .flatMap((file) =>
      [...readFileSync(join(root, file), 'utf8').matchAll(/```yaml\n([\s\S]*?)```/g)]
        .map((block) => block[1] ?? '')
        .filter((text) => /^kind: Workload$/m.test(text))
        .map((text, i): [string, string] => [`${relative('.', file)} block ${i + 1}`, text]),
    );
  return [...standalone, ...inDocs];
}

const ajv = new Ajv2020({ allErrors: true, strict: true });
const validate = ajv.compile(workloadJsonSchema());

/** Whether the JSON Schema accepts a workload file's text, with Ajv's errors when it does not. */
function schemaVerdict(text: string): { valid: boolean; errors: string[] } {
  const valid = validate(parse(text));
  return { valid, errors: (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`) };
}

/** A workload file with the given `spec` lines. */
function withSpec(...specLines: string[]): string {
  return ['apiVersion: pullsim/v1alpha1', 'kind: Workload', 'metadata:', '  name: w', 'spec:']
    .concat(specLines.map((line) => `  ${line}`))
    .join('\n');
}

describe('the workload JSON Schema', () => {
  it('is published as docs/schema/workload.schema.json, current (regenerate with npm run schema)', async () => {
    const published = JSON.parse(readFileSync(join(root, 'docs/schema/workload.schema.json'), 'utf8'));
    expect(published).toEqual(workloadJsonSchema());
    const printed = await runCli(['schema', 'workload']);
    expect(printed.code).toBe(0);
    expect(JSON.parse(printed.stdout)).toEqual(published);
  });

  it('is a draft 2020-12 schema with an id and a title, which Ajv compiles in strict mode', () => {
    expect(workloadJsonSchema()).toMatchObject({
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      $id: expect.stringMatching(/\/workload\.schema\.json$/),
      title: expect.stringContaining('Workload'),
      required: ['apiVersion', 'kind', 'metadata', 'spec'],
    });
    expect(Object.keys(workloadJsonSchema().properties as object)).toEqual([
      'apiVersion',
      'kind',
      'metadata',
      'spec',
    ]);
  });

  it('describes every field, and lists the spec sections the loader reads', () => {
    const undescribed: string[] = [];
    const visit = (schema: Record<string, unknown>, path: string) => {
      for (const [key, field] of Object.entries(
        (schema.properties ?? {}) as Record<string, Record<string, unknown>>,
      )) {
        if (typeof field.description !== 'string' || field.description === '')
          undescribed.push(`${path}${key}`);
        visit(field, `${path}${key}.`);
      }
    };
    const schema = workloadJsonSchema();
    visit(schema, '');
    expect(undescribed).toEqual([]);
    const spec = (schema.properties as Record<string, { properties: object } | undefined>).spec;
    expect(Object.keys(spec?.properties ?? {})).toEqual([...WORKLOAD_SPEC_FIELDS]);
  });

  it('accepts every workload in the repository: files, docs, the presets and the test workloads', () => {
    const workloads: [string, string][] = [
      ...repositoryWorkloads(),
      ...Object.values(WORKLOAD_PRESETS).map((preset): [string, string] => [
        `preset ${preset.name}`,
        stringify(workloadFileOf(preset)),
      ]),
      ['tinyWorkloadText()', tinyWorkloadText()],
    ];
    expect(workloads.map(([where]) => where)).toContain('docs/benchmarks.md block 1');
    for (const [where, text] of workloads) {
      expect(schemaVerdict(text), where).toEqual({ valid: true, errors: [] });
      expect(() => parseWorkload(text, where), where).not.toThrow();
    }
  });

  it('matches every duration the loader reads (and a few more, which the loader refuses)', () => {
    const duration = schemaAt(workloadJsonSchema(), 'properties', 'spec', 'properties', 'duration');
    const pattern = new RegExp(schemaAt(duration, 'anyOf', 0, 'pattern') as string, 'u');
    const reads = (text: string) => {
      try {
        parseDuration(text);
        return true;
      } catch {
        return false;
      }
    };
    const durationish = fc.stringMatching(/^[-+]?[0-9.]{0,4}(ns|us|µs|ms|s|m|h|x|)([0-9.]{0,3}(s|m|h|))?$/);
    fc.assert(fc.property(durationish, (text) => !reads(text) || pattern.test(text)));
    for (const text of ['0', '90s', '1h30m', '1.5s', '.5m', '+2h', '250ms', '3µs'])
      expect(pattern.test(text), text).toBe(true);
    for (const text of ['', '-1s', '5', '1d', '5 m', 's', '1.5.5s'])
      expect(pattern.test(text), text).toBe(false);
  });

  it('a preset written as a file loads as the preset itself', () => {
    for (const preset of Object.values(WORKLOAD_PRESETS))
      expect(parseWorkload(stringify(workloadFileOf(preset)))).toEqual(preset);
  });

  it.each<[string, string]>([
    ['a list for a document', '- a\n'],
    ['another apiVersion', withSpec().replace('pullsim/v1alpha1', 'v1')],
    ['another kind', withSpec().replace('kind: Workload', 'kind: Scenario')],
    ['no metadata', 'apiVersion: pullsim/v1alpha1\nkind: Workload\nspec: {}\n'],
    ['no spec', 'apiVersion: pullsim/v1alpha1\nkind: Workload\nmetadata: { name: w }\n'],
    ['an empty name', withSpec('{}').replace('name: w', 'name: ""')],
    ['a description that is not text', withSpec('{}').replace('name: w', 'name: w\n  description: 5')],
    ['an unknown top-level field', `${withSpec('{}')}\nextra: 1\n`],
    ['an unknown spec field', withSpec('replicas: 3')],
    ['an unknown nested field', withSpec('pods: { starts: 5, replicas: 3 }')],
    ['a section that is not a mapping', withSpec('images: 5')],
    ['an unknown base', withSpec('base: huge')],
    ['a negative seed', withSpec('seed: -1')],
    ['a zero duration', withSpec('duration: 0')],
    ['a duration that is a number', withSpec('duration: 60')],
    ['a duration that does not parse', withSpec('duration: soon')],
    ['a negative duration', withSpec('pods: { meanLifetime: -5m }')],
    ['an unknown kubelet version', withSpec('kubelet: { version: "1.20" }')],
    ['no parallel pulls', withSpec('kubelet: { maxParallelImagePulls: 0 }')],
    ['an unknown device', withSpec('device: floppy')],
    ['a fractional tenant count', withSpec('tenants: 2.5')],
    ['tenants above the limit', withSpec(`tenants: ${WORKLOAD_LIMITS.tenants + 1}`)],
    ['an image count that is text', withSpec('images: { count: many }')],
    ['a fraction above 1', withSpec('images: { publicFraction: 1.5 }')],
    ['no pod starts', withSpec('pods: { starts: 0 }')],
    ['a pull-policy fraction above 1', withSpec('pods: { pullPolicy: { Always: 2 } }')],
    ['a negative rate', withSpec('secrets: { rotationsPerHour: -1 }')],
    ['restarts above the limit', withSpec(`kubeletRestarts: ${WORKLOAD_LIMITS.kubeletRestarts + 1}`)],
    ['a threshold above 100 percent', withSpec('imageGC: { highThresholdPercent: 150 }')],
    ['a zero image GC period', withSpec('imageGC: { period: 0 }')],
  ])('refuses %s, as the loader does', (_label, text) => {
    expect(schemaVerdict(text).valid).toBe(false);
    expect(rejectionOf(() => parseWorkload(text, 'bad.yaml'), 'workload').length).toBeGreaterThan(0);
  });

  it.each<[string, string]>([
    ['pull-policy fractions that do not add up to 1', withSpec('pods: { pullPolicy: { Always: 0.5 } }')],
    ['a minimum image size above the maximum', withSpec('images: { minSizeBytes: 20, maxSizeBytes: 10 }')],
    [
      'a low GC threshold above the high one',
      withSpec('imageGC: { highThresholdPercent: 50, lowThresholdPercent: 60 }'),
    ],
    ['a zero duration written with a unit', withSpec('duration: 0s')],
    ['a duration finer than the simulator’s microsecond', withSpec('pods: { meanLifetime: 1ns }')],
  ])('leaves %s to the loader (the schema cannot express it)', (_label, text) => {
    expect(schemaVerdict(text).valid).toBe(true);
    expect(rejectionOf(() => parseWorkload(text, 'bad.yaml'), 'workload')).toHaveLength(1);
  });
});
