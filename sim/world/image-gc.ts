import type { KubeletImageStack } from '../../src/kubelet.js';
import type { Ticks } from '../../src/time.js';
import type { ImageGcPolicySpec } from '../scenario/types.js';
import type { FsIoTotals, SimFileSystem } from './filesystem.js';
import type { SimRuntime } from './runtime.js';

/** Filesystem work spent in one activity of the node (start-ups, record pruning). */
export interface IoSpent {
  ops: number;
  syscalls: number;
  reads: number;
}

/** Adds the filesystem work done since `before` (an `ioTotals()` snapshot) to `spent`. */
export function addIoSince(fs: SimFileSystem, spent: IoSpent, before: FsIoTotals): void {
  const after = fs.ioTotals();
  spent.ops += after.ops - before.ops;
  spent.reads += after.reads - before.reads;
  spent.syscalls += after.syscalls.total - before.syscalls.total;
}

/** What image GC needs of its node. */
export interface ImageGcNode {
  readonly runtime: SimRuntime;
  readonly fs: SimFileSystem;
  /** Where the record pruning's file work is added up. */
  readonly gcIo: IoSpent;
  /** The imageRefs of running containers. */
  imagesInUse(): Set<string>;
  /** When an image was last used by a started container (0 if never). */
  lastUsed(imageRef: string): Ticks;
  trace(kind: string, fields: Record<string, unknown>): void;
  /** A kubelet death while pruning (a panic or a simulated crash). */
  crashed(error: unknown, where: string): void;
}

/**
 * The kubelet's image GC (pkg/kubelet/images/image_gc_manager.go) as the simulated runtime carries it out, followed
 * by the pull manager's `PruneUnknownRecords` over the images that remain. `all` removes every unused image (the
 * `imageGC` action); otherwise the least recently used go until the disk is under the policy's low threshold.
 */
export function collectImages(
  node: ImageGcNode,
  stack: KubeletImageStack,
  until: Ticks,
  policy: ImageGcPolicySpec | 'all',
): void {
  const removed =
    policy === 'all'
      ? node.runtime.garbageCollect(node.imagesInUse())
      : node.runtime.garbageCollectToThreshold(node.imagesInUse(), policy, (id) => node.lastUsed(id));
  if (policy !== 'all' && removed.length === 0) return;
  const remaining = node.runtime.listImages().map((image) => image.id);
  const ioBefore = node.fs.ioTotals();
  try {
    stack.pullManager.pruneUnknownRecords(remaining, until);
  } catch (error) {
    node.crashed(error, 'image GC');
  }
  addIoSince(node.fs, node.gcIo, ioBefore);
  node.trace('imageGC', { removed: [...removed], remaining: remaining.length });
}
