/** Events in the world's queue. Kubelet-scoped events carry the kubelet epoch they belong to. */
export type WorldEvent =
  | { readonly kind: 'timeline'; readonly index: number }
  /** The next step(s) of a streamed timeline (long generated workloads are not materialised). */
  | { readonly kind: 'stream' }
  | { readonly kind: 'kubeletStart'; readonly node: string }
  | { readonly kind: 'podSync'; readonly node: string; readonly podKey: string; readonly epoch: number }
  | { readonly kind: 'pullAttemptDone'; readonly node: string; readonly jobId: number }
  | {
      readonly kind: 'containerRestartDue';
      readonly node: string;
      readonly podUid: string;
      readonly container: number;
    }
  | {
      readonly kind: 'initContainerExitDue';
      readonly node: string;
      readonly podUid: string;
      readonly container: number;
      readonly restarts: number;
    }
  | { readonly kind: 'imageGCCheck'; readonly node: string; readonly epoch: number };
