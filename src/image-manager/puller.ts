/**
 * The kubelet's image puller (pkg/kubelet/images/puller.go: `serialImagePuller`, `parallelImagePuller`) with the
 * credential loop of kuberuntime's `PullImage` (pkg/kubelet/kuberuntime/kuberuntime_image.go): jobs wait in one
 * queue, at most `limit` are at the runtime at once (1 when `serializeImagePulls`, else `maxParallelImagePulls`),
 * and each job tries its credentials in order, once anonymously when it has none, until one succeeds.
 *
 * A CRI pull takes time, so the puller does not call the runtime itself: `beginAttempt` hands each attempt to the
 * driver, which calls `attemptDone` when the runtime has answered.
 */
import type { TrackedAuthConfig } from '../credentials/index.js';
import { type Ticks, ticks } from '../time.js';
import { aggregateErrorText } from './errors.js';
import type { PullImageJob, PullImageJobResult } from './image-manager.js';

/** One pull job: EnsureImageExists' request, who asked for it, and the state of its credential loop. */
export interface PullerJob<O> {
  readonly id: number;
  readonly request: PullImageJob;
  /** Whoever the result goes back to (the pod worker's sync). */
  readonly owner: O;
  /** When the job was handed over, including the time the asking sync spent before (its file I/O). */
  readonly submittedAt: Ticks;
  /** When the job left the queue for the runtime. */
  startedAt: Ticks;
  /** Index of the credential being tried. */
  attempt: number;
  /** Each failed attempt's error, for the aggregate message. */
  readonly errors: string[];
}

/** One CRI pull attempt's answer. */
export type PullAttemptResult =
  | { readonly ok: true; readonly imageRef: string; readonly sizeBytes: number }
  | { readonly ok: false; readonly error: string };

/** What the puller needs from its driver. */
export interface ImagePullerHost<O> {
  now(): Ticks;
  /** Sends one attempt to the runtime, starting at `start`, with `credential` (anonymous when undefined). */
  beginAttempt(job: PullerJob<O>, credential: TrackedAuthConfig | undefined, start: Ticks): void;
  /** The job left the queue: the runtime now works on it. */
  onPullStarted(job: PullerJob<O>): void;
  /** The job is done (every credential failed, or one succeeded). */
  onPullFinished(job: PullerJob<O>, result: PullImageJobResult): void;
}

/** The queue and the jobs at the runtime of one kubelet process; a new kubelet starts with a new puller. */
export class ImagePuller<O> {
  readonly #limit: number;
  readonly #host: ImagePullerHost<O>;
  readonly #queued: PullerJob<O>[] = [];
  readonly #active = new Map<number, PullerJob<O>>();
  #stopped = false;

  constructor(limit: number, host: ImagePullerHost<O>) {
    this.#limit = limit;
    this.#host = host;
  }

  /** Jobs waiting in the queue. */
  get queuedCount(): number {
    return this.#queued.length;
  }

  /** Jobs at the runtime. */
  get activeCount(): number {
    return this.#active.size;
  }

  /** Queues a job and starts what the limit allows. */
  submit(job: PullerJob<O>): void {
    this.#queued.push(job);
    this.pump();
  }

  /** Moves queued jobs to the runtime while fewer than `limit` are there. */
  pump(): void {
    if (this.#stopped) return;
    const now = this.#host.now();
    while (this.#queued.length > 0 && this.#active.size < this.#limit) {
      const job = this.#queued.shift() as PullerJob<O>;
      this.#active.set(job.id, job);
      this.#host.onPullStarted(job);
      job.startedAt = ticks(Math.max(now, job.submittedAt));
      this.#startAttempt(job);
    }
  }

  /**
   * The runtime answered an attempt of job `id`: try the next credential after a failure, or finish the job and
   * hand its result to the owner. Then start queued jobs, unless the owner stopped the puller meanwhile.
   */
  attemptDone(id: number, result: PullAttemptResult): void {
    const job = this.#active.get(id);
    if (job === undefined) return;
    if (!result.ok) job.errors.push(result.error);
    if (!result.ok && job.attempt + 1 < job.request.credentials.length) {
      job.attempt++;
      this.#startAttempt(job);
      return;
    }
    this.#active.delete(id);
    const now = this.#host.now();
    this.#host.onPullFinished(
      job,
      result.ok
        ? {
            ok: true,
            imageRef: result.imageRef,
            sizeBytes: result.sizeBytes,
            credentialsUsed: job.request.credentials[job.attempt],
            pullTicks: ticks(now - job.startedAt),
          }
        : { ok: false, error: aggregateErrorText(job.errors) },
    );
    this.pump();
  }

  /** The kubelet stops: queued jobs never reach the runtime, and answers of active ones are no longer awaited. */
  stop(): void {
    this.#stopped = true;
    this.#queued.length = 0;
  }

  #startAttempt(job: PullerJob<O>): void {
    const start = ticks(Math.max(this.#host.now(), job.startedAt));
    this.#host.beginAttempt(job, job.request.credentials[job.attempt], start);
  }
}
