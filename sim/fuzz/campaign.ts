import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { KubeletProfile } from '../../src/profiles.js';
import type { Mode, Scenario } from '../scenario/types.js';
import { scenarioArb, scenarioFeatures, swarmProfileArb } from './generate.js';
import {
  DEFAULT_FUZZ_MODES,
  evaluateScenario,
  INVARIANTS,
  type InvariantFailure,
  type InvariantName,
} from './invariants.js';
import type { SwarmProfile } from './plan.js';

/** Which slice of a campaign this process runs: shard `index` (1-based) of `count`. */
export interface Shard {
  readonly index: number;
  readonly count: number;
}

export interface CampaignOptions {
  readonly seed: number;
  readonly runs: number;
  readonly modes?: readonly Mode[];
  readonly shard?: Shard;
  /** TEST ONLY: a planted model bug (see KubeletProfile.plantedBug). */
  readonly profileOverrides?: Partial<Omit<KubeletProfile, 'version'>>;
}

/** One random run: its index, what was generated, and what the invariants said. */
export interface RunVerdict {
  readonly index: number;
  readonly profile: SwarmProfile;
  readonly features: readonly string[];
  readonly failures: readonly InvariantFailure[];
  readonly findings: Readonly<Record<string, number>>;
  readonly simulations: number;
}

/** Whether shard `index`/`count` owns run (or sweep combination) `i`: `i mod count = index − 1`. */
export function inShard(i: number, shard: Shard): boolean {
  return i % shard.count === shard.index - 1;
}

/** The indices of a campaign's runs that a shard owns: every `count`-th run, starting at `index − 1`. */
export function shardIndices(runs: number, shard: Shard = { index: 1, count: 1 }): number[] {
  if (!Number.isSafeInteger(shard.count) || shard.count < 1 || shard.index < 1 || shard.index > shard.count) {
    throw new RangeError(`shard must be I/N with 1 <= I <= N, got ${shard.index}/${shard.count}`);
  }
  const out: number[] = [];
  for (let i = shard.index - 1; i < runs; i += shard.count) out.push(i);
  return out;
}

/** The fast-check seed of run `index` of campaign `seed`: independent of shards, workers and the number of runs. */
export function runSeed(seed: number, index: number): number {
  return createHash('sha256').update(`pullsim-fuzz:${seed}:${index}`).digest().readInt32BE(0);
}

/** The swarm profile and scenario of one run, reproducible from (seed, index) alone. */
export function generateRun(seed: number, index: number): { profile: SwarmProfile; scenario: Scenario } {
  const arbitrary = swarmProfileArb.chain((profile) =>
    scenarioArb(profile, `fuzz-seed${seed}-run${index}`).map((scenario) => ({ profile, scenario })),
  );
  // Generated without fast-check's small-value bias (which favours tiny values in the first runs of a property):
  // every run of a campaign should explore the full range.
  return arbitrary.generate(new fc.Random(xoroshiro128plus(runSeed(seed, index))), undefined).value;
}

/** Generates and checks one run. */
export function checkRun(
  seed: number,
  index: number,
  options: Omit<CampaignOptions, 'seed' | 'runs' | 'shard'> = {},
): RunVerdict {
  const { profile, scenario } = generateRun(seed, index);
  const verdict = evaluateScenario(scenario, {
    modes: options.modes ?? DEFAULT_FUZZ_MODES,
    ...(options.profileOverrides === undefined ? {} : { profileOverrides: options.profileOverrides }),
  });
  return { index, profile, features: scenarioFeatures(scenario), ...verdict };
}

/** What a campaign (or a shard of one) found, in a form that merges across shards. */
export interface CampaignSummary {
  readonly seed: number;
  /** Runs checked (a time limit can stop a campaign early). */
  readonly runs: number;
  readonly simulations: number;
  readonly failuresByInvariant: Readonly<Record<InvariantName, number>>;
  /** Failed runs, by index, with the invariants they broke. */
  readonly failedRuns: readonly { readonly index: number; readonly invariants: readonly InvariantName[] }[];
  readonly findings: Readonly<Record<string, number>>;
  /** In how many runs each generated feature appeared. */
  readonly features: Readonly<Record<string, number>>;
}

