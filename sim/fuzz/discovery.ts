/**
 * Discovery rates of campaigns: over several campaign seeds, in how many runs each finding class (and each broken
 * invariant) appears, and after how many runs it was first seen. docs/campaigns.md ("Discovery rates") quotes
 * the tables this prints, with the commands that print them.
 */
import type { CampaignOptions, RunVerdict } from './campaign.js';
import { checkRun, shardIndices } from './campaign.js';

export interface DiscoveryOptions extends Omit<CampaignOptions, 'seed' | 'runs' | 'shard'> {
  readonly seeds: readonly number[];
  /** Runs per campaign (at most, with `stopWhenFound`). */
  readonly runs: number;
  /** Stop a campaign once every one of these targets was seen (for "runs until first found"). */
  readonly stopWhenFound?: readonly string[];
}

/** What one campaign seed found: per target, the runs it appeared in and the 1-based run it first appeared in. */
export interface SeedDiscovery {
  readonly seed: number;
  readonly runs: number;
  readonly targets: Readonly<Record<string, { readonly runs: number; readonly first: number }>>;
}

/**
 * What a run shows: its finding classes, and `invariant:<name>` for each invariant it broke (a planted bug shows
 * as `invariant:safety`).
 */
export function runTargets(verdict: Pick<RunVerdict, 'findings' | 'failures'>): string[] {
  const targets = new Set(Object.keys(verdict.findings));
  for (const failure of verdict.failures) targets.add(`invariant:${failure.invariant}`);
  return [...targets].sort();
}

/** Runs the campaigns (in this thread) and gathers, per seed, where each target was seen. */
export function measureDiscovery(options: DiscoveryOptions): SeedDiscovery[] {
  const { seeds, runs, stopWhenFound, ...check } = options;
  return seeds.map((seed) => {
    const targets: Record<string, { runs: number; first: number }> = {};
    let checked = 0;
    for (const index of shardIndices(runs)) {
      checked++;
      for (const target of runTargets(checkRun(seed, index, check))) {
        const seen = targets[target] ?? { runs: 0, first: index + 1 };
        targets[target] = { ...seen, runs: seen.runs + 1 };
      }
      if (stopWhenFound?.every((t) => targets[t] !== undefined)) break;
    }
    return { seed, runs: checked, targets: sortedRecord(targets) };
  });
}

/**
 * The table people read: one row per target, with the seeds whose campaign found it, the runs it appeared in
 * (mean over the seeds), and the runs until it was first found (mean over the seeds that found it; a seed that
 * did not counts its whole campaign, marked `≥`).
 */
export function formatDiscovery(results: readonly SeedDiscovery[], only?: readonly string[]): string {
  const names = only ?? [...new Set(results.flatMap((r) => Object.keys(r.targets)))].sort();
  const seeds = results.length;
  const runs = [...new Set(results.map((r) => r.runs))];
  const lines = [
    `${seeds} campaigns (seeds ${results.map((r) => r.seed).join(',')}), ${runs.length === 1 ? runs[0] : `${Math.min(...runs)}–${Math.max(...runs)}`} runs each`,
    '',
    '| target | seeds that found it | runs showing it (mean) | runs until first found (mean) |',
    '|---|---|---|---|',
  ];
  for (const name of names) {
    const found = results.filter((r) => r.targets[name] !== undefined);
    const showing = results.reduce((n, r) => n + (r.targets[name]?.runs ?? 0), 0) / seeds;
    const first = results.reduce((n, r) => n + (r.targets[name]?.first ?? r.runs), 0) / seeds;
    const bound = found.length < seeds ? '≥ ' : '';
    lines.push(`| \`${name}\` | ${found.length}/${seeds} | ${round(showing)} | ${bound}${round(first)} |`);
  }
  return `${lines.join('\n')}\n`;
}

function round(n: number): string {
  return n.toFixed(1);
}

function sortedRecord<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
