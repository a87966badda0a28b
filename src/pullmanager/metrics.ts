/**
 * The image manager's metrics as a scrape of the kubelet's `/metrics` would show them (pkg/kubelet/images/
 * pullmanager/metrics.go, #132812, and pkg/kubelet/images/metrics.go, #132644; docs/kubelet-model.md#metrics): four
 * gauges and two counters, registered with stability ALPHA. A profile without them (1.33, 1.34) exposes none.
 */
import type { MustPullCheckResult } from './manager.js';
import {
  newPullRecordMetrics,
  PULL_RECORD_METRIC_NAMES,
  type PullRecordMetrics,
} from './metered-accessor.js';

/** One series of the ensure-image counter: the label values as the kubelet writes them, and the count. */
export interface EnsureImageRequestCount {
  readonly pullPolicy: 'always' | 'ifnotpresent' | 'never';
  readonly presentLocally: 'true' | 'false' | 'unknown';
  readonly pullRequired: 'true' | 'false' | 'unknown';
  readonly count: number;
}

/** One series: its labels (in name order) and its value. */
export interface MetricSample {
  readonly labels: readonly (readonly [name: string, value: string])[];
  readonly value: number;
}

/** A metric family as Prometheus gathers it: name, help (with the stability prefix), type, series. */
export interface MetricFamily {
  readonly name: string;
  readonly help: string;
  readonly type: 'gauge' | 'counter';
  readonly samples: readonly MetricSample[];
}

const GAUGE_HELP: Readonly<Record<keyof PullRecordMetrics, string>> = {
  ondiskPullIntents: 'Number of ImagePullIntents stored on disk.',
  ondiskPulledRecords: 'Number of ImagePulledRecords stored on disk.',
  inmemoryPullIntentsUsagePercent: 'The ImagePullIntents in-memory cache usage in percent.',
  inmemoryPulledRecordsUsagePercent: 'The ImagePulledRecords in-memory cache usage in percent.',
};

const MUST_PULL_CHECKS = {
  name: 'kubelet_imagemanager_image_mustpull_checks_total',
  help: 'Counter for how many times kubelet checked whether credentials need to be re-verified to access an image',
} as const;

const ENSURE_IMAGE_REQUESTS = {
  name: 'kubelet_image_manager_ensure_image_requests_total',
  help: 'Number of ensure-image requests processed by the kubelet.',
} as const;

/** Every image-manager metric a 1.35+ kubelet has, by name. */
export const IMAGE_MANAGER_METRIC_NAMES = [
  'kubelet_image_manager_ensure_image_requests_total',
  'kubelet_imagemanager_image_mustpull_checks_total',
  'kubelet_imagemanager_inmemory_pulledrecords_usage_percent',
  'kubelet_imagemanager_inmemory_pullintents_usage_percent',
  'kubelet_imagemanager_ondisk_pulledrecords',
  'kubelet_imagemanager_ondisk_pullintents',
] as const;

/** The values of the counter's `result` label. */
export const MUST_PULL_CHECK_RESULTS = [
  'credentialPolicyAllowed',
  'credentialRecordFound',
  'error',
  'mustAuthenticate',
] as const satisfies readonly MustPullCheckResult[];

/** component-base prefixes every help text with the metric's stability level. */
const ALPHA = '[ALPHA] ';

/**
 * The families one kubelet process exposes, sorted by name as a gather sorts them. The gauges are exposed even
 * when nothing set them (0; with the gate off there is no record store, and they stay 0); a counter has a series
 * only for the label values counted at least once (a `CounterVec` child exists once incremented).
 */
export function imageManagerMetricFamilies(
  gauges: PullRecordMetrics | undefined,
  mustPullChecks: Readonly<Record<MustPullCheckResult, number>>,
  ensureRequests: readonly EnsureImageRequestCount[],
): MetricFamily[] {
  const values = gauges ?? newPullRecordMetrics();
  const families: MetricFamily[] = (Object.keys(GAUGE_HELP) as (keyof PullRecordMetrics)[]).map((key) => ({
    name: PULL_RECORD_METRIC_NAMES[key],
    help: ALPHA + GAUGE_HELP[key],
    type: 'gauge',
    samples: [{ labels: [], value: values[key] }],
  }));
  const results = (Object.keys(mustPullChecks) as MustPullCheckResult[]).filter((r) => mustPullChecks[r] > 0);
  families.push({
    name: MUST_PULL_CHECKS.name,
    help: ALPHA + MUST_PULL_CHECKS.help,
    type: 'counter',
    samples: results
      .sort()
      .map((result) => ({ labels: [['result', result]], value: mustPullChecks[result] })),
  });
  families.push({
    name: ENSURE_IMAGE_REQUESTS.name,
    help: ALPHA + ENSURE_IMAGE_REQUESTS.help,
    type: 'counter',
    samples: ensureRequests.map((r) => ({
      labels: [
        ['present_locally', r.presentLocally],
        ['pull_policy', r.pullPolicy],
        ['pull_required', r.pullRequired],
      ],
      value: r.count,
    })),
  });
  return families.filter((f) => f.samples.length > 0).sort((a, b) => (a.name < b.name ? -1 : 1));
}

/** A series' name as Prometheus writes it: `name` or `name{label="value",…}`, labels in name order. */
export function seriesName(name: string, labels: MetricSample['labels']): string {
  if (labels.length === 0) return name;
  const sorted = [...labels].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `${name}{${sorted.map(([label, value]) => `${label}="${escapeLabelValue(value)}"`).join(',')}}`;
}

/**
 * The Prometheus text exposition (format 0.0.4) of metric families gathered from several targets, each adding its
 * own labels (e.g. `node`, as a scrape's target labels would): one HELP and TYPE per family, then every target's
 * series in target order.
 */
export function prometheusText(
  targets: readonly { readonly labels: MetricSample['labels']; readonly families: readonly MetricFamily[] }[],
): string {
  const byName = new Map<string, { family: MetricFamily; lines: string[] }>();
  for (const target of targets) {
    for (const family of target.families) {
      const entry = byName.get(family.name) ?? { family, lines: [] };
      byName.set(family.name, entry);
      for (const sample of family.samples)
        entry.lines.push(`${seriesName(family.name, [...target.labels, ...sample.labels])} ${sample.value}`);
    }
  }
  const names = [...byName.keys()].sort();
  return names
    .map((name) => {
      const { family, lines } = byName.get(name) as { family: MetricFamily; lines: string[] };
      return `# HELP ${name} ${escapeHelp(family.help)}\n# TYPE ${name} ${family.type}\n${lines.join('\n')}\n`;
    })
    .join('');
}

function escapeHelp(text: string): string {
  return text.replaceAll('\\', '\\\\').replaceAll('\n', '\\n');
}

function escapeLabelValue(text: string): string {
  return escapeHelp(text).replaceAll('"', '\\"');
}
