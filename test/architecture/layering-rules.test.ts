import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type LayeringViolation, layeringViolations } from '../support/layering.js';

// The layering test fails when a forbidden import is added: each case below adds one import to a small tree
// laid out like the repository, which passes the rules as it is, and dependency-cruiser, with the
// repository's own .dependency-cruiser.cjs, reports exactly the rule that import breaks.

/** A tree with the repository's layers, from src/time.ts to sim/cli.ts, that keeps every rule. */
const CLEAN_TREE: Readonly<Record<string, string>> = {
  'package.json': '{ "name": "layering-fixture", "private": true, "type": "module" }\n',
  'tsconfig.json': '{ "compilerOptions": { "module": "NodeNext", "moduleResolution": "NodeNext" } }\n',
  'src/time.ts': 'export type Ticks = number;\n',
  'src/pullmanager/manager.ts':
    "import type { Ticks } from '../time.js';\nexport const mustPull = (t: Ticks): boolean => t > 0;\n",
  'src/pod/workers.ts':
    "import type { Ticks } from '../time.js';\nexport const sync = (t: Ticks): Ticks => t;\n",
  'src/kubelet.ts':
    "import { sync } from './pod/workers.js';\nimport { mustPull } from './pullmanager/manager.js';\n" +
    'export const kubelet = { mustPull, sync };\n',
  'test/support/fake.ts': 'export const fake = 1;\n',
  'sim/kernel/random.ts':
    "import type { Ticks } from '../../src/time.js';\nexport const draw = (t: Ticks) => t;\n",
  'sim/scenario/types.ts': 'export interface Scenario {\n  readonly seed: number;\n}\n',
  'sim/scenario/load.ts':
    "import { draw } from '../kernel/random.js';\nimport type { Scenario } from './types.js';\n" +
    'export const load = (seed: number): Scenario => ({ seed: draw(seed) });\n',
  'sim/world/world.ts':
    "import { kubelet } from '../../src/kubelet.js';\n" +
    "import type { Scenario } from '../scenario/types.js';\n" +
    'export const build = (scenario: Scenario) => kubelet.mustPull(scenario.seed);\n',
  'sim/world/node.ts': "import { build } from './world.js';\nexport const node = build;\n",
  'sim/run.ts':
    "import { load } from './scenario/load.js';\nimport { node } from './world/node.js';\n" +
    'export const run = (seed: number) => node(load(seed));\n',
  // The program loads a command's work lazily; the work imports the options type from the command's declaration.
  'sim/cli/declare/run.ts': 'export interface RunOptions {\n  readonly seed: number;\n}\n',
  'sim/cli/run.ts':
    "import { run } from '../run.js';\nimport type { RunOptions } from './declare/run.js';\n" +
    'export const runCommand = (options: RunOptions) => run(options.seed);\n',
  'sim/cli.ts':
    "import type { RunOptions } from './cli/declare/run.js';\n" +
    "export const main = async (options: RunOptions) => (await import('./cli/run.js')).runCommand(options);\n",
  'sim/index.ts': "export { run } from './run.js';\n",
};

const trees: string[] = [];
afterAll(() => {
  for (const tree of trees) rmSync(tree, { recursive: true, force: true });
});

/** Writes the clean tree with `line` added at the top of `file` (a new file when the tree has none). */
function treeWith(file?: string, line?: string): string {
  const root = mkdtempSync(join(tmpdir(), 'pullsim-layering-'));
  trees.push(root);
  const files = { ...CLEAN_TREE };
  if (file !== undefined) files[file] = `${line}\n${files[file] ?? ''}`;
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

const violation = (rule: string, from: string, to: string): LayeringViolation => ({ rule, from, to });

describe('the layering rules', () => {
  it('pass a tree that keeps them, with the known lazy cycle of a command', async () => {
    expect(await layeringViolations(treeWith())).toEqual([]);
  });

  it.each([
    {
      what: 'src/ imports sim/',
      file: 'src/pullmanager/manager.ts',
      line: "import { draw } from '../../sim/kernel/random.js';",
      expected: [violation('src-not-to-sim', 'src/pullmanager/manager.ts', 'sim/kernel/random.ts')],
    },
    {
      what: 'src/ imports the tests',
      file: 'src/kubelet.ts',
      line: "import { fake } from '../test/support/fake.js';",
      expected: [violation('not-to-test', 'src/kubelet.ts', 'test/support/fake.ts')],
    },
    {
      what: 'a src/ layer imports a higher one (pullmanager → pod)',
      file: 'src/pullmanager/manager.ts',
      line: "import type { sync } from '../pod/workers.js';",
      expected: [violation('src-layer-pullmanager', 'src/pullmanager/manager.ts', 'src/pod/workers.ts')],
    },
    {
      what: 'the world imports the scenario loader (a sibling), if only a type',
      file: 'sim/world/world.ts',
      line: "import type { load } from '../scenario/load.js';",
      expected: [violation('sim-layer-world', 'sim/world/world.ts', 'sim/scenario/load.ts')],
    },
    {
      what: 'the kernel imports a higher sim/ layer',
      file: 'sim/kernel/random.ts',
      line: "import type { Scenario } from '../scenario/types.js';",
      expected: [violation('sim-layer-kernel', 'sim/kernel/random.ts', 'sim/scenario/types.ts')],
    },
    {
      what: 'a cycle closed by a type-only import',
      file: 'sim/world/world.ts',
      line: "import type { node } from './node.js';",
      // dependency-cruiser reports a cycle once, from the first of its modules in path order.
      expected: [violation('no-circular', 'sim/world/node.ts', 'sim/world/world.ts')],
    },
    {
      what: 'a cycle closed by a lazy import()',
      file: 'sim/world/world.ts',
      line: "export const later = () => import('./node.js');",
      expected: [violation('no-circular', 'sim/world/node.ts', 'sim/world/world.ts')],
    },
    {
      what: "a command's work importing back from the program that loads it",
      file: 'sim/cli/run.ts',
      line: "import type { main } from '../cli.js';",
      expected: [violation('no-circular', 'sim/cli.ts', 'sim/cli/run.ts')],
    },
    {
      what: 'an orphan module',
      file: 'sim/world/dead.ts',
      line: 'export const dead = 1;',
      expected: [violation('no-orphans', 'sim/world/dead.ts', 'sim/world/dead.ts')],
    },
    {
      what: 'an import that does not resolve',
      file: 'src/kubelet.ts',
      line: "import { gone } from './gone.js';",
      expected: [violation('not-to-unresolvable', 'src/kubelet.ts', './gone.js')],
    },
  ])('fail when $what', async ({ file, line, expected }) => {
    expect(await layeringViolations(treeWith(file, line))).toEqual(expected);
  });
});
