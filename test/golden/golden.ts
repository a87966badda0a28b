import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { runBenchSuite } from '../../sim/bench/suite.js';
import { WORKLOAD_PRESETS } from '../../sim/bench/workload.js';
import { loadScenarios } from '../../sim/files.js';
import { runCampaign } from '../../sim/fuzz/campaign.js';
import { runScenario } from '../../sim/run.js';
import { MODES, type RunMode } from '../../sim/scenario/types.js';

/*
 * Golden results: what every bundled scenario, the small and medium benchmarks and three fuzz campaigns produce
 * today, kept in the repository so that refactors and speed work can prove they changed nothing. Each file is
 * small enough to review in a diff: hashes for the large parts, the counts people read in full.
 */

const GOLDEN_DIR = new URL('./data/', import.meta.url).pathname;
const SCENARIO_DIR = new URL('../../scenarios/', import.meta.url).pathname;

/** Every mode a result is recorded in: the scenario's own configuration and the six modes. */
const GOLDEN_MODES: readonly RunMode[] = ['as-configured', ...MODES];

/** Fields of a bench run that measure the machine, not the simulation. */
const MACHINE_FIELDS = ['wallMs', 'eventsPerWallSecond', 'podStartsPerWallSecond', 'peakRssMb'] as const;

export const GOLDEN_FUZZ_SEEDS = [1, 2, 3] as const;
export const GOLDEN_FUZZ_RUNS = 300;

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** One scenario in one mode: the trace hash, a hash of the rest of the result (final files included), and counts. */
export interface ScenarioGolden {
  readonly traceHash: string;
  readonly resultHash: string;
  readonly containersStarted: number;
  readonly violations: number;
  readonly registryPulls: number;
  readonly outcome: string;
}

export function scenarioGolden(): Record<string, Record<string, ScenarioGolden>> {
  const out: Record<string, Record<string, ScenarioGolden>> = {};
  for (const { file, scenario } of loadScenarios([SCENARIO_DIR])) {
    const byMode: Record<string, ScenarioGolden> = {};
    for (const mode of GOLDEN_MODES) {
      const { result } = runScenario(scenario, { mode, keepTrace: false, includeFiles: true });
      const { traceHash, ...rest } = result;
      byMode[mode] = {
        traceHash,
        resultHash: sha256(JSON.stringify(rest)),
        containersStarted: result.totals.containersStarted,
        violations: result.totals.violations,
        registryPulls: result.totals.registry.pulls,
        outcome: result.outcome,
      };
    }
    out[basename(file)] = byMode;
  }
  return out;
}

/** `pullsim bench --workload NAME --json` without the machine's own figures (wall time, rates, memory). */
export function benchGolden(workload: 'small' | 'medium'): unknown {
  const suite = runBenchSuite(WORKLOAD_PRESETS[workload]);
  return {
    ...suite,
    runs: suite.runs.map((run) => {
      const copy: Record<string, unknown> = { ...run };
      for (const field of MACHINE_FIELDS) delete copy[field];
      return copy;
    }),
  };
}

/** The summary of `pullsim fuzz --seed SEED --runs 300`. */
export function fuzzGolden(seed: number): unknown {
  return runCampaign({ seed, runs: GOLDEN_FUZZ_RUNS }).summary;
}

/** Golden files are rewritten instead of compared when PULLSIM_UPDATE_GOLDEN=1 (npm run golden:update). */
const UPDATING = process.env.PULLSIM_UPDATE_GOLDEN === '1';

/** The stored value of a golden file, or (when updating) stores `actual` and returns it. */
export function golden(name: string, actual: unknown): unknown {
  const path = join(GOLDEN_DIR, name);
  const text = `${JSON.stringify(actual, null, 1)}\n`;
  if (UPDATING || !existsSync(path)) {
    if (!UPDATING) throw new Error(`missing golden file ${path}: run npm run golden:update`);
    mkdirSync(GOLDEN_DIR, { recursive: true });
    writeFileSync(path, text);
  }
  return JSON.parse(readFileSync(path, 'utf8'));
}
