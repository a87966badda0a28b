import { describe, expect, it } from 'vitest';
import {
  COMPLETED,
  exitRestartPolicy,
  INIT_CONTAINER_RUN,
  syncStep,
} from '../../../src/pod/init-containers.js';
import { TICKS_PER_SECOND } from '../../../src/time.js';
import { harness, pod } from '../../support/pod-workers-harness.js';

/*
 * Init containers as kuberuntime runs them (kuberuntime_manager.go computePodActions and
 * computeInitContainerActions): one at a time, each to completion; a failure to get an init container's image
 * blocks the rest, regular containers included; sidecars start, let the next one go on and keep running.
 */

const S = TICKS_PER_SECOND;
const states = (h: ReturnType<typeof harness>, name: string) =>
  h.workers
    .pod(`ns/${name}`)
    ?.containers.map((c) => `${c.state}${c.reason === undefined ? '' : `:${c.reason}`}`);

describe('syncStep', () => {
  it('before initialization, stops at a running, backing-off or failed init container', () => {
    const waiting = { state: 'waiting.containerCreating', reason: undefined } as const;
    expect(syncStep({ role: 'init', ...waiting }, false)).toBe('ensure');
    expect(syncStep({ role: 'init', state: 'running', reason: undefined }, false)).toBe('stop');
    expect(syncStep({ role: 'init', state: 'exited', reason: COMPLETED }, false)).toBe('skip');
    expect(syncStep({ role: 'init', state: 'exited', reason: 'Error' }, false)).toBe('stop');
    expect(syncStep({ role: 'sidecar', state: 'running', reason: undefined }, false)).toBe('skip');
    expect(syncStep({ role: 'sidecar', state: 'waiting.crashLoopBackOff', reason: undefined }, false)).toBe(
      'stop',
    );
  });

  it('after initialization, regular init containers are passed by and sidecars restarted like containers', () => {
    expect(syncStep({ role: 'init', state: 'waiting.containerCreating', reason: undefined }, true)).toBe(
      'skip',
    );
    expect(syncStep({ role: 'sidecar', state: 'waiting.containerCreating', reason: undefined }, true)).toBe(
      'ensure',
    );
    expect(syncStep({ role: 'sidecar', state: 'waiting.crashLoopBackOff', reason: undefined }, true)).toBe(
      'skip',
    );
  });

  it('judges exits: sidecars always restart, an init container under Always as under OnFailure', () => {
    expect(exitRestartPolicy('sidecar', 'Never')).toBe('Always');
    expect(exitRestartPolicy('init', 'Always')).toBe('OnFailure');
    expect(exitRestartPolicy('init', 'Never')).toBe('Never');
    expect(exitRestartPolicy(undefined, 'Always')).toBe('Always');
  });
});

describe('PodWorkers with init containers', () => {
  it('runs init containers one at a time, each to completion, before the regular containers', () => {
    const h = harness();
    h.attach();
    h.workers.addPod(pod('a', ['init:1', 'init:2', 'app:1'], 'Always', ['init', 'init']));
    h.runUntil(0);
    expect(h.seen).toEqual(['a/c0']);
    expect(states(h, 'a')).toEqual([
      'running',
      'waiting.containerCreating:ContainerCreating',
      'waiting.containerCreating:ContainerCreating',
    ]);
    h.runUntil(INIT_CONTAINER_RUN);
    expect(h.seen).toEqual(['a/c0', 'a/c1']);
    h.runUntil(2 * INIT_CONTAINER_RUN);
    expect(h.seen).toEqual(['a/c0', 'a/c1', 'a/c2']);
    expect(states(h, 'a')).toEqual(['exited:Completed', 'exited:Completed', 'running']);
  });

  it('an init container refused its image blocks the rest: the regular container is never ensured', () => {
    const h = harness({ 'bad:1': 'refuse' });
    h.attach();
    h.workers.addPod(pod('a', ['bad:1', 'app:1'], 'Always', ['init']));
    h.runUntil(60 * S);
    expect(h.seen.every((seen) => seen === 'a/c0')).toBe(true);
    expect(h.seen.length).toBeGreaterThan(1); // retried after the worker back-off
    expect(h.started).toEqual([]);
  });

  it('a sidecar starts, lets the next init container go on, and keeps running beside the regular container', () => {
    const h = harness();
    h.attach();
    h.workers.addPod(pod('a', ['proxy:1', 'init:1', 'app:1'], 'Always', ['sidecar', 'init']));
    h.runUntil(0);
    expect(h.seen).toEqual(['a/c0', 'a/c1']);
    h.runUntil(INIT_CONTAINER_RUN);
    expect(states(h, 'a')).toEqual(['running', 'exited:Completed', 'running']);
  });

  it('a failed init container is restarted with back-off, unless the pod restartPolicy is Never: then the pod fails', () => {
    for (const [policy, expected] of [
      ['Always', ['a/c0', 'a/c0']],
      ['Never', ['a/c0']],
    ] as const) {
      const h = harness();
      h.attach();
      h.workers.addPod(pod('a', ['init:1', 'app:1'], policy, ['init']));
      h.runUntil(0);
      h.workers.restartContainer('ns/a', 'c0');
      h.runUntil(120 * S);
      expect(h.seen).toEqual(policy === 'Always' ? [...expected, 'a/c1'] : expected);
      if (policy === 'Never') expect(states(h, 'a')?.[0]).toBe('exited:Error');
    }
  });
});
