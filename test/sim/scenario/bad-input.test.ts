/**
 * Invariant: any mutation that makes a valid scenario file invalid is rejected by the CLI with exit code 2 and
 * one `pullsim: FILE…` line per issue naming the mutated field (or saying invalid YAML, with its line), never a
 * stack trace.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EXIT_BAD_INPUT } from '../../../sim/cli.js';
import { formatPath, type Path } from '../../../sim/errors.js';
import { ACTION_FIELDS, parseScenario } from '../../../sim/scenario/load.js';
import { runCli, STACK_FRAME, useTempDir } from '../../support/cli-harness.js';
import { type Json, toYaml, validScenario } from '../../support/valid-scenario.js';

const temp = useTempDir('pullsim-bad-input-');

type Doc = { [key: string]: Json };

/** What the CLI must say about a mutant. */
type Expected =
  | { readonly kind: 'path'; readonly path: Path }
  | { readonly kind: 'yaml'; readonly line?: number };

/** A mutant: the file text and what the CLI must report. */
interface Mutant {
  readonly label: string;
  readonly text: (format: 'yaml' | 'json') => string;
  readonly expected: Expected;
}

function serialize(doc: Doc, format: 'yaml' | 'json'): string {
  return format === 'json' ? `${JSON.stringify(doc, null, 1)}\n` : toYaml(doc);
}

function parentOf(doc: Doc, path: Path): Record<string | number, Json> {
  let value: Json = doc;
  for (const key of path.slice(0, -1)) value = (value as Record<string | number, Json>)[key] as Json;
  if (value === null || typeof value !== 'object') throw new Error(`no parent at ${formatPath(path)}`);
  return value as Record<string | number, Json>;
}

function getAt(doc: Doc, path: Path): Json | undefined {
  return parentOf(doc, path)[path[path.length - 1] as string | number];
}

/** A mutant that edits the data, then serializes it. */
function edit(label: string, expectedPath: Path, change: (doc: Doc) => void): Mutant {
  return {
    label,
    text: (format) => {
      const doc = validScenario();
      change(doc);
      return serialize(doc, format);
    },
    expected: { kind: 'path', path: expectedPath },
  };
}

const setAt = (label: string, path: Path, value: Json, expectedPath: Path = path): Mutant =>
  edit(label, expectedPath, (doc) => {
    parentOf(doc, path)[path[path.length - 1] as string | number] = value;
  });

const deleteAt = (label: string, path: Path, expectedPath: Path = path): Mutant =>
  edit(label, expectedPath, (doc) => {
    const parent = parentOf(doc, path);
    const key = path[path.length - 1] as string;
    if (!(key in parent)) throw new Error(`nothing to delete at ${formatPath(path)}`);
    delete parent[key];
  });

// Where things are in validScenario().
const KUBELET = ['spec', 'kubelet'];
const REG = ['spec', 'registries', 0];
const SA_REG = ['spec', 'registries', 1];
const NODE = ['spec', 'nodes', 0];
const SECRET_DATA = ['spec', 'objects', 1];
const SECRET_STRING = ['spec', 'objects', 2];
const SA = ['spec', 'objects', 3];
const POD = ['spec', 'objects', 4];
const APPLY = ['spec', 'timeline', 0, 'apply'];
const STEP = (i: number) => ['spec', 'timeline', i];
const EXPECT = (i: number) => ['spec', 'expect', i];

type FieldType =
  | 'string'
  | 'integer'
  | 'boolean'
  | 'duration'
  | 'list'
  | 'mapping'
  | 'number'
  | 'enum'
  | 'stringOrList'
  | 'stringOrMapping';

