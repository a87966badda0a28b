/**
 * The types the pod workers (src/pod/pod-workers.ts) share with their host: the containers and pods they keep, the
 * timers they set, what they hear from and tell the node, and one worker's sync in progress.
 */
import type { TrackedAuthConfig } from '../credentials/index.js';
import type { EnsureImageResult, ImageManager, PendingPull } from '../image-manager/image-manager.js';
import type { PullerJob } from '../image-manager/puller.js';
import type { CredentialSources, EventRecorder, ObjectRef, SecretObject } from '../ports.js';
import type { MustAttemptImagePullMatch } from '../pullmanager/manager.js';
import type { Ticks } from '../time.js';
import type { ContainerState, RestartPolicy } from './container-lifecycle.js';
import type { ContainerRole } from './init-containers.js';

/** A container as the pod worker keeps it; the host's records may carry more fields. */
export interface WorkerContainer {
  readonly name: string;
  readonly image: string;
  readonly imagePullPolicy: string;
  /** An init container's kind (docs/kubelet-model.md#init-containers); absent for a regular container. */
  readonly role?: ContainerRole | undefined;
  state: ContainerState;
  reason: string | undefined;
  message: string | undefined;
  /** Restarts so far (the CrashLoopBackOff exponent). */
  restarts: number;
  imageRef: string | undefined;
}

/** The pod fields the worker reads (after admission: pull secrets may come from the service account). */
export interface WorkerPodSpec {
  readonly uid: string;
  readonly namespace: string;
  readonly name: string;
  readonly serviceAccountName: string;
  readonly imagePullSecrets: readonly string[];
  readonly restartPolicy: RestartPolicy;
}

/** One pod incarnation (a UID) on the node. */
export interface WorkerPod<C extends WorkerContainer = WorkerContainer> {
  readonly pod: WorkerPodSpec;
  /** `namespace/name`. */
  readonly key: string;
  readonly containers: readonly C[];
  deleted: boolean;
}

/** The timers the pod workers set; the host calls `onTimer` with each when it is due. */
export type PodWorkerTimer =
  | { readonly kind: 'podSync'; readonly podKey: string; readonly epoch: number }
  | { readonly kind: 'containerRestartDue'; readonly podUid: string; readonly container: number }
  /** A regular init container started with `restarts` restarts behind it has run its course and exits 0. */
  | {
      readonly kind: 'initContainerExitDue';
      readonly podUid: string;
      readonly container: number;
      readonly restarts: number;
    };

/** What a sync's pull is waiting for: the worker to resume, the pod, and the container that asked. */
export interface PullOwner<P> {
  readonly worker: Worker;
  readonly record: P;
  readonly container: number;
}

/** What the pod workers need from the node around them, and what they tell it. */
export interface PodWorkersHost<C extends WorkerContainer, P extends WorkerPod<C>> {
  now(): Ticks;
  schedule(at: Ticks, timer: PodWorkerTimer): void;
  /** A uniform draw in [0, max] for the sync requeue jitter. */
  jitter(max: number): number;
  /** The virtual time the synchronous work since the last call took (file I/O on a simulated disk). */
  takeWorkLatency(): Ticks;
  /** Sends one CRI pull attempt to the runtime; the host calls `pullAttemptDone` with its answer. */
  beginAttempt(job: PullerJob<PullOwner<P>>, credential: TrackedAuthConfig | undefined, start: Ticks): void;
  /** A job entered the puller's queue. */
  onPullQueued(job: PullerJob<PullOwner<P>>): void;
  /** A job left the queue for the runtime. */
  onPullStarted(job: PullerJob<PullOwner<P>>): void;
  /** EnsureImageExists answered for a container of a pod that still exists. */
  onImageEnsured(record: P, container: C, result: EnsureImageResult): void;
  /** A container's state or reason changed. */
  onTransition(record: P, container: C): void;
  /** The runtime started a container (its state is already `running`). */
  onContainerStarted(record: P, container: C, start: ContainerStartInfo): void;
  /**
   * The kubelet died inside a sync (a panic, or a simulated crash). The host stops the kubelet (`stop`) or
   * rethrows what is not a kubelet death.
   */
  onKubeletDied(error: unknown, where: string): void;
}

/** How the image of a started container was obtained. */
export interface ContainerStartInfo {
  readonly imageRef: string;
  /** Pulled for this start (false: a present image was reused). */
  readonly pulled: boolean;
  /** For a reuse with the gate on: what the pull manager matched. */
  readonly match: MustAttemptImagePullMatch | undefined;
}

/** What one kubelet process brings to the pod workers. */
export interface WorkerKubelet {
  readonly epoch: number;
  readonly imageManager: ImageManager;
  readonly credentials: CredentialSources;
  readonly recorder: EventRecorder;
  /** At most this many pulls at the runtime at once (1 when pulls are serialized). */
  readonly parallelPulls: number;
}

/** A sync in progress: where it stands among the pod's containers, and the pull it waits for, if any. */
export interface SyncState {
  readonly ref: ObjectRef;
  readonly secrets: readonly SecretObject[];
  /** The container being ensured (or next to be). */
  index: number;
  /** Whether a container failed so far. */
  failed: boolean;
  /** The pull EnsureImageExists sent for container `index`. */
  pull: PendingPull | undefined;
}

/** One pod's worker in a kubelet process. */
export interface Worker {
  /** The sync running, if any (it may be waiting for a pull). */
  sync: SyncState | undefined;
  /** A sync was asked for while one ran: run again when it ends. */
  pending: boolean;
  /** When the next sync is due, if one is scheduled. */
  scheduledAt: Ticks | undefined;
}
