import * as Plot from '@observablehq/plot';
import { RECORD_STORE_STRATEGIES } from '../../src/strategies/index.js';
import { escapeHtml, renderPlot } from '../report/html.js';
import { runRows } from './report.js';
import type { BenchSuiteResult } from './suite.js';

/** One self-contained HTML page: the tables, and charts of I/O per start, registry load and start-up I/O. */
export function benchHtml(result: BenchSuiteResult): string {
  const strategies = [...new Set(result.runs.map((r) => r.strategy))];
  const strategyColours = { legend: true, type: 'ordinal', domain: strategies, scheme: 'tableau10' } as const;
  const io = result.runs.flatMap((r) => [
    { strategy: r.strategy, mode: r.mode, path: 'decision', ops: r.fs.decisionOpsPerStart },
    { strategy: r.strategy, mode: r.mode, path: 'write', ops: r.fs.writeOpsPerStart },
    { strategy: r.strategy, mode: r.mode, path: 'GC', ops: r.fs.gcOpsPerStart },
  ]);
  const ioChart = renderPlot({
    title: 'Filesystem operations per pod start',
    width: 900,
    height: 320,
    marginBottom: 60,
    // Room for the facet labels (mode names) on the right.
    marginRight: 170,
    x: { domain: strategies, label: null, tickRotate: -20 },
    y: { label: 'operations per pod start', grid: true },
    fy: { label: null },
    color: { legend: true, domain: ['decision', 'write', 'GC'], range: ['#6baed6', '#fd8d3c', '#74c476'] },
    marks: [Plot.barY(io, { x: 'strategy', y: 'ops', fill: 'path', fy: 'mode', tip: true }), Plot.ruleY([0])],
  });
  const tradeOff = renderPlot({
    title: 'Trade-off: violations against registry load (one dot per strategy and mode)',
    width: 900,
    height: 320,
    x: { label: 'registry requests per pod start', grid: true },
    y: { label: 'violations', grid: true },
    // Ordinal with the strategies as domain: the same colour per strategy in every chart, and no data (no runs)
    // draws an empty legend rather than a continuous ramp, which needs a canvas.
    color: strategyColours,
    symbol: { legend: true },
    marks: [
      Plot.dot(
        result.runs.map((r) => ({
          strategy: r.strategy,
          mode: r.mode,
          requests: r.registryRequestsPerStart,
          violations: r.violations,
        })),
        { x: 'requests', y: 'violations', fill: 'strategy', symbol: 'mode', r: 6, tip: true },
      ),
    ],
  });
  const startupChart =
    result.startup.length === 0
      ? ''
      : renderPlot({
          title: 'Start-up system calls against stored records',
          width: 900,
          height: 320,
          x: { type: 'log', label: 'records stored', grid: true },
          y: { type: 'log', label: 'system calls at start-up', grid: true },
          // As above; rows of zero (memory) are left out, since a log scale cannot place them.
          color: strategyColours,
          marks: [
            Plot.line(
              result.startup.filter((s) => s.syscalls > 0),
              { x: 'records', y: 'syscalls', stroke: 'strategy' },
            ),
            Plot.dot(
              result.startup.filter((s) => s.syscalls > 0),
              { x: 'records', y: 'syscalls', fill: 'strategy', tip: true },
            ),
          ],
        });
  const rows = runRows(result);
  const headers = rows.length === 0 ? [] : Object.keys(rows[0] as object);
  const table = `<table><thead><tr>${headers.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((row) => `<tr>${headers.map((h) => `<td>${escapeHtml(String(row[h]))}</td>`).join('')}</tr>`)
    .join('\n')}</tbody></table>`;
  const ideas = RECORD_STORE_STRATEGIES.map(
    (s) =>
      `<tr><td><code>${escapeHtml(s.syntax)}</code></td><td>${escapeHtml(s.idea)}</td><td>${escapeHtml(s.tradeOff)}</td></tr>`,
  ).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>pullsim bench: ${escapeHtml(result.workload.name)}</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem;color:#222}table{border-collapse:collapse;margin:1rem 0;font-size:0.85rem}th,td{border:1px solid #ccc;padding:0.2rem 0.5rem;text-align:right}td:first-child,td:nth-child(2){text-align:left}.chart{margin:1rem 0}.wide{overflow-x:auto}</style>
</head><body>
<h1>pullsim bench: ${escapeHtml(result.workload.name)}</h1>
<p>${escapeHtml(result.workload.description)}; device profile <code>${escapeHtml(result.workload.device)}</code>. Virtual-time figures are deterministic; wall time, events per second and memory are this machine's.</p>
<div class="wide">${table}</div>
<div class="chart">${ioChart}</div>
<div class="chart">${tradeOff}</div>
<div class="chart">${startupChart}</div>
<h2>Strategies</h2>
<table><thead><tr><th>strategy</th><th>idea</th><th>trade-off</th></tr></thead><tbody>${ideas}</tbody></table>
</body></html>
`;
}
