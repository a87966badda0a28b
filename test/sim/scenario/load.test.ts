/**
 * The scenario loader (docs/contract.md §2): every field parses to its typed value with the contract's defaults,
 * and every kind of bad input is reported with file, line, field path and what was expected — all at once.
 */

import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { formatPath, InputError } from '../../../sim/errors.js';
import { kindName, typeName } from '../../../sim/input/issues.js';
import { ACTION_FIELDS, defaultEnd, parseScenario, SCENARIO_FIELDS } from '../../../sim/scenario/load.js';
import type { Action, Scenario, TimelineStep } from '../../../sim/scenario/types.js';
import { KUBELET_VERSIONS } from '../../../src/profiles.js';
import { dedent, issuesOf, scenarioText } from '../../support/cli-harness.js';

const S = 1_000_000; // ticks per second: one tick is one microsecond (src/time.ts)
const M = 60 * S;
const HEX_A = 'a'.repeat(64);
const HEX_B = 'b'.repeat(64);

/** Parses a scenario whose spec is `spec` (dedented YAML under `spec:`). */
function load(spec: string, name = 'test'): Scenario {
  return parseScenario(scenarioText(name, spec), 'test.yaml');
}

/** The issues of a scenario whose spec is `spec`. */
function problems(spec: string) {
  return issuesOf(scenarioText('test', spec), 'test.yaml');
}

/** One issue with this path (exactly one), for precise assertions. */
function issueAt(spec: string, path: string) {
  const found = problems(spec).filter((issue) => issue.path === path);
  expect(found, `issues at ${path}: ${JSON.stringify(problems(spec))}`).toHaveLength(1);
  return found[0]!;
}

const EVERY_FIELD = dedent(`
  apiVersion: pullsim/v1alpha1
  kind: Scenario
  metadata:
    name: every-field
    description: Uses every field of the format
  spec:
    seed: 42
    until: 1h30m
    kubelet:
      version: "1.35"
      featureGates: { KubeletEnsureSecretPulledImages: true, KubeletServiceAccountTokenForCredentialProviders: true }
      imagePullCredentialsVerificationPolicy: NeverVerifyAllowlistedImages
      preloadedImagesVerificationAllowlist: [docker.io/library/pause, registry.k8s.io/*]
      serializeImagePulls: false
      maxParallelImagePulls: 3
      syncFrequency: 30s
      credentialMappingKey: familiar
    registries:
      - host: private.example.com:5000
        users:
          - { username: team-a, password: s3cret-a }
        repositories:
          - name: team-a/app
            public: false
            pullers: [team-a, "system:serviceaccount:team-a:builder"]
            tags:
              v1: { digest: "sha256:${HEX_A}", sizeBytes: 1000 }
        rateLimit:
          perUser: { capacity: 10, refillPerHour: 100 }
          anonymous: { capacity: 2, refillPerHour: 0.5 }
        latency: { min: 100ms, max: 2s }
        bandwidthBytesPerSecond: 1000000
        serviceAccountTokenProvider: { requireServiceAccount: true, nodeUser: team-a }
    nodes:
      - name: node-a
        images:
          - private.example.com:5000/team-a/app:v1
          - { ref: "docker.io/library/pause:3.10", id: "sha256:${HEX_B}" }
        credentials:
          auths: { "private.example.com:5000": { username: team-a, password: s3cret-a } }
        imageManagerFiles:
          "pulled/sha256-${HEX_B}": '{"kind":"ImagePulledRecord"}'
        imageGC: { capacityBytes: 1000000000, highThresholdPercent: 90, lowThresholdPercent: 70, period: 1m }
        device: ssd
        fsFaults: { readError: 0.1, writeError: 0.2, enospc: 0, corrupt: 1 }
    objects:
      - { apiVersion: v1, kind: Namespace, metadata: { name: team-a } }
      - apiVersion: v1
        kind: Secret
        metadata: { namespace: team-a, name: regcred }
        type: kubernetes.io/dockerconfigjson
        stringData:
          .dockerconfigjson: '{"auths":{"private.example.com:5000":{"username":"team-a","password":"s3cret-a"}}}'
      - apiVersion: v1
        kind: ServiceAccount
        metadata: { namespace: team-a, name: builder }
        imagePullSecrets: [{ name: regcred }]
      - apiVersion: v1
        kind: Pod
        metadata: { namespace: team-a, name: a, uid: uid-a }
        spec:
          nodeName: node-a
          serviceAccountName: builder
          imagePullSecrets: [{ name: regcred }]
          restartPolicy: Never
          containers:
            - { name: app, image: "private.example.com:5000/team-a/app:v1", imagePullPolicy: IfNotPresent }
    timeline:
      - at: 0s
        apply:
          apiVersion: v1
          kind: Pod
          metadata: { namespace: team-b, name: b }
          spec: { containers: [{ name: app, image: "private.example.com:5000/team-a/app:v1" }] }
      - at: 1m
        delete: { kind: Pod, namespace: team-b, name: b }
      - at: 2m
        action: restartKubelet
        node: node-a
    expect:
      - pod: team-a/a
        container: app
        modes: [legacy, AlwaysVerify, as-configured]
        at: 30s
        state: running
        reason: [ErrImagePull, ImagePullBackOff]
        violation: false
        started: true
        pulls: { min: 1, max: 2 }
      - record: { image: "private.example.com:5000/team-a/app:v1", exists: true, apiVersion: kubelet.config.k8s.io/v1beta1, sources: [secret:team-a/regcred] }
        node: node-a
        modes: [AlwaysVerify]
      - metric: { name: kubelet_imagemanager_image_mustpull_checks_total, result: mustAuthenticate, labels: { node: a }, value: 0 }
      - intent: { image: "nginx:1.27", exists: false, apiVersion: kubelet.config.k8s.io/v1alpha1 }
        node: node-a
`);

describe('every field of the format parses to its typed value', () => {
  it('a file that uses every field', () => {
    const scenario = parseScenario(EVERY_FIELD, 'every-field.yaml');
    expect(scenario).toEqual({
      name: 'every-field',
      description: 'Uses every field of the format',
      seed: 42,
      until: 90 * M,
      kubelet: {
        version: '1.35',
        featureGates: {
          KubeletEnsureSecretPulledImages: true,
          KubeletServiceAccountTokenForCredentialProviders: true,
        },
        imagePullCredentialsVerificationPolicy: 'NeverVerifyAllowlistedImages',
        preloadedImagesVerificationAllowlist: ['docker.io/library/pause', 'registry.k8s.io/*'],
        serializeImagePulls: false,
        maxParallelImagePulls: 3,
        syncFrequency: 30 * S,
        credentialMappingKey: 'familiar',
      },
      registries: [
        {
          host: 'private.example.com:5000',
          users: [{ username: 'team-a', password: 's3cret-a' }],
          repositories: [
            {
              name: 'team-a/app',
              public: false,
              pullers: ['team-a', 'system:serviceaccount:team-a:builder'],
              tags: { v1: { digest: `sha256:${HEX_A}`, sizeBytes: 1000 } },
            },
          ],
          rateLimit: {
            perUser: { capacity: 10, refillPerHour: 100 },
            anonymous: { capacity: 2, refillPerHour: 0.5 },
          },
          latency: { minTicks: 100_000, maxTicks: 2 * S },
          bandwidthBytesPerSecond: 1_000_000,
          serviceAccountTokenProvider: { requireServiceAccount: true, nodeUser: 'team-a' },
        },
      ],
      nodes: [
        {
          name: 'node-a',
          images: [
            { ref: 'private.example.com:5000/team-a/app:v1' },
            { ref: 'docker.io/library/pause:3.10', id: `sha256:${HEX_B}` },
          ],
          credentials: { 'private.example.com:5000': { username: 'team-a', password: 's3cret-a' } },
          imageManagerFiles: { [`pulled/sha256-${HEX_B}`]: '{"kind":"ImagePulledRecord"}' },
          imageGC: { capacityBytes: 1e9, highThresholdPercent: 90, lowThresholdPercent: 70, period: M },
          device: 'ssd',
          fsFaults: { readError: 0.1, writeError: 0.2, enospc: 0, corrupt: 1 },
        },
      ],
      objects: [
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a' } },
        {
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: { namespace: 'team-a', name: 'regcred' },
          type: 'kubernetes.io/dockerconfigjson',
          stringData: {
            '.dockerconfigjson':
              '{"auths":{"private.example.com:5000":{"username":"team-a","password":"s3cret-a"}}}',
          },
        },
        {
          apiVersion: 'v1',
          kind: 'ServiceAccount',
          metadata: { namespace: 'team-a', name: 'builder' },
          imagePullSecrets: [{ name: 'regcred' }],
        },
        {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { namespace: 'team-a', name: 'a', uid: 'uid-a' },
          spec: {
            nodeName: 'node-a',
            serviceAccountName: 'builder',
            imagePullSecrets: [{ name: 'regcred' }],
            restartPolicy: 'Never',
            containers: [
              {
                name: 'app',
                image: 'private.example.com:5000/team-a/app:v1',
                imagePullPolicy: 'IfNotPresent',
              },
            ],
          },
        },
      ],
      timeline: [
        {
          at: 0,
          apply: {
            apiVersion: 'v1',
            kind: 'Pod',
            metadata: { namespace: 'team-b', name: 'b' },
            spec: { containers: [{ name: 'app', image: 'private.example.com:5000/team-a/app:v1' }] },
          },
        },
        { at: M, delete: { kind: 'Pod', namespace: 'team-b', name: 'b' } },
        { at: 2 * M, action: { action: 'restartKubelet', node: 'node-a' } },
      ],
      expect: [
        {
          pod: 'team-a/a',
          line: 81,
          container: 'app',
          modes: ['legacy', 'AlwaysVerify', 'as-configured'],
          at: 30 * S,
          state: 'running',
          reason: ['ErrImagePull', 'ImagePullBackOff'],
          violation: false,
          started: true,
          pulls: { min: 1, max: 2 },
        },
        {
          record: {
            image: 'private.example.com:5000/team-a/app:v1',
            exists: true,
            apiVersion: 'kubelet.config.k8s.io/v1beta1',
            sources: ['secret:team-a/regcred'],
          },
          node: 'node-a',
          modes: ['AlwaysVerify'],
          line: 90,
        },
        {
          metric: {
            name: 'kubelet_imagemanager_image_mustpull_checks_total',
            result: 'mustAuthenticate',
            labels: { node: 'a' },
            value: 0,
          },
          line: 93,
        },
        {
          intent: { image: 'nginx:1.27', exists: false, apiVersion: 'kubelet.config.k8s.io/v1alpha1' },
          node: 'node-a',
          line: 94,
        },
      ],
    });
  });

  it('the fixture above really uses every field of SCENARIO_FIELDS (so the test above cannot go stale)', () => {
    const raw = parseDocument(EVERY_FIELD).toJS() as Record<string, unknown>;
    const at = (...path: (string | number)[]): Record<string, unknown> =>
      path.reduce<unknown>((value, key) => (value as Record<string | number, unknown>)[key], raw) as Record<
        string,
        unknown
      >;
    const registry = ['spec', 'registries', 0] as const;
    const node = ['spec', 'nodes', 0] as const;
    const keysOf: Record<keyof typeof SCENARIO_FIELDS, string[]> = {
      top: Object.keys(raw),
      metadata: Object.keys(at('metadata')),
      spec: Object.keys(at('spec')),
      kubelet: Object.keys(at('spec', 'kubelet')),
      featureGates: Object.keys(at('spec', 'kubelet', 'featureGates')),
      registry: Object.keys(at(...registry)),
      user: Object.keys(at(...registry, 'users', 0)),
      repository: Object.keys(at(...registry, 'repositories', 0)),
      tag: Object.keys(at(...registry, 'repositories', 0, 'tags', 'v1')),
      rateLimit: Object.keys(at(...registry, 'rateLimit')),
      tokenBucket: Object.keys(at(...registry, 'rateLimit', 'perUser')),
      latency: Object.keys(at(...registry, 'latency')),
      serviceAccountTokenProvider: Object.keys(at(...registry, 'serviceAccountTokenProvider')),
      node: Object.keys(at(...node)),
      image: Object.keys(at(...node, 'images', 1)),
      imageGC: Object.keys(at(...node, 'imageGC')),
      fsFaults: Object.keys(at(...node, 'fsFaults')),
      step: [...new Set([0, 1, 2].flatMap((i) => Object.keys(at('spec', 'timeline', i))))].filter(
        (key) => key !== 'node',
      ),
      delete: Object.keys(at('spec', 'timeline', 1, 'delete')),
      expect: [...new Set([0, 1, 2, 3].flatMap((i) => Object.keys(at('spec', 'expect', i))))],
      pulls: Object.keys(at('spec', 'expect', 0, 'pulls')),
      record: Object.keys(at('spec', 'expect', 1, 'record')),
      metric: Object.keys(at('spec', 'expect', 2, 'metric')),
      intent: Object.keys(at('spec', 'expect', 3, 'intent')),
    };
    for (const [group, fields] of Object.entries(SCENARIO_FIELDS))
      expect(new Set(keysOf[group as keyof typeof SCENARIO_FIELDS]), group).toEqual(new Set(fields));
  });

  it('JSON is read like YAML', () => {
    const fromYaml = parseScenario(EVERY_FIELD, 'x');
    const json = JSON.stringify(parseDocument(EVERY_FIELD).toJS());
    const { expect: lines, ...rest } = parseScenario(json, 'x.json');
    const { expect: yamlLines, ...yamlRest } = fromYaml;
    expect(rest).toEqual(yamlRest);
    // In a one-line JSON file every expect line is on line 1.
    expect(lines.map((line) => line.line)).toEqual([1, 1, 1, 1]);
    expect(lines.map(({ line: _, ...e }) => e)).toEqual(yamlLines.map(({ line: _, ...e }) => e));
  });
});

