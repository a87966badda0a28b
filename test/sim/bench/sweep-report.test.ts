/**
 * The sweep's reports (sim/bench/sweep-report.ts, sim/bench/sweep-html.ts): the tidy table's columns, CSV that
 * parses back to the same rows, and one self-contained page with one line chart per metric, on log axes where the
 * values span two decades or more.
 */
import { parseHTML } from 'linkedom';
import { describe, expect, it } from 'vitest';
import { planSweep, runSweep, type SweepResult } from '../../../sim/bench/sweep.js';
import { sweepHtml } from '../../../sim/bench/sweep-html.js';
import { parseSweeps } from '../../../sim/bench/sweep-params.js';
import { SWEEP_METRICS, sweepCsv, sweepRows, sweepText } from '../../../sim/bench/sweep-report.js';
import { tinyWorkload } from '../../support/bench-workloads.js';
import { parseCsv } from '../../support/csv.js';

const sweep = (texts: string[], strategies = ['fs+lru', 'journal']): SweepResult =>
  runSweep(
    planSweep(tinyWorkload(), { parameters: parseSweeps(texts), strategies, modes: ['AlwaysVerify'] }),
  );

/** What the tests read of a chart element (linkedom's, without the DOM library's types). */
interface Element {
  readonly textContent: string | null;
  querySelectorAll(selector: string): Iterable<Element>;
}

/** The text of each x-axis tick label of a chart. */
function xTicks(chart: Element): string[] {
  return [...chart.querySelectorAll('[aria-label="x-axis tick label"] text')].map((t) => t.textContent ?? '');
}

describe('sweep reports', () => {
  const result = sweep(['images.count=2,20,200', 'tenants=2,3']);

  it('the table has the swept parameters, strategy and mode, then the metrics', () => {
    const rows = sweepRows(result);
    expect(rows).toHaveLength(6 * 2);
    expect(Object.keys(rows[0] as object)).toEqual([
      'images.count',
      'tenants',
      'strategy',
      'mode',
      ...SWEEP_METRICS.map((m) => m.name),
    ]);
    expect(rows.slice(0, 3).map((r) => [r['images.count'], r.tenants, r.strategy])).toEqual([
      [2, 2, 'fs+lru'],
      [2, 2, 'journal'],
      [2, 3, 'fs+lru'],
    ]);
    const text = sweepText(result);
    expect(text.split('\n')[0]).toBe(
      'sweep of workload tiny: images.count=2,20,200 tenants=2,3 (6 combinations; device ssd)',
    );
    expect(text).toMatch(/│ images\.count │ tenants │ strategy │ mode +│ pod starts │/);
    // A shard with no combination of its own prints its title alone.
    const empty = { ...result, shard: { index: 7, count: 7 }, rows: [] };
    expect(sweepText(empty)).toBe(
      'sweep of workload tiny: images.count=2,20,200 tenants=2,3 (6 combinations, shard 7/7; device ssd)\n',
    );
  });

  it('CSV parses back to the rows of the table', () => {
    const records = parseCsv(sweepCsv(result));
    const rows = sweepRows(result);
    expect(records[0]).toEqual(Object.keys(rows[0] as object));
    expect(records.slice(1)).toEqual(rows.map((row) => Object.values(row).map(String)));
    expect(sweepCsv({ ...result, rows: [] })).toBe(`${(records[0] as string[]).join(',')}\n`);
  });

  it('HTML: one self-contained page with one chart per metric, one line per strategy and mode', () => {
    const html = sweepHtml(result);
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/\b(src|href)=["']?(https?:)?\/\//i);
    const { document } = parseHTML(html);
    const charts = [...document.querySelectorAll('.chart')];
    expect(charts.map((c) => c.getAttribute('data-metric'))).toEqual(SWEEP_METRICS.map((m) => m.name));
    for (const chart of charts) {
      expect(chart.querySelectorAll('svg[class^="plot"]')).toHaveLength(1);
      // One line per strategy, mode and value of the other parameter.
      expect(chart.querySelectorAll('[aria-label="line"] path')).toHaveLength(4);
    }
    expect(charts[0]?.textContent).toContain('fs+lru · AlwaysVerify · tenants=2');
    expect(html).toContain('wall s (this machine’s real time)');
  });

  it('HTML: a log x axis over more than two decades, linear below, values in order when not numbers', () => {
    const wide = parseHTML(sweepHtml(result)).document.querySelector('.chart') as Element;
    expect(xTicks(wide)).toEqual(expect.arrayContaining(['10', '100']));
    const narrow = parseHTML(sweepHtml(sweep(['images.count=2,6']))).document.querySelector(
      '.chart',
    ) as Element;
    expect(xTicks(narrow)).toEqual(['2.0', '2.5', '3.0', '3.5', '4.0', '4.5', '5.0', '5.5', '6.0']);
    // A parameter given one value is neither the x axis nor part of a line's name.
    const fixed = parseHTML(sweepHtml(sweep(['tenants=3', 'images.count=2,6']))).document.querySelector(
      '.chart',
    ) as Element;
    expect(xTicks(fixed)).toEqual(xTicks(narrow));
    expect(fixed.textContent).toContain('journal · AlwaysVerify');
    expect(fixed.textContent).not.toContain('tenants=');
    const ttl = sweep(['ttl:*=6h,1h'], ['fs+lru']);
    const ordinal = parseHTML(sweepHtml(ttl)).document.querySelector('.chart') as Element;
    expect(xTicks(ordinal)).toEqual(['6h', '1h']);
    expect(ordinal.textContent).toContain('ttl:* · AlwaysVerify');
  });
});
