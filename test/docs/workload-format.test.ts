/**
 * docs/benchmarks.md lists the workload file's fields as the schema describes them (sim/bench/workload-schema.ts):
 * the table between its `workload-fields` markers is generated from the schema's JSON Schema, never kept by hand.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { workloadJsonSchema } from '../../sim/bench/workload.js';
import { DURATION_PATTERN } from '../../sim/bench/workload-schema.js';
import { fieldTable, type JsonSchema } from '../support/schema-table.js';

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
    const generated = fieldTable(workloadJsonSchema() as JsonSchema, {
      patterns: { [DURATION_PATTERN]: 'duration' },
    });
    expect(listed, 'the table between the markers, generated from the schema').toBe(generated);
  });
});
