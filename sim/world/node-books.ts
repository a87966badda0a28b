import type { TrackedAuthConfig } from '../../src/credentials/index.js';
import type { EnsureImageResult } from '../../src/image-manager/image-manager.js';
import type { PullerJob } from '../../src/image-manager/puller.js';
import type { KubeletImageStack } from '../../src/kubelet.js';
import type { ContainerStartInfo, PullOwner } from '../../src/pod/worker-types.js';
import type { EventRecorder, ObjectRef } from '../../src/ports.js';
import { recordFileName } from '../../src/pullmanager/records.js';
import { type Ticks, ticks } from '../../src/time.js';
import type { PullLogEntry } from '../gaps.js';
import { classifyViolation, type GapClass } from '../gaps.js';
import { judgeContainerStart } from '../oracle.js';
import type { NodeCredentialSources } from './credential-sources.js';
import type { SimFileSystem } from './filesystem.js';
import type { NodeContext } from './node-context.js';
import type { ContainerStatus, PodRecord } from './pod-records.js';
import type { RuntimePullAttempt } from './runtime.js';

/** What the books read of their node. */
export interface BooksNode {
  readonly name: string;
  readonly fs: SimFileSystem;
  readonly credentials: NodeCredentialSources;
  readonly config: { readonly preloadedImagesVerificationAllowlist?: readonly string[] };
  readonly kubeletRoot: string;
  readonly pullLog: readonly PullLogEntry[];
  readonly recordsDeletedAt: readonly Ticks[];
}

/** What the books read of the node besides its public fields. */
export interface NodeBooksParts {
  /** imageRefs that files given at t=0 record as node-wide (for the gap classifier). */
  readonly presetNodeWide: ReadonlySet<string>;
  /** When each image was last used by a started container (image GC's LRU order). */
  readonly imageLastUsed: Map<string, Ticks>;
  /** The running kubelet's image stack, if any. */
  readonly stack: () => KubeletImageStack | undefined;
}

/**
 * The simulator's side of what the kubelet's pod workers do on a node: the trace lines, each container's history
 * and pulls, and the oracle's verdict on every start with the documented gap that explains a violation. The kubelet
 * (src/pod/pod-workers.ts) tells; this listens and judges.
 */
export class NodeBooks {
  readonly #node: BooksNode;
  readonly #context: NodeContext;
  readonly #parts: NodeBooksParts;

  constructor(node: BooksNode, context: NodeContext, parts: NodeBooksParts) {
    this.#node = node;
    this.#context = context;
    this.#parts = parts;
  }

