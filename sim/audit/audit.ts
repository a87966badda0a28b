import { featureGateEnabled } from '../../src/kubelet.js';
import { InputError } from '../errors.js';
import type { NodeSpec, Scenario } from '../scenario/types.js';
import type { StoredContainer, StoredPod } from '../world/api-server.js';
import { type Decision, decideContainer, effectivePolicy } from './decide.js';
import { inventory, recordSummary } from './inventory.js';
import {
  credentialSourcesFor,
  initialManifests,
  type NodeView,
  NodeViews,
  nodeView,
  podsOnNode,
  presentImageRef,
} from './node-view.js';
import {
  AUDIT_COLUMNS,
  type AuditColumn,
  type AuditContainer,
  type AuditImage,
  type AuditPolicy,
  type AuditReport,
  type ContainerDecision,
  type Exposure,
  type NextStart,
  type PolicySummary,
} from './report-types.js';

export interface AuditOptions {
  /** The node to audit; default the scenario's first. */
  readonly node?: string;
  /** The policy of the headline; default the node's own configuration (`as-configured`). */
  readonly policy?: AuditPolicy;
  /** What the reader of the node's files could not judge (the importer's notes), printed with the audit's own. */
  readonly couldNotJudge?: readonly string[];
}

/** The one line that is always true: registry access rules are not on the node. */
const REGISTRY_RULES_NOTE =
  "registry access rules are not on the node: 'verify' and 'pull' say that the kubelet will ask the registry with the pod's credentials, not whether the registry will accept them";

/**
 * `pullsim audit`: for a node at t=0, how the kubelet sees every image, and what each container's next start
 * does under each verification policy and under the node's own configuration, with the pods that can start an
 * image no credential of theirs was verified for (docs/audit.md). Every decision is the image manager's
 * (`ImageManager.beginEnsureImage` and the pull manager's MustAttemptImagePull, the code every run uses) on a
 * freshly started kubelet over the node's files; the scenario is not changed.
 *
 * @example
 * const report = auditScenario(loadScenario('node.yaml'), { policy: 'NeverVerifyPreloadedImages' });
 * console.log(report.headline.text);
 */
export function auditScenario(scenario: Scenario, options: AuditOptions = {}): AuditReport {
  const { nodeName, spec } = nodeToAudit(scenario, options.node);
  const views = new NodeViews(scenario, nodeName);
  // What does not depend on the policy (the pods, the images present) is read from one node.
  const base = nodeView(scenario, nodeName, 'AlwaysVerify');
  const pods = podsOnNode(base);
  const presence = pods.flatMap((pod) =>
    pod.containers.map((c) => ({ image: c.image, imageRef: presentImageRef(base, c.image) })),
  );
  const profile = base.node.kubeletProfile;
  const k = scenario.kubelet;
  const stock = inventory({
    files: spec.imageManagerFiles,
    images: base.node.runtime.listImages(),
    profile,
    allowlist: k.preloadedImagesVerificationAllowlist,
    podImages: presence.flatMap((p) =>
      p.imageRef === undefined ? [] : [{ image: p.image, imageRef: p.imageRef }],
    ),
  });
  const containers = pods.flatMap((pod) =>
    pod.containers.map((container, index) =>
      auditContainer(views, base, stock.images, pod, container, index),
    ),
  );
  const configuredView = views.ask('as-configured', (view) => view);
  const policies = AUDIT_COLUMNS.map((column) =>
    summarize(column, column === 'as-configured' ? effectivePolicy(configuredView) : column, containers),
  );
  const headlinePolicy: AuditColumn = options.policy ?? 'as-configured';
  const headline = policies.find((p) => p.policy === headlinePolicy) as PolicySummary;
  return {
    apiVersion: 'pullsim/v1alpha1',
    kind: 'AuditReport',
    scenario: scenario.name,
    node: nodeName,
    kubeletVersion: profile.version,
    configured: {
      featureGate: featureGateEnabled({ featureGates: k.featureGates }, profile),
      policy: k.imagePullCredentialsVerificationPolicy ?? null,
      allowlist: k.preloadedImagesVerificationAllowlist,
    },
    headline: {
      policy: headlinePolicy,
      pods: headline.exposedPods,
      images: headline.exposedImages,
      text: headlineText(headline),
    },
    policies,
    images: stock.images,
    recordsWithoutImage: stock.recordsWithoutImage,
    danglingIntents: stock.danglingIntents,
    unreadableFiles: stock.unreadableFiles,
    containers,
    couldNotJudge: [
      ...(options.couldNotJudge ?? []),
      ...refusals({ configured: configuredView, base }),
      ...ignoredTimeline(scenario),
      REGISTRY_RULES_NOTE,
    ],
  };
}

