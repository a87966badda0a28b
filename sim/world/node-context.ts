import type { KubeletImageConfig } from '../../src/kubelet.js';
import type { KubeletProfile } from '../../src/profiles.js';
import type { Ticks } from '../../src/time.js';
import type { EventQueue } from '../kernel/queue.js';
import type { RandomStream } from '../kernel/random.js';
import type { Trace } from '../kernel/trace.js';
import type { OracleContext } from '../oracle.js';
import type { ImageGcPolicySpec } from '../scenario/types.js';
import type { NodeCredentialSources } from './credential-sources.js';
import type { WorldEvent } from './events.js';
import type { SimFileSystem } from './filesystem.js';
import type { PodRecord } from './pod-records.js';
import type { SimRuntime } from './runtime.js';

/** What a node shares with the world. */
export interface NodeContext {
  readonly queue: EventQueue<WorldEvent>;
  readonly now: () => Ticks;
  /** Virtual tick 0 as Unix microseconds (the kubelet's clock for record times). */
  readonly epochOffset: Ticks;
  readonly trace: Trace;
  readonly syncJitter: RandomStream;
  readonly profile: KubeletProfile;
  readonly oracle: Omit<OracleContext, 'nodeCredentials'>;
  /** When anything that decides who may pull what changed (registry mutations, secrets, service accounts). */
  readonly authorizationChangedAt: readonly Ticks[];
  /** Called when a pod incarnation is created on this node, for results. */
  readonly onPodRecord: (record: PodRecord) => void;
  /** Called when a pod is deleted. Without `retainPodRecords` the node then forgets it (long benchmarks). */
  readonly onPodFinished?: (record: PodRecord) => void;
  /** Every EnsureImageExists outcome as one line, for differential checks between record stores. */
  readonly onDecision?: (line: string) => void;
  /** Keep deleted pods' records for results (default true). */
  readonly retainPodRecords?: boolean;
}

export interface NodeParts {
  readonly name: string;
  readonly fs: SimFileSystem;
  readonly runtime: SimRuntime;
  readonly credentials: NodeCredentialSources;
  readonly config: KubeletImageConfig;
  readonly imageGC: ImageGcPolicySpec | undefined;
  /** imageRefs that files given at t=0 record as node-wide (for the gap classifier). */
  readonly presetNodeWide?: ReadonlySet<string>;
}
