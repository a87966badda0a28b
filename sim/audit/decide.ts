import {
  type EnsureImageResult,
  isPendingPull,
  type PendingPull,
} from '../../src/image-manager/image-manager.js';
import type { MustAttemptImagePullMatch } from '../../src/pullmanager/manager.js';
import type { StoredContainer, StoredPod } from '../world/api-server.js';
import { beginContainerStart, type NodeView, type NodeViews } from './node-view.js';
import type { AuditColumn, ContainerDecision } from './report-types.js';

/** A container's decision under one column, before the exposure is known. */
export type Decision = Omit<ContainerDecision, 'exposed'>;

/** What a column's kubelet runs: the policy, `legacy` with the gate off, or `not started`. */
export function effectivePolicy(view: NodeView): string {
  const stack = view.node.stack;
  if (stack === undefined) return 'not started';
  if (!stack.featureGateEnabled) return 'legacy';
  return stack.policy ?? 'NeverVerifyPreloadedImages';
}

/** Which container a decision is about, and what the audit already knows of its image. */
export interface DecisionTarget {
  readonly pod: StoredPod;
  readonly index: number;
  /** Whether the image is on the node. */
  readonly present: boolean;
  /** What the image's record holds, for the "why" of a verification. */
  readonly onRecord: string;
}

/**
 * The next-start decision of one container under one column: on a node of that column that no earlier answer
 * changed, the image manager's EnsureImageExists, stopped before the pull it would send.
 */
export function decideContainer(views: NodeViews, column: AuditColumn, target: DecisionTarget): Decision {
  return views.ask(column, (view) => {
    if (view.refused !== undefined)
      return { nextStart: 'error', why: view.refused, reason: 'KubeletNotRunning' };
    const pod = view.world.api.getPod(target.pod.namespace, target.pod.name);
    const container = pod?.containers[target.index];
    if (pod === undefined || container === undefined) throw new Error('every column stores the same pods');
    const step = beginContainerStart(view, pod, container);
    return classify(step, container, target.present, target.onRecord, effectivePolicy(view));
  });
}

function classify(
  step: EnsureImageResult | PendingPull,
  container: StoredContainer,
  present: boolean,
  onRecord: string,
  policy: string,
): Decision {
  if (isPendingPull(step)) {
    if (container.imagePullPolicy === 'Always') return { nextStart: 'pull', why: 'imagePullPolicy Always' };
    if (!present) return { nextStart: 'pull', why: 'the image is not on the node' };
    return {
      nextStart: 'verify',
      why: `no recorded credential lets the pod use it (${onRecord}): it pulls with its own credentials`,
    };
  }
  if (!step.ok) {
    if (step.reason === 'ErrImageNeverPull') {
      return {
        nextStart: 'refused',
        why: present
          ? `imagePullPolicy Never, and no recorded credential lets the pod use it (${onRecord})`
          : 'imagePullPolicy Never, and the image is not on the node',
        reason: step.reason,
      };
    }
    return { nextStart: 'error', why: step.message, reason: step.reason };
  }
  const answer = step.verification;
  if (answer === undefined)
    return { nextStart: 'reuse', why: 'feature gate off: a present image is reused unchecked' };
  return { nextStart: 'reuse', why: matchWhy(answer.match, answer.why, policy) };
}

/** What let the image be reused, in the words of docs/kubelet-model.md#mustattemptimagepull. */
function matchWhy(match: MustAttemptImagePullMatch | undefined, why: string, policy: string): string {
  switch (match?.kind) {
    case 'policy':
      if (policy === 'NeverVerifyAllowlistedImages') return `${policy}: the image is allowlisted`;
      return match.pulledByKubelet
        ? `${policy}: credentials of kubelet-pulled images are not verified`
        : `${policy}: a preloaded image is not verified`;
    case 'node-wide':
      return 'the record gives the image node-wide access (pulled with node credentials or anonymously)';
    case 'secret':
      return match.by === 'hash'
        ? `the credential hash of secret ${match.podSecret.namespace}/${match.podSecret.name} matches recorded secret ${match.cachedSecret.namespace}/${match.cachedSecret.name}`
        : `secret ${match.podSecret.namespace}/${match.podSecret.name} is recorded (same uid, its content changed since)`;
    case 'service-account':
      return `service account ${match.account.namespace}/${match.account.name} is recorded`;
    case undefined:
      return why;
  }
}
