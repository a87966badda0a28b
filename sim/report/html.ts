import * as Plot from '@observablehq/plot';
import { parseHTML } from 'linkedom';
import { formatDuration, TICKS_PER_SECOND, ticks } from '../../src/time.js';
import type { ScenarioComparison, TimelineEntry } from '../compare.js';
import { escapeHtml } from './html-escape.js';
import { OVERVIEW_CSS, overviewHtml, type ReportIds, reportIds } from './html-overview.js';
import { COMPARISON_ROWS, modeTitle } from './text.js';

const STATE_COLORS: Readonly<Record<string, string>> = {
  'waiting.containerCreating': '#bdbdbd',
  'waiting.imagePullFailed': '#e6550d',
  'waiting.crashLoopBackOff': '#fdae6b',
  running: '#31a354',
  exited: '#6baed6',
  terminated: '#636363',
};

export { escapeHtml };

/** Renders an Observable Plot chart to an SVG string without a browser (linkedom supplies the DOM). */
export function renderPlot(options: Plot.PlotOptions): string {
  const { document } = parseHTML('<!doctype html><html><body></body></html>');
  const chart = Plot.plot({
    ...options,
    document: document as unknown as NonNullable<Plot.PlotOptions['document']>,
  });
  return roundCoordinates((chart as unknown as { outerHTML: string }).outerHTML);
}

/**
 * Plot writes coordinates with up to 17 significant digits; two decimals are far below a pixel, and rounding the
 * attribute values makes the bundled scenarios' report about a third smaller. A value that would round to 0 keeps
 * two significant digits, so a thin bar stays visible.
 */
function roundCoordinates(svg: string): string {
  return svg.replace(/="([^"]*)"/g, (_, value: string) => {
    const rounded = value.replace(/\d+\.\d{3,}/g, (n) => {
      const short = Number(Number(n).toFixed(2));
      return short === 0 ? Number(n).toPrecision(2) : String(short);
    });
    return `="${rounded}"`;
  });
}

/** One bar per measure and mode, grouped by mode. */
interface Measure {
  readonly name: string;
  readonly colour: string;
  readonly value: (summary: ScenarioComparison['summaries'][number]) => number;
}

function groupedBars(
  comparison: ScenarioComparison,
  title: string,
  yLabel: string,
  measures: readonly Measure[],
) {
  const rows = comparison.summaries.flatMap((s) =>
    measures.map((m) => ({ mode: modeTitle(s.mode), measure: m.name, value: m.value(s) })),
  );
  const names = measures.map((m) => m.name);
  return renderPlot({
    title,
    width: 720,
    height: 260,
    marginBottom: 40,
    fx: { label: null, domain: comparison.summaries.map((s) => modeTitle(s.mode)) },
    x: { axis: null, domain: names },
    y: { label: yLabel, grid: true },
    color: { legend: true, domain: names, range: measures.map((m) => m.colour) },
    marks: [
      Plot.barY(rows, { fx: 'mode', x: 'measure', y: 'value', fill: 'measure', tip: true }),
      Plot.ruleY([0]),
    ],
  });
}

function barsChart(comparison: ScenarioComparison): string {
  return groupedBars(comparison, 'Containers per mode', 'containers', [
    { name: 'started', colour: '#31a354', value: (s) => s.started },
    { name: 'violations', colour: '#de2d26', value: (s) => s.violations },
    { name: 'refused', colour: '#fd8d3c', value: (s) => s.refused },
  ]);
}

function costChart(comparison: ScenarioComparison): string {
  return groupedBars(comparison, 'Registry and filesystem load per mode', 'count', [
    { name: 'registry requests', colour: '#3182bd', value: (s) => s.registryRequests },
    { name: 'filesystem operations', colour: '#9e9ac8', value: (s) => s.fsOps },
  ]);
}

