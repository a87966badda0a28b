/**
 * Invariant: whatever a scenario or workload file holds, pullsim answers bad input the same way: exit 2, nothing on
 * stdout, one `pullsim: FILE:LINE: …` line per problem (at most MAX_LISTED_ISSUES of them, then a count), no line
 * longer than 500 characters, no stack trace, no warning of Node's, and never a secret of the file (a password,
 * an `auth` string, a docker config), even when the YAML around the secret is broken.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EXIT_BAD_INPUT } from '../../../sim/cli.js';
import { MAX_LISTED_ISSUES } from '../../../sim/errors.js';
import { MAX_INPUT_ALIASES, MAX_INPUT_BYTES, MAX_INPUT_DEPTH } from '../../../sim/input/yaml.js';
import { parseScenario } from '../../../sim/scenario/load.js';
import { tinyWorkloadText } from '../../support/bench-workloads.js';
import { runCli, STACK_FRAME, useTempDir } from '../../support/cli-harness.js';
import { toYaml, VALID_PASSWORD_A, VALID_PASSWORD_B, validScenario } from '../../support/valid-scenario.js';

const temp = useTempDir('pullsim-hostile-');

const b64 = (text: string) => Buffer.from(text).toString('base64');
const VALID_TEXT = toYaml(validScenario());

/** Every string of the valid scenario that is a secret or encodes one. */
const SECRETS: readonly string[] = [
  VALID_PASSWORD_A,
  VALID_PASSWORD_B,
  'pwC-4d',
  b64(`b:${VALID_PASSWORD_B}`),
  ...VALID_TEXT.split('\n').flatMap((line) => {
    const match = /"(\.dockerconfigjson)": (".*")/.exec(line);
    return match === null ? [] : [JSON.parse(match[2] as string) as string];
  }),
];

/** The lines of the valid scenario that hold a secret, with the secret's quoted text on that line. */
const SECRET_LINES: readonly { readonly index: number; readonly quoted: string }[] = VALID_TEXT.split(
  '\n',
).flatMap((line, index) => {
  const quoted = SECRETS.map((secret) => JSON.stringify(secret)).find((q) => line.includes(q));
  return quoted === undefined ? [] : [{ index, quoted }];
});

/** Ways of breaking a line right at its secret, so that the YAML (or the value's type) is wrong there. */
const BREAKS: readonly [string, (line: string, quoted: string) => string][] = [
  ['unquoted value', (line, q) => line.replace(q, `${q.slice(1, -1)} : x`)],
  ['stray scalar after the line', (line) => `${line} trailing ${VALID_PASSWORD_A}`],
  ['tab indentation', (line) => `\t${line.trimStart()}`],
  ['unclosed quote', (line, q) => line.replace(q, q.slice(0, -1))],
  ['flow opener', (line, q) => line.replace(q, `[${q.slice(1, -1)}`)],
  ['deeper indent', (line) => `   ${line}`],
  ['value as a list', (line, q) => line.replace(q, `[${q}]`)],
  ['value as a mapping', (line, q) => line.replace(q, `{ x: ${q} }`)],
  ['a stray bracket before it, at column 0', (_line, q) => `]${q.slice(1, -1)}`],
];

/** A file name and its text, with what the file is fed to. */
interface Hostile {
  readonly label: string;
  readonly name: string;
  readonly text: string;
  readonly command: 'run' | 'check' | 'bench';
}

function secretMutants(): Hostile[] {
  const lines = VALID_TEXT.split('\n');
  const all = SECRET_LINES.flatMap(({ index, quoted }) =>
    BREAKS.map(([how, breakLine], b) => ({
      label: `${how} at line ${index + 1}`,
      name: `secret-${index}-${b}.yaml`,
      text: lines.map((line, i) => (i === index ? breakLine(line, quoted) : line)).join('\n'),
      command: b % 2 === 0 ? ('run' as const) : ('check' as const),
    })),
  );
  // Some breaks leave valid YAML with a valid value (an unquoted password is still a string): keep the bad ones.
  return all.filter((hostile) => rejects(hostile.text));
}

function rejects(text: string): boolean {
  try {
    parseScenario(text, 'probe.yaml');
    return false;
  } catch {
    return true;
  }
}