/** The node to audit (default the first) and its spec; a name the scenario does not have is bad input. */
function nodeToAudit(scenario: Scenario, name: string | undefined): { nodeName: string; spec: NodeSpec } {
  const nodeName = name ?? scenario.nodes[0]?.name ?? 'node-1';
  const spec = scenario.nodes.find((n) => n.name === nodeName);
  if (spec !== undefined) return { nodeName, spec };
  throw new InputError({
    code: 'invalid_option',
    path: ['--node'],
    message: `no node ${JSON.stringify(nodeName)} in scenario ${scenario.name} (nodes: ${scenario.nodes.map((n) => n.name).join(', ')})`,
  });
}

/** Why a kubelet would not start: with the node's configuration, or with any policy. */
function refusals(views: { readonly configured: NodeView; readonly base: NodeView }): string[] {
  return [
    ...(views.configured.refused === undefined
      ? []
      : [`the node's own configuration: ${views.configured.refused}`]),
    ...(views.base.refused === undefined ? [] : [`every policy: ${views.base.refused}`]),
  ];
}

function auditContainer(
  views: NodeViews,
  base: NodeView,
  images: readonly AuditImage[],
  pod: StoredPod,
  container: StoredContainer,
  index: number,
): AuditContainer {
  const imageRef = presentImageRef(base, container.image);
  const onRecord = recordSummary(images.find((i) => i.imageRef === imageRef));
  // With the gate off nothing is written before a pull, so one node answers every credential lookup.
  const credentials = views.ask('legacy', (view) =>
    view.refused === undefined
      ? credentialSourcesFor(view, pod, container)
      : ({ ok: false, error: view.refused } as const),
  );
  const target = { pod, index, present: imageRef !== undefined, onRecord };
  const decided = Object.fromEntries(
    AUDIT_COLUMNS.map((column) => [column, decideContainer(views, column, target)]),
  ) as Record<AuditColumn, Decision>;
  const verified = decided.AlwaysVerify.nextStart === 'reuse';
  const decisions = Object.fromEntries(
    AUDIT_COLUMNS.map((column): [AuditColumn, ContainerDecision] => {
      const d = decided[column];
      return [column, { ...d, exposed: d.nextStart === 'reuse' && !verified }];
    }),
  ) as Record<AuditColumn, ContainerDecision>;
  return {
    pod: `${pod.namespace}/${pod.name}`,
    container: container.name,
    role: container.role ?? 'regular',
    image: container.image,
    imagePullPolicy: container.imagePullPolicy,
    imageRef: imageRef ?? null,
    credentials: credentials.ok ? credentials.sources : null,
    ...(credentials.ok ? {} : { credentialError: credentials.error }),
    decisions,
  };
}

function summarize(
  column: AuditColumn,
  effective: string,
  containers: readonly AuditContainer[],
): PolicySummary {
  const counts: Record<NextStart, number> = { reuse: 0, verify: 0, refused: 0, pull: 0, error: 0 };
  const exposures: Exposure[] = [];
  for (const c of containers) {
    const decision = c.decisions[column];
    counts[decision.nextStart]++;
    if (decision.exposed && c.imageRef !== null) {
      exposures.push({
        pod: c.pod,
        container: c.container,
        image: c.image,
        imageRef: c.imageRef,
        why: `${decision.why}; under AlwaysVerify: ${c.decisions.AlwaysVerify.why}`,
      });
    }
  }
  return {
    policy: column,
    effective,
    counts,
    exposedPods: new Set(exposures.map((e) => e.pod)).size,
    exposedImages: new Set(exposures.map((e) => e.imageRef)).size,
    exposures,
  };
}

function headlineText(summary: PolicySummary): string {
  const under =
    summary.policy === 'as-configured' ? `the node's configuration (${summary.effective})` : summary.policy;
  const pods = summary.exposedPods === 1 ? '1 pod' : `${summary.exposedPods} pods`;
  const images = summary.exposedImages === 1 ? '1 image' : `${summary.exposedImages} images`;
  return `under ${under}, ${pods} can start ${images} that no credential of theirs was ever verified for`;
}

/** Timeline steps that are not part of the node at t=0. */
function ignoredTimeline(scenario: Scenario): string[] {
  const atZero = initialManifests(scenario).length - scenario.objects.length;
  const ignored = scenario.timeline.length - atZero;
  return ignored === 0
    ? []
    : [
        `the scenario's timeline after its objects and 0s applies (${ignored} steps) is not part of the node audited`,
      ];
}
