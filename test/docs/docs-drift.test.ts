import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseWorkload, WORKLOAD_SPEC_FIELDS } from '../../sim/bench/workload.js';

const root = join(import.meta.dirname, '../..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');

describe('docs stay true to the code', () => {
  it('docs/library.md quotes the regression example test verbatim', () => {
    expect(read('docs/library.md')).toContain(read('test/docs/regression-example.test.ts'));
  });

  it('docs/library.md quotes the vitest matchers example test verbatim', () => {
    expect(read('docs/library.md')).toContain(read('test/docs/matchers-example.test.ts'));
  });

  it('docs/benchmarks.md shows a workload file the loader accepts, with every spec section', () => {
    const doc = read('docs/benchmarks.md');
    const marker = doc.indexOf('<!-- workload-example');
    expect(marker).toBeGreaterThan(0);
    const block = /```yaml\n([\s\S]*?)```/.exec(doc.slice(marker));
    const text = block?.[1] ?? '';
    const workload = parseWorkload(text, 'docs/benchmarks.md');
    expect(workload).toMatchObject({
      name: 'gc-pressure',
      seed: 7,
      kubeletVersion: '1.35',
      device: 'hdd',
      tenants: 40,
      kubeletRestarts: 3,
      pods: { starts: 4000, pullPolicy: { Always: 0.2, IfNotPresent: 0.7, Never: 0.1 } },
      imageGC: { capacityBytes: 20_000_000_000 },
    });
    // Every section a workload file may hold appears in the example.
    for (const key of WORKLOAD_SPEC_FIELDS) expect(text).toMatch(new RegExp(`^  ${key}:`, 'm'));
  });

  it('the README names the two commands a new user runs', () => {
    const readme = read('README.md');
    expect(readme).toContain('npm ci && npm start');
    expect(readme).toContain('npm test');
    expect(read('.ci/run')).toContain('npm test');
  });
});
