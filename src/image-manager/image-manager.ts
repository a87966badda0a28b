import {
  type CredentialSource,
  lookupPullCredentials,
  podCredentialsForMatching,
  type TrackedAuthConfig,
} from '../credentials/index.js';
import { goQuote } from '../go/index.js';
import type {
  Clock,
  CredentialSources,
  EventRecorder,
  ImageService,
  ObjectRef,
  SecretObject,
} from '../ports.js';
import type { KubeletProfile } from '../profiles.js';
import type { ImagePullManager, MustAttemptImagePullAnswer, PodCredentials } from '../pullmanager/manager.js';
import type { EnsureImageRequestCount } from '../pullmanager/metrics.js';
import type { ImagePullCredentials } from '../pullmanager/records.js';
import { applyDefaultImageTag, parseImageName } from '../reference/index.js';
import { formatDuration, TICKS_PER_MILLISECOND, type Ticks, ticks } from '../time.js';
import { Backoff } from './backoff.js';
import { evalCriPullError, ImageErrors, ImageEvents } from './errors.js';

export type PullPolicy = 'Always' | 'IfNotPresent' | 'Never';

/** The pod fields the image manager reads. */
export interface PodIdentity {
  readonly uid: string;
  readonly namespace: string;
  readonly name: string;
  /** `spec.serviceAccountName` (defaulted to `default` by admission). */
  readonly serviceAccountName: string;
}

export interface EnsureImageRequest {
  readonly pod: PodIdentity;
  readonly containerName: string;
  /** The container's `image` exactly as written in the pod. */
  readonly image: string;
  readonly pullPolicy: PullPolicy;
  /** The pod's pull secrets as resolved by the kubelet's secret manager (`getPullSecretsForPod`). */
  readonly pullSecrets: readonly SecretObject[];
}

/** EnsureImageExists' answer: the imageRef to start, or the waiting reason and message. */
export type EnsureImageResult =
  | {
      readonly ok: true;
      readonly imageRef: string;
      readonly message: string;
      readonly pulled: boolean;
      /** When a present image was reused with the gate on: the pull manager's answer and what allowed it. */
      readonly verification?: MustAttemptImagePullAnswer;
    }
  | { readonly ok: false; readonly reason: string; readonly message: string };

/**
 * One image pull handed to the driver: the puller (serial or parallel) runs kuberuntime's PullImage, which tries
 * `credentials` in order (or once anonymously when there are none) and stops at the first success.
 */
export interface PullImageJob {
  readonly pod: ObjectRef;
  /** The default-tagged image sent to the CRI (`spec.Image`). */
  readonly image: string;
  readonly credentials: readonly TrackedAuthConfig[];
}

export type PullImageJobResult =
  | {
      readonly ok: true;
      readonly imageRef: string;
      readonly sizeBytes: number;
      /** The credential that succeeded; undefined for an anonymous pull. */
      readonly credentialsUsed: TrackedAuthConfig | undefined;
      /** Time in the CRI call(s), excluding time queued in the puller. */
      readonly pullTicks: Ticks;
    }
  | { readonly ok: false; readonly error: string };

/** A running EnsureImageExists: yields at most one pull job, returns the result. */
export type EnsureImageProcess = Generator<PullImageJob, EnsureImageResult, PullImageJobResult>;

/** A pull EnsureImageExists waits for: the job to hand to the puller, and how to finish with its result. */
export interface PendingPull {
  readonly job: PullImageJob;
  resume(result: PullImageJobResult): EnsureImageResult;
}

/**
 * The labels of `kubelet_image_manager_ensure_image_requests_total` (pkg/kubelet/images/metrics.go,
 * `recordEnsureImageRequest`, #132644), set as EnsureImageExists learns them; a label never set is `unknown`.
 */
interface EnsureImageLabels {
  presentLocally?: boolean | undefined;
  pullRequired?: boolean | undefined;
}

/** Whether `beginEnsureImage` sent a pull rather than answering. */
export function isPendingPull(step: EnsureImageResult | PendingPull): step is PendingPull {
  return 'job' in step;
}

export interface ImageManagerOptions {
  readonly profile: KubeletProfile;
  readonly featureGateEnabled: boolean;
  readonly imageService: ImageService;
  readonly pullManager: ImagePullManager;
  readonly credentialSources: CredentialSources;
  readonly clock: Clock;
  readonly recorder: EventRecorder;
  readonly backoff?: Backoff;
}

