/**
 * The kubelet's pod workers, reduced to what image handling sees: one sync at a time per pod (pkg/kubelet
 * `podWorkers.UpdatePod`, coalescing updates that arrive while a sync runs), kuberuntime's `SyncPod` asking
 * `EnsureImageExists` for each waiting container in order, the requeue after a failed sync (`workerBackOffPeriod`
 * 10 s with jitter 0.5), the container restart back-off (CrashLoopBackOff: 10 s doubling to 300 s), and the image
 * puller that the syncs' pulls wait in.
 *
 * Everything that takes time goes through the host: timers (`schedule`, answered by `onTimer`), CRI pull attempts
 * (`beginAttempt`, answered by `pullAttemptDone`), and the virtual time that synchronous work spent
 * (`takeWorkLatency`: a simulated disk). The host also hears what the kubelet did (state changes, starts, decisions),
 * which is where a simulator keeps its books.
 */
import {
  type EnsureImageResult,
  isPendingPull,
  type PullImageJob,
  type PullImageJobResult,
} from '../image-manager/image-manager.js';
import { ImagePuller, type PullAttemptResult, type PullerJob } from '../image-manager/puller.js';
import type { EventRecorder, ObjectRef } from '../ports.js';
import { TICKS_PER_SECOND, type Ticks, ticks } from '../time.js';
import { type ContainerEvent, containerLifecycle } from './container-lifecycle.js';
import { ensureImageRequest } from './ensure-image-request.js';
import {
  COMPLETED,
  exitRestartPolicy,
  goesOnAfterEnsure,
  INIT_CONTAINER_RUN,
  syncStep,
} from './init-containers.js';
import { getPullSecretsForPod } from './pull-secrets.js';
import type {
  PodWorkersHost,
  PodWorkerTimer,
  PullOwner,
  SyncState,
  Worker,
  WorkerContainer,
  WorkerKubelet,
  WorkerPod,
} from './worker-types.js';

/** `workerBackOffPeriod` (pkg/kubelet/pod_workers.go): a failed sync is retried after 10 s plus up to 5 s jitter. */
export const WORKER_BACKOFF = ticks(10 * TICKS_PER_SECOND);
/** The container restart back-off (`backOffPeriod`, `MaxContainerBackOff` in pkg/kubelet/kubelet.go). */
const CONTAINER_BACKOFF_INITIAL = ticks(10 * TICKS_PER_SECOND);
export const CONTAINER_BACKOFF_MAX = ticks(300 * TICKS_PER_SECOND);

interface Attached<P> {
  readonly kubelet: WorkerKubelet;
  readonly workers: Map<string, Worker>;
  readonly puller: ImagePuller<PullOwner<P>>;
  draining: boolean;
}

/**
 * The pods of one node and, while a kubelet process runs, its workers and puller. Pods outlive kubelet restarts
 * (the kubelet reads them again from the API server); workers and queued pulls do not.
 */
export class PodWorkers<C extends WorkerContainer, P extends WorkerPod<C>> {
  readonly #host: PodWorkersHost<C, P>;
  readonly #pods = new Map<string, P>();
  readonly #byUid = new Map<string, P>();
  #attached: Attached<P> | undefined;
  #nextJobId = 1;
  /** Pods whose init containers have all completed or started (sidecars): kubelet `podHasInitialized`. */
  readonly #initialized = new WeakSet<P>();

  constructor(host: PodWorkersHost<C, P>) {
    this.#host = host;
  }

  // -------------------------------------------------------------------------------------------------------------
  // The kubelet process

