import { describe, expect, it, vi } from 'vitest';
import {
  DEFAULT_FUZZ_MODES,
  evaluateScenario,
  hasFaults,
  INVARIANTS,
  type InvariantFailure,
  withoutFaults,
} from '../../../sim/fuzz/invariants.js';
import type { GapClass } from '../../../sim/gaps.js';
import { type RunOptions, type RunOutput, runScenario } from '../../../sim/run.js';
import type { Manifest, Mode, Scenario } from '../../../sim/scenario/types.js';
import type { ContainerStart } from '../../../sim/world/pod-records.js';
import { ticks } from '../../../src/time.js';
import {
  actionAt,
  applyAt,
  crossTenantScenario,
  DIGEST_A,
  DIGEST_B,
  deleteAt,
  dockerConfigSecret,
  minutes,
  node,
  pod,
  privateRegistry,
  scenario,
  seconds,
} from '../../support/scenario-builder.js';

/*
 * The six campaign invariants of sim/fuzz/invariants.ts, each shown to fail on a world that breaks it and to pass
 * on one that keeps it. Where no correct model can break an invariant (determinism, legacy-superset, a fault that
 * adds an unexplained violation, a lost record), the finished run is manipulated: `runScenario` is wrapped so that
 * a test can change what a run returns before the invariant looks at it.
 */

type Tamper = (output: RunOutput, scenario: Scenario, options: RunOptions) => RunOutput;
const hooks = vi.hoisted(() => ({ tamper: undefined as Tamper | undefined }));

vi.mock('../../../sim/run.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../../sim/run.js')>();
  return {
    ...actual,
    runScenario: (scenario: Scenario, options: RunOptions = {}) => {
      const output = actual.runScenario(scenario, options);
      return hooks.tamper === undefined ? output : hooks.tamper(output, scenario, options);
    },
  };
});

/** Runs `body` with a tampering `runScenario`, restoring the real one after. */
function withTamper<T>(tamper: Tamper, body: () => T): T {
  hooks.tamper = tamper;
  try {
    return body();
  } finally {
    hooks.tamper = undefined;
  }
}

const HOST = 'private.example.com';
const APP = `${HOST}/team-a/app:v1`;
const BUG = { plantedBug: 'skip-credential-hash-comparison' } as const;
const GATE_ON_MODES: readonly Mode[] = [
  'NeverVerify',
  'NeverVerifyPreloadedImages',
  'NeverVerifyAllowlistedImages',
  'AlwaysVerify',
];

/** Team A pulls its own image with its own secret; nothing else happens. */
function ownImage(overrides: Partial<Scenario> & { objects?: Manifest[] } = {}): Scenario {
  return scenario({
    name: 'own-image',
    until: minutes(3),
    objects: [
      dockerConfigSecret('team-a', 'regcred', HOST, 'team-a', 's3cret-a'),
      pod('team-a', 'a', APP, { pullPolicy: 'IfNotPresent', secrets: ['regcred'] }),
    ],
    ...overrides,
  });
}

/** Team B, with its own (valid) secret, asks for team A's image after team A pulled it. */
function crossTenantWithSecrets(): Scenario {
  return scenario({
    name: 'cross-tenant-with-secrets',
    until: minutes(5),
    objects: [
      dockerConfigSecret('team-a', 'regcred', HOST, 'team-a', 's3cret-a'),
      dockerConfigSecret('team-b', 'regcred', HOST, 'team-b', 's3cret-b'),
      pod('team-a', 'a', APP, { pullPolicy: 'IfNotPresent', secrets: ['regcred'] }),
    ],
    timeline: [
      applyAt(minutes(1), pod('team-b', 'b', APP, { pullPolicy: 'IfNotPresent', secrets: ['regcred'] })),
    ],
  });
}

/** Adds a violating start of `container` (namespace/pod/name) to a finished run. */
function injectViolation(output: RunOutput, container: string, gap: GapClass): void {
  const [ns, podName, name] = container.split('/');
  const record = output.world.podRecords.find((r) => r.key === `${ns}/${podName}`);
  const status = record?.containers.find((c) => c.name === name);
  if (status === undefined) throw new Error(`no container ${container} in the run`);
  const start: ContainerStart = {
    t: ticks(1),
    violation: true,
    why: 'injected by the test',
    pulled: false,
    gap,
  };
  status.starts.push(start);
}

