import { InputError, type InputIssue } from '../errors.js';
import { Issues } from '../input/issues.js';
import { asMapping, fields, flag, integer, list, mapping, oneOf } from '../input/kit.js';
import { readYaml } from '../input/yaml.js';
import { MAX_SEED } from '../kernel/seed.js';
import { MODES } from '../scenario/types.js';
import { inShard, mergeSummaries, type Shard, shardIndices } from './campaign.js';
import { INVARIANTS, type InvariantName } from './invariants.js';
import { type FuzzReport, fuzzReport } from './report.js';

/*
 * `pullsim fuzz --merge`: the reports of a campaign's shards (`pullsim fuzz --shard I/N --json`, one file each)
 * checked to be one whole campaign and merged into the report the unsharded campaign prints. A run is a function
 * of (seed, index) alone and the shards partition the indices, so the merge is exact: counts add up, failed runs
 * interleave by index.
 */

const count = integer(0);
const shardSchema = fields({ index: integer(1), count: integer(1) });

/** A `pullsim fuzz --json` report, every field required. */
const reportSchema = fields({
  seed: integer(0, MAX_SEED),
  runs: count,
  simulations: count,
  failuresByInvariant: fields(
    Object.fromEntries(INVARIANTS.map((name) => [name, count])) as Record<InvariantName, typeof count>,
  ),
  failedRuns: list(fields({ index: count, invariants: list(oneOf(INVARIANTS)) })),
  findings: mapping(count),
  features: mapping(count),
  campaignRuns: count,
  modes: list(oneOf(MODES)),
  shard: shardSchema.nullable(),
  stoppedEarly: flag(),
});

/** One shard's report and the file it was read from. */
export interface ShardReport {
  readonly file: string;
  readonly report: FuzzReport;
}

/** Reads a `pullsim fuzz --json` report; bad input throws InputError with every problem. */
export function parseFuzzReport(text: string, file: string): FuzzReport {
  const { root, lineOf, offsetOf } = readYaml(text, file);
  if (!('failuresByInvariant' in asMapping(root))) {
    throw new InputError({
      code: 'invalid_value',
      file,
      line: 1,
      path: [],
      message: 'not a campaign report: expected the --json output of pullsim fuzz (with failuresByInvariant)',
    });
  }
  const issues = new Issues({ file, lineOf, offsetOf });
  const parsed = issues.parse(reportSchema, root, [], {
    missing: 'required field is missing (written by an older pullsim fuzz? run the shard again)',
  });
  issues.throwIfAny();
  return parsed as FuzzReport;
}

/**
 * Merges the reports of every shard of one campaign into the report of the whole campaign: byte for byte what
 * `pullsim fuzz` prints without `--shard`. Throws InputError when the reports are not one complete campaign:
 * different seeds, run counts, modes or shard counts, a shard given twice or missing, a report inconsistent with
 * its own shard.
 */
export function mergeFuzzReports(shards: readonly ShardReport[]): FuzzReport {
  const first = shards[0];
  if (first === undefined)
    throw new InputError({ code: 'missing', path: [], message: 'no reports to merge' });
  const issues = [
    ...shards.flatMap((shard) => differences(shard, first)),
    ...shards.flatMap(inconsistencies),
  ];
  const seen = new Map<number, string>();
  for (const { file, report } of shards) {
    const { index, count: of } = shardOf(report);
    const other = seen.get(index);
    if (other !== undefined)
      issues.push({
        code: 'duplicate',
        file,
        path: ['shard'],
        message: `shard ${index}/${of} is also ${other}`,
      });
    seen.set(index, file);
  }
  if (issues.length > 0) throw new InputError(issues);
  const { report } = first;
  const total = shardOf(report).count;
  const missing = Array.from({ length: total }, (_, i) => i + 1).filter((index) => !seen.has(index));
  if (missing.length > 0) {
    const shardList = (indices: readonly number[]) => indices.map((i) => `${i}/${total}`).join(', ');
    const given = shardList([...seen.keys()].sort((a, b) => a - b));
    throw new InputError({
      code: 'missing',
      path: [],
      message: `missing ${missing.length === 1 ? 'shard' : 'shards'} ${shardList(missing)} of the campaign with seed ${report.seed} and ${report.campaignRuns} runs (given: ${given})`,
    });
  }
  return fuzzReport(mergeSummaries(shards.map((shard) => shard.report)), {
    campaignRuns: report.campaignRuns,
    modes: report.modes,
    shard: null,
    stoppedEarly: shards.some((shard) => shard.report.stoppedEarly),
  });
}

/** A whole campaign's report counts as its only shard. */
function shardOf(report: FuzzReport): Shard {
  return report.shard ?? { index: 1, count: 1 };
}

/** Where a report's campaign differs from the first report's. */
function differences({ file, report }: ShardReport, first: ShardReport): InputIssue[] {
  const issue = (path: string, value: unknown, expected: unknown): InputIssue[] =>
    JSON.stringify(value) === JSON.stringify(expected)
      ? []
      : [
          {
            code: 'invalid_value',
            file,
            path: [path],
            message: `${JSON.stringify(value)} differs from ${JSON.stringify(expected)} in ${first.file}: the reports must be shards of one campaign`,
          },
        ];
  return [
    ...issue('seed', report.seed, first.report.seed),
    ...issue('campaignRuns', report.campaignRuns, first.report.campaignRuns),
    ...issue('modes', report.modes, first.report.modes),
    ...issue('shard.count', shardOf(report).count, shardOf(first.report).count),
  ];
}

/** Where a report disagrees with its own shard: more runs than the shard owns, or fewer without a time limit. */
function inconsistencies({ file, report }: ShardReport): InputIssue[] {
  const shard = shardOf(report);
  if (shard.index > shard.count)
    return [
      {
        code: 'invalid_value',
        file,
        path: ['shard'],
        message: `shard ${shard.index}/${shard.count}: expected I/N with I <= N`,
      },
    ];
  const owned = shardIndices(report.campaignRuns, shard);
  const issues: InputIssue[] = [];
  if (report.runs > owned.length || (report.runs < owned.length && !report.stoppedEarly)) {
    issues.push({
      code: 'invalid_value',
      file,
      path: ['runs'],
      message: `${report.runs} runs, but shard ${shard.index}/${shard.count} of a ${report.campaignRuns}-run campaign owns ${owned.length}${report.stoppedEarly ? '' : ' (and it was not stopped early)'}`,
    });
  }
  report.failedRuns.forEach(({ index }, i) => {
    if (!inShard(index, shard) || index >= report.campaignRuns)
      issues.push({
        code: 'invalid_value',
        file,
        path: ['failedRuns', i, 'index'],
        message: `run ${index} is not in shard ${shard.index}/${shard.count} of a ${report.campaignRuns}-run campaign`,
      });
  });
  return issues;
}
