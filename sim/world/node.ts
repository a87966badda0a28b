import type { TrackedAuthConfig } from '../../src/credentials/index.js';
import { aggregateErrorText } from '../../src/image-manager/errors.js';
import type {
  EnsureImageProcess,
  PullImageJob,
  PullImageJobResult,
} from '../../src/image-manager/image-manager.js';
import {
  DEFAULT_KUBELET_ROOT,
  getPullSecretsForPod,
  type KubeletImageConfig,
  type KubeletImageStack,
  startKubeletImageStack,
} from '../../src/kubelet.js';
import { type ContainerState, containerLifecycle } from '../../src/pod/index.js';
import type { Clock, EventRecorder, ObjectRef } from '../../src/ports.js';
import type { KubeletProfile } from '../../src/profiles.js';
import { KubeletPanic } from '../../src/pullmanager/locks.js';
import type { MustAttemptImagePullMatch } from '../../src/pullmanager/manager.js';
import { recordFileName } from '../../src/pullmanager/records.js';
import { TICKS_PER_SECOND, type Ticks, ticks } from '../../src/time.js';
import { classifyViolation, type GapClass, type PullLogEntry } from '../gaps.js';
import type { EventQueue } from '../kernel/queue.js';
import type { RandomStream } from '../kernel/random.js';
import type { Trace } from '../kernel/trace.js';
import { judgeContainerStart, type OracleContext } from '../oracle.js';
import type { ImageGcPolicySpec } from '../scenario/types.js';
import type { StoredPod } from './api-server.js';
import type { NodeCredentialSources } from './credential-sources.js';
import type { WorldEvent } from './events.js';
import { type FsIoTotals, type SimFileSystem, SimulatedCrash } from './filesystem.js';
import type { SimRuntime } from './runtime.js';

/** Kubelet constants the node uses (pkg/kubelet). */
const WORKER_BACKOFF = ticks(10 * TICKS_PER_SECOND); // pod worker requeue after a sync error (10 s, jitter 0.5)
const CONTAINER_BACKOFF_INITIAL = ticks(10 * TICKS_PER_SECOND);
const CONTAINER_BACKOFF_MAX = ticks(300 * TICKS_PER_SECOND);
/** systemd's RestartSec for the kubelet unit (kubeadm ships 10s) after a crash or panic. */
const KUBELET_RESTART_DELAY = ticks(10 * TICKS_PER_SECOND);

