/**
 * Every scenario in the library runs with a plain `pullsim run FILE`: its configured kubelet is one the kubelet
 * would start with (ValidateKubeletConfiguration accepts it), so a newcomer's first command works on each.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT_OK } from '../../sim/cli.js';
import { runCli } from '../support/cli-harness.js';

const DIR = join(import.meta.dirname, '../../scenarios');
const FILES = readdirSync(DIR)
  .filter((name) => name.endsWith('.yaml'))
  .sort();

describe('the bundled scenarios', () => {
  it('are all here', () => {
    expect(FILES.length).toBeGreaterThanOrEqual(25);
  });

  it.each(FILES)('%s runs as configured', async (name) => {
    const { code, stderr } = await runCli(['run', join(DIR, name)]);
    expect(stderr).toBe('');
    expect(code).toBe(EXIT_OK);
  });
});
