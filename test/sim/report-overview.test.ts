/**
 * The library at a glance (`pullsim compare` on several files, `npm start`): a headline computed from the results,
 * one row per scenario, and every line within a 120-column terminal unless a long scenario name widens the table.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { main } from '../../sim/cli.js';
import { compareScenario, type ModeSummary } from '../../sim/compare.js';
import { loadScenarios } from '../../sim/files.js';
import { oneLine, TERMINAL_COLUMNS, wrapText } from '../../sim/report/lines.js';
import { overviewMarkdown } from '../../sim/report/markdown.js';
import { headlineParagraphs, headlineText, overviewTable } from '../../sim/report/overview.js';
import type { RunMode } from '../../sim/scenario/types.js';
import { comparisonOf, modeSummary } from '../support/comparisons.js';
import { tableRows } from '../support/terminal.js';

const root = join(import.meta.dirname, '../..');

/** A summary with no violation or refusal unless given. */
function summary(mode: RunMode, figures: Partial<ModeSummary> = {}): ModeSummary {
  return modeSummary(mode, { violations: 0, violationsByGap: {}, refused: 0, waitingAtEnd: 0, ...figures });
}

const comparison = comparisonOf;

const leak = comparison(
  'leak',
  [
    summary('legacy', { violations: 2, violationsByGap: { 'no-verification': 2 } }),
    summary('NeverVerifyPreloadedImages', {
      violations: 3,
      violationsByGap: { revocation: 1, preloaded: 2 },
    }),
    summary('AlwaysVerify', { violations: 1, violationsByGap: { revocation: 1 } }),
  ],
  'Tenant B runs (without credentials) a private image. More words follow.',
);
const quiet = comparison('quiet', [
  summary('legacy'),
  summary('NeverVerifyPreloadedImages', { violations: 1, violationsByGap: { 'node-wide': 1 } }),
  summary('AlwaysVerify'),
]);

/** The bundled library compared in every mode, as `compare scenarios/` compares it. */
async function libraryComparisons() {
  return loadScenarios([join(root, 'scenarios')]).map(({ scenario }) => compareScenario(scenario));
}

async function compareLibrary(...args: string[]): Promise<string> {
  let stdout = '';
  const code = await main(['compare', join(root, 'scenarios'), ...args], {
    stdout: (text) => {
      stdout += text;
    },
    stderr: () => {},
    isTTY: false,
  });
  expect(code).toBe(0);
  return stdout;
}

describe('the headline', () => {
  it("counts the scenarios where legacy leaks, and each other mode's violations by gap class", () => {
    expect(headlineParagraphs([leak, quiet])).toEqual([
      '2 scenarios, each run in 3 modes (docs/modes.md). A violation is a container that started an image which ' +
        "neither its pod's credentials nor the node's could pull at that moment.",
      'legacy, the kubelet without KEP-2535, lets a pod run such an image in 1 of the 2 scenarios (2 containers).',
      'The other modes (NVPreloaded, AlwaysVerify): each violation is a documented gap of the kubelet, by class ' +
        '(docs/campaigns.md, "Documented gaps"):',
      // Most frequent class first, ties by name.
      '  NVPreloaded: 4 violations in 2 scenarios (preloaded 2, node-wide 1, revocation 1)',
      '  AlwaysVerify: 1 violation in 1 scenario (revocation 1)',
    ]);
  });

  it('calls out a violation no documented gap explains, and says when the other modes have none', () => {
    const bug = comparison('bug', [
      summary('AlwaysVerify', { violations: 1, violationsByGap: { unexplained: 1 } }),
    ]);
    expect(headlineParagraphs([bug])).toEqual([
      expect.stringMatching(/^1 scenario, each run in 1 mode /),
      'The other modes (AlwaysVerify): 1 violation no documented gap explains (a simulator bug: please report it); by class:',
      '  AlwaysVerify: 1 violation in 1 scenario (unexplained 1)',
    ]);
    const clean = comparison('clean', [summary('legacy'), summary('AlwaysVerify')]);
    expect(headlineParagraphs([clean]).slice(1)).toEqual([
      'legacy, the kubelet without KEP-2535, lets a pod run such an image in 0 of the 1 scenarios (0 containers).',
      'The other modes (AlwaysVerify): no violation.',
    ]);
    expect(headlineParagraphs([comparison('legacy-only', [summary('legacy')])])).toHaveLength(2);
  });

  it('is wrapped to the terminal width, mode lines indented', () => {
    const lines = headlineText([leak, quiet], 60).trimEnd().split('\n');
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(60);
    expect(lines.filter((line) => line.startsWith('  NVPreloaded'))).toHaveLength(1);
  });
});

describe('the gap classes of a comparison', () => {
  it('add up to the violations in every mode of every bundled scenario, none unexplained', () => {
    for (const { scenario } of loadScenarios([join(root, 'scenarios')])) {
      for (const s of compareScenario(scenario).summaries) {
        const counts = Object.values(s.violationsByGap);
        expect(
          counts.reduce((sum, n) => sum + n, 0),
          `${scenario.name} ${s.mode}`,
        ).toBe(s.violations);
        expect(s.violationsByGap).not.toHaveProperty('unexplained');
      }
    }
  });
});

