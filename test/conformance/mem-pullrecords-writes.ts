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
  readonly without: (values: readonly V[], key: string) => V[];
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
  without,
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
  without,
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

interface SharedWriteValues<V> {
  /** Written through the empty cache and the failing delegate. */
  readonly one: V;
  readonly populated: readonly V[];
  /** Written into the populated cache. */
  readonly added: V;
  readonly justEnough: readonly V[];
  /** Written into the full authoritative cache. */
  readonly addedPastFull: V;
}

type WriteFactsOf<V> = (
  cache: CacheState<V>,
  input: V,
  wantCache: readonly V[],
  wantAuthoritative: boolean,
) => WriteFacts<V>;

/**
 * The four cases both write tests share, in upstream's order around each test's own two (`ownCases`, second and
 * third): a write through an empty cache, a failing delegate, a populated cache, and one write past a full
 * authoritative cache (`listToCache` of 100, so the first added is evicted).
 */
function sharedWrites<V>(
  facts: WriteFactsOf<V>,
  values: SharedWriteValues<V>,
  ownCases: readonly UpstreamCase<WriteFacts<V>>[],
): UpstreamCase<WriteFacts<V>>[] {
  const { one, populated, added, justEnough, addedPastFull } = values;
  return [
    {
      case: 'successful write through an empty cache to delegate',
      facts: facts(empty(true), one, [one], true),
    },
    ...ownCases,
    {
      case: 'write to delegate returns error',
      facts: { ...facts(empty(false), one, [], false), store: WRITE_ERROR, wantError: 'write error' },
    },
    {
      case: "write to cache that's already populated",
      facts: facts({ entries: populated, authoritative: false }, added, [...populated, added], false),
    },
    {
      case: 'exceeding the cache size turns it from authoritative to non-authoritative',
      facts: facts(
        { entries: justEnough, authoritative: true },
        addedPastFull,
        [...justEnough.slice(1), addedPastFull],
        false,
      ),
    },
  ];
}

const writeImagePullIntent = upstreamTest<WriteFacts<ImagePullIntent>>({
  file: TEST_FILE,
  test: 'Test_cachedPullRecordsAccessor_WriteImagePullIntent',
  versions: VERSIONS,
  cases: sharedWrites(
    intentWrite,
    {
      one: PROJECT1,
      populated: TEST_PULL_INTENTS,
      added: { image: 'test.repo/org1/newimage:tag' },
      justEnough: generateTestPullIntents(100),
      addedPastFull: { image: 'new.repo/neworg/newimage:tag' },
    },
    [
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
    ],
  ),
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
  cases: sharedWrites(
    recordWrite,
    {
      one: SOMEREF,
      populated: TEST_PULLED_RECORDS,
      added: NEWREF,
      justEnough: generateTestPulledRecords(100),
      addedPastFull: NEWREF,
    },
    [
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
    ],
  ),
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

/** What the three cases of a delete test differ in between the two kinds: their names, records and error. */
interface DeleteCases<V> {
  /** Upstream's names: delete an existing one, a non-existent one, and a failing delete. */
  readonly names: readonly [string, string, string];
  readonly entries: readonly V[];
  readonly existing: string;
  readonly missing: string;
  readonly error: string;
}

function sharedDeletes<V>(kind: Kind<V>, cases: DeleteCases<V>): UpstreamCase<DeleteFacts<V>>[] {
  const { names, entries, existing, missing, error } = cases;
  const store = kind.content(entries);
  return [
    ...bothAuthoritative(kind, names[0], {
      cache: entries,
      store,
      key: existing,
      want: kind.without(entries, existing),
    }),
    ...bothAuthoritative(kind, names[1], { cache: entries, store, key: missing, want: entries }),
    ...bothAuthoritative(kind, names[2], {
      cache: entries,
      store: { ...store, nextGetWriteError: error },
      key: existing,
      wantError: error,
      want: entries,
    }),
  ];
}

const deleteImagePullIntent = upstreamTest<DeleteFacts<ImagePullIntent>>({
  file: TEST_FILE,
  test: 'Test_cachedPullRecordsAccessor_DeleteImagePullIntent',
  versions: VERSIONS,
  cases: sharedDeletes(INTENTS, {
    names: [
      'delete an existing intent from the cache',
      'attempt to delete a non-existent intent from the cache',
      'error deleting an intent from delegate',
    ],
    entries: TEST_PULL_INTENTS,
    existing: PROJECT1.image,
    missing: 'test.repo/org1/doesnotexist:tag',
    error: 'error deleting intent',
  }),
  check: (facts) => checkDelete(INTENTS, facts),
});

const deleteImagePulledRecord = upstreamTest<DeleteFacts<ImagePulledRecord>>({
  file: TEST_FILE,
  test: 'Test_cachedPullRecordsAccessor_DeleteImagePulledRecord',
  versions: VERSIONS,
  cases: sharedDeletes(PULLED_RECORDS, {
    names: [
      'delete an existing pulled record from the cache',
      'attempt to delete a non-existent imagePulledRecord from the cache',
      'error deleting an imagePulledRecord from delegate',
    ],
    entries: TEST_PULLED_RECORDS,
    existing: 'ref-22',
    missing: 'non-existent-ref',
    error: 'error deleting imagePulledRecord',
  }),
  check: (facts) => checkDelete(PULLED_RECORDS, facts),
});

export const MEM_PULLRECORDS_WRITE_TESTS = [
  writeImagePullIntent,
  writeImagePulledRecord,
  deleteImagePullIntent,
  deleteImagePulledRecord,
];