/** Typed fields of the valid scenario: the loader must reject a value of another type at each of them. */
const TYPED: readonly (readonly [Path, FieldType])[] = [
  [['apiVersion'], 'enum'],
  [['kind'], 'enum'],
  [['metadata'], 'mapping'],
  [['metadata', 'name'], 'string'],
  [['metadata', 'description'], 'string'],
  [['spec'], 'mapping'],
  [['spec', 'seed'], 'integer'],
  [['spec', 'until'], 'duration'],
  [KUBELET, 'mapping'],
  [[...KUBELET, 'version'], 'enum'],
  [[...KUBELET, 'featureGates'], 'mapping'],
  [[...KUBELET, 'featureGates', 'KubeletEnsureSecretPulledImages'], 'boolean'],
  [[...KUBELET, 'imagePullCredentialsVerificationPolicy'], 'enum'],
  [[...KUBELET, 'preloadedImagesVerificationAllowlist'], 'list'],
  [[...KUBELET, 'preloadedImagesVerificationAllowlist', 1], 'string'],
  [[...KUBELET, 'serializeImagePulls'], 'boolean'],
  [[...KUBELET, 'maxParallelImagePulls'], 'integer'],
  [[...KUBELET, 'syncFrequency'], 'duration'],
  [['spec', 'registries'], 'list'],
  [REG, 'mapping'],
  [[...REG, 'host'], 'string'],
  [[...REG, 'users'], 'list'],
  [[...REG, 'users', 1], 'mapping'],
  [[...REG, 'users', 0, 'username'], 'string'],
  [[...REG, 'users', 1, 'password'], 'string'],
  [[...REG, 'repositories'], 'list'],
  [[...REG, 'repositories', 0, 'name'], 'string'],
  [[...REG, 'repositories', 0, 'public'], 'boolean'],
  [[...REG, 'repositories', 0, 'pullers'], 'list'],
  [[...REG, 'repositories', 0, 'pullers', 0], 'string'],
  [[...REG, 'repositories', 0, 'tags'], 'mapping'],
  [[...REG, 'repositories', 0, 'tags', 'v1', 'digest'], 'string'],
  [[...REG, 'repositories', 0, 'tags', 'v1', 'sizeBytes'], 'integer'],
  [[...REG, 'repositories', 1, 'tags', 'v1', 'sizeBytes'], 'integer'],
  [[...REG, 'rateLimit'], 'mapping'],
  [[...REG, 'rateLimit', 'perUser'], 'mapping'],
  [[...REG, 'rateLimit', 'perUser', 'capacity'], 'integer'],
  [[...REG, 'rateLimit', 'perUser', 'refillPerHour'], 'number'],
  [[...REG, 'latency'], 'mapping'],
  [[...REG, 'latency', 'min'], 'duration'],
  [[...REG, 'latency', 'max'], 'duration'],
  [[...REG, 'bandwidthBytesPerSecond'], 'integer'],
  [[...SA_REG, 'serviceAccountTokenProvider'], 'mapping'],
  [[...SA_REG, 'serviceAccountTokenProvider', 'requireServiceAccount'], 'boolean'],
  [['spec', 'nodes'], 'list'],
  [NODE, 'mapping'],
  [[...NODE, 'name'], 'string'],
  [[...NODE, 'images'], 'list'],
  [[...NODE, 'images', 1], 'stringOrMapping'],
  [[...NODE, 'images', 0], 'stringOrMapping'],
  [[...NODE, 'images', 1, 'ref'], 'string'],
  [[...NODE, 'credentials'], 'mapping'],
  [[...NODE, 'credentials', 'auths'], 'mapping'],
  [[...NODE, 'credentials', 'auths', 'r.io', 'auth'], 'string'],
  [[...NODE, 'imageGC'], 'mapping'],
  [[...NODE, 'imageGC', 'capacityBytes'], 'integer'],
  [[...NODE, 'imageGC', 'highThresholdPercent'], 'integer'],
  [[...NODE, 'imageGC', 'period'], 'duration'],
  [[...NODE, 'fsFaults'], 'mapping'],
  [[...NODE, 'fsFaults', 'readError'], 'number'],
  [['spec', 'nodes', 1, 'device'], 'enum'],
  [['spec', 'nodes', 1, 'imageManagerFiles'], 'mapping'],
  [['spec', 'objects'], 'list'],
  [['spec', 'objects', 0], 'mapping'],
  [['spec', 'objects', 0, 'kind'], 'enum'],
  [['spec', 'objects', 0, 'metadata'], 'mapping'],
  [['spec', 'objects', 0, 'metadata', 'name'], 'string'],
  [[...SECRET_DATA, 'type'], 'string'],
  [[...SECRET_DATA, 'data'], 'mapping'],
  [[...SECRET_DATA, 'data', '.dockerconfigjson'], 'string'],
  [[...SECRET_STRING, 'stringData'], 'mapping'],
  [[...SECRET_STRING, 'stringData', '.dockerconfigjson'], 'string'],
  [[...SA, 'imagePullSecrets'], 'list'],
  [[...SA, 'imagePullSecrets', 0], 'mapping'],
  [[...SA, 'imagePullSecrets', 0, 'name'], 'string'],
  [[...POD, 'metadata', 'namespace'], 'string'],
  [[...POD, 'spec'], 'mapping'],
  [[...POD, 'spec', 'nodeName'], 'string'],
  [[...POD, 'spec', 'imagePullSecrets'], 'list'],
  [[...POD, 'spec', 'containers'], 'list'],
  [[...POD, 'spec', 'containers', 0], 'mapping'],
  [[...POD, 'spec', 'containers', 0, 'name'], 'string'],
  [[...POD, 'spec', 'containers', 0, 'image'], 'string'],
  [[...POD, 'spec', 'containers', 0, 'imagePullPolicy'], 'enum'],
  [['spec', 'timeline'], 'list'],
  [STEP(0), 'mapping'],
  [[...STEP(0), 'at'], 'duration'],
  [APPLY, 'mapping'],
  [[...APPLY, 'spec', 'restartPolicy'], 'enum'],
  [[...STEP(1), 'downtime'], 'duration'],
  [[...STEP(1), 'node'], 'string'],
  [[...STEP(2), 'repository'], 'string'],
  [[...STEP(3), 'policy'], 'enum'],
  [[...STEP(4), 'password'], 'string'],
  [[...STEP(5), 'delete'], 'mapping'],
  [[...STEP(5), 'delete', 'kind'], 'enum'],
  [[...STEP(5), 'delete', 'name'], 'string'],
  [['spec', 'expect'], 'list'],
  [EXPECT(0), 'mapping'],
  [[...EXPECT(0), 'pod'], 'string'],
  [[...EXPECT(0), 'container'], 'string'],
  [[...EXPECT(0), 'modes'], 'list'],
  [[...EXPECT(0), 'modes', 0], 'enum'],
  [[...EXPECT(0), 'state'], 'enum'],
  [[...EXPECT(0), 'pulls', 'min'], 'integer'],
  [[...EXPECT(1), 'at'], 'duration'],
  [[...EXPECT(1), 'violation'], 'boolean'],
  [[...EXPECT(1), 'reason'], 'stringOrList'],
];

