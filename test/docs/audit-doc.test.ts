import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli-harness.js';

const root = join(import.meta.dirname, '../..');
const doc = readFileSync(join(root, 'docs/audit.md'), 'utf8');

describe('docs/audit.md', () => {
  it('its example output is the start of what the command it names prints today', async () => {
    const example = doc.slice(doc.indexOf('## Example'), doc.indexOf('## What cannot be known'));
    const args = [
      'audit',
      'test/fixtures/audit/multi-tenant-node.yaml',
      '--policy',
      'NeverVerifyPreloadedImages',
    ];
    expect(example.replace(/\s+/g, ' ')).toContain(`\`npx pullsim ${args.join(' ')}\` prints`);
    const block = /```text\n([\s\S]*?)```/.exec(example)?.[1] ?? '';
    expect(block).toContain('Per policy');
    const { code, stdout } = await runCli(args);
    expect(code).toBe(0);
    expect(stdout.startsWith(block)).toBe(true);
  });

  it('tells how to collect with the command that prints the script', () => {
    expect(doc).toContain('npx pullsim audit --collect-script > collect.sh');
  });
});
