import type { WorkerContainer, WorkerPod } from '../../src/pod/worker-types.js';
import type { MustAttemptImagePullMatch } from '../../src/pullmanager/manager.js';
import type { Ticks } from '../../src/time.js';
import type { GapClass } from '../gaps.js';
import type { StoredPod } from './api-server.js';

/*
 * What the simulator keeps of each pod incarnation beside the kubelet's own view (src/pod/pod-workers.ts): the
 * history of states, every start with the oracle's verdict, and the pulls sent to the runtime. Results, `expect`
 * lines and the benchmark's accounting are computed from these.
 */

/** One state change of a container, kept for `at` expectations and timelines. */
export interface ContainerHistoryEntry {
  readonly t: Ticks;
  readonly state: WorkerContainer['state'];
  readonly reason?: string;
}

/** One start of a container: when, the oracle's verdict, and how the kubelet let it start. */
export interface ContainerStart {
  readonly t: Ticks;
  readonly violation: boolean;
  /** The oracle's reason, in words. */
  readonly why: string;
  /** The image was pulled for this start (false: a present image was reused). */
  readonly pulled: boolean;
  /** For a reuse with the gate on: what the pull manager matched (policy, node-wide entry, secret, SA). */
  readonly match?: MustAttemptImagePullMatch;
  /** For a violation: which documented gap of the kubelet let it happen, or `unexplained`. */
  readonly gap?: GapClass;
}

/** A container of one pod incarnation: the kubelet's fields and the simulator's books. */
export interface ContainerStatus extends WorkerContainer {
  /**
   * Image pulls the kubelet sent to the runtime for this container: one per pull job that left the puller's queue
   * (its credential attempts are one pull); back-off refusals and jobs dropped from the queue by a crash excluded.
   */
  pulls: number;
  /** When each of those pulls reached the runtime (for `at` expectations). */
  readonly pullTimes: Ticks[];
  started: boolean;
  violation: boolean;
  /** Virtual time of the first start, including the file-system latency of the sync that started it. */
  firstStartedAt: Ticks | undefined;
  /** Every start of this container with the oracle's verdict (restarts included). */
  readonly starts: ContainerStart[];
  readonly history: ContainerHistoryEntry[];
}

/** One incarnation of a pod (a UID) on a node. */
export interface PodRecord extends WorkerPod<ContainerStatus> {
  readonly pod: StoredPod;
}

/**
 * A new pod incarnation: every container waiting since `now`, in ContainerCreating, or in PodInitializing for the
 * regular containers of a pod with init containers (the kubelet's status for containers that wait for them).
 */
export function newPodRecord(pod: StoredPod, now: Ticks): PodRecord {
  const initializing = pod.containers.some((container) => container.role !== undefined);
  return {
    pod,
    key: `${pod.namespace}/${pod.name}`,
    deleted: false,
    containers: pod.containers.map((container) => {
      const reason = initializing && container.role === undefined ? 'PodInitializing' : 'ContainerCreating';
      return {
        name: container.name,
        image: container.image,
        imagePullPolicy: container.imagePullPolicy,
        ...(container.role === undefined ? {} : { role: container.role }),
        state: 'waiting.containerCreating',
        reason,
        message: undefined,
        pulls: 0,
        pullTimes: [],
        started: false,
        violation: false,
        imageRef: undefined,
        restarts: 0,
        firstStartedAt: undefined,
        starts: [],
        history: [{ t: now, state: 'waiting.containerCreating', reason }],
      };
    }),
  };
}
