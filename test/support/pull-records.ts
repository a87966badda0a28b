/**
 * Helpers for pull-manager tests: the kubelet's test-data files (test/fixtures/kubelet) by name, a pull manager on
 * the real accessor stack over a memory filesystem, and pod-credential functions that count their calls.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type KubeletProfile, type KubeletVersion, kubeletProfile } from '../../src/profiles.js';
import {
  createPullManager,
  type GetPodCredentials,
  type PullManager,
} from '../../src/pullmanager/manager.js';
import {
  createPolicyEnforcer,
  type ImagePullCredentialsVerificationPolicy,
  parseAllowlist,
} from '../../src/pullmanager/policy.js';
import { openPullRecordsStore, type PullRecordsStore } from '../../src/pullmanager/pull-records-store.js';
import type { ImagePullSecret, ImagePullServiceAccount } from '../../src/pullmanager/records.js';
import {
  FakeClock,
  FakeImageService,
  KUBELET_ROOT,
  PULLED_DIR,
  PULLING_DIR,
  RecordingEventRecorder,
} from './kubelet-fakes.js';
import { MemoryFileSystem } from './memory-fs.js';

const FIXTURES = join(import.meta.dirname, '../fixtures/kubelet');

/** The secret the kubelet's test data credits (`testimageref`; with an empty hash, `test-brokenhash`). */
export const FIXTURE_SECRET: ImagePullSecret = {
  uid: 'testsecretuid',
  namespace: 'default',
  name: 'pull-secret',
  credentialHash: 'testsecrethash',
};

/** The service account of the kubelet's service-account test data and test cases. */
export const FIXTURE_SERVICE_ACCOUNT: ImagePullServiceAccount = {
  uid: 'test-sa-uid',
  namespace: 'default',
  name: 'test-sa',
};

/** The pulled-record fixtures by what they hold (file name → see test/fixtures/kubelet/README.md). */
export const PULLED_FIXTURES = {
  /** imageRef `testimageref`: secret default/pull-secret (testsecretuid, testsecrethash) for docker.io/testing/test. */
  secret: 'sha256-b3c0cc4278800b03a308ceb2611161430df571ca733122f0a40ac8b9792a9064',
  /** imageRef `testimageref1`: secret different-ns/pull-secret (testsecretuid-different, testsecrethash). */
  secretOtherNamespace: 'sha256-d77ed7480bc819274ea7a4dba5b2699b2d3f73c6e578762df42e5a8224771096',
  /** imageRef `testimage-anonpull`: node-accessible for docker.io/testing/test (v1beta1). */
  anonymous: 'sha256-a2eace2182b24cdbbb730798e47b10709b9ef5e0f0c1624a3bc06c8ca987727a',
  /** imageRef `testimage-anonpull-alpha`: node-accessible (v1alpha1). */
  anonymousAlpha: 'sha256-dd1dd8dc6a329b7e1c2e43951302b23a047cb20fd3e10090e4ce7e8396035405',
  /** imageRef `testemptycredmapping`: no credentialMapping (v1alpha1). */
  emptyMapping: 'sha256-f8778b6393eaf39315e767a58cbeacf2c4b270d94b4d6926ee993d9e49444991',
  /** imageRef `test-brokenhash`: secret default/pull-secret with an empty hash. */
  brokenHash: 'sha256-38a8906435c4dd5f4258899d46621bfd8eea3ad6ff494ee3c2f17ef0321625bd',
  /** imageRef `testimageref-sa`: service account default/test-sa (test-sa-uid), v1alpha1. */
  serviceAccount: 'sha256-917e8b3439bf8a7a6f37ffd2d2ddfdfafac8a251bf214a0be39675742b420b1a',
  /** imageRef `testbrokenrecord`: malformed on purpose. */
  malformed: 'sha256-e766e4624f9bc4d3847d6c5b470d9d5362cc8d0c250bd9572daf95278e044263',
  /** imageRef `policyallowed`: secret secretns/pull-secret for docker.io/testing/policyexempt (v1alpha1). */
  policyExempt: 'sha256-f4058727984875eb66ddbf289f7013096d4cbaa167e591fbcb2e447e36391c1f',
} as const;

