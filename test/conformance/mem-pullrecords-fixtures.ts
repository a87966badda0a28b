/**
 * The records of `pkg/kubelet/images/pullmanager/mem_pullrecords_test.go` (`testPullIntents`, `testPulledRecords`,
 * `generateTestPullIntents`, `generateTestPulledRecords`) and the comparisons its tests make of the cache
 * (`cmpRecordsMapAndCache`, `cmpErrorStrings`), for mem-pullrecords.ts and mem-pullrecords-writes.ts.
 */
import { expect } from 'vitest';
import { compareGoStrings } from '../../src/go/index.js';
import type { CachedPullRecordsAccessor } from '../../src/pullmanager/cached-accessor.js';
import type { ImagePulledRecord, ImagePullIntent } from '../../src/pullmanager/records.js';

export const TEST_FILE = 'pkg/kubelet/images/pullmanager/mem_pullrecords_test.go';

/** `testPullIntents()`, in its (unsorted) order. */
export const TEST_PULL_INTENTS: readonly ImagePullIntent[] = [
  { image: 'test.repo/org1/project2:tag' },
  { image: 'test.repo/org1/project1:tag' },
  { image: 'test.repo/org1/project3:tag' },
  { image: 'test.repo/org2/project1:tag' },
];

/** The records carry no `lastUpdatedTime`: Go's zero time, null here. */
function record(
  imageRef: string,
  credentialMapping: ImagePulledRecord['credentialMapping'],
): ImagePulledRecord {
  return { lastUpdatedTime: null, imageRef, credentialMapping };
}

/** `testPulledRecords()`, in its (unsorted) order. */
export const TEST_PULLED_RECORDS: readonly ImagePulledRecord[] = [
  record('ref-87', { 'image.some/org1/imagex': { nodePodsAccessible: true } }),
  record('ref-3', { 'image.some/org2/image': { nodePodsAccessible: true } }),
  record('ref-22', {
    'image.some/org1/image-2': {
      kubernetesSecrets: [{ namespace: 'ns1', name: 'secret1', uid: 'uid1', credentialHash: 'somehash' }],
    },
  }),
  record('ref-17', { 'image.some/org1/image-3': { nodePodsAccessible: true } }),
  record('ref-009', { 'image.some/org3/image': { nodePodsAccessible: true } }),
];

/** A record with nothing but its imageRef (`&ImagePulledRecord{ImageRef: ref}`). */
export function bareRecord(imageRef: string): ImagePulledRecord {
  return record(imageRef, {});
}

/**
 * `generateTestPullIntents(n)`: upstream puts a random number in each name; the suite is deterministic, so the
 * number is the index. The first generated sorts first, which the eviction cases rely on (`listToCache` adds in
 * generation order, the staged cache in key order).
 */
export function generateTestPullIntents(count: number): ImagePullIntent[] {
  return Array.from({ length: count }, (_, i) => ({ image: `test.repo/org${i}/project${i}:tag` }));
}

/** `generateTestPulledRecords(n)`, with the index in place of upstream's random numbers. */
export function generateTestPulledRecords(count: number): ImagePulledRecord[] {
  return Array.from({ length: count }, (_, i) =>
    record(`ref-${i}`, { [`image.some/org${i}/image${i}`]: { nodePodsAccessible: true } }),
  );
}

export function sortedIntents(intents: readonly ImagePullIntent[]): ImagePullIntent[] {
  return [...intents].sort((a, b) => compareGoStrings(a.image, b.image));
}

export function sortedRecords(records: readonly ImagePulledRecord[]): ImagePulledRecord[] {
  return [...records].sort((a, b) => compareGoStrings(a.imageRef, b.imageRef));
}

/** `deleteFromStringMap`: the entries without the one keyed `key`. */
export function without<V extends ImagePullIntent | ImagePulledRecord>(
  entries: readonly V[],
  key: string,
): V[] {
  return entries.filter((entry) => keyOf(entry) !== key);
}

function keyOf(entry: ImagePullIntent | ImagePulledRecord): string {
  return 'image' in entry ? entry.image : entry.imageRef;
}

/** `cmpErrorStrings` over pullsim's error lists: no error is an empty list, an error is a list of one. */
export function errorsOf(error: string | undefined): string[] {
  return error === undefined ? [] : [error];
}

/**
 * `cmpRecordsMapAndCache` for the intents: the same keys. A cached intent is its image, so the value adds nothing.
 */
export function expectCachedIntents(
  accessor: CachedPullRecordsAccessor,
  want: readonly ImagePullIntent[],
): void {
  const images = want.map((intent) => intent.image).sort(compareGoStrings);
  expect(accessor.cachedIntentImages().sort(compareGoStrings), 'cached intents').toEqual(images);
}

/**
 * `cmpRecordsMapAndCache` for the pulled records: the same keys, and under each the same record. The values are
 * read back with Get, which only hits once the keys are known to match (as upstream's `c.Get`, it bumps recency).
 */
export function expectCachedRecords(
  accessor: CachedPullRecordsAccessor,
  want: readonly ImagePulledRecord[],
): void {
  const refs = want.map((wanted) => wanted.imageRef).sort(compareGoStrings);
  expect(accessor.cachedPulledRecordRefs().sort(compareGoStrings), 'cached pulled records').toEqual(refs);
  for (const wanted of want) {
    expect(accessor.getImagePulledRecord(wanted.imageRef).record, wanted.imageRef).toEqual(wanted);
  }
}
