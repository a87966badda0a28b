import type { KubeletImageConfig } from '../../src/kubelet.js';
import { type KubeletProfile, kubeletProfile } from '../../src/profiles.js';
import { TICKS_PER_MINUTE, type Ticks, ticks } from '../../src/time.js';
import { VirtualClock } from '../kernel/clock.js';
import { EventQueue } from '../kernel/queue.js';
import { SeededRandom } from '../kernel/random.js';
import type { Trace } from '../kernel/trace.js';
import type { OracleContext } from '../oracle.js';
import type { Action, Manifest, NodeSpec, RunMode, Scenario, TimelineStep } from '../scenario/types.js';
import { ApiServer } from './api-server.js';
import {
  NodeCredentialSources,
  ServiceAccountTokenProvider,
  serviceAccountTokenValidator,
} from './credential-sources.js';
import type { WorldEvent } from './events.js';
import { DEVICE_PROFILES, type FsDeviceProfileName, SimFileSystem } from './filesystem.js';
import { kubeletConfigForMode } from './mode-config.js';
import { SimNode } from './node.js';
import type { PodRecord } from './pod-records.js';
import { SimRegistry } from './registry.js';
import { SimRuntime } from './runtime.js';

/** Virtual tick 0 is 2026-01-01T00:00:00Z, so record times look like a real node's. */
export const EPOCH_OFFSET = ticks(1_767_225_600 * 1_000_000);

export interface WorldOptions {
  readonly mode: RunMode;
  readonly seed: number;
  readonly trace: Trace;
  /** Steps generated on the fly after the scenario's own timeline (in time order); long workloads use it. */
  readonly timelineStream?: Iterator<TimelineStep>;
  /** Keep every pod incarnation for results (default true); benchmarks turn it off and use the callbacks. */
  readonly retainPodRecords?: boolean;
  readonly onPodFinished?: (record: PodRecord) => void;
  readonly onDecision?: (line: string) => void;
  /** The record store strategy every kubelet uses (src/strategies), e.g. `journal`; default: the profile's. */
  readonly recordStore?: string;
  /** Override every node's filesystem latency profile. */
  readonly device?: string;
  /** Switch individual kubelet behaviours (what-if studies; the campaign test's planted bug). */
  readonly profileOverrides?: Partial<Omit<KubeletProfile, 'version'>>;
}

/** The end of a run: `until`, or 10 minutes after the last timeline step. */
export function scenarioEnd(scenario: Scenario): Ticks {
  if (scenario.until !== undefined) return scenario.until;
  const last = scenario.timeline.reduce((max, step) => Math.max(max, step.at), 0);
  return ticks(last + 10 * TICKS_PER_MINUTE);
}

/**
 * One simulated cluster for one run: registries, nodes (runtime, filesystem, kubelet), the API server, and the
 * event queue that drives them in virtual time. Built from a scenario for one mode; `handle` processes one event.
 */
export class World {
  readonly scenario: Scenario;
  readonly mode: RunMode;
  readonly random: SeededRandom;
  readonly clock = new VirtualClock();
  readonly queue: EventQueue<WorldEvent>;
  readonly trace: Trace;
  readonly api: ApiServer;
  readonly registries = new Map<string, SimRegistry>();
  readonly nodes = new Map<string, SimNode>();
  /** Every pod incarnation in creation order (results are built from these). */
  readonly podRecords: PodRecord[] = [];
  /** When anything that decides who may pull what changed: registry mutations, secrets, service accounts. */
  readonly authorizationChangedAt: Ticks[] = [];
  readonly #timeline: readonly TimelineStep[];
  readonly #stream: Iterator<TimelineStep> | undefined;
  #streamNext: TimelineStep | undefined;

