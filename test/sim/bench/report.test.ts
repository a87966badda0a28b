/**
 * The benchmark reports (sim/bench/report.ts) on hand-written results, so that every cell can be worked out by
 * hand: the shared table rows, the terminal text, CSV that parses back to the same rows, and one self-contained
 * HTML page whose charts are inline SVG.
 */
import { parseHTML } from 'linkedom';
import { describe, expect, it } from 'vitest';
import { benchCsv, benchText, runRows } from '../../../sim/bench/report.js';
import { benchHtml } from '../../../sim/bench/report-html.js';
import { BENCH_STRATEGIES, DEFAULT_BENCH_MODES, type StartupRow } from '../../../sim/bench/suite.js';
import { RECORD_STORE_STRATEGIES } from '../../../src/strategies/index.js';
import { benchRun, benchSuiteResult } from '../../support/bench-results.js';
import { tinyWorkload } from '../../support/bench-workloads.js';
import { parseCsv } from '../../support/csv.js';
import { tableRows } from '../../support/terminal.js';

const HEADERS = [
  'strategy',
  'mode',
  'pod starts',
  'syscalls/start',
  'decision ops/start',
  'write ops/start',
  'GC ops/start',
  'bytes/start',
  'start-up syscalls',
  'I/O ÷ least',
  'registry req/start',
  'violations',
  'start p50 ms',
  'start p99 ms',
  'wall s',
  'events/s',
  'pod starts/s',
  'peak MB',
  'decisions',
];

const fsLru = benchRun();
const journal = benchRun({
  strategy: 'journal',
  fs: {
    ...fsLru.fs,
    syscalls: 260,
    startupSyscalls: 20,
    decisionOpsPerStart: 0.004,
    writeOpsPerStart: 1.006,
  },
  violations: 3,
  violationsByClass: { unexplained: 1, preloaded: 2 },
});
const memoryNever = benchRun({ strategy: 'memory', mode: 'NeverVerifyPreloadedImages', fs: { ...fsLru.fs } });
const startup: StartupRow[] = [
  { strategy: 'fs+lru', records: 100, syscalls: 1_000, ops: 300, bytesRead: 10_000 },
  { strategy: 'fs+lru', records: 1_000, syscalls: 10_000, ops: 3_000, bytesRead: 100_000 },
  { strategy: 'journal', records: 100, syscalls: 6, ops: 2, bytesRead: 9_000 },
  { strategy: 'journal', records: 1_000, syscalls: 6, ops: 2, bytesRead: 90_000 },
  { strategy: 'memory', records: 100, syscalls: 0, ops: 0, bytesRead: 0 },
];
const result = benchSuiteResult([fsLru, journal, memoryNever], {
  leastIo: [{ mode: 'AlwaysVerify', recordChanges: 40 }],
  differential: [
    { strategy: 'fs+lru', mode: 'AlwaysVerify', identical: true, digest: fsLru.decisionsDigest },
    { strategy: 'journal', mode: 'AlwaysVerify', identical: false, digest: `sha256:${'1'.repeat(64)}` },
  ],
  startup,
});

/** The part of the DOM these tests read (linkedom's nodes; the project's tsconfig has no DOM library). */
interface Dom {
  readonly textContent: string | null;
  readonly innerHTML: string;
  querySelector(selector: string): Dom | null;
  querySelectorAll(selector: string): Iterable<Dom> & { readonly length: number };
}

const domOf = (html: string) => parseHTML(html).document as unknown as Dom;

