import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { importNode } from '../../../sim/node-import/index.js';
import { credentialHash } from '../../../src/credentials/index.js';
import { runCli, useTempDir } from '../../support/cli-harness.js';
import { copySnapshot, SNAPSHOT } from './snapshot-copy.js';

/*
 * Secrets never leave (issue 14 point 4): no password, token, auth string or docker config of the fixture node,
 * nor its base64, nor the credential hash of a real credential, appears in anything `pullsim import` writes or
 * prints, in what `compare` and `run` print for the imported scenario, or in an error about a bad file.
 */

const temp = useTempDir('pullsim-secrets-');

/** Every credential the fixture holds, written out by hand (README there), with the old password of team-c. */
const CREDENTIALS = [
  { username: 'team-a-robot', password: 'Sup3rS3cret-A!' },
  { username: 'team-b-robot', password: 'B-pa55w0rd-xyz', email: 'robots@team-b.example.com' },
  { username: 'hubuser', password: 'hub-T0ken-999', email: 'hub@team-b.example.com' },
  { username: 'team-c-robot', password: 'new-pass-C-2026' },
  { username: 'team-c-robot', password: 'old-pass-C-2025' },
  { username: 'other-robot', password: 'not-on-node-Pass' },
  { username: 'node-puller', password: 'N0de-Wide-Pa55' },
];
const OTHER_SECRETS = ['opaque-Secret-Value-42', 'eyJhbGciOiJSUzI1NiJ9.c2EtdG9rZW4tdmFsdWU.sig-Tok3n'];

/** The strings no output may contain. */
function forbidden(): string[] {
  const plain = [
    ...CREDENTIALS.flatMap((c) => [
      c.username,
      c.password,
      `${c.username}:${c.password}`,
      ...(c.email ? [c.email] : []),
    ]),
    ...OTHER_SECRETS,
  ];
  const list = parse(readFileSync(join(SNAPSHOT, 'objects.yaml'), 'utf8')) as {
    items: { kind: string; data?: Record<string, string> }[];
  };
  // Every value of every Secret (the docker configs whole), as stored (base64) and decoded; not the token
  // secret's namespace, which is a namespace name.
  const data = list.items
    .filter((item) => item.kind === 'Secret')
    .flatMap((item) => Object.entries(item.data ?? {}).filter(([key]) => key !== 'namespace'))
    .flatMap(([, value]) => [value, Buffer.from(value, 'base64').toString('utf8')]);
  const nodeConfig = readFileSync(join(SNAPSHOT, 'config.json'), 'utf8');
  const nodeAuth = /"auth": "([^"]+)"/.exec(nodeConfig)?.[1] as string;
  return [
    ...plain,
    ...plain.map((s) => Buffer.from(s).toString('base64')),
    ...data,
    nodeAuth,
    ...CREDENTIALS.map((c) => credentialHash(c)),
  ];
}

function expectClean(what: string, output: string): void {
  const leaked = forbidden().filter((secret) => output.includes(secret));
  expect(leaked, `${what} leaks`).toEqual([]);
}

let outputs: [string, string][] = [];

beforeAll(async () => {
  const out = join(temp.dir, 'node.yaml');
  const imported = await importNode(SNAPSHOT);
  const cli = await runCli(['import', SNAPSHOT, '--out', out, '--notes']);
  const stdout = await runCli(['import', SNAPSHOT]);
  const compare = await runCli(['compare', out]);
  const compareJson = await runCli(['compare', out, '--json']);
  const run = await runCli([
    'run',
    out,
    '--json',
    '--include-files',
    '--trace',
    join(temp.dir, 'trace.jsonl'),
  ]);
  const auditHtml = join(temp.dir, 'audit.html');
  const audit = await runCli(['audit', SNAPSHOT, '--html', auditHtml]);
  const auditJson = await runCli(['audit', SNAPSHOT, '--json', '--policy', 'NeverVerify']);
  outputs = [
    ['audit DIR', audit.stdout + audit.stderr],
    ['audit DIR --json', auditJson.stdout + auditJson.stderr],
    ['audit DIR --html', readFileSync(auditHtml, 'utf8')],
    ['the scenario file', readFileSync(out, 'utf8')],
    ['the scenario value', JSON.stringify(imported.scenario)],
    ['the notes', JSON.stringify(imported.notes)],
    ['import --notes', cli.stdout + cli.stderr],
    ['import to stdout', stdout.stdout + stdout.stderr],
    ['compare', compare.stdout + compare.stderr],
    ['compare --json', compareJson.stdout],
    ['run --json --include-files', run.stdout + run.stderr],
    ['the trace', readFileSync(join(temp.dir, 'trace.jsonl'), 'utf8')],
  ];
});

describe('secrets never leave the import', () => {
  it('the list of secrets is real: each of them is in the collected files', () => {
    const collected = ['objects.yaml', 'config.json']
      .map((name) => readFileSync(join(SNAPSHOT, name), 'utf8'))
      .join('\n');
    const decoded = forbidden().filter(
      (s) => collected.includes(s) || collected.includes(Buffer.from(s).toString('base64')),
    );
    // Everything but the hashes and the old password (only in a record, as a hash) is found in the files.
    expect(decoded.length).toBeGreaterThan(20);
    expect(credentialHash(CREDENTIALS[4] as { username: string; password: string })).toMatch(
      /^[0-9a-f]{64}$/,
    );
    const record = readFileSync(
      join(
        SNAPSHOT,
        'image_manager/pulled/sha256-eedc5ad032843d1080b5c0e0e5c362a15715bf6921bd4e37a1d58d90f547c6a4',
      ),
      'utf8',
    );
    expect(record).toContain(credentialHash(CREDENTIALS[4] as { username: string; password: string }));
  });

  it('no output holds a secret, its base64 or the hash of a real credential', () => {
    expect(outputs.length).toBe(12);
    for (const [what, output] of outputs) {
      expect(output.length, what).toBeGreaterThan(0);
      expectClean(what, output);
    }
  });

  it('an error about a bad secret names the field, never the value', async () => {
    const dir = copySnapshot(temp.dir, 'bad-secret');
    const objects = readFileSync(join(dir, 'objects.yaml'), 'utf8').replace(
      /(\.dockerconfigjson: )(\S+)/,
      '$1[$2, Sup3rS3cret-A!]',
    );
    writeFileSync(join(dir, 'objects.yaml'), objects);
    const result = await runCli(['import', dir]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /objects\.yaml:\d+: items\[\d+\]\.data\["\.dockerconfigjson"\]: expected a string, got a list/,
    );
    expectClean('the error', result.stdout + result.stderr);
  });
});
