import type {
  EnsureImageRequest,
  EnsureImageResult,
  ImageManager,
  PendingPull,
  PullImageJobResult,
} from '../../src/image-manager/index.js';
import {
  PodWorkers,
  type PodWorkerTimer,
  type WorkerContainer,
  type WorkerPod,
} from '../../src/pod/index.js';
import type { ContainerRole } from '../../src/pod/init-containers.js';
import { discardEvents } from '../../src/ports.js';
import { type Ticks, ticks } from '../../src/time.js';
import { FakeCredentialSources } from './kubelet-fakes.js';

/*
 * A pod-workers harness for tests (test/src/pod): a fake image manager answering per image, pods built from image
 * lists, and a timer queue the test runs by hand.
 */

export type Answer = 'pull' | 'present' | 'refuse';

/** An image manager whose answer per image is set by the test; `pull` sends a pull job first. */
function fakeImageManager(answers: Map<string, Answer>, seen: string[]): ImageManager {
  return {
    beginEnsureImage(request: EnsureImageRequest): EnsureImageResult | PendingPull {
      seen.push(`${request.pod.name}/${request.containerName}`);
      const answer = answers.get(request.image) ?? 'present';
      if (answer === 'refuse') return { ok: false, reason: 'ErrImageNeverPull', message: 'never' };
      if (answer === 'present')
        return { ok: true, imageRef: `ref:${request.image}`, message: '', pulled: false };
      return {
        job: {
          pod: { kind: 'Pod', namespace: 'ns', name: 'p', uid: 'u' },
          image: request.image,
          credentials: [],
        },
        resume: (result: PullImageJobResult): EnsureImageResult =>
          result.ok
            ? { ok: true, imageRef: result.imageRef, message: '', pulled: true }
            : { ok: false, reason: 'ErrImagePull', message: result.error },
      };
    },
  } as unknown as ImageManager;
}

/** A pod of containers c0, c1, … with these images; `roles` marks the first ones as init containers. */
export function pod(
  name: string,
  images: string[],
  restartPolicy: 'Always' | 'Never' = 'Always',
  roles: readonly ContainerRole[] = [],
): WorkerPod {
  return {
    key: `ns/${name}`,
    pod: {
      uid: `uid-${name}`,
      namespace: 'ns',
      name,
      serviceAccountName: 'default',
      imagePullSecrets: [],
      restartPolicy,
    },
    deleted: false,
    containers: images.map(
      (image, i): WorkerContainer => ({
        name: `c${i}`,
        image,
        imagePullPolicy: 'IfNotPresent',
        ...(roles[i] === undefined ? {} : { role: roles[i] }),
        state: 'waiting.containerCreating',
        reason: 'ContainerCreating',
        message: undefined,
        restarts: 0,
        imageRef: undefined,
      }),
    ),
  };
}

export function harness(answers: Record<string, Answer> = {}) {
  let now = ticks(0);
  const timers: { at: Ticks; timer: PodWorkerTimer }[] = [];
  const attempts: number[] = [];
  const started: string[] = [];
  const ensured: string[] = [];
  const died: string[] = [];
  const jitters: number[] = [];
  const workers = new PodWorkers<WorkerContainer, WorkerPod>({
    now: () => now,
    schedule: (at, timer) => timers.push({ at, timer }),
    jitter: (max) => {
      jitters.push(max);
      return max;
    },
    takeWorkLatency: () => ticks(0),
    beginAttempt: (job) => attempts.push(job.id),
    onPullQueued: () => {},
    onPullStarted: () => {},
    onImageEnsured: (record, container, result) =>
      ensured.push(`${record.pod.name}/${container.name}:${result.ok ? 'ok' : result.reason}`),
    onTransition: () => {},
    onContainerStarted: (record, container) => started.push(`${record.pod.name}/${container.name}`),
    onKubeletDied: (error) => {
      died.push((error as Error).message);
      workers.detach();
    },
  });
  const seen: string[] = [];
  const attach = (epoch = 1) =>
    workers.attach({
      epoch,
      imageManager: fakeImageManager(new Map(Object.entries(answers)), seen),
      credentials: new FakeCredentialSources(),
      recorder: discardEvents,
      parallelPulls: 1,
    });
  /** Fires every timer due by `until`, in order. */
  const runUntil = (until: number) => {
    for (;;) {
      timers.sort((a, b) => a.at - b.at);
      const next = timers[0];
      if (next === undefined || next.at > until) break;
      timers.shift();
      now = next.at;
      workers.onTimer(next.timer);
    }
    now = ticks(until);
  };
  return {
    workers,
    timers,
    attempts,
    started,
    ensured,
    died,
    jitters,
    seen,
    attach,
    runUntil,
    setNow: (t: number) => (now = ticks(t)),
  };
}
