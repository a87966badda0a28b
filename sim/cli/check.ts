import { checkScenario } from '../check.js';
import { loadScenarios } from '../files.js';
import type { Expectation } from '../scenario/types.js';
import type { CheckOptions } from './declare/check.js';
import { type CliIo, EXIT_EXPECTATION_FAILED, EXIT_OK } from './io.js';

/** `pullsim check [PATH…]`: every scenario's expect lines; last line `N passed, M failed`. Returns the exit code. */
export function checkCommand(options: CheckOptions, io: CliIo): number {
  const loaded = loadScenarios(options.paths);
  let passed = 0;
  let failed = 0;
  for (const { file, scenario } of loaded) {
    const check = checkScenario(scenario, options.modes === undefined ? {} : { modes: options.modes });
    passed += check.passed;
    failed += check.failed;
    for (const outcome of check.outcomes) {
      if (outcome.passed) continue;
      const line = outcome.expectation.line === undefined ? '' : `:${outcome.expectation.line}`;
      io.stdout(
        `FAIL ${file}${line}: ${subjectOf(outcome.expectation)} [${outcome.mode}]: ${outcome.problems.join('; ')}\n`,
      );
    }
  }
  io.stdout(`${passed} passed, ${failed} failed\n`);
  return failed > 0 ? EXIT_EXPECTATION_FAILED : EXIT_OK;
}

/** What an expect line is about, for its FAIL line: `ns/pod/container`, `record IMAGE` or `metric NAME`. */
function subjectOf(e: Expectation): string {
  if (e.record !== undefined) return `record ${e.record.image}`;
  if (e.metric !== undefined)
    return `metric ${e.metric.name}${e.metric.result === undefined ? '' : `{result="${e.metric.result}"}`}`;
  return `${e.pod}${e.container === undefined ? '' : `/${e.container}`}`;
}
