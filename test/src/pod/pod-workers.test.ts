import { describe, expect, it } from 'vitest';
import type { ImageManager } from '../../../src/image-manager/index.js';
import { CONTAINER_BACKOFF_MAX, WORKER_BACKOFF } from '../../../src/pod/index.js';
import { discardEvents } from '../../../src/ports.js';
import { TICKS_PER_SECOND, type Ticks, ticks } from '../../../src/time.js';
import { FakeCredentialSources } from '../../support/kubelet-fakes.js';
import { harness, pod } from '../../support/pod-workers-harness.js';

/*
 * The pod workers (pkg/kubelet/pod_workers.go, kuberuntime SyncPod's image part): one sync at a time per pod,
 * coalesced requests, EnsureImageExists per waiting container in order, the 10 s (+ up to 5 s jitter) requeue of a
 * failed sync, and the CrashLoopBackOff restart delays (none, then 10 s doubling to 300 s).
 */

const S = TICKS_PER_SECOND;

describe('PodWorkers', () => {
  it('a new pod is synced at once; its containers are ensured in order and started', () => {
    const h = harness();
    h.attach();
    h.workers.addPod(pod('a', ['img:1', 'img:2']));
    expect(h.timers).toHaveLength(1);
    h.runUntil(0);
    expect(h.seen).toEqual(['a/c0', 'a/c1']);
    expect(h.started).toEqual(['a/c0', 'a/c1']);
    expect(h.workers.pod('ns/a')?.containers.map((c) => c.state)).toEqual(['running', 'running']);
  });

  it('requests for the same pod are coalesced: the earliest wins, one timer', () => {
    const h = harness();
    h.attach();
    h.workers.addPod(pod('a', ['img:1']));
    h.workers.requestSync('ns/a', ticks(5 * S));
    h.workers.requestSync('ns/a', ticks(0));
    expect(h.timers).toHaveLength(1);
  });

  it('a failure does not stop the sync: later containers are still ensured; the pod is requeued after 10-15 s', () => {
    const h = harness({ 'bad:1': 'refuse' });
    h.attach();
    h.workers.addPod(pod('a', ['bad:1', 'img:2']));
    h.runUntil(0);
    expect(h.ensured).toEqual(['a/c0:ErrImageNeverPull', 'a/c1:ok']);
    expect(h.jitters).toEqual([WORKER_BACKOFF / 2]);
    expect(h.timers.map((t) => t.at)).toEqual([WORKER_BACKOFF + WORKER_BACKOFF / 2]);
    h.runUntil(20 * S);
    expect(h.seen).toEqual(['a/c0', 'a/c1', 'a/c0']); // only the waiting container is ensured again
  });

  it('a sync waits for its pull; a request meanwhile runs one more sync after it', () => {
    const h = harness({ 'img:1': 'pull' });
    h.attach();
    h.workers.addPod(pod('a', ['img:1']));
    h.runUntil(0);
    expect(h.attempts).toEqual([1]);
    h.workers.requestSync('ns/a', ticks(0));
    expect(h.timers).toHaveLength(0); // pending, not scheduled
    h.setNow(3 * S);
    h.workers.pullAttemptDone(1, { ok: true, imageRef: 'sha256:1', sizeBytes: 1 });
    expect(h.started).toEqual(['a/c0']);
    expect(h.timers.map((t) => t.at)).toEqual([3 * S]);
  });

  it('a pod deleted while its pull is at the runtime: the sync resumes but starts nothing', () => {
    const h = harness({ 'img:1': 'pull' });
    h.attach();
    h.workers.addPod(pod('a', ['img:1']));
    h.runUntil(0);
    const deleted = h.workers.deletePod('ns/a');
    expect(deleted?.containers[0]?.state).toBe('terminated');
    h.workers.pullAttemptDone(1, { ok: true, imageRef: 'sha256:1', sizeBytes: 1 });
    expect(h.started).toEqual([]);
    expect(h.ensured).toEqual([]);
  });

  it('restart back-off: no delay before the first restart, then 10 s doubling up to 300 s', () => {
    const h = harness();
    h.attach();
    h.workers.addPod(pod('a', ['img:1']));
    h.runUntil(0);
    const delays: number[] = [];
    for (let i = 0; i < 8; i++) {
      h.timers.length = 0;
      const before = i * 1000 * S;
      h.setNow(before);
      h.workers.restartContainer('ns/a', undefined);
      expect(h.workers.pod('ns/a')?.containers[0]?.state).toBe('waiting.crashLoopBackOff');
      const due = h.timers[0] as { at: Ticks };
      delays.push((due.at - before) / S);
      h.runUntil(due.at);
      expect(h.workers.pod('ns/a')?.containers[0]?.state).toBe('running');
    }
    expect(delays).toEqual([0, 10, 20, 40, 80, 160, CONTAINER_BACKOFF_MAX / S, CONTAINER_BACKOFF_MAX / S]);
  });

  it('a container of a restartPolicy Never pod stays terminated with reason Error', () => {
    const h = harness();
    h.attach();
    h.workers.addPod(pod('a', ['img:1'], 'Never'));
    h.runUntil(0);
    h.workers.restartContainer('ns/a', 'c0');
    expect(h.workers.pod('ns/a')?.containers[0]).toMatchObject({ state: 'exited', reason: 'Error' });
    expect(h.timers).toHaveLength(0);
  });

  it('timers of an earlier kubelet process are ignored; a new one syncs every live pod, sorted by key', () => {
    const h = harness();
    h.attach(1);
    h.workers.addPod(pod('b', ['bad']));
    h.workers.addPod(pod('a', ['bad']));
    h.workers.detach();
    h.attach(2);
    h.runUntil(0);
    expect(h.seen).toEqual(['a/c0', 'b/c0']);
  });

  it('while draining, due syncs do not start', () => {
    const h = harness();
    h.attach();
    h.workers.addPod(pod('a', ['img:1']));
    h.workers.drain();
    h.runUntil(0);
    expect(h.seen).toEqual([]);
  });

  it('a kubelet death inside a sync goes to the host', () => {
    const h = harness();
    h.workers.attach({
      epoch: 1,
      imageManager: {
        beginEnsureImage() {
          throw new Error('panic: concurrent map writes');
        },
      } as unknown as ImageManager,
      credentials: new FakeCredentialSources(),
      recorder: discardEvents,
      parallelPulls: 1,
    });
    h.workers.addPod(pod('a', ['img:1']));
    h.runUntil(0);
    expect(h.died).toEqual(['panic: concurrent map writes']);
    expect(h.workers.pullsInFlight).toEqual({ active: 0, queued: 0 });
  });
});
