import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../sim/cli.js';

const root = join(import.meta.dirname, '../..');

describe('docs/results.md', () => {
  it('is what `npm run results` prints for the current scenario library (regenerate it after a change)', async () => {
    let stdout = '';
    const code = await main(['compare', join(root, 'scenarios'), '--markdown'], {
      stdout: (text) => {
        stdout += text;
      },
      stderr: () => {},
      isTTY: false,
    });
    expect(code).toBe(0);
    const doc = readFileSync(join(root, 'docs/results.md'), 'utf8');
    const body = doc.slice(doc.indexOf('## Summary'));
    expect(body).toBe(stdout);
  });
});