const names = (failures: readonly InvariantFailure[]) => failures.map((f) => f.invariant);

describe('evaluateScenario', () => {
  it('names the six invariants', () => {
    expect(INVARIANTS).toEqual([
      'determinism',
      'safety',
      'legacy-superset',
      'fail-safe',
      'no-lost-records',
      'liveness',
    ]);
  });

  it('a clean world breaks no invariant; the never-verify reuse of #18787 is a finding, not a failure', () => {
    const verdict = evaluateScenario(crossTenantScenario());
    expect(verdict.failures).toEqual([]);
    // Only NeverVerify lets team B reuse team A's image (docs/modes.md); legacy's violation is the problem itself.
    expect(verdict.findings).toEqual({ 'never-verify': 1 });
    // Each default mode once, and the last one again for determinism.
    expect(verdict.simulations).toBe(DEFAULT_FUZZ_MODES.length + 1);
  });

  it('`only` checks just the named invariants and skips the determinism re-run', () => {
    const verdict = evaluateScenario(crossTenantScenario(), { only: ['safety'] });
    expect(verdict.simulations).toBe(DEFAULT_FUZZ_MODES.length);
    expect(verdict.failures).toEqual([]);
  });

  describe('determinism', () => {
    it('fails when the same scenario gives two trace hashes', () => {
      let hashes = 0;
      const verdict = withTamper(
        (output, _scenario, options) =>
          options.traceOff === true
            ? output
            : { ...output, result: { ...output.result, traceHash: `hash-${hashes++}` } },
        () => evaluateScenario(ownImage(), { modes: ['AlwaysVerify'] }),
      );
      expect(verdict.failures).toEqual([
        { invariant: 'determinism', mode: 'AlwaysVerify', detail: 'trace hash hash-0 then hash-1' },
      ]);
    });

    it('passes when the hashes agree (the real simulator)', () => {
      expect(
        evaluateScenario(ownImage(), { modes: ['AlwaysVerify'], only: ['determinism'] }).failures,
      ).toEqual([]);
    });
  });

  describe('safety', () => {
    it('fails when a fixed mode starts a container in violation for no documented reason (a planted bug)', () => {
      const verdict = evaluateScenario(crossTenantWithSecrets(), {
        modes: ['legacy', 'AlwaysVerify'],
        profileOverrides: BUG,
      });
      expect(verdict.failures.map((f) => [f.invariant, f.mode, f.container])).toEqual([
        ['safety', 'AlwaysVerify', 'team-b/b/app'],
      ]);
      expect(verdict.failures[0]?.detail).toMatch(/^started in violation at \d+ µs: /);
    });

    it('passes without the bug: team B must pull with its own secret and is refused', () => {
      const verdict = evaluateScenario(crossTenantWithSecrets(), { modes: ['legacy', 'AlwaysVerify'] });
      expect(verdict.failures).toEqual([]);
      expect(verdict.findings).toEqual({});
    });

    it('under always-pull only a start race is a documented gap, and it is no finding', () => {
      const inject = (gap: GapClass) =>
        withTamper(
          (output, _s, options) => {
            if (options.mode === 'always-pull') injectViolation(output, 'team-a/a/app', gap);
            return output;
          },
          () => evaluateScenario(ownImage(), { modes: ['always-pull'], only: ['safety'] }),
        );
      expect(names(inject('preloaded').failures)).toEqual(['safety']);
      const race = inject('start-race');
      expect(race.failures).toEqual([]);
      expect(race.findings).toEqual({});
    });
  });

  describe('legacy-superset', () => {
    it('fails for every container a fixed mode starts that legacy does not', () => {
      const verdict = withTamper(
        (output, _s, options) =>
          options.mode === 'legacy'
            ? {
                ...output,
                result: {
                  ...output.result,
                  containers: output.result.containers.map((c) => ({ ...c, started: false })),
                },
              }
            : output,
        () =>
          evaluateScenario(ownImage(), { modes: ['legacy', ...GATE_ON_MODES], only: ['legacy-superset'] }),
      );
      expect(verdict.failures.map((f) => [f.invariant, f.mode, f.container])).toEqual(
        GATE_ON_MODES.map((mode) => ['legacy-superset', mode, 'team-a/a/app']),
      );
    });

    it('passes when legacy starts what the fixed modes start, and is not checked without legacy', () => {
      expect(evaluateScenario(ownImage(), { only: ['legacy-superset'] }).failures).toEqual([]);
      const withoutLegacy = withTamper(
        (output) => ({
          ...output,
          result: {
            ...output.result,
            containers: output.result.containers.map((c) => ({ ...c, started: true })),
          },
        }),
        () => evaluateScenario(ownImage(), { modes: ['AlwaysVerify'], only: ['legacy-superset'] }),
      );
      expect(withoutLegacy.failures).toEqual([]);
    });
  });

  describe('fail-safe', () => {
    /** Two pods of team A and a fault armed on the record directory after both pulled. */
    function faulty(): Scenario {
      return ownImage({
        objects: [
          dockerConfigSecret('team-a', 'regcred', HOST, 'team-a', 's3cret-a'),
          pod('team-a', 'a', APP, { pullPolicy: 'IfNotPresent', secrets: ['regcred'] }),
          pod('team-a', 'c', APP, { pullPolicy: 'IfNotPresent', secrets: ['regcred'] }),
        ],
        timeline: [
          actionAt(minutes(2), { action: 'fsFault', node: 'node-1', fault: 'readError', path: 'pulled' }),
        ],
      });
    }

    it('fails when a fault adds an unexplained violation; a documented one it adds is a fault-added finding', () => {
      const verdict = withTamper(
        (output, s, options) => {
          // In both twins: a violation the fault did not add.
          if (options.mode === 'AlwaysVerify') injectViolation(output, 'team-a/c/app', 'unexplained');
          if (hasFaults(s) && options.mode === 'AlwaysVerify')
            injectViolation(output, 'team-a/a/app', 'unexplained');
          if (hasFaults(s) && options.mode === 'NeverVerify')
            injectViolation(output, 'team-a/a/app', 'preloaded');
          return output;
        },
        () => evaluateScenario(faulty(), { modes: ['NeverVerify', 'AlwaysVerify'], only: ['fail-safe'] }),
      );
      expect(verdict.failures.map((f) => [f.invariant, f.mode, f.container])).toEqual([
        ['fail-safe', 'AlwaysVerify', 'team-a/a/app'],
      ]);
      expect(verdict.failures[0]?.detail).toBe(
        'a fault added an unexplained violation: injected by the test',
      );
      // The documented violation counts as a finding of its class, and once more as one a fault added.
      expect(verdict.findings).toEqual({ preloaded: 1, 'fault-added:preloaded': 1 });
    });

    it('passes when the faults change nothing the invariants see, and costs one faultless run per fixed mode', () => {
      const verdict = evaluateScenario(faulty(), { modes: ['legacy', 'AlwaysVerify'], only: ['fail-safe'] });
      expect(verdict.failures).toEqual([]);
      expect(verdict.simulations).toBe(3);
    });

    it('is not checked for a scenario without faults', () => {
      expect(evaluateScenario(ownImage(), { modes: ['AlwaysVerify'], only: ['fail-safe'] }).simulations).toBe(
        1,
      );
    });
  });

  describe('no-lost-records', () => {
    it('fails when an image the kubelet pulled has neither a record nor an intent on disk', () => {
      const verdict = withTamper(
        (output) => {
          for (const n of output.world.nodes.values()) n.fs.removeTree(`${n.kubeletRoot}/image_manager`);
          return output;
        },
        () => evaluateScenario(ownImage(), { modes: ['legacy', 'AlwaysVerify'], only: ['no-lost-records'] }),
      );
      // Legacy writes no records: only the gate-on mode owes them.
      expect(verdict.failures.map((f) => [f.invariant, f.mode])).toEqual([
        ['no-lost-records', 'AlwaysVerify'],
      ]);
      expect(verdict.failures[0]?.detail).toContain(`${APP} (`);
      expect(verdict.failures[0]?.detail).toContain('neither a record nor an intent is on disk');
    });

    it('passes when the records were deleted after the pull', () => {
      const wiped = ownImage({
        timeline: [actionAt(minutes(1), { action: 'deleteRecords', node: 'node-1' })],
      });
      expect(evaluateScenario(wiped, { modes: GATE_ON_MODES, only: ['no-lost-records'] }).failures).toEqual(
        [],
      );
    });

    it('passes when they were deleted before a pull while the same kubelet kept them cached (1.35+ cache)', () => {
      // Team A pulls at t=0; the directory is wiped; a second pod pulls again (Always) with the same secret. The
      // 1.36 kubelet finds the unchanged record in its cache and does not rewrite it.
      const cached = ownImage({
        timeline: [
          actionAt(seconds(30), { action: 'deleteRecords', node: 'node-1' }),
          applyAt(minutes(1), pod('team-a', 'again', APP, { pullPolicy: 'Always', secrets: ['regcred'] })),
        ],
      });
      expect(evaluateScenario(cached, { modes: GATE_ON_MODES, only: ['no-lost-records'] }).failures).toEqual(
        [],
      );
      // The exemption is what passes it: the second pull left no record behind.
      const world = runScenario(cached, { mode: 'AlwaysVerify' }).world.nodes.get('node-1');
      expect(world?.pullLog.map((p) => p.t)).toEqual([expect.any(Number), expect.any(Number)]);
      expect(world?.fs.exists(`${world.kubeletRoot}/image_manager/pulled`)).toBe(false);
      // After a restart between the wipe and the pull the record is written again, so nothing is exempt.
      const restarted = ownImage({
        timeline: [
          actionAt(seconds(30), { action: 'deleteRecords', node: 'node-1' }),
          actionAt(seconds(40), { action: 'restartKubelet', node: 'node-1' }),
          applyAt(minutes(1), pod('team-a', 'again', APP, { pullPolicy: 'Always', secrets: ['regcred'] })),
        ],
      });
      expect(
        evaluateScenario(restarted, { modes: GATE_ON_MODES, only: ['no-lost-records'] }).failures,
      ).toEqual([]);
    });

    it('does not ask for records of an image the runtime no longer has', () => {
      const verdict = withTamper(
        (output) => {
          for (const n of output.world.nodes.values()) n.fs.removeTree(`${n.kubeletRoot}/image_manager`);
          return output;
        },
        () =>
          evaluateScenario(
            ownImage({
              timeline: [
                deleteAt(minutes(1), { kind: 'Pod', namespace: 'team-a', name: 'a' }),
                actionAt(minutes(2), { action: 'removeImage', node: 'node-1', image: APP }),
              ],
            }),
            { modes: ['AlwaysVerify'], only: ['no-lost-records'] },
          ),
      );
      expect(verdict.failures).toEqual([]);
    });
  });

  describe('liveness', () => {
    it('fails for a container its own credentials may pull that is not running at the end', () => {
      // The run ends before any pull can finish: a liveness bound the generator never produces.
      const early = ownImage({ until: ticks(1_000) });
      const verdict = evaluateScenario(early, { modes: ['legacy', 'AlwaysVerify'], only: ['liveness'] });
      expect(verdict.failures.map((f) => [f.invariant, f.mode, f.container])).toEqual([
        ['liveness', 'legacy', 'team-a/a/app'],
        ['liveness', 'AlwaysVerify', 'team-a/a/app'],
      ]);
      expect(verdict.failures[0]?.detail).toMatch(/^its own credentials may pull .+, yet it is waiting/);
    });

    it('passes once everything pullable runs', () => {
      expect(evaluateScenario(ownImage(), { only: ['liveness'] }).failures).toEqual([]);
    });

    it('owes nothing to containers that may not pull with their own credentials', () => {
      const registry = privateRegistry({
        repositories: [
          ...privateRegistry().repositories,
          {
            name: 'public/base',
            public: true,
            pullers: [],
            tags: { v1: { digest: DIGEST_B, sizeBytes: 1_000 } },
          },
        ],
      });
      const world = scenario({
        name: 'not-owed',
        until: ticks(1_000),
        registries: [registry],
        objects: [
          dockerConfigSecret('team-a', 'regcred', HOST, 'team-a', 's3cret-a'),
          dockerConfigSecret('team-a', 'wrong', HOST, 'team-a', 'not-the-password'),
          {
            apiVersion: 'v1',
            kind: 'Secret',
            metadata: { namespace: 'team-a', name: 'broken' },
            type: 'kubernetes.io/dockerconfigjson',
            stringData: { '.dockerconfigjson': '{not json' },
          },
          // Owed: its own secret may pull; a public image needs none.
          pod('team-a', 'owed', APP, { pullPolicy: 'IfNotPresent', secrets: ['regcred'] }),
          pod('team-a', 'public', `${HOST}/public/base:v1`, { pullPolicy: 'Always' }),
          // Not owed.
          pod('team-a', 'never', APP, { pullPolicy: 'Never', secrets: ['regcred'] }),
          pod('team-a', 'missing-tag', `${HOST}/team-a/app:v9`, {
            pullPolicy: 'Always',
            secrets: ['regcred'],
          }),
          pod('team-a', 'wrong', APP, { pullPolicy: 'Always', secrets: ['wrong'] }),
          pod('team-a', 'broken', APP, { pullPolicy: 'Always', secrets: ['broken'] }),
          pod('team-b', 'anonymous', APP, { pullPolicy: 'Always' }),
          pod('team-a', 'unknown-host', 'other.example.com/x/y:v1', { pullPolicy: 'Always' }),
          pod('team-a', 'deleted', APP, { pullPolicy: 'Always', secrets: ['regcred'] }),
        ],
        timeline: [deleteAt(ticks(500), { kind: 'Pod', namespace: 'team-a', name: 'deleted' })],
      });
      const verdict = evaluateScenario(world, { modes: ['AlwaysVerify'], only: ['liveness'] });
      expect(verdict.failures.map((f) => f.container).sort()).toEqual([
        'team-a/owed/app',
        'team-a/public/app',
      ]);
    });

    it('owes nothing while the registry is down at the end', () => {
      const down = ownImage({
        until: minutes(10),
        timeline: [actionAt(ticks(0), { action: 'registryDown', host: HOST })],
      });
      const verdict = evaluateScenario(down, { modes: ['AlwaysVerify'], only: ['liveness'] });
      expect(verdict.failures).toEqual([]);
    });
  });
});

