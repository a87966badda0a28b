/**
 * Small fakes for driving the kubelet model in unit tests: a mutable clock, a CRI image service, credential
 * sources, a recording event recorder, and helpers that run EnsureImageExists (a generator) to completion. The
 * record store behind the pull manager is the real accessor stack over `memory-fs.ts`, so tests see file bytes.
 */
import { createHash } from 'node:crypto';
import type {
  EnsureImageProcess,
  EnsureImageRequest,
  EnsureImageResult,
  PullImageJob,
  PullImageJobResult,
  PullPolicy,
} from '../../src/image-manager/index.js';
import {
  type KubeletImageConfig,
  type KubeletImageStack,
  startKubeletImageStack,
} from '../../src/kubelet.js';
import type {
  Clock,
  CredentialProviderPlugin,
  CredentialSources,
  CriImage,
  DockerConfig,
  EventRecorder,
  EventType,
  ImageService,
  ObjectRef,
  SecretObject,
  ServiceAccountObject,
} from '../../src/ports.js';
import { type KubeletProfile, type KubeletVersion, kubeletProfile } from '../../src/profiles.js';
import { recordFileName } from '../../src/pullmanager/records.js';
import { TICKS_PER_SECOND, type Ticks, ticks } from '../../src/time.js';
import { MemoryFileSystem } from './memory-fs.js';

// ---------------------------------------------------------------------------------------------------------------
// Time

/** 2026-01-15T12:00:00Z in ticks (µs since the epoch): a whole second, so on-disk times are exact. */
export const T0: Ticks = ticks(Date.UTC(2026, 0, 15, 12, 0, 0) * 1000);

export const seconds = (s: number): Ticks => ticks(Math.round(s * TICKS_PER_SECOND));

/** A clock the test moves by hand. */
export class FakeClock implements Clock {
  #now: Ticks;
  constructor(start: Ticks = T0) {
    this.#now = start;
  }
  now(): Ticks {
    return this.#now;
  }
  set(value: Ticks): void {
    this.#now = value;
  }
  advance(delta: number): void {
    this.#now = ticks(this.#now + delta);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// CRI image service

/** A CRI image service holding images by id; `imageStatus` resolves the names given to `add`, tags and digests. */
export class FakeImageService implements ImageService {
  readonly #images = new Map<string, { image: CriImage; names: Set<string> }>();
  readonly statusCalls: string[] = [];
  listCalls = 0;
  /** When set, `imageStatus` throws this message (a runtime error). */
  statusError: string | undefined;
  /** When set, `listImages` throws this message. */
  listError: string | undefined;

  /** Adds an image; `names` are the extra references `imageStatus` resolves (e.g. `nginx:latest`). */
  add(image: Partial<CriImage> & { id: string }, ...names: string[]): CriImage {
    const full: CriImage = { repoTags: [], repoDigests: [], sizeBytes: 1000, ...image };
    this.#images.set(full.id, {
      image: full,
      names: new Set([...names, ...full.repoTags, ...full.repoDigests]),
    });
    return full;
  }

  remove(id: string): void {
    this.#images.delete(id);
  }

