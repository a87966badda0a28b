import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../sim/files.js';
import { type ContainerResult, type RunResult, runScenario } from '../../sim/run.js';
import { pullsimMatchers } from '../../sim/vitest.js';

/*
 * The vitest matchers of `pullsim/vitest` (sim/vitest.ts), on real results of the bundled cross-tenant scenario: each
 * passes where the result says so, and fails, plain and negated, with a message that says what was expected, what
 * happened and to which container.
 */

expect.extend(pullsimMatchers);

const scenario = loadScenario('scenarios/cross-tenant-reuse.yaml');
const legacy = runScenario(scenario, { mode: 'legacy' }).result;
const verified = runScenario(scenario, { mode: 'AlwaysVerify' }).result;
const container = (result: RunResult, pod: string): ContainerResult => {
  const found = result.containers.find((c) => c.pod === pod);
  if (found === undefined) throw new Error(`no pod ${pod}`);
  return found;
};
const IMAGE = 'private.example.com/team-a/app:v1';
const NEVER_PULL = `Container image "${IMAGE}" is not present with pull policy of Never`;

/** The message an assertion fails with (fails the test when it passes). */
function failure(assertion: () => void): string {
  try {
    assertion();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected the assertion to fail');
}

describe('toHaveNoViolations', () => {
  it('passes on a run without violations, and fails listing each violating container', () => {
    expect(verified).toHaveNoViolations();
    expect(failure(() => expect(legacy).toHaveNoViolations())).toBe(
      [
        "expected no violation in scenario cross-tenant-reuse, mode legacy, but 2 containers started an image that neither the pod's nor the node's credentials could pull:",
        `  team-b/b-ifnotpresent/app on node-1: ${IMAGE}`,
        `  team-b/b-never/app on node-1: ${IMAGE}`,
      ].join('\n'),
    );
  });

  it('negated, passes on a run with violations and fails on one without', () => {
    expect(legacy).not.toHaveNoViolations();
    expect(failure(() => expect(verified).not.toHaveNoViolations())).toBe(
      "expected a violation in scenario cross-tenant-reuse, mode AlwaysVerify, but no container started an image its pod's credentials could not pull",
    );
  });

  it('says so when it is given something other than a result', () => {
    expect(failure(() => expect(verified.containers).toHaveNoViolations())).toBe(
      'toHaveNoViolations: expected a pullsim result (runScenario(…).result), got a list',
    );
    expect(failure(() => expect(undefined).toHaveNoViolations())).toMatch(/got undefined$/);
  });
});

describe('toStartContainer', () => {
  it('passes for a started container, by namespace/pod/container or by namespace/pod', () => {
    expect(verified).toStartContainer('team-a/a/app');
    expect(verified).toStartContainer('team-a/a');
    expect(legacy).toStartContainer('team-b/b-never');
  });

  it('fails for a container that never started, with its state, reason and the kubelet message', () => {
    expect(failure(() => expect(verified).toStartContainer('team-b/b-never/app'))).toBe(
      `expected team-b/b-never/app to start in scenario cross-tenant-reuse, mode AlwaysVerify, but it never started: it is waiting (ErrImageNeverPull): ${NEVER_PULL}`,
    );
  });

  it('negated, fails for a container that started, saying whether in violation', () => {
    expect(verified).not.toStartContainer('team-b/b-never');
    expect(failure(() => expect(legacy).not.toStartContainer('team-b/b-never'))).toBe(
      `expected team-b/b-never/app not to start in scenario cross-tenant-reuse, mode legacy, but it started ${IMAGE} (in violation); at the end it is running`,
    );
    expect(failure(() => expect(legacy).not.toStartContainer('team-a/a'))).toBe(
      `expected team-a/a/app not to start in scenario cross-tenant-reuse, mode legacy, but it started ${IMAGE}; at the end it is running`,
    );
  });

  it('throws for an id that names no container, or a pod of several, plain or negated', () => {
    const message =
      'toStartContainer: no container team-c/c in scenario cross-tenant-reuse, mode legacy (its containers: team-a/a/app, team-b/b-ifnotpresent/app, team-b/b-never/app)';
    expect(failure(() => expect(legacy).toStartContainer('team-c/c'))).toBe(message);
    expect(failure(() => expect(legacy).not.toStartContainer('team-c/c'))).toBe(message);
    const app = container(legacy, 'team-a/a');
    const twoContainers = { ...legacy, containers: [app, { ...app, container: 'sidecar' }] };
    expect(failure(() => expect(twoContainers).toStartContainer('team-a/a'))).toBe(
      'toStartContainer: pod team-a/a has several containers in scenario cross-tenant-reuse, mode legacy; name one (team-a/a/app, team-a/a/sidecar)',
    );
    expect(twoContainers).toStartContainer('team-a/a/sidecar');
  });
});

describe('toBeRefused', () => {
  const never = container(verified, 'team-b/b-never');
  const backOff = container(verified, 'team-b/b-ifnotpresent');

  it('passes for a container that never started, with any reason, its reason, or a list holding it', () => {
    expect(never).toBeRefused();
    expect(never).toBeRefused('ErrImageNeverPull');
    expect(backOff).toBeRefused(['ErrImagePull', 'ImagePullBackOff']);
  });

  it('fails for a container that started, and for another reason', () => {
    expect(failure(() => expect(container(legacy, 'team-b/b-never')).toBeRefused('ErrImageNeverPull'))).toBe(
      `expected team-b/b-never/app to be refused with ErrImageNeverPull, but it started ${IMAGE} (in violation); at the end it is running`,
    );
    expect(failure(() => expect(container(verified, 'team-a/a')).toBeRefused())).toBe(
      `expected team-a/a/app to be refused, but it started ${IMAGE}; at the end it is running`,
    );
    expect(failure(() => expect(never).toBeRefused(['ErrImagePull', 'ImagePullBackOff']))).toBe(
      `expected team-b/b-never/app to be refused with ErrImagePull or ImagePullBackOff, but it is waiting (ErrImageNeverPull): ${NEVER_PULL}`,
    );
  });

  it('negated, passes for a started container and fails for a refused one', () => {
    expect(container(verified, 'team-a/a')).not.toBeRefused();
    expect(never).not.toBeRefused('ImagePullBackOff');
    expect(failure(() => expect(never).not.toBeRefused())).toBe(
      `expected team-b/b-never/app not to be refused, but it never started: it is waiting (ErrImageNeverPull): ${NEVER_PULL}`,
    );
  });

  it('says so when it is given something other than a container', () => {
    expect(failure(() => expect(verified).toBeRefused())).toBe(
      'toBeRefused: expected a container of a pullsim result (result.containers[i]), got an object of another shape',
    );
    expect(failure(() => expect('team-b/b-never').toBeRefused())).toMatch(/got a string$/);
  });
});