/** Values that are never of the given type. */
function wrongValue(type: FieldType): fc.Arbitrary<Json> {
  const mapping = fc.constant<Json>({ unexpected: 'mapping' });
  const list = fc.constant<Json>([{ unexpected: 'list' }]);
  const text = fc.constantFrom<Json>('some text', 'yes', 'sha256:nope');
  const number = fc.constantFrom<Json>(7, 1.5, -3);
  switch (type) {
    case 'string':
      return fc.oneof(mapping, list, fc.constant(true), fc.constant(42));
    case 'enum':
      return fc.oneof(mapping, list, fc.constant(false), fc.constant('NotAValidChoice'));
    case 'integer':
      return fc.oneof(mapping, list, text, fc.constant(true), fc.constant(2.5));
    case 'number':
      return fc.oneof(mapping, list, text, fc.constant(true));
    case 'boolean':
      return fc.oneof(mapping, list, text, number);
    case 'duration':
      return fc.oneof(mapping, list, fc.constant(true), fc.constant(90));
    case 'list':
      return fc.oneof(mapping, text, number, fc.constant(true));
    case 'mapping':
      return fc.oneof(list, text, number, fc.constant(true));
    case 'stringOrList':
      return fc.oneof(mapping, number, fc.constant(true));
    case 'stringOrMapping':
      return fc.oneof(list, number, fc.constant(true));
  }
}

