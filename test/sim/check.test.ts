/**
 * `pullsim check` semantics (docs/contract.md §2 `expect`): which pod incarnation and container a line is about,
 * what `at` pins, how state, reason, violation, started and pulls are judged, and which modes a line runs in.
 */
import { describe, expect, it } from 'vitest';
import { checkScenario, evaluateExpectation, modesOf } from '../../sim/check.js';
import { parseScenario } from '../../sim/scenario/load.js';
import { type Expectation, MODES, type RunMode } from '../../sim/scenario/types.js';
import type { ContainerHistoryEntry, ContainerStatus, PodRecord } from '../../sim/world/pod-records.js';
import type { Ticks } from '../../src/time.js';
import { crossTenantText } from '../support/cli-scenarios.js';

const S = 1_000_000;
const t = (seconds: number) => (seconds * S) as Ticks;
const END = t(300);

function container(
  name: string,
  history: readonly [number, ContainerHistoryEntry['state'], string?][],
  options: { pullTimes?: number[]; starts?: [number, boolean][] } = {},
): ContainerStatus {
  const { pullTimes = [], starts = [] } = options;
  return {
    name,
    image: 'r.example.com/app:v1',
    imagePullPolicy: 'IfNotPresent',
    state: history.at(-1)?.[1] ?? 'waiting.containerCreating',
    reason: history.at(-1)?.[2],
    message: undefined,
    pulls: pullTimes.length,
    pullTimes: pullTimes.map(t),
    started: history.some(([, state]) => state === 'running'),
    violation: starts.some(([, violation]) => violation),
    imageRef: undefined,
    restarts: 0,
    firstStartedAt: starts[0] === undefined ? undefined : t(starts[0][0]),
    starts: starts.map(
      ([at, violation]) =>
        ({ t: t(at), violation, why: 'test', pulled: false }) as ContainerStatus['starts'][number],
    ),
    history: history.map(([at, state, reason]) => ({
      t: t(at),
      state,
      ...(reason === undefined ? {} : { reason }),
    })),
  };
}

function record(key: string, containers: ContainerStatus[]): PodRecord {
  const [namespace = '', name = ''] = key.split('/');
  return {
    key,
    deleted: false,
    containers,
    pod: {
      uid: `${key}-${containers[0]?.history[0]?.t ?? 0}`,
      namespace,
      name,
      nodeName: 'node-1',
      serviceAccountName: 'default',
      imagePullSecrets: [],
      restartPolicy: 'Always',
      containers: [],
      createdAt: containers[0]?.history[0]?.t ?? t(0),
    },
  };
}

const line = (fields: Partial<Expectation>): Expectation => ({ pod: 'ns/p', ...fields });

/** A pod whose one container was refused at 10s, then ran from 60s after two pulls (one at 10s, one at 60s). */
const refusedThenRunning = record('ns/p', [
  container(
    'app',
    [
      [5, 'waiting.containerCreating', 'ContainerCreating'],
      [10, 'waiting.imagePullFailed', 'ErrImagePull'],
      [20, 'waiting.imagePullFailed', 'ImagePullBackOff'],
      [60, 'running'],
    ],
    { pullTimes: [10, 60], starts: [[60, false]] },
  ),
]);

