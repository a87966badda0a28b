/**
 * docs/conformance.md's generated part: the counts and one row per upstream case, from the registry in cases.ts.
 */
import { KUBELET_VERSIONS, type KubeletVersion } from '../../src/profiles.js';
import { caseState, caseVersions, type UpstreamTest } from './upstream-case.js';

/** `1.33–1.36` for a contiguous run of versions, runs joined by commas. */
function versionRanges(versions: readonly KubeletVersion[]): string {
  const indexes = [...new Set(versions.map((v) => KUBELET_VERSIONS.indexOf(v)))].sort((a, b) => a - b);
  const runs: string[] = [];
  let start = 0;
  for (let i = 1; i <= indexes.length; i++) {
    if (i < indexes.length && (indexes[i] as number) === (indexes[i - 1] as number) + 1) continue;
    const first = KUBELET_VERSIONS[indexes[start] as number];
    const last = KUBELET_VERSIONS[indexes[i - 1] as number];
    runs.push(first === last ? `${first}` : `${first}–${last}`);
    start = i;
  }
  return runs.join(', ');
}

function cell(text: string): string {
  return text.replaceAll('|', '\\|').replaceAll('\n', ' ');
}

interface Row {
  readonly file: string;
  readonly test: string;
  readonly case: string;
  readonly versions: string;
  readonly state: string;
  readonly passing: string;
  readonly notPorted?: string;
  readonly failing: boolean;
}

function rows(tests: readonly UpstreamTest<unknown>[]): Row[] {
  return tests.flatMap((test) =>
    test.cases.map((upstream) => {
      const state = caseState(upstream);
      const base = {
        file: test.file,
        test: test.test,
        case: upstream.case,
        versions: versionRanges(caseVersions(test, upstream)),
      };
      if (state.kind === 'not-ported') {
        return {
          ...base,
          state: `not ported: ${state.reason}`,
          passing: '—',
          notPorted: state.reason,
          failing: false,
        };
      }
      if (state.kind === 'failing')
        return { ...base, state: `ported, failing: ${state.why}`, passing: 'no', failing: true };
      const ported = state.option === undefined ? 'ported' : `ported under ${state.option}`;
      return { ...base, state: ported, passing: 'yes', failing: false };
    }),
  );
}

function summary(all: readonly Row[]): string {
  const ported = all.filter((r) => r.notPorted === undefined);
  const failing = ported.filter((r) => r.failing).length;
  const reasons = new Map<string, number>();
  for (const r of all)
    if (r.notPorted !== undefined) reasons.set(r.notPorted, (reasons.get(r.notPorted) ?? 0) + 1);
  const passing = failing === 0 ? 'all passing' : `${ported.length - failing} passing, ${failing} failing`;
  const lines = [
    `${all.length} upstream cases, ${ported.length} ported, ${passing}; ${all.length - ported.length} not ported${reasons.size > 0 ? ':' : '.'}`,
  ];
  for (const [reason, count] of [...reasons].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))) {
    lines.push(`- ${count}: ${reason}`);
  }
  return lines.join('\n');
}

/** The markdown between docs/conformance.md's markers: the counts, then the table. */
export function conformanceTable(tests: readonly UpstreamTest<unknown>[]): string {
  const all = rows(tests);
  const table = [
    '| upstream file | test | case | versions | state | passing |',
    '|---|---|---|---|---|---|',
    ...all.map(
      (r) =>
        `| \`${r.file}\` | ${r.test} | ${cell(r.case)} | ${r.versions} | ${cell(r.state)} | ${r.passing} |`,
    ),
  ];
  return `${summary(all)}\n\n${table.join('\n')}`;
}
