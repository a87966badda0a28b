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
export {
  CONTAINER_BACKOFF_MAX,
  PodWorkers,
  type PodWorkerTimer,
  WORKER_BACKOFF,
  type WorkerContainer,
  type WorkerPod,
} from './pod-workers.js';
