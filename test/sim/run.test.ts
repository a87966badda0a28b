import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { containerResults, containerStateAt, runScenario } from '../../sim/run.js';
import type { StoredPod } from '../../sim/world/api-server.js';
import type { FsIoTotals } from '../../sim/world/filesystem.js';
import type { ContainerStatus, PodRecord } from '../../sim/world/pod-records.js';
import { type Ticks, ticks } from '../../src/time.js';
import {
  actionAt,
  applyAt,
  containerResult,
  crossTenantScenario,
  DIGEST_A,
  DIGEST_B,
  dockerConfigSecret,
  kubelet,
  minutes,
  node,
  pod,
  privateRegistry,
  recordsOf,
  scenario,
  seconds,
} from '../support/scenario-builder.js';

const HOST = 'private.example.com';
const IMAGE = `${HOST}/team-a/app:v1`;
const teamA = dockerConfigSecret('team-a', 'regcred', HOST, 'team-a', 's3cret-a');
const onePull = scenario({
  name: 'one-pull',
  until: minutes(1),
  objects: [teamA, pod('team-a', 'a', IMAGE, { secrets: ['regcred'] })],
});

describe('the result JSON (contract §4)', () => {
  it('carries the run’s identity, its end and its outcome', () => {
    const { result } = runScenario(crossTenantScenario(), { mode: 'AlwaysVerify' });
    expect(result).toMatchObject({
      apiVersion: 'pullsim/v1alpha1',
      kind: 'Result',
      scenario: 'cross-tenant-reuse',
      mode: 'AlwaysVerify',
      kubeletVersion: '1.36',
      seed: 1,
      endTime: '5m0s',
      outcome: 'until',
      nodes: [{ name: 'node-1' }],
    });
    expect(result.traceHash).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(result.nodes[0]).not.toHaveProperty('imageManagerFiles');
  });

  it('defaults: the scenario’s own configuration and seed; a seed given replaces it', () => {
    const plain = runScenario({ ...onePull, seed: 9 });
    expect(plain.result).toMatchObject({ mode: 'as-configured', seed: 9 });
    const reseeded = runScenario({ ...onePull, seed: 9 }, { seed: 10 });
    expect(reseeded.result.seed).toBe(10);
    expect(reseeded.world.api.getSecret('team-a', 'regcred')?.uid).not.toBe(
      plain.world.api.getSecret('team-a', 'regcred')?.uid,
    );
  });

  it('lists one entry per (pod, container), sorted, with the contract’s fields', () => {
    const { result } = runScenario(crossTenantScenario(), { mode: 'legacy' });
    expect(result.containers.map((c) => c.pod)).toEqual(['team-a/a', 'team-b/b']);
    expect(containerResult(result, 'team-a/a')).toEqual({
      pod: 'team-a/a',
      container: 'app',
      node: 'node-1',
      image: IMAGE,
      imagePullPolicy: 'IfNotPresent',
      state: 'running',
      pulls: 1,
      started: true,
      violation: false,
      imageRef: DIGEST_A,
    });
    expect(containerResult(result, 'team-b/b')).toMatchObject({ started: true, violation: true, pulls: 0 });
    expect(result.totals).toMatchObject({ containersStarted: 2, violations: 1, containersNotRunning: 0 });
  });

  it('a waiting container has its reason and message and no imageRef; it counts as not running', () => {
    const { result } = runScenario(crossTenantScenario('Never'), { mode: 'AlwaysVerify' });
    const b = containerResult(result, 'team-b/b');
    expect(b).toMatchObject({ state: 'waiting', reason: 'ErrImageNeverPull', started: false, pulls: 0 });
    expect(b).not.toHaveProperty('imageRef');
    expect(result.totals).toMatchObject({ containersStarted: 1, violations: 0, containersNotRunning: 1 });
  });

  it('totals.registry sums the registries’ counters; a back-off refusal is not a request', () => {
    const second = privateRegistry({
      host: 'second.example.com',
      repositories: [
        { name: 'pub/y', public: true, pullers: [], tags: { v1: { digest: DIGEST_B, sizeBytes: 1000 } } },
      ],
    });
    const { result, trace } = runScenario(
      scenario({
        until: minutes(3),
        registries: [privateRegistry(), second],
        objects: [
          teamA,
          pod('team-a', 'a', IMAGE, { secrets: ['regcred'] }),
          pod('ns', 'y', 'second.example.com/pub/y:v1'),
          pod('team-b', 'b', IMAGE),
        ],
      }),
      { mode: 'AlwaysVerify' },
    );
    const attempts = recordsOf(trace.records(), 'pull.attempt');
    const failed = attempts.filter((a) => a.ok === false).length;
    expect(result.totals.registry).toEqual({
      requests: attempts.length,
      pulls: 2,
      authFailures: failed,
      unavailable: 0,
      rateLimited: 0,
      notFound: 0,
      bytes: 50_000_000 + 2048 + 1000 + 2048,
    });
    expect(containerResult(result, 'team-b/b').pulls).toBe(failed);
  });

  it('totals.io counts the kubelet’s file operations; with the gate off there are none', () => {
    expect(runScenario(onePull, { mode: 'legacy' }).result.totals.io).toMatchObject({
      ops: 0,
      reads: 0,
      writes: 0,
      renames: 0,
      removes: 0,
      readdirs: 0,
      stats: 0,
      bytesRead: 0,
      bytesWritten: 0,
    });
  });

  it('totals.io for one recorded pull: an intent and a record written (tmp + rename), the intent removed', () => {
    const { result, world } = runScenario(onePull, { mode: 'AlwaysVerify', includeFiles: true });
    const io = result.totals.io as unknown as FsIoTotals;
    // The exact bytes of both files, as the kubelet's encoder writes them (docs/kubelet-model.md#record-files).
    const intent = `{"kind":"ImagePullIntent","apiVersion":"kubelet.config.k8s.io/v1beta1","image":"${IMAGE}"}\n`;
    const secretUid = world.api.getSecret('team-a', 'regcred')?.uid;
    const hash = createHash('sha256').update('{"username":"team-a","password":"s3cret-a"}').digest('hex');
    const record =
      '{"kind":"ImagePulledRecord","apiVersion":"kubelet.config.k8s.io/v1beta1",' +
      `"lastUpdatedTime":"2026-01-01T00:00:00Z","imageRef":"${DIGEST_A}",` +
      `"credentialMapping":{"${HOST}/team-a/app":{"kubernetesSecrets":[{"uid":"${secretUid}","namespace":"team-a",` +
      `"name":"regcred","credentialHash":"${hash}"}]}}}\n`;
    const fileName = `sha256-${createHash('sha256').update(DIGEST_A).digest('hex')}`;
    expect(result.nodes[0]?.imageManagerFiles).toEqual({ [`pulled/${fileName}`]: record });
    expect(io).toMatchObject({
      writes: 2,
      renames: 2,
      removes: 1,
      // A fresh node: the cache is authoritative from the start, so no record is ever read.
      reads: 0,
      bytesRead: 0,
      bytesWritten: intent.length + record.length,
    });
    expect(io.ops).toBe(io.reads + io.writes + io.renames + io.removes + io.readdirs + io.stats + io.mkdirs);
    const { total, ...calls } = io.syscalls;
    expect(total).toBe(Object.values(calls).reduce((a, b) => a + b, 0));
    // Each write is open + write + close + rename (docs/kubelet-model.md#file-operations-and-their-cost); there is
    // no fsync to count.
    expect(io.syscalls.write).toBe(2);
    expect(io.syscalls.rename).toBe(2);
  });

  it('totals.kubelet counts starts, crashes and panics', () => {
    const { result } = runScenario(
      scenario({
        until: minutes(2),
        timeline: [
          actionAt(minutes(1), { action: 'crashKubelet', node: 'node-1' }),
          actionAt(seconds(90), { action: 'restartKubelet', node: 'node-1' }),
        ],
      }),
      { mode: 'AlwaysVerify' },
    );
    expect(result.totals.kubelet).toEqual({ starts: 3, crashes: 1, panics: 0 });
  });

  it('--include-files: the final image_manager/ files of every node, byte-exact', () => {
    const { result } = runScenario(
      scenario({
        until: seconds(1),
        nodes: [
          node({ name: 'n1', imageManagerFiles: { 'pulling/sha256-x.tmp': 'left over' } }),
          node({ name: 'n2' }),
        ],
      }),
      { mode: 'AlwaysVerify', includeFiles: true },
    );
    expect(result.nodes).toEqual([
      { name: 'n1', imageManagerFiles: { 'pulling/sha256-x.tmp': 'left over' } },
      { name: 'n2', imageManagerFiles: {} },
    ]);
  });

  it('the trace ends with run.end carrying the totals', () => {
    const { result, trace } = runScenario(onePull, { mode: 'AlwaysVerify' });
    const records = trace.records();
    expect(records[0]).toMatchObject({
      t: 0,
      kind: 'run.start',
      scenario: 'one-pull',
      mode: 'AlwaysVerify',
      seed: 1,
    });
    const last = records[records.length - 1];
    expect(last).toMatchObject({ t: minutes(1), kind: 'run.end', outcome: 'until' });
    expect(last?.totals).toEqual(JSON.parse(JSON.stringify(result.totals)));
  });

  it('keepTrace false gives the same hash without keeping the records', () => {
    const kept = runScenario(onePull, { mode: 'AlwaysVerify' });
    const dropped = runScenario(onePull, { mode: 'AlwaysVerify', keepTrace: false });
    expect(dropped.result.traceHash).toBe(kept.result.traceHash);
    expect(() => dropped.trace.records()).toThrow(/keep: false/);
  });

  it('running out of the step budget is a reported outcome', () => {
    const { result } = runScenario(crossTenantScenario(), { mode: 'AlwaysVerify', maxSteps: 3 });
    expect(result.outcome).toBe('step-budget');
    expect(result.endTime).not.toBe('5m0s');
  });

  it('the end defaults to 10 minutes after the last timeline step', () => {
    const { result } = runScenario(
      scenario({ timeline: [actionAt(minutes(2), { action: 'registryDown', host: HOST })] }),
      { mode: 'AlwaysVerify' },
    );
    expect(result.endTime).toBe('12m0s');
  });
});

