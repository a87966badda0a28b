/**
 * The environment of `pkg/kubelet/images/image_manager_test.go` (`pullerTestEnv`) around pullsim's ImageManager:
 * a runtime holding `present_image:latest`, a back-off of 1 s doubling to 1 min on a clock stepped 1 s before each
 * EnsureImageExists, the test's mock pull manager (`mockImagePullManager`, `mockImagePullManagerWithTracking`) and
 * its keyring. Where the Go test's mock keyring returns credentials with a service-account source, pullsim gets
 * them the way the kubelet does: from a service-account-token credential-provider plugin for the pod's account;
 * credentials with no source come from the node's docker config.
 */

import type { EnsureImageResult, PullImageJob } from '../../src/image-manager/image-manager.js';
import { Backoff, ImageManager, type PullPolicy } from '../../src/image-manager/index.js';
import { type KubeletVersion, kubeletProfile } from '../../src/profiles.js';
import type {
  ImagePullManager,
  MustAttemptImagePullAnswer,
  PodCredentials,
} from '../../src/pullmanager/manager.js';
import type { ImagePullCredentials } from '../../src/pullmanager/records.js';
import {
  dockerConfigJsonSecret,
  FakeClock,
  FakeCredentialSources,
  FakeImageService,
  fakePlugin,
  pullFailed,
  pullSucceeded,
  RecordingEventRecorder,
  seconds,
} from '../support/kubelet-fakes.js';

const REPO = 'docker.io/library/present_image';

/** Namespace, name and UID: a pull secret's or a service account's coordinates. */
export interface Coordinates {
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
}

/** `mockImagePullManagerConfig`: absent means allow all; otherwise image → the allowed secrets and accounts. */
export interface AllowedCredentials {
  readonly secrets?: Readonly<Record<string, readonly Coordinates[]>>;
  readonly serviceAccounts?: Readonly<Record<string, readonly Coordinates[]>>;
}

/** The registry credentials of the Go test's mock keyring for `REPO`: from a service account, or node-wide. */
export type RegistryCredentials =
  | { readonly kind: 'serviceAccount'; readonly uid: string }
  | { readonly kind: 'node' };

export interface EnvFacts {
  readonly image: string;
  readonly policy: PullPolicy;
  /** KubeletEnsureSecretPulledImages enabled. */
  readonly gate: boolean;
  readonly inspectErr?: string;
  readonly pullerErr?: string;
  /** `makeDockercfgSecretForRepo(meta, REPO)` pull secrets. */
  readonly pullSecrets?: readonly Coordinates[];
  readonly allowed?: AllowedCredentials;
  readonly serviceAccountName?: string;
  readonly registry?: RegistryCredentials;
}

/** What one EnsureImageExists call did: the fake runtime's calls, the error, the message and the event reasons. */
export interface Observed {
  readonly calls: readonly string[];
  readonly err: string | null;
  readonly msg: string;
  readonly events: readonly string[];
}

/** A mock pull manager that keeps what its last `MustAttemptImagePull` saw, as `mockImagePullManagerWithTracking`. */
export interface MockPullManager extends ImagePullManager {
  mustAttemptCalled: boolean;
  lastSecrets: readonly Coordinates[];
  lastServiceAccounts: readonly Coordinates[];
  recorded: ImagePullCredentials | undefined;
}

const sameCoordinates = (a: Coordinates, b: Coordinates) =>
  a.namespace === b.namespace && a.name === b.name && a.uid === b.uid;

/** `mockImagePullManager.MustAttemptImagePull` (allowed) or `mockImagePullManagerWithTracking` (`answer`). */
function decide(image: string, pod: PodCredentials, allowed: AllowedCredentials | undefined): boolean {
  if (allowed === undefined) return false;
  const secrets = allowed.secrets?.[image] ?? [];
  if (pod.secrets.some((s) => secrets.some((a) => sameCoordinates(s, a)))) return false;
  const account = pod.serviceAccount;
  const accounts = allowed.serviceAccounts?.[image] ?? [];
  if (account !== undefined && accounts.some((a) => sameCoordinates(account, a))) return false;
  return true;
}

