/**
 * The pull-record storage interface of the kubelet (`PullRecordsAccessor`, pkg/kubelet/images/pullmanager/
 * interfaces.go). Types only: the implementations (`fs-accessor.ts`, `cached-accessor.ts`, `metered-accessor.ts`)
 * import it, and `pull-records-store.ts` stacks them.
 */
import type { EventRecorder } from '../ports.js';
import type { ImagePulledRecord, ImagePullIntent } from './records.js';

/**
 * Reads and writes ImagePullIntents (keyed by the pod's image string) and ImagePulledRecords (keyed by the CRI
 * imageRef). Errors are values: Lists return what decoded plus one message per failure (upstream an aggregate
 * error); a corrupt pulled record reads as `exists: true` with an error.
 */
export interface PullRecordsAccessor {
  listImagePullIntents(): { readonly intents: ImagePullIntent[]; readonly errors: string[] };
  imagePullIntentExists(image: string): { readonly exists: boolean; readonly error?: string };
  writeImagePullIntent(image: string): { readonly error?: string };
  deleteImagePullIntent(image: string): { readonly error?: string };
  listImagePulledRecords(): { readonly records: ImagePulledRecord[]; readonly errors: string[] };
  getImagePulledRecord(imageRef: string): {
    readonly record?: ImagePulledRecord;
    readonly exists: boolean;
    readonly error?: string;
  };
  writeImagePulledRecord(record: ImagePulledRecord): { readonly error?: string };
  deleteImagePulledRecord(imageRef: string): { readonly error?: string };
}

/** Where the accessors write their log lines (the kubelet's klog); nothing is logged when absent. */
export type RecordsLogger = Pick<EventRecorder, 'log'>;
