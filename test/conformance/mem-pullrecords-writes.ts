/**
 * `pkg/kubelet/images/pullmanager/mem_pullrecords_test.go`: the write and delete tests of the cached accessor
 * (mem-pullrecords.ts has the rest). Listed, not ported yet.
 */
import { TEST_FILE } from './mem-pullrecords-fixtures.js';
import { type UpstreamTest, upstreamTest } from './upstream-case.js';

const NOT_YET =
  'not yet ported: sets and reads the cache internals (LRU contents, authoritative flag) through a fake delegate';

function listed(test: string, cases: readonly string[]): UpstreamTest<never> {
  return upstreamTest<never>({
    file: TEST_FILE,
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

export const MEM_PULLRECORDS_WRITE_TESTS = [
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
];
