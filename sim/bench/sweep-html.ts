import * as Plot from '@observablehq/plot';
import { escapeHtml, renderPlot } from '../report/html.js';
import { htmlTable } from './report-html.js';
import type { SweepResult, SweepRow } from './sweep.js';
import type { SweepParameter } from './sweep-params.js';
import { SWEEP_METRICS, type SweepMetric, sweepRows, sweepTitle } from './sweep-report.js';

/*
 * A sweep as one self-contained HTML page: a line chart per metric against the first parameter swept over more
 * than one value, one line per strategy and mode (and per value of any other such parameter), then the tidy table.
 */

/** Values spanning this ratio (two decades) or more are drawn on a log axis. */
const LOG_SPAN = 100;

/** Whether positive values span enough decades for a log axis. */
function wantsLog(values: readonly number[]): boolean {
  if (values.length === 0 || values.some((v) => v <= 0)) return false;
  return Math.max(...values) / Math.min(...values) >= LOG_SPAN;
}

/** The parameter on the x axis: the first one swept over more than one value (else the first). */
function xParameter(result: SweepResult): SweepParameter | undefined {
  return result.parameters.find((p) => p.values.length > 1) ?? result.parameters[0];
}

/**
 * The line a row belongs to: its strategy as listed, its mode, and the values of the other parameters that take
 * more than one.
 */
function seriesOf(result: SweepResult, row: SweepRow): string {
  const x = xParameter(result);
  const others = result.parameters
    .filter((p) => p !== x && p.values.length > 1)
    .map((p) => `${p.name}=${row.parameters[p.name]}`);
  return [row.series, row.mode, ...others].join(' · ');
}

/** The x axis: numeric when all the parameter's values are numbers, else its values in sweep order. */
function xAxis(result: SweepResult): { name: string; numeric: boolean; options: Plot.ScaleOptions } {
  const parameter = xParameter(result);
  const name = parameter?.name ?? 'combination';
  const values = parameter?.values ?? [];
  const numeric = values.every((v) => typeof v === 'number');
  if (!numeric) return { name, numeric, options: { type: 'point', domain: values.map(String), label: name } };
  const log = wantsLog(values as number[]);
  return { name, numeric, options: { type: log ? 'log' : 'linear', label: name, grid: true } };
}

/** One metric's chart: a line per series against the swept parameter. */
function metricChart(result: SweepResult, metric: SweepMetric, series: readonly string[]): string {
  const x = xAxis(result);
  const points = result.rows.map((row) => {
    const value = row.parameters[x.name];
    return {
      x: x.numeric ? value : String(value),
      y: metric.value(row),
      series: seriesOf(result, row),
    };
  });
  const ys = points.map((p) => p.y);
  const log = wantsLog(ys);
  const title = metric.realTime ? `${metric.name} (this machine’s real time)` : metric.name;
  return renderPlot({
    title,
    width: 900,
    height: 320,
    marginLeft: 70,
    x: x.options,
    y: { type: log ? 'log' : 'linear', label: metric.name, grid: true, ...(log ? {} : { zero: true }) },
    color: { legend: true, type: 'ordinal', domain: [...series], scheme: 'tableau10' },
    marks: [
      Plot.line(points, { x: 'x', y: 'y', stroke: 'series' }),
      Plot.dot(points, { x: 'x', y: 'y', fill: 'series', tip: true }),
    ],
  });
}

/** The sweep as one self-contained page: one chart per metric (SWEEP_METRICS), then the table. */
export function sweepHtml(result: SweepResult): string {
  const series = [...new Set(result.rows.map((row) => seriesOf(result, row)))];
  const charts = SWEEP_METRICS.map(
    (metric) =>
      `<div class="chart" data-metric="${escapeHtml(metric.name)}">${metricChart(result, metric, series)}</div>`,
  ).join('\n');
  const title = escapeHtml(sweepTitle(result));
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>pullsim bench: ${escapeHtml(result.workload.name)} sweep</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem;color:#222}table{border-collapse:collapse;margin:1rem 0;font-size:0.85rem}th,td{border:1px solid #ccc;padding:0.2rem 0.5rem;text-align:right}.chart{margin:1rem 0}.wide{overflow-x:auto}</style>
</head><body>
<h1>pullsim bench sweep: ${escapeHtml(result.workload.name)}</h1>
<p>${title}</p>
<p>${escapeHtml(result.workload.description)}. One line per strategy and mode; every figure but wall time and peak memory is virtual time or a count, identical on any machine. Axes are logarithmic where the values span two decades or more.</p>
${charts}
<div class="wide">${htmlTable(sweepRows(result))}</div>
</body></html>
`;
}
