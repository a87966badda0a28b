/**
 * `pkg/kubelet/images/pullmanager/mem_pullrecords_test.go`: the write and delete tests of the cached accessor
 * (mem-pullrecords.ts has the rest, and says how the cache is brought to each case's starting state).
 */
import { expect } from 'vitest';
import type { CachedPullRecordsAccessor } from '../../src/pullmanager/cached-accessor.js';
import type { ImagePulledRecord, ImagePullIntent } from '../../src/pullmanager/records.js';
import {
  type CacheState,
  type FakePullRecordsStore,
  type StoreFacts,
  stageCachedAccessor,
} from './fake-pull-records-store.js';
import {
  bareRecord,
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
import { type UpstreamCase, upstreamTest } from './upstream-case.js';

const VERSIONS = ['1.35', '1.36'] as const;

/** One kind of record as the write and delete checks see it: how to stage it, write it, delete it and read it. */
interface Kind<V> {
  readonly stage: (cache: CacheState<V>, store: StoreFacts) => StagedCase;
  readonly write: (accessor: CachedPullRecordsAccessor, value: V) => { readonly error?: string };
  readonly delete: (accessor: CachedPullRecordsAccessor, key: string) => { readonly error?: string };
  readonly expectCache: (accessor: CachedPullRecordsAccessor, want: readonly V[]) => void;
  readonly stored: (store: FakePullRecordsStore) => V[];
  readonly sorted: (values: readonly V[]) => V[];
  readonly authoritative: (accessor: CachedPullRecordsAccessor) => boolean;
  readonly content: (values: readonly V[]) => StoreFacts;
}

type StagedCase = ReturnType<typeof stageCachedAccessor>;

const INTENTS: Kind<ImagePullIntent> = {
  stage: (cache, store) => stageCachedAccessor({ intents: cache, store }),
  write: (accessor, intent) => accessor.writeImagePullIntent(intent.image),
  delete: (accessor, image) => accessor.deleteImagePullIntent(image),
  expectCache: expectCachedIntents,
  stored: (store) => sortedIntents([...store.intents.values()]),
  sorted: sortedIntents,
  authoritative: (accessor) => accessor.intentsAuthoritative,
  content: (intents) => ({ intents }),
};

const PULLED_RECORDS: Kind<ImagePulledRecord> = {
  stage: (cache, store) => stageCachedAccessor({ pulledRecords: cache, store }),
  write: (accessor, record) => accessor.writeImagePulledRecord(record),
  delete: (accessor, imageRef) => accessor.deleteImagePulledRecord(imageRef),
  expectCache: expectCachedRecords,
  stored: (store) => sortedRecords([...store.pulledRecords.values()]),
  sorted: sortedRecords,
  authoritative: (accessor) => accessor.pulledRecordsAuthoritative,
  content: (pulledRecords) => ({ pulledRecords }),
};

interface WriteFacts<V> {
  readonly cache: CacheState<V>;
  /** Upstream wraps the store in a `recordingPullRecordsAccessor`; the fake records the calls itself. */
  readonly store: StoreFacts;
  readonly input: V;
  readonly wantError?: string;
  readonly wantCache: readonly V[];
  readonly wantAuthoritative: boolean;
  readonly wantRecordedMethods: readonly string[];
}

function checkWrite<V>(kind: Kind<V>, facts: WriteFacts<V>): void {
  const { accessor, store } = kind.stage(facts.cache, facts.store);
  expect(kind.write(accessor, facts.input).error).toBe(facts.wantError);
  kind.expectCache(accessor, facts.wantCache);
  expect(store.methodsCalled).toEqual(facts.wantRecordedMethods);
  expect(kind.authoritative(accessor), 'authoritative').toBe(facts.wantAuthoritative);
}

const empty = (authoritative: boolean) => ({ entries: [], authoritative });
const WRITE_ERROR = { nextGetWriteError: 'write error' };
const PROJECT1 = { image: 'test.repo/org1/project1:tag' };
const NEW_INTENT = { image: 'test.repo/org1/newimage:tag' };
const JUST_ENOUGH_INTENTS = generateTestPullIntents(100);
const JUST_ENOUGH_RECORDS = generateTestPulledRecords(100);

const writeImagePullIntent = upstreamTest<WriteFacts<ImagePullIntent>>({
  file: TEST_FILE,
  test: 'Test_cachedPullRecordsAccessor_WriteImagePullIntent',
  versions: VERSIONS,
  cases: [
    {
      case: 'successful write through an empty cache to delegate',
      facts: intentWrite(empty(true), PROJECT1, [PROJECT1], true),
    },
    {
      // Upstream caches `{Image: "something else"}` under the key ("not a real scenario"); a pullsim intent is
      // its key alone, so the cache starts with the key's own intent: the case checks the write-through.
      case: 'rewrite cached intent, write through to delegate',
      facts: intentWrite({ entries: [PROJECT1], authoritative: false }, PROJECT1, [PROJECT1], false),
    },
    {
      case: 'write even though the very same intent is already in the cache',
      facts: intentWrite({ entries: [PROJECT1], authoritative: false }, PROJECT1, [PROJECT1], false),
    },
    {
      case: 'write to delegate returns error',
      facts: {
        ...intentWrite(empty(false), PROJECT1, [], false),
        store: WRITE_ERROR,
        wantError: 'write error',
      },
    },
    {
      case: "write to cache that's already populated",
      facts: intentWrite(
        { entries: TEST_PULL_INTENTS, authoritative: false },
        NEW_INTENT,
        [...TEST_PULL_INTENTS, NEW_INTENT],
        false,
      ),
    },
    {
      case: 'exceeding the cache size turns it from authoritative to non-authoritative',
      facts: intentWrite(
        { entries: JUST_ENOUGH_INTENTS, authoritative: true },
        { image: 'new.repo/neworg/newimage:tag' },
        [...JUST_ENOUGH_INTENTS.slice(1), { image: 'new.repo/neworg/newimage:tag' }],
        false,
      ),
    },
  ],
  check: (facts) => checkWrite(INTENTS, facts),
});

function intentWrite(
  cache: CacheState<ImagePullIntent>,
  input: ImagePullIntent,
  wantCache: readonly ImagePullIntent[],
  wantAuthoritative: boolean,
): WriteFacts<ImagePullIntent> {
  return {
    cache,
    store: {},
    input,
    wantCache,
    wantAuthoritative,
    wantRecordedMethods: ['WriteImagePullIntent'],
  };
}

function recordWrite(
  cache: CacheState<ImagePulledRecord>,
  input: ImagePulledRecord,
  wantCache: readonly ImagePulledRecord[],
  wantAuthoritative: boolean,
): WriteFacts<ImagePulledRecord> {
  return {
    cache,
    store: {},
    input,
    wantCache,
    wantAuthoritative,
    wantRecordedMethods: ['WriteImagePulledRecord'],
  };
}

const SOMEREF = bareRecord('someref-1');
const SOMEREF_ONE_MAPPING: ImagePulledRecord = {
  ...SOMEREF,
  credentialMapping: { 'test.repo/org1/project1': { nodePodsAccessible: true } },
};
const SOMEREF_TWO_MAPPINGS: ImagePulledRecord = {
  ...SOMEREF,
  credentialMapping: {
    ...SOMEREF_ONE_MAPPING.credentialMapping,
    'test.repo/org2/project1': {
      kubernetesSecrets: [{ namespace: 'ns1', name: 'secret1', uid: 'uid1', credentialHash: 'somehash' }],
    },
  },
};
const NEWREF = bareRecord('newref');

const writeImagePulledRecord = upstreamTest<WriteFacts<ImagePulledRecord>>({
  file: TEST_FILE,
  test: 'Test_cachedPullRecordsAccessor_WriteImagePulledRecord',
  versions: VERSIONS,
  cases: [
    {
      case: 'successful write through an empty cache to delegate',
      facts: recordWrite(empty(true), SOMEREF, [SOMEREF], true),
    },
    {
      case: 'rewrite cached pulled record, write through to delegate',
      facts: recordWrite(
        { entries: [SOMEREF_ONE_MAPPING], authoritative: false },
        SOMEREF_TWO_MAPPINGS,
        [SOMEREF_TWO_MAPPINGS],
        false,
      ),
    },
    {
      case: 'write even though the same pulled record is already in the cache',
      facts: recordWrite({ entries: [SOMEREF], authoritative: false }, SOMEREF, [SOMEREF], false),
    },
    {
      case: 'write to delegate returns error',
      facts: {
        ...recordWrite(empty(false), SOMEREF, [], false),
        store: WRITE_ERROR,
        wantError: 'write error',
      },
    },
    {
      case: "write to cache that's already populated",
      facts: recordWrite(
        { entries: TEST_PULLED_RECORDS, authoritative: false },
        NEWREF,
        [...TEST_PULLED_RECORDS, NEWREF],
        false,
      ),
    },
    {
      case: 'exceeding the cache size turns it from authoritative to non-authoritative',
      facts: recordWrite(
        { entries: JUST_ENOUGH_RECORDS, authoritative: true },
        NEWREF,
        [...JUST_ENOUGH_RECORDS.slice(1), NEWREF],
        false,
      ),
    },
  ],
  check: (facts) => checkWrite(PULLED_RECORDS, facts),
});

interface DeleteFacts<V> {
  /** The cache's entries and the store's records; upstream starts both from the same list. */
  readonly cache: readonly V[];
  readonly store: StoreFacts;
  readonly authoritative: boolean;
  readonly key: string;
  readonly wantError?: string;
  /** What the cache and the store both hold afterwards (upstream compares both with one map). */
  readonly want: readonly V[];
}

function checkDelete<V>(kind: Kind<V>, facts: DeleteFacts<V>): void {
  const { accessor, store } = kind.stage(
    { entries: facts.cache, authoritative: facts.authoritative },
    facts.store,
  );
  expect(kind.delete(accessor, facts.key).error).toBe(facts.wantError);
  kind.expectCache(accessor, facts.want);
  expect(kind.stored(store), 'the store').toEqual(kind.sorted(facts.want));
  expect(kind.authoritative(accessor), 'a delete never changes authoritative').toBe(facts.authoritative);
}

/**
 * Upstream runs each delete case twice, authoritative then not, over the same delegate and cache, and appends
 * `, authoritative=<v>` to the case's name each time: the second run is named with both suffixes and starts where
 * the first ended, which (as upstream expects) is `want` in both cache and store.
 */
function bothAuthoritative<V>(
  kind: Kind<V>,
  name: string,
  first: Omit<DeleteFacts<V>, 'authoritative'>,
): UpstreamCase<DeleteFacts<V>>[] {
  const second = { ...first, cache: first.want, store: { ...first.store, ...kind.content(first.want) } };
  return [
    { case: `${name}, authoritative=true`, facts: { ...first, authoritative: true } },
    { case: `${name}, authoritative=true, authoritative=false`, facts: { ...second, authoritative: false } },
  ];
}

const PROJECT1_IMAGE = PROJECT1.image;

const deleteImagePullIntent = upstreamTest<DeleteFacts<ImagePullIntent>>({
  file: TEST_FILE,
  test: 'Test_cachedPullRecordsAccessor_DeleteImagePullIntent',
  versions: VERSIONS,
  cases: [
    ...bothAuthoritative(INTENTS, 'delete an existing intent from the cache', {
      cache: TEST_PULL_INTENTS,
      store: { intents: TEST_PULL_INTENTS },
      key: PROJECT1_IMAGE,
      want: without(TEST_PULL_INTENTS, PROJECT1_IMAGE),
    }),
    ...bothAuthoritative(INTENTS, 'attempt to delete a non-existent intent from the cache', {
      cache: TEST_PULL_INTENTS,
      store: { intents: TEST_PULL_INTENTS },
      key: 'test.repo/org1/doesnotexist:tag',
      want: TEST_PULL_INTENTS,
    }),
    ...bothAuthoritative(INTENTS, 'error deleting an intent from delegate', {
      cache: TEST_PULL_INTENTS,
      store: { intents: TEST_PULL_INTENTS, nextGetWriteError: 'error deleting intent' },
      key: PROJECT1_IMAGE,
      wantError: 'error deleting intent',
      want: TEST_PULL_INTENTS,
    }),
  ],
  check: (facts) => checkDelete(INTENTS, facts),
});

const deleteImagePulledRecord = upstreamTest<DeleteFacts<ImagePulledRecord>>({
  file: TEST_FILE,
  test: 'Test_cachedPullRecordsAccessor_DeleteImagePulledRecord',
  versions: VERSIONS,
  cases: [
    ...bothAuthoritative(PULLED_RECORDS, 'delete an existing pulled record from the cache', {
      cache: TEST_PULLED_RECORDS,
      store: { pulledRecords: TEST_PULLED_RECORDS },
      key: 'ref-22',
      want: without(TEST_PULLED_RECORDS, 'ref-22'),
    }),
    ...bothAuthoritative(
      PULLED_RECORDS,
      'attempt to delete a non-existent imagePulledRecord from the cache',
      {
        cache: TEST_PULLED_RECORDS,
        store: { pulledRecords: TEST_PULLED_RECORDS },
        key: 'non-existent-ref',
        want: TEST_PULLED_RECORDS,
      },
    ),
    ...bothAuthoritative(PULLED_RECORDS, 'error deleting an imagePulledRecord from delegate', {
      cache: TEST_PULLED_RECORDS,
      store: { pulledRecords: TEST_PULLED_RECORDS, nextGetWriteError: 'error deleting imagePulledRecord' },
      key: 'ref-22',
      wantError: 'error deleting imagePulledRecord',
      want: TEST_PULLED_RECORDS,
    }),
  ],
  check: (facts) => checkDelete(PULLED_RECORDS, facts),
});

export const MEM_PULLRECORDS_WRITE_TESTS = [
  writeImagePullIntent,
  writeImagePulledRecord,
  deleteImagePullIntent,
  deleteImagePulledRecord,
];
