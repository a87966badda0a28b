import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');

describe('docs stay true to the code', () => {
  it('docs/library.md quotes the regression example test verbatim', () => {
    expect(read('docs/library.md')).toContain(read('test/docs/regression-example.test.ts'));
  });

  it('the README names the two commands a new user runs', () => {
    const readme = read('README.md');
    expect(readme).toContain('npm ci && npm start');
    expect(readme).toContain('npm test');
    expect(read('.ci/run')).toContain('npm test');
  });
});
