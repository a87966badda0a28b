/**
 * Workloads (sim/bench/workload.ts): the presets the issue asks for, workload files (every issue reported with
 * file, line and field), and the expansion into a static scenario plus a lazy, seeded, time-ordered timeline.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  BENCH_HOST,
  expandWorkload,
  isWorkloadPreset,
  parseWorkload,
  WORKLOAD_LIMITS,
  WORKLOAD_PRESETS,
  type Workload,
} from '../../../sim/bench/workload.js';
import { runLoop } from '../../../sim/kernel/loop.js';
import { SeededRandom } from '../../../sim/kernel/random.js';
import { parseDuration } from '../../../sim/kernel/time.js';
import { Trace } from '../../../sim/kernel/trace.js';
import { parseScenario } from '../../../sim/scenario/load.js';
import { scenarioToYaml } from '../../../sim/scenario/serialize.js';
import type { PodManifest, SecretManifest, TimelineStep } from '../../../sim/scenario/types.js';
import { World } from '../../../sim/world/world.js';
import { DEFAULT_KUBELET_VERSION } from '../../../src/profiles.js';
import { TICKS_PER_MINUTE, ticks } from '../../../src/time.js';
import { tinyWorkload, tinyWorkloadText } from '../../support/bench-workloads.js';
import { type IssueView, rejectionOf } from '../../support/cli-harness.js';

const FILE = 'w.yaml';

/** A workload file: the header lines 1–4 (`metadata.name: w`), then `spec:` on line 5 and the given lines. */
function workloadText(...specLines: string[]): string {
  return [
    'apiVersion: pullsim/v1alpha1',
    'kind: Workload',
    'metadata:',
    '  name: w',
    'spec:',
    ...specLines.map((line) => `  ${line}`),
    '',
  ].join('\n');
}

/** The issues a workload file is rejected with (fails the test when it loads). */
function issuesOf(text: string): readonly IssueView[] {
  return rejectionOf(() => parseWorkload(text, FILE), 'workload');
}

/** Every step of a workload's timeline. */
function stepsOf(workload: Workload): TimelineStep[] {
  const steps: TimelineStep[] = [];
  const stream = expandWorkload(workload).stream();
  for (let next = stream.next(); next.done !== true; next = stream.next()) steps.push(next.value);
  return steps;
}

/** An iterator that counts how often it is advanced. */
function counted<T>(inner: Iterator<T>): Iterator<T> & { readonly calls: number } {
  let calls = 0;
  return {
    get calls() {
      return calls;
    },
    next() {
      calls++;
      return inner.next();
    },
  };
}

const isPodApply = (step: TimelineStep): step is TimelineStep & { apply: PodManifest } =>
  'apply' in step && step.apply.kind === 'Pod';
const isSecretApply = (step: TimelineStep): step is TimelineStep & { apply: SecretManifest } =>
  'apply' in step && step.apply.kind === 'Secret';

