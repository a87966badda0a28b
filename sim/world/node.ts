import type { TrackedAuthConfig } from '../../src/credentials/index.js';
import type { PullerJob } from '../../src/image-manager/puller.js';
import {
  DEFAULT_KUBELET_ROOT,
  imageManagerMetrics,
  type KubeletImageConfig,
  type KubeletImageStack,
  startKubeletImageStack,
} from '../../src/kubelet.js';
import { PodWorkers } from '../../src/pod/pod-workers.js';
import type { PodWorkerTimer, PullOwner } from '../../src/pod/worker-types.js';
import type { Clock, EventRecorder } from '../../src/ports.js';
import type { KubeletProfile } from '../../src/profiles.js';
import { KubeletPanic } from '../../src/pullmanager/locks.js';
import type { MetricFamily } from '../../src/pullmanager/metrics.js';
import { TICKS_PER_SECOND, type Ticks, ticks } from '../../src/time.js';
import type { PullLogEntry } from '../gaps.js';
import type { ImageGcPolicySpec } from '../scenario/types.js';
import type { StoredPod } from './api-server.js';
import type { NodeCredentialSources } from './credential-sources.js';
import type { WorldEvent } from './events.js';
import { type SimFileSystem, SimulatedCrash } from './filesystem.js';
import { addIoSince, collectImages, type ImageGcNode, type IoSpent } from './image-gc.js';
import { NodeBooks, traceRecorder } from './node-books.js';
import type { NodeContext, NodeParts } from './node-context.js';
import { type ContainerStatus, newPodRecord, type PodRecord } from './pod-records.js';
import type { SimRuntime } from './runtime.js';
import { RuntimePulls } from './runtime-pulls.js';

/** systemd's RestartSec for the kubelet unit (kubeadm ships 10s) after a crash or panic. */
const KUBELET_RESTART_DELAY = ticks(10 * TICKS_PER_SECOND);

interface RunningKubelet {
  readonly epoch: number;
  readonly stack: KubeletImageStack;
}

/**
 * A simulated node: the container runtime, the filesystem, and a kubelet process built from `src/` on them (its
 * image stack and its pod workers), started, restarted and crashed as systemd would; image GC; and the books the
 * oracle keeps on every start (`NodeBooks`). The node turns the kubelet's timers and CRI pull attempts into
 * events of the world's queue, and hands them back when they are due.
 */
