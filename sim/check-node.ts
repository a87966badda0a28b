/**
 * Expect lines about a node rather than a container: the pulled-record and pull-intent files the kubelet left
 * (docs/kubelet-model.md#record-files) and its image-manager metrics (#metrics), all as they are at the end of the run.
 */

import { seriesName } from '../src/pullmanager/metrics.js';
import { decodeImagePulledRecord, decodeImagePullIntent } from '../src/pullmanager/record-decode.js';
import type { ImagePullCredentials, ImagePulledRecord } from '../src/pullmanager/record-types.js';
import { trimImageTagDigest } from '../src/reference/index.js';
import type { Expectation } from './scenario/types.js';
import type { SimNode } from './world/node.js';

type RecordCheck = NonNullable<Expectation['record']>;
type IntentCheck = NonNullable<Expectation['intent']>;
type MetricCheck = NonNullable<Expectation['metric']>;

/** Every version the kubelet ever wrote, read as an observer, not as this kubelet's decoder. */
const OBSERVER = { decodableApiVersions: ['v1alpha1', 'v1beta1'], serviceAccountField: true } as const;

/** Checks a `record:`, `intent:` or `metric:` line on a node at the end of a run; returns the problems found. */
export function evaluateNodeExpectation(expectation: Expectation, node: SimNode): string[] {
  if (expectation.record !== undefined) return evaluateRecord(expectation.record, node);
  if (expectation.intent !== undefined) return evaluateIntent(expectation.intent, node);
  if (expectation.metric !== undefined) return evaluateMetric(expectation.metric, node);
  return [];
}

/** The pulled record that maps `image` (by the kubelet's key for it), with the apiVersion of its file. */
function findRecord(node: SimNode, image: string) {
  const key = trimImageTagDigest(image, node.kubeletProfile.credentialMappingKey);
  if (!key.ok) return { error: `image ${image} is not a valid image name: ${key.error}` } as const;
  const files = node.fs.snapshotFiles(`${node.kubeletRoot}/image_manager/pulled`);
  for (const [path, text] of Object.entries(files)) {
    const decoded = decodeImagePulledRecord(text, OBSERVER);
    if (!decoded.ok || !Object.hasOwn(decoded.value.credentialMapping, key.value)) continue;
    return {
      path,
      record: decoded.value,
      apiVersion: `kubelet.config.k8s.io/${decoded.apiVersion}`,
      key: key.value,
    };
  }
  return { key: key.value } as const;
}

function evaluateRecord(check: RecordCheck, node: SimNode): string[] {
  const found = findRecord(node, check.image);
  if ('error' in found) return [found.error as string];
  const what = `the pulled record of ${check.image} on ${node.name}`;
  if (!('record' in found)) return check.exists === false ? [] : [`expected ${what}, found none at the end`];
  if (check.exists === false)
    return [`expected no record of ${check.image} on ${node.name}, found pulled/${found.path}`];
  const problems: string[] = [];
  if (check.apiVersion !== undefined && check.apiVersion !== found.apiVersion)
    problems.push(`expected ${what} in ${check.apiVersion}, found ${found.apiVersion}`);
  if (check.sources !== undefined) {
    const sources = credentialSources(found.record, found.key);
    const wanted = [...check.sources].sort();
    if (sources.join(',') !== wanted.join(','))
      problems.push(`expected ${what} from [${wanted.join(', ')}], found [${sources.join(', ')}]`);
  }
  return problems;
}

/** The intent file for exactly `image` (intents are keyed by the raw string), with its apiVersion. */
function findIntent(node: SimNode, image: string) {
  const files = node.fs.snapshotFiles(`${node.kubeletRoot}/image_manager/pulling`);
  for (const [path, text] of Object.entries(files)) {
    const decoded = decodeImagePullIntent(text, OBSERVER);
    if (decoded.ok && decoded.value.image === image)
      return { path, apiVersion: `kubelet.config.k8s.io/${decoded.apiVersion}` };
  }
  return undefined;
}

function evaluateIntent(check: IntentCheck, node: SimNode): string[] {
  const found = findIntent(node, check.image);
  const what = `a pull intent for ${check.image} on ${node.name}`;
  if (found === undefined) return check.exists === false ? [] : [`expected ${what}, found none at the end`];
  if (check.exists === false) return [`expected no ${what.slice(2)}, found pulling/${found.path}`];
  if (check.apiVersion !== undefined && check.apiVersion !== found.apiVersion)
    return [`expected ${what} in ${check.apiVersion}, found ${found.apiVersion}`];
  return [];
}

/** A record's credential sources for one image key, as expect lines write them, sorted. */
function credentialSources(record: ImagePulledRecord, key: string): string[] {
  const credentials: ImagePullCredentials = record.credentialMapping[key] ?? {};
  return [
    ...(credentials.kubernetesSecrets ?? []).map((s) => `secret:${s.namespace}/${s.name}`),
    ...(credentials.kubernetesServiceAccounts ?? []).map((s) => `serviceAccount:${s.namespace}/${s.name}`),
    ...(credentials.nodePodsAccessible === true ? ['node'] : []),
  ].sort();
}

function evaluateMetric(check: MetricCheck, node: SimNode): string[] {
  const families = node.imageManagerMetrics;
  const wanted: [string, string][] = [
    ...Object.entries(check.labels ?? {}),
    ...(check.result === undefined ? [] : [['result', check.result] as [string, string]]),
  ];
  const series = seriesName(check.name, wanted);
  if (families === undefined)
    return [`expected ${series} on ${node.name}, but its kubelet is not running at the end`];
  if (!node.kubeletProfile.recordMetrics)
    return [`the ${node.kubeletProfile.version} kubelet on ${node.name} has no image-manager metrics`];
  // The series that carry every label asked for, summed; a counter series never incremented does not exist: 0.
  const family = families.find((f) => f.name === check.name);
  const value = (family?.samples ?? [])
    .filter((s) => wanted.every(([label, v]) => s.labels.some(([l, sv]) => l === label && sv === v)))
    .reduce((sum, s) => sum + s.value, 0);
  return value === check.value ? [] : [`expected ${series} ${check.value} on ${node.name}, got ${value}`];
}