describe('the presets', () => {
  it('large is the issue’s target: 100 000 pod starts, 1 000 tenants, 5 000 images, a simulated day', () => {
    const large = WORKLOAD_PRESETS.large;
    expect(large.pods.starts).toBe(100_000);
    expect(large.tenants).toBe(1_000);
    expect(large.images.count).toBe(5_000);
    expect(large.duration).toBe(parseDuration('24h'));
  });

  it.each([
    ['small', 2_000, 20, 200, '1h'],
    ['medium', 20_000, 200, 1_000, '6h'],
    ['large', 100_000, 1_000, 5_000, '24h'],
  ] as const)(
    '%s says what it is: %i pod starts of %i tenants over %i images in %s',
    (name, starts, tenants, images, duration) => {
      const preset = WORKLOAD_PRESETS[name];
      expect(preset).toMatchObject({ name, tenants, images: { count: images }, pods: { starts } });
      expect(preset.duration).toBe(parseDuration(duration));
      // The description is what `bench` prints: it must agree with the numbers.
      const spaced = (n: number) => n.toLocaleString('en-US').replace(/,/g, ' ');
      expect(preset.description).toContain(`${spaced(starts)} pod starts of ${spaced(tenants)} tenants`);
      expect(preset.description).toContain(`over ${spaced(images)} images`);
    },
  );

  it.each(Object.values(WORKLOAD_PRESETS))('$name is a consistent workload', (preset) => {
    const p = preset.pods.pullPolicy;
    expect(p.Always + p.IfNotPresent + p.Never).toBeCloseTo(1, 12);
    for (const fraction of [
      preset.images.publicFraction,
      preset.images.preloadedFraction,
      preset.pods.foreignImageFraction,
      preset.pods.withSecretFraction,
    ]) {
      expect(fraction).toBeGreaterThanOrEqual(0);
      expect(fraction).toBeLessThanOrEqual(1);
    }
    expect(preset.images.minSizeBytes).toBeLessThanOrEqual(preset.images.maxSizeBytes);
    expect(preset.imageGC.lowThresholdPercent).toBeLessThanOrEqual(preset.imageGC.highThresholdPercent);
    expect(preset.imageGC.period).toBeGreaterThan(0);
    // The issue's workloads restart the kubelet (the differential check's negative control depends on it).
    expect(preset.kubeletRestarts).toBeGreaterThan(0);
  });

  it('isWorkloadPreset knows the three names and nothing inherited', () => {
    expect(['small', 'medium', 'large'].every(isWorkloadPreset)).toBe(true);
    expect(isWorkloadPreset('huge')).toBe(false);
    expect(isWorkloadPreset('toString')).toBe(false);
    expect(isWorkloadPreset('__proto__')).toBe(false);
  });
});