/** One state change of a container, kept for `at` expectations and timelines. */
export interface ContainerHistoryEntry {
  readonly t: Ticks;
  readonly state: ContainerState;
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

/** A container of one pod incarnation, as the node reports it. */
export interface ContainerStatus {
  readonly name: string;
  readonly image: string;
  readonly imagePullPolicy: string;
  state: ContainerState;
  reason: string | undefined;
  message: string | undefined;
  /**
   * Image pulls the kubelet sent to the runtime for this container: one per pull job that left the puller's queue
   * (its credential attempts are one pull); back-off refusals and jobs dropped from the queue by a crash excluded.
   */
  pulls: number;
  /** When each of those pulls reached the runtime (for `at` expectations). */
  readonly pullTimes: Ticks[];
  started: boolean;
  violation: boolean;
  imageRef: string | undefined;
  restarts: number;
  /** Virtual time of the first start, including the file-system latency of the sync that started it. */
  firstStartedAt: Ticks | undefined;
  /** Every start of this container with the oracle's verdict (restarts included). */
  readonly starts: ContainerStart[];
  readonly history: ContainerHistoryEntry[];
}

/** One incarnation of a pod (a UID) on a node. */
export interface PodRecord {
  readonly pod: StoredPod;
  readonly key: string;
  readonly containers: ContainerStatus[];
  deleted: boolean;
}

/** Filesystem work spent in one activity of the node (start-ups, record pruning). */
export interface IoSpent {
  ops: number;
  syscalls: number;
  reads: number;
}

interface Worker {
  process: Generator<PullImageJob, boolean, PullImageJobResult> | undefined;
  /** Index of the container whose image is being ensured. */
  container: number;
  pending: boolean;
  scheduledAt: Ticks | undefined;
}

interface PullJob {
  readonly id: number;
  readonly epoch: number;
  readonly podKey: string;
  /** The container whose EnsureImageExists asked for the pull; its `pulls` counts the job once it starts. */
  readonly container: ContainerStatus;
  /** The sync waiting for the result: resumed even if the pod was deleted meanwhile, so the pull is recorded. */
  readonly worker: Worker;
  readonly record: PodRecord;
  readonly request: PullImageJob;
  readonly submittedAt: Ticks;
  startedAt: Ticks;
  attempt: number;
  readonly errors: string[];
  inFlight:
    | {
        readonly commit: () => void;
        readonly result: { ok: true; imageRef: string; sizeBytes: number } | { ok: false; error: string };
      }
    | undefined;
}

interface RunningKubelet {
  readonly epoch: number;
  readonly stack: KubeletImageStack;
  readonly workers: Map<string, Worker>;
  readonly queued: PullJob[];
  readonly active: Set<number>;
  draining: boolean;
}

/** What a node shares with the world. */
export interface NodeContext {
  readonly queue: EventQueue<WorldEvent>;
  readonly now: () => Ticks;
  /** Virtual tick 0 as Unix microseconds (the kubelet's clock for record times). */
  readonly epochOffset: Ticks;
  readonly trace: Trace;
  readonly syncJitter: RandomStream;
  readonly profile: KubeletProfile;
  readonly oracle: Omit<OracleContext, 'nodeCredentials'>;
  /** When anything that decides who may pull what changed (registry mutations, secrets, service accounts). */
  readonly authorizationChangedAt: readonly Ticks[];
  /** Called when a pod incarnation is created on this node, for results. */
  readonly onPodRecord: (record: PodRecord) => void;
  /** Called when a pod is deleted. Without `retainPodRecords` the node then forgets it (long benchmarks). */
  readonly onPodFinished?: (record: PodRecord) => void;
  /** Every EnsureImageExists outcome as one line, for differential checks between record stores. */
  readonly onDecision?: (line: string) => void;
  /** Keep deleted pods' records for results (default true). */
  readonly retainPodRecords?: boolean;
}

export interface NodeParts {
  readonly name: string;
  readonly fs: SimFileSystem;
  readonly runtime: SimRuntime;
  readonly credentials: NodeCredentialSources;
  readonly config: KubeletImageConfig;
  readonly imageGC: ImageGcPolicySpec | undefined;
  /** imageRefs that files given at t=0 record as node-wide (for the gap classifier). */
  readonly presetNodeWide?: ReadonlySet<string>;
}

/**
 * A simulated node: the container runtime, the filesystem and a kubelet built from `src/` on them, with pod
 * workers (one sync at a time per pod, re-synced on events, after errors with the kubelet's 10–15 s requeue),
 * a serial or parallel image puller, kubelet restarts and crashes, and image GC. The kubelet model is driven as
 * generators: a pod sync runs until EnsureImageExists yields a pull job, the job's registry attempts take virtual
 * time, and the sync resumes with the result.
 */
export class SimNode {
  readonly name: string;
  readonly fs: SimFileSystem;
  readonly runtime: SimRuntime;
  readonly credentials: NodeCredentialSources;
  config: KubeletImageConfig;
  readonly #context: NodeContext;
  readonly #imageGC: ImageGcPolicySpec | undefined;
  readonly #pods = new Map<string, PodRecord>();
  readonly #jobs = new Map<number, PullJob>();
  readonly #imageLastUsed = new Map<string, Ticks>();
  /** Successful pulls the runtime committed, for the gap classifier and the no-lost-records check. */
  readonly pullLog: PullLogEntry[] = [];
  /** When `deleteRecords` wiped the record directory. */
  readonly recordsDeletedAt: Ticks[] = [];
  /** When each kubelet process started (its in-memory cache was rebuilt from disk). */
  readonly kubeletStartedAt: Ticks[] = [];
  readonly #presetNodeWide: ReadonlySet<string>;
  #kubelet: RunningKubelet | undefined;
  #epoch = 0;
  #nextJobId = 1;
  #restartAfterDrain: Ticks | undefined;
  readonly #clock: Clock;
  readonly #recorder: EventRecorder;
  readonly kubeletRoot = DEFAULT_KUBELET_ROOT;
  /** File operations and system calls spent in kubelet start-ups (migration, cache warm-up, intent conversion). */
  readonly startupIo: IoSpent = { ops: 0, syscalls: 0, reads: 0 };
  /** File operations and system calls spent pruning records after image GC (a List of every record, deletions). */
  readonly gcIo: IoSpent = { ops: 0, syscalls: 0, reads: 0 };
  /** Kubelet starts, crashes and panics, for reports. */
  readonly stats = { kubeletStarts: 0, kubeletCrashes: 0, kubeletPanics: 0 };

