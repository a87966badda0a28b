/**
 * docs/benchmarks.md lists the workload file's fields as the schema describes them (sim/bench/workload-schema.ts):
 * the table between its `workload-fields` markers is generated from the schema's JSON Schema, never kept by hand.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { workloadJsonSchema } from '../../sim/bench/workload.js';
import { fieldTable, type JsonSchema, schemaAt } from '../support/schema-table.js';

const DOC = join(import.meta.dirname, '../../docs/benchmarks.md');
const START = '<!-- workload-fields:';
const END = '<!-- /workload-fields -->';

describe('the workload format in docs/benchmarks.md', () => {
  it('lists every field with what it accepts and its description, as the schema has them', () => {
    const doc = readFileSync(DOC, 'utf8');
    const from = doc.indexOf(START);
    const to = doc.indexOf(END);
    expect(from, `docs/benchmarks.md has no ${START} marker`).toBeGreaterThan(0);
    expect(to).toBeGreaterThan(from);
    const listed = doc.slice(doc.indexOf('\n', from) + 1, to).trim();
    const schema = workloadJsonSchema();
    // Durations are text matching the input kit's pattern, which the table names rather than quotes.
    const duration = schemaAt(schema, 'properties', 'spec', 'properties', 'duration', 'anyOf', 0, 'pattern');
    const generated = fieldTable(schema as JsonSchema, { patterns: { [duration as string]: 'duration' } });
    expect(listed, 'the table between the markers, generated from the schema').toBe(generated);
  });
});
