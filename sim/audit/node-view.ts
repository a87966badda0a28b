import type { TrackedAuthConfig } from '../../src/credentials/index.js';
import {
  type EnsureImageResult,
  isPendingPull,
  type PendingPull,
  type PullPolicy,
} from '../../src/image-manager/image-manager.js';
import { getPullSecretsForPod } from '../../src/kubelet.js';
import { ensureImageRequest } from '../../src/pod/ensure-image-request.js';
import { discardEvents, type ObjectRef } from '../../src/ports.js';
import { applyDefaultImageTag } from '../../src/reference/index.js';
import { ticks } from '../../src/time.js';
import { Trace } from '../kernel/trace.js';
import type { Manifest, RunMode, Scenario } from '../scenario/types.js';
import type { StoredContainer, StoredPod } from '../world/api-server.js';
import type { SimNode } from '../world/node.js';
import { orderedTimeline, World } from '../world/world.js';

/**
 * The node of a scenario at t=0, as a kubelet that has just started on it sees it: the world is built for one mode
 * (its kubelet started, so leftover intents are converted and records migrated as at a real start-up), the objects
 * and the timeline's `apply` steps at 0s are stored in the API server, and nothing else runs: no pod worker, no
 * event. Every question asked here gets a world of its own, because the kubelet's answer may write (an intent
 * before a pull, a match-time record update) and one container's question must not change another's answer.
 */
export interface NodeView {
  readonly world: World;
  readonly node: SimNode;
  /** Why the node's kubelet would not start (its configuration); then no container starts. */
  readonly refused?: string;
}

/** The manifests stored at t=0, in the order the world applies them (so generated UIDs are the run's). */
export function initialManifests(scenario: Scenario): readonly Manifest[] {
  return orderedTimeline(scenario).flatMap((step) => (step.at === 0 && 'apply' in step ? [step.apply] : []));
}

/** Builds the node at t=0 for one mode; `refused` says why its kubelet would not start. */
export function nodeView(scenario: Scenario, nodeName: string, mode: RunMode): NodeView {
  const trace = new Trace({ keep: true });
  const world = new World({ ...scenario, objects: [], timeline: [] }, { mode, seed: scenario.seed, trace });
  for (const manifest of initialManifests(scenario)) world.api.apply(manifest, ticks(0));
  const node = world.nodes.get(nodeName);
  if (node === undefined) throw new Error(`node ${nodeName} is not in the scenario (the caller checks)`);
  if (node.stack === undefined) {
    const refused = trace.records().find((record) => record.kind === 'kubelet.refused');
    const errors = (refused?.errors as readonly string[] | undefined) ?? [];
    return { world, node, refused: `the kubelet would refuse to start: ${errors.join('; ')}` };
  }
  return { world, node };
}

/**
 * The nodes questions are asked of, one kept per mode for as long as the questions asked of it wrote nothing: a
 * start-up reads every record file, and a node with thousands of them would otherwise be started once per question.
 * An answer that wrote (an intent before a pull, a match-time record update) retires its node.
 */
export class NodeViews {
  readonly #scenario: Scenario;
  readonly #nodeName: string;
  readonly #kept = new Map<RunMode, NodeView>();

  constructor(scenario: Scenario, nodeName: string) {
    this.#scenario = scenario;
    this.#nodeName = nodeName;
  }

  /** Asks `question` of a node in `mode` that no earlier question changed. */
  ask<T>(mode: RunMode, question: (view: NodeView) => T): T {
    const view = this.#kept.get(mode) ?? nodeView(this.#scenario, this.#nodeName, mode);
    const before = writesOf(view);
    const answer = question(view);
    if (writesOf(view) === before) this.#kept.set(mode, view);
    else this.#kept.delete(mode);
    return answer;
  }
}

/** File writes, renames, removals and directory creations on the node so far. */
function writesOf(view: NodeView): number {
  const io = view.node.fs.ioTotals();
  return io.writes + io.renames + io.removes + io.mkdirs;
}

/** The pods stored at t=0 that run on the node, sorted by namespace then name. */
export function podsOnNode(view: NodeView): StoredPod[] {
  const pods: StoredPod[] = [];
  for (const [, state] of view.world.api.namespaces()) {
    for (const pod of state.pods.values()) if (pod.nodeName === view.node.name) pods.push(pod);
  }
  return pods.sort((a, b) => compareStrings(`${a.namespace}/${a.name}`, `${b.namespace}/${b.name}`));
}

/**
 * One container's `EnsureImageExists` up to the pull it would send (`ImageManager.beginEnsureImage`, the code the
 * simulator runs on every container start), with the pod's pull secrets resolved as the kubelet's pod worker does.
 * `pullPolicy` overrides the container's, to ask what the kubelet would send to the registry.
 */
export function beginContainerStart(
  view: NodeView,
  pod: StoredPod,
  container: StoredContainer,
  pullPolicy?: PullPolicy,
): EnsureImageResult | PendingPull {
  const stack = view.node.stack;
  if (stack === undefined) throw new Error('nodeView returns only nodes whose kubelet runs');
  const ref: ObjectRef = { kind: 'Pod', namespace: pod.namespace, name: pod.name, uid: pod.uid };
  const secrets = getPullSecretsForPod(ref, pod.imagePullSecrets, view.node.credentials, discardEvents);
  return stack.imageManager.beginEnsureImage(ensureImageRequest(pod, container, secrets, pullPolicy));
}

/** The runtime's image ID for a pod's image string (the kubelet's `imageRef`), or undefined when absent. */
export function presentImageRef(view: NodeView, image: string): string | undefined {
  const tagged = applyDefaultImageTag(image);
  if (!tagged.ok) return undefined;
  return view.node.runtime.imageStatus(tagged.value)?.id;
}

/**
 * What the kubelet would send to the registry for this container: the credentials of a forced pull (pull policy
 * Always), named by their source, or the lookup's error. An empty list is an anonymous pull.
 */
export function credentialSourcesFor(
  view: NodeView,
  pod: StoredPod,
  container: StoredContainer,
): { readonly ok: true; readonly sources: string[] } | { readonly ok: false; readonly error: string } {
  const step = beginContainerStart(view, pod, container, 'Always');
  if (isPendingPull(step)) return { ok: true, sources: step.job.credentials.map(sourceName) };
  if (step.ok) throw new Error('a pull policy of Always never reuses an image');
  return { ok: false, error: step.reason };
}

/** `secret:NS/NAME`, `serviceAccount:NS/NAME` or `node` (node config, or a plugin not in service-account mode). */
function sourceName(credential: TrackedAuthConfig): string {
  const source = credential.source;
  if (source === undefined) return 'node';
  return `${source.kind}:${source.namespace}/${source.name}`;
}

/** Plain code-unit order, for stable output. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