describe('secrets never appear in clear (contract §4)', () => {
  it('no password, token or auth value in the result or the trace', () => {
    const auth = Buffer.from('team-b:s3cret-b').toString('base64');
    const { result, trace } = runScenario(
      scenario({
        until: minutes(3),
        kubelet: kubelet(),
        registries: [privateRegistry({ serviceAccountTokenProvider: { requireServiceAccount: false } })],
        nodes: [node({ credentials: { [HOST]: { username: 'node-user', password: 'n0de-pw' } } })],
        objects: [
          teamA,
          {
            apiVersion: 'v1',
            kind: 'Secret',
            metadata: { namespace: 'team-b', name: 'auth' },
            type: 'kubernetes.io/dockerconfigjson',
            stringData: { '.dockerconfigjson': JSON.stringify({ auths: { [HOST]: { auth } } }) },
          },
          pod('team-a', 'a', IMAGE, { secrets: ['regcred'] }),
          pod('team-b', 'b', IMAGE, { secrets: ['auth'] }),
        ],
        timeline: [
          actionAt(minutes(1), {
            action: 'changePassword',
            host: HOST,
            username: 'team-a',
            password: 'n3w-pw',
          }),
          applyAt(minutes(2), pod('team-a', 'a2', IMAGE, { secrets: ['regcred'], pullPolicy: 'Always' })),
        ],
      }),
      { mode: 'AlwaysVerify', includeFiles: true },
    );
    const text = JSON.stringify(result) + trace.toJsonLines();
    for (const secret of ['s3cret-a', 's3cret-b', 'n0de-pw', 'n3w-pw', auth, 'sa-token.'])
      expect(text, secret).not.toContain(secret);
    // The trace still says who tried what.
    expect(recordsOf(trace.records(), 'pull.attempt').map((r) => r.credential)).toContain(
      'secret team-b/auth (team-b)',
    );
  });
});

