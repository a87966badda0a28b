import Table from 'cli-table3';
import { csvCell } from './report.js';
import type { SweepResult, SweepRow } from './sweep.js';

/*
 * A sweep as a tidy table: one row per combination × strategy × mode, the swept parameters as columns, then the
 * metrics. The text, CSV and HTML reports share the rows; the HTML report draws one chart per metric.
 */

/** One metric of a sweep row: its column name, its value, and whether it is this machine's real time. */
export interface SweepMetric {
  readonly name: string;
  readonly value: (row: SweepRow) => number;
  readonly realTime?: true;
}

const round = (digits: number) => (n: number) => Number(n.toFixed(digits));
const r0 = round(0);
const r1 = round(1);
const r2 = round(2);
const r3 = round(3);

/** The metrics of the table and of the charts, in column order. */
export const SWEEP_METRICS: readonly SweepMetric[] = [
  { name: 'pod starts', value: (r) => r.run.podStarts },
  { name: 'syscalls/start', value: (r) => r1(r.run.fs.syscallsPerStart) },
  { name: 'decision ops/start', value: (r) => r2(r.run.fs.decisionOpsPerStart) },
  { name: 'write ops/start', value: (r) => r2(r.run.fs.writeOpsPerStart) },
  { name: 'GC ops/start', value: (r) => r2(r.run.fs.gcOpsPerStart) },
  { name: 'bytes/start', value: (r) => r0(r.run.fs.bytesPerStart) },
  { name: 'start-up syscalls', value: (r) => r.run.fs.startupSyscalls },
  { name: 'registry req/start', value: (r) => r3(r.run.registryRequestsPerStart) },
  { name: 'violations', value: (r) => r.run.violations },
  { name: 'start p50 ms', value: (r) => r1(r.run.startLatencyMs.p50) },
  { name: 'start p99 ms', value: (r) => r1(r.run.startLatencyMs.p99) },
  { name: 'wall s', value: (r) => r2(r.realTime.wallMs / 1000), realTime: true },
  { name: 'peak MB', value: (r) => r0(r.realTime.peakRssMb), realTime: true },
];

/** The table's rows: the swept parameters, strategy and mode, then every metric. */
export function sweepRows(result: SweepResult): Record<string, string | number>[] {
  return result.rows.map((row) => {
    const cells: Record<string, string | number> = {};
    for (const parameter of result.parameters) cells[parameter.name] = row.parameters[parameter.name] ?? '';
    cells.strategy = row.strategy;
    cells.mode = row.mode;
    for (const metric of SWEEP_METRICS) cells[metric.name] = metric.value(row);
    return cells;
  });
}

/** What was swept, in one line: `sweep of small: images.count=50,100,200 (3 combinations) …`. */
export function sweepTitle(result: SweepResult): string {
  const swept = result.parameters.map((p) => `${p.name}=${p.values.join(',')}`).join(' ');
  const shard = result.shard === undefined ? '' : `, shard ${result.shard.index}/${result.shard.count}`;
  return `sweep of workload ${result.workload.name}: ${swept} (${result.combinations} combinations${shard}; device ${result.workload.device})`;
}

/** The sweep as a terminal table under its title; wall s and peak MB are this machine's. */
export function sweepText(result: SweepResult): string {
  const rows = sweepRows(result);
  const out = [sweepTitle(result)];
  if (rows.length > 0) {
    const headers = Object.keys(rows[0] as object);
    const table = new Table({ head: headers, style: { head: [], border: [], compact: true } });
    for (const row of rows) table.push(headers.map((h) => String(row[h])));
    out.push(table.toString());
  }
  return `${out.join('\n')}\n`;
}

/** The sweep as CSV: a header line, then one line per row of the table. */
export function sweepCsv(result: SweepResult): string {
  const rows = sweepRows(result);
  const headers =
    rows.length === 0
      ? [...result.parameters.map((p) => p.name), 'strategy', 'mode', ...SWEEP_METRICS.map((m) => m.name)]
      : Object.keys(rows[0] as object);
  const lines = [headers, ...rows.map((row) => headers.map((h) => row[h] ?? ''))];
  return `${lines.map((line) => line.map(csvCell).join(',')).join('\n')}\n`;
}
