/**
 * The commands of the outside contract (docs/contract.md §3): run, compare and check, their flags, the result
 * JSON of §4 and the exit codes 0, 1 and 2, driven through `main` as a user's shell would.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import {
  EXIT_BAD_INPUT,
  EXIT_EXPECTATION_FAILED,
  EXIT_INTERNAL,
  EXIT_OK,
  parseModes,
} from '../../sim/cli.js';
import type { RunResult } from '../../sim/run.js';
import { MODES } from '../../sim/scenario/types.js';
import { runCli, STACK_FRAME, scenarioText, useTempDir } from '../support/cli-harness.js';
import { crossTenantExpectLine, crossTenantText, publicImageText } from '../support/cli-scenarios.js';
import { tableRows } from '../support/terminal.js';

const temp = useTempDir('pullsim-cli-');
const crossTenant = temp.write('cross-tenant.yaml', crossTenantText());
const publicImage = temp.write('public-image.yaml', publicImageText());
/** An allowlist with a policy other than NeverVerifyAllowlistedImages: the kubelet refuses to start. */
const unstartable = temp.write(
  'unstartable.yaml',
  crossTenantText({
    name: 'unstartable',
    kubelet:
      '{ imagePullCredentialsVerificationPolicy: AlwaysVerify, preloadedImagesVerificationAllowlist: [private.example.com/team-a/app] }',
  }),
);

const SHA256 = /^sha256:[0-9a-f]{64}$/;

/** Checks a result against the shape of contract §4. */
function expectContractShape(result: RunResult, options: { files: boolean }): void {
  expect(result).toMatchObject({
    apiVersion: 'pullsim/v1alpha1',
    kind: 'Result',
    scenario: expect.any(String),
    mode: expect.any(String),
    kubeletVersion: expect.stringMatching(/^1\.\d+$/),
    seed: expect.any(Number),
    traceHash: expect.stringMatching(SHA256),
    endTime: expect.stringMatching(/^(\d+h)?(\d+m)?[\d.]+s$/),
    totals: {
      containersStarted: expect.any(Number),
      violations: expect.any(Number),
      registry: {
        requests: expect.any(Number),
        pulls: expect.any(Number),
        authFailures: expect.any(Number),
        unavailable: expect.any(Number),
      },
      io: {
        ops: expect.any(Number),
        reads: expect.any(Number),
        writes: expect.any(Number),
        renames: expect.any(Number),
        removes: expect.any(Number),
        readdirs: expect.any(Number),
        stats: expect.any(Number),
        bytesRead: expect.any(Number),
        bytesWritten: expect.any(Number),
      },
    },
  });
  expect(result.containers.length).toBeGreaterThan(0);
  for (const c of result.containers) {
    expect(c).toMatchObject({
      pod: expect.stringMatching(/^[a-z0-9-]+\/[a-z0-9.-]+$/),
      container: expect.any(String),
      node: expect.any(String),
      image: expect.any(String),
      imagePullPolicy: expect.stringMatching(/^(Always|IfNotPresent|Never)$/),
      state: expect.stringMatching(/^(running|waiting|terminated)$/),
      pulls: expect.any(Number),
      started: expect.any(Boolean),
      violation: expect.any(Boolean),
    });
    if (c.imageRef !== undefined) expect(c.imageRef).toMatch(SHA256);
    if (c.reason !== undefined) expect(typeof c.reason).toBe('string');
  }
  expect(result.totals.containersStarted).toBe(result.containers.filter((c) => c.started).length);
  expect(result.totals.violations).toBe(result.containers.filter((c) => c.violation).length);
  for (const node of result.nodes) {
    expect(typeof node.name).toBe('string');
    if (options.files) expect(node.imageManagerFiles).toBeTypeOf('object');
    else expect(node).not.toHaveProperty('imageManagerFiles');
  }
}

async function runJson(args: string[]): Promise<RunResult> {
  const { code, stdout, stderr } = await runCli(['run', ...args, '--json']);
  expect(stderr).toBe('');
  expect(code).toBe(EXIT_OK);
  return JSON.parse(stdout) as RunResult;
}

/** Checks that a failed command printed one `pullsim: ` line (or one per issue) and no stack trace. */
function expectBadInput(outcome: { code: number; stdout: string; stderr: string }, lines = 1): string[] {
  expect(outcome.code).toBe(EXIT_BAD_INPUT);
  expect(outcome.stdout).toBe('');
  expect(outcome.stderr).not.toMatch(STACK_FRAME);
  const printed = outcome.stderr.trimEnd().split('\n');
  expect(printed).toHaveLength(lines);
  for (const line of printed) expect(line).toMatch(/^pullsim: \S/);
  return printed;
}