/**
 * The kubelet's image manager (`imageManager.EnsureImageExists`, pkg/kubelet/images/image_manager.go): pull
 * policy × presence × feature gate × MustAttemptImagePull × back-off, with the kubelet's events, waiting reasons
 * and messages. EnsureImageExists is a generator because a CRI pull takes time: the driver receives the pull job,
 * performs it (queueing it in a serial or parallel puller) and resumes the generator with the result. A kubelet
 * crash simply abandons the generator, leaving the intent file behind as a real crash would.
 */
export class ImageManager {
  readonly #options: ImageManagerOptions;
  readonly backoff: Backoff;
  readonly #prevPullErrMsg = new Map<string, string>();
  /** Each series by its labels joined, counted in place. */
  readonly #ensureRequests = new Map<
    string,
    { -readonly [K in keyof EnsureImageRequestCount]: EnsureImageRequestCount[K] }
  >();

  constructor(options: ImageManagerOptions) {
    this.#options = options;
    this.backoff = options.backoff ?? new Backoff();
  }

  /** The back-off key of a pod's image (`<podUID>_<image>`). */
  static backOffKey(podUid: string, image: string): string {
    return `${podUid}_${image}`;
  }

  /** EnsureImageExists as a generator: yields the pull job when it sends one, returns the answer. */
  *ensureImageExists(request: EnsureImageRequest): EnsureImageProcess {
    const step = this.beginEnsureImage(request);
    if (!isPendingPull(step)) return step;
    return step.resume(yield step.job);
  }

  /**
   * EnsureImageExists up to the pull it may send: the final answer, or the pull job and how to finish once the
   * puller has its result. Most calls never pull (a present image, a refusal, back-off), and answering them without
   * a generator keeps a pod sync cheap; `ensureImageExists` is the same steps as a generator. The ensure-image
   * counter is incremented when EnsureImageExists returns (upstream's deferred `recordEnsureImageRequest`): after
   * the pull, for a call that pulls; never, for a pull a kubelet crash abandons.
   */
  beginEnsureImage(request: EnsureImageRequest): EnsureImageResult | PendingPull {
    const labels: EnsureImageLabels = {};
    const step = this.#beginEnsureImage(request, labels);
    if (!isPendingPull(step)) {
      this.#countEnsureRequest(request.pullPolicy, labels);
      return step;
    }
    return {
      job: step.job,
      resume: (result) => {
        const answer = step.resume(result);
        this.#countEnsureRequest(request.pullPolicy, labels);
        return answer;
      },
    };
  }

  /** The ensure-image counter's series, sorted by their labels. */
  get ensureImageRequests(): readonly EnsureImageRequestCount[] {
    return [...this.#ensureRequests]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, series]) => ({ ...series }));
  }

  #countEnsureRequest(pullPolicy: PullPolicy, labels: EnsureImageLabels): void {
    const text = (value: boolean | undefined): EnsureImageRequestCount['pullRequired'] =>
      value === undefined ? 'unknown' : value ? 'true' : 'false';
    const series = {
      pullPolicy: pullPolicy.toLowerCase() as EnsureImageRequestCount['pullPolicy'],
      presentLocally: text(labels.presentLocally),
      pullRequired: text(labels.pullRequired),
    };
    const key = `${series.pullPolicy},${series.presentLocally},${series.pullRequired}`;
    const counted = this.#ensureRequests.get(key);
    if (counted === undefined) this.#ensureRequests.set(key, { ...series, count: 1 });
    else counted.count++;
  }

  #beginEnsureImage(request: EnsureImageRequest, labels: EnsureImageLabels): EnsureImageResult | PendingPull {
    const { profile, featureGateEnabled, pullManager, recorder } = this.#options;
    const requestedImage = request.image;
    const ref: ObjectRef = {
      kind: 'Pod',
      namespace: request.pod.namespace,
      name: request.pod.name,
      uid: request.pod.uid,
      container: request.containerName,
    };

    const prechecked = this.#precheck(ref, request);
    if ('ok' in prechecked) return prechecked;
    const { specImage, imageRef } = prechecked;
    // Always does not inspect the image, so whether it is present stays unknown.
    if (request.pullPolicy !== 'Always') labels.presentLocally = imageRef !== '';
    if (imageRef === '' && request.pullPolicy === 'Never') return this.#neverPull(ref, requestedImage);

    // The credential lookup happens once. 1.33/1.34 do it here, before the presence decision and even with the
    // gate off (kubernetes/kubernetes#132951); #133079 made it lazy.
    let lookedUp: { ok: true; credentials: TrackedAuthConfig[] } | { ok: false; error: string } | undefined;
    const lookup = () => {
      lookedUp ??= this.#lookupPullCredentials(specImage, request);
      return lookedUp;
    };
    if (profile.credentialLookup === 'eager') {
      const eager = lookup();
      if (!eager.ok) return { ok: false, reason: eager.error, message: eager.error };
    }