describe('parseWorkload', () => {
  it('overrides the fields a file gives and takes the rest from its base', () => {
    const workload = parseWorkload(
      [
        'apiVersion: pullsim/v1alpha1',
        'kind: Workload',
        'metadata:',
        '  name: mine',
        '  description: my own',
        'spec:',
        '  base: medium',
        '  seed: 7',
        '  duration: 90m',
        '  kubelet: { version: "1.34", maxParallelImagePulls: 2 }',
        '  device: hdd',
        '  tenants: 4',
        '  images: { count: 10, publicFraction: 0.5, tenantsPerPrivateImage: 3, preloadedFraction: 0,',
        '            minSizeBytes: 10, maxSizeBytes: 20 }',
        '  pods: { starts: 50, meanLifetime: 2m, foreignImageFraction: 0, withSecretFraction: 1,',
        '          pullPolicy: { Always: 0.2, IfNotPresent: 0.3, Never: 0.5 } }',
        '  secrets: { rotationsPerHour: 0, copiesPerHour: 3.5 }',
        '  kubeletRestarts: 0',
        '  imageGC: { capacityBytes: 1000, highThresholdPercent: 90, lowThresholdPercent: 10, period: 1m }',
        '',
      ].join('\n'),
      FILE,
    );
    expect(workload).toEqual({
      name: 'mine',
      description: 'my own',
      seed: 7,
      duration: parseDuration('90m'),
      kubeletVersion: '1.34',
      maxParallelImagePulls: 2,
      device: 'hdd',
      tenants: 4,
      images: {
        count: 10,
        publicFraction: 0.5,
        tenantsPerPrivateImage: 3,
        preloadedFraction: 0,
        minSizeBytes: 10,
        maxSizeBytes: 20,
      },
      pods: {
        starts: 50,
        meanLifetime: parseDuration('2m'),
        foreignImageFraction: 0,
        pullPolicy: { Always: 0.2, IfNotPresent: 0.3, Never: 0.5 },
        withSecretFraction: 1,
      },
      secrets: { rotationsPerHour: 0, copiesPerHour: 3.5 },
      kubeletRestarts: 0,
      imageGC: {
        capacityBytes: 1000,
        highThresholdPercent: 90,
        lowThresholdPercent: 10,
        period: parseDuration('1m'),
      },
    } satisfies Workload);
  });

  it('a file that gives almost nothing is its base (small by default), named by the file', () => {
    const small = WORKLOAD_PRESETS.small;
    expect(parseWorkload(workloadText('tenants: 20'))).toEqual({
      ...small,
      name: 'w',
      description: 'based on small',
    });
    const large = parseWorkload(workloadText('base: large', 'pods: { starts: 10 }'));
    expect(large).toEqual({
      ...WORKLOAD_PRESETS.large,
      name: 'w',
      description: 'based on large',
      pods: { ...WORKLOAD_PRESETS.large.pods, starts: 10 },
    });
    expect(large.kubeletVersion).toBe(DEFAULT_KUBELET_VERSION);
  });

  it('reads JSON too (a YAML subset), and the tiny test workload file equals its object form', () => {
    const json = JSON.stringify({
      apiVersion: 'pullsim/v1alpha1',
      kind: 'Workload',
      metadata: { name: 'j' },
      spec: { tenants: 2, pods: { starts: 5 } },
    });
    expect(parseWorkload(json)).toMatchObject({ name: 'j', tenants: 2, pods: { starts: 5 } });
    expect(parseWorkload(tinyWorkloadText())).toEqual(tinyWorkload());
  });

  it('the pull-policy fractions merge with the base before they must add up to 1', () => {
    // small: Always 0.15, IfNotPresent 0.75, Never 0.1.
    expect(
      parseWorkload(workloadText('pods: { pullPolicy: { Always: 0.5, IfNotPresent: 0.4 } }')).pods.pullPolicy,
    ).toEqual({
      Always: 0.5,
      IfNotPresent: 0.4,
      Never: 0.1,
    });
    // 0.1 + 0.2 + 0.7 is 0.9999999999999999 in binary floating point: still one.
    expect(
      parseWorkload(workloadText('pods: { pullPolicy: { Always: 0.1, IfNotPresent: 0.2, Never: 0.7 } }')).pods
        .pullPolicy,
    ).toEqual({ Always: 0.1, IfNotPresent: 0.2, Never: 0.7 });
    expect(issuesOf(workloadText('pods:', '  pullPolicy: { Always: 0.5 }'))).toEqual([
      { file: FILE, line: 7, path: 'spec.pods.pullPolicy', message: 'the three fractions must add up to 1' },
    ]);
    expect(issuesOf(workloadText('pods: { pullPolicy: { Always: 0, IfNotPresent: 0, Never: 0 } }'))).toEqual([
      { file: FILE, line: 6, path: 'spec.pods.pullPolicy', message: 'the three fractions must add up to 1' },
    ]);
  });

  describe('rejects, with file, line and field', () => {
    it('text that is not YAML, or has a duplicated key', () => {
      for (const text of ['spec: [unclosed', workloadText('tenants: 1', 'tenants: 2')]) {
        const issues = issuesOf(text);
        expect(issues).toHaveLength(1);
        expect(issues[0]).toMatchObject({ file: FILE, path: '' });
        expect(issues[0]?.message).toMatch(/^invalid YAML: /);
      }
    });

    it('a document that is not a mapping', () => {
      expect(issuesOf('- a\n- b\n')).toEqual([
        { file: FILE, line: 1, path: '', message: 'expected a mapping, got a list' },
      ]);
    });

    it('a wrong header, missing sections, unknown fields', () => {
      expect(
        issuesOf(
          ['apiVersion: v1', 'kind: Scenario', 'metadata: { name: "" , labels: {} }', 'extra: 1', ''].join(
            '\n',
          ),
        ),
      ).toEqual([
        // In file order; a missing field where its mapping starts.
        { file: FILE, line: 1, path: 'spec', message: 'required field is missing' },
        { file: FILE, line: 1, path: 'apiVersion', message: 'expected pullsim/v1alpha1, got "v1"' },
        { file: FILE, line: 2, path: 'kind', message: 'expected Workload, got "Scenario"' },
        { file: FILE, line: 3, path: 'metadata.name', message: 'must not be empty' },
        { file: FILE, line: 3, path: 'metadata.labels', message: expect.stringMatching(/^unknown field/) },
        {
          file: FILE,
          line: 4,
          path: 'extra',
          message: expect.stringMatching(
            /^unknown field \(expected one of: apiVersion, kind, metadata, spec\)$/,
          ),
        },
      ]);
      expect(issuesOf('apiVersion: pullsim/v1alpha1\nkind: Workload\nspec: {}\n')).toEqual([
        { file: FILE, line: 1, path: 'metadata', message: 'required field is missing' },
      ]);
      expect(issuesOf('apiVersion: pullsim/v1alpha1\nkind: Workload\nmetadata: {}\nspec: {}\n')).toEqual([
        { file: FILE, line: 3, path: 'metadata.name', message: 'required field is missing' },
      ]);
      expect(issuesOf(workloadText('pods: { starts: 5, replicas: 3 }'))).toEqual([
        {
          file: FILE,
          line: 6,
          path: 'spec.pods.replicas',
          message:
            'unknown field (expected one of: starts, meanLifetime, foreignImageFraction, pullPolicy, withSecretFraction)',
        },
      ]);
    });

    it('sections that are not mappings', () => {
      expect(issuesOf(workloadText('images: 5', 'kubelet: [1]'))).toEqual([
        { file: FILE, line: 6, path: 'spec.images', message: 'expected a mapping, got number 5' },
        { file: FILE, line: 7, path: 'spec.kubelet', message: 'expected a mapping, got a list' },
      ]);
    });

    it('a value of the wrong kind or out of range, every one at once', () => {
      const issues = issuesOf(
        workloadText(
          'base: huge', // 6
          'seed: -1', // 7
          'duration: soon', // 8
          'kubelet: { version: "1.20", maxParallelImagePulls: 0 }', // 9
          'device: floppy', // 10
          'tenants: 2.5', // 11
          'images: { publicFraction: 1.5, count: "many" }', // 12
          'secrets: { rotationsPerHour: -1 }', // 13
          'kubeletRestarts: -2', // 14
        ),
      );
      const where = issues.map((i) => `${i.line}:${i.path}`);
      expect(where).toEqual([
        '6:spec.base',
        '7:spec.seed',
        '8:spec.duration',
        '9:spec.kubelet.version',
        '9:spec.kubelet.maxParallelImagePulls',
        '10:spec.device',
        '11:spec.tenants',
        '12:spec.images.publicFraction',
        '12:spec.images.count',
        '13:spec.secrets.rotationsPerHour',
        '14:spec.kubeletRestarts',
      ]);
      expect(issues.every((i) => i.file === FILE)).toBe(true);
      const message = (path: string) => issues.find((i) => i.path === path)?.message;
      expect(message('spec.base')).toBe('expected one of small, medium, large, got the string "huge"');
      expect(message('spec.kubelet.version')).toBe('unknown kubelet version "1.20"');
      expect(message('spec.tenants')).toBe('expected an integer, got number 2.5');
      expect(message('spec.images.publicFraction')).toBe('expected a number from 0 to 1, got 1.5');
      expect(message('spec.device')).toBe('expected one of none, ssd, hdd, network, got the string "floppy"');
    });

    it('a kubelet version that is neither text nor a number (an unquoted 1.34 is the number 1.34: accepted)', () => {
      expect(issuesOf(workloadText('kubelet: { version: [1.34] }'))).toEqual([
        {
          file: FILE,
          line: 6,
          path: 'spec.kubelet.version',
          message: 'expected a kubelet version, got a list',
        },
      ]);
      expect(parseWorkload(workloadText('kubelet: { version: 1.34 }')).kubeletVersion).toBe('1.34');
    });

    it('bounds that contradict each other', () => {
      expect(
        issuesOf(
          workloadText(
            'images: { minSizeBytes: 20, maxSizeBytes: 10 }',
            'imageGC: { highThresholdPercent: 50, lowThresholdPercent: 60 }',
          ),
        ),
      ).toEqual([
        { file: FILE, line: 6, path: 'spec.images.minSizeBytes', message: 'must not exceed maxSizeBytes' },
        {
          file: FILE,
          line: 7,
          path: 'spec.imageGC.lowThresholdPercent',
          message: 'must not exceed highThresholdPercent',
        },
      ]);
    });

    it('an invalid field, with the problems between fields that the rest of its section still has', () => {
      // The base's value stands in for each invalid field alone, so the file's other values are still checked.
      const issues = issuesOf(
        workloadText(
          'images: { count: 0, minSizeBytes: 20, maxSizeBytes: 10 }',
          'pods: { pullPolicy: { Always: 2, IfNotPresent: 0.5 } }',
        ),
      );
      expect(issues.map((i) => [i.line, i.path, i.message])).toEqual([
        [6, 'spec.images.count', 'expected an integer from 1 to 500000, got 0'],
        [6, 'spec.images.minSizeBytes', 'must not exceed maxSizeBytes'],
        [7, 'spec.pods.pullPolicy', 'the three fractions must add up to 1'],
        [7, 'spec.pods.pullPolicy.Always', 'expected a number from 0 to 1, got 2'],
      ]);
    });

    it('an image GC period of zero, which would check for garbage forever at the same instant', () => {
      // The scenario loader refuses it for the same reason (sim/scenario/load.ts, node imageGC).
      expect(issuesOf(workloadText('imageGC: { period: 0 }'))).toEqual([
        { file: FILE, line: 6, path: 'spec.imageGC.period', message: 'must be greater than 0' },
      ]);
    });

    it('image GC thresholds above 100 percent, which the kubelet refuses', () => {
      // pkg/kubelet/apis/config/validation: imageGCHighThresholdPercent and imageGCLowThresholdPercent must be
      // between 0 and 100; the scenario loader checks the same.
      const issues = issuesOf(
        workloadText('imageGC: { highThresholdPercent: 150, lowThresholdPercent: 101 }'),
      );
      expect(issues.map((i) => [i.line, i.path, i.message])).toEqual([
        [6, 'spec.imageGC.highThresholdPercent', 'expected an integer from 0 to 100, got 150'],
        [6, 'spec.imageGC.lowThresholdPercent', 'expected an integer from 0 to 100, got 101'],
      ]);
    });

    it('counts above the limits, which would build a world too large for memory', () => {
      const issues = issuesOf(
        workloadText(
          `tenants: ${WORKLOAD_LIMITS.tenants + 1}`,
          `images: { count: ${WORKLOAD_LIMITS.images + 1} }`,
          `pods: { starts: ${WORKLOAD_LIMITS.podStarts + 1} }`,
          `kubeletRestarts: ${WORKLOAD_LIMITS.kubeletRestarts + 1}`,
        ),
      );
      expect(issues.map((i) => [i.line, i.path, i.message])).toEqual([
        [6, 'spec.tenants', 'expected an integer from 1 to 100000, got 100001'],
        [7, 'spec.images.count', 'expected an integer from 1 to 500000, got 500001'],
        [8, 'spec.pods.starts', 'expected an integer from 1 to 10000000, got 10000001'],
        [9, 'spec.kubeletRestarts', 'expected an integer from 0 to 10080, got 10081'],
      ]);
      // The limits themselves are accepted, and the large preset is well inside them.
      const atLimits = parseWorkload(
        workloadText(
          `tenants: ${WORKLOAD_LIMITS.tenants}`,
          `images: { count: ${WORKLOAD_LIMITS.images} }`,
          `pods: { starts: ${WORKLOAD_LIMITS.podStarts} }`,
          `kubeletRestarts: ${WORKLOAD_LIMITS.kubeletRestarts}`,
        ),
        FILE,
      );
      expect(atLimits.tenants).toBe(WORKLOAD_LIMITS.tenants);
      expect(WORKLOAD_PRESETS.large.tenants * 100).toBeLessThanOrEqual(WORKLOAD_LIMITS.tenants);
      expect(WORKLOAD_PRESETS.large.images.count * 100).toBeLessThanOrEqual(WORKLOAD_LIMITS.images);
      expect(WORKLOAD_PRESETS.large.pods.starts * 100).toBeLessThanOrEqual(WORKLOAD_LIMITS.podStarts);
    });

    it('a duration of zero, in which no pod could start', () => {
      expect(issuesOf(workloadText('duration: 0'))).toEqual([
        { file: FILE, line: 6, path: 'spec.duration', message: 'must be greater than 0' },
      ]);
    });
  });
});