describe('evaluateExpectation', () => {
  it('passes with no problems when every checked field holds', () => {
    expect(
      evaluateExpectation(
        line({ state: 'running', violation: false, started: true, pulls: { min: 2, max: 2 } }),
        [refusedThenRunning],
        END,
      ),
    ).toEqual([]);
  });

  it('state and reason are read at the end by default, at `at` when given', () => {
    expect(evaluateExpectation(line({ state: 'waiting' }), [refusedThenRunning], END)).toEqual([
      'expected state waiting at the end, got running',
    ]);
    expect(
      evaluateExpectation(
        line({ state: 'waiting', reason: ['ImagePullBackOff'], at: t(30) }),
        [refusedThenRunning],
        END,
      ),
    ).toEqual([]);
    expect(evaluateExpectation(line({ state: 'running', at: t(30) }), [refusedThenRunning], END)).toEqual([
      'expected state running at 30s, got waiting (ImagePullBackOff)',
    ]);
    // At exactly the time of a change, the change has happened.
    expect(
      evaluateExpectation(line({ reason: ['ErrImagePull'], at: t(10) }), [refusedThenRunning], END),
    ).toEqual([]);
    expect(evaluateExpectation(line({ state: 'running', at: t(60) }), [refusedThenRunning], END)).toEqual([]);
  });

  it('a reason list matches any of its values; a state without a reason never matches one', () => {
    expect(
      evaluateExpectation(
        line({ reason: ['ErrImagePull', 'ImagePullBackOff'], at: t(15) }),
        [refusedThenRunning],
        END,
      ),
    ).toEqual([]);
    expect(
      evaluateExpectation(
        line({ reason: ['ErrImagePull', 'ImagePullBackOff'], at: t(25) }),
        [refusedThenRunning],
        END,
      ),
    ).toEqual([]);
    expect(
      evaluateExpectation(line({ reason: ['ErrImageNeverPull'], at: t(25) }), [refusedThenRunning], END),
    ).toEqual(['expected reason ErrImageNeverPull at 25s, got waiting (ImagePullBackOff)']);
    expect(
      evaluateExpectation(line({ reason: ['ErrImagePull', 'ImagePullBackOff'] }), [refusedThenRunning], END),
    ).toEqual(['expected reason ErrImagePull or ImagePullBackOff at the end, got running']);
  });

  it('exited and terminated containers are reported as terminated', () => {
    const exited = record('ns/p', [
      container('app', [
        [1, 'running'],
        [50, 'exited', 'Completed'],
      ]),
    ]);
    expect(evaluateExpectation(line({ state: 'terminated', reason: ['Completed'] }), [exited], END)).toEqual(
      [],
    );
    const terminated = record('ns/p', [
      container('app', [
        [1, 'running'],
        [50, 'terminated', 'Error'],
      ]),
    ]);
    expect(evaluateExpectation(line({ state: 'terminated', reason: ['Error'] }), [terminated], END)).toEqual(
      [],
    );
    expect(evaluateExpectation(line({ state: 'running' }), [terminated], END)).toEqual([
      'expected state running at the end, got terminated (Error)',
    ]);
  });

  it('pulls count the pulls that reached the runtime by `at`: exact, at least, at most, or both', () => {
    expect(
      evaluateExpectation(line({ pulls: { min: 1, max: 1 }, at: t(30) }), [refusedThenRunning], END),
    ).toEqual([]);
    expect(evaluateExpectation(line({ pulls: { min: 1, max: 1 } }), [refusedThenRunning], END)).toEqual([
      'expected 1 pulls, got 2',
    ]);
    expect(evaluateExpectation(line({ pulls: { min: 3 } }), [refusedThenRunning], END)).toEqual([
      'expected at least 3 pulls, got 2',
    ]);
    expect(evaluateExpectation(line({ pulls: { max: 0 }, at: t(10) }), [refusedThenRunning], END)).toEqual([
      'expected at most 0 pulls, got 1',
    ]);
    expect(evaluateExpectation(line({ pulls: { min: 3, max: 4 } }), [refusedThenRunning], END)).toEqual([
      'expected at least 3 and at most 4 pulls, got 2',
    ]);
    expect(evaluateExpectation(line({ pulls: { max: 0 }, at: t(9) }), [refusedThenRunning], END)).toEqual([]);
  });

  it('violation counts only starts in violation by `at`; started only a running state by `at`', () => {
    const late = record('ns/p', [
      container(
        'app',
        [
          [1, 'running'],
          [40, 'waiting.crashLoopBackOff', 'CrashLoopBackOff'],
          [100, 'running'],
        ],
        {
          starts: [
            [1, false],
            [100, true],
          ],
        },
      ),
    ]);
    expect(evaluateExpectation(line({ violation: false, at: t(50) }), [late], END)).toEqual([]);
    expect(evaluateExpectation(line({ violation: true, at: t(50) }), [late], END)).toEqual([
      'expected violation true at 50s, got false',
    ]);
    expect(evaluateExpectation(line({ violation: true }), [late], END)).toEqual([]);
    expect(evaluateExpectation(line({ started: false, at: t(30) }), [refusedThenRunning], END)).toEqual([]);
    expect(evaluateExpectation(line({ started: true, at: t(30) }), [refusedThenRunning], END)).toEqual([
      'expected started true at 30s, got false',
    ]);
    expect(evaluateExpectation(line({ started: false }), [refusedThenRunning], END)).toEqual([
      'expected started false at the end, got true',
    ]);
  });

  it('several problems of one line are all reported', () => {
    expect(
      evaluateExpectation(
        line({ state: 'waiting', started: false, violation: true, pulls: { min: 5, max: 5 } }),
        [refusedThenRunning],
        END,
      ),
    ).toEqual([
      'expected state waiting at the end, got running',
      'expected started false at the end, got true',
      'expected violation true at the end, got false',
      'expected 5 pulls, got 2',
    ]);
  });

  describe('which incarnation of the pod', () => {
    // The pod was deleted and re-created (a new UID) at 120s; the first incarnation ran in violation.
    const first = record('ns/p', [
      container(
        'app',
        [
          [0, 'running'],
          [110, 'terminated'],
        ],
        { pullTimes: [0], starts: [[0, true]] },
      ),
    ]);
    const second = record('ns/p', [
      container('app', [[120, 'waiting.imagePullFailed', 'ErrImagePull']], { pullTimes: [120, 150] }),
    ]);
    const records = [first, second];

    it('state is the latest incarnation that exists at `at`', () => {
      expect(evaluateExpectation(line({ state: 'waiting', reason: ['ErrImagePull'] }), records, END)).toEqual(
        [],
      );
      expect(evaluateExpectation(line({ state: 'running', at: t(60) }), records, END)).toEqual([]);
      expect(evaluateExpectation(line({ state: 'terminated', at: t(115) }), records, END)).toEqual([]);
    });

    it('started, violation and pulls add up every incarnation up to `at`', () => {
      expect(
        evaluateExpectation(
          line({ started: true, violation: true, pulls: { min: 3, max: 3 } }),
          records,
          END,
        ),
      ).toEqual([]);
      expect(evaluateExpectation(line({ pulls: { min: 2, max: 2 }, at: t(130) }), records, END)).toEqual([]);
      expect(evaluateExpectation(line({ pulls: { min: 1, max: 1 }, at: t(60) }), records, END)).toEqual([]);
    });

    it('before the first incarnation the pod does not exist', () => {
      const later = record('ns/q', [container('app', [[90, 'running']])]);
      expect(evaluateExpectation({ pod: 'ns/q', state: 'running', at: t(30) }, [later], END)).toEqual([
        'pod ns/q does not exist at 30s',
      ]);
      expect(evaluateExpectation({ pod: 'ns/none', state: 'running' }, records, END)).toEqual([
        'pod ns/none does not exist at the end',
      ]);
    });
  });

  describe('which container', () => {
    const twoContainers = record('ns/p', [
      container('init', [[0, 'terminated', 'Completed']]),
      container('app', [[5, 'running']], { pullTimes: [4] }),
    ]);

    it('a pod with several containers needs `container`', () => {
      expect(evaluateExpectation(line({ state: 'running' }), [twoContainers], END)).toEqual([
        'pod ns/p has 2 containers: name one with container:',
      ]);
      expect(
        evaluateExpectation(
          line({ container: 'app', state: 'running', pulls: { min: 1, max: 1 } }),
          [twoContainers],
          END,
        ),
      ).toEqual([]);
      expect(
        evaluateExpectation(
          line({ container: 'init', state: 'terminated', pulls: { max: 0 } }),
          [twoContainers],
          END,
        ),
      ).toEqual([]);
    });

    it('a container the pod does not have is reported', () => {
      expect(
        evaluateExpectation(line({ container: 'sidecar', state: 'running' }), [twoContainers], END),
      ).toEqual(['pod ns/p has no container sidecar']);
      expect(
        evaluateExpectation(line({ container: 'app', state: 'running' }), [refusedThenRunning], END),
      ).toEqual([]);
    });

    it('a container without any state yet is absent', () => {
      const fresh = record('ns/p', [container('app', [])]);
      expect(evaluateExpectation(line({ state: 'waiting' }), [fresh], END)).toEqual([
        'expected state waiting at the end, got absent',
      ]);
      expect(evaluateExpectation(line({ reason: ['ContainerCreating'] }), [fresh], END)).toEqual([
        'expected reason ContainerCreating at the end, got absent',
      ]);
    });
  });
});

