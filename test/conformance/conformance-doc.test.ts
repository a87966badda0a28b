/**
 * docs/conformance.md's table is generated from the registry (test/conformance/cases.ts), never kept by hand: this
 * test fails when the doc is stale, and rewrites it when run with PULLSIM_UPDATE_CONFORMANCE=1
 * (`npm run conformance:doc`).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UPSTREAM_TESTS } from './cases.js';
import { conformanceTable } from './table.js';

const DOC = join(import.meta.dirname, '../../docs/conformance.md');
const START = '<!-- conformance-table:';
const END = '<!-- /conformance-table -->';

describe('docs/conformance.md', () => {
  it('lists every upstream case of the registry with its state, as generated', () => {
    const doc = readFileSync(DOC, 'utf8');
    const from = doc.indexOf(START);
    const to = doc.indexOf(END);
    expect(from, `docs/conformance.md has no ${START} marker`).toBeGreaterThan(0);
    expect(to).toBeGreaterThan(from);
    const head = doc.slice(0, doc.indexOf('\n', from) + 1);
    const generated = conformanceTable(UPSTREAM_TESTS);
    if (process.env.PULLSIM_UPDATE_CONFORMANCE === '1') {
      writeFileSync(DOC, `${head}${generated}\n${doc.slice(to)}`);
      return;
    }
    const listed = doc.slice(head.length, to).trim();
    expect(listed, 'the table between the markers; regenerate with npm run conformance:doc').toBe(generated);
  });

  it('names each upstream case once per test', () => {
    for (const test of UPSTREAM_TESTS) {
      const names = test.cases.map((c) => c.case);
      expect(new Set(names).size, `${test.file} ${test.test}`).toBe(names.length);
    }
  });
});
