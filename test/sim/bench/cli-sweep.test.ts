/**
 * `pullsim bench --sweep`, `--shard` and `--merge` through `main`, as a shell runs them: the tidy table, JSON and
 * CSV, the charts, shards merged back into the unsharded sweep, a progress bar only on a terminal, and bad input
 * as exit 2 with one line per problem.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SWEEP_METRICS } from '../../../sim/bench/sweep-report.js';
import { EXIT_BAD_INPUT, EXIT_OK, main } from '../../../sim/cli.js';
import { tinyWorkloadText } from '../../support/bench-workloads.js';
import { runCli, useTempDir } from '../../support/cli-harness.js';
import { parseCsv } from '../../support/csv.js';
import { fakeTerminal, tableRows } from '../../support/terminal.js';

const temp = useTempDir('pullsim-sweep-');
const tiny = temp.write('tiny.yaml', tinyWorkloadText());

/** Three values of one parameter, two strategies, one mode: the acceptance's sweep, on the tiny workload. */
const SWEEP = [
  'bench',
  '--workload',
  tiny,
  '--sweep',
  'images.count=4,6,9',
  '--strategies',
  'fs+lru,journal',
  '--modes',
  'AlwaysVerify',
];

/** A sweep's JSON without the real-time measures (the only figures allowed to differ between runs). */
function counts(json: string): string {
  const result = JSON.parse(json);
  for (const row of result.rows) delete row.realTime;
  return JSON.stringify(result);
}

describe('pullsim bench --sweep', () => {
  it('runs every combination from one command and prints the tidy table', async () => {
    const out = await runCli(SWEEP);
    expect(out.code).toBe(EXIT_OK);
    expect(out.stderr).toBe('');
    expect(out.stdout.split('\n')[0]).toBe(
      'sweep of workload tiny: images.count=4,6,9 (3 combinations; device ssd)',
    );
    const rows = tableRows(out.stdout);
    expect(rows[0]?.slice(0, 4)).toEqual(['images.count', 'strategy', 'mode', 'pod starts']);
    expect(rows.slice(1).map((r) => r.slice(0, 3).join(' '))).toEqual([
      '4 fs+lru AlwaysVerify',
      '4 journal AlwaysVerify',
      '6 fs+lru AlwaysVerify',
      '6 journal AlwaysVerify',
      '9 fs+lru AlwaysVerify',
      '9 journal AlwaysVerify',
    ]);
  });

  it('--csv and --html: the rows, and one chart per metric', async () => {
    const file = join(temp.dir, 'sweep.html');
    const out = await runCli([...SWEEP, '--csv', '--html', file]);
    expect(out.code).toBe(EXIT_OK);
    const records = parseCsv(out.stdout);
    expect(records).toHaveLength(7);
    expect(records[0]?.slice(0, 3)).toEqual(['images.count', 'strategy', 'mode']);
    const html = readFileSync(file, 'utf8');
    expect(html.match(/<div class="chart" data-metric=/g)).toHaveLength(SWEEP_METRICS.length);
    expect(html.match(/<svg[^>]*class="plot/g)).toHaveLength(SWEEP_METRICS.length);
  });

  it('--shard 1/2 and 2/2, merged with --merge, give the unsharded --json', async () => {
    const whole = await runCli([...SWEEP, '--json']);
    expect(whole.code).toBe(EXIT_OK);
    const files: string[] = [];
    for (const shard of ['1/2', '2/2']) {
      const out = await runCli([...SWEEP, '--shard', shard, '--json']);
      expect(out.code).toBe(EXIT_OK);
      expect(JSON.parse(out.stdout).shard).toEqual({ index: Number(shard[0]), count: 2 });
      files.push(temp.write(`shard-${shard[0]}.json`, out.stdout));
    }
    const merged = await runCli(['bench', '--merge', ...files, '--json']);
    expect(merged.code).toBe(EXIT_OK);
    expect(counts(merged.stdout)).toBe(counts(whole.stdout));
    const table = await runCli(['bench', '--merge', ...files]);
    expect(tableRows(table.stdout)).toHaveLength(7);
  });

  it('draws a progress bar on a terminal only, never into the results', async () => {
    const terminal = fakeTerminal(true);
    let stdout = '';
    const code = await main(SWEEP, {
      stdout: (text) => {
        stdout += text;
      },
      stderr: () => {},
      isTTY: true,
      progress: terminal.stream,
    });
    expect(code).toBe(EXIT_OK);
    expect(terminal.text()).toContain('sweep [');
    expect(stdout).not.toContain('sweep [');
  });

  const notJson = temp.write('not.json', 'rows: [');
  it.each([
    [
      ['--sweep', 'records=1,2'],
      /^pullsim: --sweep: "records=1,2": unknown field "records"; expected a workload field/,
    ],
    [
      ['--sweep', 'images.count=0'],
      /^pullsim: --sweep: images\.count: expected an integer from 1 to 500000, got 0$/,
    ],
    [['--sweep', 'ttl:*=later'], /^pullsim: --sweep: invalid record store "ttl:later": /],
    [['--strategies', 'ttl:*'], /^pullsim: --shard: only a sweep splits into shards/, ['--shard', '1/2']],
    [
      ['--sweep', 'tenants=2', '--strategies', 'fs,ttl:*'],
      /^pullsim: --strategies: "ttl:\*" has a \* but no --sweep/,
    ],
    [
      ['--sweep', 'tenants=2', '--startup-records', '10'],
      /^pullsim: --startup-records: a sweep runs the workload runs only/,
    ],
    [
      ['--sweep', 'tenants=2', '--shard', '3/2'],
      /^pullsim: option '--shard <i\/n>' argument '3\/2' is invalid/,
    ],
    [
      ['--merge', notJson, '--sweep', 'tenants=2'],
      /^pullsim: --merge: merges the JSON of earlier sweeps; give either/,
    ],
    [['--merge', notJson, '--shard', '1/2'], /^pullsim: --merge: merges whole shards/],
    [['--merge', notJson], /not\.json: not JSON \(expected the output of --json\)$/],
    [
      ['--merge', '/nonexistent/s.json'],
      /^pullsim: \/nonexistent\/s\.json: cannot read the shard \(ENOENT\)$/,
    ],
    [['--merge', tiny], /tiny\.yaml: not JSON/],
  ])(
    'refuses %j with exit 2 and one line, before running anything',
    async (args, message, more: string[] = []) => {
      const out = await runCli(['bench', '--workload', tiny, '--modes', 'AlwaysVerify', ...args, ...more]);
      expect(out.code).toBe(EXIT_BAD_INPUT);
      expect(out.stderr.split('\n')).toHaveLength(2);
      expect(out.stderr.trimEnd()).toMatch(message);
      expect(out.stdout).toBe('');
    },
  );

  // The built command runs the sweep's runs in worker threads, each with its combination's workload.
  const cli = join(import.meta.dirname, '../../../dist/sim/cli.js');
  it.runIf(existsSync(cli))(
    'the built command, its runs in worker threads, gives the in-process counts',
    async () => {
      const args = [...SWEEP, '--json', '--workers', '2'];
      const child = spawnSync('node', [cli, ...args], { encoding: 'utf8' });
      expect(child.status).toBe(EXIT_OK);
      expect(counts(child.stdout)).toBe(counts((await runCli(args)).stdout));
    },
  );
});
