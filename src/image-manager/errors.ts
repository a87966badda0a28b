/**
 * The image manager's error values (pkg/kubelet/images/types.go, k8s.io/cri-api/pkg/errors): each becomes the
 * container's `state.waiting.reason`.
 */
export const ImageErrors = {
  ErrImagePull: 'ErrImagePull',
  ErrImagePullBackOff: 'ImagePullBackOff',
  ErrImageInspect: 'ImageInspectError',
  ErrImageNeverPull: 'ErrImageNeverPull',
  ErrInvalidImageName: 'InvalidImageName',
  ErrRegistryUnavailable: 'RegistryUnavailable',
  ErrSignatureValidationFailed: 'SignatureValidationFailed',
} as const;

/** Event reasons the image manager emits (pkg/kubelet/events/event.go). */
export const ImageEvents = {
  PullingImage: 'Pulling',
  PulledImage: 'Pulled',
  FailedToPullImage: 'Failed',
  FailedToInspectImage: 'InspectFailed',
  ErrImageNeverPullPolicy: 'ErrImageNeverPull',
  BackOffPullImage: 'BackOff',
  FailedToRetrieveImagePullSecret: 'FailedToRetrieveImagePullSecret',
} as const;

/**
 * `utilerrors.NewAggregate(errs).Error()` (k8s.io/apimachinery): one error prints as itself; several print as
 * `[a, b]` with duplicate messages dropped.
 */
export function aggregateErrorText(messages: readonly string[]): string {
  if (messages.length === 0) return '';
  if (messages.length === 1) return messages[0] as string;
  const unique = [...new Set(messages)];
  return unique.length === 1 ? (unique[0] as string) : `[${unique.join(', ')}]`;
}

/**
 * `evalCRIPullErr` (pkg/kubelet/images/image_manager.go): maps a CRI pull error to the waiting reason and the
 * message shown to users.
 */
export function evalCriPullError(
  image: string,
  error: string,
): { readonly reason: string; readonly message: string } {
  if (error.startsWith(ImageErrors.ErrRegistryUnavailable)) {
    return {
      reason: ImageErrors.ErrRegistryUnavailable,
      message: `image pull failed for ${image} because the registry is unavailable${error.slice(ImageErrors.ErrRegistryUnavailable.length)}`,
    };
  }
  if (error.startsWith(ImageErrors.ErrSignatureValidationFailed)) {
    return {
      reason: ImageErrors.ErrSignatureValidationFailed,
      message: `image pull failed for ${image} because the signature validation failed${error.slice(ImageErrors.ErrSignatureValidationFailed.length)}`,
    };
  }
  return { reason: ImageErrors.ErrImagePull, message: error };
}
