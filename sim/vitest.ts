// Types only (erased from the JavaScript): the augmentation below needs vitest's declarations in the program.
import type {} from 'vitest';
import type { ContainerResult, RunResult } from './run.js';

/**
 * Test matchers for regression suites that run pullsim (`import { pullsimMatchers } from 'pullsim/vitest'`), over
 * the result JSON of docs/contract.md §4:
 *
 * @example
 * import { expect } from 'vitest';
 * import { pullsimMatchers } from 'pullsim/vitest';
 * expect.extend(pullsimMatchers); // once, e.g. in a vitest setup file
 * expect(runScenario(scenario, { mode: 'AlwaysVerify' }).result).toHaveNoViolations();
 *
 * This module imports nothing from vitest at run time: the caller hands the matchers to its own `expect.extend`, so
 * the package needs vitest neither as a dependency nor as a peer, any vitest version the user runs (or Jest, whose
 * `expect.extend` has the same contract) works, and importing `pullsim` itself never loads this file. Only the types
 * below name vitest, to add the matchers to its `expect(…)` for TypeScript.
 */

/** What `expect.extend` gives a matcher as `this`: the part used here, common to vitest's and Jest's matcher state. */
interface MatcherContext {
  readonly isNot: boolean;
}

/** What a matcher returns to `expect.extend`: whether it held, and what to say when the assertion fails. */
interface MatcherOutcome {
  readonly pass: boolean;
  readonly message: () => string;
}

/** The matchers, as `expect(…)` offers them once they are installed. */
export interface PullsimMatchers<R = unknown> {
  /** The run (a `RunResult`) started no container in violation (`containers[].violation`, docs/contract.md §4). */
  toHaveNoViolations(): R;
  /**
   * The run (a `RunResult`) started the container `namespace/pod/container` at some point (`started`); the
   * container name may be left out for a pod with one container. An id that names no container throws.
   */
  toStartContainer(id: string): R;
  /**
   * The container (a `ContainerResult`) never started; with `reason`, it is waiting with that reason at the end
   * (`ErrImageNeverPull`, `ImagePullBackOff`, …; a list: any of them).
   */
  toBeRefused(reason?: string | readonly string[]): R;
}

declare module 'vitest' {
  // biome-ignore lint/suspicious/noExplicitAny: the type parameter must be declared exactly as vitest declares it.
  interface Matchers<T = any> extends PullsimMatchers<T> {}
}

/** The matchers for `expect.extend(pullsimMatchers)`. */
export const pullsimMatchers = {
  toHaveNoViolations(this: MatcherContext, received: unknown): MatcherOutcome {
    const result = runResult(received, 'toHaveNoViolations');
    const violating = result.containers.filter((c) => c.violation);
    const where = `in ${runName(result)}`;
    return {
      pass: violating.length === 0,
      message: () =>
        this.isNot
          ? `expected a violation ${where}, but no container started an image its pod's credentials could not pull`
          : [
              `expected no violation ${where}, but ${violating.length} ${violating.length === 1 ? 'container' : 'containers'} started an image that neither the pod's nor the node's credentials could pull:`,
              ...violating.map((c) => `  ${containerId(c)} on ${c.node}: ${c.image}`),
            ].join('\n'),
    };
  },

  toStartContainer(this: MatcherContext, received: unknown, id: string): MatcherOutcome {
    const result = runResult(received, 'toStartContainer');
    const container = findContainer(result, id);
    const where = `in ${runName(result)}`;
    return {
      pass: container.started,
      message: () =>
        this.isNot
          ? `expected ${containerId(container)} not to start ${where}, but it started ${container.image}${container.violation ? ' (in violation)' : ''}; at the end it is ${stateOf(container)}`
          : `expected ${containerId(container)} to start ${where}, but it never started: it is ${stateOf(container)}`,
    };
  },

  toBeRefused(this: MatcherContext, received: unknown, reason?: string | readonly string[]): MatcherOutcome {
    const container = containerResult(received, 'toBeRefused');
    const reasons = reason === undefined ? undefined : typeof reason === 'string' ? [reason] : reason;
    const expected = reasons === undefined ? 'refused' : `refused with ${reasons.join(' or ')}`;
    const pass =
      !container.started &&
      (reasons === undefined || (container.reason !== undefined && reasons.includes(container.reason)));
    return {
      pass,
      message: () =>
        this.isNot
          ? `expected ${containerId(container)} not to be ${expected}, but it never started: it is ${stateOf(container)}`
          : container.started
            ? `expected ${containerId(container)} to be ${expected}, but it started ${container.image}${container.violation ? ' (in violation)' : ''}; at the end it is ${stateOf(container)}`
            : `expected ${containerId(container)} to be ${expected}, but it is ${stateOf(container)}`,
    };
  },
};

/** `namespace/pod/container`, as the matchers name a container. */
function containerId(container: ContainerResult): string {
  return `${container.pod}/${container.container}`;
}

/** The state a container ended in, with its reason and the kubelet's message. */
function stateOf(container: ContainerResult): string {
  const reason = container.reason === undefined ? '' : ` (${container.reason})`;
  const message = container.message === undefined ? '' : `: ${container.message}`;
  return `${container.state}${reason}${message}`;
}

function runName(result: RunResult): string {
  return `scenario ${result.scenario}, mode ${result.mode}`;
}

/** The container `namespace/pod/container` (or `namespace/pod`, for a pod with one); an id that names none throws. */
function findContainer(result: RunResult, id: string): ContainerResult {
  const matches = result.containers.filter((c) => containerId(c) === id || c.pod === id);
  const [only] = matches;
  if (only !== undefined && matches.length === 1) return only;
  const known = result.containers.map(containerId).join(', ');
  throw new TypeError(
    matches.length === 0
      ? `toStartContainer: no container ${id} in ${runName(result)} (its containers: ${known})`
      : `toStartContainer: pod ${id} has several containers in ${runName(result)}; name one (${matches.map(containerId).join(', ')})`,
  );
}

function runResult(received: unknown, matcher: string): RunResult {
  const value = received as Partial<RunResult> | null;
  if (typeof value === 'object' && value?.kind === 'Result' && Array.isArray(value.containers))
    return value as RunResult;
  throw new TypeError(
    `${matcher}: expected a pullsim result (runScenario(…).result), got ${describe(received)}`,
  );
}

function containerResult(received: unknown, matcher: string): ContainerResult {
  const value = received as Partial<ContainerResult> | null;
  if (typeof value === 'object' && typeof value?.pod === 'string' && typeof value.started === 'boolean')
    return value as ContainerResult;
  throw new TypeError(
    `${matcher}: expected a container of a pullsim result (result.containers[i]), got ${describe(received)}`,
  );
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'an object of another shape' : `a ${typeof value}`;
}
