/**
 * The start-up experiment in a child process (sim/bench/startup-process.ts, startup-child.ts): `pullsim bench`
 * runs it on a second core; its rows must be the ones the in-process experiment gives, its failures must reach
 * the caller, and a caller that gives up can end it.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { measureStartupInChild } from '../../../sim/bench/startup-process.js';
import { measureStartupRows } from '../../../sim/bench/suite.js';
import { WORKLOAD_PRESETS } from '../../../sim/bench/workload.js';
import { useTempDir } from '../../support/cli-harness.js';

const ROOT = join(import.meta.dirname, '../../..');
// The real child is the compiled one (`npm run -s build`); the tests that need it run only when it is there.
const COMPILED_CHILD = join(ROOT, 'dist/sim/bench/startup-child.js');
const small = WORKLOAD_PRESETS.small;
const temp = useTempDir('pullsim-startup-');

describe('measureStartupInChild', () => {
  it.runIf(existsSync(COMPILED_CHILD))('gives the rows the in-process experiment gives', async () => {
    const strategies = ['fs', 'fs+lru', 'ttl:1h', 'memory', 'journal', 'journal:volatile-intents'];
    const records = [100, 1_000];
    const child = measureStartupInChild(pathToFileURL(COMPILED_CHILD), {
      strategies,
      records,
      workload: small,
    });
    expect(await child.rows).toEqual(measureStartupRows(strategies, records, small));
  });

  it.runIf(existsSync(COMPILED_CHILD))('passes on the error of an experiment that fails', async () => {
    const child = measureStartupInChild(pathToFileURL(COMPILED_CHILD), {
      strategies: ['journal:fast'],
      records: [10],
      workload: small,
    });
    await expect(child.rows).rejects.toThrow(/^start-up experiment: .*journal/);
  });

  it('rejects when the process dies without answering', async () => {
    const script = temp.write('dies.mjs', 'process.exit(3);\n');
    const child = measureStartupInChild(pathToFileURL(script), {
      strategies: ['fs'],
      records: [10],
      workload: small,
    });
    await expect(child.rows).rejects.toThrow(
      'start-up experiment: the process ended (exit code 3) without results',
    );
  });

  it('can be stopped by a caller that will not read the rows', async () => {
    // Listens on the channel and never answers.
    const script = temp.write('waits.mjs', "process.on('message', () => {});\n");
    const child = measureStartupInChild(pathToFileURL(script), {
      strategies: ['fs'],
      records: [10],
      workload: small,
    });
    child.stop();
    expect(await child.rows).toEqual([]);
  });
});