  constructor(parts: NodeParts, context: NodeContext) {
    this.name = parts.name;
    this.fs = parts.fs;
    this.runtime = parts.runtime;
    this.credentials = parts.credentials;
    this.config = parts.config;
    this.#imageGC = parts.imageGC;
    this.#presetNodeWide = parts.presetNodeWide ?? new Set();
    this.#context = context;
    this.#clock = { now: () => ticks(context.epochOffset + context.now()) };
    const trace = context.trace;
    const node = this.name;
    this.#recorder = {
      event: (object, type, reason, message) => {
        if (!trace.enabled) return;
        trace.append({
          t: context.now(),
          kind: 'event',
          node,
          object: objectKey(object),
          type,
          reason,
          message,
        });
      },
      log: (message, fields) => {
        if (trace.enabled) trace.append({ t: context.now(), kind: 'log', node, message, ...(fields ?? {}) });
      },
    };
  }

  get kubeletRunning(): boolean {
    return this.#kubelet !== undefined;
  }

  get stack(): KubeletImageStack | undefined {
    return this.#kubelet?.stack;
  }

  /** Pod incarnations on this node, current first by key. */
  podRecord(key: string): PodRecord | undefined {
    return this.#pods.get(key);
  }

  // ---------------------------------------------------------------------------------------------------------
  // Kubelet process