describe('modesOf', () => {
  it('a line without modes holds in every mode check runs', () => {
    expect(modesOf(line({ state: 'running' }))).toEqual([...MODES]);
    expect(modesOf(line({ state: 'running' }), ['legacy', 'AlwaysVerify'])).toEqual([
      'legacy',
      'AlwaysVerify',
    ]);
  });

  it('a line with modes holds in those that check runs; as-configured is always kept', () => {
    const modes: RunMode[] = ['legacy', 'NeverVerify', 'as-configured'];
    expect(modesOf(line({ modes }))).toEqual(modes);
    expect(modesOf(line({ modes }), ['legacy'])).toEqual(['legacy', 'as-configured']);
    expect(modesOf(line({ modes: ['AlwaysVerify'] }), ['legacy'])).toEqual([]);
  });
});

describe('checkScenario', () => {
  const scenario = parseScenario(crossTenantText(), 'cross-tenant.yaml');

  it('checks each line in each of its modes and counts (line, mode) pairs', () => {
    const check = checkScenario(scenario);
    expect(check.scenario).toBe('cross-tenant');
    expect(check.outcomes.map((o) => `${o.expectation.line}:${o.mode}`)).toEqual([
      ...MODES.map((mode) => `${scenario.expect[0]!.line}:${mode}`),
      `${scenario.expect[1]!.line}:legacy`,
      `${scenario.expect[1]!.line}:NeverVerify`,
      `${scenario.expect[2]!.line}:AlwaysVerify`,
      `${scenario.expect[2]!.line}:NeverVerifyPreloadedImages`,
    ]);
    expect(check).toMatchObject({ passed: 10, failed: 0 });
    for (const outcome of check.outcomes) expect(outcome).toMatchObject({ passed: true, problems: [] });
  });

  it('runs only the modes asked for', () => {
    const check = checkScenario(scenario, { modes: ['NeverVerify'] });
    expect(check.outcomes.map((o) => o.mode)).toEqual(['NeverVerify', 'NeverVerify']);
    expect(check).toMatchObject({ passed: 2, failed: 0 });
  });

  it('a line for as-configured runs the scenario as configured', () => {
    const own = parseScenario(
      crossTenantText({
        expect: [
          '{ pod: team-b/b, modes: [as-configured], state: waiting }',
          '{ pod: team-b/b, modes: [as-configured, legacy], violation: true }',
        ],
      }),
      'own.yaml',
    );
    const check = checkScenario(own);
    expect(check.outcomes.map((o) => [o.mode, o.passed])).toEqual([
      ['as-configured', true],
      ['as-configured', false],
      ['legacy', true],
    ]);
    expect(check.outcomes[1]?.problems).toEqual(['expected violation true at the end, got false']);
    expect(check).toMatchObject({ passed: 2, failed: 1 });
  });

  it('a scenario without expect lines checks nothing and runs nothing', () => {
    const none = parseScenario(crossTenantText({ expect: [] }), 'none.yaml');
    expect(checkScenario(none)).toEqual({ scenario: 'cross-tenant', outcomes: [], passed: 0, failed: 0 });
  });
});