describe('hasFaults / withoutFaults', () => {
  const fault = actionAt(seconds(5), { action: 'fsFault', node: 'node-1', fault: 'writeError' });
  const restart = actionAt(seconds(6), { action: 'restartKubelet', node: 'node-1' });

  it('sees fault actions and fault rates', () => {
    expect(hasFaults(ownImage())).toBe(false);
    expect(hasFaults(ownImage({ timeline: [restart] }))).toBe(false);
    expect(hasFaults(ownImage({ timeline: [restart, fault] }))).toBe(true);
    expect(hasFaults(ownImage({ nodes: [node({ fsFaults: { readError: 0.1 } })] }))).toBe(true);
  });

  it('removes every fault and keeps everything else', () => {
    const faulty = ownImage({
      nodes: [node({ fsFaults: { corrupt: 0.5 }, images: [{ ref: APP, id: DIGEST_A }] })],
      timeline: [fault, restart],
    });
    const clean = withoutFaults(faulty);
    expect(hasFaults(clean)).toBe(false);
    expect(clean.timeline).toEqual([restart]);
    expect(clean.nodes).toEqual([node({ images: [{ ref: APP, id: DIGEST_A }] })]);
    expect({ ...clean, nodes: faulty.nodes, timeline: faulty.timeline }).toEqual(faulty);
  });
});