const wrongTypes = fc
  .constantFrom(...TYPED)
  .chain(([path, type]) =>
    wrongValue(type).map((value) => setAt(`wrong type at ${formatPath(path)}`, path, value)),
  );

/** Required fields of the valid scenario, and where their absence is reported when that is elsewhere. */
const REQUIRED: readonly (readonly [Path, Path?])[] = [
  [['apiVersion']],
  [['kind']],
  [['metadata']],
  [['metadata', 'name']],
  [['spec']],
  [[...REG, 'host']],
  [[...REG, 'users', 0, 'username']],
  [[...REG, 'users', 1, 'password']],
  [[...REG, 'repositories', 1, 'name']],
  [[...REG, 'rateLimit', 'perUser', 'capacity']],
  [[...REG, 'rateLimit', 'perUser', 'refillPerHour']],
  [[...REG, 'latency', 'min']],
  [[...REG, 'latency', 'max']],
  [['spec', 'nodes', 1, 'name']],
  [[...NODE, 'images', 1, 'ref']],
  [[...NODE, 'imageGC', 'capacityBytes']],
  [['spec', 'objects', 0, 'kind']],
  [['spec', 'objects', 0, 'apiVersion']],
  [['spec', 'objects', 0, 'metadata']],
  [[...SECRET_DATA, 'metadata', 'name']],
  [
    [...SECRET_DATA, 'data'],
    [...SECRET_DATA, 'data', '.dockerconfigjson'],
  ],
  [
    [...SECRET_STRING, 'stringData'],
    [...SECRET_STRING, 'data', '.dockerconfigjson'],
  ],
  [[...POD, 'spec']],
  [[...POD, 'spec', 'containers']],
  [[...POD, 'spec', 'containers', 0, 'name']],
  [[...POD, 'spec', 'containers', 0, 'image']],
  [[...APPLY, 'kind']],
  [[...APPLY, 'metadata', 'name']],
  [[...STEP(1), 'at']],
  [[...STEP(1), 'node']],
  [[...STEP(1), 'action'], STEP(1)],
  [[...STEP(0), 'apply'], STEP(0)],
  [[...STEP(2), 'host']],
  [[...STEP(2), 'repository']],
  [[...STEP(2), 'username']],
  [[...STEP(3), 'policy']],
  [[...STEP(4), 'password']],
  [[...STEP(5), 'delete', 'kind']],
  [[...STEP(5), 'delete', 'name']],
  [[...EXPECT(0), 'pod']],
  [[...EXPECT(1), 'pod']],
];

const missingRequired = fc
  .constantFrom(...REQUIRED)
  .map(([path, reported]) => deleteAt(`missing ${formatPath(path)}`, path, reported ?? path));

const DURATIONS: readonly Path[] = [
  ['spec', 'until'],
  [...KUBELET, 'syncFrequency'],
  [...REG, 'latency', 'min'],
  [...REG, 'latency', 'max'],
  [...NODE, 'imageGC', 'period'],
  [...STEP(0), 'at'],
  [...STEP(1), 'downtime'],
  [...STEP(5), 'at'],
  [...EXPECT(1), 'at'],
];

/** Text that is not a Go duration (and not the single "0"). */
const badDuration: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '',
    '5',
    '5x',
    '-1m',
    'm',
    '1.5.5s',
    '1h-30m',
    '1d',
    '10 s',
    'forever',
    '5M',
    '1ns',
    '0.5us',
  ),
  fc
    .tuple(fc.integer({ min: 1, max: 1000 }), fc.constantFrom('d', 'w', 'y', 'sec', 'min', 'hr'))
    .map(([n, u]) => `${n}${u}`),
  fc.integer({ min: 1, max: 1_000_000 }).map((n) => `-${n}s`),
);

const badDurations = fc
  .tuple(fc.constantFrom(...DURATIONS), badDuration)
  .map(([path, value]) => setAt(`bad duration ${JSON.stringify(value)} at ${formatPath(path)}`, path, value));