    if (imageRef !== '') {
      labels.pullRequired = false;
      if (!featureGateEnabled) {
        const message = `Container image ${quote(requestedImage)} already present on machine`;
        recorder.event(ref, 'Normal', ImageEvents.PulledImage, message);
        return { ok: true, imageRef, message, pulled: false };
      }
      const answer = pullManager.mustAttemptImagePull(requestedImage, imageRef, () => {
        const result = lookup();
        if (!result.ok) return result;
        const matching = podCredentialsForMatching(result.credentials);
        const value: PodCredentials =
          matching.serviceAccount === undefined ? { secrets: matching.secrets } : matching;
        return { ok: true, value };
      });
      if (answer.error !== undefined) {
        labels.pullRequired = undefined;
        return { ok: false, reason: answer.error, message: answer.error };
      }
      if (!answer.mustPull) {
        const message = `Container image ${quote(requestedImage)} already present on machine and can be accessed by the pod`;
        recorder.event(ref, 'Normal', ImageEvents.PulledImage, message);
        return { ok: true, imageRef, message, pulled: false, verification: answer };
      }
    }

    labels.pullRequired = true;
    // Present but not accessible with these credentials fails exactly like an absent image: presence is hidden.
    if (request.pullPolicy === 'Never') return this.#neverPull(ref, requestedImage);

