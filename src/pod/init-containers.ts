import { TICKS_PER_SECOND, ticks } from '../time.js';
import type { ContainerState, RestartPolicy } from './container-lifecycle.js';

/**
 * Init containers as kuberuntime runs them (`computePodActions` and `computeInitContainerActions` in
 * pkg/kubelet/kuberuntime/kuberuntime_manager.go, with the `SidecarContainers` gate: beta and on since 1.29, GA in
 * 1.33): one at a time, in order, each to completion before the next; a restartable init container (a sidecar,
 * `restartPolicy: Always`) only has to start before the next one goes on, and keeps running beside the regular
 * containers. While initialization fails or is in progress the regular containers are not inspected ("Skip
 * inspecting non-init containers"), so EnsureImageExists is never called for them. docs/kubelet-model.md#init-containers.
 */

/** An init container's kind: `init` runs to completion, `sidecar` starts and keeps running. */
export type ContainerRole = 'init' | 'sidecar';

/**
 * How long a regular init container runs before it exits 0: a fixed second of virtual time (a scenario cannot run
 * a command; the `restartContainer` action makes a running one fail instead).
 */
export const INIT_CONTAINER_RUN = ticks(1 * TICKS_PER_SECOND);

/** The reason a regular init container that exited 0 shows (`state.terminated.reason`). */
export const COMPLETED = 'Completed';

/** What one sync does with a container: ask EnsureImageExists (and start it), pass it by, or go no further. */
export type SyncStep = 'ensure' | 'skip' | 'stop';

interface SyncedContainer {
  readonly role?: ContainerRole | undefined;
  readonly state: ContainerState;
  readonly reason: string | undefined;
}

function waitsForStart(state: ContainerState): boolean {
  return state === 'waiting.containerCreating' || state === 'waiting.imagePullFailed';
}

/**
 * The sync's step for a container, given whether the pod finished initializing. Before that, the first init
 * container that is neither completed nor a running sidecar is the only one ensured; one running, back-off
 * waiting or failed for good (restartPolicy Never) stops the sync there. After that, regular init containers are
 * never run again and a sidecar is restarted like a regular container.
 */
export function syncStep(container: SyncedContainer, initialized: boolean): SyncStep {
  if (container.role === undefined || initialized) {
    if (container.role === 'init') return 'skip';
    return waitsForStart(container.state) ? 'ensure' : 'skip';
  }
  if (waitsForStart(container.state)) return 'ensure';
  if (container.role === 'sidecar') return container.state === 'running' ? 'skip' : 'stop';
  return container.state === 'exited' && container.reason === COMPLETED ? 'skip' : 'stop';
}

/**
 * Whether the sync goes on to the next container after an EnsureImageExists answer: a regular init container
 * that started must complete first, and an init container whose image failed blocks the rest (SyncPod's step 6
 * returns) unless it is a sidecar of a pod already initialized.
 */
export function goesOnAfterEnsure(container: SyncedContainer, ok: boolean, initialized: boolean): boolean {
  if (container.role === undefined) return true;
  if (container.role === 'init') return false;
  return ok || initialized;
}

/**
 * The restart policy an exited container is judged by: a sidecar is always restarted; a regular init container is
 * restarted after a failure unless the pod's policy is Never (`Always` counts as `OnFailure`: a completed init
 * container is not run again); a regular container follows the pod's policy.
 */
export function exitRestartPolicy(role: ContainerRole | undefined, podPolicy: RestartPolicy): RestartPolicy {
  if (role === 'sidecar') return 'Always';
  if (role === 'init' && podPolicy === 'Always') return 'OnFailure';
  return podPolicy;
}
