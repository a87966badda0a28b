/**
 * `pkg/kubelet/images/pullmanager/mem_pullrecords_test.go` @ 0411cc70 (the same cases as at 20418a0c): the
 * write-through LRU cache in front of the record files (1.35+, kubernetes/kubernetes#131882), run against
 * src/pullmanager/cached-accessor.ts. Upstream sets each cache's LRU and `authoritative` flag directly over a fake
 * delegate; here the cache is brought to the same state through the accessor (fake-pull-records-store.ts), and
 * read back through its introspection getters. This module holds the constructor, List and read tests;
 * mem-pullrecords-writes.ts the writes and deletes.
 */
import { expect } from 'vitest';
import { CachedPullRecordsAccessor } from '../../src/pullmanager/cached-accessor.js';
import type { ImagePulledRecord, ImagePullIntent } from '../../src/pullmanager/records.js';
import {
  type CacheState,
  FakePullRecordsStore,
  type StoreFacts,
  stageCachedAccessor,
} from './fake-pull-records-store.js';
import {
  bareRecord,
  errorsOf,
  expectCachedIntents,
  expectCachedRecords,
  generateTestPulledRecords,
  generateTestPullIntents,
  sortedIntents,
  sortedRecords,
  TEST_FILE,
  TEST_PULL_INTENTS,
  TEST_PULLED_RECORDS,
  without,
} from './mem-pullrecords-fixtures.js';
import { MEM_PULLRECORDS_WRITE_TESTS } from './mem-pullrecords-writes.js';
import { upstreamTest } from './upstream-case.js';

const VERSIONS = ['1.35', '1.36'] as const;

interface ConstructorFacts {
  /** The delegate the constructor warms the caches from; the caches hold 50 intents and 100 pulled records. */
  readonly store: StoreFacts;
  readonly wantCacheIntents: readonly ImagePullIntent[];
  readonly wantIntents: readonly ImagePullIntent[];
  readonly wantIntentsError?: string;
  readonly wantIntentsAuthoritative: boolean;
  readonly wantCachePulledRecords: readonly ImagePulledRecord[];
  readonly wantPulledRecords: readonly ImagePulledRecord[];
  readonly wantPulledRecordsError?: string;
  readonly wantPulledRecordsAuthoritative: boolean;
}

const MANY_PULL_INTENTS = sortedIntents(generateTestPullIntents(51));
const MANY_PULLED_RECORDS = sortedRecords(generateTestPulledRecords(101));

/** The facts every constructor case shares: both kinds listed cleanly from `testPullIntents`/`testPulledRecords`. */
const CLEAN_INIT: ConstructorFacts = {
  store: { intents: TEST_PULL_INTENTS, pulledRecords: TEST_PULLED_RECORDS },
  wantCacheIntents: TEST_PULL_INTENTS,
  wantIntents: sortedIntents(TEST_PULL_INTENTS),
  wantIntentsAuthoritative: true,
  wantCachePulledRecords: TEST_PULLED_RECORDS,
  wantPulledRecords: sortedRecords(TEST_PULLED_RECORDS),
  wantPulledRecordsAuthoritative: true,
};

const INTENTS_ERROR = { wantIntentsError: 'intentsError', wantIntentsAuthoritative: false } as const;
const RECORDS_ERROR = {
  wantPulledRecordsError: 'pulledRecordsError',
  wantPulledRecordsAuthoritative: false,
} as const;

/**
 * Upstream builds the accessor with `NewCachedPullRecordsAccessor(logger, delegate, 50, 100, 10)` and first checks
 * it is a metering accessor around the cache (Go plumbing, left out): the cache is built directly here.
 */
