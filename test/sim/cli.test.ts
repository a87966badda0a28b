import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT_BAD_INPUT, EXIT_INTERNAL, EXIT_OK, main, parseSeed, writeOutputFile } from '../../sim/cli.js';
import { InputError } from '../../sim/errors.js';

async function runCli(args: string[], env: Record<string, string> = {}) {
  let stdout = '';
  let stderr = '';
  const code = await main(
    args,
    { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), isTTY: false },
    env,
  );
  return { code, stdout, stderr };
}

describe('pullsim CLI frame', () => {
  it('--help lists the commands and exits 0', async () => {
    const { code, stdout } = await runCli(['--help']);
    expect(code).toBe(EXIT_OK);
    expect(stdout).toMatch(/Usage: pullsim/);
    expect(stdout).toMatch(/selfcheck/);
    expect(stdout).toMatch(/Exit codes/);
  });

  it('--version prints the package version', async () => {
    const pkg = JSON.parse(readFileSync(join(import.meta.dirname, '../../package.json'), 'utf8')) as {
      version: string;
    };
    const { code, stdout } = await runCli(['--version']);
    expect(code).toBe(EXIT_OK);
    expect(stdout.trim()).toBe(pkg.version);
  });

  it('per-command help', async () => {
    const { code, stdout } = await runCli(['selfcheck', '--help']);
    expect(code).toBe(EXIT_OK);
    expect(stdout).toMatch(/--seed <n>/);
  });

  it.each([
    [['--bogus']],
    [['selfcheck', '--nope']],
    [['no-such-command']],
    [['selfcheck', '--seed', 'x']],
    [['selfcheck', '--seed', '-1']],
  ])('%j prints one line and exits 2', async (args) => {
    const { code, stderr } = await runCli(args);
    expect(code).toBe(EXIT_BAD_INPUT);
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/^pullsim: /);
    expect(stderr).not.toMatch(/\bat .*\.(ts|js):\d+/);
  });

  it('selfcheck prints a trace hash that repeats for the same seed and changes with it', async () => {
    const one = await runCli(['selfcheck', '--seed', '1']);
    const again = await runCli(['selfcheck', '--seed', '1']);
    const two = await runCli(['selfcheck', '--seed', '2']);
    const hash = (s: string) => /traceHash (sha256:[0-9a-f]{64})/.exec(s)?.[1];
    expect(one.code).toBe(EXIT_OK);
    expect(hash(one.stdout)).toBeDefined();
    expect(hash(again.stdout)).toBe(hash(one.stdout));
    expect(hash(two.stdout)).not.toBe(hash(one.stdout));
  });

  it('selfcheck --json and --trace', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pullsim-'));
    const out = join(dir, 'trace.jsonl');
    const { code, stdout } = await runCli(['selfcheck', '--json', '--trace', out]);
    expect(code).toBe(EXIT_OK);
    const summary = JSON.parse(stdout) as { traceHash: string; steps: number };
    const lines = readFileSync(out, 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(summary.steps + 1);
    const bad = await runCli(['selfcheck', '--trace', join(dir, 'missing-dir', 'x.jsonl')]);
    expect(bad.code).toBe(EXIT_BAD_INPUT);
    expect(bad.stderr).toMatch(/missing-dir\/x.jsonl: cannot write: ENOENT/);
  });

  it('parseSeed accepts 0..2^53-1 only', () => {
    expect(parseSeed('0')).toBe(0);
    expect(parseSeed('9007199254740991')).toBe(Number.MAX_SAFE_INTEGER);
    expect(() => parseSeed('9007199254740992')).toThrow(/expected an integer/);
    expect(() => parseSeed('1e3')).toThrow(/expected an integer/);
  });

  it('InputError lists every issue with file, line and field path', () => {
    const error = new InputError([
      {
        code: 'invalid_type',
        file: 'a.yaml',
        line: 3,
        path: ['spec', 'seed'],
        message: 'expected an integer',
      },
      { code: 'invalid_value', file: 'a.yaml', path: ['spec', 'until'], message: 'bad' },
      { code: 'invalid_value', path: [], message: 'whole' },
    ]);
    expect(error.message).toBe('a.yaml:3: spec.seed: expected an integer\na.yaml: spec.until: bad\nwhole');
    expect(new InputError('plain').issues).toEqual([{ code: 'invalid_value', path: [], message: 'plain' }]);
    expect(() => writeOutputFile('/nonexistent-dir/x', 'y')).toThrow(InputError);
  });

  it('an internal error is one line and exit 3', async () => {
    expect(EXIT_INTERNAL).toBe(3);
  });
});

describe('the installed command (built dist/, child process)', () => {
  const cli = join(import.meta.dirname, '../../dist/sim/cli.js');

  it('runs as a program: help, self-check and exit code 2 on a bad flag', () => {
    expect(execFileSync('node', [cli, '--help'], { encoding: 'utf8' })).toMatch(/Commands:/);
    expect(execFileSync('node', [cli, 'selfcheck'], { encoding: 'utf8' })).toMatch(/traceHash sha256:/);
    const bad = spawnSync('node', [cli, '--bogus'], { encoding: 'utf8' });
    expect(bad.status).toBe(EXIT_BAD_INPUT);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('is executable by itself, as `npx pullsim` runs it in a clone', () => {
    const version = JSON.parse(readFileSync(join(import.meta.dirname, '../../package.json'), 'utf8')).version;
    expect(execFileSync(cli, ['--version'], { encoding: 'utf8' }).trim()).toBe(version);
  });
});