/** Users and credentials written in shapes the format does not allow, each carrying a password. */
function shapeMutants(): Hostile[] {
  const shapes: [string, (doc: ReturnType<typeof validScenario>) => void][] = [
    ['user as a string', (doc) => setIn(doc, ['spec', 'registries', 0, 'users', 0], `a:${VALID_PASSWORD_A}`)],
    ['users as a string', (doc) => setIn(doc, ['spec', 'registries', 0, 'users'], `a:${VALID_PASSWORD_A}`)],
    [
      'credentials as a string',
      (doc) => setIn(doc, ['spec', 'nodes', 0, 'credentials'], SECRETS[3] as string),
    ],
    [
      'auth not base64',
      (doc) =>
        setIn(doc, ['spec', 'nodes', 0, 'credentials', 'auths', 'r.io', 'auth'], `!${VALID_PASSWORD_A}`),
    ],
    [
      'secret data not base64',
      (doc) => setIn(doc, ['spec', 'objects', 1, 'data', '.dockerconfigjson'], `${VALID_PASSWORD_A}!`),
    ],
    ['secret as a string', (doc) => setIn(doc, ['spec', 'objects', 2], `stringData: ${VALID_PASSWORD_B}`)],
    ['secret kind misspelt', (doc) => setIn(doc, ['spec', 'objects', 2, 'kind'], 'Secrets')],
    [
      'docker config not JSON',
      (doc) => setIn(doc, ['spec', 'objects', 2, 'stringData', '.dockerconfigjson'], `{${VALID_PASSWORD_B}`),
    ],
    ['password as a number-like list', (doc) => setIn(doc, ['spec', 'timeline', 4, 'password'], ['pwC-4d'])],
    [
      'password with a bad key',
      (doc) => setIn(doc, ['spec', 'registries', 0, 'users', 1, 'pass'], VALID_PASSWORD_B),
    ],
  ];
  return shapes.map(([label, change], i) => {
    const doc = validScenario();
    change(doc);
    return { label, name: `shape-${i}.yaml`, text: toYaml(doc), command: 'run' as const };
  });
}

function setIn(doc: Record<string, unknown>, path: readonly (string | number)[], value: unknown): void {
  let parent = doc as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  parent[path[path.length - 1] as string | number] = value;
}

const HEADER = 'apiVersion: pullsim/v1alpha1\nkind: Scenario\nmetadata: { name: x }\n';

/** Files that attack the reader itself: size of values, depth, aliases, keys, emptiness. */
function readerMutants(): Hostile[] {
  const many = (n: number) => Array.from({ length: n }, (_, i) => `  k${i}: ${i}`).join('\n');
  const bomb = [
    'a: &a [x, x, x, x, x, x, x, x, x, x]',
    ...'bcdefghij'
      .split('')
      .map((c, i) => `${c}: &${c} [${Array(10).fill(`*${'abcdefghij'[i]}`).join(', ')}]`),
  ].join('\n');
  const files: [string, string][] = [
    ['empty file', ''],
    ['only a comment', '# nothing here\n'],
    ['only whitespace', '   \n\n  \n'],
    ['a null document', 'null\n'],
    ['a scalar document', 'just words\n'],
    ['binary junk', '\u0000\u0001\u0002\uFFFD\n'],
    ['deep flow nesting', `${HEADER}spec: ${'['.repeat(1000)}${']'.repeat(1000)}\n`],
    [
      'deep block nesting',
      `${HEADER}spec:\n${Array.from({ length: 200 }, (_, i) => `${' '.repeat(i + 1)}k:`).join('\n')} 1\n`,
    ],
    ['alias bomb', `${HEADER}spec: {}\n${bomb}\n`],
    ['undefined alias', `${HEADER}spec: { until: *later }\n`],
    ['complex keys', `${HEADER}spec:\n  ? [a, b]\n  : c\n  ? { d: e }\n  : f\n`],
    ['a 100 kB key', `${HEADER}spec:\n  ${'k'.repeat(100_000)}: 1\n`],
    ['a 100 kB value', `${HEADER}spec:\n  until: ${'9'.repeat(100_000)}h\n`],
    [
      'a 100 kB name',
      `apiVersion: pullsim/v1alpha1\nkind: Scenario\nmetadata: { name: ${'N'.repeat(100_000)} }\nspec: {}\n`,
    ],
    ['40 000 unknown keys', `${HEADER}spec:\n${many(40_000)}\n`],
    ['two documents', `${HEADER}spec: {}\n---\n${HEADER}spec: {}\n`],
    ['duplicate keys', `${HEADER}spec: {}\nspec: {}\n`],
    ['a file over the size limit', `${HEADER}metadata: { description: ${'d'.repeat(MAX_INPUT_BYTES)} }\n`],
  ];
  return files.map(([label, text], i) => ({
    label,
    name: `reader-${i}.yaml`,
    text,
    command: 'run' as const,
  }));
}