describe('containerResults and containerStateAt', () => {
  const storedPod = (uid: string): StoredPod => ({
    uid,
    namespace: 'ns',
    name: 'p',
    nodeName: 'node-1',
    serviceAccountName: 'default',
    imagePullSecrets: [],
    restartPolicy: 'Always',
    containers: [{ name: 'app', image: 'x:1', imagePullPolicy: 'IfNotPresent' }],
    createdAt: ticks(0),
  });
  const status = (overrides: Partial<ContainerStatus>): ContainerStatus => ({
    name: 'app',
    image: 'x:1',
    imagePullPolicy: 'IfNotPresent',
    state: 'waiting.containerCreating',
    reason: undefined,
    message: undefined,
    pulls: 0,
    pullTimes: [],
    starts: [],
    started: false,
    violation: false,
    imageRef: undefined,
    restarts: 0,
    firstStartedAt: undefined,
    history: [],
    ...overrides,
  });
  const record = (uid: string, container: ContainerStatus, deleted = false): PodRecord => ({
    pod: storedPod(uid),
    key: 'ns/p',
    containers: [container],
    deleted,
  });

  it('merges a pod’s incarnations: the latest state, pulls summed, started and violation ever', () => {
    const merged = containerResults([
      record(
        'u1',
        status({ state: 'terminated', pulls: 2, started: true, violation: true, imageRef: DIGEST_A }),
        true,
      ),
      record(
        'u2',
        status({ state: 'waiting.imagePullFailed', reason: 'ErrImagePull', message: 'm', pulls: 1 }),
      ),
    ]);
    expect(merged).toEqual([
      {
        pod: 'ns/p',
        container: 'app',
        node: 'node-1',
        image: 'x:1',
        imagePullPolicy: 'IfNotPresent',
        state: 'waiting',
        reason: 'ErrImagePull',
        message: 'm',
        pulls: 3,
        started: true,
        violation: true,
      },
    ]);
  });

  it('maps the lifecycle states onto running / waiting / terminated', () => {
    const state = (s: ContainerStatus['state']) =>
      containerResults([record('u', status({ state: s }))])[0]?.state;
    expect(state('running')).toBe('running');
    expect(state('exited')).toBe('terminated');
    expect(state('terminated')).toBe('terminated');
    expect(state('waiting.crashLoopBackOff')).toBe('waiting');
  });

  it('containerStateAt reads the history: the last change at or before t', () => {
    const history: ContainerStatus['history'] = [
      { t: ticks(0), state: 'waiting.containerCreating', reason: 'ContainerCreating' },
      { t: ticks(10), state: 'waiting.imagePullFailed', reason: 'ErrImagePull' },
      { t: ticks(20), state: 'running' },
      { t: ticks(30), state: 'exited', reason: 'Error' },
      { t: ticks(40), state: 'terminated' },
    ];
    const c = status({ history });
    const at = (t: number) => containerStateAt(c, t as Ticks);
    expect(
      containerStateAt(status({ history: [{ t: ticks(5), state: 'running' }] }), ticks(4)),
    ).toBeUndefined();
    expect(at(0)).toEqual({ state: 'waiting', reason: 'ContainerCreating' });
    expect(at(15)).toEqual({ state: 'waiting', reason: 'ErrImagePull' });
    expect(at(20)).toEqual({ state: 'running' });
    expect(at(35)).toEqual({ state: 'terminated', reason: 'Error' });
    expect(at(99)).toEqual({ state: 'terminated' });
  });

  it('containerStateAt on a real run: tenant B is waiting at 2m under AlwaysVerify and running under legacy', () => {
    for (const [mode, state] of [
      ['AlwaysVerify', 'waiting'],
      ['legacy', 'running'],
    ] as const) {
      const { world } = runScenario(crossTenantScenario(), { mode });
      const b = world.podRecords.find((r) => r.key === 'team-b/b')?.containers[0];
      expect(b && containerStateAt(b, minutes(2))?.state).toBe(state);
      expect(b && containerStateAt(b, seconds(30))).toBeUndefined();
    }
  });
});