const newCachedPullRecordsAccessor = upstreamTest<ConstructorFacts>({
  file: TEST_FILE,
  test: 'TestNewCachedPullRecordsAccessor',
  versions: VERSIONS,
  cases: [
    { case: 'no issues during init', facts: CLEAN_INIT },
    {
      case: 'delegate intents list error',
      facts: {
        ...CLEAN_INIT,
        store: { ...CLEAN_INIT.store, intentsListError: 'intentsError' },
        ...INTENTS_ERROR,
      },
    },
    {
      case: 'delegate pulledRecords list error',
      facts: {
        ...CLEAN_INIT,
        store: { ...CLEAN_INIT.store, pulledRecordsListError: 'pulledRecordsError' },
        ...RECORDS_ERROR,
      },
    },
    {
      case: 'both delegate lists fail during init',
      facts: {
        ...CLEAN_INIT,
        store: {
          ...CLEAN_INIT.store,
          intentsListError: 'intentsError',
          pulledRecordsListError: 'pulledRecordsError',
        },
        ...INTENTS_ERROR,
        ...RECORDS_ERROR,
      },
    },
    {
      case: 'too many intents get cropped',
      facts: {
        ...CLEAN_INIT,
        store: { ...CLEAN_INIT.store, intents: MANY_PULL_INTENTS },
        wantIntents: MANY_PULL_INTENTS,
        wantIntentsAuthoritative: false,
        wantCacheIntents: MANY_PULL_INTENTS.slice(0, 50),
      },
    },
    {
      case: 'too many pulled records get cropped',
      facts: {
        ...CLEAN_INIT,
        store: { ...CLEAN_INIT.store, pulledRecords: MANY_PULLED_RECORDS },
        wantPulledRecords: MANY_PULLED_RECORDS,
        wantPulledRecordsAuthoritative: false,
        wantCachePulledRecords: MANY_PULLED_RECORDS.slice(0, 100),
      },
    },
  ],
  check(facts) {
    const accessor = new CachedPullRecordsAccessor(new FakePullRecordsStore(facts.store), {
      intentsCacheSize: 50,
      pulledRecordsCacheSize: 100,
    });
    expectCachedIntents(accessor, facts.wantCacheIntents);
    const intents = accessor.listImagePullIntents();
    expect(intents.intents).toEqual(facts.wantIntents);
    expect(intents.errors).toEqual(errorsOf(facts.wantIntentsError));
    expectCachedRecords(accessor, facts.wantCachePulledRecords);
    const records = accessor.listImagePulledRecords();
    expect(records.records).toEqual(facts.wantPulledRecords);
    expect(records.errors).toEqual(errorsOf(facts.wantPulledRecordsError));
    expect(accessor.intentsAuthoritative, 'intents authoritative').toBe(facts.wantIntentsAuthoritative);
    expect(accessor.pulledRecordsAuthoritative, 'pulled records authoritative').toBe(
      facts.wantPulledRecordsAuthoritative,
    );
  },
});

interface ListFacts<V> {
  readonly cache: CacheState<V>;
  readonly store: StoreFacts;
  readonly wantList: readonly V[];
  readonly wantError?: string;
  readonly wantAuthoritative: boolean;
}

const PARTIAL = 'only partial list was returned';

const listImagePullIntents = upstreamTest<ListFacts<ImagePullIntent>>({
  file: TEST_FILE,
  test: 'Test_cachedPullRecordsAccessor_ListImagePullIntents',
  versions: VERSIONS,
  cases: [
    {
      case: 'successful intents list from delegate, start authoritative',
      facts: {
        cache: { entries: [{ image: 'unexpected for this test' }], authoritative: true },
        store: { intents: TEST_PULL_INTENTS },
        wantList: sortedIntents(TEST_PULL_INTENTS),
        wantAuthoritative: true,
      },
    },
    {
      case: 'successful intents list from delegate, start non-authoritative',
      facts: {
        cache: { entries: [{ image: 'this would be wrong' }], authoritative: false },
        store: { intents: TEST_PULL_INTENTS },
        wantList: sortedIntents(TEST_PULL_INTENTS),
        wantAuthoritative: true,
      },
    },
    {
      case: 'partial intents listed from delegate with an error, start authoritative',
      facts: {
        cache: { entries: [{ image: 'unexpected for this test' }], authoritative: true },
        store: { intents: TEST_PULL_INTENTS.slice(0, 2), intentsListError: PARTIAL },
        wantList: sortedIntents(TEST_PULL_INTENTS).slice(0, 2),
        wantError: PARTIAL,
        wantAuthoritative: true,
      },
    },
    {
      case: 'partial intents listed from delegate with an error, start non-authoritative',
      facts: {
        cache: { entries: [{ image: 'this would be wrong' }], authoritative: false },
        store: { intents: TEST_PULL_INTENTS, intentsListError: PARTIAL },
        wantList: sortedIntents(TEST_PULL_INTENTS),
        wantError: PARTIAL,
        wantAuthoritative: false,
      },
    },
    {
      case: 'delegate returns empty list',
      facts: {
        cache: { entries: [], authoritative: true },
        store: {},
        wantList: [],
        wantAuthoritative: true,
      },
    },
  ],
  check(facts) {
    const { accessor } = stageCachedAccessor({ intents: facts.cache, store: facts.store });
    const got = accessor.listImagePullIntents();
    expect(got.intents).toEqual(facts.wantList);
    expect(got.errors).toEqual(errorsOf(facts.wantError));
    expect(accessor.intentsAuthoritative, 'authoritative').toBe(facts.wantAuthoritative);
  },
});

