import { inShard, type Shard } from '../fuzz/campaign.js';
import type { Mode } from '../scenario/types.js';
import type { BenchRun } from './run.js';
import { type BenchJob, checkStrategies, runBenchJob } from './suite.js';
import {
  pointStrategies,
  pointWorkload,
  type SweepParameter,
  type SweepPoint,
  sweepPoints,
} from './sweep-params.js';
import type { Workload } from './workload.js';

/*
 * `pullsim bench --sweep`: a workload under each combination of swept parameters (sim/bench/sweep-params.ts), each
 * combination run under every strategy and mode as a plain bench would run it. The runs are the suite's jobs
 * (sim/bench/suite.ts runBenchJob), so a combination's counts are exactly a plain bench's of the same workload.
 * `--shard I/N` keeps the combinations whose index mod N is I − 1; the shards' results merge back into the whole
 * sweep (sim/bench/sweep-merge.ts).
 */

/** The measures of a run that are this machine's real time and memory: not deterministic, marked as such. */
export const REAL_TIME_FIELDS = [
  'wallMs',
  'eventsPerWallSecond',
  'podStartsPerWallSecond',
  'peakRssMb',
] as const;
type RealTimeField = (typeof REAL_TIME_FIELDS)[number];

/** A run's deterministic figures: counts and virtual time, identical on every machine and in every shard. */
export type SweepCounts = Omit<BenchRun, RealTimeField>;
/** A run's real-time figures (wall time, events and pod starts per wall second, peak memory). */
export type SweepRealTime = Pick<BenchRun, RealTimeField>;

/** One run of a sweep: a combination, a strategy and a mode. */
export interface SweepRow {
  /** The combination's index in the whole sweep (0-based, the order of `sweepPoints`). */
  readonly combination: number;
  readonly parameters: SweepPoint;
  /** The strategy as listed (a template keeps its `*`): what a chart draws as one line. */
  readonly series: string;
  /** The strategy as run. */
  readonly strategy: string;
  readonly mode: Mode;
  readonly run: SweepCounts;
  /** This machine's real time and memory for the run; left out when results are compared. */
  readonly realTime: SweepRealTime;
}

/** What a sweep is, shared by all its shards: the base workload, the parameters, strategies and modes. */
export interface SweepHeader {
  readonly kind: 'pullsim-bench-sweep';
  readonly workload: Workload;
  readonly parameters: readonly SweepParameter[];
  readonly strategies: readonly string[];
  readonly modes: readonly Mode[];
  /** How many combinations the whole sweep has (all shards together). */
  readonly combinations: number;
}

/** A sweep's result (`--json`); `shard` only for one shard's. */
export interface SweepResult extends SweepHeader {
  readonly shard?: Shard;
  readonly rows: readonly SweepRow[];
}

export interface SweepOptions {
  readonly parameters: readonly SweepParameter[];
  readonly strategies: readonly string[];
  readonly modes: readonly Mode[];
  readonly shard?: Shard | undefined;
}

/** A planned row: which job (among the plan's distinct jobs) gives its run. */
interface PlannedRow extends Omit<SweepRow, 'run' | 'realTime'> {
  readonly job: number;
}

/** The runs a sweep (or a shard of it) needs, each distinct (workload, strategy, mode) once. */
export interface SweepPlan {
  readonly header: SweepHeader;
  readonly shard: Shard | undefined;
  readonly jobs: readonly { readonly workload: Workload; readonly job: BenchJob }[];
  readonly rows: readonly PlannedRow[];
}

/**
 * Plans a sweep: every combination's workload and strategies are checked first (bad input throws before any run),
 * then the shard's combinations become rows, in combination, mode, strategy order. Rows that run the same
 * workload, strategy and mode (a strategy not swept, while only a strategy template varies) share one job.
 */
export function planSweep(base: Workload, options: SweepOptions): SweepPlan {
  const { parameters, modes, shard } = options;
  const { templates, instantiate } = pointStrategies(options.strategies, parameters);
  const points = sweepPoints(parameters);
  const combinations = points.map((point, index) => {
    const strategies = instantiate(point);
    checkStrategies(strategies);
    return { index, point, workload: pointWorkload(base, parameters, point), strategies };
  });
  const jobs: { workload: Workload; job: BenchJob }[] = [];
  const jobIndex = new Map<string, number>();
  const rows: PlannedRow[] = [];
  for (const { index, point, workload, strategies } of combinations) {
    if (shard !== undefined && !inShard(index, shard)) continue;
    for (const mode of modes) {
      strategies.forEach((strategy, s) => {
        const key = JSON.stringify([workload, strategy, mode]);
        let job = jobIndex.get(key);
        if (job === undefined) {
          job = jobs.push({ workload, job: { kind: 'run', strategy, mode } }) - 1;
          jobIndex.set(key, job);
        }
        rows.push({
          combination: index,
          parameters: point,
          series: templates[s] as string,
          strategy,
          mode,
          job,
        });
      });
    }
  }
  const header: SweepHeader = {
    kind: 'pullsim-bench-sweep',
    workload: base,
    parameters,
    strategies: templates,
    modes,
    combinations: points.length,
  };
  return { header, shard, jobs, rows };
}

/** A run split into its deterministic figures and its real-time ones. */
function splitRun(run: BenchRun): { run: SweepCounts; realTime: SweepRealTime } {
  const counts: Record<string, unknown> = { ...run };
  const realTime: Record<string, unknown> = {};
  for (const field of REAL_TIME_FIELDS) {
    realTime[field] = run[field];
    delete counts[field];
  }
  return { run: counts as SweepCounts, realTime: realTime as SweepRealTime };
}

/** The result of a sweep from its jobs' runs (`runs[i]` answers `plan.jobs[i]`). */
export function assembleSweep(plan: SweepPlan, runs: readonly BenchRun[]): SweepResult {
  const rows = plan.rows.map(({ job, ...row }) => ({ ...row, ...splitRun(runs[job] as BenchRun) }));
  return sweepResult(plan.header, plan.shard, rows);
}

/** The result's fields in one order, whether it is a whole sweep, a shard, or shards merged. */
export function sweepResult(
  header: SweepHeader,
  shard: Shard | undefined,
  rows: readonly SweepRow[],
): SweepResult {
  const { kind, workload, parameters, strategies, modes, combinations } = header;
  return {
    kind,
    workload,
    parameters,
    strategies,
    modes,
    combinations,
    ...(shard === undefined ? {} : { shard }),
    rows,
  };
}

/** The whole sweep in this thread, job after job. */
export function runSweep(
  plan: SweepPlan,
  onProgress?: (label: string, fraction: number) => void,
): SweepResult {
  const runs = plan.jobs.map(({ workload, job }) => runBenchJob(workload, job, onProgress) as BenchRun);
  return assembleSweep(plan, runs);
}
