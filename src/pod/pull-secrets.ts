import { ImageEvents } from '../image-manager/errors.js';
import type { CredentialSources, EventRecorder, ObjectRef, SecretObject } from '../ports.js';

/**
 * `getPullSecretsForPod` (pkg/kubelet/kubelet_pods.go): resolves the pod's `imagePullSecrets`; empty names are
 * skipped, secrets that cannot be fetched are skipped with one Warning event naming them.
 */
export function getPullSecretsForPod(
  pod: ObjectRef,
  imagePullSecretNames: readonly string[],
  sources: CredentialSources,
  recorder: EventRecorder,
): SecretObject[] {
  const found: SecretObject[] = [];
  const missing: string[] = [];
  for (const name of imagePullSecretNames) {
    if (name === '') continue;
    const secret = sources.getSecret(pod.namespace, name);
    if (secret === undefined) {
      // Every secret that cannot be fetched is logged, then named in the one Warning below.
      recorder.log('Unable to retrieve pull secret, the image pull may not succeed.', {
        pod: `${pod.namespace}/${pod.name}`,
        secret: `${pod.namespace}/${name}`,
      });
      missing.push(name);
    } else found.push(secret);
  }
  if (missing.length > 0) {
    recorder.event(
      { kind: 'Pod', namespace: pod.namespace, name: pod.name, uid: pod.uid },
      'Warning',
      ImageEvents.FailedToRetrieveImagePullSecret,
      `Unable to retrieve some image pull secrets (${missing.join(', ')}); attempting to pull the image may not succeed.`,
    );
  }
  return found;
}