describe('pullsim run', () => {
  it('prints a human summary: a header, one row per container, totals and the trace hash', async () => {
    const { code, stdout, stderr } = await runCli(['run', crossTenant]);
    expect(code).toBe(EXIT_OK);
    expect(stderr).toBe('');
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('cross-tenant · mode as-configured · kubelet 1.36 · seed 1 · 3m0s');
    expect(stdout).toMatch(/pod\/container.*image.*policy.*state.*reason.*pulls.*violation/);
    expect(stdout).toMatch(
      /team-a\/a\/app .*private\.example\.com\/team-a\/app:v1 .*IfNotPresent .*running .* 1 .* no/,
    );
    expect(stdout).toMatch(/team-b\/b\/app .*waiting .*(ErrImagePull|ImagePullBackOff) /);
    expect(lines.at(-2)).toMatch(
      /^1 started, 0 violations; registry \d+ requests \(\d+ auth failures, 0 unavailable\); filesystem \d+ operations$/,
    );
    expect(lines.at(-1)).toMatch(/^traceHash sha256:[0-9a-f]{64}$/);
  });

  it('--json prints the result of contract §4', async () => {
    const result = await runJson([crossTenant]);
    expectContractShape(result, { files: false });
    expect(result).toMatchObject({
      scenario: 'cross-tenant',
      mode: 'as-configured',
      seed: 1,
      endTime: '3m0s',
    });
    expect(result.containers.map((c) => `${c.pod}/${c.container}`)).toEqual(['team-a/a/app', 'team-b/b/app']);
    expect(result.nodes).toEqual([{ name: 'node-1' }]);
  });

  it('--mode picks the kubelet behaviour: legacy lets tenant B in, AlwaysVerify does not', async () => {
    const legacy = await runJson([crossTenant, '--mode', 'legacy']);
    expect(legacy.mode).toBe('legacy');
    expect(legacy.containers.find((c) => c.pod === 'team-b/b')).toMatchObject({
      state: 'running',
      violation: true,
      pulls: 0,
      imageRef: `sha256:${'1'.repeat(64)}`,
    });
    const verify = await runJson([crossTenant, '--mode', 'AlwaysVerify']);
    expect(verify.mode).toBe('AlwaysVerify');
    expect(verify.totals.violations).toBe(0);
    expect(verify.containers.find((c) => c.pod === 'team-b/b')).toMatchObject({
      state: 'waiting',
      started: false,
    });
  });

  it('--seed overrides the seed; the same seed gives the same trace hash', async () => {
    const five = await runJson([crossTenant, '--seed', '5']);
    const again = await runJson([crossTenant, '--seed', '5']);
    const one = await runJson([crossTenant]);
    expect(five.seed).toBe(5);
    expect(again.traceHash).toBe(five.traceHash);
    expect(one.seed).toBe(1);
    expect(one.traceHash).not.toBe(five.traceHash);
    const max = await runJson([crossTenant, '--seed', String(Number.MAX_SAFE_INTEGER)]);
    expect(max.seed).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('the same scenario and seed give the same traceHash through the CLI, in every mode', async () => {
    for (const mode of MODES) {
      const first = await runJson([crossTenant, '--mode', mode]);
      const second = await runJson([crossTenant, '--mode', mode]);
      expect(second.traceHash, mode).toBe(first.traceHash);
      expect(second).toEqual(first);
    }
  });

  it('two separate processes of the built command give the same traceHash as this one', async () => {
    const cli = join(import.meta.dirname, '../../dist/sim/cli.js');
    const hashes = [1, 2].map(() => {
      const child = spawnSync('node', [cli, 'run', crossTenant, '--mode', 'NeverVerify', '--json'], {
        encoding: 'utf8',
      });
      expect(child.status).toBe(EXIT_OK);
      return (JSON.parse(child.stdout) as RunResult).traceHash;
    });
    const here = await runJson([crossTenant, '--mode', 'NeverVerify']);
    expect(hashes).toEqual([here.traceHash, here.traceHash]);
  });

  it('--trace writes JSON Lines whose SHA-256 is the traceHash', async () => {
    const out = join(temp.dir, 'trace.jsonl');
    const { code, stdout } = await runCli([
      'run',
      crossTenant,
      '--mode',
      'AlwaysVerify',
      '--json',
      '--trace',
      out,
    ]);
    expect(code).toBe(EXIT_OK);
    const result = JSON.parse(stdout) as RunResult;
    const text = readFileSync(out, 'utf8');
    expect(`sha256:${createHash('sha256').update(text).digest('hex')}`).toBe(result.traceHash);
    const records = text
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as { t: number; kind: string });
    expect(records.length).toBeGreaterThan(10);
    for (const record of records) {
      expect(Number.isInteger(record.t)).toBe(true);
      expect(typeof record.kind).toBe('string');
    }
    expect(records.at(-1)?.kind).toBe('run.end');
    // The human output names the same hash.
    const human = await runCli(['run', crossTenant, '--mode', 'AlwaysVerify', '--trace', out]);
    expect(human.stdout).toContain(`traceHash ${result.traceHash}`);
  });

  it('--include-files puts the final image_manager/ files in the result', async () => {
    const result = await runJson([crossTenant, '--mode', 'AlwaysVerify', '--include-files']);
    expectContractShape(result, { files: true });
    const files = result.nodes[0]?.imageManagerFiles ?? {};
    const pulled = Object.keys(files).filter((path) => path.startsWith('pulled/'));
    expect(pulled.length).toBeGreaterThanOrEqual(1);
    for (const path of pulled) {
      expect(path).toMatch(/^pulled\/sha256-[0-9a-f]{64}$/);
      expect(JSON.parse(files[path] as string)).toMatchObject({ kind: 'ImagePulledRecord' });
    }
    const legacy = await runJson([crossTenant, '--mode', 'legacy', '--include-files']);
    expect(legacy.nodes[0]?.imageManagerFiles).toEqual({});
  });

  it('--fail-on-violation exits 1 when a container started in violation, and still prints the result', async () => {
    const legacy = await runCli(['run', crossTenant, '--mode', 'legacy', '--fail-on-violation']);
    expect(legacy.code).toBe(EXIT_EXPECTATION_FAILED);
    expect(legacy.stdout).toMatch(/1 violations/);
    const verify = await runCli(['run', crossTenant, '--mode', 'AlwaysVerify', '--fail-on-violation']);
    expect(verify.code).toBe(EXIT_OK);
  });

  it('as configured, a kubelet that would refuse to start is bad input (exit 2); a mode runs it', async () => {
    const refused = expectBadInput(await runCli(['run', unstartable]));
    expect(refused[0]).toBe(
      `pullsim: ${unstartable}:8: spec.kubelet: the kubelet would refuse to start: invalid configuration: can't set \`preloadedImagesVerificationAllowlist\` if \`imagePullCredentialsVertificationPolicy\` is not "NeverVerifyAllowlistedImages"`,
    );
    expectBadInput(await runCli(['run', unstartable, '--mode', 'as-configured']));
    const allowlisted = await runJson([unstartable, '--mode', 'NeverVerifyAllowlistedImages']);
    expect(allowlisted.mode).toBe('NeverVerifyAllowlistedImages');
    // With the feature gate off, setting a policy is refused too.
    const gateOff = temp.write(
      'gate-off.yaml',
      crossTenantText({
        name: 'gate-off',
        kubelet:
          '{ featureGates: { KubeletEnsureSecretPulledImages: false }, imagePullCredentialsVerificationPolicy: AlwaysVerify }',
      }),
    );
    expect(expectBadInput(await runCli(['run', gateOff]))[0]).toMatch(
      /spec\.kubelet: the kubelet would refuse to start: invalid configuration: `imagePullCredentialsVerificationPolicy` must not be set if KubeletEnsureSecretPulledImages feature gate is not enabled$/,
    );
    // 1.34's gate is off by default: an allowlist alone is refused.
    const old = temp.write(
      'old.yaml',
      crossTenantText({
        name: 'old',
        kubelet: '{ version: "1.34", preloadedImagesVerificationAllowlist: [a.io/b] }',
      }),
    );
    expect(expectBadInput(await runCli(['run', old]))[0]).toMatch(
      /must not be set if KubeletEnsureSecretPulledImages/,
    );
  });

  it('a missing or unreadable file is bad input', async () => {
    const missing = join(temp.dir, 'missing.yaml');
    expect(expectBadInput(await runCli(['run', missing]))[0]).toBe(
      `pullsim: ${missing}: cannot read the file (ENOENT)`,
    );
    expect(expectBadInput(await runCli(['run', temp.dir]))[0]).toBe(
      `pullsim: ${temp.dir}: cannot read the file (EISDIR)`,
    );
  });

  it('an output file that cannot be written is bad input', async () => {
    const out = join(temp.dir, 'no-such-dir', 'trace.jsonl');
    expect(expectBadInput(await runCli(['run', crossTenant, '--trace', out]))[0]).toBe(
      `pullsim: ${out}: cannot write: ENOENT`,
    );
  });

  it('an invalid scenario prints every issue, one line each', async () => {
    const bad = temp.write('bad.yaml', scenarioText('bad', 'seed: -1\nuntil: soon\nnodes: []'));
    const lines = expectBadInput(await runCli(['run', bad]), 3);
    expect(lines).toEqual([
      `pullsim: ${bad}:6: spec.seed: expected an integer from 0 to 9007199254740991, got -1`,
      `pullsim: ${bad}:7: spec.until: invalid duration "soon": expected a number followed by a unit such as 250ms, 90s or 1h30m`,
      `pullsim: ${bad}:8: spec.nodes: at least one node is required`,
    ]);
  });
});

describe('pullsim compare', () => {
  it('runs every mode by default and prints one table per scenario', async () => {
    const { code, stdout, stderr } = await runCli(['compare', crossTenant]);
    expect(code).toBe(EXIT_OK);
    expect(stderr).toBe('');
    expect(stdout.split('\n')[0]).toBe(
      "cross-tenant — Tenant B runs tenant A's private image (kubernetes#18787)",
    );
    for (const title of [
      'legacy',
      'always-pull',
      'NeverVerify',
      'NVPreloaded',
      'NVAllowlisted',
      'AlwaysVerify',
    ])
      expect(stdout).toContain(title);
    expect(stdout).toMatch(/violations +│ 1 +│ 0 +│ 1 +│ 0 +│ 0 +│ 0 +│/);
    expect(stdout).not.toContain('Summary');
  });

  it('--modes chooses the columns; --json prints an array of results in file and mode order', async () => {
    const table = await runCli(['compare', crossTenant, '--modes', 'legacy,AlwaysVerify']);
    expect(table.stdout).toMatch(/│ +│ legacy │ AlwaysVerify │/);
    expect(table.stdout).not.toContain('NeverVerify');
    const { code, stdout } = await runCli([
      'compare',
      crossTenant,
      publicImage,
      '--modes',
      'legacy, AlwaysVerify',
      '--json',
    ]);
    expect(code).toBe(EXIT_OK);
    const results = JSON.parse(stdout) as RunResult[];
    expect(results.map((r) => `${r.scenario}/${r.mode}`)).toEqual([
      'cross-tenant/legacy',
      'cross-tenant/AlwaysVerify',
      'public-image/legacy',
      'public-image/AlwaysVerify',
    ]);
    for (const result of results) expectContractShape(result, { files: false });
    // compare and run agree.
    const run = await runJson([crossTenant, '--mode', 'legacy']);
    expect(results[0]).toEqual(run);
  });

  it('--markdown prints a section per scenario and, for several, a summary matrix', async () => {
    const one = await runCli(['compare', crossTenant, '--markdown', '--modes', 'legacy,AlwaysVerify']);
    const lines = one.stdout.split('\n');
    expect(lines.slice(0, 10)).toEqual([
      '### cross-tenant',
      '',
      "Tenant B runs tenant A's private image (kubernetes#18787)",
      '',
      '| | `legacy` | `AlwaysVerify` |',
      '|---|---:|---:|',
      '| containers started | 2 | 1 |',
      '| violations | 1 | 0 |',
      '| failed starts (refused ≥ once) | 0 | 1 |',
      '| not running at end | 0 | 1 |',
    ]);
    expect(lines.slice(10)).toEqual([
      expect.stringMatching(/^\| registry requests \| 1 \| \d+ \|$/),
      expect.stringMatching(/^\| registry auth failures \| 0 \| \d+ \|$/),
      expect.stringMatching(/^\| filesystem operations \| 0 \| \d+ \|$/),
      '',
    ]);
    const two = await runCli([
      'compare',
      crossTenant,
      publicImage,
      '--markdown',
      '--modes',
      'legacy,AlwaysVerify',
    ]);
    expect(two.stdout).toContain('### public-image\n\n| |');
    expect(two.stdout).toContain(
      [
        '| scenario | `legacy` | `AlwaysVerify` | what it shows |',
        '|---|---:|---:|---|',
        "| [cross-tenant](#cross-tenant) | 1 / 2 | 0 / 1 | Tenant B runs tenant A's private image (kubernetes#18787) |",
        '| [public-image](#public-image) | 0 / 1 | 0 / 1 |  |',
        '',
        '## Scenarios',
      ].join('\n'),
    );
    // The headline opens the summary; legacy's violation is counted, AlwaysVerify has none.
    expect(two.stdout).toMatch(/^## Summary\n\n2 scenarios, each run in 2 modes/);
    expect(two.stdout).toContain(
      'legacy, the kubelet without KEP-2535, lets a pod run such an image in 1 of the 2',
    );
    expect(two.stdout.indexOf('## Summary')).toBeLessThan(two.stdout.indexOf('### public-image'));
  });

  it('takes several files and directories (recursively, sorted; other files ignored): a headline, one row per scenario, --detail adds their tables', async () => {
    const library = join(temp.dir, 'library');
    mkdirSync(join(library, 'nested'), { recursive: true });
    writeFileSync(join(library, 'b-public.yml'), publicImageText('b-public'));
    writeFileSync(
      join(library, 'nested', 'a-cross.json'),
      JSON.stringify(JSON.parse(JSON.stringify(crossTenantJson()))),
    );
    writeFileSync(join(library, 'README.md'), '# not a scenario');
    const { code, stdout } = await runCli([
      'compare',
      library,
      publicImage,
      '--modes',
      'legacy,AlwaysVerify',
    ]);
    expect(code).toBe(EXIT_OK);
    const titles = (text: string) => text.split('\n').filter((line) => /^[a-z][\w-]*( —|$)/.test(line));
    expect(stdout.split('\n')[0]).toMatch(/^3 scenarios, each run in 2 modes/);
    expect(titles(stdout)).toEqual([]);
    expect(tableRows(stdout)).toEqual([
      ['scenario', 'legacy', 'Always', 'what it shows'],
      ['', '', 'Verify', ''],
      ['b-public', '0/1', '0/1', ''],
      ['cross-tenant-json', '1/2', '0/1', 'from JSON'],
      ['public-image', '0/1', '0/1', ''],
    ]);
    const detailed = await runCli([
      'compare',
      library,
      publicImage,
      '--modes',
      'legacy,AlwaysVerify',
      '--detail',
    ]);
    expect(detailed.stdout.startsWith(stdout)).toBe(true);
    expect(titles(detailed.stdout)).toEqual(['b-public', 'cross-tenant-json — from JSON', 'public-image']);
  });

  it('--fail-on-violation exits 1 when any run has a violation', async () => {
    expect((await runCli(['compare', crossTenant, '--modes', 'legacy', '--fail-on-violation'])).code).toBe(
      EXIT_EXPECTATION_FAILED,
    );
    expect(
      (await runCli(['compare', crossTenant, '--modes', 'AlwaysVerify', '--fail-on-violation'])).code,
    ).toBe(EXIT_OK);
    expect((await runCli(['compare', crossTenant, '--modes', 'legacy'])).code).toBe(EXIT_OK);
  });

  it('--html writes the report file', async () => {
    const out = join(temp.dir, 'report.html');
    const { code } = await runCli(['compare', crossTenant, '--modes', 'legacy,AlwaysVerify', '--html', out]);
    expect(code).toBe(EXIT_OK);
    expect(readFileSync(out, 'utf8')).toContain('cross-tenant');
  });

  it('reports the issues of every bad file at once; an empty directory is bad input', async () => {
    const badA = temp.write('bad-a.yaml', scenarioText('bad-a', 'seed: x'));
    const badB = temp.write('bad-b.yaml', scenarioText('bad-b', 'until: x'));
    const lines = expectBadInput(await runCli(['compare', badA, crossTenant, badB]), 2);
    expect(lines[0]).toMatch(new RegExp(`^pullsim: ${badA}:6: spec\\.seed: `));
    expect(lines[1]).toMatch(new RegExp(`^pullsim: ${badB}:6: spec\\.until: `));
    const empty = join(temp.dir, 'empty');
    mkdirSync(empty);
    expect(expectBadInput(await runCli(['compare', empty]))[0]).toBe(
      `pullsim: no scenario files (*.yaml, *.yml, *.json) in ${empty}`,
    );
    const missing = join(temp.dir, 'nowhere');
    expect(expectBadInput(await runCli(['compare', missing]))[0]).toBe(
      `pullsim: ${missing}: cannot read the file (ENOENT)`,
    );
  });

  it('a dangling link in a directory is bad input, not a crash', async () => {
    const dir = join(temp.dir, 'dangling');
    mkdirSync(dir);
    writeFileSync(join(dir, 'ok.yaml'), publicImageText());
    symlinkSync(join(dir, 'gone.yaml'), join(dir, 'link.yaml'));
    const lines = expectBadInput(await runCli(['compare', dir, '--modes', 'legacy']));
    expect(lines[0]).toBe(`pullsim: ${join(dir, 'link.yaml')}: cannot read the file (ENOENT)`);
  });
});

/** The cross-tenant scenario as a JSON document, renamed. */
function crossTenantJson(): unknown {
  return {
    apiVersion: 'pullsim/v1alpha1',
    kind: 'Scenario',
    metadata: { name: 'cross-tenant-json', description: 'from JSON' },
    spec: {
      until: '3m',
      registries: [
        {
          host: 'private.example.com',
          users: [{ username: 'team-a', password: 's3cret-a' }],
          repositories: [{ name: 'team-a/app', pullers: ['team-a'], tags: { v1: {} } }],
        },
      ],
      objects: [
        {
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: { namespace: 'team-a', name: 'regcred' },
          type: 'kubernetes.io/dockerconfigjson',
          stringData: {
            '.dockerconfigjson': JSON.stringify({
              auths: { 'private.example.com': { username: 'team-a', password: 's3cret-a' } },
            }),
          },
        },
        {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { namespace: 'team-a', name: 'a' },
          spec: {
            imagePullSecrets: [{ name: 'regcred' }],
            containers: [
              { name: 'app', image: 'private.example.com/team-a/app:v1', imagePullPolicy: 'IfNotPresent' },
            ],
          },
        },
      ],
      timeline: [
        {
          at: '1m',
          apply: {
            apiVersion: 'v1',
            kind: 'Pod',
            metadata: { namespace: 'team-b', name: 'b' },
            spec: {
              containers: [
                { name: 'app', image: 'private.example.com/team-a/app:v1', imagePullPolicy: 'IfNotPresent' },
              ],
            },
          },
        },
      ],
    },
  };
}

describe('pullsim check', () => {
  it('passes a scenario whose expectations hold: last line `N passed, 0 failed`, exit 0', async () => {
    const { code, stdout, stderr } = await runCli(['check', crossTenant]);
    expect(stderr).toBe('');
    expect(code).toBe(EXIT_OK);
    // Line 1 holds in all six modes, lines 2 and 3 in two each.
    expect(stdout).toBe('10 passed, 0 failed\n');
  });

  it('prints one FAIL line per failed (line, mode) with file:line, and exits 1', async () => {
    const wrong = temp.write(
      'wrong.yaml',
      crossTenantText({
        name: 'wrong',
        expect: [
          '{ pod: team-b/b, modes: [legacy, AlwaysVerify], state: running, violation: false }',
          '{ pod: team-a/a, container: app, modes: [NeverVerify], pulls: { min: 2, max: 3 } }',
          '{ pod: team-a/a, modes: [legacy], started: true }',
        ],
      }),
    );
    const { code, stdout } = await runCli(['check', wrong]);
    expect(code).toBe(EXIT_EXPECTATION_FAILED);
    const lines = stdout.trimEnd().split('\n');
    const first = crossTenantExpectLine(0);
    expect(lines).toEqual([
      `FAIL ${wrong}:${first}: team-b/b [legacy]: expected violation false at the end, got true`,
      expect.stringMatching(
        new RegExp(
          `^FAIL ${wrong}:${first}: team-b/b \\[AlwaysVerify\\]: expected state running at the end, got waiting \\((ErrImagePull|ImagePullBackOff)\\)$`,
        ),
      ),
      `FAIL ${wrong}:${first + 1}: team-a/a/app [NeverVerify]: expected at least 2 and at most 3 pulls, got 1`,
      '1 passed, 3 failed',
    ]);
  });

  it('--modes checks only those modes', async () => {
    expect((await runCli(['check', crossTenant, '--modes', 'legacy'])).stdout).toBe('2 passed, 0 failed\n');
    expect((await runCli(['check', crossTenant, '--modes', 'AlwaysVerify,always-pull'])).stdout).toBe(
      '3 passed, 0 failed\n',
    );
  });

  it('checks every scenario of a directory and adds up the counts', async () => {
    const dir = join(temp.dir, 'check-dir');
    mkdirSync(dir);
    writeFileSync(join(dir, 'a.yaml'), crossTenantText());
    writeFileSync(join(dir, 'b.yaml'), publicImageText());
    const { code, stdout } = await runCli(['check', dir]);
    expect(code).toBe(EXIT_OK);
    expect(stdout).toBe('16 passed, 0 failed\n');
  });

  it('without a path, checks scenarios/ of the working directory', async () => {
    const project = join(temp.dir, 'project');
    mkdirSync(join(project, 'scenarios'), { recursive: true });
    writeFileSync(join(project, 'scenarios', 'public.yaml'), publicImageText());
    const cwd = process.cwd();
    try {
      process.chdir(project);
      const { code, stdout } = await runCli(['check']);
      expect(code).toBe(EXIT_OK);
      expect(stdout).toBe('6 passed, 0 failed\n');
    } finally {
      process.chdir(cwd);
    }
  });

  it('a scenario without expect lines checks nothing', async () => {
    const none = temp.write('none.yaml', crossTenantText({ name: 'none', expect: [] }));
    expect(await runCli(['check', none])).toEqual({
      code: EXIT_OK,
      stdout: '0 passed, 0 failed\n',
      stderr: '',
    });
  });
});

describe('command-line mistakes are one line and exit 2', () => {
  it.each([
    [['run', 'x.yaml', '--mode', 'bogus']],
    [['run', 'x.yaml', '--mode']],
    [['run', 'x.yaml', '--bogus']],
    [['run']],
    [['run', 'x.yaml', '--seed', '-1']],
    [['run', 'x.yaml', '--seed', '1.5']],
    [['run', 'x.yaml', '--seed', '9007199254740992']],
    [['compare', 'x.yaml', '--modes', 'legacy,bogus']],
    [['compare', 'x.yaml', '--modes', ',']],
    [['compare', 'x.yaml', '--modes', 'as-configured']],
    [['compare']],
    [['check', '--modes', 'nope']],
    [['check', '--nope']],
    [['frobnicate']],
  ])('%j', async (args) => {
    const [line] = expectBadInput(await runCli(args));
    expect(line).toMatch(/\(see pullsim --help\)$/);
  });

  it('the messages say what was expected', async () => {
    expect((await runCli(['run', 'x.yaml', '--mode', 'bogus'])).stderr).toMatch(
      /argument 'bogus' is invalid\. Allowed choices are legacy, always-pull, NeverVerify, NeverVerifyPreloadedImages, NeverVerifyAllowlistedImages, AlwaysVerify, as-configured/,
    );
    expect((await runCli(['compare', 'x.yaml', '--modes', 'legacy,bogus'])).stderr).toMatch(
      /unknown mode "bogus"; expected a comma-separated list of legacy, always-pull/,
    );
    expect((await runCli(['compare', 'x.yaml', '--modes', ','])).stderr).toMatch(
      /unknown mode \(none given\)/,
    );
    expect(parseModes(' legacy , AlwaysVerify ')).toEqual(['legacy', 'AlwaysVerify']);
  });

  it('help for each command', async () => {
    for (const command of ['run', 'compare', 'check']) {
      const { code, stdout } = await runCli([command, '--help']);
      expect(code).toBe(EXIT_OK);
      expect(stdout).toMatch(new RegExp(`Usage: pullsim ${command}`));
    }
  });
});

describe('internal errors (a bug in pullsim, not bad input)', () => {
  it('are one line and exit 3; the stack only with PULLSIM_DEBUG=1', async () => {
    vi.resetModules();
    vi.doMock('../../sim/run.js', async (importOriginal) => ({
      ...(await importOriginal<typeof import('../../sim/run.js')>()),
      runScenario: () => {
        throw new Error('invariant recordPointsAtImage broken (seed 1, step 7)\nsecond line');
      },
    }));
    try {
      const { main } = await import('../../sim/cli.js');
      const capture = async (env: Record<string, string>) => {
        let stderr = '';
        const code = await main(
          ['run', crossTenant],
          { stdout: () => {}, stderr: (t) => (stderr += t), isTTY: false },
          env,
        );
        return { code, stderr };
      };
      const quiet = await capture({});
      expect(quiet.code).toBe(EXIT_INTERNAL);
      expect(quiet.stderr).toBe(
        'pullsim: internal error: invariant recordPointsAtImage broken (seed 1, step 7)\n',
      );
      const debug = await capture({ PULLSIM_DEBUG: '1' });
      expect(debug.code).toBe(EXIT_INTERNAL);
      expect(debug.stderr).toMatch(STACK_FRAME);
    } finally {
      vi.doUnmock('../../sim/run.js');
      vi.resetModules();
    }
  });

  it('a thrown non-Error is reported too', async () => {
    vi.resetModules();
    vi.doMock('../../sim/compare.js', async (importOriginal) => ({
      ...(await importOriginal<typeof import('../../sim/compare.js')>()),
      compareScenario: () => {
        throw 'plain string';
      },
    }));
    try {
      const { main } = await import('../../sim/cli.js');
      let stderr = '';
      const code = await main(
        ['compare', crossTenant],
        { stdout: () => {}, stderr: (t) => (stderr += t), isTTY: false },
        { PULLSIM_DEBUG: '1' },
      );
      expect(code).toBe(EXIT_INTERNAL);
      expect(stderr).toBe('pullsim: internal error: plain string\n');
    } finally {
      vi.doUnmock('../../sim/compare.js');
      vi.resetModules();
    }
  });

  it('a run cut short by a budget says so in the human output', async () => {
    vi.resetModules();
    vi.doMock('../../sim/run.js', async (importOriginal) => {
      const original = await importOriginal<typeof import('../../sim/run.js')>();
      return {
        ...original,
        runScenario: (...args: Parameters<typeof original.runScenario>) => {
          const output = original.runScenario(...args);
          // A result without filesystem counters (an older shape) prints 0 operations.
          const totals = { ...output.result.totals, io: {} };
          return { ...output, result: { ...output.result, outcome: 'step-budget', totals } };
        },
      };
    });
    try {
      const { main } = await import('../../sim/cli.js');
      let stdout = '';
      await main(['run', crossTenant], { stdout: (t) => (stdout += t), stderr: () => {}, isTTY: false });
      expect(stdout.split('\n')[0]).toMatch(/ · stopped: step-budget$/);
      expect(stdout).toMatch(/; filesystem 0 operations\n/);
    } finally {
      vi.doUnmock('../../sim/run.js');
      vi.resetModules();
    }
  });

  it('a loader bug (an error that is not bad input) is not hidden among the issues of other files', async () => {
    vi.resetModules();
    vi.doMock('../../sim/scenario/load.js', async (importOriginal) => ({
      ...(await importOriginal<typeof import('../../sim/scenario/load.js')>()),
      parseScenario: () => {
        throw new TypeError('cannot read properties of undefined');
      },
    }));
    try {
      const { main } = await import('../../sim/cli.js');
      let stderr = '';
      const code = await main(['check', crossTenant], {
        stdout: () => {},
        stderr: (t) => (stderr += t),
        isTTY: false,
      });
      expect(code).toBe(EXIT_INTERNAL);
      expect(stderr).toBe('pullsim: internal error: cannot read properties of undefined\n');
    } finally {
      vi.doUnmock('../../sim/scenario/load.js');
      vi.resetModules();
    }
  });

  it('a file system error without a code is still bad input', async () => {
    const unreadable = join(temp.dir, 'unreadable.yaml');
    const unstatable = join(temp.dir, 'unstatable');
    vi.resetModules();
    vi.doMock('node:fs', async (importOriginal) => {
      const fs = await importOriginal<typeof import('node:fs')>();
      return {
        ...fs,
        readFileSync: ((path: string, ...rest: unknown[]) => {
          if (path === unreadable) throw new Error('no code');
          return (fs.readFileSync as (...args: unknown[]) => unknown)(path, ...rest);
        }) as typeof fs.readFileSync,
        statSync: ((path: string, ...rest: unknown[]) => {
          if (path === unstatable) throw new Error('no code');
          return (fs.statSync as (...args: unknown[]) => unknown)(path, ...rest);
        }) as typeof fs.statSync,
      };
    });
    try {
      const { main } = await import('../../sim/cli.js');
      const capture = async (args: string[]) => {
        let stderr = '';
        const code = await main(args, { stdout: () => {}, stderr: (t) => (stderr += t), isTTY: false });
        return { code, stderr };
      };
      expect(await capture(['run', unreadable])).toEqual({
        code: EXIT_BAD_INPUT,
        stderr: `pullsim: ${unreadable}: cannot read the file (unreadable)\n`,
      });
      expect(await capture(['check', unstatable])).toEqual({
        code: EXIT_BAD_INPUT,
        stderr: `pullsim: ${unstatable}: cannot read the file (unreadable)\n`,
      });
    } finally {
      vi.doUnmock('node:fs');
      vi.resetModules();
    }
  });

  it('pullsim without a command prints the usage', async () => {
    const { code, stdout, stderr } = await runCli([]);
    expect(code).toBe(EXIT_OK);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^Usage: pullsim \[options\] \[command\]/);
  });
});