/** A mock pull manager: `mustPull` decides from the pod's credentials; every call is tracked. */
export function mockPullManager(mustPull: (image: string, pod: PodCredentials) => boolean): MockPullManager {
  const mock: MockPullManager = {
    mustAttemptCalled: false,
    lastSecrets: [],
    lastServiceAccounts: [],
    recorded: undefined,
    recordPullIntent: () => ({}),
    recordImagePulled: (_image, _ref, credentials) => {
      mock.recorded = credentials;
    },
    recordImagePullFailed: () => {},
    mustAttemptImagePull(image, _imageRef, getPodCredentials): MustAttemptImagePullAnswer {
      mock.mustAttemptCalled = true;
      const credentials = getPodCredentials();
      if (!credentials.ok) return { mustPull: true, error: credentials.error, why: 'mock' };
      mock.lastSecrets = credentials.value.secrets;
      const account = credentials.value.serviceAccount;
      if (account !== undefined) mock.lastServiceAccounts = [account];
      return { mustPull: mustPull(image, credentials.value), why: 'mock' };
    },
    pruneUnknownRecords: () => {},
    intentCount: () => 0,
    mustPullChecks: { credentialPolicyAllowed: 0, credentialRecordFound: 0, mustAuthenticate: 0, error: 0 },
  };
  return mock;
}

/** The upstream test's keyring: pull secrets, and the mock keyring's tracked credentials for `REPO`. */
function credentialSources(facts: EnvFacts): FakeCredentialSources {
  const sources = new FakeCredentialSources();
  const registry = facts.registry;
  if (registry?.kind === 'node')
    sources.nodeConfig = { [REPO]: { username: 'node-user', password: 'node-pass' } };
  if (registry?.kind === 'serviceAccount') {
    const name = facts.serviceAccountName ?? '';
    sources.addServiceAccount({ namespace: 'test-ns', name, uid: registry.uid });
    sources.pluginList.push(
      fakePlugin(
        { [REPO]: { username: 'sa-user', password: 'sa-token' } },
        { serviceAccountTokenMode: true },
      ),
    );
  }
  return sources;
}

export interface Env {
  readonly pullManager: MockPullManager;
  /** One EnsureImageExists with the clock stepped 1 s first, as each step of the Go tests. */
  step(): Observed;
}

/** `pullerTestEnv`: the image manager of `version` with the case's runtime, pull manager and keyring. */
export function pullerTestEnv(facts: EnvFacts, version: KubeletVersion, pullManager?: MockPullManager): Env {
  const images = new FakeImageService();
  images.add({ id: 'present_image:latest' }, 'present_image:latest');
  if (facts.inspectErr !== undefined) images.statusError = facts.inspectErr;
  const clock = new FakeClock();
  const recorder = new RecordingEventRecorder();
  const manager = pullManager ?? mockPullManager((image, pod) => decide(image, pod, facts.allowed));
  const imageManager = new ImageManager({
    profile: kubeletProfile(version),
    featureGateEnabled: facts.gate,
    imageService: images,
    pullManager: manager,
    credentialSources: credentialSources(facts),
    clock,
    recorder,
    backoff: new Backoff(seconds(1), seconds(60)),
  });
  const pullSecrets = (facts.pullSecrets ?? []).map((meta) =>
    dockerConfigJsonSecret({ ...meta, registry: REPO, username: 'user', password: 'password' }),
  );
  const request = {
    pod: {
      uid: 'bar',
      namespace: 'test-ns',
      name: 'test_pod',
      serviceAccountName: facts.serviceAccountName ?? '',
    },
    containerName: 'container_name',
    image: facts.image,
    pullPolicy: facts.policy,
    pullSecrets,
  };
  const step = (): Observed => {
    clock.advance(seconds(1));
    const statusBefore = images.statusCalls.length;
    const eventsBefore = recorder.events.length;
    const process = imageManager.ensureImageExists(request);
    const first = process.next();
    let result: EnsureImageResult;
    let job: PullImageJob | undefined;
    if (first.done) result = first.value;
    else {
      job = first.value;
      const answer = facts.pullerErr === undefined ? pullSucceeded(job.image) : pullFailed(facts.pullerErr);
      const resumed = process.next(answer);
      if (!resumed.done) throw new Error('EnsureImageExists yielded twice');
      result = resumed.value;
    }
    const calls: string[] = [];
    if (images.statusCalls.length > statusBefore) calls.push('GetImageRef');
    if (job !== undefined) calls.push('PullImage');
    if (job !== undefined && result.ok) calls.push('GetImageSize');
    return {
      calls,
      err: result.ok ? null : result.reason,
      msg: result.message,
      events: recorder.events.slice(eventsBefore).map((event) => event.reason),
    };
  };
  return { pullManager: manager, step };
}
