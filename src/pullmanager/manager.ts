import type { Clock, EventRecorder, ImageService } from '../ports.js';
import { trimImageTagDigest } from '../reference/index.js';
import type { Ticks } from '../time.js';
import type { PullRecordsAccessor } from './accessor.js';
import { StripedLockSet } from './locks.js';
import type { ImagePullPolicyEnforcer } from './policy.js';
import { pulledRecordMergeNewCreds } from './record-merge.js';
import type {
  ImagePullCredentials,
  ImagePulledRecord,
  ImagePullSecret,
  ImagePullServiceAccount,
} from './records.js';

/** Stop writing match-time records once an entry holds this many secrets (`writeRecordWhileMatchingLimit`). */
export const WRITE_RECORD_WHILE_MATCHING_LIMIT = 100;

/** The credentials a pod offers for matching: its secrets (one per matching registry key) and its first SA. */
export interface PodCredentials {
  readonly secrets: readonly ImagePullSecret[];
  readonly serviceAccount?: ImagePullServiceAccount;
}

/** Lazily computes the pod's credentials (PM-1.35 `GetPodCredentials`); an error fails EnsureImageExists. */
export type GetPodCredentials = () =>
  | { readonly ok: true; readonly value: PodCredentials }
  | { readonly ok: false; readonly error: string };

/** `kubelet_imagemanager_image_mustpull_checks_total{result}` labels. */
export type MustPullCheckResult =
  | 'credentialPolicyAllowed'
  | 'credentialRecordFound'
  | 'mustAuthenticate'
  | 'error';

export interface MustAttemptImagePullAnswer {
  /** True: a pull (credential verification) is required. */
  readonly mustPull: boolean;
  /** Only from the lazy credential lookup; EnsureImageExists then fails with this text. */
  readonly error?: string;
  /** The metric label; absent for an empty imageRef (not counted, as upstream). */
  readonly result?: MustPullCheckResult;
  /** Where the decision was taken, for traces: a step of docs/kubelet-model.md#mustattemptimagepull. */
  readonly why: string;
  /**
   * For a "no pull needed" answer: what allowed it, so that tools can check the claim against the world (a
   * campaign's classifier of documented gaps does).
   */
  readonly match?: MustAttemptImagePullMatch;
}

/** What let a present image be used without a pull (docs/kubelet-model.md#mustattemptimagepull steps 3, 7, 10, 11). */
export type MustAttemptImagePullMatch =
  | { readonly kind: 'policy'; readonly pulledByKubelet: boolean }
  | { readonly kind: 'node-wide' }
  | {
      readonly kind: 'secret';
      readonly by: 'hash' | 'coordinates';
      readonly podSecret: ImagePullSecret;
      readonly cachedSecret: ImagePullSecret;
    }
  | { readonly kind: 'service-account'; readonly account: ImagePullServiceAccount };

/** The pull manager's interface (`ImagePullManager`, pkg/kubelet/images/pullmanager/interfaces.go). */
export interface ImagePullManager {
  recordPullIntent(image: string): { readonly error?: string };
  recordImagePulled(image: string, imageRef: string, credentials: ImagePullCredentials | undefined): void;
  recordImagePullFailed(image: string): void;
  mustAttemptImagePull(
    image: string,
    imageRef: string,
    getPodCredentials: GetPodCredentials,
  ): MustAttemptImagePullAnswer;
  pruneUnknownRecords(imageIdsInUse: readonly string[], until: Ticks): void;
  /** In-flight pull counts per image string (in memory only; 0 after a restart). */
  intentCount(image: string): number;
  readonly mustPullChecks: Readonly<Record<MustPullCheckResult, number>>;
}

export interface PullManagerOptions {
  readonly accessor: PullRecordsAccessor;
  readonly policy: ImagePullPolicyEnforcer;
  readonly imageService: ImageService;
  readonly clock: Clock;
  readonly recorder: EventRecorder;
  /** The credentialMapping key form (profile option, docs/kubelet-model.md#image-names-and-keys). */
  readonly credentialMappingKey: 'normalised' | 'familiar';
  /** `lockStripesNum` (the kubelet passes maxParallelImagePulls) and whether #138935's panic applies. */
  readonly lockStripes?: number;
  readonly lockStripesPanic?: boolean;
  /** TEST ONLY: see KubeletProfile.plantedBug. */
  readonly plantedBug?: 'skip-credential-hash-comparison';
}