/** Small random workloads, with every knob of a preset in a range a unit test can run to the end. */
const smallWorkloads: fc.Arbitrary<Workload> = fc
  .record({
    seed: fc.nat(10_000),
    durationMinutes: fc.integer({ min: 1, max: 120 }),
    tenants: fc.integer({ min: 1, max: 5 }),
    count: fc.integer({ min: 1, max: 12 }),
    publicFraction: fc.double({ min: 0, max: 1, noNaN: true }),
    tenantsPerPrivateImage: fc.integer({ min: 1, max: 4 }),
    preloadedFraction: fc.double({ min: 0, max: 1, noNaN: true }),
    starts: fc.integer({ min: 1, max: 80 }),
    meanLifetimeMinutes: fc.integer({ min: 0, max: 60 }),
    foreignImageFraction: fc.double({ min: 0, max: 1, noNaN: true }),
    policyWeights: fc.tuple(fc.nat(4), fc.nat(4), fc.nat(4)).filter(([a, b, c]) => a + b + c > 0),
    withSecretFraction: fc.double({ min: 0, max: 1, noNaN: true }),
    rotationsPerHour: fc.integer({ min: 0, max: 30 }),
    copiesPerHour: fc.integer({ min: 0, max: 30 }),
    kubeletRestarts: fc.integer({ min: 0, max: 4 }),
  })
  .map((k) => {
    const [a, b, c] = k.policyWeights;
    const total = a + b + c;
    const small = WORKLOAD_PRESETS.small;
    return {
      ...small,
      name: 'random',
      seed: k.seed,
      duration: ticks(k.durationMinutes * TICKS_PER_MINUTE),
      tenants: k.tenants,
      images: {
        ...small.images,
        count: k.count,
        publicFraction: k.publicFraction,
        tenantsPerPrivateImage: k.tenantsPerPrivateImage,
        preloadedFraction: k.preloadedFraction,
      },
      pods: {
        starts: k.starts,
        meanLifetime: ticks(k.meanLifetimeMinutes * TICKS_PER_MINUTE),
        foreignImageFraction: k.foreignImageFraction,
        pullPolicy: { Always: a / total, IfNotPresent: b / total, Never: c / total },
        withSecretFraction: k.withSecretFraction,
      },
      secrets: { rotationsPerHour: k.rotationsPerHour, copiesPerHour: k.copiesPerHour },
      kubeletRestarts: k.kubeletRestarts,
    };
  });