/** The same attacks on workload files (read by `pullsim bench --workload FILE`). */
function workloadMutants(): Hostile[] {
  const valid = tinyWorkloadText();
  const cases: [string, string][] = [
    ['empty workload', ''],
    ['duplicate key', `${valid}\nkind: Workload\n`],
    ['bad alias', `${valid.replace('kind: Workload', 'kind: *nothing')}`],
    ['deep nesting', `${valid}\nextra: ${'{a: '.repeat(500)}1${'}'.repeat(500)}\n`],
    ['complex key', `${valid}\n? [a]\n: b\n`],
    ['unknown keys', `${valid}\n${Array.from({ length: 5000 }, (_, i) => `x${i}: 1`).join('\n')}\n`],
  ];
  return cases.map(([label, text], i) => ({
    label,
    name: `workload-${i}.yaml`,
    text,
    command: 'bench' as const,
  }));
}

async function feed(hostile: Hostile) {
  const file = temp.write(hostile.name, hostile.text);
  const args =
    hostile.command === 'bench'
      ? ['bench', '--workload', file, '--strategies', 'fs']
      : [hostile.command, file];
  return { file, ...(await runCli(args)) };
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('hostile input', () => {
  let warnings: unknown[];
  beforeEach(() => {
    warnings = [];
    vi.spyOn(process, 'emitWarning').mockImplementation((warning: unknown) => {
      warnings.push(warning);
    });
  });
  afterEach(() => vi.restoreAllMocks());

  it.each(
    [...secretMutants(), ...shapeMutants(), ...readerMutants(), ...workloadMutants()].map((h) => [
      h.label,
      h,
    ]),
  )('%s', async (_label, hostile) => {
    const { file, code, stdout, stderr } = await feed(hostile);
    const context = `${hostile.label}:\n${stderr.slice(0, 3000)}`;
    expect(code, context).toBe(EXIT_BAD_INPUT);
    expect(stdout, context).toBe('');
    expect(stderr, context).not.toMatch(STACK_FRAME);
    expect(warnings, context).toEqual([]);
    for (const secret of SECRETS) expect(stderr.includes(secret), `${context}\nleaks ${secret}`).toBe(false);
    const lines = stderr.trimEnd().split('\n');
    expect(lines.length, context).toBeLessThanOrEqual(MAX_LISTED_ISSUES + 1);
    const located = new RegExp(`^pullsim: ${escapeRegExp(file)}:\\d+: \\S`);
    const more = new RegExp(`^pullsim: ${escapeRegExp(file)}: and \\d+ more problems?$`);
    for (const line of lines) {
      expect(located.test(line) || more.test(line), `${context}\nline: ${line.slice(0, 200)}`).toBe(true);
      expect(line.length, context).toBeLessThanOrEqual(500);
    }
  });

  it('the limits are named in their messages', async () => {
    const deep = await feed(readerMutants().find((h) => h.label === 'deep flow nesting') as Hostile);
    expect(deep.stderr).toContain(`more than ${MAX_INPUT_DEPTH} levels`);
    const bomb = await feed(readerMutants().find((h) => h.label === 'alias bomb') as Hostile);
    expect(bomb.stderr).toContain(`at most ${MAX_INPUT_ALIASES}`);
    const big = await feed(readerMutants().find((h) => h.label === 'a file over the size limit') as Hostile);
    expect(big.stderr).toMatch(/:1: the file is 16\.0 MiB; pullsim reads input files of at most 16\.0 MiB$/m);
    const keys = await feed(readerMutants().find((h) => h.label === '40 000 unknown keys') as Hostile);
    expect(keys.stderr).toContain(`and ${40_000 - MAX_LISTED_ISSUES} more problems`);
  });

  it('the breaks hit every secret line of the valid scenario', () => {
    // A guard on the generator: without it, a change to the valid scenario could leave the secrets untested.
    expect(SECRETS.length).toBeGreaterThanOrEqual(6);
    expect(SECRET_LINES.length).toBe(SECRETS.length);
    expect(secretMutants().length).toBeGreaterThanOrEqual(SECRET_LINES.length * 4);
  });
});
