/**
 * References a reader can follow: no file of the repository cites the maintainers' private notes (their three
 * files and their folder), which a reader does not have. Comments, docs and scenario descriptions name the
 * upstream source (kubernetes file and function, PR or issue) or a section of docs/ instead.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');
const SKIPPED = new Set(['node_modules', 'dist', 'coverage', 'reports', '.git']);
const TEXT = /\.(ts|cjs|mjs|js|json|jsonc|md|yaml|yml|txt)$|^README|^run$/;

/** The notes' names, spelled so that this file does not match itself. */
const PRIVATE_NOTES = ['decision', 'cache', 'history'].map((name) => `${name}.md`).concat(['spec' + '/']);

function textFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => !SKIPPED.has(entry.name))
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .flatMap((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return textFiles(path);
      return TEXT.test(entry.name) ? [path] : [];
    });
}

describe('references', () => {
  const files = textFiles(ROOT);

  it('walks the sources, tests, docs and scenarios', () => {
    const names = files.map((file) => relative(ROOT, file));
    for (const expected of ['src/kubelet.ts', 'docs/kubelet-model.md', 'README.md', '.ci/run'])
      expect(names).toContain(expected);
  });

  it('never cite the private notes', () => {
    const citing = files.flatMap((file) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .flatMap((line, i) =>
          PRIVATE_NOTES.some((name) => line.includes(name))
            ? [`${relative(ROOT, file)}:${i + 1}: ${line}`]
            : [],
        ),
    );
    expect(citing).toEqual([]);
  });
});