  /** A kubelet process started: every pod still on the node is synced. */
  attach(kubelet: WorkerKubelet): void {
    const puller = new ImagePuller<PullOwner<P>>(kubelet.parallelPulls, {
      now: () => this.#host.now(),
      beginAttempt: (job, credential, start) => this.#host.beginAttempt(job, credential, start),
      onPullStarted: (job) => this.#host.onPullStarted(job),
      onPullFinished: (job, result) => this.#pullFinished(job, result),
    });
    this.#attached = { kubelet, workers: new Map(), puller, draining: false };
    const now = this.#host.now();
    for (const key of [...this.#pods.keys()].sort()) {
      if (!(this.#pods.get(key) as P).deleted) this.requestSync(key, now);
    }
  }

  /** The kubelet process ended: every sync is abandoned where it stands and queued pulls are dropped. */
  detach(): void {
    this.#attached?.puller.stop();
    this.#attached = undefined;
  }

  /** A graceful stop: no sync starts any more; the host stops the kubelet once `pullsInFlight` is 0. */
  drain(): void {
    if (this.#attached !== undefined) this.#attached.draining = true;
  }

  /** Whether the running kubelet process is draining (see `drain`). */
  get draining(): boolean {
    return this.#attached?.draining ?? false;
  }

  /** Pulls queued or at the runtime. */
  get pullsInFlight(): { readonly active: number; readonly queued: number } {
    const puller = this.#attached?.puller;
    return { active: puller?.activeCount ?? 0, queued: puller?.queuedCount ?? 0 };
  }

  // -------------------------------------------------------------------------------------------------------------
  // Pods

  /** The current incarnation of a pod. */
  pod(key: string): P | undefined {
    return this.#pods.get(key);
  }

  /** Every pod incarnation the node still knows, in creation order of their keys. */
  pods(): IterableIterator<P> {
    return this.#pods.values();
  }

  /** A pod bound to this node was created (or re-created with a new UID): it is synced now. */
  addPod(record: P): void {
    const previous = this.#pods.get(record.key);
    if (previous !== undefined) this.#byUid.delete(previous.pod.uid);
    this.#pods.set(record.key, record);
    this.#byUid.set(record.pod.uid, record);
    this.requestSync(record.key, this.#host.now());
  }

  /** The pod was deleted: its containers are killed; a sync in flight finishes without starting anything. */
  deletePod(key: string): P | undefined {
    const record = this.#pods.get(key);
    if (record === undefined || record.deleted) return undefined;
    record.deleted = true;
    for (const container of record.containers) this.#transition(record, container, { type: 'POD_DELETED' });
    this.#attached?.workers.delete(key);
    return record;
  }

  /** Forgets a deleted pod (long runs that keep no history). */
  forget(key: string): void {
    const record = this.#pods.get(key);
    if (record === undefined) return;
    this.#pods.delete(key);
    this.#byUid.delete(record.pod.uid);
  }

  /**
   * A running container exited (exit code 1). Under its pod's restart policy it either waits in CrashLoopBackOff
   * for the restart back-off (none before the first restart, then 10 s doubling to 300 s), or stays terminated.
   */
  restartContainer(key: string, containerName: string | undefined): void {
    const record = this.#pods.get(key);
    if (record === undefined || record.deleted) return;
    record.containers.forEach((container, index) => {
      if (containerName !== undefined && container.name !== containerName) return;
      if (container.state !== 'running') return;
      const exited = {
        type: 'CONTAINER_EXITED',
        restartPolicy: exitRestartPolicy(container.role, record.pod.restartPolicy),
        exitCode: 1,
      } as const;
      // A container that will be restarted waits with reason CrashLoopBackOff; one that stays down is terminated
      // with reason Error.
      const backOff = containerLifecycle.step(container.state, exited) === 'waiting.crashLoopBackOff';
      this.#transition(record, container, exited, backOff ? 'CrashLoopBackOff' : 'Error');
      if (!backOff) return;
      const delay =
        container.restarts === 0
          ? 0
          : Math.min(CONTAINER_BACKOFF_INITIAL * 2 ** (container.restarts - 1), CONTAINER_BACKOFF_MAX);
      container.restarts++;
      this.#host.schedule(ticks(this.#host.now() + delay), {
        kind: 'containerRestartDue',
        podUid: record.pod.uid,
        container: index,
      });
    });
  }

  // -------------------------------------------------------------------------------------------------------------
  // Timers and pull answers

  onTimer(timer: PodWorkerTimer): void {
    if (timer.kind === 'podSync') this.#onPodSync(timer.podKey, timer.epoch);
    else if (timer.kind === 'containerRestartDue') this.#onContainerRestartDue(timer.podUid, timer.container);
    else this.#onInitContainerExitDue(timer.podUid, timer.container, timer.restarts);
  }

  /** The runtime answered a pull attempt sent by this kubelet process. */
  pullAttemptDone(jobId: number, result: PullAttemptResult): void {
    this.#attached?.puller.attemptDone(jobId, result);
  }

  /** Asks the pod's worker to sync at `at` (coalesced: the earliest request wins; a busy worker syncs again after). */
  requestSync(key: string, at: Ticks): void {
    const attached = this.#attached;
    if (attached === undefined) return;
    let worker = attached.workers.get(key);
    if (worker === undefined) {
      worker = { sync: undefined, pending: false, scheduledAt: undefined };
      attached.workers.set(key, worker);
    }
    if (worker.sync !== undefined && at <= this.#host.now()) {
      worker.pending = true;
      return;
    }
    if (worker.scheduledAt !== undefined && worker.scheduledAt <= at) return;
    worker.scheduledAt = at;
    this.#host.schedule(at, { kind: 'podSync', podKey: key, epoch: attached.kubelet.epoch });
  }

  #onContainerRestartDue(podUid: string, index: number): void {
    const record = this.#byUid.get(podUid);
    if (record === undefined || record.deleted) return;
    const container = record.containers[index];
    if (container === undefined || container.state !== 'waiting.crashLoopBackOff') return;
    this.#transition(record, container, { type: 'RESTART_DUE' }, 'CrashLoopBackOff', container.message);
    this.requestSync(record.key, this.#host.now());
  }

  /** A regular init container ran its course: it exits 0 (`Completed`) and the pod is synced for the next one. */
  #onInitContainerExitDue(podUid: string, index: number, restarts: number): void {
    const record = this.#byUid.get(podUid);
    if (record === undefined || record.deleted) return;
    const container = record.containers[index];
    if (container === undefined || container.state !== 'running' || container.restarts !== restarts) return;
    const restartPolicy = exitRestartPolicy(container.role, record.pod.restartPolicy);
    this.#transition(record, container, { type: 'CONTAINER_EXITED', restartPolicy, exitCode: 0 }, COMPLETED);
    this.requestSync(record.key, this.#host.now());
  }

  #onPodSync(key: string, epoch: number): void {
    const attached = this.#attached;
    if (attached === undefined || attached.kubelet.epoch !== epoch) return;
    const worker = attached.workers.get(key);
    const record = this.#pods.get(key);
    if (worker === undefined || record === undefined || record.deleted) return;
    if (worker.scheduledAt !== undefined && worker.scheduledAt > this.#host.now()) return; // superseded
    worker.scheduledAt = undefined;
    if (attached.draining) return; // re-synced after the restart
    if (worker.sync !== undefined) {
      worker.pending = true;
      return;
    }
    this.#advance(attached, worker, record, undefined);
  }

  // -------------------------------------------------------------------------------------------------------------
  // The sync

  /**
   * kuberuntime's SyncPod, reduced to image handling: every waiting container (in order) gets EnsureImageExists; a
   * failure is recorded and the next container is tried. A sync runs until EnsureImageExists sends a pull, and goes
   * on from there when the puller answers (`input`); a kubelet death inside it goes to the host. When the sync ends,
   * a failed one is requeued after the worker back-off, and one asked for meanwhile runs at once.
   */
  #advance(attached: Attached<P>, worker: Worker, record: P, input: PullImageJobResult | undefined): void {
    let failed: boolean;
    try {
      const outcome = this.#run(attached, worker, record, input);
      if (outcome === 'waiting') return;
      failed = outcome;
    } catch (error) {
      this.#host.onKubeletDied(error, `sync ${record.key}`);
      return;
    }
    worker.sync = undefined;
    this.#host.takeWorkLatency();
    if (record.deleted) return;
    const now = this.#host.now();
    if (worker.pending) {
      worker.pending = false;
      this.requestSync(record.key, now);
    } else if (failed) {
      const jitter = this.#host.jitter(WORKER_BACKOFF / 2);
      this.requestSync(record.key, ticks(now + WORKER_BACKOFF + jitter));
    }
  }

  /** Runs the sync on: 'waiting' for a pull, or whether a container failed when it ends. */
  #run(
    attached: Attached<P>,
    worker: Worker,
    record: P,
    input: PullImageJobResult | undefined,
  ): boolean | 'waiting' {
    const { imageManager, credentials, recorder } = attached.kubelet;
    const pod = record.pod;
    let sync = worker.sync;
    if (sync === undefined) {
      const ref: ObjectRef = { kind: 'Pod', namespace: pod.namespace, name: pod.name, uid: pod.uid };
      const secrets = getPullSecretsForPod(ref, pod.imagePullSecrets, credentials, recorder);
      sync = { ref, secrets, index: 0, failed: false, pull: undefined };
      worker.sync = sync;
    }
    const containers = record.containers;
    for (; sync.index < containers.length; sync.index++) {
      const container = containers[sync.index] as C;
      // Init containers come first: reaching a regular one means every init container completed or started.
      if (container.role === undefined) this.#initialized.add(record);
      let result: EnsureImageResult;
      if (sync.pull !== undefined && input !== undefined) {
        result = sync.pull.resume(input);
        sync.pull = undefined;
      } else {
        const next = syncStep(container, this.#initialized.has(record));
        if (next === 'stop') break;
        if (next === 'skip') continue;
        const step = imageManager.beginEnsureImage(ensureImageRequest(pod, container, sync.secrets));
        if (isPendingPull(step)) {
          sync.pull = step;
          this.#submit(attached, worker, record, sync.index, step.job);
          return 'waiting';
        }
        result = step;
      }
      if (record.deleted) return false;
      this.#ensured(record, container, sync, result, recorder);
      if (!goesOnAfterEnsure(container, result.ok, this.#initialized.has(record))) break;
    }
    return sync.failed;
  }

  /** What follows an EnsureImageExists answer: a start, or the failure event and waiting reason. */
  #ensured(
    record: P,
    container: C,
    sync: SyncState,
    result: EnsureImageResult,
    recorder: EventRecorder,
  ): void {
    this.#host.onImageEnsured(record, container, result);
    if (!result.ok) {
      sync.failed = true;
      recorder.event(
        { ...sync.ref, container: container.name },
        'Warning',
        'Failed',
        `Error: ${result.reason}`,
      );
      this.#transition(record, container, { type: 'IMAGE_FAILED' }, result.reason, result.message);
      return;
    }
    container.imageRef = result.imageRef;
    this.#transition(record, container, { type: 'IMAGE_READY' });
    this.#host.onContainerStarted(record, container, {
      imageRef: result.imageRef,
      pulled: result.pulled,
      match: result.verification?.match,
    });
    if (container.role === 'init') {
      this.#host.schedule(ticks(this.#host.now() + INIT_CONTAINER_RUN), {
        kind: 'initContainerExitDue',
        podUid: record.pod.uid,
        container: record.containers.indexOf(container),
        restarts: container.restarts,
      });
    }
  }

  #submit(attached: Attached<P>, worker: Worker, record: P, container: number, request: PullImageJob): void {
    const now = this.#host.now();
    const job: PullerJob<PullOwner<P>> = {
      id: this.#nextJobId++,
      request,
      owner: { worker, record, container },
      submittedAt: ticks(now + this.#host.takeWorkLatency()),
      startedAt: now,
      attempt: 0,
      errors: [],
    };
    this.#host.onPullQueued(job);
    attached.puller.submit(job);
  }

  /**
   * The sync that asked for the pull resumes even when its pod was deleted meanwhile (`deletePod` drops the worker
   * from the map): EnsureImageExists then records the pull and releases its intent, as the kubelet does.
   */
  #pullFinished(job: PullerJob<PullOwner<P>>, result: PullImageJobResult): void {
    const attached = this.#attached;
    const { worker, record } = job.owner;
    if (attached !== undefined && worker.sync !== undefined) this.#advance(attached, worker, record, result);
  }

  #transition(
    record: P,
    container: C,
    event: ContainerEvent,
    reason: string | undefined = undefined,
    message: string | undefined = undefined,
  ): void {
    const next = containerLifecycle.step(container.state, event);
    const changed = next !== container.state || reason !== container.reason;
    container.state = next;
    container.reason = reason;
    container.message = message;
    if (changed) this.#host.onTransition(record, container);
  }
}
