import type { Mode } from '../scenario/types.js';
import { type CampaignSummary, formatSummary, type Shard, shardIndices } from './campaign.js';

/**
 * What `pullsim fuzz` reports (its `--json` output): the campaign summary, and what identifies the campaign and
 * the slice of it that was run, so that shard reports can be checked against each other and merged
 * (`pullsim fuzz --merge`, sim/fuzz/merge.ts). No field measures the machine: a report is a function of the
 * campaign, the shard and (through `runs` and `stoppedEarly`) where a time limit stopped it.
 */
export interface FuzzReport extends CampaignSummary {
  /** The campaign's `--runs`: the number of runs of the whole campaign, not of this shard. */
  readonly campaignRuns: number;
  /** The modes each run was checked in (`--modes`). */
  readonly modes: readonly Mode[];
  /** The shard this report covers; null for a whole campaign (also for a merge of every shard). */
  readonly shard: Shard | null;
  /** Whether a time limit stopped the campaign (or any of its shards) before its last run. */
  readonly stoppedEarly: boolean;
}

/** The fields of a report besides the campaign summary. */
export type FuzzReportIdentity = Omit<FuzzReport, keyof CampaignSummary>;

/** A report from a summary and its identity, fields in the order the JSON prints them. */
export function fuzzReport(summary: CampaignSummary, identity: FuzzReportIdentity): FuzzReport {
  return {
    ...summary,
    campaignRuns: identity.campaignRuns,
    modes: identity.modes,
    shard: identity.shard,
    stoppedEarly: identity.stoppedEarly,
  };
}

/** The report as `pullsim fuzz --json` prints it. */
export function fuzzReportJson(report: FuzzReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

/** The report as people read it: the campaign summary, and where a time limit stopped it. */
export function formatFuzzReport(report: FuzzReport): string {
  if (!report.stoppedEarly) return formatSummary(report);
  const owned = shardIndices(report.campaignRuns, report.shard ?? undefined).length;
  const shard = report.shard === null ? '' : ` (shard ${report.shard.index}/${report.shard.count})`;
  return formatSummary(report, { stoppedEarly: `time limit after ${report.runs} of ${owned} runs${shard}` });
}