const listImagePulledRecords = upstreamTest<ListFacts<ImagePulledRecord>>({
  file: TEST_FILE,
  test: 'Test_cachedPullRecordsAccessor_ListImagePulledRecords',
  versions: VERSIONS,
  cases: [
    {
      case: 'initial cache error gets cleared by successful imagePulledRecords list from delegate',
      facts: {
        cache: { entries: [bareRecord('this would be wrong')], authoritative: false },
        store: { pulledRecords: TEST_PULLED_RECORDS },
        wantList: sortedRecords(TEST_PULLED_RECORDS),
        wantAuthoritative: true,
      },
    },
    {
      case: 'initial cache error, partial imagePulledRecords listed from delegate with an error',
      facts: {
        cache: { entries: [bareRecord('this would be wrong')], authoritative: false },
        store: { pulledRecords: TEST_PULLED_RECORDS, pulledRecordsListError: PARTIAL },
        wantList: sortedRecords(TEST_PULLED_RECORDS),
        wantError: PARTIAL,
        wantAuthoritative: false,
      },
    },
    {
      case: 'delegate returns empty list',
      facts: {
        cache: { entries: [bareRecord('unexpected for this test')], authoritative: true },
        store: {},
        wantList: [],
        wantAuthoritative: true,
      },
    },
  ],
  check(facts) {
    const { accessor } = stageCachedAccessor({ pulledRecords: facts.cache, store: facts.store });
    const got = accessor.listImagePulledRecords();
    expect(got.records).toEqual(facts.wantList);
    expect(got.errors).toEqual(errorsOf(facts.wantError));
    expect(accessor.pulledRecordsAuthoritative, 'authoritative').toBe(facts.wantAuthoritative);
  },
});

interface IntentExistsFacts {
  readonly cache: CacheState<ImagePullIntent>;
  readonly store: StoreFacts;
  readonly image: string;
  readonly want: boolean;
  readonly wantError?: string;
  readonly wantCache: readonly ImagePullIntent[];
  readonly wantAuthoritative: boolean;
}

const PROJECT1 = 'test.repo/org1/project1:tag';
const TWO_OTHER_INTENTS: readonly ImagePullIntent[] = [
  { image: 'test.repo/org1/project3:tag' },
  { image: 'test.repo/org2/project1:tag' },
];
const NOT_AN_INTENT = 'test.repo/org1/doesnotexist:tag';

const imagePullIntentExists = upstreamTest<IntentExistsFacts>({
  file: TEST_FILE,
  test: 'Test_cachedPullRecordsAccessor_ImagePullIntentExists',
  versions: VERSIONS,
  cases: [
    {
      case: 'intent exists in cache',
      facts: {
        cache: { entries: TEST_PULL_INTENTS, authoritative: true },
        store: { nextGetWriteError: 'should not have occurred' },
        image: PROJECT1,
        want: true,
        wantCache: TEST_PULL_INTENTS,
        wantAuthoritative: true,
      },
    },
    {
      case: 'intent exists in delegate, nonauthoritative cache gets updated',
      facts: {
        cache: { entries: TWO_OTHER_INTENTS, authoritative: false },
        store: { intents: TEST_PULL_INTENTS },
        image: PROJECT1,
        want: true,
        wantCache: [...TWO_OTHER_INTENTS, { image: PROJECT1 }],
        wantAuthoritative: false,
      },
    },
    {
      case: 'intent exists in delegate, authoritative cache sends not found',
      facts: {
        cache: { entries: TWO_OTHER_INTENTS, authoritative: true },
        store: { intents: TEST_PULL_INTENTS },
        image: PROJECT1,
        want: false,
        wantCache: TWO_OTHER_INTENTS,
        wantAuthoritative: true,
      },
    },
    {
      case: 'intent does not exist in cache or delegate',
      facts: {
        cache: { entries: TEST_PULL_INTENTS, authoritative: false },
        store: { intents: TEST_PULL_INTENTS },
        image: NOT_AN_INTENT,
        want: false,
        wantCache: TEST_PULL_INTENTS,
        wantAuthoritative: false,
      },
    },
    {
      case: 'intent does not exist in cache, delegate returns error on GET',
      facts: {
        cache: { entries: TEST_PULL_INTENTS, authoritative: false },
        store: { intents: TEST_PULL_INTENTS, nextGetWriteError: 'record malformed' },
        image: NOT_AN_INTENT,
        want: false,
        wantError: 'record malformed',
        wantCache: TEST_PULL_INTENTS,
        wantAuthoritative: false,
      },
    },
  ],
  check(facts) {
    const { accessor } = stageCachedAccessor({ intents: facts.cache, store: facts.store });
    const got = accessor.imagePullIntentExists(facts.image);
    expect(got.error).toBe(facts.wantError);
    expect(got.exists).toBe(facts.want);
    expectCachedIntents(accessor, facts.wantCache);
    expect(accessor.intentsAuthoritative, 'authoritative').toBe(facts.wantAuthoritative);
  },
});

