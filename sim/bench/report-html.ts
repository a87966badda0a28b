import * as Plot from '@observablehq/plot';
import { RECORD_STORE_STRATEGIES } from '../../src/strategies/index.js';
import { escapeHtml, renderPlot } from '../report/html.js';
import { runRows } from './report.js';
import type { BenchRun } from './run.js';
import type { BenchSuiteResult, StartupRow } from './suite.js';

/** One self-contained HTML page: the tables, and charts of I/O per start, registry load and start-up I/O. */
export function benchHtml(result: BenchSuiteResult): string {
  const strategies = [...new Set(result.runs.map((r) => r.strategy))];
  const ioChart = ioPerStartChart(result.runs, strategies);
  const tradeOff = tradeOffChart(result.runs, strategies);
  const startupChart = startupSyscallsChart(result.startup, strategies);
  const name = escapeHtml(result.workload.name);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>pullsim bench: ${name}</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem;color:#222}table{border-collapse:collapse;margin:1rem 0;font-size:0.85rem}th,td{border:1px solid #ccc;padding:0.2rem 0.5rem;text-align:right}td:first-child,td:nth-child(2){text-align:left}.chart{margin:1rem 0}.wide{overflow-x:auto}</style>
</head><body>
<h1>pullsim bench: ${name}</h1>
<p>${escapeHtml(result.workload.description)}; device profile <code>${escapeHtml(result.workload.device)}</code>. Virtual-time figures are deterministic; wall time, events per second and memory are this machine's.</p>
<div class="wide">${runsTable(result)}</div>
<div class="chart">${ioChart}</div>
<div class="chart">${tradeOff}</div>
<div class="chart">${startupChart}</div>
<h2>Strategies</h2>
<table><thead><tr><th>strategy</th><th>idea</th><th>trade-off</th></tr></thead><tbody>${strategyIdeas()}</tbody></table>
</body></html>
`;
}

/**
 * The same colour per strategy in every chart. Ordinal with the strategies as domain: no data (no runs) draws
 * an empty legend rather than a continuous ramp, which needs a canvas.
 */
function strategyColours(strategies: string[]) {
  return { legend: true, type: 'ordinal', domain: strategies, scheme: 'tableau10' } as const;
}

/** Filesystem operations per pod start, stacked by path (decision, write, GC), one facet per mode. */
function ioPerStartChart(runs: readonly BenchRun[], strategies: string[]): string {
  const io = runs.flatMap((r) => [
    { strategy: r.strategy, mode: r.mode, path: 'decision', ops: r.fs.decisionOpsPerStart },
    { strategy: r.strategy, mode: r.mode, path: 'write', ops: r.fs.writeOpsPerStart },
    { strategy: r.strategy, mode: r.mode, path: 'GC', ops: r.fs.gcOpsPerStart },
  ]);
  return renderPlot({
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
}

/** Violations against registry requests per pod start: one dot per strategy and mode. */
function tradeOffChart(runs: readonly BenchRun[], strategies: string[]): string {
  return renderPlot({
    title: 'Trade-off: violations against registry load (one dot per strategy and mode)',
    width: 900,
    height: 320,
    x: { label: 'registry requests per pod start', grid: true },
    y: { label: 'violations', grid: true },
    color: strategyColours(strategies),
    symbol: { legend: true },
    marks: [
      Plot.dot(
        runs.map((r) => ({
          strategy: r.strategy,
          mode: r.mode,
          requests: r.registryRequestsPerStart,
          violations: r.violations,
        })),
        { x: 'requests', y: 'violations', fill: 'strategy', symbol: 'mode', r: 6, tip: true },
      ),
    ],
  });
}

/** Start-up system calls against stored records, log–log; empty without a start-up experiment. */
function startupSyscallsChart(startup: readonly StartupRow[], strategies: string[]): string {
  if (startup.length === 0) return '';
  // Rows of zero (memory) are left out, since a log scale cannot place them.
  const placed = startup.filter((s) => s.syscalls > 0);
  return renderPlot({
    title: 'Start-up system calls against stored records',
    width: 900,
    height: 320,
    x: { type: 'log', label: 'records stored', grid: true },
    y: { type: 'log', label: 'system calls at start-up', grid: true },
    color: strategyColours(strategies),
    marks: [
      Plot.line(placed, { x: 'records', y: 'syscalls', stroke: 'strategy' }),
      Plot.dot(placed, { x: 'records', y: 'syscalls', fill: 'strategy', tip: true }),
    ],
  });
}

/** The runs as one table, the rows and columns of the text report. */
function runsTable(result: BenchSuiteResult): string {
  return htmlTable(runRows(result));
}

/** Rows of named cells as an HTML table, the first row's names as headers (the sweep's table too). */
export function htmlTable(rows: readonly Record<string, string | number>[]): string {
  const headers = rows.length === 0 ? [] : Object.keys(rows[0] as object);
  return `<table><thead><tr>${headers.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((row) => `<tr>${headers.map((h) => `<td>${escapeHtml(String(row[h]))}</td>`).join('')}</tr>`)
    .join('\n')}</tbody></table>`;
}

/** The rows of the strategies table: each strategy's syntax, idea and trade-off. */
function strategyIdeas(): string {
  return RECORD_STORE_STRATEGIES.map(
    (s) =>
      `<tr><td><code>${escapeHtml(s.syntax)}</code></td><td>${escapeHtml(s.idea)}</td><td>${escapeHtml(s.tradeOff)}</td></tr>`,
  ).join('\n');
}
