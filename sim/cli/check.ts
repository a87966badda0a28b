import { checkScenario } from '../check.js';
import { loadScenarios } from '../files.js';
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
      const container =
        outcome.expectation.container === undefined ? '' : `/${outcome.expectation.container}`;
      io.stdout(
        `FAIL ${file}${line}: ${outcome.expectation.pod}${container} [${outcome.mode}]: ${outcome.problems.join('; ')}\n`,
      );
    }
  }
  io.stdout(`${passed} passed, ${failed} failed\n`);
  return failed > 0 ? EXIT_EXPECTATION_FAILED : EXIT_OK;
}
