/**
 * The published JSON Schema is the loader's own description of the format: it is generated from the same zod
 * schemas (and the committed copy is current), every bundled scenario satisfies it and names it for editors, and
 * on bad files an editor's view agrees with the loader: what the schema refuses, the loader refuses too.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { InputError } from '../../../sim/errors.js';
import { SCENARIO_SCHEMA_FILE, scenarioJsonSchema } from '../../../sim/scenario/json-schema.js';
import { parseScenario } from '../../../sim/scenario/load.js';
import { runCli } from '../../support/cli-harness.js';
import { toYaml, validScenario } from '../../support/valid-scenario.js';

const ROOT = join(import.meta.dirname, '../../..');
const SCENARIOS = join(ROOT, 'scenarios');
const files = readdirSync(SCENARIOS)
  .filter((name) => name.endsWith('.yaml'))
  .sort();

const validate = new Ajv2020({ strict: false, allErrors: true }).compile(scenarioJsonSchema());

/** Whether the loader refuses a document. */
function loaderRefuses(doc: unknown): boolean {
  try {
    parseScenario(toYaml(doc as Parameters<typeof toYaml>[0]), 'bad.yaml');
    return false;
  } catch (error) {
    if (error instanceof InputError) return true;
    throw error;
  }
}

type Doc = ReturnType<typeof validScenario>;
// biome-ignore lint/suspicious/noExplicitAny: the edits reach into plain JSON by path, as a person editing a file would.
type Editable = Record<string, any>;
const edit = (change: (doc: Editable) => void): Doc => {
  const doc = validScenario();
  change(doc as Editable);
  return doc;
};

/** Bad files of every kind a schema can see. */
const BAD: readonly [string, Doc][] = [
  [
    'an unknown top-level field',
    edit((d) => {
      d.extra = 1;
    }),
  ],
  [
    'a wrong kind',
    edit((d) => {
      d.kind = 'Workload';
    }),
  ],
  [
    'no metadata',
    edit((d) => {
      delete d.metadata;
    }),
  ],
  [
    'a bad scenario name',
    edit((d) => {
      d.metadata.name = 'Bad Name';
    }),
  ],
  [
    'a negative seed',
    edit((d) => {
      d.spec.seed = -1;
    }),
  ],
  [
    'a bad duration',
    edit((d) => {
      d.spec.until = 'soon';
    }),
  ],
  [
    'an unknown kubelet version',
    edit((d) => {
      d.spec.kubelet.version = '1.20';
    }),
  ],
  [
    'an unknown policy',
    edit((d) => {
      d.spec.kubelet.imagePullCredentialsVerificationPolicy = 'Sometimes';
    }),
  ],
  [
    'an unknown kubelet field',
    edit((d) => {
      d.spec.kubelet.serialize = true;
    }),
  ],
  [
    'a registry without host',
    edit((d) => {
      delete d.spec.registries[0].host;
    }),
  ],
  [
    'a user without password',
    edit((d) => {
      delete d.spec.registries[0].users[0].password;
    }),
  ],
  [
    'a bad digest',
    edit((d) => {
      d.spec.registries[0].repositories[0].tags.v1.digest = 'sha256:xyz';
    }),
  ],
  [
    'a capacity out of range',
    edit((d) => {
      d.spec.registries[0].rateLimit.perUser.capacity = 0;
    }),
  ],
  [
    'a bad node name',
    edit((d) => {
      d.spec.nodes[0].name = 'Node_1';
    }),
  ],
  [
    'an unknown device',
    edit((d) => {
      d.spec.nodes[1].device = 'floppy';
    }),
  ],
  [
    'a fault rate over 1',
    edit((d) => {
      d.spec.nodes[0].fsFaults.readError = 2;
    }),
  ],
  [
    'an unknown manifest kind',
    edit((d) => {
      d.spec.objects[0].kind = 'Deployment';
    }),
  ],
  [
    'a container without image',
    edit((d) => {
      delete d.spec.objects[4].spec.containers[0].image;
    }),
  ],
  [
    'a bad pull policy',
    edit((d) => {
      d.spec.objects[4].spec.containers[0].imagePullPolicy = 'Sometimes';
    }),
  ],
  [
    'an unknown action',
    edit((d) => {
      d.spec.timeline[1].action = 'explode';
    }),
  ],
  [
    'an action field of another action',
    edit((d) => {
      d.spec.timeline[1].repository = 'a/app';
    }),
  ],
  [
    'a step with two kinds',
    edit((d) => {
      d.spec.timeline[1].delete = { kind: 'Pod', name: 'x' };
    }),
  ],
  [
    'an unknown expect field',
    edit((d) => {
      d.spec.expect[0].eventually = true;
    }),
  ],
  [
    'a bad expected state',
    edit((d) => {
      d.spec.expect[0].state = 'asleep';
    }),
  ],
];

describe('the scenario JSON Schema', () => {
  it(`is published as ${SCENARIO_SCHEMA_FILE}, current (regenerate with npm run schema)`, async () => {
    const published = JSON.parse(readFileSync(join(ROOT, SCENARIO_SCHEMA_FILE), 'utf8'));
    expect(published).toEqual(scenarioJsonSchema());
    const printed = await runCli(['schema', 'scenario']);
    expect(JSON.parse(printed.stdout)).toEqual(published);
  });

  it.each(files)('accepts %s, which names it for editors', (name) => {
    const text = readFileSync(join(SCENARIOS, name), 'utf8');
    expect(text.split('\n')[0]).toBe('# yaml-language-server: $schema=../docs/schema/scenario.schema.json');
    const ok = validate(parse(text));
    expect(validate.errors ?? [], name).toEqual([]);
    expect(ok).toBe(true);
  });

  it('accepts the valid base of the bad-input tests', () => {
    expect(validate(validScenario())).toBe(true);
  });

  it.each(BAD)('and the loader both refuse %s', (_label, doc) => {
    expect(validate(doc)).toBe(false);
    expect(loaderRefuses(doc)).toBe(true);
  });
});
