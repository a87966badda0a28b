export { Backoff, IMAGE_BACKOFF_INITIAL, IMAGE_BACKOFF_MAX } from './backoff.js';
export { aggregateErrorText, evalCriPullError, ImageErrors, ImageEvents } from './errors.js';
export {
  type EnsureImageProcess,
  type EnsureImageRequest,
  type EnsureImageResult,
  ImageManager,
  type ImageManagerOptions,
  isPendingPull,
  type PendingPull,
  type PodIdentity,
  type PullImageJob,
  type PullImageJobResult,
  type PullPolicy,
  trackedToImagePullCreds,
} from './image-manager.js';
export {
  ImagePuller,
  type ImagePullerHost,
  type PullAttemptResult,
  type PullerJob,
} from './puller.js';
