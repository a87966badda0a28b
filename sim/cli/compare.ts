import { compareScenario } from '../compare.js';
import { loadScenarios } from '../files.js';
import { comparisonMarkdown, overviewMarkdown } from '../report/markdown.js';
import { headlineText, overviewTable } from '../report/overview.js';
import { comparisonTable } from '../report/text.js';
import type { CompareOptions } from './declare/compare.js';
import { type CliIo, EXIT_EXPECTATION_FAILED, EXIT_OK, writeOutputFile } from './io.js';

/** `pullsim compare FILE…`: each scenario in each mode, side by side; returns the exit code. */
export async function compareCommand(options: CompareOptions, io: CliIo): Promise<number> {
  const loaded = loadScenarios(options.files);
  const comparisons = loaded.map(({ scenario }) =>
    compareScenario(scenario, options.modes === undefined ? {} : { modes: options.modes }),
  );
  if (options.json) {
    io.stdout(
      `${JSON.stringify(
        comparisons.flatMap((c) => c.results),
        null,
        2,
      )}\n`,
    );
  } else if (options.markdown) {
    if (comparisons.length > 1) io.stdout(`${overviewMarkdown(comparisons)}\n## Scenarios\n\n`);
    io.stdout(comparisons.map(comparisonMarkdown).join('\n'));
  } else if (comparisons.length === 1) {
    io.stdout(comparisons.map(comparisonTable).join(''));
  } else {
    io.stdout(`${headlineText(comparisons)}\n${overviewTable(comparisons)}`);
    if (options.detail) io.stdout(`\n${comparisons.map(comparisonTable).join('\n')}`);
  }
  if (options.html !== undefined) {
    // The chart and DOM libraries load only for an HTML report.
    const { comparisonHtml } = await import('../report/html.js');
    writeOutputFile(options.html, comparisonHtml(comparisons));
  }
  const violations = comparisons.some((c) => c.summaries.some((s) => s.violations > 0));
  return options.failOnViolation && violations ? EXIT_EXPECTATION_FAILED : EXIT_OK;
}