  /** Kubelet start-up: build the image stack on the node's files (migration, cache warm-up, intent conversion). */
  startKubelet(): void {
    if (this.#kubelet !== undefined) return;
    const epoch = ++this.#epoch;
    this.stats.kubeletStarts++;
    this.kubeletStartedAt.push(this.#context.now());
    const ioBefore = this.fs.ioTotals();
    let started: ReturnType<typeof startKubeletImageStack>;
    try {
      started = startKubeletImageStack(this.config, this.#ports(), this.#context.profile);
    } catch (error) {
      this.#crashed(error, 'start-up');
      return;
    }
    if (!started.ok) {
      // The kubelet exits (a configuration it refuses, or record directories it cannot create, e.g. ENOSPC) and
      // systemd starts it again after RestartSec, as after a crash; a transient cause then clears.
      this.#trace('kubelet.refused', { errors: started.errors });
      this.#context.queue.push(ticks(this.#context.now() + KUBELET_RESTART_DELAY), {
        kind: 'kubeletStart',
        node: this.name,
      });
      return;
    }
    this.#addIoSince(this.startupIo, ioBefore);
    this.#kubelet = {
      epoch,
      stack: started.stack,
      workers: new Map(),
      queued: [],
      active: new Set(),
      draining: false,
    };
    this.#trace('kubelet.start', {
      epoch,
      gate: started.stack.featureGateEnabled,
      policy: started.stack.policy ?? null,
      startLatencyTicks: this.fs.takePendingLatency(),
    });
    for (const key of [...this.#pods.keys()].sort()) {
      const record = this.#pods.get(key) as PodRecord;
      if (!record.deleted) this.requestSync(key, this.#context.now());
    }
    if (this.#imageGC !== undefined) {
      this.#context.queue.push(ticks(this.#context.now() + this.#imageGC.period), {
        kind: 'imageGCCheck',
        node: this.name,
        epoch,
      });
    }
  }

  /**
   * Stops the kubelet. A crash abandons every pod sync where it stands (intent files stay on disk) and drops
   * queued pulls; a pull already at the registry still lands in the runtime. A graceful restart first lets the
   * puller drain (no new syncs start meanwhile).
   */
  restartKubelet(options: { crash: boolean; downtime?: Ticks }): void {
    const downtime = options.downtime ?? ticks(0);
    const kubelet = this.#kubelet;
    if (kubelet === undefined) return;
    if (!options.crash && (kubelet.active.size > 0 || kubelet.queued.length > 0)) {
      kubelet.draining = true;
      this.#restartAfterDrain = downtime;
      this.#trace('kubelet.draining', {
        activePulls: kubelet.active.size,
        queuedPulls: kubelet.queued.length,
      });
      return;
    }
    this.#stop(options.crash ? 'crash' : 'restart');
    this.#context.queue.push(ticks(this.#context.now() + downtime), {
      kind: 'kubeletStart',
      node: this.name,
    });
  }

  #stop(why: string): void {
    const kubelet = this.#kubelet;
    if (kubelet === undefined) return;
    if (why !== 'restart') this.stats.kubeletCrashes++;
    this.#trace('kubelet.stop', {
      epoch: kubelet.epoch,
      why,
      abandonedPulls: kubelet.active.size + kubelet.queued.length,
    });
    // Queued jobs never reached the runtime; active ones finish there without the kubelet.
    for (const job of kubelet.queued) this.#jobs.delete(job.id);
    this.#kubelet = undefined;
    this.#restartAfterDrain = undefined;
  }

  /** A panic or a simulated crash inside the kubelet: the process dies and systemd restarts it. */
  #crashed(error: unknown, where: string): void {
    if (error instanceof KubeletPanic) this.stats.kubeletPanics++;
    else if (!(error instanceof SimulatedCrash)) throw error;
    this.#trace('kubelet.crash', { where, error: (error as Error).message });
    if (this.#kubelet !== undefined) this.#stop('crash');
    else this.stats.kubeletCrashes++;
    this.#context.queue.push(ticks(this.#context.now() + KUBELET_RESTART_DELAY), {
      kind: 'kubeletStart',
      node: this.name,
    });
  }

  #ports() {
    return {
      fs: this.fs,
      clock: this.#clock,
      imageService: this.runtime,
      credentialSources: this.credentials,
      recorder: this.#recorder,
    };
  }

  // ---------------------------------------------------------------------------------------------------------
  // Pods

  /** A pod bound to this node was created (or re-created with a new UID). */
  addPod(pod: StoredPod): void {
    const key = `${pod.namespace}/${pod.name}`;
    const previous = this.#pods.get(key);
    if (previous !== undefined && !previous.deleted) this.deletePod(key);
    const record: PodRecord = {
      pod,
      key,
      deleted: false,
      containers: pod.containers.map((container) => ({
        name: container.name,
        image: container.image,
        imagePullPolicy: container.imagePullPolicy,
        state: 'waiting.containerCreating',
        reason: 'ContainerCreating',
        message: undefined,
        pulls: 0,
        pullTimes: [],
        started: false,
        violation: false,
        imageRef: undefined,
        restarts: 0,
        firstStartedAt: undefined,
        starts: [],
        history: [
          { t: this.#context.now(), state: 'waiting.containerCreating', reason: 'ContainerCreating' },
        ],
      })),
    };
    this.#pods.set(key, record);
    this.#context.onPodRecord(record);
    this.requestSync(key, this.#context.now());
  }

  /** The pod was deleted: its containers are killed. A sync in flight finishes without starting anything. */
  deletePod(key: string): void {
    const record = this.#pods.get(key);
    if (record === undefined || record.deleted) return;
    record.deleted = true;
    for (const container of record.containers)
      this.#transition(record, container, { type: 'POD_DELETED' }, undefined, undefined);
    this.#kubelet?.workers.delete(key);
    this.#context.onPodFinished?.(record);
    if (this.#context.retainPodRecords === false) this.#pods.delete(key);
  }

  /** The pods on this node that have not been deleted. */
  livePodRecords(): PodRecord[] {
    return [...this.#pods.values()].filter((record) => !record.deleted);
  }

  /** `restartContainer`: the container exits; the kubelet restarts it after its back-off. */
  restartContainer(key: string, containerName: string | undefined): void {
    const record = this.#pods.get(key);
    if (record === undefined || record.deleted) return;
    record.containers.forEach((container, index) => {
      if (containerName !== undefined && container.name !== containerName) return;
      if (container.state !== 'running') return;
      const exited = {
        type: 'CONTAINER_EXITED',
        restartPolicy: record.pod.restartPolicy,
        exitCode: 1,
      } as const;
      // A container that will be restarted waits with reason CrashLoopBackOff (also in its history, which `at`
      // expectations read); one that stays down is terminated with reason Error.
      const backOff = containerLifecycle.step(container.state, exited) === 'waiting.crashLoopBackOff';
      this.#transition(record, container, exited, backOff ? 'CrashLoopBackOff' : 'Error', undefined);
      if (!backOff) return;
      const delay =
        container.restarts === 0
          ? 0
          : Math.min(CONTAINER_BACKOFF_INITIAL * 2 ** (container.restarts - 1), CONTAINER_BACKOFF_MAX);
      container.restarts++;
      this.#context.queue.push(ticks(this.#context.now() + delay), {
        kind: 'containerRestartDue',
        node: this.name,
        podUid: record.pod.uid,
        container: index,
      });
    });
  }

  onContainerRestartDue(podUid: string, index: number): void {
    const record = [...this.#pods.values()].find((r) => r.pod.uid === podUid);
    if (record === undefined || record.deleted) return;
    const container = record.containers[index];
    if (container === undefined || container.state !== 'waiting.crashLoopBackOff') return;
    this.#transition(record, container, { type: 'RESTART_DUE' }, 'CrashLoopBackOff', container.message);
    this.requestSync(record.key, this.#context.now());
  }

  /** Asks the pod worker to sync at `at` (coalesced: the earliest request wins, a busy worker syncs again after). */
  requestSync(key: string, at: Ticks): void {
    const kubelet = this.#kubelet;
    if (kubelet === undefined) return;
    let worker = kubelet.workers.get(key);
    if (worker === undefined) {
      worker = { process: undefined, container: -1, pending: false, scheduledAt: undefined };
      kubelet.workers.set(key, worker);
    }
    if (worker.process !== undefined && at <= this.#context.now()) {
      worker.pending = true;
      return;
    }
    if (worker.scheduledAt !== undefined && worker.scheduledAt <= at) return;
    worker.scheduledAt = at;
    this.#context.queue.push(at, { kind: 'podSync', node: this.name, podKey: key, epoch: kubelet.epoch });
  }

  onPodSync(key: string, epoch: number): void {
    const kubelet = this.#kubelet;
    if (kubelet === undefined || kubelet.epoch !== epoch) return;
    const worker = kubelet.workers.get(key);
    const record = this.#pods.get(key);
    if (worker === undefined || record === undefined || record.deleted) return;
    if (worker.scheduledAt !== undefined && worker.scheduledAt > this.#context.now()) return; // superseded
    worker.scheduledAt = undefined;
    if (kubelet.draining) return; // re-synced after the restart
    if (worker.process !== undefined) {
      worker.pending = true;
      return;
    }
    worker.process = this.#syncPod(kubelet, worker, record);
    this.#advance(kubelet, worker, record, undefined);
  }

  /**
   * kuberuntime's SyncPod, reduced to image handling: every waiting container (in order) gets EnsureImageExists;
   * a failure is recorded and the next container is tried. Returns whether any container failed.
   */
  *#syncPod(
    kubelet: RunningKubelet,
    worker: Worker,
    record: PodRecord,
  ): Generator<PullImageJob, boolean, PullImageJobResult> {
    const pod = record.pod;
    const ref: ObjectRef = { kind: 'Pod', namespace: pod.namespace, name: pod.name, uid: pod.uid };
    const secrets = getPullSecretsForPod(ref, pod.imagePullSecrets, this.credentials, this.#recorder);
    let failed = false;
    for (let index = 0; index < record.containers.length; index++) {
      const container = record.containers[index] as ContainerStatus;
      if (container.state !== 'waiting.containerCreating' && container.state !== 'waiting.imagePullFailed')
        continue;
      worker.container = index;
      const process: EnsureImageProcess = kubelet.stack.imageManager.ensureImageExists({
        pod: {
          uid: pod.uid,
          namespace: pod.namespace,
          name: pod.name,
          serviceAccountName: pod.serviceAccountName,
        },
        containerName: container.name,
        image: container.image,
        pullPolicy: container.imagePullPolicy as 'Always' | 'IfNotPresent' | 'Never',
        pullSecrets: secrets,
      });
      const result = yield* process;
      if (record.deleted) return false;
      this.#context.onDecision?.(
        `${this.#context.now()}|${record.key}|${container.name}|${result.ok ? `${result.pulled ? 'pulled' : 'reused'} ${result.imageRef}` : `refused ${result.reason}`}`,
      );
      this.#trace('ensureImage', {
        pod: record.key,
        container: container.name,
        image: container.image,
        ok: result.ok,
        ...(result.ok ? { imageRef: result.imageRef, pulled: result.pulled } : { reason: result.reason }),
      });
      if (!result.ok) {
        failed = true;
        this.#recorder.event(
          { ...ref, container: container.name },
          'Warning',
          'Failed',
          `Error: ${result.reason}`,
        );
        this.#transition(record, container, { type: 'IMAGE_FAILED' }, result.reason, result.message);
        continue;
      }
      this.#startContainer(record, container, result.imageRef, result.pulled, result.verification?.match);
    }
    return failed;
  }

  #startContainer(
    record: PodRecord,
    container: ContainerStatus,
    imageRef: string,
    pulled: boolean,
    match: MustAttemptImagePullMatch | undefined,
  ): void {
    const verdict = judgeContainerStart(
      { ...this.#context.oracle, nodeCredentials: this.credentials.nodeDockerConfig() },
      record.pod,
      container.image,
    );
    container.imageRef = imageRef;
    if (!container.started) container.firstStartedAt = ticks(this.#context.now() + this.fs.pendingLatency);
    container.started = true;
    if (verdict.violation) container.violation = true;
    const gap = verdict.violation ? this.#classify(record, container, imageRef, pulled, match) : undefined;
    container.starts.push({
      t: this.#context.now(),
      violation: verdict.violation,
      why: verdict.why,
      pulled,
      ...(match === undefined ? {} : { match }),
      ...(gap === undefined ? {} : { gap }),
    });
    this.#imageLastUsed.set(imageRef, this.#context.now());
    this.#transition(record, container, { type: 'IMAGE_READY' }, undefined, undefined);
    this.#trace('container.start', {
      pod: record.key,
      container: container.name,
      image: container.image,
      imageRef,
      violation: verdict.violation,
      why: verdict.why,
      ...(gap === undefined ? {} : { gap }),
    });
  }

  #classify(
    record: PodRecord,
    container: ContainerStatus,
    imageRef: string,
    pulled: boolean,
    match: MustAttemptImagePullMatch | undefined,
  ): GapClass {
    const stack = this.#kubelet?.stack;
    const pod = record.pod;
    const podSecrets = pod.imagePullSecrets.flatMap((name) => {
      const secret = this.credentials.getSecret(pod.namespace, name);
      return secret === undefined ? [] : [secret];
    });
    return classifyViolation(
      {
        gateEnabled: stack?.featureGateEnabled ?? false,
        policy: stack?.policy,
        allowlist: this.config.preloadedImagesVerificationAllowlist ?? [],
        allowlistMatching: this.#context.profile.allowlistMatching,
        now: this.#context.now(),
        pulls: this.pullLog,
        recordsDeletedAt: this.recordsDeletedAt,
        registryChangedAt: this.#context.authorizationChangedAt,
        podSecrets,
        podServiceAccount: this.credentials.getServiceAccount(pod.namespace, pod.serviceAccountName),
        presetNodeWide: (ref) => this.#presetNodeWide.has(ref),
        recordFileExists: (ref) =>
          this.fs.exists(`${this.kubeletRoot}/image_manager/pulled/${recordFileName(ref)}`),
        intentFileExists: (image) =>
          this.fs.exists(`${this.kubeletRoot}/image_manager/pulling/${recordFileName(image)}`),
      },
      { pulled, image: container.image, imageRef, ...(match === undefined ? {} : { match }) },
    );
  }

  /** `deleteRecords`: the record directory is wiped behind the kubelet's back. */
  deleteRecords(): void {
    this.fs.removeTree(`${this.kubeletRoot}/image_manager`);
    this.recordsDeletedAt.push(this.#context.now());
  }

  #transition(
    record: PodRecord,
    container: ContainerStatus,
    event: Parameters<typeof containerLifecycle.step>[1],
    reason: string | undefined,
    message: string | undefined,
  ): void {
    const next = containerLifecycle.step(container.state, event);
    const changed = next !== container.state || reason !== container.reason;
    container.state = next;
    container.reason = reason;
    container.message = message;
    if (changed) {
      container.history.push(
        reason === undefined
          ? { t: this.#context.now(), state: next }
          : { t: this.#context.now(), state: next, reason },
      );
      this.#trace('container.state', {
        pod: record.key,
        container: container.name,
        state: next,
        reason: reason ?? null,
      });
    }
  }

  /** Runs a pod sync until it yields a pull job or finishes; a kubelet panic or simulated crash kills the kubelet. */
  #advance(
    kubelet: RunningKubelet,
    worker: Worker,
    record: PodRecord,
    input: PullImageJobResult | undefined,
  ): void {
    const process = worker.process as Generator<PullImageJob, boolean, PullImageJobResult>;
    let step: IteratorResult<PullImageJob, boolean>;
    try {
      step = input === undefined ? process.next() : process.next(input);
    } catch (error) {
      this.#crashed(error, `sync ${record.key}`);
      return;
    }
    if (!step.done) {
      this.#submit(kubelet, worker, record, step.value);
      return;
    }
    worker.process = undefined;
    this.fs.takePendingLatency();
    if (record.deleted) return;
    if (worker.pending) {
      worker.pending = false;
      this.requestSync(record.key, this.#context.now());
    } else if (step.value) {
      const jitter = this.#context.syncJitter.int(0, WORKER_BACKOFF / 2);
      this.requestSync(record.key, ticks(this.#context.now() + WORKER_BACKOFF + jitter));
    }
  }

  // ---------------------------------------------------------------------------------------------------------
  // Image puller (serialized or parallel) and the runtime's credential loop

  #submit(kubelet: RunningKubelet, worker: Worker, record: PodRecord, request: PullImageJob): void {
    const now = this.#context.now();
    const podKey = record.key;
    const job: PullJob = {
      id: this.#nextJobId++,
      epoch: kubelet.epoch,
      podKey,
      container: record.containers[worker.container] as ContainerStatus,
      worker,
      record,
      request,
      submittedAt: ticks(now + this.fs.takePendingLatency()),
      startedAt: now,
      attempt: 0,
      errors: [],
      inFlight: undefined,
    };
    this.#jobs.set(job.id, job);
    this.#trace('pull.queued', {
      job: job.id,
      pod: podKey,
      image: request.image,
      credentials: request.credentials.map(describeCredential),
    });
    kubelet.queued.push(job);
    this.#pump(kubelet);
  }

  #pump(kubelet: RunningKubelet): void {
    const limit =
      this.config.serializeImagePulls === false
        ? (this.config.maxParallelImagePulls ?? Number.POSITIVE_INFINITY)
        : 1;
    while (kubelet.queued.length > 0 && kubelet.active.size < limit) {
      const job = kubelet.queued.shift() as PullJob;
      kubelet.active.add(job.id);
      // Counted here, not when queued: a job still queued when the kubelet crashes never reaches the runtime
      // (contract §4: `pulls` are pulls sent to the runtime).
      job.container.pulls++;
      job.container.pullTimes.push(this.#context.now());
      job.startedAt = ticks(Math.max(this.#context.now(), job.submittedAt));
      this.#startAttempt(job);
    }
  }

  #startAttempt(job: PullJob): void {
    const credential: TrackedAuthConfig | undefined = job.request.credentials[job.attempt];
    const auth =
      credential === undefined ? undefined : { username: credential.username, password: credential.password };
    const start = ticks(Math.max(this.#context.now(), job.startedAt));
    const attempt = this.runtime.beginPull(job.request.image, auth, start);
    job.inFlight = { commit: attempt.commit, result: attempt.result };
    this.#trace('pull.attempt', {
      job: job.id,
      image: job.request.image,
      credential: credential === undefined ? 'anonymous' : describeCredential(credential),
      registry: attempt.registryHost,
      ok: attempt.result.ok,
      ...(attempt.result.ok ? {} : { error: attempt.result.error }),
      latencyTicks: attempt.latency,
    });
    this.#context.queue.push(ticks(start + attempt.latency), {
      kind: 'pullAttemptDone',
      node: this.name,
      jobId: job.id,
    });
  }

  onPullAttemptDone(jobId: number): void {
    const job = this.#jobs.get(jobId);
    if (job === undefined || job.inFlight === undefined) return;
    const { result, commit } = job.inFlight;
    job.inFlight = undefined;
    if (result.ok) {
      commit();
      const credential = job.request.credentials[job.attempt];
      this.pullLog.push({
        t: this.#context.now(),
        image: job.container.image,
        imageRef: result.imageRef,
        credential:
          credential === undefined
            ? 'anonymous'
            : credential.source === undefined
              ? 'node'
              : credential.source.kind,
      });
    }
    const kubelet = this.#kubelet;
    const alive = kubelet !== undefined && kubelet.epoch === job.epoch;
    if (!result.ok) job.errors.push(result.error);
    // The credential loop is kubelet code (kuberuntime PullImage): it stops when the kubelet is gone.
    if (!result.ok && alive && job.attempt + 1 < job.request.credentials.length) {
      job.attempt++;
      this.#startAttempt(job);
      return;
    }
    this.#jobs.delete(jobId);
    if (!alive) return;
    kubelet.active.delete(jobId);
    const outcome: PullImageJobResult = result.ok
      ? {
          ok: true,
          imageRef: result.imageRef,
          sizeBytes: result.sizeBytes,
          credentialsUsed: job.request.credentials[job.attempt],
          pullTicks: ticks(this.#context.now() - job.startedAt),
        }
      : { ok: false, error: aggregateErrorText(job.errors) };
    // The sync that asked for the pull resumes even when its pod was deleted meanwhile (deletePod drops the worker
    // from the map): EnsureImageExists then records the pull and releases its intent, as the kubelet does.
    if (job.worker.process !== undefined) this.#advance(kubelet, job.worker, job.record, outcome);
    if (this.#kubelet === kubelet) {
      this.#pump(kubelet);
      this.#maybeFinishDrain(kubelet);
    }
  }

  #maybeFinishDrain(kubelet: RunningKubelet): void {
    if (!kubelet.draining || kubelet.active.size > 0 || kubelet.queued.length > 0) return;
    const downtime = this.#restartAfterDrain ?? ticks(0);
    this.#stop('restart');
    this.#context.queue.push(ticks(this.#context.now() + downtime), {
      kind: 'kubeletStart',
      node: this.name,
    });
  }

  // ---------------------------------------------------------------------------------------------------------
  // Image garbage collection

  /** `imageGC`: remove every image no running container uses, then prune records of removed images. */
  imageGC(): void {
    const stack = this.#kubelet?.stack;
    if (stack === undefined) {
      this.#trace('imageGC.skipped', { why: 'kubelet down' });
      return;
    }
    const until = this.#clock.now();
    const removed = this.runtime.garbageCollect(this.#imagesInUse());
    this.#afterGC(stack, removed, until);
  }

  onImageGCCheck(epoch: number): void {
    const kubelet = this.#kubelet;
    const policy = this.#imageGC;
    if (kubelet === undefined || kubelet.epoch !== epoch || policy === undefined) return;
    const until = this.#clock.now();
    const removed = this.runtime.garbageCollectToThreshold(
      this.#imagesInUse(),
      policy,
      (id) => this.#imageLastUsed.get(id) ?? ticks(0),
    );
    if (removed.length > 0) this.#afterGC(kubelet.stack, removed, until);
    this.#context.queue.push(ticks(this.#context.now() + policy.period), {
      kind: 'imageGCCheck',
      node: this.name,
      epoch,
    });
  }

  #afterGC(stack: KubeletImageStack, removed: readonly string[], until: Ticks): void {
    const remaining = this.runtime.listImages().map((image) => image.id);
    const ioBefore = this.fs.ioTotals();
    try {
      stack.pullManager.pruneUnknownRecords(remaining, until);
    } catch (error) {
      this.#crashed(error, 'image GC');
    }
    this.#addIoSince(this.gcIo, ioBefore);
    this.#trace('imageGC', { removed: [...removed], remaining: remaining.length });
  }

  /** Adds the filesystem work done since `before` (an `ioTotals()` snapshot) to `spent`. */
  #addIoSince(spent: IoSpent, before: FsIoTotals): void {
    const after = this.fs.ioTotals();
    spent.ops += after.ops - before.ops;
    spent.reads += after.reads - before.reads;
    spent.syscalls += after.syscalls.total - before.syscalls.total;
  }

  #imagesInUse(): Set<string> {
    const inUse = new Set<string>();
    for (const record of this.#pods.values()) {
      if (record.deleted) continue;
      for (const container of record.containers)
        if (container.state === 'running' && container.imageRef !== undefined) inUse.add(container.imageRef);
    }
    return inUse;
  }

  #trace(kind: string, fields: Record<string, unknown>): void {
    if (!this.#context.trace.enabled) return;
    this.#context.trace.append({ t: this.#context.now(), kind, node: this.name, ...fields });
  }
}

function objectKey(object: ObjectRef): string {
  return `${object.namespace}/${object.name}${object.container === undefined ? '' : `/${object.container}`}`;
}

/** How a credential appears in traces: its source and username, never its password or token. */
export function describeCredential(credential: TrackedAuthConfig): string {
  const source = credential.source;
  const from =
    source === undefined
      ? 'node'
      : `${source.kind === 'secret' ? 'secret' : 'serviceaccount'} ${source.namespace}/${source.name}`;
  return `${from} (${credential.username})`;
}