describe('the overview table', () => {
  it('has one row per scenario: violations / started per mode, and the description in one line', () => {
    expect(tableRows(overviewTable([leak, quiet]))).toEqual([
      ['scenario', 'legacy', 'NV', 'Always', 'what it shows'],
      ['', '', 'Pre-', 'Verify', ''],
      ['', '', 'loaded', '', ''],
      ['leak', '2/2', '3/2', '1/2', 'Tenant B runs (without credentials) a private image.'],
      ['quiet', '0/2', '1/2', '0/2', ''],
    ]);
  });

  it('in Markdown: the headline, then the rows, names linking to their sections', () => {
    const markdown = overviewMarkdown([leak, quiet]);
    expect(markdown.split('\n').slice(0, 2)).toEqual(['## Summary', '']);
    expect(markdown).toContain('\n- NVPreloaded: 4 violations in 2 scenarios');
    expect(markdown).toContain(
      '| [leak](#leak) | 2 / 2 | 3 / 2 | 1 / 2 | Tenant B runs (without credentials) a private image. |',
    );
  });

  it('`compare scenarios/` fits 120 columns, unless a long scenario name leaves the description too little', async () => {
    const stdout = await compareLibrary();
    const lines = stdout.trimEnd().split('\n');
    const table = lines.filter((line) => /^[┌│├└]/.test(line));
    const rows = tableRows(stdout).slice(3);
    expect(rows.length).toBeGreaterThan(30);
    const widths = new Set(table.map((line) => [...line].length));
    expect(widths.size).toBe(1);
    const [width] = [...widths] as [number];
    const descriptionWidth = Math.max(...rows.map((row) => row.at(-1)?.length ?? 0));
    if (width > TERMINAL_COLUMNS) {
      // Only the names can push the table wider: the description is then at its minimum, and the same table with
      // names of 20 characters fits.
      expect(descriptionWidth).toBeLessThanOrEqual(30);
      const comparisons = (await libraryComparisons()).map((c, i) => ({ ...c, scenario: `scenario-${i}` }));
      for (const line of overviewTable(comparisons).trimEnd().split('\n'))
        expect([...line].length).toBe(TERMINAL_COLUMNS);
    }
    for (const line of lines.filter((line) => !/^[┌│├└]/.test(line)))
      expect([...line].length).toBeLessThanOrEqual(TERMINAL_COLUMNS);
    // The headline comes first; no per-scenario table without --detail.
    expect(lines[0]).toMatch(/^\d+ scenarios, each run in 6 modes/);
    expect(stdout).not.toContain('registry auth failures');
  });

  it("`compare scenarios/ --detail` adds each scenario's table, its description wrapped to 120 columns", async () => {
    const stdout = await compareLibrary('--detail');
    expect(stdout).toContain('registry auth failures');
    for (const line of stdout.split('\n').filter((line) => !/^[┌│├└]/.test(line)))
      expect([...line].length).toBeLessThanOrEqual(TERMINAL_COLUMNS);
  });
});

describe("README's example of `npm start`", () => {
  it('is the real output, lines elided with … aside', async () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const marker = readme.indexOf('<!-- npm-start-output');
    expect(marker).toBeGreaterThan(0);
    const example = (/```text\n([\s\S]*?)```/.exec(readme.slice(marker))?.[1] ?? '').split('\n');
    const output = (await compareLibrary()).split('\n');
    const shown = example.filter((line) => line !== '…' && line !== '');
    expect(shown.length).toBeGreaterThan(15);
    // Every line shown is a line of the output, in the output's order; … stands for lines left out.
    let at = 0;
    for (const line of shown) {
      const found = output.indexOf(line, at);
      expect(found, line).toBeGreaterThanOrEqual(at);
      at = found + 1;
    }
    expect(example.slice(0, 10)).toEqual(output.slice(0, 10));
  });
});

describe('one-line descriptions and wrapping', () => {
  it('oneLine: the first sentence, then without asides, then up to a colon, then cut at a word', () => {
    expect(oneLine('First one. Second one.', 40)).toBe('First one.');
    expect(oneLine('Uses e.g. a tag. Then more.', 40)).toBe('Uses e.g. a tag.');
    expect(oneLine('A world (with (nested) asides) here. More.', 20)).toBe('A world here.');
    expect(oneLine('The crash-between world: the intent stays on disk for long.', 30)).toBe(
      'The crash-between world',
    );
    expect(oneLine('Short: x', 5)).toBe('Shor…');
    expect(oneLine('Node-wide credentials pull a private image for a pod', 30)).toBe(
      'Node-wide credentials pull a…',
    );
    expect(oneLine('', 10)).toBe('');
  });

  it('oneLine never exceeds the width and never spans lines', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), fc.integer({ min: 1, max: 200 }), (text, width) => {
        const line = oneLine(text, width);
        expect(line.length).toBeLessThanOrEqual(width);
        expect(line).not.toMatch(/\n/);
      }),
    );
  });

  it('wrapText keeps every word, in order, in lines of at most the width unless a word is longer', () => {
    fc.assert(
      fc.property(
        fc.array(fc.stringMatching(/^[a-z]{1,12}$/), { maxLength: 60 }),
        fc.integer({ min: 8, max: 120 }),
        fc.boolean(),
        (words, width, indented) => {
          const text = `${indented ? '  ' : ''}${words.join(' ')}`;
          const lines = wrapText(text, width);
          expect(
            lines
              .join(' ')
              .split(/\s+/)
              .filter((w) => w !== ''),
          ).toEqual(words);
          for (const line of lines)
            expect(line.length <= width || line.trim().split(' ').length === 1).toBe(true);
          if (indented) for (const line of lines) expect(line.startsWith('  ')).toBe(true);
        },
      ),
    );
  });
});