describe('runRows', () => {
  it('has one row per run, with the figures rounded for reading', () => {
    const rows = runRows(result);
    expect(rows).toHaveLength(3);
    expect(Object.keys(rows[0] as object)).toEqual(HEADERS);
    expect(rows[0]).toEqual({
      strategy: 'fs+lru',
      mode: 'AlwaysVerify',
      'pod starts': 100,
      'syscalls/start': 8,
      'decision ops/start': 0.5,
      'write ops/start': 2,
      'GC ops/start': 0.25,
      'bytes/start': 100,
      'start-up syscalls': 200,
      // (1 000 syscalls − 200 at start-up) ÷ 40 record changes.
      'I/O ÷ least': 20,
      'registry req/start': 1.25,
      violations: '0',
      'start p50 ms': 12.3,
      'start p99 ms': 3456.8,
      'wall s': 1.5,
      'events/s': 2000,
      'pod starts/s': 67,
      'peak MB': 100,
      decisions: 'identical',
    });
  });

  it('lists violations by class in name order, and marks a decision difference', () => {
    const row = runRows(result)[1];
    expect(row).toMatchObject({
      strategy: 'journal',
      // (260 − 20) ÷ 40.
      'I/O ÷ least': 6,
      'decision ops/start': 0,
      'write ops/start': 1.01,
      violations: '3 (preloaded 2, unexplained 1)',
      decisions: 'DIFFERENT',
    });
  });

  it('says n/a where there is nothing to compare with', () => {
    // No yardstick in this mode, and memory is not in the differential check.
    expect(runRows(result)[2]).toMatchObject({ 'I/O ÷ least': 'n/a', decisions: 'n/a' });
    // A yardstick of zero record changes cannot divide.
    const zero = benchSuiteResult([fsLru], { leastIo: [{ mode: 'AlwaysVerify', recordChanges: 0 }] });
    expect(runRows(zero)[0]).toMatchObject({ 'I/O ÷ least': 'n/a' });
  });
});

describe('benchText', () => {
  const text = benchText(result);

  it('opens with the workload and its device', () => {
    expect(text.split('\n')[0]).toBe(
      'workload tiny: 60 pod starts of 3 tenants over 6 images in 20 minutes (device ssd)',
    );
  });

  it('prints the runs in three tables (I/O, outcomes, this machine), then the differential verdict and start-up', () => {
    const titles = text.split('\n').filter((line) => line.endsWith(':'));
    expect(titles).toEqual([
      'I/O per pod start (virtual: the same on every machine):',
      'outcomes (virtual):',
      'this machine (real time: differs between runs and machines):',
    ]);
    const rows = tableRows(text);
    // Column titles on two lines keep the columns narrow.
    expect(rows.slice(0, 2)).toEqual([
      ['strategy', 'syscalls', 'decision', 'write', 'GC', 'bytes', 'start-up', 'I/O ÷', 'registry'],
      ['', '', 'ops', 'ops', 'ops', '', 'syscalls', 'least', 'requests'],
    ]);
    // A row names each mode, the strategies run in it follow.
    expect(rows.filter((r) => r[0]?.startsWith('mode ')).map((r) => r[0])).toEqual(
      Array(3).fill(['mode AlwaysVerify', 'mode NeverVerifyPreloadedImages']).flat(),
    );
    expect(rows.slice(0, -4).filter((r) => r[0] === 'journal')).toEqual([
      ['journal', '8', '0', '1.01', '0.25', '100', '20', '6', '1.25'],
      ['journal', '100', '3 (preloaded 2, unexplained 1)', '12.3', '3456.8', 'DIFFERENT'],
      ['journal', '1.5', '2000', '67', '100'],
    ]);
    expect(
      rows
        .slice(0, -4)
        .filter((r) => r[0] === 'memory')
        .map((r) => r.at(-1)),
    ).toEqual(['1.25', 'n/a', '100']);
    expect(text).toContain(
      'differential check (decisions of fs+lru, journal against fs+lru, zero I/O latency): DIFFERENT',
    );
    // Start-up: one column per record count, one row per strategy; a count not measured is blank.
    expect(rows.slice(-4)).toEqual([
      ['start-up syscalls', '100 records', '1000 records'],
      ['fs+lru', '1000', '10000'],
      ['journal', '6', '6'],
      ['memory', '0', ''],
    ]);
    expect(text.endsWith('\n')).toBe(true);
  });

  it('fits a 120-column terminal with every default strategy, long violation lists and large figures', () => {
    const runs = DEFAULT_BENCH_MODES.flatMap((mode) =>
      BENCH_STRATEGIES.map((strategy) =>
        benchRun({
          strategy,
          mode,
          podStarts: 1_000_000,
          fs: {
            ...fsLru.fs,
            syscallsPerStart: 12_345.6,
            bytesPerStart: 9_999_999,
            startupSyscalls: 10_000_000,
          },
          violations: 123_456,
          violationsByClass: {
            'deleted-records': 100_000,
            preloaded: 20_000,
            revocation: 3_000,
            rotation: 456,
          },
          startLatencyMs: { p50: 123_456.7, p99: 9_876_543.2 },
          eventsPerWallSecond: 12_345_678,
          podStartsPerWallSecond: 1_234_567,
          peakRssMb: 12_345,
        }),
      ),
    );
    const wide = benchText(
      benchSuiteResult(runs, {
        differential: BENCH_STRATEGIES.map((strategy) => ({
          strategy,
          mode: 'AlwaysVerify',
          identical: true,
          digest: 'x',
        })),
        startup,
      }),
    );
    const lines = wide.split('\n');
    expect(lines.length).toBeGreaterThan(3 * runs.length);
    for (const line of lines) expect([...line].length, line).toBeLessThanOrEqual(120);
    // The violations wrap inside their column instead of widening the table.
    expect(wide).toMatch(/│ 123456 \(deleted-records +│/);
    expect(wide).toMatch(/│ revocation 3000, rotation 456\) +│/);
  });

  it('says identical when every strategy decided as fs+lru', () => {
    const same = benchSuiteResult([fsLru], {
      differential: [{ strategy: 'fs+lru', mode: 'AlwaysVerify', identical: true, digest: 'x' }],
    });
    expect(benchText(same)).toContain(
      'differential check (decisions of fs+lru against fs+lru, zero I/O latency): identical',
    );
  });

  it('leaves out the sections it has nothing for', () => {
    expect(benchText(benchSuiteResult([]))).toBe(
      'workload tiny: 60 pod starts of 3 tenants over 6 images in 20 minutes (device ssd)\n',
    );
    const runsOnly = benchText(benchSuiteResult([fsLru]));
    expect(runsOnly).not.toContain('differential check');
    expect(runsOnly).not.toContain('records');
  });
});

