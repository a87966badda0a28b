import { initialTransition, type StateValue, setup, transition } from 'xstate';

/** A pod's `spec.restartPolicy`. */
export type RestartPolicy = 'Always' | 'OnFailure' | 'Never';

/**
 * What happens to one container, as the kubelet's sync loop sees it. Waiting reasons and messages (`ErrImagePull`,
 * `ImagePullBackOff`, …; docs/kubelet-model.md#waiting-reasons-and-messages) are kept by the caller beside the state,
 * so the machine needs no context.
 */
export type ContainerEvent =
  | { type: 'IMAGE_READY' }
  | { type: 'IMAGE_FAILED' }
  | { type: 'CONTAINER_EXITED'; restartPolicy: RestartPolicy; exitCode: number }
  | { type: 'RESTART_DUE' }
  | { type: 'POD_DELETED' };

/** The machine's leaf states as dotted paths of the snapshot value. */
export type ContainerState =
  | 'waiting.containerCreating'
  | 'waiting.imagePullFailed'
  | 'waiting.crashLoopBackOff'
  | 'running'
  | 'exited'
  | 'terminated';

/** The states the kubelet reports as `state.waiting`. */
export type WaitingState = Extract<ContainerState, `waiting.${string}`>;

/** Every container state, in the machine's document order. */
export const CONTAINER_STATES: readonly ContainerState[] = [
  'waiting.containerCreating',
  'waiting.imagePullFailed',
  'waiting.crashLoopBackOff',
  'running',
  'exited',
  'terminated',
];

/**
 * Whether an exited container is started again: `ShouldContainerBeRestarted` in
 * `pkg/kubelet/container/helpers.go` (Never: no; OnFailure: only after a non-zero exit; Always: yes, even
 * after exit code 0, which is why a completed container of an `Always` pod shows CrashLoopBackOff).
 */
export function restartsAfterExit(restartPolicy: RestartPolicy, exitCode: number): boolean {
  if (restartPolicy === 'Never') return false;
  if (restartPolicy === 'OnFailure') return exitCode !== 0;
  return true;
}

/**
 * One container of a pod as the kubelet reports it (kuberuntime `SyncPod` → `startContainer` →
 * `EnsureImageExists`).
 *
 * ```
 *                 ┌──────────────────────── waiting ─────────────────────────┐
 *   (initial) ──► │ containerCreating ◄── RESTART_DUE ── crashLoopBackOff     │
 *                 │        │ IMAGE_FAILED (from any waiting.*)     ▲          │
 *                 │        ▼                                      │          │
 *                 │ imagePullFailed  (IMAGE_FAILED again: stays)  │          │
 *                 └──────┬───────────────────────────────────────┼──────────┘
 *                        │ IMAGE_READY (from any waiting.*)      │ CONTAINER_EXITED [restartsAfterExit]
 *                        ▼                                       │
 *                     running ───────────────────────────────────┘
 *                        │ CONTAINER_EXITED [else]
 *                        ▼
 *                      exited
 *
 *   POD_DELETED: waiting.* | running | exited ──► terminated (final; accepts nothing)
 * ```
 *
 * A waiting container keeps its previous reason until the next sync result, as the kubelet does, so there is
 * no "sync started" transition. No delays and no context: the caller owns reasons, messages and back-off timers
 * and sends `RESTART_DUE` when the restart back-off has passed.
 */
export const containerLifecycleMachine = setup({
  types: { events: {} as ContainerEvent },
  guards: {
    restartsAfterExit: ({ event }) =>
      event.type === 'CONTAINER_EXITED' && restartsAfterExit(event.restartPolicy, event.exitCode),
  },
}).createMachine({
  id: 'containerLifecycle',
  initial: 'waiting',
  states: {
    waiting: {
      initial: 'containerCreating',
      states: {
        containerCreating: {},
        imagePullFailed: {},
        crashLoopBackOff: { on: { RESTART_DUE: 'containerCreating' } },
      },
      on: {
        IMAGE_READY: 'running',
        IMAGE_FAILED: '.imagePullFailed',
        POD_DELETED: 'terminated',
      },
    },
    running: {
      on: {
        CONTAINER_EXITED: [
          { guard: 'restartsAfterExit', target: 'waiting.crashLoopBackOff' },
          { target: 'exited' },
        ],
        POD_DELETED: 'terminated',
      },
    },
    exited: { on: { POD_DELETED: 'terminated' } },
    terminated: { type: 'final' },
  },
});

/** A transition table for the container lifecycle; `step` is a lookup, not an xstate macrostep. */
export interface CompiledLifecycle {
  /** The machine's leaf states in document order. */
  readonly states: readonly ContainerState[];
  /** The state `initialTransition` enters. */
  readonly initial: ContainerState;
  /** The state after `event`; the same state when the event is not accepted. */
  step(state: ContainerState, event: ContainerEvent): ContainerState;
  /**
   * False when the event is not accepted in that state: no transition is enabled for it, so xstate leaves the
   * snapshot unchanged. A transition back into the same state counts as accepted.
   */
  accepts(state: ContainerState, event: ContainerEvent): boolean;
}

const RESTART_POLICIES: readonly RestartPolicy[] = ['Always', 'OnFailure', 'Never'];
const RESTART_POLICY_SLOT: Readonly<Record<RestartPolicy, number>> = { Always: 0, OnFailure: 1, Never: 2 };
const EXITED_SLOT_FIRST = 4;

/**
 * Every event the table distinguishes, indexed by `eventSlot`. Guards read `restartPolicy` and whether
 * `exitCode` is zero, so exit codes 0 and 1 stand for "zero" and "non-zero".
 */
