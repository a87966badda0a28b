import Table from 'cli-table3';
import type { ModeSummary, ScenarioComparison } from '../compare.js';
import type { GapClass } from '../gaps.js';
import { oneLine, TERMINAL_COLUMNS, wrapText } from './lines.js';
import { modeTitle } from './text.js';

/** One figure of the headline: violations in one mode over the library. */
interface ModeTally {
  readonly mode: string;
  readonly violations: number;
  /** Scenarios with at least one violation. */
  readonly scenarios: number;
  readonly byGap: ReadonlyMap<GapClass, number>;
}

function tally(comparisons: readonly ScenarioComparison[], mode: string): ModeTally {
  const summaries = comparisons.flatMap((c) => c.summaries.filter((s) => s.mode === mode));
  const byGap = new Map<GapClass, number>();
  for (const summary of summaries)
    for (const [gap, count] of gapEntries(summary)) byGap.set(gap, (byGap.get(gap) ?? 0) + count);
  return {
    mode,
    violations: summaries.reduce((sum, s) => sum + s.violations, 0),
    scenarios: summaries.filter((s) => s.violations > 0).length,
    byGap,
  };
}

function gapEntries(summary: ModeSummary): [GapClass, number][] {
  return (Object.entries(summary.violationsByGap) as [GapClass, number][]).filter(([, n]) => n > 0);
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** `revocation 4, rotation 1`: the classes by count, most first, then by name. */
function gapList(byGap: ReadonlyMap<GapClass, number>): string {
  return [...byGap]
    .sort(([a, m], [b, n]) => n - m || (a < b ? -1 : 1))
    .map(([gap, n]) => `${gap} ${n}`)
    .join(', ');
}

/** A mode's line: `AlwaysVerify: 7 violations in 4 scenarios (revocation 6, rotation 1)`. */
function modeLine(t: ModeTally): string {
  if (t.violations === 0) return `${modeTitle(t.mode)}: no violation`;
  return `${modeTitle(t.mode)}: ${plural(t.violations, 'violation')} in ${plural(t.scenarios, 'scenario')} (${gapList(t.byGap)})`;
}

/**
 * The headline of a library comparison, in sentences computed from the results: how many scenarios, where legacy
 * lets a pod run an image its credentials could not pull, and each other mode's violations by documented gap
 * class (sim/gaps.ts), with `unexplained` ones called out as the simulator bugs they would be.
 */
export function headlineParagraphs(comparisons: readonly ScenarioComparison[]): string[] {
  const modes = comparisons[0]?.summaries.map((s) => s.mode) ?? [];
  const n = comparisons.length;
  const paragraphs = [
    `${plural(n, 'scenario')}, each run in ${plural(modes.length, 'mode')} (docs/modes.md). A violation is a container ` +
      `that started an image which neither its pod's credentials nor the node's could pull at that moment.`,
  ];
  if (modes.includes('legacy')) {
    const legacy = tally(comparisons, 'legacy');
    paragraphs.push(
      `legacy, the kubelet without KEP-2535, lets a pod run such an image in ${legacy.scenarios} of the ${n} ` +
        `scenarios (${plural(legacy.violations, 'container')}).`,
    );
  }
  const others = modes.filter((m) => m !== 'legacy').map((m) => tally(comparisons, m));
  const violating = others.filter((t) => t.violations > 0);
  if (others.length > 0) {
    const unexplained = violating.reduce((sum, t) => sum + (t.byGap.get('unexplained') ?? 0), 0);
    const verdict =
      violating.length === 0
        ? 'no violation.'
        : unexplained === 0
          ? 'each violation is a documented gap of the kubelet, by class (docs/campaigns.md, "Documented gaps"):'
          : `${plural(unexplained, 'violation')} no documented gap explains (a simulator bug: please report it); by class:`;
    paragraphs.push(
      `The other modes (${others.map((t) => modeTitle(t.mode)).join(', ')}): ${verdict}`,
      ...violating.map((t) => `  ${modeLine(t)}`),
    );
  }
  return paragraphs;
}

/** The headline as terminal text: its paragraphs wrapped to `width` columns. */
export function headlineText(comparisons: readonly ScenarioComparison[], width = TERMINAL_COLUMNS): string {
  return `${headlineParagraphs(comparisons)
    .flatMap((p) => wrapText(p, width))
    .join('\n')}\n`;
}

/**
 * A mode's column title on two or three lines (`NV` / `Pre-` / `loaded`), so that six modes fit beside a scenario
 * name and its description.
 */
function shortTitle(mode: string): string {
  return modeTitle(mode)
    .replace(
      /^NV(Preloaded|Allowlisted)$/,
      (_, rest: string) => `NV\n${rest.replace(/^(Pre|Allow)/, '$1-\n')}`,
    )
    .replace(/^(always-|as-|Always|Never)(?=.)/, '$1\n');
}

/** The description is never cut shorter than this; a longer scenario name then widens the line past `width`. */
const MIN_DESCRIPTION = 30;

/**
 * The library at a glance (`pullsim compare` on several files): one row per scenario with `violations / started`
 * in each mode and its description cut to one line, so that every line fits `width` columns unless a scenario's
 * name is too long to leave the description `MIN_DESCRIPTION` columns.
 */
export function overviewTable(comparisons: readonly ScenarioComparison[], width = TERMINAL_COLUMNS): string {
  const modes = comparisons[0]?.summaries.map((s) => s.mode) ?? [];
  const cells = comparisons.map((c) => c.summaries.map((s) => `${s.violations}/${s.started}`));
  const longest = (lines: readonly string[]) => Math.max(...lines.map((l) => l.length));
  const nameWidth = longest(['scenario', ...comparisons.map((c) => c.scenario)]);
  const modeWidths = modes.map((mode, i) =>
    longest([...shortTitle(mode).split('\n'), ...cells.map((row) => row[i] ?? '')]),
  );
  // Each column takes its content, a space either side and a border; then the description's and the last border.
  const used = [nameWidth, ...modeWidths].reduce((sum, w) => sum + w + 3, 0);
  const descriptionWidth = Math.max(MIN_DESCRIPTION, width - used - 4);
  const table = new Table({
    head: ['scenario', ...modes.map(shortTitle), 'what it shows'],
    style: { head: [], border: [], compact: true },
  });
  comparisons.forEach((c, i) => {
    table.push([c.scenario, ...(cells[i] ?? []), oneLine(c.description ?? '', descriptionWidth)]);
  });
  return `${table.toString()}\n`;
}
