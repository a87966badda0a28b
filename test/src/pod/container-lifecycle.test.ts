import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type AnyMachineSnapshot, initialTransition, setup, transition } from 'xstate';
import {
  CONTAINER_STATES,
  type ContainerEvent,
  type ContainerState,
  compileContainerLifecycle,
  containerLifecycle,
  containerLifecycleMachine,
  containerStatusKind,
  INITIAL_CONTAINER_STATE,
  isWaitingState,
  type RestartPolicy,
  restartsAfterExit,
  stateName,
} from '../../../src/pod/index.js';

const machine = containerLifecycleMachine;
const RESTART_POLICIES: readonly RestartPolicy[] = ['Always', 'OnFailure', 'Never'];
/** Exit codes beyond 0 and 1, to check that compiling only "zero / non-zero" loses nothing. */
const EXIT_CODES = [0, 1, 2, 127, 137, 255, -1];

const exited = (restartPolicy: RestartPolicy, exitCode: number): ContainerEvent => ({
  type: 'CONTAINER_EXITED',
  restartPolicy,
  exitCode,
});

const EVENTS: readonly ContainerEvent[] = [
  { type: 'IMAGE_READY' },
  { type: 'IMAGE_FAILED' },
  { type: 'RESTART_DUE' },
  { type: 'POD_DELETED' },
  ...RESTART_POLICIES.flatMap((policy) => EXIT_CODES.map((code) => exited(policy, code))),
];

function snapshotOf(state: ContainerState): AnyMachineSnapshot {
  const [parent, child] = state.split('.');
  return machine.resolveState({ value: child === undefined ? parent! : { [parent!]: child } });
}

const eventArb: fc.Arbitrary<ContainerEvent> = fc.oneof(
  fc.constantFrom<ContainerEvent>(
    { type: 'IMAGE_READY' },
    { type: 'IMAGE_FAILED' },
    { type: 'RESTART_DUE' },
    { type: 'POD_DELETED' },
  ),
  fc
    .record({
      restartPolicy: fc.constantFrom(...RESTART_POLICIES),
      exitCode: fc.oneof(fc.constant(0), fc.integer({ min: -1, max: 255 })),
    })
    .map(({ restartPolicy, exitCode }) => exited(restartPolicy, exitCode)),
);

/**
 * The expected table, written from the brief and the kubelet's `ShouldContainerBeRestarted`, not from the
 * code: each state's accepted events and where they lead; every other event is refused.
 */
function expectedNext(state: ContainerState, event: ContainerEvent): ContainerState | 'refused' {
  if (state === 'terminated') return 'refused';
  if (event.type === 'POD_DELETED') return 'terminated';
  if (state.startsWith('waiting.')) {
    if (event.type === 'IMAGE_READY') return 'running';
    if (event.type === 'IMAGE_FAILED') return 'waiting.imagePullFailed';
    if (event.type === 'RESTART_DUE' && state === 'waiting.crashLoopBackOff')
      return 'waiting.containerCreating';
    return 'refused';
  }
  if (state === 'running' && event.type === 'CONTAINER_EXITED') {
    const restarts =
      event.restartPolicy === 'Always' || (event.restartPolicy === 'OnFailure' && event.exitCode !== 0);
    return restarts ? 'waiting.crashLoopBackOff' : 'exited';
  }
  return 'refused';
}

