import Table from 'cli-table3';
import type { ModeSummary, ScenarioComparison } from '../compare.js';
import { wrapText } from './lines.js';

/** The rows of a comparison: a label and how to read it from a mode's summary. */
export const COMPARISON_ROWS: ReadonlyArray<readonly [string, (s: ModeSummary) => number]> = [
  ['containers started', (s) => s.started],
  ['violations', (s) => s.violations],
  ['failed starts (refused ≥ once)', (s) => s.refused],
  ['not running at end', (s) => s.waitingAtEnd],
  ['registry requests', (s) => s.registryRequests],
  ['registry auth failures', (s) => s.authFailures],
  ['filesystem operations', (s) => s.fsOps],
];

/** Short column titles for the modes. */
export function modeTitle(mode: string): string {
  return mode
    .replace('NeverVerifyPreloadedImages', 'NVPreloaded')
    .replace('NeverVerifyAllowlistedImages', 'NVAllowlisted');
}

/** The side-by-side terminal table of one scenario: metrics as rows, modes as columns. */
export function comparisonTable(comparison: ScenarioComparison): string {
  const table = new Table({
    head: ['', ...comparison.summaries.map((s) => modeTitle(s.mode))],
    style: { head: [], border: [], compact: true },
  });
  for (const [label, read] of COMPARISON_ROWS)
    table.push([label, ...comparison.summaries.map((s) => String(read(s)))]);
  const title = `${comparison.scenario}${comparison.description === undefined ? '' : ` — ${comparison.description}`}`;
  return `${wrapText(title).join('\n')}\n${table.toString()}\n`;
}

/** One line per scenario: violations per mode, for a library-wide overview. */
export function summaryMatrix(comparisons: readonly ScenarioComparison[]): string {
  const modes = comparisons[0]?.summaries.map((s) => s.mode) ?? [];
  const table = new Table({
    head: ['violations / started', ...modes.map(modeTitle)],
    style: { head: [], border: [], compact: true },
  });
  for (const comparison of comparisons) {
    table.push([comparison.scenario, ...comparison.summaries.map((s) => `${s.violations} / ${s.started}`)]);
  }
  return `${table.toString()}\n`;
}
