import type { ScenarioComparison } from '../compare.js';
import { oneLine } from './lines.js';
import { headlineParagraphs } from './overview.js';
import { COMPARISON_ROWS } from './text.js';

/** The longest description in a row of the Markdown overview: about one line of a rendered page. */
const MARKDOWN_DESCRIPTION_CHARS = 150;

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** The comparison of one scenario as a Markdown section with a table (`compare --markdown`). */
export function comparisonMarkdown(comparison: ScenarioComparison): string {
  const modes = comparison.summaries.map((s) => s.mode);
  const lines = [`### ${cell(comparison.scenario)}`, ''];
  if (comparison.description !== undefined) lines.push(cell(comparison.description), '');
  lines.push(
    `| | ${modes.map((m) => `\`${m}\``).join(' | ')} |`,
    `|---|${modes.map(() => '---:').join('|')}|`,
  );
  for (const [label, read] of COMPARISON_ROWS)
    lines.push(`| ${label} | ${comparison.summaries.map((s) => String(read(s))).join(' | ')} |`);
  return `${lines.join('\n')}\n`;
}

/** Scenarios as rows, modes as columns: `violations / started` (the library overview in docs/results.md). */
export function summaryMarkdown(comparisons: readonly ScenarioComparison[]): string {
  const modes = comparisons[0]?.summaries.map((s) => s.mode) ?? [];
  const lines = [
    `| scenario | ${modes.map((m) => `\`${m}\``).join(' | ')} |`,
    `|---|${modes.map(() => '---:').join('|')}|`,
  ];
  for (const c of comparisons)
    lines.push(
      `| ${cell(c.scenario)} | ${c.summaries.map((s) => `${s.violations} / ${s.started}`).join(' | ')} |`,
    );
  return `${lines.join('\n')}\n`;
}

/**
 * The library at a glance in Markdown (the top of docs/results.md): the headline, then one row per scenario with
 * `violations / started` per mode and the first sentence of its description, the name linking to its section.
 */
export function overviewMarkdown(comparisons: readonly ScenarioComparison[]): string {
  const headline = headlineParagraphs(comparisons).map((p) =>
    p.startsWith('  ') ? `- ${p.trim()}` : `\n${p}`,
  );
  const modes = comparisons[0]?.summaries.map((s) => s.mode) ?? [];
  const lines = [
    `| scenario | ${modes.map((m) => `\`${m}\``).join(' | ')} | what it shows |`,
    `|---|${modes.map(() => '---:').join('|')}|---|`,
  ];
  for (const c of comparisons)
    lines.push(
      `| [${cell(c.scenario)}](#${c.scenario}) | ${c.summaries.map((s) => `${s.violations} / ${s.started}`).join(' | ')} | ${cell(oneLine(c.description ?? '', MARKDOWN_DESCRIPTION_CHARS))} |`,
    );
  return `## Summary\n${headline.join('\n')}\n\n${lines.join('\n')}\n`;
}
