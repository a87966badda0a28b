/**
 * The text and Markdown reports of `pullsim compare`: metrics as rows and modes as columns for one scenario,
 * scenarios as rows for a library overview, with values read from each mode's summary.
 */
import { describe, expect, it, vi } from 'vitest';
import { compareScenario } from '../../sim/compare.js';
import { comparisonMarkdown, summaryMarkdown } from '../../sim/report/markdown.js';
import { COMPARISON_ROWS, comparisonTable, modeTitle, summaryMatrix } from '../../sim/report/text.js';
import { parseScenario } from '../../sim/scenario/load.js';
import { crossTenantText } from '../support/cli-scenarios.js';
import { comparisonOf, modeSummary } from '../support/comparisons.js';
import { tableRows } from '../support/terminal.js';

const summary = modeSummary;
const comparison = comparisonOf;

const two = comparison(
  'cross-tenant',
  [
    summary('legacy', {
      started: 3,
      violations: 2,
      refused: 0,
      waitingAtEnd: 0,
      registryRequests: 1,
      authFailures: 0,
      fsOps: 0,
    }),
    summary('NeverVerifyPreloadedImages', {
      started: 1,
      violations: 0,
      refused: 2,
      waitingAtEnd: 2,
      registryRequests: 11,
      authFailures: 10,
      fsOps: 142,
    }),
  ],
  'Tenant B runs | pipes\nand new lines',
);

describe('text report', () => {
  it('the rows are the compare metrics, in the order of the contract table', () => {
    expect(COMPARISON_ROWS.map(([label]) => label)).toEqual([
      'containers started',
      'violations',
      'failed starts (refused ≥ once)',
      'not running at end',
      'registry requests',
      'registry auth failures',
      'filesystem operations',
    ]);
    const s = summary('legacy');
    expect(COMPARISON_ROWS.map(([, read]) => read(s))).toEqual([2, 1, 1, 1, 7, 4, 88]);
  });

  it('modeTitle shortens the two long policy names only', () => {
    expect(modeTitle('NeverVerifyPreloadedImages')).toBe('NVPreloaded');
    expect(modeTitle('NeverVerifyAllowlistedImages')).toBe('NVAllowlisted');
    for (const mode of ['legacy', 'always-pull', 'NeverVerify', 'AlwaysVerify', 'as-configured'])
      expect(modeTitle(mode)).toBe(mode);
  });

  it('comparisonTable: a title line, then one column per mode and one row per metric', () => {
    const text = comparisonTable(two);
    const lines = text.trimEnd().split('\n');
    // The description's line breaks are spaces: the title is wrapped to the terminal's width instead.
    expect(lines[0]).toBe('cross-tenant — Tenant B runs | pipes and new lines');
    const rows = tableRows(text);
    expect(rows).toEqual([
      ['', 'legacy', 'NVPreloaded'],
      ['containers started', '3', '1'],
      ['violations', '2', '0'],
      ['failed starts (refused ≥ once)', '0', '2'],
      ['not running at end', '0', '2'],
      ['registry requests', '1', '11'],
      ['registry auth failures', '0', '10'],
      ['filesystem operations', '0', '142'],
    ]);
    expect(text.endsWith('\n')).toBe(true);
    expect(comparisonTable(comparison('plain', [summary('legacy')])).split('\n')[0]).toBe('plain');
  });

  it('summaryMatrix: one row per scenario with `violations / started` per mode', () => {
    const other = comparison('public-image', [
      summary('legacy', { violations: 0, started: 1 }),
      summary('NeverVerifyPreloadedImages', { violations: 0, started: 1 }),
    ]);
    const rows = summaryMatrix([two, other])
      .split('\n')
      .filter((line) => line.startsWith('│'))
      .map((line) =>
        line
          .split('│')
          .slice(1, -1)
          .map((cell) => cell.trim()),
      );
    expect(rows).toEqual([
      ['violations / started', 'legacy', 'NVPreloaded'],
      ['cross-tenant', '2 / 3', '0 / 1'],
      ['public-image', '0 / 1', '0 / 1'],
    ]);
  });

  it('summaryMatrix of no scenarios is just its heading', () => {
    const rows = summaryMatrix([])
      .split('\n')
      .filter((line) => line.startsWith('│'));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatch(/violations \/ started/);
  });
});

