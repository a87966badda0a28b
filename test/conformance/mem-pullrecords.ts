/**
 * `pkg/kubelet/images/pullmanager/mem_pullrecords_test.go` @ 20418a0c: the write-through LRU cache in front of the
 * record files (1.35+, kubernetes/kubernetes#131882). Every case is listed; none is ported yet. Each sets the
 * cache's LRU contents and its `authoritative` flag directly and checks them afterwards, over a fake delegate
 * that fails on demand; the port has to express those as facts about src/pullmanager/cached-accessor.ts
 * (its behaviour tests are in test/src/pullmanager/cached-accessor.test.ts meanwhile).
 */
import { type UpstreamTest, upstreamTest } from './upstream-case.js';

const NOT_YET =
  'not yet ported: sets and reads the cache internals (LRU contents, authoritative flag) through a fake delegate';

function listed(test: string, cases: readonly string[]): UpstreamTest<never> {
  return upstreamTest<never>({
    file: 'pkg/kubelet/images/pullmanager/mem_pullrecords_test.go',
    test,
    versions: ['1.35', '1.36'],
    cases: cases.map((name) => ({ case: name, notPorted: NOT_YET })),
    check() {
      throw new Error(`${test} has no ported case`);
    },
  });
}

/** The delete tests append `, authoritative=<v>` to the case name inside their loop, so the second run keeps both. */
function bothAuthoritative(cases: readonly string[]): string[] {
  return cases.flatMap((name) => [
    `${name}, authoritative=true`,
    `${name}, authoritative=true, authoritative=false`,
  ]);
}

const WRITES = [
  'successful write through an empty cache to delegate',
  'write to delegate returns error',
  "write to cache that's already populated",
  'exceeding the cache size turns it from authoritative to non-authoritative',
];

export const MEM_PULLRECORDS_TESTS = [
  listed('TestNewCachedPullRecordsAccessor', [
    'no issues during init',
    'delegate intents list error',
    'delegate pulledRecords list error',
    'both delegate lists fail during init',
    'too many intents get cropped',
    'too many pulled records get cropped',
  ]),
  listed('Test_cachedPullRecordsAccessor_ListImagePullIntents', [
    'successful intents list from delegate, start authoritative',
    'successful intents list from delegate, start non-authoritative',
    'partial intents listed from delegate with an error, start authoritative',
    'partial intents listed from delegate with an error, start non-authoritative',
    'delegate returns empty list',
  ]),
  listed('Test_cachedPullRecordsAccessor_ListImagePulledRecords', [
    'initial cache error gets cleared by successful imagePulledRecords list from delegate',
    'initial cache error, partial imagePulledRecords listed from delegate with an error',
    'delegate returns empty list',
  ]),
  listed('Test_cachedPullRecordsAccessor_ImagePullIntentExists', [
    'intent exists in cache',
    'intent exists in delegate, nonauthoritative cache gets updated',
    'intent exists in delegate, authoritative cache sends not found',
    'intent does not exist in cache or delegate',
    'intent does not exist in cache, delegate returns error on GET',
  ]),
  listed('Test_cachedPullRecordsAccessor_WriteImagePullIntent', [
    WRITES[0] as string,
    'rewrite cached intent, write through to delegate',
    'write even though the very same intent is already in the cache',
    ...WRITES.slice(1),
  ]),
  listed('Test_cachedPullRecordsAccessor_WriteImagePulledRecord', [
    WRITES[0] as string,
    'rewrite cached pulled record, write through to delegate',
    'write even though the same pulled record is already in the cache',
    ...WRITES.slice(1),
  ]),
  listed(
    'Test_cachedPullRecordsAccessor_DeleteImagePullIntent',
    bothAuthoritative([
      'delete an existing intent from the cache',
      'attempt to delete a non-existent intent from the cache',
      'error deleting an intent from delegate',
    ]),
  ),
  listed(
    'Test_cachedPullRecordsAccessor_DeleteImagePulledRecord',
    bothAuthoritative([
      'delete an existing pulled record from the cache',
      'attempt to delete a non-existent imagePulledRecord from the cache',
      'error deleting an imagePulledRecord from delegate',
    ]),
  ),
  listed('Test_cachedPullRecordsAccessor_GetImagePulledRecord', [
    'pulled record exists in cache',
    'pulled record exists in delegate, nonauthoritative cache gets updated',
    'pulled record exists in delegate, authoritative cache return not found',
    'pulled record does not exist',
    'pulled record not cached and not in delegate, delegate returns error on read',
    'pulled record not cached, exists in delegate, delegate returns error',
  ]),
];
