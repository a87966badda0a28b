import type { ModeSummary, ScenarioComparison } from '../compare.js';
import { escapeHtml as escapeText } from './html-escape.js';
import { oneLine } from './lines.js';
import { headlineParagraphs } from './overview.js';
import { modeTitle } from './text.js';

/** The longest description in the table of contents. */
const CONTENTS_DESCRIPTION_CHARS = 140;

/** The element ids of a report: one per scenario section and one per mode column of its table, unique in the page. */
export interface ReportIds {
  readonly scenario: readonly string[];
  mode(scenarioIndex: number, mode: string): string;
}

/**
 * Ids from the scenario names (readable links such as `#cross-tenant-reuse--AlwaysVerify`); a name that comes
 * twice (two files with one name) gets a numbered suffix, so every link still resolves to one element.
 */
export function reportIds(comparisons: readonly ScenarioComparison[]): ReportIds {
  const seen = new Map<string, number>();
  const scenario = comparisons.map((c) => {
    const base = c.scenario.replace(/[^A-Za-z0-9_-]/g, '_') || 'scenario';
    const count = (seen.get(base) ?? 0) + 1;
    seen.set(base, count);
    return count === 1 ? base : `${base}-${count}`;
  });
  return { scenario, mode: (i, mode) => `${scenario[i] ?? ''}--${mode}` };
}

/** The class of a matrix cell: any violation is red; otherwise any refused start is amber; otherwise green. */
function cellClass(summary: ModeSummary): string {
  if (summary.violations > 0) return 'violation';
  return summary.refused > 0 ? 'refused' : 'clean';
}

function matrix(comparisons: readonly ScenarioComparison[], ids: ReportIds): string {
  const modes = comparisons[0]?.summaries.map((s) => s.mode) ?? [];
  const head = modes.map((m) => `<th scope="col">${escapeText(modeTitle(m))}</th>`).join('');
  const rows = comparisons.map((c, i) => {
    const cells = c.summaries.map((s) => {
      const title = `${s.mode}: ${s.violations} violations, ${s.started} started, ${s.refused} refused`;
      return `<td class="${cellClass(s)}"><a href="#${escapeText(ids.mode(i, s.mode))}" title="${escapeText(title)}">${s.violations} / ${s.started}</a></td>`;
    });
    return `<tr><th scope="row"><a href="#${escapeText(ids.scenario[i] ?? '')}">${escapeText(c.scenario)}</a></th>${cells.join('')}</tr>`;
  });
  return `<table class="matrix"><caption>violations / containers started; red: a violation, amber: a start refused, green: neither</caption>
<thead><tr><th scope="col">scenario</th>${head}</tr></thead><tbody>
${rows.join('\n')}
</tbody></table>`;
}

function contents(comparisons: readonly ScenarioComparison[], ids: ReportIds): string {
  const items = comparisons.map((c, i) => {
    const description =
      c.description === undefined
        ? ''
        : ` — ${escapeText(oneLine(c.description, CONTENTS_DESCRIPTION_CHARS))}`;
    return `<li><a href="#${escapeText(ids.scenario[i] ?? '')}">${escapeText(c.scenario)}</a>${description}</li>`;
  });
  return `<h2>Contents</h2>\n<ol class="contents">\n${items.join('\n')}\n</ol>`;
}

/**
 * The report's opening (`compare --html`): the headline computed from the results, the scenarios × modes matrix
 * coloured by violations and refusals with each cell linking to that mode's column in the scenario's section,
 * and a table of contents.
 */
export function overviewHtml(comparisons: readonly ScenarioComparison[], ids: ReportIds): string {
  const headline: string[] = [];
  let list: string[] = [];
  const flush = () => {
    if (list.length > 0) headline.push(`<ul>${list.join('')}</ul>`);
    list = [];
  };
  for (const paragraph of headlineParagraphs(comparisons)) {
    if (paragraph.startsWith('  ')) list.push(`<li>${escapeText(paragraph.trim())}</li>`);
    else {
      flush();
      headline.push(`<p>${escapeText(paragraph)}</p>`);
    }
  }
  flush();
  return `<nav id="overview">
<h2>Overview</h2>
${headline.join('\n')}
${matrix(comparisons, ids)}
${contents(comparisons, ids)}
</nav>`;
}

/** The overview's styles: the matrix colours. */
export const OVERVIEW_CSS = `table.matrix td.violation { background: #fcbba1; }
table.matrix td.refused { background: #fdd49e; }
table.matrix td.clean { background: #c7e9c0; }
table.matrix a { color: inherit; display: block; text-decoration: none; }
table.matrix th a { text-decoration: underline; }
table.matrix caption { caption-side: bottom; text-align: left; font-size: 0.9em; }
ol.contents li { margin: 0.2rem 0; }`;