export function summarize(seed: number, verdicts: readonly RunVerdict[]): CampaignSummary {
  const failuresByInvariant = Object.fromEntries(INVARIANTS.map((name) => [name, 0])) as Record<
    InvariantName,
    number
  >;
  const findings: Record<string, number> = {};
  const features: Record<string, number> = {};
  const failedRuns: { index: number; invariants: InvariantName[] }[] = [];
  let simulations = 0;
  for (const verdict of [...verdicts].sort((a, b) => a.index - b.index)) {
    simulations += verdict.simulations;
    const broken = [...new Set(verdict.failures.map((f) => f.invariant))].sort();
    for (const name of broken) failuresByInvariant[name]++;
    if (broken.length > 0) failedRuns.push({ index: verdict.index, invariants: broken });
    for (const [name, count] of Object.entries(verdict.findings))
      findings[name] = (findings[name] ?? 0) + count;
    for (const feature of verdict.features) features[feature] = (features[feature] ?? 0) + 1;
  }
  return {
    seed,
    runs: verdicts.length,
    simulations,
    failuresByInvariant,
    failedRuns,
    findings: sortKeys(findings),
    features: sortKeys(features),
  };
}

/** Merges shard summaries of one campaign into the summary of the whole. */
export function mergeSummaries(summaries: readonly CampaignSummary[]): CampaignSummary {
  const first = summaries[0];
  if (first === undefined) throw new Error('no summaries to merge');
  const add = (target: Record<string, number>, source: Readonly<Record<string, number>>) => {
    for (const [k, v] of Object.entries(source)) target[k] = (target[k] ?? 0) + v;
  };
  const failuresByInvariant = Object.fromEntries(INVARIANTS.map((name) => [name, 0])) as Record<
    InvariantName,
    number
  >;
  const findings: Record<string, number> = {};
  const features: Record<string, number> = {};
  for (const s of summaries) {
    add(failuresByInvariant, s.failuresByInvariant);
    add(findings, s.findings);
    add(features, s.features);
  }
  return {
    seed: first.seed,
    runs: summaries.reduce((n, s) => n + s.runs, 0),
    simulations: summaries.reduce((n, s) => n + s.simulations, 0),
    failuresByInvariant,
    failedRuns: summaries.flatMap((s) => s.failedRuns).sort((a, b) => a.index - b.index),
    findings: sortKeys(findings),
    features: sortKeys(features),
  };
}

/** Runs a campaign (or one shard of it) in this thread. */
export function runCampaign(
  options: CampaignOptions,
  onVerdict?: (verdict: RunVerdict) => boolean | undefined,
): { summary: CampaignSummary; verdicts: RunVerdict[] } {
  const verdicts: RunVerdict[] = [];
  for (const index of shardIndices(options.runs, options.shard)) {
    const verdict = checkRun(options.seed, index, options);
    verdicts.push(verdict);
    if (onVerdict?.(verdict) === false) break;
  }
  return { summary: summarize(options.seed, verdicts), verdicts };
}

/** The summary as people read it. */
export function formatSummary(
  summary: CampaignSummary,
  extra: { readonly stoppedEarly?: string } = {},
): string {
  const lines: string[] = [];
  const failed = summary.failedRuns.length;
  lines.push(
    `pullsim fuzz: seed ${summary.seed}, ${summary.runs} runs, ${summary.simulations} simulations${extra.stoppedEarly === undefined ? '' : ` (stopped early: ${extra.stoppedEarly})`}`,
  );
  lines.push('', 'Invariants (runs that broke each):');
  for (const name of INVARIANTS)
    lines.push(
      `  ${name.padEnd(16)} ${summary.failuresByInvariant[name] === 0 ? 'ok' : `${summary.failuresByInvariant[name]} FAILED`}`,
    );
  lines.push('', 'Findings (documented kubelet gaps seen in the fixed modes, by class):');
  const findings = Object.entries(summary.findings);
  if (findings.length === 0) lines.push('  none');
  for (const [name, count] of findings) lines.push(`  ${name.padEnd(28)} ${count}`);
  lines.push('', 'Generated features (runs containing each):');
  for (const [name, count] of Object.entries(summary.features)) lines.push(`  ${name.padEnd(36)} ${count}`);
  if (failed > 0) {
    lines.push('', 'Failed runs (replay one with: pullsim fuzz --seed <seed> --replay <index>):');
    for (const run of summary.failedRuns.slice(0, 20))
      lines.push(`  run ${run.index}: ${run.invariants.join(', ')}`);
    if (failed > 20) lines.push(`  … and ${failed - 20} more`);
  }
  lines.push('', `${summary.runs - failed} passed, ${failed} failed`);
  return `${lines.join('\n')}\n`;
}

function sortKeys(record: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
