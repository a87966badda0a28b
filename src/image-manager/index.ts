export { Backoff } from './backoff.js';
export {
  type EnsureImageProcess,
  type EnsureImageRequest,
  type EnsureImageResult,
  ImageManager,
  type PendingPull,
  type PullImageJob,
  type PullImageJobResult,
  type PullPolicy,
  trackedToImagePullCreds,
} from './image-manager.js';
