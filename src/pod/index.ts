export {
  CONTAINER_STATES,
  type ContainerEvent,
  type ContainerState,
  compileContainerLifecycle,
  containerLifecycle,
  containerLifecycleMachine,
  containerStatusKind,
  INITIAL_CONTAINER_STATE,
  isWaitingState,
  type RestartPolicy,
  restartsAfterExit,
  stateName,
} from './container-lifecycle.js';
export { CONTAINER_BACKOFF_MAX, PodWorkers, WORKER_BACKOFF } from './pod-workers.js';
export type { PodWorkerTimer, WorkerContainer, WorkerPod } from './worker-types.js';
