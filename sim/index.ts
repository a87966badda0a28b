/**
 * pullsim's library API: load a scenario, run it in one mode, compare modes, check expectations.
 *
 * @example
 * import { loadScenario, runScenario, compareScenario } from 'pullsim';
 * const scenario = loadScenario('scenarios/cross-tenant-reuse.yaml');
 * const { result } = runScenario(scenario, { mode: 'AlwaysVerify' });
 */
export { checkScenario, type ExpectationOutcome, evaluateExpectation, type ScenarioCheck } from './check.js';
export { compareScenario, type ModeSummary, type ScenarioComparison, type TimelineEntry } from './compare.js';
export { InputError, type InputIssue } from './errors.js';
export { loadScenario, loadScenarios, scenarioFiles } from './files.js';
export { comparisonHtml } from './report/html.js';
export { comparisonMarkdown, summaryMarkdown } from './report/markdown.js';
export { comparisonTable, summaryMatrix } from './report/text.js';
export {
  type ContainerResult,
  type RegistryTotals,
  type RunOptions,
  type RunOutput,
  type RunResult,
  runScenario,
} from './run.js';
export { parseScenario } from './scenario/load.js';
export { isMode, MODES, type Mode, type RunMode, type Scenario } from './scenario/types.js';