/** Allowlist entries the kubelet refuses (image_pull_policies.go getAllowlistImagePattern). */
const badPattern: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    'nginx',
    '/*',
    '*',
    ' docker.io/library/nginx',
    'docker.io/library/nginx ',
    'docker.io/*/x',
    'Docker.io/X',
  ),
  fc
    .tuple(
      fc.constantFrom('docker.io/library/nginx', 'registry.k8s.io/pause', 'r.example.com/a/b'),
      fc.stringMatching(/^[a-z0-9]{1,8}$/),
    )
    .map(([name, tag]) => `${name}:${tag}`),
  fc.constantFrom('docker.io/library/nginx').map((name) => `${name}@sha256:${'a'.repeat(64)}`),
);

const badAllowlists = fc.oneof(
  fc.tuple(fc.integer({ min: 0, max: 2 }), badPattern).map(([index, pattern]) =>
    edit(
      `allowlist entry ${JSON.stringify(pattern)}`,
      [...KUBELET, 'preloadedImagesVerificationAllowlist', index],
      (doc) => {
        const list = getAt(doc, [...KUBELET, 'preloadedImagesVerificationAllowlist']) as Json[];
        list.splice(index, 0, pattern);
      },
    ),
  ),
  badPattern.map((pattern) =>
    edit(`setPolicy allowlist ${JSON.stringify(pattern)}`, [...STEP(3), 'allowlist', 0], (doc) => {
      const step = getAt(doc, STEP(3)) as Doc;
      step.policy = 'NeverVerifyAllowlistedImages';
      step.allowlist = [pattern];
    }),
  ),
  fc.constant(
    setAt('setPolicy allowlist with another policy', [...STEP(3), 'allowlist'], ['docker.io/library/nginx']),
  ),
);

/** Secret data that is not base64: a character outside the alphabet, a padding in the middle, or a bad length. */
const badBase64 = fc
  .tuple(fc.constantFrom('!', '*', '-', '_', '=', '@', '#', ' =', 'é'), fc.integer({ min: 0, max: 200 }))
  .map(([junk, position]) => (valid: string) => {
    const at = position % (valid.length + 1);
    return `${valid.slice(0, at)}${junk}${valid.slice(at)}`;
  });

const badSecrets = fc.oneof(
  badBase64.map((corrupt) =>
    edit('bad base64 in data', [...SECRET_DATA, 'data', '.dockerconfigjson'], (doc) => {
      const data = getAt(doc, [...SECRET_DATA, 'data']) as Doc;
      data['.dockerconfigjson'] = corrupt(data['.dockerconfigjson'] as string);
    }),
  ),
  fc.integer({ min: 1, max: 3 }).map((chop) =>
    edit('base64 of a bad length', [...SECRET_DATA, 'data', '.dockerconfigjson'], (doc) => {
      const data = getAt(doc, [...SECRET_DATA, 'data']) as Doc;
      // Unpadded base64 whose length is not a multiple of 4 is refused (Go's StdEncoding wants the padding).
      const value = (data['.dockerconfigjson'] as string).replace(/=+$/, '');
      data['.dockerconfigjson'] = value.length % 4 === 0 ? value.slice(0, -chop) : value;
    }),
  ),
  fc
    .constantFrom('{"auths":', 'not json', '[]', '"text"', '', 'null x', '{"r":{"password":1e999}}')
    .map((content) =>
      setAt('bad docker config', [...SECRET_STRING, 'stringData', '.dockerconfigjson'], content),
    ),
  fc
    .constantFrom('!!', 'bm8tY29sb24=', 5)
    .map((auth) => setAt('bad node auth', [...NODE, 'credentials', 'auths', 'r.io', 'auth'], auth)),
);

const ghost = fc.stringMatching(/^[a-z][a-z0-9]{2,10}$/).map((name) => `ghost-${name}`);