export class SimNode {
  readonly name: string;
  readonly fs: SimFileSystem;
  readonly runtime: SimRuntime;
  readonly credentials: NodeCredentialSources;
  config: KubeletImageConfig;
  readonly #context: NodeContext;
  readonly #imageGC: ImageGcPolicySpec | undefined;
  readonly #workers: PodWorkers<ContainerStatus, PodRecord>;
  readonly #books: NodeBooks;
  readonly #pulls: RuntimePulls;
  readonly #gcNode: ImageGcNode;
  readonly #imageLastUsed = new Map<string, Ticks>();
  /** When `deleteRecords` wiped the record directory. */
  readonly recordsDeletedAt: Ticks[] = [];
  /** When each kubelet process started (its in-memory cache was rebuilt from disk). */
  readonly kubeletStartedAt: Ticks[] = [];
  #kubelet: RunningKubelet | undefined;
  #epoch = 0;
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
    this.#context = context;
    this.#clock = { now: () => ticks(context.epochOffset + context.now()) };
    this.#recorder = traceRecorder(context, this.name);
    this.#books = new NodeBooks(this, context, {
      presetNodeWide: parts.presetNodeWide ?? new Set(),
      imageLastUsed: this.#imageLastUsed,
      stack: () => this.#kubelet?.stack,
    });
    this.#pulls = new RuntimePulls(parts.runtime);
    this.#gcNode = this.#imageGcNode();
    const books = this.#books;
    this.#workers = new PodWorkers<ContainerStatus, PodRecord>({
      now: context.now,
      schedule: (at, timer) => {
        const { kind, ...rest } = timer;
        context.queue.push(at, { kind, node: this.name, ...rest } as WorldEvent);
      },
      jitter: (max) => context.syncJitter.int(0, max),
      takeWorkLatency: () => this.fs.takePendingLatency(),
      beginAttempt: (job, credential, start) => this.#beginAttempt(job, credential, start),
      onPullQueued: (job) => books.pullQueued(job),
      onPullStarted: (job) => books.pullStarted(job),
      onImageEnsured: (record, container, result) => books.imageEnsured(record, container, result),
      onTransition: (record, container) => books.transition(record, container),
      onContainerStarted: (record, container, start) => books.containerStarted(record, container, start),
      onKubeletDied: (error, where) => this.#crashed(error, where),
    });
  }

  /** Successful pulls the runtime committed, for the gap classifier and the no-lost-records check. */
  get pullLog(): readonly PullLogEntry[] {
    return this.#pulls.log;
  }

  get kubeletRunning(): boolean {
    return this.#kubelet !== undefined;
  }

  get stack(): KubeletImageStack | undefined {
    return this.#kubelet?.stack;
  }

  /** The kubelet version profile this node's kubelet runs. */
  get kubeletProfile(): KubeletProfile {
    return this.#context.profile;
  }

  /** What a scrape of the running kubelet's `/metrics` shows of the image manager; undefined while it is down. */
  get imageManagerMetrics(): MetricFamily[] | undefined {
    const stack = this.#kubelet?.stack;
    return stack === undefined ? undefined : imageManagerMetrics(stack, this.#context.profile);
  }

  /** The current incarnation of a pod on this node. */
  podRecord(key: string): PodRecord | undefined {
    return this.#workers.pod(key);
  }

  /** The pods on this node that have not been deleted. */
  livePodRecords(): PodRecord[] {
    return [...this.#workers.pods()].filter((record) => !record.deleted);
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
      this.#scheduleStart(KUBELET_RESTART_DELAY);
      return;
    }
    addIoSince(this.fs, this.startupIo, ioBefore);
    const stack = started.stack;
    this.#kubelet = { epoch, stack };
    this.#trace('kubelet.start', {
      epoch,
      gate: stack.featureGateEnabled,
      policy: stack.policy ?? null,
      startLatencyTicks: this.fs.takePendingLatency(),
    });
    this.#workers.attach({
      epoch,
      imageManager: stack.imageManager,
      credentials: this.credentials,
      recorder: this.#recorder,
      parallelPulls:
        this.config.serializeImagePulls === false
          ? (this.config.maxParallelImagePulls ?? Number.POSITIVE_INFINITY)
          : 1,
    });
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
    const pulls = this.#workers.pullsInFlight;
    if (!options.crash && (pulls.active > 0 || pulls.queued > 0)) {
      this.#workers.drain();
      this.#restartAfterDrain = downtime;
      this.#trace('kubelet.draining', { activePulls: pulls.active, queuedPulls: pulls.queued });
      return;
    }
    this.#stop(options.crash ? 'crash' : 'restart');
    this.#scheduleStart(downtime);
  }

  #scheduleStart(delay: Ticks): void {
    this.#context.queue.push(ticks(this.#context.now() + delay), { kind: 'kubeletStart', node: this.name });
  }

  #stop(why: string): void {
    const kubelet = this.#kubelet;
    if (kubelet === undefined) return;
    if (why !== 'restart') this.stats.kubeletCrashes++;
    const pulls = this.#workers.pullsInFlight;
    this.#trace('kubelet.stop', { epoch: kubelet.epoch, why, abandonedPulls: pulls.active + pulls.queued });
    // Queued jobs never reach the runtime; active ones finish there without the kubelet.
    this.#workers.detach();
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
    this.#scheduleStart(KUBELET_RESTART_DELAY);
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
    const previous = this.#workers.pod(key);
    if (previous !== undefined && !previous.deleted) this.deletePod(key);
    const record = newPodRecord(pod, this.#context.now());
    this.#context.onPodRecord(record);
    this.#workers.addPod(record);
  }

  /** The pod was deleted: its containers are killed. A sync in flight finishes without starting anything. */
  deletePod(key: string): void {
    const record = this.#workers.deletePod(key);
    if (record === undefined) return;
    this.#context.onPodFinished?.(record);
    if (this.#context.retainPodRecords === false) this.#workers.forget(key);
  }

  /** `restartContainer`: the container exits; the kubelet restarts it after its back-off. */
  restartContainer(key: string, containerName: string | undefined): void {
    this.#workers.restartContainer(key, containerName);
  }

  /** A pod worker's timer is due (`podSync`, `containerRestartDue`, `initContainerExitDue`). */
  onTimer(timer: PodWorkerTimer): void {
    this.#workers.onTimer(timer);
  }

  /** `deleteRecords`: the record directory is wiped behind the kubelet's back. */
  deleteRecords(): void {
    this.fs.removeTree(`${this.kubeletRoot}/image_manager`);
    this.recordsDeletedAt.push(this.#context.now());
  }

  // ---------------------------------------------------------------------------------------------------------
  // CRI pull attempts: the registry answers when the attempt starts, the image lands after its latency

  #beginAttempt(
    job: PullerJob<PullOwner<PodRecord>>,
    credential: TrackedAuthConfig | undefined,
    start: Ticks,
  ): void {
    const container = job.owner.record.containers[job.owner.container] as ContainerStatus;
    const request = { epoch: this.#kubelet?.epoch ?? 0, image: container.image, criImage: job.request.image };
    const attempt = this.#pulls.begin(job.id, request, credential, start);
    this.#books.pullAttempt(job, credential, attempt);
    this.#context.queue.push(ticks(start + attempt.latency), {
      kind: 'pullAttemptDone',
      node: this.name,
      jobId: job.id,
    });
  }

  onPullAttemptDone(jobId: number): void {
    const attempt = this.#pulls.land(jobId, this.#context.now());
    // The credential loop is kubelet code (kuberuntime PullImage): it stops when the kubelet is gone.
    const kubelet = this.#kubelet;
    if (attempt === undefined || kubelet === undefined || kubelet.epoch !== attempt.epoch) return;
    this.#workers.pullAttemptDone(jobId, attempt.result);
    if (this.#kubelet === kubelet) this.#maybeFinishDrain();
  }

  #maybeFinishDrain(): void {
    const pulls = this.#workers.pullsInFlight;
    if (!this.#workers.draining || pulls.active > 0 || pulls.queued > 0) return;
    const downtime = this.#restartAfterDrain ?? ticks(0);
    this.#stop('restart');
    this.#scheduleStart(downtime);
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
    collectImages(this.#gcNode, stack, this.#clock.now(), 'all');
  }

  /** The periodic check of the node's image GC policy. */
  onImageGCCheck(epoch: number): void {
    const kubelet = this.#kubelet;
    const policy = this.#imageGC;
    if (kubelet === undefined || kubelet.epoch !== epoch || policy === undefined) return;
    collectImages(this.#gcNode, kubelet.stack, this.#clock.now(), policy);
    this.#context.queue.push(ticks(this.#context.now() + policy.period), {
      kind: 'imageGCCheck',
      node: this.name,
      epoch,
    });
  }

  /** What image GC sees of this node. */
  #imageGcNode(): ImageGcNode {
    return {
      runtime: this.runtime,
      fs: this.fs,
      gcIo: this.gcIo,
      imagesInUse: () => {
        const inUse = new Set<string>();
        for (const record of this.#workers.pods()) {
          if (record.deleted) continue;
          for (const container of record.containers)
            if (container.state === 'running' && container.imageRef !== undefined)
              inUse.add(container.imageRef);
        }
        return inUse;
      },
      lastUsed: (id) => this.#imageLastUsed.get(id) ?? ticks(0),
      trace: (kind, fields) => this.#trace(kind, fields),
      crashed: (error, where) => this.#crashed(error, where),
    };
  }

  #trace(kind: string, fields: Record<string, unknown>): void {
    if (!this.#context.trace.enabled) return;
    this.#context.trace.append({ t: this.#context.now(), kind, node: this.name, ...fields });
  }
}
