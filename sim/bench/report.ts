import Table from 'cli-table3';
import { wrapText } from '../report/lines.js';
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

/**
 * The terminal tables of the runs: runRows' columns in three groups (I/O, virtual outcomes, this machine) so that
 * each table fits a 120-column terminal (the full width stays in CSV and JSON). Each row pairs a column of runRows
 * with its title on the terminal, broken into lines to keep the column narrow.
 */
const TEXT_TABLES: ReadonlyArray<{
  readonly title: string;
  readonly columns: ReadonlyArray<readonly [string, string]>;
}> = [
  {
    title: 'I/O per pod start (virtual: the same on every machine)',
    columns: [
      ['syscalls/start', 'syscalls'],
      ['decision ops/start', 'decision\nops'],
      ['write ops/start', 'write\nops'],
      ['GC ops/start', 'GC\nops'],
      ['bytes/start', 'bytes'],
      ['start-up syscalls', 'start-up\nsyscalls'],
      ['I/O ÷ least', 'I/O ÷\nleast'],
      ['registry req/start', 'registry\nrequests'],
    ],
  },
  {
    title: 'outcomes (virtual)',
    columns: [
      ['pod starts', 'pod\nstarts'],
      ['violations', 'violations'],
      ['start p50 ms', 'start\np50 ms'],
      ['start p99 ms', 'start\np99 ms'],
      ['decisions', 'decisions'],
    ],
  },
  {
    title: 'this machine (real time: differs between runs and machines)',
    columns: [
      ['wall s', 'wall s'],
      ['events/s', 'events/s'],
      ['pod starts/s', 'pod\nstarts/s'],
      ['peak MB', 'peak MB'],
    ],
  },
];

/** The widest violations cell before it wraps (`261 (no-verification 12, preloaded 249)` takes two lines). */
const VIOLATIONS_COLUMNS = 30;

/** One table of TEXT_TABLES: a row per strategy, under a row naming each mode. */
function runsTable(
  runs: readonly Record<string, string | number>[],
  columns: readonly (readonly [string, string])[],
) {
  const wide = runs.some((row) => String(row.violations).length > VIOLATIONS_COLUMNS);
  const table = new Table({
    head: ['strategy', ...columns.map(([, head]) => head)],
    style: { head: [], border: [], compact: true },
    colWidths: [
      null,
      ...columns.map(([key]) => (key === 'violations' && wide ? VIOLATIONS_COLUMNS + 2 : null)),
    ],
    wordWrap: true,
  });
  const modes = [...new Set(runs.map((row) => String(row.mode)))];
  for (const mode of modes) {
    table.push([{ colSpan: columns.length + 1, content: `mode ${mode}` }]);
    for (const row of runs.filter((r) => r.mode === mode))
      table.push([String(row.strategy), ...columns.map(([key]) => String(row[key]))]);
  }
  return table.toString();
}

/** The benchmark as terminal tables: runs (in three tables), differential check, start-up I/O. */
export function benchText(result: BenchSuiteResult): string {
  const rows = runRows(result);
  const out: string[] = wrapText(
    `workload ${result.workload.name}: ${result.workload.description} (device ${result.workload.device})`,
  );
  if (rows.length > 0)
    for (const { title, columns } of TEXT_TABLES) out.push(`${title}:`, runsTable(rows, columns));
  if (result.differential.length > 0) {
    const ok = result.differential.every((d) => d.identical);
    out.push(
      ...wrapText(
        `differential check (decisions of ${[...new Set(result.differential.map((d) => d.strategy))].join(', ')} against fs+lru, zero I/O latency): ${ok ? 'identical' : 'DIFFERENT'}`,
      ),
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

/** One CSV field, quoted when it must be (the sweep's CSV uses it too). */
export function csvCell(value: string | number): string {
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