/** The intent fixtures by image string. */
export const PULLING_FIXTURES = {
  /** `docker.io/testing/test:latest` (v1beta1). */
  testLatest: 'sha256-aef2af226629a35d5f3ef0fdbb29fdbebf038d0acd8850590e8c48e1e283aa56',
  /** `docker.io/testing/test:something` (v1alpha1). */
  testSomething: 'sha256-f24acc752be18b93b0504c86312bbaf482c9efb0c45e925bbccb0a591cebd7af',
  /** `repo.repo/test/test:v1` (v1beta1). */
  repoV1: 'sha256-ee81caca15454863449fb55a1d942904d56d5ed9f9b20a7cb3453944ea2c7e11',
} as const;

/** The bytes of one fixture file. */
export function fixtureText(dir: 'pulled' | 'pulling', name: string): string {
  return readFileSync(join(FIXTURES, dir, name), 'utf8');
}

/** Copies fixture files into `<root>/image_manager/{pulled,pulling}/` of a memory filesystem. */
export function putFixtures(
  fs: MemoryFileSystem,
  files: { pulled?: readonly string[]; pulling?: readonly string[] },
): void {
  for (const name of files.pulled ?? []) fs.put(`${PULLED_DIR}/${name}`, fixtureText('pulled', name));
  for (const name of files.pulling ?? []) fs.put(`${PULLING_DIR}/${name}`, fixtureText('pulling', name));
}

export interface ManagerHarness {
  readonly profile: KubeletProfile;
  readonly fs: MemoryFileSystem;
  readonly clock: FakeClock;
  readonly images: FakeImageService;
  readonly recorder: RecordingEventRecorder;
  readonly store: PullRecordsStore;
  readonly manager: PullManager;
}

export interface ManagerOptions {
  readonly version?: KubeletVersion;
  readonly profileOverrides?: Parameters<typeof kubeletProfile>[1];
  readonly policy?: ImagePullCredentialsVerificationPolicy;
  readonly allowlist?: readonly string[];
  readonly fs?: MemoryFileSystem;
  readonly clock?: FakeClock;
  readonly images?: FakeImageService;
  readonly pulled?: readonly string[];
  readonly pulling?: readonly string[];
}

/**
 * A pull manager as the kubelet builds it (profile's accessor stack over a memory filesystem, the policy, the
 * start-up `initialize`). Fixture files are copied in before the store opens, as files left by an earlier run.
 */
export function startManager(options: ManagerOptions = {}): ManagerHarness {
  const profile = kubeletProfile(options.version ?? '1.36', options.profileOverrides ?? {});
  const fs = options.fs ?? new MemoryFileSystem();
  putFixtures(fs, { pulled: options.pulled ?? [], pulling: options.pulling ?? [] });
  const clock = options.clock ?? new FakeClock();
  const images = options.images ?? new FakeImageService();
  const recorder = new RecordingEventRecorder();
  const store = openPullRecordsStore(fs, KUBELET_ROOT, profile, { logger: recorder });
  const allowlist = parseAllowlist(options.allowlist ?? []);
  if (!allowlist.ok) throw new Error(`bad allowlist: ${JSON.stringify(allowlist.errors)}`);
  const manager = createPullManager({
    accessor: store.accessor,
    policy: createPolicyEnforcer(
      options.policy ?? 'NeverVerifyPreloadedImages',
      allowlist.value,
      profile.allowlistMatching,
    ),
    imageService: images,
    clock,
    recorder,
    credentialMappingKey: profile.credentialMappingKey,
  });
  return { profile, fs, clock, images, recorder, store, manager };
}

/** A GetPodCredentials that returns fixed credentials and counts its calls. */
export interface CountingPodCredentials extends GetPodCredentials {
  calls: number;
}

export function podCredentials(
  secrets: readonly ImagePullSecret[] = [],
  serviceAccount?: ImagePullServiceAccount,
): CountingPodCredentials {
  const fn = (() => {
    fn.calls++;
    return { ok: true, value: serviceAccount === undefined ? { secrets } : { secrets, serviceAccount } };
  }) as CountingPodCredentials;
  fn.calls = 0;
  return fn;
}

/** A GetPodCredentials whose lookup fails (PM-1.35: an unparsable pull secret). */
export function failingPodCredentials(error: string): CountingPodCredentials {
  const fn = (() => {
    fn.calls++;
    return { ok: false, error };
  }) as CountingPodCredentials;
  fn.calls = 0;
  return fn;
}

/** The JSON content of a file, parsed with JSON.parse (independent of the code's strict decoder). */
export function readJson(fs: MemoryFileSystem, path: string): unknown {
  const text = fs.read(path);
  if (text === undefined) throw new Error(`no file at ${path}`);
  return JSON.parse(text);
}