  constructor(scenario: Scenario, options: WorldOptions) {
    this.scenario = scenario;
    this.mode = options.mode;
    this.trace = options.trace;
    this.random = new SeededRandom(options.seed);
    this.queue = new EventQueue<WorldEvent>({ tieBreak: this.random.stream('scheduling') });
    const modeConfig = kubeletConfigForMode(scenario, options.mode);
    const config =
      options.recordStore === undefined
        ? modeConfig.config
        : { ...modeConfig.config, recordStore: options.recordStore };
    const defaultNode = scenario.nodes[0]?.name ?? 'node-1';
    this.api = new ApiServer({
      uidStream: this.random.stream('uids'),
      alwaysPullImages: modeConfig.alwaysPullImages,
      defaultNode,
    });
    this.#addRegistries(scenario);
    const profile = kubeletProfile(scenario.kubelet.version, {
      ...(scenario.kubelet.credentialMappingKey === undefined
        ? {}
        : { credentialMappingKey: scenario.kubelet.credentialMappingKey }),
      ...options.profileOverrides,
    });
    const providers = scenario.registries.filter((r) => r.serviceAccountTokenProvider !== undefined);
    const plugins = providers.map((r) => {
      const nodeUser = r.serviceAccountTokenProvider?.nodeUser;
      const identity = r.users.find((u) => u.username === nodeUser);
      return new ServiceAccountTokenProvider(
        r.host,
        r.serviceAccountTokenProvider?.requireServiceAccount ?? false,
        identity,
      );
    });
    const kubelet: NodeKubelet = {
      config,
      profile,
      providerHosts: new Set(providers.map((r) => r.host)),
      providerNodeCredentials: Object.fromEntries(
        plugins.flatMap((p) => (p.nodeIdentity === undefined ? [] : [[p.host, p.nodeIdentity]])),
      ),
      plugins,
    };
    for (const spec of scenario.nodes) this.#addNode(spec, kubelet, options);
    this.#timeline = orderedTimeline(scenario);
    this.trace.append({
      t: ticks(0),
      kind: 'run.start',
      scenario: scenario.name,
      mode: options.mode,
      seed: options.seed,
      kubelet: profile.version,
    });
    // Kubelets start first (at t=0, before any event), then the objects and the timeline. The queue's seeded
    // tie-break reorders events due at the same tick, so the timeline is one event per distinct `at` that applies
    // its steps in order (contract §2: ties keep file order) and schedules the next one.
    for (const node of this.nodes.values()) node.startKubelet();
    const first = this.#timeline[0];
    if (first !== undefined) this.queue.push(first.at, { kind: 'timeline', index: 0 });
    this.#stream = options.timelineStream;
    this.#pullStream();
  }