const badReferences = fc.oneof(
  ghost.map((name) => setAt('unknown pod node', [...POD, 'spec', 'nodeName'], name)),
  ghost.map((name) => setAt('unknown applied pod node', [...APPLY, 'spec', 'nodeName'], name)),
  ghost.map((name) => setAt('unknown action node', [...STEP(1), 'node'], name)),
  ghost.map((name) => setAt('unknown setPolicy node', [...STEP(3), 'node'], name)),
  ghost.map((name) => setAt('unknown host', [...STEP(2), 'host'], `${name}.example.com`)),
  ghost.map((name) => setAt('unknown repository', [...STEP(2), 'repository'], `a/${name}`)),
  ghost.map((name) => setAt('unknown username', [...STEP(2), 'username'], name)),
  ghost.map((name) => setAt('unknown changePassword user', [...STEP(4), 'username'], name)),
  ghost.map((name) => setAt('unknown puller', [...REG, 'repositories', 0, 'pullers', 0], name)),
  ghost.map((name) => setAt('unknown expect pod', [...EXPECT(0), 'pod'], `team-a/${name}`)),
  ghost.map((name) => setAt('unknown expect pod namespace', [...EXPECT(1), 'pod'], `${name}/b`)),
);

/** Mappings whose fields are a closed set (not free-form maps such as tags, data, labels or auths). */
const CLOSED_MAPPINGS: readonly Path[] = [
  [],
  ['metadata'],
  ['spec'],
  KUBELET,
  [...KUBELET, 'featureGates'],
  REG,
  [...REG, 'users', 0],
  [...REG, 'repositories', 0],
  [...REG, 'repositories', 0, 'tags', 'v1'],
  [...REG, 'rateLimit'],
  [...REG, 'rateLimit', 'perUser'],
  [...REG, 'latency'],
  [...SA_REG, 'serviceAccountTokenProvider'],
  NODE,
  [...NODE, 'images', 1],
  [...NODE, 'credentials'],
  [...NODE, 'credentials', 'auths', 'r.io'],
  [...NODE, 'imageGC'],
  [...NODE, 'fsFaults'],
  ['spec', 'objects', 0],
  ['spec', 'objects', 0, 'metadata'],
  SECRET_DATA,
  SA,
  [...SA, 'imagePullSecrets', 0],
  POD,
  [...POD, 'metadata'],
  [...POD, 'spec'],
  [...POD, 'spec', 'containers', 0],
  [...POD, 'spec', 'imagePullSecrets', 0],
  STEP(0),
  APPLY,
  [...APPLY, 'spec'],
  STEP(1),
  STEP(2),
  STEP(3),
  STEP(4),
  STEP(5),
  [...STEP(5), 'delete'],
  EXPECT(0),
  [...EXPECT(0), 'pulls'],
  EXPECT(1),
];

/** A field name that no part of the format (nor a Kubernetes manifest) uses. */
const unknownKey = fc.stringMatching(/^[a-z][a-zA-Z0-9]{0,12}$/).map((key) => `zz${key}`);

const unknownFields = fc
  .tuple(fc.constantFrom(...CLOSED_MAPPINGS), unknownKey, fc.constantFrom<Json>(1, 'x', true, null, [], {}))
  .map(([path, key, value]) =>
    edit(`unknown field ${key} at ${formatPath(path)}`, [...path, key], (doc) => {
      const target = path.length === 0 ? doc : (getAt(doc, path) as Doc);
      target[key] = value;
    }),
  );

const unknownActions = fc
  .tuple(
    fc.integer({ min: 1, max: 4 }),
    fc.oneof(
      fc.stringMatching(/^[a-zA-Z]{1,16}$/).filter((name) => !(name in ACTION_FIELDS)),
      fc.constantFrom<Json>(
        5,
        true,
        '',
        'RestartKubelet',
        'restart-kubelet',
        'toString',
        'constructor',
        '__proto__',
      ),
    ),
  )
  .map(([index, name]) => setAt(`unknown action ${JSON.stringify(name)}`, [...STEP(index), 'action'], name));

const badSeeds = fc
  .oneof(
    fc.integer({ min: -1_000_000, max: -1 }),
    fc.double({ min: 0.01, max: 1e6, noNaN: true }).filter((n) => !Number.isInteger(n)),
    fc.constantFrom<Json>(2 ** 53, 1e300, '1', 'seven', true, [1], { seed: 1 }),
  )
  .map((seed) => setAt(`seed ${JSON.stringify(seed)}`, ['spec', 'seed'], seed));

