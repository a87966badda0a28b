/**
 * The metering wrapper of the pull-record accessors (`meteringRecordsAccessor`, pkg/kubelet/images/pullmanager/
 * metrics.go, #132812; docs/kubelet-model.md#metrics and the stack in #the-in-memory-cache).
 */
import type { PullRecordsAccessor, RecordsLogger } from './accessor.js';
import type { ImagePulledRecord } from './records.js';

/**
 * The four record gauges of the kubelet, as plain numbers. They start at 0 and are set only after a successful
 * write or delete in this process: never at start-up, never by reads, Lists, the migration or the cache warm-up.
 */
export interface PullRecordMetrics {
  /** `kubelet_imagemanager_ondisk_pullintents`: valid files in `pulling/`. */
  ondiskPullIntents: number;
  /** `kubelet_imagemanager_ondisk_pulledrecords`: valid files in `pulled/`. */
  ondiskPulledRecords: number;
  /** `kubelet_imagemanager_inmemory_pullintents_usage_percent`: intents LRU Len × 100 / maxSize. */
  inmemoryPullIntentsUsagePercent: number;
  /** `kubelet_imagemanager_inmemory_pulledrecords_usage_percent`: pulled-records LRU Len × 100 / maxSize. */
  inmemoryPulledRecordsUsagePercent: number;
}

/** The exposed Prometheus name of each gauge. */
export const PULL_RECORD_METRIC_NAMES: Readonly<Record<keyof PullRecordMetrics, string>> = {
  ondiskPullIntents: 'kubelet_imagemanager_ondisk_pullintents',
  ondiskPulledRecords: 'kubelet_imagemanager_ondisk_pulledrecords',
  inmemoryPullIntentsUsagePercent: 'kubelet_imagemanager_inmemory_pullintents_usage_percent',
  inmemoryPulledRecordsUsagePercent: 'kubelet_imagemanager_inmemory_pulledrecords_usage_percent',
};

/** Fresh gauges, all 0 (metrics.go registers them at package initialisation without setting them). */
export function newPullRecordMetrics(): PullRecordMetrics {
  return {
    ondiskPullIntents: 0,
    ondiskPulledRecords: 0,
    inmemoryPullIntentsUsagePercent: 0,
    inmemoryPulledRecordsUsagePercent: 0,
  };
}

/** A size reading: a number, or the error that kept the gauge unchanged. */
export type SizeResult =
  | { readonly ok: true; readonly value: number }
  | { readonly ok: false; readonly error: string };

/** An accessor that can report its sizes (`sizeExposedPullRecordsAccessor`, metrics.go). */
export interface SizeExposedPullRecordsAccessor extends PullRecordsAccessor {
  intentsSize(): SizeResult;
  pulledRecordsSize(): SizeResult;
}

/** Which pair of gauges a wrapper sets: the file counts or the cache usage percentages. */
export type MeteredLayer = 'onDisk' | 'inMemory';

/** Options of the metering wrapper. */
export interface MeteredPullRecordsAccessorOptions {
  readonly logger?: RecordsLogger;
}

/**
 * `meteringRecordsAccessor` (metrics.go): passes every call through and, after each successful write or delete
 * (including the delete of an absent key), reads the delegate's size for that kind and sets the gauge. A failed
 * mutation leaves the gauge alone; a failed size read is logged (V(4)) and leaves it too.
 */
export class MeteredPullRecordsAccessor implements PullRecordsAccessor {
  readonly #intentsGauge: keyof PullRecordMetrics;
  readonly #pulledRecordsGauge: keyof PullRecordMetrics;
  readonly #logger: RecordsLogger | undefined;

  constructor(
    private readonly delegate: SizeExposedPullRecordsAccessor,
    private readonly metrics: PullRecordMetrics,
    layer: MeteredLayer,
    { logger }: MeteredPullRecordsAccessorOptions = {},
  ) {
    this.#intentsGauge = layer === 'onDisk' ? 'ondiskPullIntents' : 'inmemoryPullIntentsUsagePercent';
    this.#pulledRecordsGauge =
      layer === 'onDisk' ? 'ondiskPulledRecords' : 'inmemoryPulledRecordsUsagePercent';
    this.#logger = logger;
  }

  listImagePullIntents(): ReturnType<PullRecordsAccessor['listImagePullIntents']> {
    return this.delegate.listImagePullIntents();
  }

  imagePullIntentExists(image: string): ReturnType<PullRecordsAccessor['imagePullIntentExists']> {
    return this.delegate.imagePullIntentExists(image);
  }

  writeImagePullIntent(image: string): { readonly error?: string } {
    const result = this.delegate.writeImagePullIntent(image);
    if (result.error === undefined) this.#recordIntentsSize();
    return result;
  }

  deleteImagePullIntent(image: string): { readonly error?: string } {
    const result = this.delegate.deleteImagePullIntent(image);
    if (result.error === undefined) this.#recordIntentsSize();
    return result;
  }

  listImagePulledRecords(): ReturnType<PullRecordsAccessor['listImagePulledRecords']> {
    return this.delegate.listImagePulledRecords();
  }

  getImagePulledRecord(imageRef: string): ReturnType<PullRecordsAccessor['getImagePulledRecord']> {
    return this.delegate.getImagePulledRecord(imageRef);
  }

  writeImagePulledRecord(record: ImagePulledRecord): { readonly error?: string } {
    const result = this.delegate.writeImagePulledRecord(record);
    if (result.error === undefined) this.#recordPulledRecordsSize();
    return result;
  }

  deleteImagePulledRecord(imageRef: string): { readonly error?: string } {
    const result = this.delegate.deleteImagePulledRecord(imageRef);
    if (result.error === undefined) this.#recordPulledRecordsSize();
    return result;
  }

  #recordIntentsSize(): void {
    const size = this.delegate.intentsSize();
    if (size.ok) this.metrics[this.#intentsGauge] = size.value;
    else this.#logSizeError('ImagePullIntents', this.#intentsGauge, size.error);
  }

  #recordPulledRecordsSize(): void {
    const size = this.delegate.pulledRecordsSize();
    if (size.ok) this.metrics[this.#pulledRecordsGauge] = size.value;
    else this.#logSizeError('ImagePulledRecords', this.#pulledRecordsGauge, size.error);
  }

  #logSizeError(what: string, gauge: keyof PullRecordMetrics, error: string): void {
    this.#logger?.log(`failed to read number of ${what}, can't update metric`, {
      metricName: PULL_RECORD_METRIC_NAMES[gauge],
      error,
    });
  }
}