interface GetPulledRecordFacts {
  readonly cache: CacheState<ImagePulledRecord>;
  readonly store: StoreFacts;
  readonly imageRef: string;
  readonly wantRecord?: ImagePulledRecord;
  readonly wantExists: boolean;
  readonly wantError?: string;
  readonly wantCache: readonly ImagePulledRecord[];
  readonly wantAuthoritative: boolean;
}

function recordOf(imageRef: string): ImagePulledRecord {
  const found = TEST_PULLED_RECORDS.find((r) => r.imageRef === imageRef);
  if (found === undefined) throw new Error(`no test record ${imageRef}`);
  return found;
}
const READ_ERROR = 'error reading pulled record';
const ALL_BUT_REF_22 = without(TEST_PULLED_RECORDS, 'ref-22');

const getImagePulledRecord = upstreamTest<GetPulledRecordFacts>({
  file: TEST_FILE,
  test: 'Test_cachedPullRecordsAccessor_GetImagePulledRecord',
  versions: VERSIONS,
  cases: [
    {
      case: 'pulled record exists in cache',
      facts: {
        cache: { entries: TEST_PULLED_RECORDS, authoritative: true },
        store: {},
        imageRef: 'ref-009',
        wantRecord: recordOf('ref-009'),
        wantExists: true,
        wantCache: TEST_PULLED_RECORDS,
        wantAuthoritative: true,
      },
    },
    {
      case: 'pulled record exists in delegate, nonauthoritative cache gets updated',
      facts: {
        cache: { entries: ALL_BUT_REF_22, authoritative: false },
        store: { pulledRecords: TEST_PULLED_RECORDS },
        imageRef: 'ref-22',
        wantRecord: recordOf('ref-22'),
        wantExists: true,
        wantCache: TEST_PULLED_RECORDS,
        wantAuthoritative: false,
      },
    },
    {
      case: 'pulled record exists in delegate, authoritative cache return not found',
      facts: {
        cache: { entries: ALL_BUT_REF_22, authoritative: true },
        store: { pulledRecords: TEST_PULLED_RECORDS },
        imageRef: 'ref-22',
        wantExists: false,
        wantCache: ALL_BUT_REF_22,
        wantAuthoritative: true,
      },
    },
    {
      case: 'pulled record does not exist',
      facts: {
        cache: { entries: without(TEST_PULLED_RECORDS, 'ref-87'), authoritative: false },
        store: {},
        imageRef: 'ref-87',
        wantExists: false,
        wantCache: without(TEST_PULLED_RECORDS, 'ref-87'),
        wantAuthoritative: false,
      },
    },
    {
      case: 'pulled record not cached and not in delegate, delegate returns error on read',
      facts: {
        cache: { entries: [], authoritative: false },
        store: { nextGetWriteError: READ_ERROR },
        imageRef: 'doesnotexist',
        wantExists: false,
        wantError: READ_ERROR,
        wantCache: [],
        wantAuthoritative: false,
      },
    },
    {
      case: 'pulled record not cached, exists in delegate, delegate returns error',
      facts: {
        cache: { entries: [], authoritative: false },
        store: { pulledRecords: TEST_PULLED_RECORDS, nextGetWriteError: READ_ERROR },
        imageRef: 'ref-3',
        wantExists: true,
        wantError: READ_ERROR,
        wantCache: [],
        wantAuthoritative: false,
      },
    },
  ],
  check(facts) {
    const { accessor } = stageCachedAccessor({ pulledRecords: facts.cache, store: facts.store });
    const got = accessor.getImagePulledRecord(facts.imageRef);
    expect(got.error).toBe(facts.wantError);
    expect(got.record).toEqual(facts.wantRecord);
    expect(got.exists).toBe(facts.wantExists);
    expectCachedRecords(accessor, facts.wantCache);
    expect(accessor.pulledRecordsAuthoritative, 'authoritative').toBe(facts.wantAuthoritative);
  },
});

export const MEM_PULLRECORDS_TESTS = [
  newCachedPullRecordsAccessor,
  listImagePullIntents,
  listImagePulledRecords,
  imagePullIntentExists,
  ...MEM_PULLRECORDS_WRITE_TESTS,
  getImagePulledRecord,
];
