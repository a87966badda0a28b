import type { TrackedAuthConfig } from '../../src/credentials/index.js';
import type { PullAttemptResult } from '../../src/image-manager/puller.js';
import type { Ticks } from '../../src/time.js';
import type { PullLogEntry } from '../gaps.js';
import type { RuntimePullAttempt, SimRuntime } from './runtime.js';

/** An attempt at the runtime: its answer, and the commit that lands the image at the end of its latency. */
interface InFlightAttempt {
  /** The kubelet process that sent it. */
  readonly epoch: number;
  /** When the registry answered it. */
  readonly requested: Ticks;
  /** The image as the container names it (for the pull log). */
  readonly image: string;
  readonly credential: TrackedAuthConfig | undefined;
  readonly commit: () => void;
  readonly result: PullAttemptResult;
}

/**
 * The runtime's side of the kubelet's pulls on one node: attempts sent to the registry, answered at once and landed
 * at the end of their latency, whatever happened to the kubelet meanwhile (a pull at the registry completes
 * without it), and the log of every pull that landed, for the gap classifier and the no-lost-records check.
 */
export class RuntimePulls {
  readonly #runtime: SimRuntime;
  readonly #attempts = new Map<number, InFlightAttempt>();
  /** Successful pulls the runtime committed, in order. */
  readonly log: PullLogEntry[] = [];

  constructor(runtime: SimRuntime) {
    this.#runtime = runtime;
  }

  /** Sends attempt `id` (one per job at a time) to the registry at `start`. */
  begin(
    id: number,
    request: { readonly epoch: number; readonly image: string; readonly criImage: string },
    credential: TrackedAuthConfig | undefined,
    start: Ticks,
  ): RuntimePullAttempt {
    const auth =
      credential === undefined ? undefined : { username: credential.username, password: credential.password };
    const attempt = this.#runtime.beginPull(request.criImage, auth, start);
    this.#attempts.set(id, {
      epoch: request.epoch,
      requested: start,
      image: request.image,
      credential,
      commit: attempt.commit,
      result: attempt.result,
    });
    return attempt;
  }

  /** Attempt `id`'s latency has passed: a successful pull lands in the image store. Returns the attempt. */
  land(id: number, now: Ticks): { readonly epoch: number; readonly result: PullAttemptResult } | undefined {
    const attempt = this.#attempts.get(id);
    if (attempt === undefined) return undefined;
    this.#attempts.delete(id);
    const { result, credential } = attempt;
    if (result.ok) {
      attempt.commit();
      this.log.push({
        t: now,
        requested: attempt.requested,
        image: attempt.image,
        imageRef: result.imageRef,
        credential: credential === undefined ? 'anonymous' : (credential.source?.kind ?? 'node'),
      });
    }
    return attempt;
  }
}
