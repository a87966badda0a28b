/**
 * The layering of pullsim, checked by dependency-cruiser (test/architecture/layering.test.ts runs it on every
 * `npm test`; docs/architecture.md "Layers" draws the same picture). Paths are relative to the repository
 * root.
 *
 * Each list below names layers bottom first. A module may import its own layer and any layer of a lower rank;
 * layers of one rank are siblings and do not import each other. Imports of type declarations count
 * (`tsPreCompilationDeps`): a type is as much a dependency as a value when a reader follows it.
 */

/** The kubelet model (`src/`): the order docs/style.md draws, with the shared vocabulary at the bottom. */
const SRC_LAYERS = [
  { rank: 1, name: 'base', path: '^src/(time\\.ts$|ports\\.ts$|profiles\\.ts$|go/)' },
  { rank: 2, name: 'reference', path: '^src/reference/' },
  { rank: 2, name: 'credentials', path: '^src/credentials/' },
  { rank: 3, name: 'pullmanager', path: '^src/pullmanager/' },
  { rank: 4, name: 'strategies', path: '^src/strategies/' },
  { rank: 4, name: 'image-manager', path: '^src/image-manager/' },
  { rank: 5, name: 'pod', path: '^src/pod/' },
  { rank: 6, name: 'kubelet', path: '^src/kubelet\\.ts$' },
];

/**
 * The world and the harness (`sim/`): kernel → world → scenario/run → reports/fuzz/bench → cli, as it is. The
 * scenario model (`scenario/types.ts` and the zod schemas in `scenario/schema/` that the types follow) sits
 * under the world, which is built from a typed scenario; the rest of `scenario/` (reading, writing, the JSON
 * Schema) is the world's sibling. `oracle.ts` belongs to the world: the node asks it on every start.
 * `gaps.ts` classifies a violation from kubelet values alone.
 */
const SIM_LAYERS = [
  { rank: 1, name: 'kernel', path: '^sim/kernel/' },
  { rank: 1, name: 'errors', path: '^sim/errors\\.ts$' },
  { rank: 1, name: 'gaps', path: '^sim/gaps\\.ts$' },
  { rank: 2, name: 'input', path: '^sim/input/' },
  { rank: 3, name: 'scenario-model', path: '^sim/scenario/(types\\.ts$|schema/)' },
  { rank: 4, name: 'world', path: '^sim/(world/|oracle\\.ts$)' },
  { rank: 4, name: 'scenario', path: '^sim/scenario/(?!types\\.ts$|schema/)' },
  { rank: 5, name: 'run', path: '^sim/run\\.ts$' },
  { rank: 5, name: 'files', path: '^sim/files\\.ts$' },
  { rank: 5, name: 'node-import', path: '^sim/node-import/' },
  { rank: 6, name: 'compare', path: '^sim/compare\\.ts$' },
  { rank: 6, name: 'check', path: '^sim/check(-node)?\\.ts$' },
  { rank: 6, name: 'audit', path: '^sim/audit/' },
  { rank: 7, name: 'report', path: '^sim/report/' },
  { rank: 7, name: 'fuzz', path: '^sim/fuzz/' },
  { rank: 8, name: 'bench', path: '^sim/bench/' },
  { rank: 9, name: 'cli', path: '^sim/(cli\\.ts$|cli/)' },
  { rank: 9, name: 'index', path: '^sim/index\\.ts$' },
  { rank: 9, name: 'vitest', path: '^sim/vitest\\.ts$' },
];

/** One rule per layer: from the layer, nothing in `tree`/ that is neither the layer itself nor below it. */
function layerRules(tree, layers) {
  return layers.map((layer) => {
    const lower = layers.filter((other) => other.rank < layer.rank);
    const allowed = lower.length === 0 ? 'nothing else' : lower.map((other) => other.name).join(', ');
    return {
      name: `${tree}-layer-${layer.name}`,
      comment: `the ${tree}/ layer "${layer.name}" imports, in ${tree}/, only itself and: ${allowed}`,
      severity: 'error',
      from: { path: layer.path },
      to: { path: `^${tree}/`, pathNot: [layer.path, ...lower.map((other) => other.path)] },
    };
  });
}

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'src-not-to-sim',
      comment:
        'src/ is the kubelet, a library that knows nothing of the simulated world (docs/architecture.md)',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^sim/' },
    },
    {
      name: 'not-to-test',
      comment: 'src/ and sim/ never import the tests or their support code',
      severity: 'error',
      from: { path: '^(src|sim)/' },
      to: { path: '^test/' },
    },
    {
      name: 'not-to-dev-dep',
      comment: 'what src/ and sim/ import must be a dependency, or the published package breaks',
      severity: 'error',
      from: { path: '^(src|sim)/', pathNot: '^sim/vitest\\.ts$' },
      to: { dependencyTypes: ['npm-dev'] },
    },
    {
      name: 'vitest-matchers-types-only',
      comment:
        'the matchers (pullsim/vitest) name vitest for its types only: users pass their own expect.extend',
      severity: 'error',
      from: { path: '^sim/vitest\\.ts$' },
      to: { dependencyTypes: ['npm-dev'], dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'no-circular',
      comment: 'a cycle (type-only imports and lazy import() included) has no bottom layer to read it from',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-orphans',
      comment: 'a module that imports nothing and that nothing imports is dead, or a forgotten entry point',
      severity: 'error',
      from: { orphan: true, path: '^(src|sim)/' },
      to: {},
    },
    {
      name: 'not-to-unresolvable',
      comment: 'an import that does not resolve would hide its dependency from every rule above',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
    ...layerRules('src', SRC_LAYERS),
    ...layerRules('sim', SIM_LAYERS),
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    reporterOptions: {
      // `--output-type archi` draws one box per folder of src/ and sim/, `--output-type dot` one per module.
      archi: { collapsePattern: '^(src|sim)/[^/]+', filters: { includeOnly: { path: '^(src|sim)/' } } },
      dot: { filters: { includeOnly: { path: '^(src|sim)/' } } },
    },
  },
};