  imageStatus(image: string): CriImage | undefined {
    this.statusCalls.push(image);
    if (this.statusError !== undefined) throw new Error(this.statusError);
    for (const entry of this.#images.values()) if (entry.names.has(image)) return entry.image;
    return undefined;
  }

  listImages(): CriImage[] {
    this.listCalls++;
    if (this.listError !== undefined) throw new Error(this.listError);
    return [...this.#images.values()].map((entry) => entry.image);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Events

export interface RecordedEvent {
  readonly object: ObjectRef;
  readonly type: EventType;
  readonly reason: string;
  readonly message: string;
}

export interface RecordedLog {
  readonly message: string;
  readonly fields: Readonly<Record<string, string | number | boolean>> | undefined;
}

/** Keeps every event and log line. */
export class RecordingEventRecorder implements EventRecorder {
  readonly events: RecordedEvent[] = [];
  readonly logs: RecordedLog[] = [];

  event(object: ObjectRef, type: EventType, reason: string, message: string): void {
    this.events.push({ object, type, reason, message });
  }

  log(message: string, fields?: Readonly<Record<string, string | number | boolean>>): void {
    this.logs.push({ message, fields });
  }

  /** `[type, reason, message]` of every event, for compact assertions. */
  summary(): [EventType, string, string][] {
    return this.events.map((e) => [e.type, e.reason, e.message]);
  }

  logMessages(): string[] {
    return this.logs.map((l) => l.message);
  }

  clear(): void {
    this.events.length = 0;
    this.logs.length = 0;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Credentials

/**
 * The credential hash (`hashAuthConfig`, docs/kubelet-model.md#the-credential-hash), computed here from its
 * definition (compact JSON, empty fields omitted).
 */
export function credentialHashOf(username: string, password: string, email?: string): string {
  const json = JSON.stringify({ username, password, ...(email === undefined ? {} : { email }) });
  return createHash('sha256').update(json).digest('hex');
}

export interface SecretSpec {
  readonly namespace: string;
  readonly name: string;
  readonly uid?: string;
  readonly registry: string;
  readonly username: string;
  readonly password: string;
}

/** A `kubernetes.io/dockerconfigjson` pull secret with one registry entry. */
export function dockerConfigJsonSecret(spec: SecretSpec): SecretObject {
  return {
    uid: spec.uid ?? `uid-${spec.namespace}-${spec.name}`,
    namespace: spec.namespace,
    name: spec.name,
    type: 'kubernetes.io/dockerconfigjson',
    data: {
      '.dockerconfigjson': JSON.stringify({
        auths: { [spec.registry]: { username: spec.username, password: spec.password } },
      }),
    },
  };
}

/** A pull secret whose `.dockerconfigjson` is not valid JSON: the whole credential lookup fails. */
export function brokenSecret(namespace: string, name: string): SecretObject {
  return {
    uid: `uid-${namespace}-${name}`,
    namespace,
    name,
    type: 'kubernetes.io/dockerconfigjson',
    data: { '.dockerconfigjson': '{not json' },
  };
}

export interface FakePlugin extends CredentialProviderPlugin {
  readonly calls: Parameters<CredentialProviderPlugin['provide']>[0][];
}

/** A credential-provider plugin that matches every image and answers with `config`. */
export function fakePlugin(
  config: DockerConfig,
  options: { name?: string; serviceAccountTokenMode?: boolean; requireServiceAccount?: boolean } = {},
): FakePlugin {
  const calls: Parameters<CredentialProviderPlugin['provide']>[0][] = [];
  return {
    calls,
    name: options.name ?? 'fake-plugin',
    serviceAccountTokenMode: options.serviceAccountTokenMode ?? false,
    requireServiceAccount: options.requireServiceAccount ?? false,
    matchesImage: () => true,
    provide: (request) => {
      calls.push(request);
      return config;
    },
  };
}

/** What the kubelet's secret manager, SA lookup, node config and plugins return. */
export class FakeCredentialSources implements CredentialSources {
  readonly secrets = new Map<string, SecretObject>();
  readonly serviceAccounts = new Map<string, ServiceAccountObject>();
  nodeConfig: DockerConfig | undefined;
  readonly pluginList: CredentialProviderPlugin[] = [];
  nodeConfigCalls = 0;

  addSecret(secret: SecretObject): SecretObject {
    this.secrets.set(`${secret.namespace}/${secret.name}`, secret);
    return secret;
  }

  addServiceAccount(account: ServiceAccountObject): ServiceAccountObject {
    this.serviceAccounts.set(`${account.namespace}/${account.name}`, account);
    return account;
  }

  getSecret(namespace: string, name: string): SecretObject | undefined {
    return this.secrets.get(`${namespace}/${name}`);
  }

  getServiceAccount(namespace: string, name: string): ServiceAccountObject | undefined {
    return this.serviceAccounts.get(`${namespace}/${name}`);
  }

  nodeDockerConfig(): DockerConfig | undefined {
    this.nodeConfigCalls++;
    return this.nodeConfig;
  }

  plugins(): readonly CredentialProviderPlugin[] {
    return this.pluginList;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Driving EnsureImageExists

export interface PodSpec {
  readonly uid?: string;
  readonly namespace?: string;
  readonly name?: string;
  readonly serviceAccountName?: string;
}

/** An EnsureImageExists request; the pod defaults to `default/pod-a` (uid `uid-pod-a`). */
export function ensureRequest(
  image: string,
  pullPolicy: PullPolicy,
  options: { pod?: PodSpec; pullSecrets?: readonly SecretObject[]; containerName?: string } = {},
): EnsureImageRequest {
  const pod = options.pod ?? {};
  return {
    pod: {
      uid: pod.uid ?? 'uid-pod-a',
      namespace: pod.namespace ?? 'default',
      name: pod.name ?? 'pod-a',
      serviceAccountName: pod.serviceAccountName ?? 'default',
    },
    containerName: options.containerName ?? 'app',
    image,
    pullPolicy,
    pullSecrets: options.pullSecrets ?? [],
  };
}

/** A successful CRI pull as the driver reports it. */
export function pullSucceeded(
  imageRef: string,
  options: {
    sizeBytes?: number;
    credentialsUsed?: PullImageJob['credentials'][number] | undefined;
    pullTicks?: number;
  } = {},
): PullImageJobResult {
  return {
    ok: true,
    imageRef,
    sizeBytes: options.sizeBytes ?? 1000,
    credentialsUsed: options.credentialsUsed,
    pullTicks: ticks(options.pullTicks ?? TICKS_PER_SECOND),
  };
}

export const pullFailed = (error: string): PullImageJobResult => ({ ok: false, error });

/** How a test answers a pull job: a fixed result, or a function of the job (e.g. "first credential wins"). */
export type PullAnswer = PullImageJobResult | ((job: PullImageJob) => PullImageJobResult);

export interface Ensured {
  readonly result: EnsureImageResult;
  /** The pull job, when EnsureImageExists asked for one. */
  readonly job: PullImageJob | undefined;
}

/**
 * Runs EnsureImageExists to completion. A pull job is answered with `answer`; without an answer a yielded job is
 * a test error. `beforeResume` runs between the yield and the resume (e.g. to move the clock while pulling).
 */
function runEnsure(
  process: EnsureImageProcess,
  answer?: PullAnswer,
  beforeResume?: (job: PullImageJob) => void,
): Ensured {
  const first = process.next();
  if (first.done) return { result: first.value, job: undefined };
  const job = first.value;
  if (answer === undefined) throw new Error(`unexpected pull job for ${job.image}`);
  beforeResume?.(job);
  const resumed = process.next(typeof answer === 'function' ? answer(job) : answer);
  if (!resumed.done) throw new Error('EnsureImageExists yielded twice');
  return { result: resumed.value, job };
}

// ---------------------------------------------------------------------------------------------------------------
// A whole kubelet image stack over a memory filesystem

export const KUBELET_ROOT = '/var/lib/kubelet';
export const PULLING_DIR = `${KUBELET_ROOT}/image_manager/pulling`;
export const PULLED_DIR = `${KUBELET_ROOT}/image_manager/pulled`;

/** Path of the intent file for a raw pod image string. */
export const intentPath = (image: string): string => `${PULLING_DIR}/${recordFileName(image)}`;
/** Path of the pulled-record file for an imageRef. */
export const recordPath = (imageRef: string): string => `${PULLED_DIR}/${recordFileName(imageRef)}`;

export interface TestNode {
  readonly profile: KubeletProfile;
  readonly fs: MemoryFileSystem;
  readonly clock: FakeClock;
  readonly images: FakeImageService;
  readonly sources: FakeCredentialSources;
  readonly recorder: RecordingEventRecorder;
  readonly stack: KubeletImageStack;
  /** Runs one EnsureImageExists to completion. */
  ensure(
    request: EnsureImageRequest,
    answer?: PullAnswer,
    beforeResume?: (job: PullImageJob) => void,
  ): Ensured;
  /** Starts a fresh kubelet process over the same filesystem, runtime and sources (a restart). */
  restart(config?: KubeletImageConfig): TestNode;
}

export interface TestNodeOptions {
  readonly version?: KubeletVersion;
  readonly profile?: KubeletProfile;
  readonly config?: KubeletImageConfig;
  readonly fs?: MemoryFileSystem;
  readonly clock?: FakeClock;
  readonly images?: FakeImageService;
  readonly sources?: FakeCredentialSources;
  readonly recorder?: RecordingEventRecorder;
}

/** Starts `startKubeletImageStack` with fakes; throws when the configuration is rejected. */
export function startTestNode(options: TestNodeOptions = {}): TestNode {
  const profile = options.profile ?? kubeletProfile(options.version ?? '1.36');
  const fs = options.fs ?? new MemoryFileSystem();
  const clock = options.clock ?? new FakeClock();
  const images = options.images ?? new FakeImageService();
  const sources = options.sources ?? new FakeCredentialSources();
  const recorder = options.recorder ?? new RecordingEventRecorder();
  const config = options.config ?? {};
  const started = startKubeletImageStack(
    config,
    { fs, clock, imageService: images, credentialSources: sources, recorder },
    profile,
  );
  if (!started.ok) throw new Error(`kubelet did not start: ${started.errors.join('; ')}`);
  const stack = started.stack;
  return {
    profile,
    fs,
    clock,
    images,
    sources,
    recorder,
    stack,
    ensure: (request, answer, beforeResume) =>
      runEnsure(stack.imageManager.ensureImageExists(request), answer, beforeResume),
    restart: (nextConfig = config) =>
      startTestNode({ profile, config: nextConfig, fs, clock, images, sources, recorder }),
  };
}