describe('defaults (contract §2)', () => {
  const minimal = load('{}');

  it('seed 1, no until (the run ends 10m after the last step), no registries, node-1, empty lists', () => {
    expect(minimal).toEqual({
      name: 'test',
      seed: 1,
      kubelet: {
        version: KUBELET_VERSIONS[KUBELET_VERSIONS.length - 1],
        featureGates: {},
        preloadedImagesVerificationAllowlist: [],
        serializeImagePulls: true,
        syncFrequency: M,
      },
      registries: [],
      nodes: [{ name: 'node-1', images: [], imageManagerFiles: {} }],
      objects: [],
      timeline: [],
      expect: [],
    });
    expect(minimal.until).toBeUndefined();
  });

  it('the default kubelet version is the newest profile', () => {
    expect(minimal.kubelet.version).toBe([...KUBELET_VERSIONS].sort().at(-1));
  });

  it('until defaults to 10m after the last timeline step', () => {
    const steps = (...ats: number[]): TimelineStep[] =>
      ats.map((at) => ({ at: at as TimelineStep['at'], action: { action: 'imageGC', node: 'node-1' } }));
    expect(defaultEnd([])).toBe(10 * M);
    expect(defaultEnd(steps(0, 3 * M, 5 * M))).toBe(15 * M);
    const scenario = load(`
      timeline:
        - { at: 90s, action: imageGC }
        - { at: 4m, action: imageGC }
    `);
    expect(scenario.until).toBeUndefined();
    expect(defaultEnd(scenario.timeline)).toBe(14 * M);
  });

  it('a null or empty kubelet section, registry parts and tag values take their defaults', () => {
    const scenario = load(`
      kubelet: { maxParallelImagePulls: null, imagePullCredentialsVerificationPolicy: "" }
      registries:
        - host: r.example.com
          repositories: [{ name: app, tags: { v1: null } }]
          serviceAccountTokenProvider: null
    `);
    expect(scenario.kubelet).toEqual(minimal.kubelet);
    const registry = scenario.registries[0]!;
    expect(registry.users).toEqual([]);
    expect(registry.repositories[0]).toMatchObject({ name: 'app', public: false, pullers: [] });
    expect(registry.serviceAccountTokenProvider).toEqual({ requireServiceAccount: false });
  });

  it('imageGC thresholds default to the kubelet defaults 85/80 and a 5m period', () => {
    const scenario = load(`
      nodes: [{ name: n, imageGC: { capacityBytes: 100 } }]
    `);
    expect(scenario.nodes[0]!.imageGC).toEqual({
      capacityBytes: 100,
      highThresholdPercent: 85,
      lowThresholdPercent: 80,
      period: 5 * M,
    });
  });

  describe('a digest or size left out is derived from the seed', () => {
    const spec = (seed: number) => `
      seed: ${seed}
      registries:
        - host: r.example.com
          repositories:
            - name: app
              tags: { v1: {}, v2: { sizeBytes: 7 }, v3: { digest: "sha256:${HEX_A}" } }
    `;
    const tags = (seed: number) => load(spec(seed)).registries[0]!.repositories[0]!.tags;

    it('has the contract shape and keeps what the file gives', () => {
      const t = tags(1);
      expect(t.v1!.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(Number.isSafeInteger(t.v1!.sizeBytes) && t.v1!.sizeBytes > 0).toBe(true);
      expect(t.v2!.sizeBytes).toBe(7);
      expect(t.v3!.digest).toBe(`sha256:${HEX_A}`);
    });

    it('is stable: the same file gives the same values', () => {
      expect(tags(1)).toEqual(tags(1));
      expect(tags(123_456)).toEqual(tags(123_456));
    });

    it('differs between tags and between seeds', () => {
      const one = tags(1);
      expect(one.v1!.digest).not.toBe(one.v2!.digest);
      expect(tags(2).v1!.digest).not.toBe(one.v1!.digest);
    });
  });

  it('actions that need a node default to the only node', () => {
    const scenario = load(`
      nodes: [{ name: only }]
      timeline: [{ at: 0s, action: restartKubelet }]
    `);
    expect(scenario.timeline[0]).toEqual({ at: 0, action: { action: 'restartKubelet', node: 'only' } });
    expect(
      issueAt(
        `
      nodes: [{ name: a }, { name: b }]
      timeline: [{ at: 0s, action: imageGC }]
    `,
        'spec.timeline[0].node',
      ).message,
    ).toBe('required field of imageGC is missing');
  });

  it('a pod with neither namespace nor several containers, an expect line with one reason and an integer pulls', () => {
    const scenario = load(`
      objects:
        - { apiVersion: v1, kind: Pod, metadata: { name: p }, spec: { containers: [{ name: c, image: x }] } }
      expect:
        - { pod: default/p, reason: ErrImagePull, pulls: 2 }
        - { pod: default/p, pulls: { max: 3 } }
    `);
    expect(scenario.expect).toEqual([
      { pod: 'default/p', line: 9, reason: ['ErrImagePull'], pulls: { min: 2, max: 2 } },
      { pod: 'default/p', line: 10, pulls: { max: 3 } },
    ]);
  });
});

describe('kubelet versions', () => {
  it.each(KUBELET_VERSIONS)('"%s" (quoted) and its unquoted YAML number are both accepted', (version) => {
    expect(load(`kubelet: { version: "${version}" }`).kubelet.version).toBe(version);
    expect(load(`kubelet: { version: ${version} }`).kubelet.version).toBe(version);
  });

  it('an unknown version lists the known ones', () => {
    expect(issueAt('kubelet: { version: "1.20" }', 'spec.kubelet.version').message).toBe(
      `expected one of ${KUBELET_VERSIONS.map((v) => `"${v}"`).join(', ')}, got "1.20"`,
    );
  });
});

describe('every action and its fields', () => {
  const header = `
    registries:
      - host: r.example.com
        users: [{ username: u, password: p }]
        repositories: [{ name: app, tags: { v1: {} } }]
    nodes: [{ name: n1 }, { name: n2 }]
    objects:
      - { apiVersion: v1, kind: Pod, metadata: { namespace: ns, name: p }, spec: { containers: [{ name: c, image: x }] } }
    timeline:
  `;
  const cases: Record<Action['action'], { yaml: string; typed: Action }[]> = {
    restartKubelet: [
      { yaml: 'node: n1', typed: { action: 'restartKubelet', node: 'n1' } },
      {
        yaml: 'node: n2, downtime: 30s',
        typed: { action: 'restartKubelet', node: 'n2', downtime: (30 * S) as never },
      },
    ],
    crashKubelet: [
      { yaml: 'node: n1', typed: { action: 'crashKubelet', node: 'n1' } },
      { yaml: 'node: n1, downtime: 0', typed: { action: 'crashKubelet', node: 'n1', downtime: 0 as never } },
    ],
    registryDown: [{ yaml: 'host: r.example.com', typed: { action: 'registryDown', host: 'r.example.com' } }],
    registryUp: [{ yaml: 'host: r.example.com', typed: { action: 'registryUp', host: 'r.example.com' } }],
    revokePuller: [
      {
        yaml: 'host: r.example.com, repository: app, username: u',
        typed: { action: 'revokePuller', host: 'r.example.com', repository: 'app', username: 'u' },
      },
    ],
    grantPuller: [
      {
        yaml: 'host: r.example.com, repository: app, username: "system:serviceaccount:ns:sa"',
        typed: {
          action: 'grantPuller',
          host: 'r.example.com',
          repository: 'app',
          username: 'system:serviceaccount:ns:sa',
        },
      },
    ],
    changePassword: [
      {
        yaml: 'host: r.example.com, username: u, password: new-pw',
        typed: { action: 'changePassword', host: 'r.example.com', username: 'u', password: 'new-pw' },
      },
    ],
    retag: [
      {
        yaml: `host: r.example.com, repository: app, tag: v1, digest: "sha256:${HEX_B}"`,
        typed: {
          action: 'retag',
          host: 'r.example.com',
          repository: 'app',
          tag: 'v1',
          digest: `sha256:${HEX_B}`,
        },
      },
      {
        yaml: `host: r.example.com, repository: app, tag: v9, digest: "sha256:${HEX_B}", sizeBytes: 99`,
        typed: {
          action: 'retag',
          host: 'r.example.com',
          repository: 'app',
          tag: 'v9',
          digest: `sha256:${HEX_B}`,
          sizeBytes: 99,
        },
      },
    ],
    removeImage: [
      {
        yaml: 'node: n1, image: r.example.com/app:v1',
        typed: { action: 'removeImage', node: 'n1', image: 'r.example.com/app:v1' },
      },
    ],
    imageGC: [{ yaml: 'node: n2', typed: { action: 'imageGC', node: 'n2' } }],
    deleteRecords: [{ yaml: 'node: n1', typed: { action: 'deleteRecords', node: 'n1' } }],
    setPolicy: [
      {
        yaml: 'node: n1, policy: AlwaysVerify',
        typed: { action: 'setPolicy', node: 'n1', policy: 'AlwaysVerify' },
      },
      {
        yaml: 'node: n1, policy: NeverVerifyAllowlistedImages, allowlist: [r.example.com/app]',
        typed: {
          action: 'setPolicy',
          node: 'n1',
          policy: 'NeverVerifyAllowlistedImages',
          allowlist: ['r.example.com/app'],
        },
      },
      {
        yaml: 'node: n1, policy: NeverVerify, allowlist: []',
        typed: { action: 'setPolicy', node: 'n1', policy: 'NeverVerify', allowlist: [] },
      },
    ],
    restartContainer: [
      { yaml: 'pod: ns/p', typed: { action: 'restartContainer', pod: 'ns/p' } },
      { yaml: 'pod: ns/p, container: c', typed: { action: 'restartContainer', pod: 'ns/p', container: 'c' } },
    ],
    fsFault: [
      { yaml: 'node: n1, fault: readError', typed: { action: 'fsFault', node: 'n1', fault: 'readError' } },
      {
        yaml: 'node: n1, fault: crashBeforeRename, count: 3, path: pulled',
        typed: { action: 'fsFault', node: 'n1', fault: 'crashBeforeRename', count: 3, path: 'pulled' },
      },
    ],
  };

  it('the table covers every action of ACTION_FIELDS, and every optional field', () => {
    expect(Object.keys(cases).sort()).toEqual(Object.keys(ACTION_FIELDS).sort());
    for (const [name, list] of Object.entries(cases)) {
      const used = new Set(list.flatMap(({ typed }) => Object.keys(typed)));
      const { required, optional } = ACTION_FIELDS[name as Action['action']];
      expect([...used].sort(), name).toEqual(['action', ...required, ...optional].sort());
    }
  });

  it.each(Object.entries(cases).flatMap(([name, list]) => list.map((c) => [name, c] as const)))(
    '%s',
    (name, { yaml, typed }) => {
      const scenario = load(`${header}  - { at: 1m, action: ${name}, ${yaml} }`);
      expect(scenario.timeline).toEqual([{ at: M, action: typed }]);
    },
  );

  it.each(Object.entries(ACTION_FIELDS))(
    '%s: every missing required field is named',
    (name, { required }) => {
      const issues = problems(`${header}  - { at: 1m, action: ${name} }`);
      // With two nodes no node is implied.
      expect(issues.map((i) => i.path).sort()).toEqual(required.map((f) => `spec.timeline[0].${f}`).sort());
      for (const issue of issues) expect(issue.message).toBe(`required field of ${name} is missing`);
    },
  );

  it.each(Object.keys(ACTION_FIELDS))('%s: a field of another action is unknown', (name) => {
    const issue = issueAt(
      `${header}  - { at: 1m, action: ${name}, bogusField: 1 }`,
      'spec.timeline[0].bogusField',
    );
    const { required, optional } = ACTION_FIELDS[name as Action['action']];
    // An action step's fields are `at`, `action` and the action's own (not `apply` or `delete`).
    expect(issue.message).toBe(
      `unknown field (expected one of: ${['at', 'action', ...required, ...optional].join(', ')})`,
    );
    expect(issue.line).toBe(14);
  });

  it('an unknown action lists the known ones', () => {
    const issue = issueAt(`${header}  - { at: 1m, action: rebootNode, node: n1 }`, 'spec.timeline[0].action');
    expect(issue).toEqual({
      file: 'test.yaml',
      line: 14,
      path: 'spec.timeline[0].action',
      message: `unknown action "rebootNode" (expected one of: ${Object.keys(ACTION_FIELDS).join(', ')})`,
    });
    expect(issueAt(`${header}  - { at: 1m, action: 7 }`, 'spec.timeline[0].action').message).toMatch(
      /^unknown action 7 /,
    );
    // Names every object has (its prototype's) are not actions either.
    for (const name of ['toString', 'constructor', 'hasOwnProperty'])
      expect(issueAt(`${header}  - { at: 1m, action: ${name} }`, 'spec.timeline[0].action').message).toMatch(
        new RegExp(`^unknown action "${name}"`),
      );
  });

  it('bad action values', () => {
    const bad = (fields: string, path: string) =>
      issueAt(`${header}  - { at: 1m, ${fields} }`, `spec.timeline[0].${path}`).message;
    expect(
      bad('action: retag, host: r.example.com, repository: app, tag: v1, digest: latest', 'digest'),
    ).toBe('"latest" is not valid: expected sha256:<64 lower-case hex>');
    expect(
      bad(
        `action: retag, host: r.example.com, repository: app, tag: v1, digest: "sha256:${HEX_A}", sizeBytes: 0`,
        'sizeBytes',
      ),
    ).toBe('expected an integer from 1 to 9007199254740991, got 0');
    expect(bad('action: setPolicy, node: n1, policy: Sometimes', 'policy')).toBe(
      'expected one of NeverVerify, NeverVerifyPreloadedImages, NeverVerifyAllowlistedImages, AlwaysVerify, got the string "Sometimes"',
    );
    expect(
      bad(
        'action: setPolicy, node: n1, policy: NeverVerifyAllowlistedImages, allowlist: [nginx]',
        'allowlist[0]',
      ),
    ).toBe('invalid image pattern: neither tag nor digest is accepted in an image reference: nginx');
    expect(
      bad(
        'action: setPolicy, node: n1, policy: AlwaysVerify, allowlist: [docker.io/library/nginx]',
        'allowlist',
      ),
    ).toBe(
      'invalid configuration: can\'t set `preloadedImagesVerificationAllowlist` if `imagePullCredentialsVertificationPolicy` is not "NeverVerifyAllowlistedImages"',
    );
    expect(bad('action: restartContainer, pod: p', 'pod')).toBe('"p" is not valid: expected namespace/name');
    expect(bad('action: fsFault, node: n1, fault: meltdown', 'fault')).toBe(
      'expected one of readError, writeError, enospc, crashBeforeRename, corrupt, got the string "meltdown"',
    );
    expect(bad('action: fsFault, node: n1, fault: enospc, count: 0', 'count')).toBe(
      'expected an integer from 1 to 1000000, got 0',
    );
    expect(bad('action: restartKubelet, node: n1, downtime: 5', 'downtime')).toBe(
      'expected a duration such as 90s, 5m or 1h30m, got number 5',
    );
    expect(bad('action: removeImage, node: n1, image: ""', 'image')).toBe('must not be empty');
  });
});

describe('errors carry file, line, field path and what was expected', () => {
  it('wrong types', () => {
    const text = scenarioText(
      'test',
      `
      seed: "one"
      until: 5
      kubelet: { serializeImagePulls: "yes", featureGates: { KubeletEnsureSecretPulledImages: 1 } }
      registries: { host: r }
      nodes: node-1
      timeline: {}
    `,
    );
    expect(issuesOf(text, 'types.yaml')).toEqual([
      {
        file: 'types.yaml',
        line: 6,
        path: 'spec.seed',
        message: 'expected an integer, got the string "one"',
      },
      {
        file: 'types.yaml',
        line: 7,
        path: 'spec.until',
        message: 'expected a duration such as 90s, 5m or 1h30m, got number 5',
      },
      {
        file: 'types.yaml',
        line: 8,
        path: 'spec.kubelet.serializeImagePulls',
        message: 'expected true or false, got the string "yes"',
      },
      {
        file: 'types.yaml',
        line: 8,
        path: 'spec.kubelet.featureGates.KubeletEnsureSecretPulledImages',
        message: 'expected true or false, got number 1',
      },
      { file: 'types.yaml', line: 9, path: 'spec.registries', message: 'expected a list, got a mapping' },
      {
        file: 'types.yaml',
        line: 10,
        path: 'spec.nodes',
        message: 'expected a list, got the string "node-1"',
      },
      { file: 'types.yaml', line: 11, path: 'spec.timeline', message: 'expected a list, got a mapping' },
    ]);
  });

  it('missing required fields, once each', () => {
    expect(issuesOf('apiVersion: pullsim/v1alpha1\nkind: Scenario\nmetadata: {}\n', 'm.yaml')).toEqual([
      { file: 'm.yaml', line: 1, path: 'spec', message: 'required field is missing' },
      { file: 'm.yaml', line: 3, path: 'metadata.name', message: 'required field is missing' },
    ]);
    expect(issuesOf('kind: Other\nmetadata:\nspec: {}\n', 'm.yaml')).toEqual([
      { file: 'm.yaml', line: 1, path: 'apiVersion', message: 'required field is missing' },
      { file: 'm.yaml', line: 1, path: 'kind', message: 'expected Scenario, got "Other"' },
      { file: 'm.yaml', line: 2, path: 'metadata', message: 'required field is missing' },
    ]);
    const issues = problems(`
      registries: [{ users: [{ username: u }], repositories: [{ tags: {} }] }]
      nodes: [{ images: [{ id: "sha256:${HEX_A}" }] }]
      objects: [{ apiVersion: v1, kind: Pod, metadata: {}, spec: { containers: [{}] } }, { apiVersion: v1 }]
      timeline: [{ action: imageGC, node: node-1 }]
      expect: [{ state: running }]
    `);
    expect(issues.map((i) => `${i.line} ${i.path}: ${i.message}`)).toEqual([
      '6 spec.registries[0].host: required field is missing',
      '6 spec.registries[0].users[0].password: required field is missing',
      '6 spec.registries[0].repositories[0].name: required field is missing',
      '7 spec.nodes[0].name: required field is missing',
      '7 spec.nodes[0].images[0].ref: required field is missing',
      '8 spec.objects[0].metadata.name: required field is missing',
      '8 spec.objects[0].spec.containers[0].name: required field is missing',
      '8 spec.objects[0].spec.containers[0].image: required field is missing',
      '8 spec.objects[1].kind: required field is missing',
      '9 spec.timeline[0].at: required field is missing',
      '10 spec.expect[0].pod: required field is missing',
    ]);
  });

  it('bad durations quote the text and say why', () => {
    const message = (d: string) => issueAt(`until: "${d}"`, 'spec.until').message;
    expect(message('5x')).toBe(
      'invalid duration "5x": expected a number followed by a unit such as 250ms, 90s or 1h30m',
    );
    expect(message('-5m')).toBe('invalid duration "-5m": must not be negative');
    expect(message('10')).toBe('invalid duration "10": missing unit (use ns, us, ms, s, m or h)');
    expect(message('1ns')).toBe('invalid duration "1ns": finer than the simulator resolution of 1µs');
    expect(message('')).toBe('invalid duration "": empty');
    expect(load('until: 0').until).toBe(0);
    expect(load('until: "0"').until).toBe(0);
    expect(load('until: 1h30m15.5s').until).toBe(90 * M + 15.5 * S);
  });

  it('bad seeds: integers from 0 to 2^53-1 only', () => {
    for (const seed of ['-1', '1.5', '9007199254740992', '1e300'])
      expect(issueAt(`seed: ${seed}`, 'spec.seed').message).toMatch(/^expected an integer/);
    expect(issueAt('seed: "7"', 'spec.seed').message).toBe('expected an integer, got the string "7"');
    expect(issueAt('seed: .inf', 'spec.seed').message).toBe('expected an integer, got number Infinity');
    expect(load('seed: 0').seed).toBe(0);
    expect(load('seed: 9007199254740991').seed).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('bad names, hosts, tags, digests and paths', () => {
    expect(issuesOf(scenarioText('Not_Valid', '{}'), 'n.yaml')).toEqual([
      {
        file: 'n.yaml',
        line: 4,
        path: 'metadata.name',
        message: '"Not_Valid" is not valid: expected lower-case letters, digits and dashes',
      },
    ]);
    const issues = problems(`
      registries:
        - host: "https://r.example.com"
          repositories: [{ name: Team/App, tags: { "-bad": {}, v1: { digest: "sha256:ABC" } } }]
        - host: r.example.com
          repositories: [{ name: app }, { name: app }]
        - host: r.example.com
      nodes:
        - name: Node_1
          imageManagerFiles: { "/etc/passwd": x, "pulled/../x": y, "pulled//x": z }
        - name: n
          images: [{ ref: x, id: "md5:1" }, ""]
        - name: n
    `);
    expect(issues.map((i) => `${i.path}: ${i.message}`)).toEqual([
      'spec.registries[0].host: "https://r.example.com" is not valid: expected host[:port]',
      'spec.registries[0].repositories[0].name: "Team/App" is not valid: expected a lower-case repository path such as team-a/app',
      'spec.registries[0].repositories[0].tags["-bad"]: not a valid tag: letters, digits, _ . - up to 128 characters',
      'spec.registries[0].repositories[0].tags.v1.digest: "sha256:ABC" is not valid: expected sha256:<64 lower-case hex>',
      'spec.registries[1].repositories[1].name: duplicate repository app',
      'spec.registries[2].host: duplicate registry host r.example.com',
      'spec.nodes[0].name: "Node_1" is not valid: expected a DNS subdomain name such as node-1',
      'spec.nodes[0].imageManagerFiles["/etc/passwd"]: expected a relative path under image_manager/, such as pulled/sha256-<hex>',
      'spec.nodes[0].imageManagerFiles["pulled/../x"]: expected a relative path under image_manager/, such as pulled/sha256-<hex>',
      'spec.nodes[0].imageManagerFiles["pulled//x"]: expected a relative path under image_manager/, such as pulled/sha256-<hex>',
      'spec.nodes[1].images[0].id: "md5:1" is not valid: expected sha256:<64 lower-case hex>',
      'spec.nodes[1].images[1]: must not be empty',
      'spec.nodes[2].name: duplicate node n',
    ]);
  });

  it('bad registry extensions', () => {
    const issues = problems(`
      registries:
        - host: r.example.com
          users: [{ username: u, password: p }, { username: u, password: q }, { username: "", password: x }]
          rateLimit: { perUser: { capacity: 0, refillPerHour: -1 }, anonymous: { refillPerHour: 1 } }
          latency: { min: 2s, max: 1s }
          bandwidthBytesPerSecond: 0
          serviceAccountTokenProvider: { requireServiceAccount: maybe }
        - host: s.example.com
          latency: { min: 1s }
          rateLimit: 5
          serviceAccountTokenProvider: yes
    `);
    expect(issues.map((i) => `${i.path}: ${i.message}`)).toEqual([
      'spec.registries[0].users[1].username: duplicate user u',
      'spec.registries[0].users[2].username: must not be empty',
      'spec.registries[0].rateLimit.perUser.capacity: expected an integer from 1 to 1000000, got 0',
      'spec.registries[0].rateLimit.perUser.refillPerHour: expected a number from 0 to 1000000000, got -1',
      'spec.registries[0].rateLimit.anonymous.capacity: required field is missing',
      'spec.registries[0].latency.max: must not be less than min',
      'spec.registries[0].bandwidthBytesPerSecond: expected an integer from 1 to 9007199254740991, got 0',
      'spec.registries[0].serviceAccountTokenProvider.requireServiceAccount: expected true or false, got the string "maybe"',
      'spec.registries[1].latency.max: required field is missing',
      'spec.registries[1].rateLimit: expected a mapping, got number 5',
      'spec.registries[1].serviceAccountTokenProvider: expected a mapping, got the string "yes"',
    ]);
  });

  it('bad node extensions', () => {
    const issues = problems(`
      nodes:
        - name: a
          imageGC: { capacityBytes: 0, highThresholdPercent: 101, lowThresholdPercent: 50, period: 0s }
          device: floppy
          fsFaults: { readError: 2, corrupt: x }
        - name: b
          imageGC: { capacityBytes: 10, highThresholdPercent: 70, lowThresholdPercent: 80 }
          imageManagerFiles: { "pulled/x": 5 }
    `);
    expect(issues.map((i) => `${i.path}: ${i.message}`)).toEqual([
      'spec.nodes[0].imageGC.capacityBytes: expected an integer from 1 to 9007199254740991, got 0',
      'spec.nodes[0].imageGC.highThresholdPercent: expected an integer from 0 to 100, got 101',
      'spec.nodes[0].imageGC.period: must be greater than 0',
      'spec.nodes[0].device: expected one of none, ssd, hdd, network, got the string "floppy"',
      'spec.nodes[0].fsFaults.readError: expected a number from 0 to 1, got 2',
      'spec.nodes[0].fsFaults.corrupt: expected a number, got the string "x"',
      'spec.nodes[1].imageGC.lowThresholdPercent: LowThresholdPercent 80 can not be higher than HighThresholdPercent 70',
      'spec.nodes[1].imageManagerFiles["pulled/x"]: expected a string, got number 5',
    ]);
  });

  it('bad timeline steps', () => {
    const issues = problems(`
      timeline:
        - at: 2m
          action: imageGC
        - at: 1m
          action: imageGC
        - at: 3m
        - { at: 3m, action: imageGC, delete: { kind: Pod, name: p } }
        - { at: 3m, delete: { kind: Deployment, name: p, namespace: Bad_NS } }
        - { at: 3m, apply: { apiVersion: apps/v1, kind: Deployment, metadata: { name: d } } }
        - { at: 3m, apply: [] }
        - 5
    `);
    expect(issues.map((i) => `${i.line} ${i.path}: ${i.message}`)).toEqual([
      "9 spec.timeline[1].at: steps must be in time order (1m0s is before the previous step's 2m0s)",
      '11 spec.timeline[2]: expected one of apply, delete or action',
      '12 spec.timeline[3]: expected exactly one of apply, delete or action, got delete and action',
      '13 spec.timeline[4].delete.kind: expected one of Namespace, Secret, ServiceAccount, Pod, got the string "Deployment"',
      '13 spec.timeline[4].delete.namespace: "Bad_NS" is not valid: expected a DNS label',
      '14 spec.timeline[5].apply.apiVersion: expected v1, got "apps/v1"',
      '14 spec.timeline[5].apply.kind: expected one of Namespace, Secret, ServiceAccount, Pod, got the string "Deployment"',
      '15 spec.timeline[6].apply: expected a mapping, got a list',
      '16 spec.timeline[7]: expected a mapping, got number 5',
    ]);
    // Ties keep file order.
    const tied = load(`
      timeline:
        - { at: 1m, action: registryDown, host: r.example.com }
        - { at: 1m, action: registryUp, host: r.example.com }
      registries: [{ host: r.example.com }]
    `);
    expect(tied.timeline.map((s) => ('action' in s ? s.action.action : ''))).toEqual([
      'registryDown',
      'registryUp',
    ]);
  });

  it('bad expect lines', () => {
    const issues = problems(`
      objects:
        - { apiVersion: v1, kind: Pod, metadata: { namespace: ns, name: p }, spec: { containers: [{ name: c, image: x }] } }
      expect:
        - { pod: ns/p }
        - { pod: p, state: running }
        - { pod: ns/p, modes: [legacy, sometimes], state: asleep, at: soon }
        - { pod: ns/p, reason: [""], violation: "no", started: 1, container: "" }
        - { pod: ns/p, pulls: -1 }
        - { pod: ns/p, pulls: { min: 1.5, max: x, exact: 1 } }
        - { pod: ns/p, modes: legacy, state: running }
        - []
    `);
    expect(issues.map((i) => `${i.line} ${i.path}: ${i.message}`)).toEqual([
      '9 spec.expect[0]: an expect line must check at least one of state, reason, violation, started, pulls',
      '10 spec.expect[1].pod: "p" is not valid: expected namespace/name',
      '11 spec.expect[2].modes[1]: expected one of legacy, always-pull, NeverVerify, NeverVerifyPreloadedImages, NeverVerifyAllowlistedImages, AlwaysVerify, as-configured, got the string "sometimes"',
      '11 spec.expect[2].state: expected one of running, waiting, terminated, got the string "asleep"',
      '11 spec.expect[2].at: invalid duration "soon": expected a number followed by a unit such as 250ms, 90s or 1h30m',
      '12 spec.expect[3].reason[0]: must not be empty',
      '12 spec.expect[3].violation: expected true or false, got the string "no"',
      '12 spec.expect[3].started: expected true or false, got number 1',
      '12 spec.expect[3].container: must not be empty',
      '13 spec.expect[4].pulls: expected an integer from 0 to 9007199254740991, got -1',
      '14 spec.expect[5].pulls.min: expected an integer, got number 1.5',
      '14 spec.expect[5].pulls.max: expected an integer, got the string "x"',
      '14 spec.expect[5].pulls.exact: unknown field (expected one of: min, max)',
      '15 spec.expect[6].modes: expected a list, got the string "legacy"',
      '16 spec.expect[7]: expected a mapping, got a list',
    ]);
    expect(
      issueAt(
        `
      objects:
        - { apiVersion: v1, kind: Pod, metadata: { namespace: ns, name: p }, spec: { containers: [{ name: c, image: x }] } }
      expect: [{ pod: ns/p, reason: [] }]
    `,
        'spec.expect[0].reason',
      ).message,
    ).toBe('expected a reason or a non-empty list of reasons');
  });

  it('a value that is not a mapping at the top, or an empty file', () => {
    expect(issuesOf('', 'e.yaml')).toEqual([
      { file: 'e.yaml', line: 1, path: '', message: 'the file is empty' },
    ]);
    expect(issuesOf('- a\n', 'e.yaml')).toEqual([
      { file: 'e.yaml', line: 1, path: '', message: 'expected a mapping, got a list' },
    ]);
    expect(issuesOf('hello\n', 'e.yaml')[0]!.message).toBe('expected a mapping, got the string "hello"');
    expect(
      issuesOf(
        `apiVersion: pullsim/v1alpha1\nkind: Scenario\nmetadata: { name: x, owner: me }\nspec: []\n`,
        'e.yaml',
      ),
    ).toEqual([
      {
        file: 'e.yaml',
        line: 3,
        path: 'metadata.owner',
        message: 'unknown field (expected one of: name, description)',
      },
      { file: 'e.yaml', line: 4, path: 'spec', message: 'expected a mapping, got a list' },
    ]);
    expect(issuesOf('apiVersion: v1\nkind: Scenario\nmetadata: { name: x }\nspec: {}\n')[0]!.message).toBe(
      'expected pullsim/v1alpha1, got "v1"',
    );
  });

  it('the default file name is <scenario>', () => {
    try {
      parseScenario('seed: 1');
      expect.unreachable();
    } catch (error) {
      expect((error as InputError).issues[0]!.file).toBe('<scenario>');
    }
  });
});

describe('parts of the wrong shape are reported where they are, and the rest is still read', () => {
  it('list items and mappings that are not mappings', () => {
    const issues = problems(`
      kubelet: { imagePullCredentialsVerificationPolicy: 7 }
      registries:
        - 5
        - host: r.example.com
          repositories: [x, { name: a, tags: [v1] }, { name: b, tags: { v1: 5 } }]
          rateLimit: { perUser: 5 }
        - host: s.example.com
          users: [u]
      nodes:
        - name: n
          imageGC: 5
          credentials: { auths: { r.example.com: 5 } }
      objects: {}
      timeline:
        - { at: 1m, action: fsFault, node: n, fault: readError, count: 1.5 }
      expect:
        - { pod: a/b, pulls: {} }
    `);
    expect(issues.map((i) => `${i.path}: ${i.message}`)).toEqual([
      'spec.kubelet.imagePullCredentialsVerificationPolicy: expected one of NeverVerify, NeverVerifyPreloadedImages, NeverVerifyAllowlistedImages, AlwaysVerify, got number 7',
      'spec.registries[0]: expected a mapping, got number 5',
      'spec.registries[1].repositories[0]: expected a mapping, got the string "x"',
      'spec.registries[1].repositories[1].tags: expected a mapping, got a list',
      'spec.registries[1].repositories[2].tags.v1: expected a mapping, got number 5',
      'spec.registries[1].rateLimit.perUser: expected a mapping, got number 5',
      // Users hold passwords: a user of the wrong shape is described, never quoted.
      'spec.registries[2].users[0]: expected a mapping, got a string (the value is not shown)',
      'spec.nodes[0].imageGC: expected a mapping, got number 5',
      'spec.nodes[0].credentials.auths["r.example.com"]: expected a mapping, got a number (the value is not shown)',
      'spec.objects: expected a list, got a mapping',
      'spec.timeline[0].count: expected an integer, got number 1.5',
      'spec.expect[0].pod: no pod a/b is created by this scenario',
      'spec.expect[0].pulls: expected an integer or {min, max}',
    ]);
  });

  it('a service account with a bad pull-secret list', () => {
    expect(
      issueAt(
        'objects: [{ apiVersion: v1, kind: ServiceAccount, metadata: { name: sa }, imagePullSecrets: regcred }]',
        'spec.objects[0].imagePullSecrets',
      ).message,
    ).toBe('expected a list, got the string "regcred"');
  });

  it('a key written without a value (flow style) still has a line', () => {
    expect(
      issuesOf('apiVersion: pullsim/v1alpha1\nkind: Scenario\nmetadata: { name }\nspec: {}\n', 'f.yaml'),
    ).toEqual([{ file: 'f.yaml', line: 3, path: 'metadata.name', message: 'required field is missing' }]);
  });
});

describe('a scenario written back by scenarioToYaml loads to the same scenario', () => {
  /** Expect lines remember their source line; everything else must survive the round trip. */
  const withoutLines = (scenario: Scenario): Scenario => ({
    ...scenario,
    expect: scenario.expect.map(({ line: _line, ...rest }) => rest),
  });

  it.each([
    ['every field', EVERY_FIELD],
    ['the defaults', scenarioText('defaults', '{}')],
    [
      'every action',
      scenarioText(
        'actions',
        `
        registries:
          - host: r.example.com
            users: [{ username: u, password: p }]
            repositories: [{ name: app, public: true, tags: { v1: {} } }]
        nodes: [{ name: n1 }, { name: n2 }]
        objects:
          - apiVersion: v1
            kind: Secret
            metadata: { namespace: ns, name: s }
            type: kubernetes.io/dockerconfigjson
            data: { .dockerconfigjson: "${Buffer.from('{"auths":{}}').toString('base64')}" }
          - { apiVersion: v1, kind: Pod, metadata: { namespace: ns, name: p }, spec: { containers: [{ name: c, image: x }] } }
        timeline:
          - { at: 1s, action: restartKubelet, node: n1, downtime: 1m30s }
          - { at: 2s, action: crashKubelet, node: n2 }
          - { at: 3s, action: registryDown, host: r.example.com }
          - { at: 4s, action: registryUp, host: r.example.com }
          - { at: 5s, action: revokePuller, host: r.example.com, repository: app, username: u }
          - { at: 6s, action: grantPuller, host: r.example.com, repository: app, username: u }
          - { at: 7s, action: changePassword, host: r.example.com, username: u, password: q }
          - { at: 8s, action: retag, host: r.example.com, repository: app, tag: v2, digest: "sha256:${HEX_B}", sizeBytes: 5 }
          - { at: 9s, action: removeImage, node: n1, image: r.example.com/app:v1 }
          - { at: 10s, action: imageGC, node: n1 }
          - { at: 11s, action: deleteRecords, node: n2 }
          - { at: 12s, action: setPolicy, node: n1, policy: NeverVerifyAllowlistedImages, allowlist: [r.example.com/*] }
          - { at: 13s, action: restartContainer, pod: ns/p, container: c }
          - { at: 14s, action: fsFault, node: n1, fault: enospc, count: 2, path: pulled }
          - { at: 15s, delete: { kind: Secret, namespace: ns, name: s } }
        expect:
          - { pod: ns/p, reason: ErrImagePull, pulls: 3 }
          - { pod: ns/p, reason: [A, B], pulls: { min: 1 }, started: false }
      `,
      ),
    ],
  ])('%s', async (_what, text) => {
    const { scenarioToYaml } = await import('../../../sim/scenario/serialize.js');
    const scenario = parseScenario(text, 'a.yaml');
    expect(withoutLines(parseScenario(scenarioToYaml(scenario), 'b.yaml'))).toEqual(withoutLines(scenario));
  });
});

describe('unknown fields are errors, at every level', () => {
  it.each([
    ['top', 'extra: 1', 'extra', SCENARIO_FIELDS.top],
    ['spec', 'spec: { sed: 1 }', 'spec.sed', SCENARIO_FIELDS.spec],
    [
      'kubelet',
      'spec: { kubelet: { imagePullPolicy: Always } }',
      'spec.kubelet.imagePullPolicy',
      SCENARIO_FIELDS.kubelet,
    ],
    [
      'featureGates',
      'spec: { kubelet: { featureGates: { AlwaysPullImages: true } } }',
      'spec.kubelet.featureGates.AlwaysPullImages',
      SCENARIO_FIELDS.featureGates,
    ],
    [
      'registry',
      'spec: { registries: [{ host: r, tls: true }] }',
      'spec.registries[0].tls',
      SCENARIO_FIELDS.registry,
    ],
    [
      'user',
      'spec: { registries: [{ host: r, users: [{ username: u, password: p, email: e }] }] }',
      'spec.registries[0].users[0].email',
      SCENARIO_FIELDS.user,
    ],
    [
      'repository',
      'spec: { registries: [{ host: r, repositories: [{ name: a, private: true }] }] }',
      'spec.registries[0].repositories[0].private',
      SCENARIO_FIELDS.repository,
    ],
    [
      'tag',
      'spec: { registries: [{ host: r, repositories: [{ name: a, tags: { v1: { size: 1 } } }] }] }',
      'spec.registries[0].repositories[0].tags.v1.size',
      SCENARIO_FIELDS.tag,
    ],
    [
      'rateLimit',
      'spec: { registries: [{ host: r, rateLimit: { global: {} } }] }',
      'spec.registries[0].rateLimit.global',
      SCENARIO_FIELDS.rateLimit,
    ],
    [
      'tokenBucket',
      'spec: { registries: [{ host: r, rateLimit: { perUser: { capacity: 1, refillPerHour: 1, burst: 2 } } }] }',
      'spec.registries[0].rateLimit.perUser.burst',
      SCENARIO_FIELDS.tokenBucket,
    ],
    [
      'latency',
      'spec: { registries: [{ host: r, latency: { min: 1s, max: 2s, mean: 1s } }] }',
      'spec.registries[0].latency.mean',
      SCENARIO_FIELDS.latency,
    ],
    [
      'serviceAccountTokenProvider',
      'spec: { registries: [{ host: r, serviceAccountTokenProvider: { audience: x } }] }',
      'spec.registries[0].serviceAccountTokenProvider.audience',
      SCENARIO_FIELDS.serviceAccountTokenProvider,
    ],
    ['node', 'spec: { nodes: [{ name: n, labels: {} }] }', 'spec.nodes[0].labels', SCENARIO_FIELDS.node],
    [
      'image',
      'spec: { nodes: [{ name: n, images: [{ ref: x, size: 1 }] }] }',
      'spec.nodes[0].images[0].size',
      SCENARIO_FIELDS.image,
    ],
    [
      'imageGC',
      'spec: { nodes: [{ name: n, imageGC: { capacityBytes: 1, minAge: 1m } }] }',
      'spec.nodes[0].imageGC.minAge',
      SCENARIO_FIELDS.imageGC,
    ],
    [
      'fsFaults',
      'spec: { nodes: [{ name: n, fsFaults: { eio: 1 } }] }',
      'spec.nodes[0].fsFaults.eio',
      SCENARIO_FIELDS.fsFaults,
    ],
    [
      'step',
      'spec: { timeline: [{ at: 1s, delete: { kind: Pod, name: p }, after: 1s }] }',
      'spec.timeline[0].after',
      // A delete step's fields.
      ['at', 'delete'],
    ],
    [
      'delete',
      'spec: { timeline: [{ at: 1s, delete: { kind: Pod, name: p, uid: u } }] }',
      'spec.timeline[0].delete.uid',
      SCENARIO_FIELDS.delete,
    ],
    [
      'expect',
      'spec: { expect: [{ pod: a/b, state: running, image: n }] }',
      'spec.expect[0].image',
      SCENARIO_FIELDS.expect,
    ],
  ])('%s', (_group, yaml, path, allowed) => {
    const text = yaml.startsWith('spec:')
      ? `apiVersion: pullsim/v1alpha1\nkind: Scenario\nmetadata: { name: x }\n${yaml}\n`
      : `apiVersion: pullsim/v1alpha1\nkind: Scenario\nmetadata: { name: x }\nspec: {}\n${yaml}\n`;
    const found = issuesOf(text, 'u.yaml').filter((issue) => issue.path === path);
    expect(found).toEqual([
      {
        file: 'u.yaml',
        line: yaml.startsWith('spec:') ? 4 : 5,
        path,
        message: `unknown field (expected one of: ${allowed.join(', ')})`,
      },
    ]);
  });

  it('node credentials accept only auths, and docker config entries only their four fields', () => {
    const issues = problems(`
      nodes:
        - name: n
          credentials: { credsStore: desktop, auths: { r: { username: u, password: p, identitytoken: t } } }
    `);
    expect(issues.map((i) => `${i.path}: ${i.message}`)).toEqual([
      'spec.nodes[0].credentials.credsStore: unknown field (expected one of: auths)',
      'spec.nodes[0].credentials.auths.r.identitytoken: unknown field (expected one of: username, password, email, auth)',
    ]);
  });
});

describe('real Kubernetes manifests load (unmodelled fields are accepted and ignored)', () => {
  it('a Deployment-style Pod with resources, env, ports, volumes, probes and status', () => {
    const scenario = load(`
      objects:
        - apiVersion: v1
          kind: Namespace
          metadata: { name: shop, labels: { team: a } }
          spec: { finalizers: [kubernetes] }
          status: { phase: Active }
        - apiVersion: v1
          kind: ServiceAccount
          metadata: { namespace: shop, name: web }
          secrets: [{ name: web-token }]
          automountServiceAccountToken: false
          imagePullSecrets: [{ name: regcred }, {}]
        - apiVersion: v1
          kind: Secret
          metadata:
            namespace: shop
            name: regcred
            annotations: { kubernetes.io/description: pull secret }
            creationTimestamp: "2025-01-01T00:00:00Z"
            resourceVersion: "123"
          type: kubernetes.io/dockerconfigjson
          immutable: true
          data:
            .dockerconfigjson: ${Buffer.from('{"auths":{"r.example.com":{"auth":"dTpw"}}}').toString('base64')}
        - apiVersion: v1
          kind: Pod
          metadata:
            name: web-7d4b9c
            namespace: shop
            generateName: web-
            uid: 5f1c7c1e-0000-4000-8000-000000000001
            labels: { app: web, pod-template-hash: 7d4b9c }
            annotations: { kubectl.kubernetes.io/restartedAt: "2025-01-01T00:00:00Z" }
            ownerReferences: [{ apiVersion: apps/v1, kind: ReplicaSet, name: web-7d4b9c, uid: x, controller: true }]
          spec:
            serviceAccount: web
            dnsPolicy: ClusterFirst
            terminationGracePeriodSeconds: 30
            securityContext: { runAsNonRoot: true }
            tolerations: [{ key: node.kubernetes.io/not-ready, operator: Exists, effect: NoExecute }]
            affinity: { nodeAffinity: {} }
            volumes:
              - { name: data, emptyDir: {} }
              - { name: config, configMap: { name: web-config } }
            initContainers:
              - name: migrate
                image: r.example.com/shop/migrate:v1
                command: [/migrate]
            containers:
              - name: web
                image: r.example.com/shop/web@sha256:${HEX_A}
                imagePullPolicy: Always
                args: [--port=8080]
                ports: [{ containerPort: 8080, protocol: TCP }]
                env:
                  - { name: MODE, value: production }
                  - name: PASSWORD
                    valueFrom: { secretKeyRef: { name: db, key: password } }
                envFrom: [{ configMapRef: { name: web-env } }]
                resources:
                  requests: { cpu: 100m, memory: 128Mi }
                  limits: { memory: 256Mi }
                volumeMounts: [{ name: data, mountPath: /data }]
                livenessProbe: { httpGet: { path: /healthz, port: 8080 }, periodSeconds: 10 }
                readinessProbe: { tcpSocket: { port: 8080 } }
                securityContext: { allowPrivilegeEscalation: false }
                terminationMessagePolicy: FallbackToLogsOnError
          status:
            phase: Running
            containerStatuses: [{ name: web, ready: true }]
    `);
    const [ns, sa, secret, pod] = scenario.objects;
    expect(ns).toEqual({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } });
    // An empty imagePullSecrets entry is kept with an empty name: the API server accepts it, the kubelet skips it.
    expect(sa).toEqual({
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { namespace: 'shop', name: 'web' },
      imagePullSecrets: [{ name: 'regcred' }, { name: '' }],
    });
    expect(secret).toMatchObject({ kind: 'Secret', type: 'kubernetes.io/dockerconfigjson' });
    expect(pod).toEqual({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { namespace: 'shop', name: 'web-7d4b9c', uid: '5f1c7c1e-0000-4000-8000-000000000001' },
      spec: {
        serviceAccountName: 'web',
        containers: [
          { name: 'migrate', image: 'r.example.com/shop/migrate:v1', role: 'init' },
          { name: 'web', image: `r.example.com/shop/web@sha256:${HEX_A}`, imagePullPolicy: 'Always' },
        ],
      },
    });
  });

  it('an unknown field of a manifest is still an error, with its path', () => {
    const issues = problems(`
      objects:
        - apiVersion: v1
          kind: Pod
          metadata: { name: p, nmespace: x }
          spec:
            containers: [{ name: c, image: x, imagePullPolicies: Always }]
            nodeNmae: n
          extra: 1
        - { apiVersion: v1, kind: Secret, metadata: { name: s }, strngData: {} }
        - { apiVersion: v1, kind: ServiceAccount, metadata: { name: s }, pullSecrets: [] }
        - { apiVersion: v1, kind: Namespace, metadata: { name: n }, data: {} }
    `);
    expect(issues.map((i) => `${i.line} ${i.path}`)).toEqual([
      '9 spec.objects[0].metadata.nmespace',
      '11 spec.objects[0].spec.containers[0].imagePullPolicies',
      '12 spec.objects[0].spec.nodeNmae',
      '13 spec.objects[0].extra',
      '14 spec.objects[1].strngData',
      '15 spec.objects[2].pullSecrets',
      '16 spec.objects[3].data',
    ]);
  });

  it('manifests are validated as the API server would', () => {
    const issues = problems(`
      objects:
        - { apiVersion: v1, kind: Namespace, metadata: { name: Shop, namespace: x } }
        - apiVersion: v1
          kind: Pod
          metadata: { name: p, namespace: ns, labels: { a: 1 }, annotations: [], uid: "" }
          spec:
            restartPolicy: Sometimes
            serviceAccountName: Bad_SA
            imagePullSecrets: [{ name: 7 }, x]
            containers:
              - { name: c, image: " x" , imagePullPolicy: Sometimes }
              - { name: c, image: "" }
              - { name: Bad, image: y }
        - { apiVersion: v1, kind: Pod, metadata: { name: q }, spec: { containers: [] } }
        - { apiVersion: v1, kind: Pod, metadata: { name: r }, spec: { initContainers: {} } }
        - { apiVersion: v1, kind: Pod, metadata: { name: s }, spec: { containers: x } }
        - { apiVersion: v1, kind: Pod, metadata: { name: t }, spec: { containers: [5] } }
    `);
    expect(issues.map((i) => `${i.path}: ${i.message}`)).toEqual([
      'spec.objects[0].metadata.name: "Shop" is not valid: expected a DNS label (lower-case letters, digits, dashes; at most 63)',
      'spec.objects[0].metadata.namespace: a Namespace is not namespaced',
      'spec.objects[1].metadata.labels.a: expected a string, got number 1',
      'spec.objects[1].metadata.annotations: expected a mapping, got a list',
      'spec.objects[1].metadata.uid: must not be empty',
      'spec.objects[1].spec.restartPolicy: expected one of Always, OnFailure, Never, got the string "Sometimes"',
      'spec.objects[1].spec.serviceAccountName: "Bad_SA" is not valid: expected a DNS subdomain name, or "" for the default',
      'spec.objects[1].spec.imagePullSecrets[0].name: expected a string, got number 7',
      'spec.objects[1].spec.imagePullSecrets[1]: expected a mapping, got the string "x"',
      'spec.objects[1].spec.containers[0].image: must not have leading or trailing whitespace',
      'spec.objects[1].spec.containers[0].imagePullPolicy: expected one of Always, IfNotPresent, Never, got the string "Sometimes"',
      'spec.objects[1].spec.containers[1].name: duplicate container name c',
      'spec.objects[1].spec.containers[1].image: must not be empty',
      'spec.objects[1].spec.containers[2].name: "Bad" is not valid: expected a DNS label',
      'spec.objects[2].spec.containers: must have at least one container',
      // A missing field is located where its mapping starts.
      'spec.objects[3].spec.containers: required field is missing',
      'spec.objects[3].spec.initContainers: expected a list, got a mapping',
      'spec.objects[4].spec.containers: expected a list, got the string "x"',
      'spec.objects[5].spec.containers[0]: expected a mapping, got number 5',
    ]);
  });
});

describe("the kubelet's configuration validation", () => {
  it('an unknown policy, in the kubelet’s words', () => {
    expect(
      issueAt(
        'kubelet: { imagePullCredentialsVerificationPolicy: Sometimes }',
        'spec.kubelet.imagePullCredentialsVerificationPolicy',
      ).message,
    ).toBe(
      'invalid configuration: option "Sometimes" specified for imagePullCredentialsVerificationPolicy. Valid options are "NeverVerify", "NeverVerifyPreloadedImages", "NeverVerifyAllowlistedImages" or "AlwaysVerify"',
    );
  });

  it.each(['NeverVerify', 'NeverVerifyPreloadedImages', 'NeverVerifyAllowlistedImages', 'AlwaysVerify'])(
    'policy %s is accepted',
    (policy) => {
      expect(load(`kubelet: { imagePullCredentialsVerificationPolicy: ${policy} }`).kubelet).toMatchObject({
        imagePullCredentialsVerificationPolicy: policy,
      });
    },
  );

  it('every bad allowlist pattern is reported with the kubelet’s message', () => {
    const issues = problems(`
      kubelet:
        imagePullCredentialsVerificationPolicy: NeverVerifyAllowlistedImages
        preloadedImagesVerificationAllowlist:
          - docker.io/library/nginx
          - nginx
          - docker.io/library/nginx:1.27
          - "docker.io/*/nginx"
          - "/*"
          - " docker.io/library/nginx"
          - registry.k8s.io/*
          - "Docker.io/Library/Nginx"
    `);
    expect(issues.map((i) => `${i.line} ${i.path}: ${i.message}`)).toEqual([
      '10 spec.kubelet.preloadedImagesVerificationAllowlist[1]: invalid image pattern: neither tag nor digest is accepted in an image reference: nginx',
      '11 spec.kubelet.preloadedImagesVerificationAllowlist[2]: invalid image pattern: neither tag nor digest is accepted in an image reference: docker.io/library/nginx:1.27',
      "12 spec.kubelet.preloadedImagesVerificationAllowlist[3]: invalid image pattern: not a valid wildcard pattern, only patterns ending with '/*' are allowed: docker.io/*/nginx",
      '13 spec.kubelet.preloadedImagesVerificationAllowlist[4]: invalid image pattern: at least registry hostname is required',
      '14 spec.kubelet.preloadedImagesVerificationAllowlist[5]: invalid image pattern: leading/trailing spaces are not allowed:  docker.io/library/nginx',
      '16 spec.kubelet.preloadedImagesVerificationAllowlist[7]: invalid image pattern: failed to parse as an image name: invalid reference format: repository name (Library/Nginx) must be lowercase',
    ]);
  });

  it('maxParallelImagePulls above 1 needs serializeImagePulls: false', () => {
    expect(
      issueAt('kubelet: { maxParallelImagePulls: 5 }', 'spec.kubelet.maxParallelImagePulls').message,
    ).toBe(
      'invalid configuration: maxParallelImagePulls cannot be larger than 1 unless SerializeImagePulls (--serialize-image-pulls) is set to false',
    );
    expect(load('kubelet: { maxParallelImagePulls: 1 }').kubelet.maxParallelImagePulls).toBe(1);
    expect(
      issueAt(
        'kubelet: { serializeImagePulls: false, maxParallelImagePulls: 0 }',
        'spec.kubelet.maxParallelImagePulls',
      ).message,
    ).toBe('expected an integer from 1 to 9007199254740991, got 0');
  });

  it('other kubelet fields', () => {
    const issues = problems(`
      kubelet: { syncFrequency: often, credentialMappingKey: short, preloadedImagesVerificationAllowlist: nginx }
    `);
    expect(issues.map((i) => `${i.path}: ${i.message}`)).toEqual([
      'spec.kubelet.syncFrequency: invalid duration "often": expected a number followed by a unit such as 250ms, 90s or 1h30m',
      'spec.kubelet.credentialMappingKey: expected one of normalised, familiar, got the string "short"',
      'spec.kubelet.preloadedImagesVerificationAllowlist: expected a list, got the string "nginx"',
    ]);
    expect(issueAt('kubelet: []', 'spec.kubelet').message).toBe('expected a mapping, got a list');
  });

  it('an allowlist with another policy loads (compare uses it with NeverVerifyAllowlistedImages); `run` rejects it', () => {
    const scenario = load(`
      kubelet:
        imagePullCredentialsVerificationPolicy: AlwaysVerify
        preloadedImagesVerificationAllowlist: [docker.io/library/nginx]
    `);
    expect(scenario.kubelet.preloadedImagesVerificationAllowlist).toEqual(['docker.io/library/nginx']);
  });
});

describe('cross references', () => {
  const base = `
      registries:
        - host: r.example.com
          users: [{ username: u, password: p }]
          repositories: [{ name: app, pullers: [u, ghost, "system:serviceaccount:ns:sa"] }]
      nodes: [{ name: n1 }]`;

  it('pullers, pod nodeName, action node/host/repository/username and expect pods must exist', () => {
    const issues = problems(`${base}
      objects:
        - { apiVersion: v1, kind: Pod, metadata: { namespace: ns, name: p }, spec: { nodeName: n2, containers: [{ name: c, image: x }] } }
      timeline:
        - { at: 1m, action: restartKubelet, node: n2 }
        - { at: 1m, action: registryDown, host: q.example.com }
        - { at: 1m, action: revokePuller, host: r.example.com, repository: other, username: nobody }
        - { at: 1m, action: grantPuller, host: r.example.com, repository: app, username: "system:serviceaccount:x:y" }
        - { at: 1m, action: changePassword, host: q.example.com, username: nobody, password: x }
        - at: 2m
          apply: { apiVersion: v1, kind: Pod, metadata: { name: late }, spec: { containers: [{ name: c, image: x }] } }
      expect:
        - { pod: ns/p, state: running }
        - { pod: default/late, state: running }
        - { pod: ns/q, state: running }
    `);
    expect(issues.map((i) => `${i.line} ${i.path}: ${i.message}`)).toEqual([
      '9 spec.registries[0].repositories[0].pullers[1]: unknown user "ghost" (declare it under users, or name a service account as system:serviceaccount:<namespace>:<name>)',
      '12 spec.objects[0].spec.nodeName: unknown node "n2" (declared: n1)',
      '14 spec.timeline[0].node: unknown node "n2" (declared: n1)',
      '15 spec.timeline[1].host: unknown registry "q.example.com" (declared: r.example.com)',
      '16 spec.timeline[2].repository: unknown repository "other" in registry r.example.com',
      '16 spec.timeline[2].username: unknown user "nobody" in registry r.example.com',
      '18 spec.timeline[4].host: unknown registry "q.example.com" (declared: r.example.com)',
      '24 spec.expect[2].pod: no pod ns/q is created by this scenario',
    ]);
  });

  it("a provider's nodeUser must be a user of its registry", () => {
    const issues = problems(`
      registries:
        - host: r.example.com
          users: [{ username: u, password: p }]
          serviceAccountTokenProvider: { nodeUser: ghost }
        - host: q.example.com
          users: [{ username: u, password: p }]
          serviceAccountTokenProvider: { nodeUser: u }
      nodes: [{ name: n1 }]`);
    expect(issues.map((i) => `${i.path}: ${i.message}`)).toEqual([
      `spec.registries[0].serviceAccountTokenProvider.nodeUser: unknown user "ghost" (declare it under this registry's users)`,
    ]);
  });

  it('the list of declared names says none when there are none', () => {
    expect(
      issueAt('timeline: [{ at: 0s, action: registryUp, host: r }]', 'spec.timeline[0].host').message,
    ).toBe('unknown registry "r" (declared: none)');
    expect(issueAt('nodes: []', 'spec.nodes').message).toBe('at least one node is required');
  });
});

describe('what the simulated world would refuse is bad input, not an internal error', () => {
  const registry = `
      registries:
        - host: r.example.com
          users: [{ username: u, password: p }]
          repositories: [{ name: app, tags: { v1: { digest: "sha256:${HEX_A}" } } }]`;

  it('preloaded images resolve through the registries, or carry an id that agrees with them', () => {
    const ok = load(`${registry}
      nodes:
        - name: n
          images:
            - r.example.com/app:v1
            - { ref: "r.example.com/app:v1", id: "sha256:${HEX_A}" }
            - "r.example.com/app@sha256:${HEX_A}"
            - { ref: "archive.example.com/tool:v1", id: "sha256:${HEX_B}" }
            - "elsewhere.example.com/tool@sha256:${HEX_B}"
    `);
    expect(ok.nodes[0]!.images).toHaveLength(5);
    const issues = problems(`${registry}
      nodes:
        - name: n
          images:
            - { ref: "r.example.com/app:v1", id: "sha256:${HEX_B}" }
            - r.example.com/app:v2
            - r.example.com/other:v1
            - unknown.example.com/app:v1
            - "Not A Reference"
            - { ref: "r.example.com/app@sha256:${HEX_A}", id: "sha256:${HEX_B}" }
    `);
    expect(issues.map((i) => `${i.line} ${i.path}: ${i.message}`)).toEqual([
      `13 spec.nodes[0].images[0].id: sha256:${HEX_B} differs from the registry's digest sha256:${HEX_A} for r.example.com/app:v1`,
      "14 spec.nodes[0].images[1]: r.example.com/app:v2 does not resolve through the declared registries (no such registry, repository or tag); declare it, or give the image's id",
      "15 spec.nodes[0].images[2]: r.example.com/other:v1 does not resolve through the declared registries (no such registry, repository or tag); declare it, or give the image's id",
      "16 spec.nodes[0].images[3]: unknown.example.com/app:v1 does not resolve through the declared registries (no such registry, repository or tag); declare it, or give the image's id",
      '17 spec.nodes[0].images[4]: invalid image reference: invalid reference format: repository name (library/Not A Reference) must be lowercase',
      `18 spec.nodes[0].images[5].id: sha256:${HEX_B} differs from the digest of the reference r.example.com/app@sha256:${HEX_A}`,
    ]);
  });

  it('a service account has no password to change; retag needs a valid tag', () => {
    const issues = problems(`${registry}
      timeline:
        - { at: 1m, action: changePassword, host: r.example.com, username: "system:serviceaccount:ns:sa", password: x }
        - { at: 1m, action: retag, host: r.example.com, repository: app, tag: "v1:latest", digest: "sha256:${HEX_B}" }
    `);
    expect(issues.map((i) => `${i.path}: ${i.message}`)).toEqual([
      'spec.timeline[0].username: unknown user "system:serviceaccount:ns:sa" in registry r.example.com',
      'spec.timeline[1].tag: "v1:latest" is not valid: expected letters, digits, _ . - up to 128 characters',
    ]);
  });

  it('image_manager files cannot be both a file and a directory; fault paths stay under image_manager/', () => {
    const issues = problems(`
      nodes:
        - name: n
          imageManagerFiles: { pulled: x, "pulled/sha256-1": y, "./a": z }
      timeline:
        - { at: 1m, action: fsFault, fault: corrupt, path: ../../etc }
        - { at: 1m, action: fsFault, fault: corrupt, path: /etc }
    `);
    expect(issues.map((i) => `${i.path}: ${i.message}`)).toEqual([
      'spec.nodes[0].imageManagerFiles.pulled: is a file, but "pulled/sha256-1" needs it to be a directory',
      'spec.nodes[0].imageManagerFiles["./a"]: expected a relative path under image_manager/, such as pulled/sha256-<hex>',
      'spec.timeline[0].path: expected pulled, pulling or another relative path under image_manager/',
      'spec.timeline[1].path: expected pulled, pulling or another relative path under image_manager/',
    ]);
  });

  it('token bucket capacities are bounded like the registry keeps them', () => {
    expect(
      issueAt(
        'registries: [{ host: r, rateLimit: { anonymous: { capacity: 1000001, refillPerHour: 1 } } }]',
        'spec.registries[0].rateLimit.anonymous.capacity',
      ).message,
    ).toBe('expected an integer from 1 to 1000000, got 1000001');
  });
});

describe('secrets', () => {
  const secret = (fields: string) => `
    objects:
      - apiVersion: v1
        kind: Secret
        metadata: { namespace: ns, name: s }
        ${fields}
  `;
  const b64 = (text: string) => Buffer.from(text).toString('base64');

  it('data values are base64: valid values are kept (whitespace removed), invalid ones are errors', () => {
    const ok = load(secret(`data: { token: "${b64('abc')}", spaced: "YWJj\\n  ZGVm" }`));
    expect(ok.objects[0]).toEqual({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { namespace: 'ns', name: 's' },
      type: 'Opaque',
      data: { token: 'YWJj', spaced: 'YWJjZGVm' },
    });
    const issues = problems(secret('data: { a: "not base64!", b: "YWJ", "bad key!": "" }'));
    expect(issues.map((i) => `${i.line} ${i.path}: ${i.message}`)).toEqual([
      '10 spec.objects[0].data.a: illegal base64 data (data values are base64; use stringData for plain text)',
      '10 spec.objects[0].data.b: illegal base64 data (data values are base64; use stringData for plain text)',
      '10 spec.objects[0].data["bad key!"]: a valid config key must consist of alphanumeric characters, -, _ or .',
    ]);
    expect(issueAt(secret('stringData: { "a/b": x }'), 'spec.objects[0].stringData["a/b"]').message).toBe(
      'a valid config key must consist of alphanumeric characters, -, _ or .',
    );
  });

  it('a dockerconfigjson secret must hold well-formed JSON (ValidateSecret); the message never shows the content', () => {
    const typed = (data: string) => secret(`type: kubernetes.io/dockerconfigjson\n        ${data}`);
    const notJson = issueAt(
      typed(`stringData: { .dockerconfigjson: '{"auths":{"r":{"password":"Hunter2-Secret"' }`),
      'spec.objects[0].stringData[".dockerconfigjson"]',
    );
    expect(notJson.message).toBe('expected valid JSON: a docker config object (the value is not shown)');
    const notJsonData = issueAt(
      typed(`data: { .dockerconfigjson: "${b64('password=Hunter2-Secret')}" }`),
      'spec.objects[0].data[".dockerconfigjson"]',
    );
    expect(notJsonData.message).toBe('expected valid JSON: a docker config object (the value is not shown)');
    const notObject = issueAt(
      typed('stringData: { .dockerconfigjson: \'["Hunter2-Secret"]\' }'),
      'spec.objects[0].stringData[".dockerconfigjson"]',
    );
    expect(notObject.message).toBe('expected valid JSON: a docker config object (the value is not shown)');
    const empty = issueAt(
      typed('stringData: { .dockerconfigjson: "" }'),
      'spec.objects[0].stringData[".dockerconfigjson"]',
    );
    expect(empty.message).toBe('expected valid JSON: a docker config object (the value is not shown)');
    // Go decodes a number into interface{} as a float64: one that overflows it is an error.
    const tooBig = issueAt(
      typed(
        `stringData: { .dockerconfigjson: '{"auths":{"r":{"password":[1e400]}}, "x":"Hunter2-Secret"}' }`,
      ),
      'spec.objects[0].stringData[".dockerconfigjson"]',
    );
    expect(tooBig.message).toBe('expected valid JSON: a number is out of range (the value is not shown)');
    for (const issue of [notJson, notJsonData, notObject, empty, tooBig]) {
      expect(issue.message).not.toMatch(/Hunter2|1e400/);
    }
  });

  it('a docker config the API server accepts but the kubelet cannot parse is valid input, kept as written', () => {
    // The kubelet's credential lookup fails on these (src/credentials/docker-config.ts); the API server stores them.
    const accepted = [
      '{"auths":5}',
      '{"auths":{"r":{"password":12345678}}}',
      `{"auths":{"r":{"auth":"${b64('no-colon-Hunter2')}"}}}`,
      '{"auths":{"r":{"auth":"!!Hunter2!!"}}}',
      'null',
      '{"auths":{"r":{"password":1e300}}}',
    ];
    for (const config of accepted) {
      const scenario = load(
        secret(
          `type: kubernetes.io/dockerconfigjson\n        stringData: { .dockerconfigjson: '${config}' }`,
        ),
      );
      expect(scenario.objects[0]).toMatchObject({ stringData: { '.dockerconfigjson': config } });
    }
    const dockercfg = load(
      secret(
        `type: kubernetes.io/dockercfg\n        data: { .dockercfg: "${b64('{"r":{"auth":"Hunter2"}}')}" }`,
      ),
    );
    expect(dockercfg.objects[0]).toMatchObject({ data: { '.dockercfg': b64('{"r":{"auth":"Hunter2"}}') } });
  });

  it('the docker config key is required; a bad base64 value is reported once', () => {
    expect(
      issueAt(secret('type: kubernetes.io/dockerconfigjson'), 'spec.objects[0].data[".dockerconfigjson"]')
        .message,
    ).toBe('required for a secret of type kubernetes.io/dockerconfigjson');
    expect(
      issueAt(secret('type: kubernetes.io/dockercfg\n        data: {}'), 'spec.objects[0].data[".dockercfg"]')
        .message,
    ).toBe('required for a secret of type kubernetes.io/dockercfg');
    expect(
      issueAt(
        secret('type: kubernetes.io/dockerconfigjson\n        data: { .dockerconfigjson: "%%%" }'),
        'spec.objects[0].data[".dockerconfigjson"]',
      ).message,
    ).toBe('illegal base64 data (data values are base64; use stringData for plain text)');
  });

  it('a valid dockercfg secret and stringData over data', () => {
    const scenario = load(
      secret(`type: kubernetes.io/dockercfg
        data: { .dockercfg: "${b64('{"r.example.com":{"auth":"dTpw"}}')}" }
        stringData: { extra: plain }`),
    );
    expect(scenario.objects[0]).toMatchObject({
      type: 'kubernetes.io/dockercfg',
      data: { '.dockercfg': b64('{"r.example.com":{"auth":"dTpw"}}') },
      stringData: { extra: 'plain' },
    });
    expect(issueAt(secret('type: ""'), 'spec.objects[0].type').message).toBe('must not be empty');
  });

  it('wrong types in secret-bearing fields name the kind of value, never the value', () => {
    const issues = problems(`
      registries:
        - host: r.example.com
          users: [{ username: u, password: 987654321 }]
      nodes:
        - name: n
          credentials: '{"auths":{"r.example.com":{"password":"Hunter2-Secret"}}}'
        - name: m
          credentials: { auths: { r.example.com: { auth: 123456789 } } }
        - name: o
          credentials: { auths: "Hunter2-Secret" }
      objects:
        - { apiVersion: v1, kind: Secret, metadata: { name: a }, stringData: { password: 55555555 } }
        - { apiVersion: v1, kind: Secret, metadata: { name: b }, data: "Hunter2-Secret" }
      timeline:
        - { at: 0s, action: changePassword, host: r.example.com, username: u, password: 44444444 }
    `);
    expect(issues.map((i) => `${i.path}: ${i.message}`)).toEqual([
      'spec.registries[0].users[0].password: expected a string, got a number (the value is not shown)',
      'spec.nodes[0].credentials: expected a mapping, got a string (the value is not shown)',
      'spec.nodes[1].credentials.auths["r.example.com"].auth: expected a string, got a number (the value is not shown)',
      'spec.nodes[2].credentials.auths: expected a mapping, got a string (the value is not shown)',
      'spec.objects[0].stringData.password: expected a string, got a number (the value is not shown)',
      'spec.objects[1].data: expected a mapping, got a string (the value is not shown)',
      'spec.timeline[0].password: expected a string, got a number (the value is not shown)',
    ]);
    expect(JSON.stringify(issues)).not.toMatch(/987654321|Hunter2|123456789|55555555|44444444/);
  });

  it('node credentials: {} means none; each bad entry is named, without its content', () => {
    expect(load('nodes: [{ name: n, credentials: {} }]').nodes[0]!.credentials).toEqual({});
    const issues = problems(`
      nodes:
        - name: n
          credentials:
            auths:
              good.example.com: { auth: "${b64('u:p')}" }
              notb64.example.com: { auth: "!!Hunter2!!" }
              nocolon.example.com: { auth: "${b64('Hunter2')}" }
              notmap.example.com: 5
    `);
    expect(issues.map((i) => `${i.line} ${i.path}: ${i.message}`)).toEqual([
      '11 spec.nodes[0].credentials.auths["notb64.example.com"].auth: invalid docker config: illegal base64 data at input byte 0',
      '12 spec.nodes[0].credentials.auths["nocolon.example.com"].auth: invalid docker config: unable to parse auth field, must be formatted as base64(username:password)',
      '13 spec.nodes[0].credentials.auths["notmap.example.com"]: expected a mapping, got a number (the value is not shown)',
    ]);
    expect(JSON.stringify(issues)).not.toMatch(/Hunter2|SHVudGVyMg/);
  });

  it('a numeric or structured password in the kubelet config is not echoed', () => {
    const issue = issueAt(
      `nodes: [{ name: n, credentials: { auths: { r: { username: u, password: [Hunter2] } } } }]`,
      'spec.nodes[0].credentials.auths.r.password',
    );
    expect(issue.message).toBe('expected a string, got a list');
  });
});

describe('YAML syntax errors and duplicate keys are reported with a line', () => {
  it.each([
    // The parser notices an unclosed bracket or quote where the next line starts.
    [
      'an unclosed flow mapping',
      'apiVersion: pullsim/v1alpha1\nkind: Scenario\nmetadata: { name: x\nspec: {}\n',
      4,
    ],
    ['a duplicate key', scenarioText('x', 'seed: 1\nuntil: 1m\nseed: 2'), 8],
    ['a nested duplicate key', scenarioText('x', 'kubelet:\n  version: "1.35"\n  version: "1.34"'), 8],
    ['a tab as indentation', 'apiVersion: pullsim/v1alpha1\nkind: Scenario\nmetadata:\n\tname: x\n', 4],
    ['an unclosed quote', 'apiVersion: pullsim/v1alpha1\nkind: Scenario\nmetadata: { name: "x }\n', 4],
    ['a second document', `${scenarioText('x', '{}')}---\nkind: Other\n`, 7],
    ['an alias without its anchor', scenarioText('x', 'seed: 1\nuntil: *later'), 7],
  ])('%s', (_what, text, line) => {
    const issues = issuesOf(text, 'syntax.yaml');
    expect(issues.length).toBeGreaterThanOrEqual(1);
    expect(issues[0]).toMatchObject({ file: 'syntax.yaml', line, path: '' });
    for (const issue of issues) expect(issue.message).toMatch(/^invalid YAML: \S/);
  });

  it('the messages say what is wrong', () => {
    expect(issuesOf(scenarioText('x', 'seed: 1\nseed: 2'))[0]!.message).toBe(
      'invalid YAML: a key is repeated in the same mapping',
    );
    expect(issuesOf(`${scenarioText('x', '{}')}---\n{}\n`)[0]!.message).toBe(
      'invalid YAML: the file holds one YAML document, but a second one starts here',
    );
    expect(issuesOf(scenarioText('x', 'until: *later'))[0]!.message).toBe(
      'invalid YAML: an alias (*name) refers to an anchor (&name) that is not defined before it',
    );
  });

  it('an alias bomb is refused instead of expanded', () => {
    const bomb = [
      'a: &a [x, x, x, x, x, x, x, x, x, x]',
      ...'bcdefghij'
        .split('')
        .map((c, i) => `${c}: &${c} [${Array(10).fill(`*${'abcdefghij'[i]}`).join(', ')}]`),
    ].join('\n');
    const issues = issuesOf(bomb);
    expect(issues).toHaveLength(1);
    expect(issues[0]!.message).toBe(
      'invalid YAML: the aliases (*name) expand too much; pullsim expands at most 100 of them',
    );
    expect(issues[0]!.line).toBe(2);
  });

  it('anchors and aliases that resolve are fine', () => {
    const scenario = load(`
      registries:
        - host: r.example.com
          users: &users [{ username: u, password: p }]
        - host: s.example.com
          users: *users
    `);
    expect(scenario.registries[1]!.users).toEqual([{ username: 'u', password: 'p' }]);
  });
});

describe('all issues of a file are reported at once', () => {
  it('one issue per problem, across every section, in file order', () => {
    const issues = problems(`
      seed: -3
      until: forever
      kubelet: { version: "0.1", bogus: true }
      registries: [{ host: "bad host" }]
      nodes: [{ name: n, images: [5] }]
      objects:
        - { apiVersion: v1, kind: Pod, metadata: { name: P }, spec: { containers: [{ name: c }] } }
      timeline:
        - { at: soon, action: imageGC, node: n }
        - { at: 1m, action: explode }
      expect:
        - { pod: a/b }
    `);
    expect(issues.map((i) => i.path)).toEqual([
      'spec.seed',
      'spec.until',
      'spec.kubelet.version',
      'spec.kubelet.bogus',
      'spec.registries[0].host',
      'spec.nodes[0].images[0]',
      'spec.objects[0].metadata.name',
      'spec.objects[0].spec.containers[0].image',
      'spec.timeline[0].at',
      'spec.timeline[1].action',
      'spec.expect[0]',
      'spec.expect[0].pod',
    ]);
    for (const issue of issues) {
      expect(issue.file).toBe('test.yaml');
      expect(issue.line).toBeGreaterThan(5);
    }
  });

  it('the error message is one `file:line: path: message` line per issue', () => {
    try {
      parseScenario(scenarioText('x', 'seed: -1\nuntil: 5x'), 'a.yaml');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(InputError);
      expect((error as InputError).message).toBe(
        'a.yaml:6: spec.seed: expected an integer from 0 to 9007199254740991, got -1\n' +
          'a.yaml:7: spec.until: invalid duration "5x": expected a number followed by a unit such as 250ms, 90s or 1h30m',
      );
    }
  });
});

describe('reader helpers', () => {
  it('formatPath writes dotted paths, indexes and quoted odd keys', () => {
    expect(formatPath([])).toBe('');
    expect(formatPath(['spec', 'timeline', 3, 'apply', 'spec', 'containers', 0, 'image'])).toBe(
      'spec.timeline[3].apply.spec.containers[0].image',
    );
    expect(formatPath(['data', '.dockerconfigjson'])).toBe('data[".dockerconfigjson"]');
    expect(formatPath([0, 'a'])).toBe('[0].a');
    expect(formatPath(['x', 'has space', 'b_c-d'])).toBe('x["has space"].b_c-d');
  });

  it('typeName quotes values (shortened), kindName never does', () => {
    expect(typeName(null)).toBe('null');
    expect(typeName([1])).toBe('a list');
    expect(typeName({})).toBe('a mapping');
    expect(typeName('x'.repeat(50))).toBe(`the string "${'x'.repeat(37)}..."`);
    expect(typeName(true)).toBe('boolean true');
    expect(kindName(null)).toBe('null');
    expect(kindName([1])).toBe('a list');
    expect(kindName({})).toBe('a mapping');
    expect(kindName('pw')).toBe('a string (the value is not shown)');
    expect(kindName(5)).toBe('a number (the value is not shown)');
  });
});