  /** One registry per host; service-account tokens presented to them are checked against the API server. */
  #addRegistries(scenario: Scenario): void {
    const validator = serviceAccountTokenValidator(this.api);
    for (const spec of scenario.registries) {
      this.registries.set(
        spec.host,
        new SimRegistry(spec, {
          latencyStream: this.random.stream(`registry-latency:${spec.host}`),
          tokenValidator: validator,
        }),
      );
    }
  }

  /**
   * One node: its filesystem (device latency, fault rates, the record files given at t=0), its runtime with the
   * preloaded images, its credential sources, and the node that runs its kubelet.
   */
  #addNode(spec: NodeSpec, kubelet: NodeKubelet, options: WorldOptions): void {
    const registryFor = (host: string) => this.registries.get(host);
    const fs = new SimFileSystem({
      countUnder: '/var/lib/kubelet',
      latency: DEVICE_PROFILES[(options.device ?? spec.device ?? 'none') as FsDeviceProfileName] ?? {},
    });
    if (spec.fsFaults !== undefined)
      fs.setFaultRates(spec.fsFaults, this.random.stream(`faults:${spec.name}`));
    const runtime = new SimRuntime({ registries: registryFor });
    for (const image of spec.images) {
      const loaded = runtime.preload(image.ref, image.id);
      if (!loaded.ok) throw new Error(`node ${spec.name}: preloaded image ${image.ref}: ${loaded.error}`);
    }
    const files = spec.imageManagerFiles;
    if (Object.keys(files).length > 0) fs.loadFiles('/var/lib/kubelet/image_manager', files);
    const node = new SimNode(
      {
        name: spec.name,
        fs,
        runtime,
        credentials: new NodeCredentialSources(this.api, spec.credentials, kubelet.plugins),
        config: kubelet.config,
        imageGC: spec.imageGC,
        presetNodeWide: nodeWideRecords(spec.imageManagerFiles),
      },
      {
        queue: this.queue,
        now: () => this.clock.now(),
        epochOffset: EPOCH_OFFSET,
        trace: this.trace,
        syncJitter: this.random.stream(`sync-jitter:${spec.name}`),
        profile: kubelet.profile,
        oracle: {
          api: this.api,
          registryFor,
          serviceAccountProviderHosts: kubelet.providerHosts,
          providerNodeCredentials: kubelet.providerNodeCredentials,
        },
        authorizationChangedAt: this.authorizationChangedAt,
        onPodRecord: (record) => {
          if (options.retainPodRecords !== false) this.podRecords.push(record);
        },
        ...(options.onPodFinished === undefined ? {} : { onPodFinished: options.onPodFinished }),
        ...(options.onDecision === undefined ? {} : { onDecision: options.onDecision }),
        ...(options.retainPodRecords === undefined ? {} : { retainPodRecords: options.retainPodRecords }),
      },
    );
    this.nodes.set(spec.name, node);
  }

  /** Reads the stream's next step and schedules it. */
  #pullStream(): void {
    const next = this.#stream?.next();
    this.#streamNext = next === undefined || next.done === true ? undefined : next.value;
    if (this.#streamNext !== undefined) this.queue.push(this.#streamNext.at, { kind: 'stream' });
  }

  /** Processes one event from the queue. */
  handle(event: WorldEvent): void {
    switch (event.kind) {
      case 'timeline': {
        const at = (this.#timeline[event.index] as TimelineStep).at;
        let index = event.index;
        for (; index < this.#timeline.length && this.#timeline[index]?.at === at; index++)
          this.#applyStep(this.#timeline[index] as TimelineStep);
        const next = this.#timeline[index];
        if (next !== undefined) this.queue.push(next.at, { kind: 'timeline', index });
        return;
      }
      case 'stream': {
        const at = this.#streamNext?.at;
        while (this.#streamNext !== undefined && this.#streamNext.at === at) {
          const step = this.#streamNext;
          const next = this.#stream?.next();
          this.#streamNext = next === undefined || next.done === true ? undefined : next.value;
          if (this.#streamNext !== undefined && this.#streamNext.at < step.at)
            throw new Error('timeline stream went back in time');
          this.#applyStep(step);
        }
        if (this.#streamNext !== undefined) this.queue.push(this.#streamNext.at, { kind: 'stream' });
        return;
      }
      case 'kubeletStart':
        this.#node(event.node).startKubelet();
        return;
      case 'podSync':
      case 'containerRestartDue':
      case 'initContainerExitDue':
        this.#node(event.node).onTimer(event);
        return;
      case 'pullAttemptDone':
        this.#node(event.node).onPullAttemptDone(event.jobId);
        return;
      case 'imageGCCheck':
        this.#node(event.node).onImageGCCheck(event.epoch);
        return;
    }
  }

  #node(name: string): SimNode {
    const node = this.nodes.get(name);
    if (node === undefined) throw new Error(`unknown node ${name} (the scenario loader checks node names)`);
    return node;
  }

  #applyStep(step: TimelineStep): void {
    const now = this.clock.now();
    const kind = 'apply' in step ? step.apply.kind : 'delete' in step ? step.delete.kind : undefined;
    if (kind === 'Secret' || kind === 'ServiceAccount' || kind === 'Namespace')
      this.authorizationChangedAt.push(now);
    if ('apply' in step) {
      this.#apply(step.apply, now);
    } else if ('delete' in step) {
      const key = step.delete;
      const namespace = key.namespace ?? 'default';
      const uid =
        key.kind === 'Secret'
          ? this.api.getSecret(namespace, key.name)?.uid
          : key.kind === 'ServiceAccount'
            ? this.api.getServiceAccount(namespace, key.name)?.uid
            : undefined;
      const removed = this.api.delete(key);
      if (removed.deleted && key.kind !== 'Pod') {
        // Only the revoke-on-delete record store listens: the kubelet itself never learns of deletions.
        const source =
          key.kind === 'Namespace'
            ? ({ kind: 'namespace', namespace: key.name } as const)
            : ({
                kind: key.kind === 'Secret' ? 'secret' : 'serviceAccount',
                namespace,
                name: key.name,
                ...(uid === undefined ? {} : { uid }),
              } as const);
        for (const node of this.nodes.values()) node.stack?.onCredentialSourceDeleted?.(source);
      }
      this.trace.append({
        t: now,
        kind: 'delete',
        object: `${key.kind} ${key.namespace ?? ''}/${key.name}`,
        deleted: removed.deleted,
      });
      for (const pod of removed.pods) this.#node(pod.nodeName).deletePod(`${pod.namespace}/${pod.name}`);
    } else {
      this.#action(step.action);
    }
  }

  #apply(manifest: Manifest, now: Ticks): void {
    const before =
      manifest.kind === 'Pod'
        ? this.api.getPod(manifest.metadata.namespace ?? 'default', manifest.metadata.name)
        : undefined;
    const outcome = this.api.apply(manifest, now);
    if (!outcome.ok) {
      this.trace.append({
        t: now,
        kind: 'apply.rejected',
        object: `${outcome.kind} ${outcome.key}`,
        reason: outcome.reason,
      });
      return;
    }
    this.trace.append({
      t: now,
      kind: 'apply',
      object: `${outcome.kind} ${outcome.key}`,
      change: outcome.change,
      uid: outcome.uid,
    });
    if (manifest.kind !== 'Pod') return;
    const pod = this.api.getPod(manifest.metadata.namespace ?? 'default', manifest.metadata.name);
    if (pod === undefined) return;
    if (before !== undefined && before.nodeName !== pod.nodeName)
      this.#node(before.nodeName).deletePod(outcome.key);
    if (outcome.change === 'updated') return; // same UID: the kubelet keeps the running pod
    this.#node(pod.nodeName).addPod(pod);
  }

  #action(action: Action): void {
    this.trace.append({ t: this.clock.now(), kind: 'action', ...redactAction(action) });
    if (['revokePuller', 'grantPuller', 'changePassword', 'retag'].includes(action.action)) {
      this.authorizationChangedAt.push(this.clock.now());
    }
    switch (action.action) {
      case 'restartKubelet':
      case 'crashKubelet':
        this.#node(action.node).restartKubelet({
          crash: action.action === 'crashKubelet',
          ...(action.downtime === undefined ? {} : { downtime: action.downtime }),
        });
        return;
      case 'registryDown':
        this.#registry(action.host).down();
        return;
      case 'registryUp':
        this.#registry(action.host).up();
        return;
      case 'revokePuller':
        this.#registry(action.host).revokePuller(action.repository, action.username);
        return;
      case 'grantPuller':
        this.#registry(action.host).grantPuller(action.repository, action.username);
        return;
      case 'changePassword':
        this.#registry(action.host).changePassword(action.username, action.password);
        return;
      case 'retag':
        this.#registry(action.host).retag(action.repository, action.tag, action.digest, action.sizeBytes);
        return;
      case 'removeImage':
        this.#node(action.node).runtime.removeImage(action.image);
        return;
      case 'imageGC':
        this.#node(action.node).imageGC();
        return;
      case 'deleteRecords':
        this.#node(action.node).deleteRecords();
        return;
      case 'setPolicy': {
        const node = this.#node(action.node);
        node.config = {
          ...node.config,
          featureGates: { ...node.config.featureGates, KubeletEnsureSecretPulledImages: true },
          imagePullCredentialsVerificationPolicy: action.policy,
          preloadedImagesVerificationAllowlist: action.allowlist ?? [],
        };
        node.restartKubelet({ crash: false });
        return;
      }
      case 'restartContainer': {
        const pod = this.api.getPod(...splitKey(action.pod));
        // The node knows pods as `namespace/name`; a bare name means the `default` namespace.
        if (pod !== undefined)
          this.#node(pod.nodeName).restartContainer(`${pod.namespace}/${pod.name}`, action.container);
        return;
      }
      case 'fsFault': {
        const node = this.#node(action.node);
        const prefix = `${node.kubeletRoot}/image_manager${action.path === undefined ? '' : `/${action.path}`}`;
        node.fs.armFault({ kind: action.fault, count: action.count ?? 1, pathPrefix: prefix });
        return;
      }
    }
  }

  #registry(host: string): SimRegistry {
    const registry = this.registries.get(host);
    if (registry === undefined)
      throw new Error(`unknown registry ${host} (the scenario loader checks hosts)`);
    return registry;
  }
}

