import { InputError, type InputIssue } from '../errors.js';
import type { Shard } from '../fuzz/campaign.js';
import { type SweepHeader, type SweepResult, type SweepRow, sweepResult } from './sweep.js';

/*
 * `pullsim bench --merge shard-*.json`: the JSON results of a sweep's shards (`--sweep … --shard I/N --json`)
 * back into the unsharded sweep's. Every shard must be of the same sweep, and together they must be exactly
 * shards 1..N of N; the rows then go back in combination order, which is the unsharded sweep's order.
 */

/** One shard's JSON as read: its file name (for messages) and the parsed value. */
export interface SweepShardFile {
  readonly file: string;
  readonly value: unknown;
}

/** The header of a result (everything but `shard` and `rows`), the part all shards of one sweep share. */
function headerOf(result: SweepResult): SweepHeader {
  const { kind, workload, parameters, strategies, modes, combinations } = result;
  return { kind, workload, parameters, strategies, modes, combinations };
}

/** Why a parsed file is not a shard of a sweep, or undefined when it looks like one. */
function notAShard(value: unknown): string | undefined {
  const result = value as Partial<SweepResult> | null;
  if (typeof result !== 'object' || result === null || result.kind !== 'pullsim-bench-sweep')
    return 'not the JSON of a bench sweep (expected "kind": "pullsim-bench-sweep" from pullsim bench --sweep … --json)';
  const shard = result.shard as Partial<Shard> | undefined;
  if (shard === undefined || !Number.isSafeInteger(shard.index) || !Number.isSafeInteger(shard.count))
    return 'not a shard: the sweep was run without --shard I/N';
  if (!Array.isArray(result.rows)) return 'rows: expected a list';
  return undefined;
}

/**
 * Merges the shards of one sweep into its whole result, equal to the unsharded sweep's but for the real-time
 * measures. Bad input (a file that is not a shard, shards of different sweeps, a shard missing or given twice)
 * throws one InputError listing every problem.
 */
export function mergeSweepShards(files: readonly SweepShardFile[]): SweepResult {
  const issues: InputIssue[] = [];
  const add = (file: string, message: string) =>
    issues.push({ code: 'invalid_value', file, path: [], message });
  const shards: { file: string; result: SweepResult }[] = [];
  for (const { file, value } of files) {
    const problem = notAShard(value);
    if (problem === undefined) shards.push({ file, result: value as SweepResult });
    else add(file, problem);
  }
  const first = shards[0];
  if (first !== undefined) {
    const header = JSON.stringify(headerOf(first.result));
    const count = (first.result.shard as Shard).count;
    const seen = new Map<number, string>();
    for (const { file, result } of shards) {
      const shard = result.shard as Shard;
      if (JSON.stringify(headerOf(result)) !== header)
        add(
          file,
          `a shard of another sweep than ${first.file} (workload, parameters, strategies or modes differ)`,
        );
      else if (shard.count !== count)
        add(file, `shard ${shard.index}/${shard.count}, but ${first.file} is one of ${count}`);
      else if (seen.has(shard.index))
        add(file, `shard ${shard.index}/${count} is also ${seen.get(shard.index)}`);
      else seen.set(shard.index, file);
    }
    const missing = Array.from({ length: count }, (_, i) => i + 1).filter((i) => !seen.has(i));
    if (issues.length === 0 && missing.length > 0)
      add(
        '--merge',
        `missing shard${missing.length > 1 ? 's' : ''} ${missing.map((i) => `${i}/${count}`).join(', ')}`,
      );
  }
  if (issues.length > 0) throw new InputError(issues);
  const rows: SweepRow[] = shards
    .flatMap(({ result }) => result.rows)
    // Stable: the rows of one combination keep their order (mode, then strategy).
    .sort((a, b) => a.combination - b.combination);
  return sweepResult(headerOf((first as { result: SweepResult }).result), undefined, rows);
}
