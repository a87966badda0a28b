/**
 * `pullsim bench` through `main`, as a shell runs it: the table and the differential verdict, the JSON, CSV and
 * HTML outputs, bad input as exit 2 with one line, and a progress bar only on a terminal.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT_BAD_INPUT, EXIT_OK, main } from '../../../sim/cli.js';
import { RECORD_STORE_STRATEGIES } from '../../../src/strategies/index.js';
import { tinyWorkloadText } from '../../support/bench-workloads.js';
import { runCli, useTempDir } from '../../support/cli-harness.js';
import { parseCsv } from '../../support/csv.js';
import { fakeTerminal } from '../../support/terminal.js';

const temp = useTempDir('pullsim-bench-');
const tiny = temp.write('tiny.yaml', tinyWorkloadText());
/** Line 14 of the file is the extra spec line. */
const badDevice = temp.write('bad-device.yaml', tinyWorkloadText('  device: floppy'));

/** A run of two strategies in one mode, without the start-up experiment. */
const QUICK = ['--strategies', 'fs+lru,journal', '--modes', 'AlwaysVerify', '--startup-records', 'none'];
const bench = (...args: string[]) => runCli(['bench', '--workload', tiny, ...QUICK, ...args]);

describe('pullsim bench', () => {
  it('prints the table and the differential verdict, and exits 0', async () => {
    const out = await bench();
    expect(out.code).toBe(EXIT_OK);
    expect(out.stderr).toBe('');
    const lines = out.stdout.split('\n');
    expect(lines[0]).toBe(
      'workload tiny: 60 pod starts of 3 tenants over 6 images in 20 minutes (device ssd)',
    );
    // Three tables (I/O, outcomes, this machine), each with a row per strategy under the mode's row.
    const rows = lines.filter((line) => /^│ (fs\+lru|journal) /.test(line));
    expect(rows).toHaveLength(6);
    expect(lines.filter((line) => /^│ mode AlwaysVerify +│$/.test(line))).toHaveLength(3);
    expect(rows.filter((row) => /│ identical +│$/.test(row))).toHaveLength(2);
    for (const line of lines) expect([...line].length).toBeLessThanOrEqual(120);
    expect(out.stdout).toContain(
      'differential check (decisions of fs+lru, journal against fs+lru, zero I/O latency): identical\n',
    );
    expect(out.stdout).not.toContain('records');
  });

  it('--json prints the whole result', async () => {
    const out = await bench('--json');
    expect(out.code).toBe(EXIT_OK);
    const result = JSON.parse(out.stdout);
    expect(result.workload).toMatchObject({ name: 'tiny', tenants: 3, pods: { starts: 60 } });
    expect(result.runs.map((r: { strategy: string; mode: string }) => `${r.strategy} ${r.mode}`)).toEqual([
      'fs+lru AlwaysVerify',
      'journal AlwaysVerify',
    ]);
    expect(result.differential.map((d: { identical: boolean }) => d.identical)).toEqual([true, true]);
    expect(result.leastIo).toEqual([
      {
        mode: 'AlwaysVerify',
        recordChanges: result.runs[0].fs.recordWrites + result.runs[0].fs.recordDeletes,
      },
    ]);
    expect(result.startup).toEqual([]);
  });

  it('--csv prints a header and one row per run', async () => {
    const out = await bench('--csv');
    expect(out.code).toBe(EXIT_OK);
    const records = parseCsv(out.stdout);
    expect(records).toHaveLength(3);
    expect(records[0]?.slice(0, 3)).toEqual(['strategy', 'mode', 'pod starts']);
    expect(records.slice(1).map((r) => [r[0], r[1], r.at(-1)])).toEqual([
      ['fs+lru', 'AlwaysVerify', 'identical'],
      ['journal', 'AlwaysVerify', 'identical'],
    ]);
  });

  it('--html writes the report beside the table', async () => {
    const file = join(temp.dir, 'bench.html');
    const out = await bench('--html', file);
    expect(out.code).toBe(EXIT_OK);
    expect(out.stdout).toContain('differential check');
    const html = readFileSync(file, 'utf8');
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('<h1>pullsim bench: tiny</h1>');
    expect(html).toContain('<svg');
    expect(html).not.toContain('<script');
  });

  it('--no-differential skips the check, and a start-up experiment can be asked for', async () => {
    const out = await runCli([
      'bench',
      '--workload',
      tiny,
      '--strategies',
      ' fs , memory ',
      '--modes',
      'NeverVerifyPreloadedImages',
      '--startup-records',
      '10,100',
      '--no-differential',
    ]);
    expect(out.code).toBe(EXIT_OK);
    expect(out.stdout).not.toContain('differential check');
    expect(out.stdout).toMatch(/│ start-up syscalls +│ 10 records +│ 100 records +│/);
    expect(out.stdout).toMatch(/│ memory +│ 0 +│ 0 +│/);
  });

  it('--help lists each record store on its own line, with its idea and trade-off under it', async () => {
    const out = await runCli(['bench', '--help']);
    expect(out.code).toBe(EXIT_OK);
    const after = out.stdout.slice(out.stdout.indexOf('Record stores:\n'));
    const lines = after.trimEnd().split('\n').slice(1);
    expect(lines.filter((line) => !line.startsWith(' '))).toEqual(
      RECORD_STORE_STRATEGIES.map((s) => s.syntax),
    );
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(100);
  });

  it('runs a preset by name', async () => {
    const out = await runCli([
      'bench',
      '--workload',
      'small',
      '--strategies',
      'memory',
      '--modes',
      'AlwaysVerify',
      '--startup-records',
      'none',
    ]);
    expect(out.code).toBe(EXIT_OK);
    expect(out.stdout.split('\n')[0]).toBe(
      'workload small: 2 000 pod starts of 20 tenants over 200 images in an hour (device ssd)',
    );
  });

  it.each([
    [
      ['--strategies', 'bogus'],
      /^pullsim: --strategies: "bogus": invalid record store "bogus": unknown strategy/,
    ],
    [['--strategies', ','], /^pullsim: --strategies: expected a comma-separated list of record stores$/],
    [['--workload', '/nonexistent/w.yaml'], /^pullsim: \/nonexistent\/w\.yaml: not a preset .*\(ENOENT\)$/],
    [['--workload', badDevice], /bad-device\.yaml:14: spec\.device: expected one of none, ssd, hdd, network/],
    [['--startup-records', '0'], /^pullsim: expected a positive integer, got "0" \(see pullsim --help\)$/],
    [['--startup-records', '100,'], /^pullsim: expected a positive integer, got "" /],
    [['--modes', 'sometimes'], /^pullsim: option '--modes <list>' argument 'sometimes' is invalid/],
    [
      ['--html', '/nonexistent/dir/out.html'],
      /^pullsim: \/nonexistent\/dir\/out\.html: cannot write: ENOENT$/,
    ],
  ])('refuses %j with exit 2 and one line', async (args, message) => {
    const out = await runCli([
      'bench',
      '--workload',
      tiny,
      '--modes',
      'AlwaysVerify',
      '--strategies',
      'memory',
      '--startup-records',
      'none',
      ...args,
    ]);
    expect(out.code).toBe(EXIT_BAD_INPUT);
    expect(out.stderr.split('\n')).toHaveLength(2);
    expect(out.stderr.trimEnd()).toMatch(message);
    // Bad options are refused before anything runs; only an unwritable report comes after the table.
    if (args[0] !== '--html') expect(out.stdout).toBe('');
  });

  it('draws a progress bar on a terminal, and none otherwise', async () => {
    const run = async (isTTY: boolean) => {
      const terminal = fakeTerminal(isTTY);
      let stdout = '';
      const args = [
        'bench',
        '--workload',
        tiny,
        '--strategies',
        'fs+lru,journal',
        '--startup-records',
        '100',
      ];
      const code = await main([...args, '--modes', 'AlwaysVerify'], {
        stdout: (text) => {
          stdout += text;
        },
        stderr: () => {},
        isTTY,
        progress: terminal.stream,
      });
      return { code, stdout, progress: terminal.text() };
    };
    const tty = await run(true);
    expect(tty.code).toBe(EXIT_OK);
    expect(tty.progress).toContain('bench [');
    expect(tty.progress).toContain('start-up journal · 100 records');
    // The bar goes to its own stream, never into the results.
    expect(tty.stdout).not.toContain('bench [');
    const piped = await run(false);
    expect(piped.progress).toBe('');
    expect(piped.code).toBe(EXIT_OK);
    expect(piped.stdout).toContain('differential check');
  });

  // The built command runs the suite's jobs in worker threads; run from the sources, it runs them in this thread.
  const cli = join(import.meta.dirname, '../../../dist/sim/cli.js');
  it.runIf(existsSync(cli))(
    'the built command, its jobs in worker threads, gives the counts of the in-process one',
    async () => {
      const args = [
        'bench',
        '--workload',
        tiny,
        ...QUICK.slice(0, 4),
        '--startup-records',
        '10,100',
        '--json',
      ];
      const child = spawnSync('node', [cli, ...args], { encoding: 'utf8' });
      expect(child.status).toBe(EXIT_OK);
      const here = await runCli(args);
      const counts = (text: string) => {
        const result = JSON.parse(text);
        return { startup: result.startup, fs: result.runs.map((r: { fs: unknown }) => r.fs) };
      };
      expect(counts(child.stdout).startup).toHaveLength(4);
      expect(counts(child.stdout)).toEqual(counts(here.stdout));
    },
  );
});