const badNames = fc
  .tuple(
    fc.constantFrom<Path>(
      ['metadata', 'name'],
      ['spec', 'nodes', 1, 'name'],
      [...POD, 'metadata', 'name'],
      [...REG, 'host'],
    ),
    fc.constantFrom('Upper', 'under_score', '-leading', 'trailing-', 'has space', 'dots..', 'a/b'),
  )
  // Host names are case-insensitive: only the DNS names of the format are lower-case.
  .filter(([path, name]) => !(name === 'Upper' && path[path.length - 1] === 'host'))
  .map(([path, name]) => setAt(`bad name ${JSON.stringify(name)}`, path, name));

/** Text edits that break the YAML itself; `line` is where the parser must point when it is certain. */
const brokenYaml: fc.Arbitrary<Mutant> = fc
  .tuple(
    fc.constantFrom(
      'duplicate-key',
      'tab-indent',
      'unclosed-flow',
      'stray-bracket',
      'nested-compact',
      'alias',
    ),
    fc.nat(),
  )
  .map(([how, pick]) => ({
    label: `broken YAML (${how})`,
    text: () => breakYaml(how, pick).text,
    expected: { kind: 'yaml', ...breakYaml(how, pick).lineHint },
  }));

function breakYaml(how: string, pick: number): { text: string; lineHint: { line?: number } } {
  const lines = serialize(validScenario(), 'yaml').trimEnd().split('\n');
  const keyLines = lines.flatMap((line, index) => (/^\s*"[A-Za-z][\w.-]*":( |$)/.test(line) ? [index] : []));
  const index = keyLines[pick % keyLines.length] as number;
  const line = lines[index] as string;
  const indent = /^\s*/.exec(line)?.[0] ?? '';
  switch (how) {
    case 'duplicate-key':
      lines.splice(index + 1, 0, line);
      return { text: lines.join('\n'), lineHint: {} };
    case 'tab-indent':
      lines.splice(index + 1, 0, `\t${line.trim()}`);
      return { text: lines.join('\n'), lineHint: { line: index + 2 } };
    case 'unclosed-flow':
      lines.push('zzTrailer: { unclosed: [1, 2');
      return { text: lines.join('\n'), lineHint: {} };
    case 'stray-bracket':
      lines.splice(index + 1, 0, `${indent}] stray`);
      return { text: lines.join('\n'), lineHint: { line: index + 2 } };
    case 'nested-compact':
      lines.splice(index + 1, 0, `${indent}zzKey: a: b`);
      return { text: lines.join('\n'), lineHint: { line: index + 2 } };
    default:
      lines.splice(index + 1, 0, `${indent}zzAlias: *nowhere`);
      return { text: lines.join('\n'), lineHint: {} };
  }
}

const anyMutant: fc.Arbitrary<Mutant> = fc.oneof(
  wrongTypes,
  missingRequired,
  badDurations,
  badAllowlists,
  badSecrets,
  badReferences,
  unknownFields,
  unknownActions,
  badSeeds,
  badNames,
  brokenYaml,
);

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

let counter = 0;

async function feed(mutant: Mutant, command: 'run' | 'check', format: 'yaml' | 'json') {
  const file = temp.write(
    `mutant-${counter++}.${format === 'json' && mutant.expected.kind === 'path' ? 'json' : 'yaml'}`,
    mutant.text(format),
  );
  const outcome = await runCli(command === 'run' ? ['run', file] : ['check', file]);
  return { file, ...outcome };
}