/** What every node's kubelet shares: its configuration and profile, and the credential provider plugins. */
interface NodeKubelet {
  readonly config: KubeletImageConfig;
  readonly profile: KubeletProfile;
  readonly plugins: readonly ServiceAccountTokenProvider[];
  readonly providerHosts: ReadonlySet<string>;
  readonly providerNodeCredentials: OracleContext['providerNodeCredentials'];
}

/**
 * The steps in the order they apply: the objects first, by kind (contract §2: Namespace, Secret, ServiceAccount,
 * Pod), then the timeline ordered by `at` with ties in file order. Both sorts are stable.
 */
export function orderedTimeline(scenario: Scenario): readonly TimelineStep[] {
  return [
    ...[...scenario.objects]
      .sort((a, b) => OBJECT_KIND_ORDER[a.kind] - OBJECT_KIND_ORDER[b.kind])
      .map((manifest): TimelineStep => ({ at: ticks(0), apply: manifest })),
    ...[...scenario.timeline].sort((a, b) => a.at - b.at),
  ];
}

/** The order in which `objects` are applied at t=0 (docs/contract.md §2). */
const OBJECT_KIND_ORDER: Readonly<Record<Manifest['kind'], number>> = {
  Namespace: 0,
  Secret: 1,
  ServiceAccount: 2,
  Pod: 3,
};

/** imageRefs that files given at t=0 record as node-wide (`nodePodsAccessible` in some entry). */
function nodeWideRecords(files: Readonly<Record<string, string>>): Set<string> {
  const refs = new Set<string>();
  for (const [path, content] of Object.entries(files)) {
    if (!path.startsWith('pulled/')) continue;
    try {
      const record = JSON.parse(content) as {
        imageRef?: unknown;
        credentialMapping?: Record<string, { nodePodsAccessible?: unknown }>;
      };
      const nodeWide = Object.values(record.credentialMapping ?? {}).some(
        (entry) => entry?.nodePodsAccessible === true,
      );
      if (nodeWide && typeof record.imageRef === 'string') refs.add(record.imageRef);
    } catch {
      // An undecodable file records nothing (the kubelet treats it as unreadable).
    }
  }
  return refs;
}

function splitKey(key: string): [string, string] {
  const slash = key.indexOf('/');
  return slash < 0 ? ['default', key] : [key.slice(0, slash), key.slice(slash + 1)];
}

/** An action as traced: passwords never appear. */
function redactAction(action: Action): Record<string, unknown> {
  return action.action === 'changePassword' ? { ...action, password: '<redacted>' } : { ...action };
}