/** Per-pod timeline: one lane per container and mode, coloured by state. */
function timelineChart(comparison: ScenarioComparison): string {
  const segments: {
    mode: string;
    lane: string;
    start: number;
    end: number;
    state: string;
    reason: string;
  }[] = [];
  const byLane = new Map<string, TimelineEntry[]>();
  for (const entry of comparison.timeline) {
    const key = `${entry.mode}\u0000${entry.pod}/${entry.container}`;
    const list = byLane.get(key);
    if (list === undefined) byLane.set(key, [entry]);
    else list.push(entry);
  }
  for (const [key, entries] of byLane) {
    const [mode = '', lane = ''] = key.split('\u0000');
    entries.forEach((entry, i) => {
      const next = entries[i + 1];
      segments.push({
        mode: modeTitle(mode),
        lane,
        start: entry.t / TICKS_PER_SECOND,
        end: (next?.t ?? comparison.endTicks) / TICKS_PER_SECOND,
        state: entry.state,
        reason: entry.reason ?? '',
      });
    });
  }
  const lanes = new Set(segments.map((s) => s.lane)).size;
  const modes = comparison.summaries.length;
  return renderPlot({
    title: 'Container states over virtual time (seconds)',
    width: 900,
    height: Math.max(160, 40 + modes * (lanes * 18 + 12)),
    marginLeft: 180,
    marginRight: 110,
    x: { label: 'virtual time (s)', grid: true },
    y: { label: null },
    fy: { label: null, domain: comparison.summaries.map((s) => modeTitle(s.mode)) },
    color: { legend: true, domain: Object.keys(STATE_COLORS), range: Object.values(STATE_COLORS) },
    marks: [
      Plot.barX(segments, {
        x1: 'start',
        x2: (d: { start: number; end: number }) => Math.max(d.end, d.start + 0.001),
        y: 'lane',
        fy: 'mode',
        fill: 'state',
        title: (d: { state: string; reason: string }) =>
          `${d.state}${d.reason === '' ? '' : ` (${d.reason})`}`,
      }),
    ],
  });
}

function summaryTable(comparison: ScenarioComparison, modeId: (mode: string) => string): string {
  const head = comparison.summaries
    .map((s) => `<th id="${escapeHtml(modeId(s.mode))}">${escapeHtml(s.mode)}</th>`)
    .join('');
  const rows = COMPARISON_ROWS.map(
    ([label, read]) =>
      `<tr><th scope="row">${escapeHtml(label)}</th>${comparison.summaries.map((s) => `<td>${read(s)}</td>`).join('')}</tr>`,
  ).join('\n');
  return `<table class="summary"><thead><tr><th></th>${head}</tr></thead><tbody>\n${rows}\n</tbody></table>`;
}

function transitions(comparison: ScenarioComparison): string {
  const rows = comparison.timeline
    .map(
      (e) =>
        `<tr><td>${escapeHtml(e.mode)}</td><td>${escapeHtml(e.pod)}/${escapeHtml(e.container)}</td><td>${formatDuration(ticks(e.t))}</td><td>${escapeHtml(e.state)}</td><td>${escapeHtml(e.reason ?? '')}</td></tr>`,
    )
    .join('\n');
  return `<details><summary>State changes (${comparison.timeline.length})</summary><table class="log"><thead><tr><th>mode</th><th>container</th><th>time</th><th>state</th><th>reason</th></tr></thead><tbody>\n${rows}\n</tbody></table></details>`;
}

function scenarioSection(c: ScenarioComparison, i: number, ids: ReportIds): string {
  return `<section class="scenario" id="${escapeHtml(ids.scenario[i] ?? '')}">
<h2>${escapeHtml(c.scenario)}</h2>
${c.description === undefined ? '' : `<p>${escapeHtml(c.description)}</p>`}
${summaryTable(c, (mode) => ids.mode(i, mode))}
<div class="chart">${barsChart(c)}</div>
<div class="chart">${costChart(c)}</div>
<div class="chart timeline">${timelineChart(c)}</div>
${transitions(c)}
<p><a href="#overview">back to the overview</a></p>
</section>`;
}

/**
 * A self-contained HTML report (no network, no scripts): an overview (the headline, the scenarios × modes matrix
 * whose cells link to each scenario's mode column, a table of contents), then per scenario the mode comparison,
 * bar charts and a per-pod timeline of states and reasons per mode, charts rendered to inline SVG by Observable
 * Plot.
 */
export function comparisonHtml(
  comparisons: readonly ScenarioComparison[],
  title = 'pullsim comparison',
): string {
  const ids = reportIds(comparisons);
  const sections = comparisons.map((c, i) => scenarioSection(c, i, ids)).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2rem; color: #222; }
table { border-collapse: collapse; margin: 1rem 0; }
th, td { border: 1px solid #ccc; padding: 0.25rem 0.6rem; text-align: right; }
th[scope="row"], table.log td { text-align: left; }
section.scenario { margin-bottom: 3rem; }
.chart { margin: 1rem 0; }
${OVERVIEW_CSS}
</style></head>
<body>
<h1>${escapeHtml(title)}</h1>
<p>Generated by pullsim. Modes as columns; virtual time from the simulation.</p>
${overviewHtml(comparisons, ids)}
${sections}
</body></html>
`;
}
