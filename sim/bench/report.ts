import * as Plot from '@observablehq/plot';
import Table from 'cli-table3';
import { RECORD_STORE_STRATEGIES } from '../../src/pullmanager/strategies/index.js';
import { escapeHtml, renderPlot } from '../report/html.js';
import type { BenchRun } from './run.js';
import type { BenchSuiteResult } from './suite.js';

const fixed = (n: number, digits = 1) => n.toFixed(digits);

function violationsText(run: BenchRun): string {
  const parts = Object.entries(run.violationsByClass)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, v]) => `${k} ${v}`);
  return parts.length === 0 ? '0' : `${run.violations} (${parts.join(', ')})`;
}

/** The rows of the main table, shared by the text, CSV and HTML reports. */
export function runRows(result: BenchSuiteResult): Record<string, string | number>[] {
  return result.runs.map((run) => {
    const differential = result.differential.find((d) => d.strategy === run.strategy && d.mode === run.mode);
    const least = result.leastIo.find((l) => l.mode === run.mode)?.recordChanges;
    const runtimeSyscalls = run.fs.syscalls - run.fs.startupSyscalls;
    return {
      strategy: run.strategy,
      mode: run.mode,
      'pod starts': run.podStarts,
      'syscalls/start': Number(fixed(run.fs.syscallsPerStart)),
      'decision ops/start': Number(fixed(run.fs.decisionOpsPerStart, 2)),
      'write ops/start': Number(fixed(run.fs.writeOpsPerStart, 2)),
      'GC ops/start': Number(fixed(run.fs.gcOpsPerStart, 2)),
      'bytes/start': Math.round(run.fs.bytesPerStart),
      'start-up syscalls': run.fs.startupSyscalls,
      'I/O ÷ least': least === undefined || least === 0 ? 'n/a' : Number(fixed(runtimeSyscalls / least, 2)),
      'registry req/start': Number(fixed(run.registryRequestsPerStart, 3)),
      violations: violationsText(run),
      'start p50 ms': Number(fixed(run.startLatencyMs.p50)),
      'start p99 ms': Number(fixed(run.startLatencyMs.p99)),
      'wall s': Number(fixed(run.wallMs / 1000, 2)),
      'events/s': Math.round(run.eventsPerWallSecond),
      'pod starts/s': Math.round(run.podStartsPerWallSecond),
      'peak MB': Math.round(run.peakRssMb),
      decisions: differential === undefined ? 'n/a' : differential.identical ? 'identical' : 'DIFFERENT',
    };
  });
}

/** The benchmark as terminal tables: runs, differential check, start-up I/O. */
export function benchText(result: BenchSuiteResult): string {
  const rows = runRows(result);
  const out: string[] = [
    `workload ${result.workload.name}: ${result.workload.description} (device ${result.workload.device})`,
  ];
  if (rows.length > 0) {
    const headers = Object.keys(rows[0] as object);
    const table = new Table({ head: headers, style: { head: [], border: [], compact: true } });
    for (const row of rows) table.push(headers.map((h) => String(row[h])));
    out.push(table.toString());
  }
  if (result.differential.length > 0) {
    const ok = result.differential.every((d) => d.identical);
    out.push(
      `differential check (decisions of ${[...new Set(result.differential.map((d) => d.strategy))].join(', ')} against fs+lru, zero I/O latency): ${ok ? 'identical' : 'DIFFERENT'}`,
    );
  }
  if (result.startup.length > 0) {
    const counts = [...new Set(result.startup.map((s) => s.records))];
    const strategies = [...new Set(result.startup.map((s) => s.strategy))];
    const table = new Table({
      head: ['start-up syscalls', ...counts.map((c) => `${c} records`)],
      style: { head: [], border: [], compact: true },
    });
    for (const strategy of strategies) {
      table.push([
        strategy,
        ...counts.map((c) =>
          String(result.startup.find((s) => s.strategy === strategy && s.records === c)?.syscalls ?? ''),
        ),
      ]);
    }
    out.push(table.toString());
  }
  return `${out.join('\n')}\n`;
}

function csvCell(value: string | number): string {
  const text = String(value);
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The runs as CSV (one row per strategy and mode). */
export function benchCsv(result: BenchSuiteResult): string {
  const rows = runRows(result);
  if (rows.length === 0) return '';
  const headers = Object.keys(rows[0] as object);
  return `${[headers.map(csvCell).join(','), ...rows.map((row) => headers.map((h) => csvCell(row[h] ?? '')).join(','))].join('\n')}\n`;
}

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