describe('bad input through the CLI', () => {
  it('the unmutated scenario is valid', () => {
    for (const format of ['yaml', 'json'] as const)
      expect(() => parseScenario(serialize(validScenario(), format), 'v')).not.toThrow();
  });

  it('every mutant: exit 2, `pullsim: FILE…` lines naming the mutated field, no stack trace', async () => {
    await fc.assert(
      fc.asyncProperty(
        anyMutant,
        fc.constantFrom('run' as const, 'check' as const),
        fc.oneof(
          { weight: 4, arbitrary: fc.constant('yaml' as const) },
          { weight: 1, arbitrary: fc.constant('json' as const) },
        ),
        async (mutant, command, format) => {
          const { file, code, stdout, stderr } = await feed(mutant, command, format);
          const context = `${mutant.label} (${command}, ${format}):\n${stderr}`;
          expect(code, context).toBe(EXIT_BAD_INPUT);
          expect(stdout, context).toBe('');
          expect(stderr, context).not.toMatch(STACK_FRAME);
          const lines = stderr.trimEnd().split('\n');
          for (const line of lines) expect(line.startsWith(`pullsim: ${file}`), context).toBe(true);
          if (mutant.expected.kind === 'path') {
            const named = new RegExp(
              `^pullsim: ${escapeRegExp(file)}(:\\d+)?: ${escapeRegExp(formatPath(mutant.expected.path))}: \\S`,
            );
            expect(
              lines.some((line) => named.test(line)),
              context,
            ).toBe(true);
          } else {
            const where = mutant.expected.line === undefined ? '\\d+' : String(mutant.expected.line);
            const yamlLine = new RegExp(`^pullsim: ${escapeRegExp(file)}:${where}: invalid YAML: \\S`);
            expect(
              lines.some((line) => yamlLine.test(line)),
              context,
            ).toBe(true);
          }
        },
      ),
      { numRuns: 1000 },
    );
  });

  // Valid JSON that the kubelet cannot parse is what the API server stores: it loads and runs, and the kubelet's
  // lookup error (docs/kubelet-model.md, "Pull secrets the kubelet cannot parse") never echoes the secret.
  it.each([
    [
      'an auth without a colon',
      `{"auths":{"r.io":{"auth":"${Buffer.from('Hunter2-no-colon').toString('base64')}"}}}`,
    ],
    ['an auth that is not base64', '{"auths":{"r.io":{"auth":"!!Hunter2!!"}}}'],
    ['auths of the wrong type', '{"auths":5,"x":"Hunter2"}'],
    ['a numeric password', '{"auths":{"r.io":{"username":"Hunter2","password":12345678}}}'],
  ])('a docker config with %s is accepted; its content appears nowhere', async (_what, config) => {
    const doc = validScenario();
    (getAt(doc, [...SECRET_STRING, 'stringData']) as Doc)['.dockerconfigjson'] = config;
    (getAt(doc, [...APPLY, 'spec']) as Doc).imagePullSecrets = [{ name: 'rc' }];
    const file = temp.write(`accepted-${counter++}.yaml`, serialize(doc, 'yaml'));
    const trace = temp.write(`accepted-${counter++}.jsonl`, '');
    const { code, stdout, stderr } = await runCli(['run', file, '--json', '--trace', trace]);
    expect(code, stderr).toBe(0);
    const traced = readFileSync(trace, 'utf8');
    // Pod b/b meets the kubelet's error: kuberuntime's "Error: <text>" event.
    expect(traced).toMatch(
      /Error: (json: cannot unmarshal|illegal base64 data at input byte|unable to parse auth field)/,
    );
    const everything = stdout + stderr + traced;
    expect(everything).not.toMatch(/Hunter2|12345678/);
    expect(everything).not.toContain(Buffer.from('Hunter2-no-colon').toString('base64'));
  });

  it.each([
    ['a duplicate key', 'duplicate-key'],
    ['a tab as indentation', 'tab-indent'],
    ['a stray bracket', 'stray-bracket'],
    ['a nested compact mapping', 'nested-compact'],
    ['an alias without anchor', 'alias'],
    ['an unclosed flow collection', 'unclosed-flow'],
  ])('%s is reported as invalid YAML with a line', async (_what, how) => {
    for (const pick of [0, 5, 17, 40]) {
      const { text } = breakYaml(how, pick);
      const file = temp.write(`yaml-${how}-${pick}.yaml`, text);
      const { code, stderr } = await runCli(['run', file]);
      expect(code).toBe(EXIT_BAD_INPUT);
      expect(stderr).toMatch(new RegExp(`^pullsim: ${escapeRegExp(file)}:\\d+: invalid YAML: `));
    }
  });
});