describe('compiled container lifecycle agrees with xstate', () => {
  it('lists every leaf state of the machine, starting from waiting.containerCreating', () => {
    expect(containerLifecycle.states).toEqual(CONTAINER_STATES);
    expect(INITIAL_CONTAINER_STATE).toBe('waiting.containerCreating');
    expect(stateName(initialTransition(machine)[0].value)).toBe(INITIAL_CONTAINER_STATE);
  });

  it("matches xstate's pure transition on every state × event", () => {
    for (const state of CONTAINER_STATES) {
      const snapshot = snapshotOf(state);
      expect(stateName(snapshot.value)).toBe(state);
      for (const event of EVENTS) {
        const [after] = transition(machine, snapshot, event);
        const accepted = machine.getTransitionData(snapshot, event).length > 0;
        const label = `${state} + ${JSON.stringify(event)}`;
        expect(containerLifecycle.step(state, event), label).toBe(stateName(after.value));
        expect(containerLifecycle.accepts(state, event), label).toBe(accepted);
        // A refused event leaves xstate's snapshot untouched: the very same object comes back.
        if (!accepted) expect(after, label).toBe(snapshot);
      }
    }
  });

  it('matches the expected table written from the spec on every state × event', () => {
    for (const state of CONTAINER_STATES) {
      for (const event of EVENTS) {
        const expected = expectedNext(state, event);
        const label = `${state} + ${JSON.stringify(event)}`;
        expect(containerLifecycle.accepts(state, event), label).toBe(expected !== 'refused');
        expect(containerLifecycle.step(state, event), label).toBe(expected === 'refused' ? state : expected);
      }
    }
  });

  it('stepping the table and stepping xstate from the initial snapshot agree after every event', () => {
    // Invariant: for any event sequence, the compiled state equals the dotted xstate snapshot value at each step.
    fc.assert(
      fc.property(fc.array(eventArb, { maxLength: 60 }), (events) => {
        let [snapshot] = initialTransition(machine);
        let state = INITIAL_CONTAINER_STATE;
        for (const event of events) {
          expect(containerLifecycle.accepts(state, event)).toBe(
            machine.getTransitionData(snapshot, event).length > 0,
          );
          [snapshot] = transition(machine, snapshot, event);
          state = containerLifecycle.step(state, event);
          expect(state).toBe(stateName(snapshot.value));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('compiles the machine it is given, guards included', () => {
    const neverRestarts = compileContainerLifecycle(
      machine.provide({ guards: { restartsAfterExit: () => false } }),
    );
    expect(neverRestarts.step('running', exited('Always', 1))).toBe('exited');
    expect(containerLifecycle.step('running', exited('Always', 1))).toBe('waiting.crashLoopBackOff');
  });
});

describe('container lifecycle behaviour', () => {
  const run = (events: readonly ContainerEvent[], from: ContainerState = INITIAL_CONTAINER_STATE) =>
    events.reduce<ContainerState>((state, event) => containerLifecycle.step(state, event), from);

  it('a failing pull keeps the container waiting until a later sync succeeds, then it runs', () => {
    const failed = run([{ type: 'IMAGE_FAILED' }]);
    expect(failed).toBe('waiting.imagePullFailed');
    // ErrImagePull → ImagePullBackOff → ErrImagePull: the reason changes outside, the state stays.
    expect(run([{ type: 'IMAGE_FAILED' }, { type: 'IMAGE_FAILED' }], failed)).toBe('waiting.imagePullFailed');
    expect(containerLifecycle.accepts(failed, { type: 'IMAGE_FAILED' })).toBe(true);
    expect(run([{ type: 'IMAGE_READY' }], failed)).toBe('running');
  });

  it('POD_DELETED from every state reaches terminated, and terminated accepts nothing', () => {
    for (const state of CONTAINER_STATES) {
      expect(containerLifecycle.step(state, { type: 'POD_DELETED' })).toBe('terminated');
      expect(containerLifecycle.accepts(state, { type: 'POD_DELETED' })).toBe(state !== 'terminated');
    }
    for (const event of EVENTS) {
      expect(containerLifecycle.accepts('terminated', event)).toBe(false);
      expect(containerLifecycle.step('terminated', event)).toBe('terminated');
    }
    expect(snapshotOf('terminated').status).toBe('done');
  });

  it('restartPolicy Always restarts after any exit, OnFailure after a failure only, Never never', () => {
    for (const code of EXIT_CODES) {
      expect(run([exited('Always', code)], 'running')).toBe('waiting.crashLoopBackOff');
      expect(run([exited('OnFailure', code)], 'running')).toBe(
        code === 0 ? 'exited' : 'waiting.crashLoopBackOff',
      );
      expect(run([exited('Never', code)], 'running')).toBe('exited');
      expect(restartsAfterExit('Always', code)).toBe(true);
      expect(restartsAfterExit('OnFailure', code)).toBe(code !== 0);
      expect(restartsAfterExit('Never', code)).toBe(false);
    }
  });

  it('a crash loop goes back to containerCreating only when the restart back-off is due', () => {
    const crashed = run([{ type: 'IMAGE_READY' }, exited('Always', 1)]);
    expect(crashed).toBe('waiting.crashLoopBackOff');
    expect(run([{ type: 'RESTART_DUE' }], crashed)).toBe('waiting.containerCreating');
    for (const state of CONTAINER_STATES.filter((s) => s !== 'waiting.crashLoopBackOff')) {
      expect(containerLifecycle.accepts(state, { type: 'RESTART_DUE' })).toBe(false);
    }
    expect(run([{ type: 'RESTART_DUE' }, { type: 'IMAGE_READY' }], crashed)).toBe('running');
  });

  it('an exited container stays exited until its pod is deleted', () => {
    const done = run([{ type: 'IMAGE_READY' }, exited('Never', 0)]);
    expect(done).toBe('exited');
    for (const event of EVENTS) {
      expect(containerLifecycle.accepts(done, event)).toBe(event.type === 'POD_DELETED');
    }
  });

  it('a running container ignores image results and restart timers', () => {
    for (const type of ['IMAGE_READY', 'IMAGE_FAILED', 'RESTART_DUE'] as const) {
      expect(containerLifecycle.accepts('running', { type })).toBe(false);
      expect(containerLifecycle.step('running', { type })).toBe('running');
    }
  });

  it('maps states to the kubelet status field it fills in', () => {
    expect(CONTAINER_STATES.map(containerStatusKind)).toEqual([
      'waiting',
      'waiting',
      'waiting',
      'running',
      'terminated',
      'terminated',
    ]);
    expect(CONTAINER_STATES.filter(isWaitingState)).toEqual([
      'waiting.containerCreating',
      'waiting.imagePullFailed',
      'waiting.crashLoopBackOff',
    ]);
  });
});

describe('programmer errors', () => {
  const testSetup = setup({ types: { events: {} as ContainerEvent } });

  it('refuses a machine whose states ContainerState does not name, or that lacks one', () => {
    const extra = testSetup.createMachine({
      initial: 'waiting',
      states: {
        waiting: { states: { containerCreating: {}, pendingForever: {} }, initial: 'containerCreating' },
      },
    });
    expect(() => compileContainerLifecycle(extra as unknown as typeof machine)).toThrow(
      /state "waiting.pendingForever"/,
    );
    const lacking = testSetup.createMachine({ initial: 'running', states: { running: {} } });
    expect(() => compileContainerLifecycle(lacking as unknown as typeof machine)).toThrow(
      /lacks the states waiting.containerCreating, .*terminated/,
    );
  });

  it('throws on an unknown state or event instead of returning undefined', () => {
    expect(() => containerLifecycle.step('paused' as ContainerState, { type: 'IMAGE_READY' })).toThrow(
      /unknown state "paused"/,
    );
    expect(() => containerLifecycle.accepts('running', exited('Sometimes' as RestartPolicy, 1))).toThrow(
      /unknown event/,
    );
  });

  it('names only single leaf paths', () => {
    expect(stateName({ waiting: 'imagePullFailed' })).toBe('waiting.imagePullFailed');
    expect(() => stateName({ a: 'x', b: 'y' })).toThrow(/not a single leaf path/);
    expect(() => stateName({})).toThrow(/not a single leaf path/);
  });
});

describe('determinism', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('the module never starts a live actor (they read the clock and draw random ids)', () => {
    const source = readFileSync(join(import.meta.dirname, '../../../src/pod/container-lifecycle.ts'), 'utf8');
    expect(source).not.toMatch(/\b(createActor|interpret|fromPromise|fromCallback)\b/);
    const xstateImport = /import\s*\{([^}]*)\}\s*from\s*'xstate'/.exec(source);
    const imported = xstateImport?.[1]?.split(',').map((name) => name.replace(/\btype\b/, '').trim());
    expect(imported?.sort()).toEqual(['StateValue', 'initialTransition', 'setup', 'transition']);
  });

  it('compiling and stepping read neither the clock nor Math.random', () => {
    const now = vi.spyOn(Date, 'now');
    const random = vi.spyOn(Math, 'random');
    const lifecycle = compileContainerLifecycle();
    lifecycle.step(lifecycle.initial, { type: 'IMAGE_READY' });
    expect(now).not.toHaveBeenCalled();
    expect(random).not.toHaveBeenCalled();
  });
});
