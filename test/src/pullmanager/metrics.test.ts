/**
 * The image manager's metrics as a scrape shows them (pkg/kubelet/images/pullmanager/metrics.go): families, help
 * texts with the stability prefix, counter series only once counted, the text exposition format.
 */
import { describe, expect, it } from 'vitest';
import { imageManagerMetrics, type KubeletImageStack } from '../../../src/kubelet.js';
import { kubeletProfile } from '../../../src/profiles.js';
import { newPullRecordMetrics } from '../../../src/pullmanager/metered-accessor.js';
import {
  IMAGE_MANAGER_METRIC_NAMES,
  imageManagerMetricFamilies,
  MUST_PULL_CHECK_RESULTS,
  prometheusText,
  seriesName,
} from '../../../src/pullmanager/metrics.js';

const NO_CHECKS = { credentialPolicyAllowed: 0, credentialRecordFound: 0, mustAuthenticate: 0, error: 0 };
const ENSURE_ONE = {
  pullPolicy: 'ifnotpresent',
  presentLocally: 'true',
  pullRequired: 'false',
  count: 2,
} as const;

describe('image-manager metric families (metrics.go)', () => {
  it('the four gauges at 0 and no counter series before anything happened, sorted by name', () => {
    const families = imageManagerMetricFamilies(undefined, NO_CHECKS, []);
    expect(families.map((f) => [f.name, f.type, f.samples])).toEqual([
      ['kubelet_imagemanager_inmemory_pulledrecords_usage_percent', 'gauge', [{ labels: [], value: 0 }]],
      ['kubelet_imagemanager_inmemory_pullintents_usage_percent', 'gauge', [{ labels: [], value: 0 }]],
      ['kubelet_imagemanager_ondisk_pulledrecords', 'gauge', [{ labels: [], value: 0 }]],
      ['kubelet_imagemanager_ondisk_pullintents', 'gauge', [{ labels: [], value: 0 }]],
    ]);
    expect(families.every((f) => f.help.startsWith('[ALPHA] '))).toBe(true);
  });

  it('the counter has one series per result counted at least once, by label value', () => {
    const gauges = { ...newPullRecordMetrics(), ondiskPulledRecords: 4 };
    const families = imageManagerMetricFamilies(gauges, { ...NO_CHECKS, mustAuthenticate: 1, error: 3 }, []);
    const counter = families[0];
    expect(counter?.name).toBe('kubelet_imagemanager_image_mustpull_checks_total');
    expect(counter?.type).toBe('counter');
    expect(counter?.samples).toEqual([
      { labels: [['result', 'error']], value: 3 },
      { labels: [['result', 'mustAuthenticate']], value: 1 },
    ]);
    expect(
      families.find((f) => f.name === 'kubelet_imagemanager_ondisk_pulledrecords')?.samples[0]?.value,
    ).toBe(4);
  });

  it('the names expect lines accept are exactly the families exposed, and every result label', () => {
    const all = { credentialPolicyAllowed: 1, credentialRecordFound: 1, mustAuthenticate: 1, error: 1 };
    const ensure = [ENSURE_ONE];
    const families = imageManagerMetricFamilies(undefined, all, ensure);
    expect(families.map((f) => f.name)).toEqual([...IMAGE_MANAGER_METRIC_NAMES]);
    expect(families[1]?.samples.map((s) => s.labels[0]?.[1])).toEqual([...MUST_PULL_CHECK_RESULTS]);
  });

  it('a 1.33 or 1.34 kubelet has none; 1.35 and later have them, the gate on or off', () => {
    const stack = {
      pullManager: { mustPullChecks: { ...NO_CHECKS, credentialRecordFound: 2 } },
      imageManager: { ensureImageRequests: [ENSURE_ONE] },
    } as unknown as KubeletImageStack;
    expect(imageManagerMetrics(stack, kubeletProfile('1.33'))).toEqual([]);
    expect(imageManagerMetrics(stack, kubeletProfile('1.34'))).toEqual([]);
    expect(imageManagerMetrics(stack, kubeletProfile('1.35'))).toHaveLength(6);
    expect(imageManagerMetrics(stack, kubeletProfile('1.36'))).toHaveLength(6);
  });
});

describe('kubelet_image_manager_ensure_image_requests_total (pkg/kubelet/images/metrics.go)', () => {
  it('one series per label combination counted, its labels in name order, sorted first among the families', () => {
    const families = imageManagerMetricFamilies(undefined, NO_CHECKS, [
      ENSURE_ONE,
      { pullPolicy: 'always', presentLocally: 'unknown', pullRequired: 'true', count: 1 },
    ]);
    expect(families[0]?.name).toBe('kubelet_image_manager_ensure_image_requests_total');
    expect(families[0]?.help).toBe('[ALPHA] Number of ensure-image requests processed by the kubelet.');
    expect(families[0]?.samples.map((s) => seriesName(families[0]?.name ?? '', s.labels))).toEqual([
      'kubelet_image_manager_ensure_image_requests_total{present_locally="true",pull_policy="ifnotpresent",pull_required="false"}',
      'kubelet_image_manager_ensure_image_requests_total{present_locally="unknown",pull_policy="always",pull_required="true"}',
    ]);
  });
});

describe('the text exposition', () => {
  it('one HELP and TYPE per family, every target labelled, labels in name order', () => {
    const families = imageManagerMetricFamilies(undefined, { ...NO_CHECKS, credentialRecordFound: 5 }, []);
    const text = prometheusText([
      { labels: [['node', 'node-1']], families },
      { labels: [['node', 'node-2']], families: families.slice(0, 1) },
    ]);
    const lines = text.trimEnd().split('\n');
    expect(lines.slice(0, 4)).toEqual([
      '# HELP kubelet_imagemanager_image_mustpull_checks_total [ALPHA] Counter for how many times kubelet checked whether credentials need to be re-verified to access an image',
      '# TYPE kubelet_imagemanager_image_mustpull_checks_total counter',
      'kubelet_imagemanager_image_mustpull_checks_total{node="node-1",result="credentialRecordFound"} 5',
      'kubelet_imagemanager_image_mustpull_checks_total{node="node-2",result="credentialRecordFound"} 5',
    ]);
    expect(lines.filter((l) => l.startsWith('# TYPE'))).toHaveLength(5);
    expect(lines.at(-1)).toBe('kubelet_imagemanager_ondisk_pullintents{node="node-1"} 0');
  });

  it('escapes label values as the format requires', () => {
    expect(seriesName('m', [['b', 'say "hi"\\\n']])).toBe('m{b="say \\"hi\\"\\\\\\n"}');
    expect(seriesName('m', [])).toBe('m');
    expect(prometheusText([])).toBe('');
  });
});