  pullQueued(job: PullerJob<PullOwner<PodRecord>>): void {
    if (!this.#tracing) return;
    this.#trace('pull.queued', {
      job: job.id,
      pod: job.owner.record.key,
      image: job.request.image,
      credentials: job.request.credentials.map(describeCredential),
    });
  }

  /**
   * Counted when the job leaves the queue, not when queued: a job still queued when the kubelet crashes never
   * reaches the runtime (contract §4: `pulls` are pulls sent to the runtime).
   */
  pullStarted(job: PullerJob<PullOwner<PodRecord>>): void {
    const container = job.owner.record.containers[job.owner.container] as ContainerStatus;
    container.pulls++;
    container.pullTimes.push(this.#context.now());
  }

  pullAttempt(
    job: PullerJob<PullOwner<PodRecord>>,
    credential: TrackedAuthConfig | undefined,
    attempt: RuntimePullAttempt,
  ): void {
    if (!this.#tracing) return;
    this.#trace('pull.attempt', {
      job: job.id,
      image: job.request.image,
      credential: credential === undefined ? 'anonymous' : describeCredential(credential),
      registry: attempt.registryHost,
      ok: attempt.result.ok,
      ...(attempt.result.ok ? {} : { error: attempt.result.error }),
      latencyTicks: attempt.latency,
    });
  }

  imageEnsured(record: PodRecord, container: ContainerStatus, result: EnsureImageResult): void {
    this.#context.onDecision?.(
      `${this.#context.now()}|${record.key}|${container.name}|${result.ok ? `${result.pulled ? 'pulled' : 'reused'} ${result.imageRef}` : `refused ${result.reason}`}`,
    );
    if (!this.#tracing) return;
    this.#trace('ensureImage', {
      pod: record.key,
      container: container.name,
      image: container.image,
      ok: result.ok,
      ...(result.ok ? { imageRef: result.imageRef, pulled: result.pulled } : { reason: result.reason }),
    });
  }

  transition(record: PodRecord, container: ContainerStatus): void {
    const t = this.#context.now();
    const { state, reason } = container;
    container.history.push(reason === undefined ? { t, state } : { t, state, reason });
    if (!this.#tracing) return;
    this.#trace('container.state', {
      pod: record.key,
      container: container.name,
      state,
      reason: reason ?? null,
    });
  }

  /** A container started: the oracle judges whether its pod could have pulled the image itself. */
  containerStarted(record: PodRecord, container: ContainerStatus, start: ContainerStartInfo): void {
    const node = this.#node;
    const now = this.#context.now();
    const { imageRef, pulled, match } = start;
    const verdict = judgeContainerStart(
      { ...this.#context.oracle, nodeCredentials: node.credentials.nodeDockerConfig() },
      record.pod,
      container.image,
    );
    if (!container.started) container.firstStartedAt = ticks(now + node.fs.pendingLatency);
    container.started = true;
    if (verdict.violation) container.violation = true;
    const gap = verdict.violation ? this.#classify(record, container, start) : undefined;
    container.starts.push({
      t: now,
      violation: verdict.violation,
      why: verdict.why,
      pulled,
      ...(match === undefined ? {} : { match }),
      ...(gap === undefined ? {} : { gap }),
    });
    this.#parts.imageLastUsed.set(imageRef, now);
    if (!this.#tracing) return;
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

  #classify(record: PodRecord, container: ContainerStatus, start: ContainerStartInfo): GapClass {
    const node = this.#node;
    const stack = this.#parts.stack();
    const pod = record.pod;
    const podSecrets = pod.imagePullSecrets.flatMap((name) => {
      const secret = node.credentials.getSecret(pod.namespace, name);
      return secret === undefined ? [] : [secret];
    });
    const root = `${node.kubeletRoot}/image_manager`;
    return classifyViolation(
      {
        gateEnabled: stack?.featureGateEnabled ?? false,
        policy: stack?.policy,
        allowlist: node.config.preloadedImagesVerificationAllowlist ?? [],
        allowlistMatching: this.#context.profile.allowlistMatching,
        now: this.#context.now(),
        pulls: node.pullLog,
        recordsDeletedAt: node.recordsDeletedAt,
        registryChangedAt: this.#context.authorizationChangedAt,
        podSecrets,
        podServiceAccount: node.credentials.getServiceAccount(pod.namespace, pod.serviceAccountName),
        presetNodeWide: (ref) => this.#parts.presetNodeWide.has(ref),
        recordFileExists: (ref) => node.fs.exists(`${root}/pulled/${recordFileName(ref)}`),
        intentFileExists: (image) => node.fs.exists(`${root}/pulling/${recordFileName(image)}`),
      },
      {
        pulled: start.pulled,
        image: container.image,
        imageRef: start.imageRef,
        ...(start.match === undefined ? {} : { match: start.match }),
      },
    );
  }

  /** Whether trace lines are wanted: when not, their fields are not even built. */
  get #tracing(): boolean {
    return this.#context.trace.enabled;
  }

  #trace(kind: string, fields: Record<string, unknown>): void {
    this.#context.trace.append({ t: this.#context.now(), kind, node: this.#node.name, ...fields });
  }
}

/** How a credential appears in traces: its source and username, never its password or token. */
function describeCredential(credential: TrackedAuthConfig): string {
  const source = credential.source;
  const from =
    source === undefined
      ? 'node'
      : `${source.kind === 'secret' ? 'secret' : 'serviceaccount'} ${source.namespace}/${source.name}`;
  return `${from} (${credential.username})`;
}

/** The kubelet's event recorder and log, written to the trace. */
export function traceRecorder(context: NodeContext, node: string): EventRecorder {
  const trace = context.trace;
  return {
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

function objectKey(object: ObjectRef): string {
  return `${object.namespace}/${object.name}${object.container === undefined ? '' : `/${object.container}`}`;
}