    const credentials = lookup();
    if (!credentials.ok) return { ok: false, reason: credentials.error, message: credentials.error };
    return this.#pullImage(ref, request, requestedImage, specImage, credentials.credentials);
  }

  #pullImage(
    ref: ObjectRef,
    request: EnsureImageRequest,
    image: string,
    specImage: string,
    credentials: readonly TrackedAuthConfig[],
  ): EnsureImageResult | PendingPull {
    const { featureGateEnabled, pullManager, recorder, clock } = this.#options;
    if (featureGateEnabled) {
      const intent = pullManager.recordPullIntent(image);
      if (intent.error !== undefined) {
        const error = intent.error;
        return {
          ok: false,
          reason: error,
          message: `Failed to record image pull intent for container image ${quote(image)}: ${error}`,
        };
      }
    }
    // The deferred record step of the kubelet (`#finish`) runs on every exit below, including the back-off refusal.

    const backOffKey = ImageManager.backOffKey(request.pod.uid, image);
    if (this.backoff.isInBackOffSinceUpdate(backOffKey, clock.now())) {
      let message = `Back-off pulling image ${quote(image)}`;
      recorder.event(ref, 'Normal', ImageEvents.BackOffPullImage, message);
      const previous = this.#prevPullErrMsg.get(backOffKey);
      if (previous !== undefined) message = `${message}: ${previous}`;
      this.#finish(image, undefined, undefined);
      return { ok: false, reason: ImageErrors.ErrImagePullBackOff, message };
    }
    this.#prevPullErrMsg.delete(backOffKey);

    recorder.event(ref, 'Normal', ImageEvents.PullingImage, `Pulling image ${quote(image)}`);
    const startTime = clock.now();
    // The driver always resumes a started pull (the kubelet does not abandon a pull when the pod goes away); a
    // kubelet crash abandons it, and the intent file stays behind as it would on a real node.
    return {
      job: { pod: ref, image: specImage, credentials },
      resume: (result) => this.#pulled(ref, image, backOffKey, startTime, result),
    };
  }

  /** The rest of EnsureImageExists once the puller answered: events, back-off, the pulled record. */
  #pulled(
    ref: ObjectRef,
    image: string,
    backOffKey: string,
    startTime: Ticks,
    result: PullImageJobResult,
  ): EnsureImageResult {
    const { recorder, clock } = this.#options;
    if (!result.ok) {
      recorder.event(
        ref,
        'Warning',
        ImageEvents.FailedToPullImage,
        `Failed to pull image ${quote(image)}: ${result.error}`,
      );
      this.backoff.next(backOffKey, clock.now());
      const evaluated = evalCriPullError(image, result.error);
      this.#prevPullErrMsg.set(backOffKey, `${evaluated.reason}: ${evaluated.message}`);
      this.#finish(image, undefined, undefined);
      return { ok: false, reason: evaluated.reason, message: evaluated.message };
    }
    const total = truncateToMillisecond(clock.now() - startTime);
    recorder.event(
      ref,
      'Normal',
      ImageEvents.PulledImage,
      `Successfully pulled image ${quote(image)} in ${formatDuration(truncateToMillisecond(result.pullTicks))} (${formatDuration(total)} including waiting). Image size: ${result.sizeBytes} bytes.`,
    );
    this.backoff.gc(clock.now());
    this.#finish(image, result.imageRef, result.credentialsUsed);
    return { ok: true, imageRef: result.imageRef, message: '', pulled: true };
  }

  /**
   * The default tag applied, then `imagePullPrecheck`: Always never inspects; IfNotPresent and Never ask the
   * runtime. The tagged image and the present image's ref ('' when absent), or the refusal.
   */
  #precheck(
    ref: ObjectRef,
    request: EnsureImageRequest,
  ): { specImage: string; imageRef: string } | EnsureImageResult {
    const { imageService, recorder } = this.#options;
    const tagged = applyDefaultImageTag(request.image);
    if (!tagged.ok) {
      const message = `Failed to apply default image tag ${quote(request.image)}: ${tagged.error}`;
      recorder.event(ref, 'Warning', ImageEvents.FailedToInspectImage, message);
      return { ok: false, reason: ImageErrors.ErrInvalidImageName, message };
    }
    if (request.pullPolicy === 'Always') return { specImage: tagged.value, imageRef: '' };
    try {
      return { specImage: tagged.value, imageRef: imageService.imageStatus(tagged.value)?.id ?? '' };
    } catch (error) {
      // The kubelet formats the still-empty imageRef here, so the quotes are empty.
      const message = `Failed to inspect image "": ${error instanceof Error ? error.message : String(error)}`;
      recorder.event(ref, 'Warning', ImageEvents.FailedToInspectImage, message);
      return { ok: false, reason: ImageErrors.ErrImageInspect, message };
    }
  }

  /** The deferred record step after a pull attempt or a back-off refusal: the pulled record, or the intent released. */
  #finish(image: string, imageRef: string | undefined, used: TrackedAuthConfig | undefined): void {
    const { featureGateEnabled, pullManager } = this.#options;
    if (!featureGateEnabled) return;
    if (imageRef === undefined) pullManager.recordImagePullFailed(image);
    else pullManager.recordImagePulled(image, imageRef, trackedToImagePullCreds(used));
  }

  #neverPull(ref: ObjectRef, image: string): EnsureImageResult {
    const message = `Container image ${quote(image)} is not present with pull policy of Never`;
    this.#options.recorder.event(ref, 'Warning', ImageEvents.ErrImageNeverPullPolicy, message);
    return { ok: false, reason: ImageErrors.ErrImageNeverPull, message };
  }

  /** `makeLookupPullCredentialsFunc`: pod secrets, then the node keyring, then credential-provider plugins. */
  #lookupPullCredentials(
    specImage: string,
    request: EnsureImageRequest,
  ): { ok: true; credentials: TrackedAuthConfig[] } | { ok: false; error: string } {
    const { credentialSources, featureGateEnabled, profile } = this.#options;
    const parsed = parseImageName(specImage);
    if (!parsed.ok) return { ok: false, error: parsed.error };
    const serviceAccount = credentialSources.getServiceAccount(
      request.pod.namespace,
      request.pod.serviceAccountName,
    );
    return lookupPullCredentials(parsed.value.repository, {
      pullSecrets: request.pullSecrets,
      nodeConfig: credentialSources.nodeDockerConfig(),
      plugins: credentialSources.plugins(),
      serviceAccount,
      serviceAccountName: request.pod.serviceAccountName,
      serviceAccountTracking: profile.serviceAccountTracking,
      computeHashes: featureGateEnabled,
    });
  }
}

/**
 * `trackedToImagePullCreds`: what a successful pull records. No credential, or one without a source (node
 * config, a plugin not in service-account mode) ⇒ node-wide; a secret ⇒ its coordinates and hash; a service
 * account ⇒ its coordinates.
 */
export function trackedToImagePullCreds(used: TrackedAuthConfig | undefined): ImagePullCredentials {
  const source: CredentialSource | undefined = used?.source;
  if (used === undefined || source === undefined) return { nodePodsAccessible: true };
  if (source.kind === 'secret') {
    return {
      kubernetesSecrets: [
        {
          uid: source.uid,
          namespace: source.namespace,
          name: source.name,
          credentialHash: used.credentialHash,
        },
      ],
    };
  }
  return { kubernetesServiceAccounts: [{ uid: source.uid, namespace: source.namespace, name: source.name }] };
}

/** Go's `%q`, as the kubelet formats image strings in its messages. */
const quote = goQuote;

function truncateToMillisecond(value: number): Ticks {
  return ticks(value - (value % TICKS_PER_MILLISECOND));
}