describe('Markdown report', () => {
  it('comparisonMarkdown: a heading, the description (escaped), and a right-aligned table', () => {
    expect(comparisonMarkdown(two)).toBe(
      [
        '### cross-tenant',
        '',
        'Tenant B runs \\| pipes and new lines',
        '',
        '| | `legacy` | `NeverVerifyPreloadedImages` |',
        '|---|---:|---:|',
        '| containers started | 3 | 1 |',
        '| violations | 2 | 0 |',
        '| failed starts (refused ≥ once) | 0 | 2 |',
        '| not running at end | 0 | 2 |',
        '| registry requests | 1 | 11 |',
        '| registry auth failures | 0 | 10 |',
        '| filesystem operations | 0 | 142 |',
        '',
      ].join('\n'),
    );
  });

  it('without a description there is no description paragraph', () => {
    expect(
      comparisonMarkdown(comparison('plain', [summary('AlwaysVerify')]))
        .split('\n')
        .slice(0, 3),
    ).toEqual(['### plain', '', '| | `AlwaysVerify` |']);
  });

  it('summaryMarkdown: scenarios as rows, modes as columns', () => {
    const other = comparison('public-image', [
      summary('legacy', { violations: 0, started: 1 }),
      summary('NeverVerifyPreloadedImages', { violations: 0, started: 1 }),
    ]);
    expect(summaryMarkdown([two, other])).toBe(
      [
        '| scenario | `legacy` | `NeverVerifyPreloadedImages` |',
        '|---|---:|---:|',
        '| cross-tenant | 2 / 3 | 0 / 1 |',
        '| public-image | 0 / 1 | 0 / 1 |',
        '',
      ].join('\n'),
    );
    expect(summaryMarkdown([])).toBe('| scenario |  |\n|---||\n');
  });
});

describe('reports of a real comparison', () => {
  const scenario = parseScenario(crossTenantText(), 'cross-tenant.yaml');
  const result = compareScenario(scenario, { modes: ['legacy', 'AlwaysVerify'] });

  it('compareScenario summarises each mode from its result', () => {
    expect(result.scenario).toBe('cross-tenant');
    expect(result.description).toBe("Tenant B runs tenant A's private image (kubernetes#18787)");
    expect(result.endTicks).toBe(180 * 1_000_000);
    expect(result.summaries.map((s) => s.mode)).toEqual(['legacy', 'AlwaysVerify']);
    result.summaries.forEach((s, i) => {
      const run = result.results[i]!;
      expect(s).toMatchObject({
        containers: run.containers.length,
        started: run.totals.containersStarted,
        violations: run.totals.violations,
        registryRequests: run.totals.registry.requests,
        authFailures: run.totals.registry.authFailures,
        traceHash: run.traceHash,
      });
    });
    // Legacy: tenant B's container starts in violation; AlwaysVerify refuses it.
    expect(result.summaries[0]).toMatchObject({ started: 2, violations: 1, refused: 0, waitingAtEnd: 0 });
    expect(result.summaries[1]).toMatchObject({ started: 1, violations: 0, refused: 1, waitingAtEnd: 1 });
    // Legacy's violation is the gap of kubernetes#18787 itself: no verification at all.
    expect(result.summaries.map((s) => s.violationsByGap)).toEqual([{ 'no-verification': 1 }, {}]);
    expect(
      result.timeline.filter((entry) => entry.mode === 'AlwaysVerify' && entry.pod === 'team-b/b').length,
    ).toBeGreaterThan(1);
    expect(result.timeline.some((entry) => entry.reason === 'ErrImagePull')).toBe(true);
  });

  it('every figure of the summaries appears in the text and Markdown reports', () => {
    const text = comparisonTable(result);
    const markdown = comparisonMarkdown(result);
    for (const [label, read] of COMPARISON_ROWS) {
      const values = result.summaries.map((s) => String(read(s)));
      expect(markdown).toContain(`| ${label} | ${values.join(' | ')} |`);
      expect(text).toMatch(
        new RegExp(`│ ${label.replace(/[()≥]/g, '.')} +│ ${values[0]} +│ ${values[1]} +│`),
      );
    }
  });

  it('a scenario without a description compares without one', () => {
    const plain = parseScenario(crossTenantText().replace(/^ {2}description: .*\n/m, ''), 'plain.yaml');
    expect(plain.description).toBeUndefined();
    const compared = compareScenario(plain, { modes: ['legacy'] });
    expect(compared).not.toHaveProperty('description');
    expect(compareScenario(plain).summaries).toHaveLength(6);
  });

  it('a result without filesystem counters counts 0 operations', async () => {
    vi.resetModules();
    vi.doMock('../../sim/run.js', async (importOriginal) => {
      const original = await importOriginal<typeof import('../../sim/run.js')>();
      return {
        ...original,
        runScenario: (...args: Parameters<typeof original.runScenario>) => {
          const output = original.runScenario(...args);
          return { ...output, result: { ...output.result, totals: { ...output.result.totals, io: {} } } };
        },
      };
    });
    try {
      const { compareScenario: compareMocked } = await import('../../sim/compare.js');
      const [only] = compareMocked(scenario, { modes: ['AlwaysVerify'] }).summaries;
      expect(only).toMatchObject({ fsOps: 0, fsSyscalls: 0 });
    } finally {
      vi.doUnmock('../../sim/run.js');
      vi.resetModules();
    }
  });
});