/**
 * The pull manager of KEP-2535 (`PullManager`, pkg/kubelet/images/pullmanager/image_pull_manager.go @ a02748c1):
 * intent bookkeeping, the must-attempt-pull decision, record writes and merges, start-up conversion of leftover
 * intents, and pruning for image GC. Construct with `createPullManager`, which also runs `initialize`.
 */
export class PullManager implements ImagePullManager {
  readonly #accessor: PullRecordsAccessor;
  readonly #policy: ImagePullPolicyEnforcer;
  readonly #imageService: ImageService;
  readonly #clock: Clock;
  readonly #recorder: EventRecorder;
  readonly #keyForm: 'normalised' | 'familiar';
  readonly #intentLocks: StripedLockSet;
  readonly #pulledLocks: StripedLockSet;
  readonly #intentCounters = new Map<string, number>();
  readonly #plantedBug: 'skip-credential-hash-comparison' | undefined;
  readonly #checks: Record<MustPullCheckResult, number> = {
    credentialPolicyAllowed: 0,
    credentialRecordFound: 0,
    mustAuthenticate: 0,
    error: 0,
  };

  constructor(options: PullManagerOptions) {
    this.#accessor = options.accessor;
    this.#policy = options.policy;
    this.#imageService = options.imageService;
    this.#clock = options.clock;
    this.#recorder = options.recorder;
    this.#keyForm = options.credentialMappingKey;
    this.#plantedBug = options.plantedBug;
    const stripes = options.lockStripes ?? 1;
    this.#intentLocks = new StripedLockSet(stripes, options.lockStripesPanic ?? false);
    this.#pulledLocks = new StripedLockSet(stripes, options.lockStripesPanic ?? false);
  }

  get mustPullChecks(): Readonly<Record<MustPullCheckResult, number>> {
    return this.#checks;
  }

  intentCount(image: string): number {
    return this.#intentCounters.get(image) ?? 0;
  }

  /** Writes the intent file, then counts the in-flight pull. A write error aborts the pull. */
  recordPullIntent(image: string): { readonly error?: string } {
    this.#intentLocks.lock(image);
    const written = this.#accessor.writeImagePullIntent(image);
    if (written.error !== undefined) return { error: `failed to record image pull intent: ${written.error}` };
    this.#intentCounters.set(image, this.intentCount(image) + 1);
    return {};
  }

  /**
   * Writes or merges the pulled record, then releases the intent. When the record write fails the intent is
   * deliberately kept, so the image still counts as kubelet-pulled and the next start-up converts it.
   */
  recordImagePulled(image: string, imageRef: string, credentials: ImagePullCredentials | undefined): void {
    const error = this.#writePulledRecordIfChanged(image, imageRef, credentials);
    if (error !== undefined) {
      this.#recorder.log('failed to write image pulled record', { imageRef, err: error });
      return;
    }
    this.#decrementImagePullIntent(image);
  }

  recordImagePullFailed(image: string): void {
    this.#decrementImagePullIntent(image);
  }

  #decrementImagePullIntent(image: string): void {
    this.#intentLocks.lock(image);
    const count = this.intentCount(image);
    if (count <= 1) {
      const deleted = this.#accessor.deleteImagePullIntent(image);
      if (deleted.error !== undefined) {
        this.#recorder.log('failed to remove image pull intent', { image, err: deleted.error });
        return;
      }
      this.#intentCounters.delete(image);
      return;
    }
    this.#intentCounters.set(image, count - 1);
  }

  /** Returns an error text, or undefined on success (including "nothing to write"). */
  #writePulledRecordIfChanged(
    image: string,
    imageRef: string,
    credentials: ImagePullCredentials | undefined,
  ): string | undefined {
    this.#pulledLocks.lock(imageRef);
    const key = trimImageTagDigest(image, this.#keyForm);
    if (!key.ok) return `invalid image name ${JSON.stringify(image)}: ${key.error}`;
    const got = this.#accessor.getImagePulledRecord(imageRef);
    let record = got.record;
    if (got.error !== undefined) {
      // A corrupt record is treated as absent and overwritten by this write (fail safe).
      this.#recorder.log('failed to retrieve an ImagePulledRecord', { image, err: got.error });
      record = undefined;
    }
    let next: ImagePulledRecord;
    if (record === undefined) {
      next = {
        lastUpdatedTime: this.#clock.now(),
        imageRef,
        credentialMapping: credentials === undefined ? {} : { [key.value]: credentials },
      };
    } else {
      const merged = pulledRecordMergeNewCreds(record, key.value, credentials, this.#clock.now());
      if (!merged.changed) return undefined;
      next = merged.record;
    }
    return this.#accessor.writeImagePulledRecord(next).error;
  }

  /**
   * `MustAttemptImagePull` (image_pull_manager.go): whether the pod must pull, and so prove its credentials, before
   * it may use an image that is on the node. The steps follow upstream's order; their numbers are those of
   * docs/kubelet-model.md#mustattemptimagepull.
   */
  mustAttemptImagePull(
    image: string,
    imageRef: string,
    getPodCredentials: GetPodCredentials,
  ): MustAttemptImagePullAnswer {
    // 1. No imageRef: the image is not on the node.
    if (imageRef === '') return { mustPull: true, why: 'image not present' };
    // 2. Under the record lock, then the intent lock: did the kubelet pull this image?
    const pulled = this.#imagePulledByKubelet(image, imageRef);
    if (!pulled.ok) return this.#unreadable(pulled.error);
    const { pulledByKubelet, record } = pulled;
    // 3. The policy may not ask for verification at all.
    if (!this.#policy.requireCredentialVerificationForImage(image, pulledByKubelet)) {
      return this.#answer(
        false,
        'credentialPolicyAllowed',
        pulledByKubelet ? 'policy exempts the image' : 'preloaded image exempt by policy',
        { kind: 'policy', pulledByKubelet },
      );
    }
    // 4–8. What the record holds for this image's name.
    const cachedCreds = this.#cachedCredentials(image, record);
    if ('mustPull' in cachedCreds) return cachedCreds;
    // 9. The pod's credentials, looked up only now (lazily since kubernetes/kubernetes#133079).
    const credentials = getPodCredentials();
    if (!credentials.ok) {
      this.#checks.error++;
      return {
        mustPull: true,
        error: credentials.error,
        result: 'error',
        why: 'pod credential lookup failed',
      };
    }
    // 10. A pod secret that matches a recorded one.
    const bySecret = this.#matchPodSecrets(image, imageRef, credentials.value.secrets, cachedCreds.secrets);
    if (bySecret !== undefined) return bySecret;
    // 11. The pod's service account among the recorded ones.
    const account = credentials.value.serviceAccount;
    if (
      account !== undefined &&
      cachedCreds.serviceAccounts.some(
        (c) => c.uid === account.uid && c.namespace === account.namespace && c.name === account.name,
      )
    ) {
      return this.#answer(false, 'credentialRecordFound', 'service account matches a recorded one', {
        kind: 'service-account',
        account,
      });
    }
    // 12. Nothing recorded lets this pod use the image.
    return this.#answer(true, 'mustAuthenticate', 'no recorded credential matches the pod');
  }

  /**
   * Step 2 (upstream's locked closure that sets `imagePulledByKubelet`): a record that exists but cannot be read is
   * an error; a record that exists means pulled, whatever names it holds (kubernetes/kubernetes#138175); without
   * one, an in-flight pull (the in-memory counter) or an intent file for exactly this string means pulled.
   */
  #imagePulledByKubelet(
    image: string,
    imageRef: string,
  ):
    | { readonly ok: true; readonly pulledByKubelet: boolean; readonly record: ImagePulledRecord | undefined }
    | { readonly ok: false; readonly error: string } {
    this.#pulledLocks.lock(imageRef);
    this.#intentLocks.lock(image);
    const got = this.#accessor.getImagePulledRecord(imageRef);
    if (got.error !== undefined) return { ok: false, error: got.error };
    const record = got.record;
    if (got.exists || record !== undefined) return { ok: true, pulledByKubelet: true, record };
    if (this.intentCount(image) > 0) return { ok: true, pulledByKubelet: true, record };
    const intent = this.#accessor.imagePullIntentExists(image);
    if (intent.error !== undefined)
      return { ok: false, error: `failed to check existence of an image pull intent: ${intent.error}` };
    return { ok: true, pulledByKubelet: intent.exists, record };
  }

  /**
   * Steps 4–8 (upstream's `cachedCreds`): the record's entry for the image's name, as the credentials to match, or
   * the answer when there is nothing to match (a node-wide entry answers without looking up the pod's).
   */
  #cachedCredentials(
    image: string,
    record: ImagePulledRecord | undefined,
  ):
    | MustAttemptImagePullAnswer
    | {
        readonly secrets: readonly ImagePullSecret[];
        readonly serviceAccounts: readonly ImagePullServiceAccount[];
      } {
    if (record === undefined)
      return this.#answer(true, 'mustAuthenticate', 'no pulled record for the imageRef');
    const key = trimImageTagDigest(image, this.#keyForm);
    if (!key.ok) return this.#answer(true, 'error', `image name does not parse: ${key.error}`);
    const cached = record.credentialMapping[key.value];
    if (cached === undefined)
      return this.#answer(true, 'mustAuthenticate', `no credentials recorded for ${key.value}`);
    if (cached.nodePodsAccessible)
      return this.#answer(false, 'credentialRecordFound', 'node-wide access recorded', { kind: 'node-wide' });
    const secrets = cached.kubernetesSecrets ?? [];
    const serviceAccounts = cached.kubernetesServiceAccounts ?? [];
    if (secrets.length === 0 && serviceAccounts.length === 0) {
      return this.#answer(true, 'mustAuthenticate', 'record entry holds no credentials');
    }
    return { secrets, serviceAccounts };
  }

  /**
   * Step 10 (upstream's loop over the pod's secrets): a recorded secret with the same non-empty hash, or with the
   * same coordinates while the entry is under `WRITE_RECORD_WHILE_MATCHING_LIMIT` (then the pod's secret is
   * written into the entry). Undefined when no secret matches.
   */
  #matchPodSecrets(
    image: string,
    imageRef: string,
    podSecrets: readonly ImagePullSecret[],
    cachedSecrets: readonly ImagePullSecret[],
  ): MustAttemptImagePullAnswer | undefined {
    const underLimit = cachedSecrets.length < WRITE_RECORD_WHILE_MATCHING_LIMIT;
    for (const podSecret of podSecrets) {
      for (const cachedSecret of cachedSecrets) {
        const hashesMatch =
          this.#plantedBug === 'skip-credential-hash-comparison' ||
          (cachedSecret.credentialHash.length > 0 &&
            podSecret.credentialHash === cachedSecret.credentialHash);
        const coordinatesMatch =
          podSecret.uid === cachedSecret.uid &&
          podSecret.namespace === cachedSecret.namespace &&
          podSecret.name === cachedSecret.name;
        if (hashesMatch) {
          if (!coordinatesMatch && underLimit) this.#matchWrite(image, imageRef, podSecret);
          return this.#answer(false, 'credentialRecordFound', 'credential hash matches a recorded secret', {
            kind: 'secret',
            by: 'hash',
            podSecret,
            cachedSecret,
          });
        }
        if (coordinatesMatch && underLimit) {
          // A rotated secret (same object, new content) keeps matching; the stored hash is refreshed.
          this.#matchWrite(image, imageRef, podSecret);
          return this.#answer(false, 'credentialRecordFound', 'secret coordinates match a recorded secret', {
            kind: 'secret',
            by: 'coordinates',
            podSecret,
            cachedSecret,
          });
        }
      }
    }
    return undefined;
  }

  #matchWrite(image: string, imageRef: string, podSecret: ImagePullSecret): void {
    const error = this.#writePulledRecordIfChanged(image, imageRef, { kubernetesSecrets: [podSecret] });
    if (error !== undefined)
      this.#recorder.log('failed to write an image pulled record', { image, imageRef, err: error });
  }

  #unreadable(error: string): MustAttemptImagePullAnswer {
    // Fail safe: a record or intent that cannot be read means "must pull", never an error.
    this.#recorder.log('Unable to access cache records about image pulls', { err: error });
    return this.#answer(true, 'error', 'pull records unreadable');
  }

  #answer(
    mustPull: boolean,
    result: MustPullCheckResult,
    why: string,
    match?: MustAttemptImagePullMatch,
  ): MustAttemptImagePullAnswer {
    this.#checks[result]++;
    return match === undefined ? { mustPull, result, why } : { mustPull, result, why, match };
  }

  /**
   * Image GC (`PruneUnknownRecords`): deletes every pulled record last updated before `until` whose imageRef is
   * not among `imageIdsInUse`. Times compared are the on-disk values (whole seconds). Intents are never pruned.
   */
  pruneUnknownRecords(imageIdsInUse: readonly string[], until: Ticks): void {
    const listed = this.#accessor.listImagePulledRecords();
    if (listed.errors.length > 0) {
      this.#recorder.log(
        'there were errors listing ImagePulledRecords, garbage collection will proceed with incomplete records list',
        {
          errors: listed.errors.length,
        },
      );
    }
    const inUse = new Set(imageIdsInUse);
    for (const record of listed.records) {
      if (record.lastUpdatedTime !== null && record.lastUpdatedTime >= until) continue;
      if (inUse.has(record.imageRef)) continue;
      const deleted = this.#accessor.deleteImagePulledRecord(record.imageRef);
      if (deleted.error !== undefined)
        this.#recorder.log('failed to remove an ImagePulledRecord', {
          imageRef: record.imageRef,
          err: deleted.error,
        });
    }
  }

  /**
   * Start-up (`initialize`): every leftover intent whose image string equals a RepoDigest or RepoTag of an image
   * the runtime has becomes a credential-less pulled record, and the intent file is deleted. Intents that match
   * nothing stay and keep the image string "kubelet-pulled".
   */
  initialize(): void {
    const listed = this.#accessor.listImagePullIntents();
    if (listed.errors.length > 0) {
      this.#recorder.log(
        'there were errors listing ImagePullIntents, continuing with an incomplete records list',
        {
          errors: listed.errors.length,
        },
      );
    }
    if (listed.intents.length === 0) return;
    let images: ReturnType<ImageService['listImages']> = [];
    try {
      images = this.#imageService.listImages();
    } catch (error) {
      this.#recorder.log('failed to list images', {
        err: error instanceof Error ? error.message : String(error),
      });
    }
    const inFlight = new Set(listed.intents.map((intent) => intent.image));
    for (const image of images) {
      // Upstream iterates a Go set here (random order); pullsim sorts for determinism.
      const matches = new Set<string>();
      for (const digest of image.repoDigests) if (inFlight.has(digest)) matches.add(digest);
      for (const tag of image.repoTags) if (inFlight.has(tag)) matches.add(tag);
      for (const name of [...matches].sort()) {
        const error = this.#writePulledRecordIfChanged(name, image.id, undefined);
        if (error !== undefined) {
          this.#recorder.log('failed to write an image pull record', { imageRef: image.id, err: error });
          continue;
        }
        const deleted = this.#accessor.deleteImagePullIntent(name);
        if (deleted.error !== undefined)
          this.#recorder.log('failed to remove image pull intent file', {
            imageName: name,
            err: deleted.error,
          });
      }
    }
  }
}

/** The pull manager used when the feature gate is off (`NoopImagePullManager`): no records, never a pull. */
export class NoopPullManager implements ImagePullManager {
  readonly mustPullChecks: Readonly<Record<MustPullCheckResult, number>> = {
    credentialPolicyAllowed: 0,
    credentialRecordFound: 0,
    mustAuthenticate: 0,
    error: 0,
  };
  recordPullIntent(): { readonly error?: string } {
    return {};
  }
  recordImagePulled(): void {}
  recordImagePullFailed(): void {}
  mustAttemptImagePull(): MustAttemptImagePullAnswer {
    return { mustPull: false, why: 'feature gate off' };
  }
  pruneUnknownRecords(): void {}
  intentCount(): number {
    return 0;
  }
}

/** Builds the pull manager and runs its start-up step, as `NewImagePullManager` does. */
export function createPullManager(options: PullManagerOptions): PullManager {
  const manager = new PullManager(options);
  manager.initialize();
  return manager;
}