describe('expandWorkload', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('builds the static world: one registry user and secret per tenant, one repository per image', () => {
    const workload = tinyWorkload();
    const { scenario } = expandWorkload(workload);
    expect(scenario).toMatchObject({
      seed: workload.seed,
      until: workload.duration,
      timeline: [],
      kubelet: { version: workload.kubeletVersion, maxParallelImagePulls: workload.maxParallelImagePulls },
      nodes: [{ name: 'node-1', device: workload.device, imageGC: workload.imageGC }],
    });
    const registry = scenario.registries[0];
    expect(scenario.registries).toHaveLength(1);
    expect(registry?.host).toBe(BENCH_HOST);
    expect(registry?.users.map((u) => u.username)).toEqual(['t0', 't1', 't2']);
    expect(registry?.repositories).toHaveLength(workload.images.count);
    for (const repository of registry?.repositories ?? []) {
      // A public image has no pullers; a private one exactly tenantsPerPrivateImage of them (3 tenants ≥ 2).
      expect(repository.pullers).toHaveLength(repository.public ? 0 : workload.images.tenantsPerPrivateImage);
      const tag = repository.tags.v1;
      expect(tag?.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(tag?.sizeBytes).toBeGreaterThanOrEqual(workload.images.minSizeBytes);
      expect(tag?.sizeBytes).toBeLessThanOrEqual(workload.images.maxSizeBytes);
    }
    const secrets = scenario.objects.filter((o) => o.kind === 'Secret');
    expect(secrets.map((s) => `${s.metadata.namespace}/${s.metadata.name}`)).toEqual([
      't0/regcred',
      't1/regcred',
      't2/regcred',
    ]);
    const repositories = new Set(registry?.repositories.map((r) => `${BENCH_HOST}/${r.name}:v1`));
    for (const image of scenario.nodes[0]?.images ?? []) expect(repositories.has(image.ref)).toBe(true);
  });

  it('the expanded world and its whole timeline form a scenario the loader accepts', () => {
    const workload = tinyWorkload();
    const { scenario } = expandWorkload(workload);
    const steps = stepsOf(workload);
    const loaded = parseScenario(scenarioToYaml({ ...scenario, timeline: steps }), 'tiny.yaml');
    expect(loaded.timeline).toHaveLength(steps.length);
    expect(loaded.registries[0]?.repositories).toHaveLength(workload.images.count);
  });

  it('is a function of the workload: the same seed gives the same scenario and the same stream', () => {
    const workload = tinyWorkload();
    expect(expandWorkload(workload).scenario).toEqual(expandWorkload({ ...workload }).scenario);
    expect(stepsOf(workload)).toEqual(stepsOf({ ...workload }));
    // Each call of `stream` starts the timeline over.
    const expanded = expandWorkload(workload);
    const first = expanded.stream().next();
    expanded.stream().next();
    expect(expanded.stream().next()).toEqual(first);
    // And the seed matters.
    expect(stepsOf({ ...workload, seed: workload.seed + 1 })).not.toEqual(stepsOf(workload));
  });

  it('does not materialise the timeline: expanding draws nothing from the timeline’s random streams', () => {
    const streams = vi.spyOn(SeededRandom.prototype, 'stream');
    const expanded = expandWorkload(WORKLOAD_PRESETS.large);
    // The timeline's processes (arrivals, pod choices, secret events) have not drawn a number yet.
    const timelineStreams = () =>
      streams.mock.calls
        .map(([name]) => name)
        .filter((name) => ['arrivals', 'pods', 'secrets'].includes(name));
    expect(timelineStreams()).toEqual([]);
    const timeline = counted(expanded.stream());
    // A generator runs nothing until it is first advanced.
    expect(timelineStreams()).toEqual([]);
    const first10 = Array.from({ length: 10 }, () => timeline.next());
    expect(timeline.calls).toBe(10);
    expect(first10.every((r) => r.done !== true)).toBe(true);
    expect(timelineStreams()).toEqual(['arrivals', 'pods', 'secrets']);
    // 100 000 arrivals over a day are 0.864 s apart on average: ten steps cover minutes, not the day.
    const last = first10[9]?.value as TimelineStep;
    expect(last.at).toBeLessThan(parseDuration('1h'));
  });

  it('a world running the large preset pulls the stream one step ahead, not all of it', () => {
    const { scenario, stream } = expandWorkload(WORKLOAD_PRESETS.large);
    const timeline = counted(stream());
    const world = new World(scenario, {
      mode: 'AlwaysVerify',
      seed: scenario.seed,
      trace: new Trace({ off: true }),
      timelineStream: timeline,
      retainPodRecords: false,
      device: 'none',
    });
    expect(timeline.calls).toBe(1);
    let steps = 0;
    runLoop(
      world.queue,
      world.clock,
      ({ event }) => {
        world.handle(event);
        steps++;
      },
      { until: parseDuration('1m'), maxSteps: 100_000, maxTicks: parseDuration('1m') },
    );
    expect(steps).toBeGreaterThan(0);
    // A minute of a day-long workload: far fewer than the timeline's ~200 000 steps have been read.
    expect(timeline.calls).toBeGreaterThan(1);
    expect(timeline.calls).toBeLessThan(1_000);
  });

  it('every timeline is in time order, with each pod deleted at most once and only after its creation', () => {
    // Invariant: the stream is a valid, time-ordered timeline whose pod applies are exactly the Poisson arrivals
    // (mean gap duration ÷ starts, drawn from the seed's `arrivals` stream) that fall before the end.
    fc.assert(
      fc.property(smallWorkloads, (workload) => {
        const steps = stepsOf(workload);
        const created = new Map<string, { at: number; index: number }>();
        const deleted = new Set<string>();
        const copiedInto = new Set<string>();
        const regcred = new Set(expandWorkload(workload).scenario.objects.map((o) => o.metadata.namespace));
        const preloaded = new Set(expandWorkload(workload).scenario.nodes[0]?.images.map((i) => i.ref));
        let restarts = 0;
        steps.forEach((step, index) => {
          expect(step.at).toBeGreaterThanOrEqual(index === 0 ? 0 : (steps[index - 1] as TimelineStep).at);
          expect(step.at).toBeLessThan(workload.duration);
          if (isPodApply(step)) {
            const { namespace, name } = step.apply.metadata;
            const key = `${namespace}/${name}`;
            expect(created.has(key)).toBe(false);
            created.set(key, { at: step.at, index });
            for (const secret of step.apply.spec.imagePullSecrets ?? []) {
              if (secret.name === 'copied') expect(copiedInto.has(namespace ?? '')).toBe(true);
              else expect(regcred.has(namespace)).toBe(true);
            }
            const container = step.apply.spec.containers[0];
            if (container?.imagePullPolicy === 'Never' && preloaded.size > 0)
              expect(preloaded.has(container.image)).toBe(true);
          } else if ('delete' in step) {
            const key = `${step.delete.namespace}/${step.delete.name}`;
            const creation = created.get(key);
            expect(step.delete.kind).toBe('Pod');
            expect(creation).toBeDefined();
            expect(creation?.index).toBeLessThan(index);
            expect(step.at).toBeGreaterThanOrEqual(creation?.at ?? Number.POSITIVE_INFINITY);
            expect(deleted.has(key)).toBe(false);
            deleted.add(key);
          } else if (isSecretApply(step) && step.apply.metadata.name === 'copied') {
            copiedInto.add(step.apply.metadata.namespace ?? '');
          } else if ('action' in step && step.action.action === 'restartKubelet') {
            restarts++;
            // Evenly spaced: the i-th restart at i × duration ÷ (restarts + 1).
            expect(step.at).toBe(Math.floor((restarts * workload.duration) / (workload.kubeletRestarts + 1)));
          }
        });
        expect(restarts).toBe(workload.kubeletRestarts);
        // The pod applies are p0, p1, … in order: the first arrivals of the Poisson process, up to the end.
        const arrivals = new SeededRandom(workload.seed).stream('arrivals');
        const meanGap = workload.duration / workload.pods.starts;
        const expected: number[] = [];
        for (let at = arrivals.exponential(meanGap); expected.length < workload.pods.starts; ) {
          if (!(at < workload.duration)) break;
          expected.push(Math.floor(at));
          at += arrivals.exponential(meanGap);
        }
        const applies = steps.filter(isPodApply);
        expect(applies.map((s) => s.apply.metadata.name)).toEqual(expected.map((_, i) => `p${i}`));
        expect(applies.map((s) => s.at)).toEqual(expected);
        expect(applies.length).toBeLessThanOrEqual(workload.pods.starts);
      }),
    );
  });
});