const EVENT_DOMAIN: readonly ContainerEvent[] = [
  { type: 'IMAGE_READY' },
  { type: 'IMAGE_FAILED' },
  { type: 'RESTART_DUE' },
  { type: 'POD_DELETED' },
  ...RESTART_POLICIES.flatMap((restartPolicy) =>
    [0, 1].map((exitCode): ContainerEvent => ({ type: 'CONTAINER_EXITED', restartPolicy, exitCode })),
  ),
];

function eventSlot(event: ContainerEvent): number {
  switch (event.type) {
    case 'IMAGE_READY':
      return 0;
    case 'IMAGE_FAILED':
      return 1;
    case 'RESTART_DUE':
      return 2;
    case 'POD_DELETED':
      return 3;
    case 'CONTAINER_EXITED':
      return (
        EXITED_SLOT_FIRST + RESTART_POLICY_SLOT[event.restartPolicy] * 2 + (event.exitCode === 0 ? 0 : 1)
      );
  }
}

interface Row {
  readonly next: readonly ContainerState[];
  readonly accepted: readonly boolean[];
}

/** The dotted name of a snapshot value: `{ waiting: 'imagePullFailed' }` → `waiting.imagePullFailed`. */
export function stateName(value: StateValue): string {
  if (typeof value === 'string') return value;
  const entries = Object.entries(value);
  const [only] = entries;
  if (entries.length !== 1 || only === undefined || only[1] === undefined) {
    throw new Error(`container lifecycle: state value ${JSON.stringify(value)} is not a single leaf path`);
  }
  return `${only[0]}.${stateName(only[1])}`;
}

/** The snapshot value of a dotted name: `waiting.imagePullFailed` → `{ waiting: 'imagePullFailed' }`. */
function stateValueOf(name: string): StateValue {
  const parts = name.split('.');
  const leaf = parts.pop()!;
  return parts.reduceRight<StateValue>((child, parent) => ({ [parent]: child }), leaf);
}

function asContainerState(name: string): ContainerState {
  if (!(CONTAINER_STATES as readonly string[]).includes(name)) {
    throw new Error(
      `container lifecycle: the machine has a state "${name}" that ContainerState does not name`,
    );
  }
  return name as ContainerState;
}

/** The leaf (atomic or final) state nodes' dotted names, in document order. */
function leafStateNames(machine: typeof containerLifecycleMachine): string[] {
  const names: string[] = [];
  const visit = (node: typeof machine.root): void => {
    const children = Object.values(node.states);
    if (children.length === 0) names.push(node.path.join('.'));
    for (const child of children) visit(child);
  };
  visit(machine.root);
  return names;
}

/**
 * Compiles the machine into a transition table by sending every event of the finite domain to every leaf
 * state through xstate's pure `transition` and `getTransitionData` (no actor, no clock). Done once at start-up: one xstate step costs
 * microseconds, a table lookup tens of nanoseconds.
 *
 * @example
 * const lifecycle = compileContainerLifecycle();
 * lifecycle.step('waiting.imagePullFailed', { type: 'IMAGE_READY' }); // 'running'
 */
export function compileContainerLifecycle(machine = containerLifecycleMachine): CompiledLifecycle {
  const states = leafStateNames(machine).map(asContainerState);
  const missing = CONTAINER_STATES.filter((state) => !states.includes(state));
  if (missing.length > 0) {
    throw new Error(`container lifecycle: the machine lacks the states ${missing.join(', ')}`);
  }
  const [initialSnapshot] = initialTransition(machine);
  const initial = asContainerState(stateName(initialSnapshot.value));

  const rows = new Map<ContainerState, Row>();
  for (const state of states) {
    const snapshot = machine.resolveState({ value: stateValueOf(state) });
    const next: ContainerState[] = [];
    const accepted: boolean[] = [];
    for (const event of EVENT_DOMAIN) {
      const [after] = transition(machine, snapshot, event);
      // Not "after !== snapshot": IMAGE_FAILED in waiting.imagePullFailed is taken (the caller moves the reason
      // from ErrImagePull to ImagePullBackOff) yet xstate hands back the very same snapshot object.
      accepted.push(machine.getTransitionData(snapshot, event).length > 0);
      next.push(asContainerState(stateName(after.value)));
    }
    rows.set(state, { next, accepted });
  }

  const rowOf = (state: ContainerState): Row => {
    const row = rows.get(state);
    if (row === undefined) throw new Error(`container lifecycle: unknown state "${state}"`);
    return row;
  };
  const slotOf = (event: ContainerEvent): number => {
    const slot = eventSlot(event);
    if (!(slot >= 0 && slot < EVENT_DOMAIN.length)) {
      throw new Error(`container lifecycle: unknown event ${JSON.stringify(event)}`);
    }
    return slot;
  };
  return {
    states,
    initial,
    step: (state, event) => rowOf(state).next[slotOf(event)]!,
    accepts: (state, event) => rowOf(state).accepted[slotOf(event)]!,
  };
}

/** The container lifecycle compiled once at module load. */
export const containerLifecycle: CompiledLifecycle = compileContainerLifecycle();

/** The state a new container starts in: `waiting.containerCreating`. */
export const INITIAL_CONTAINER_STATE: ContainerState = containerLifecycle.initial;

/** Whether the kubelet reports the container as `state.waiting`. */
export function isWaitingState(state: ContainerState): state is WaitingState {
  return state.startsWith('waiting.');
}

/** Which of `state.waiting`, `state.running`, `state.terminated` the kubelet fills in for this container. */
export function containerStatusKind(state: ContainerState): 'waiting' | 'running' | 'terminated' {
  if (isWaitingState(state)) return 'waiting';
  return state === 'running' ? 'running' : 'terminated';
}
