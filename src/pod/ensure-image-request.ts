import type { EnsureImageRequest, PullPolicy } from '../image-manager/index.js';
import type { SecretObject } from '../ports.js';
import type { WorkerContainer, WorkerPodSpec } from './worker-types.js';

/**
 * The EnsureImageExists request for one container of a pod, as SyncPod's start of a container makes it
 * (kuberuntime_container.go `startContainer` → `EnsureImageExists`): the pod's identity and service account, the
 * container's image string as written, its pull policy, and the pull secrets `getPullSecretsForPod` resolved.
 * `pullPolicy` overrides the container's (a tool asking what a forced pull would send).
 */
export function ensureImageRequest(
  pod: Pick<WorkerPodSpec, 'uid' | 'namespace' | 'name' | 'serviceAccountName'>,
  container: Pick<WorkerContainer, 'name' | 'image' | 'imagePullPolicy'>,
  pullSecrets: readonly SecretObject[],
  pullPolicy: PullPolicy = container.imagePullPolicy as PullPolicy,
): EnsureImageRequest {
  return {
    pod: {
      uid: pod.uid,
      namespace: pod.namespace,
      name: pod.name,
      serviceAccountName: pod.serviceAccountName,
    },
    containerName: container.name,
    image: container.image,
    pullPolicy,
    pullSecrets,
  };
}