describe('benchCsv', () => {
  it('parses back to a header and one row per run, with the same cells as the table', () => {
    const records = parseCsv(benchCsv(result));
    expect(records[0]).toEqual(HEADERS);
    expect(records.slice(1)).toEqual(runRows(result).map((row) => HEADERS.map((h) => String(row[h]))));
    expect(records[2]?.[11]).toBe('3 (preloaded 2, unexplained 1)');
  });

  it('quotes what would break a field: commas, quotes, newlines', () => {
    const odd = benchRun({ strategy: 'odd "name", with\na newline' });
    const csv = benchCsv(benchSuiteResult([odd]));
    expect(csv.split('\n')[1]?.startsWith('"odd ""name"", with')).toBe(true);
    expect(parseCsv(csv)[1]?.[0]).toBe('odd "name", with\na newline');
    expect(parseCsv(csv)).toHaveLength(2);
  });

  it('is empty without runs', () => {
    expect(benchCsv(benchSuiteResult([]))).toBe('');
  });
});

describe('benchHtml', () => {
  const html = benchHtml(result);
  const document = domOf(html);

  it('is one self-contained page: no script, no stylesheet or image fetched from anywhere', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(document.querySelectorAll('script')).toHaveLength(0);
    expect(document.querySelectorAll('link, img, iframe, object, embed')).toHaveLength(0);
    expect(document.querySelectorAll('[src]')).toHaveLength(0);
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/@import|url\(/);
  });

  it('carries the runs table and the strategies with their ideas', () => {
    const [runsTable, ideasTable, ...others] = [...document.querySelectorAll('table')];
    expect(others).toHaveLength(0);
    if (runsTable === undefined || ideasTable === undefined) throw new Error('expected two tables');
    const head = [...runsTable.querySelectorAll('th')].map((th) => th.textContent);
    expect(head).toEqual(HEADERS);
    const body = [...runsTable.querySelectorAll('tbody tr')].map((tr) =>
      [...tr.querySelectorAll('td')].map((td) => td.textContent),
    );
    expect(body).toEqual(runRows(result).map((row) => HEADERS.map((h) => String(row[h]))));
    const ideas = [...ideasTable.querySelectorAll('tbody tr')].map(
      (tr) => tr.querySelector('code')?.textContent,
    );
    expect(ideas).toEqual(RECORD_STORE_STRATEGIES.map((s) => s.syntax));
  });

  it('draws its three charts as inline SVG, one mark per run (and per start-up measurement it can plot)', () => {
    const charts = [...document.querySelectorAll('div.chart')];
    expect(charts).toHaveLength(3);
    expect(charts.map((c) => c.querySelector('h2')?.textContent)).toEqual([
      'Filesystem operations per pod start',
      'Trade-off: violations against registry load (one dot per strategy and mode)',
      'Start-up system calls against stored records',
    ]);
    // The chart itself (legends hold small swatch SVGs of their own).
    for (const chart of charts) expect(chart.querySelector('svg[width="900"][height="320"]')).not.toBeNull();
    // Shapes of a mark, over every facet (the bar chart has one per mode).
    const shapes = (chart: Dom, mark: string, shape: string) =>
      chart.querySelectorAll(`g[aria-label="${mark}"] ${shape}`).length;
    // A decision bar, a write bar and a GC bar per run.
    expect(shapes(charts[0] as Dom, 'bar', 'rect')).toBe(3 * result.runs.length);
    expect(shapes(charts[1] as Dom, 'dot', 'path, circle')).toBe(result.runs.length);
    // Log scales: the memory row (zero system calls) cannot be drawn and is left out.
    expect(shapes(charts[2] as Dom, 'dot', 'circle')).toBe(startup.filter((s) => s.syscalls > 0).length);
    expect(shapes(charts[2] as Dom, 'line', 'path')).toBe(2);
  });

  it('has no start-up chart without start-up measurements', () => {
    const page = domOf(benchHtml(benchSuiteResult([fsLru])));
    const charts = [...page.querySelectorAll('div.chart')];
    expect(charts).toHaveLength(3);
    expect(charts[2]?.innerHTML).toBe('');
  });

  it('draws empty charts rather than failing when nothing can be plotted', () => {
    // No runs at all, and start-up rows that are all zero (memory only, e.g. `bench --strategies memory`): the
    // colour legends used to become continuous ramps, which need a canvas, and the page failed to render.
    const memoryOnly = benchSuiteResult([], {
      startup: [{ strategy: 'memory', records: 100, syscalls: 0, ops: 0, bytesRead: 0 }],
    });
    const page = domOf(benchHtml(memoryOnly));
    const charts = [...page.querySelectorAll('div.chart')];
    expect(charts).toHaveLength(3);
    for (const chart of charts) expect(chart.querySelector('svg[width="900"]')).not.toBeNull();
    expect(page.querySelectorAll('div.chart circle, div.chart rect[y]')).toHaveLength(0);
  });

  it('escapes the workload’s name and description', () => {
    const workload = { ...tinyWorkload(), name: '<b>&"x\'', description: '<script>alert(1)</script>' };
    const page = benchHtml(benchSuiteResult([], { workload }));
    expect(page).toContain('<title>pullsim bench: &#60;b&#62;&#38;&#34;x&#39;</title>');
    expect(page).not.toContain('<script>');
    expect(domOf(page).querySelector('h1')?.textContent).toBe('pullsim bench: <b>&"x\'');
  });
});
