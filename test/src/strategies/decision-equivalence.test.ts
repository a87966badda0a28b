import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { discardEvents } from '../../../src/ports.js';
import { type KubeletProfile, type KubeletVersion, kubeletProfile } from '../../../src/profiles.js';
import type { PullRecordsAccessor } from '../../../src/pullmanager/accessor.js';
import {
  createPullManager,
  type PodCredentials,
  type PullManager,
} from '../../../src/pullmanager/manager.js';
import {
  createPolicyEnforcer,
  type ImagePullCredentialsVerificationPolicy,
  parseAllowlist,
} from '../../../src/pullmanager/policy.js';
import { openPullRecordsStore } from '../../../src/pullmanager/pull-records-store.js';
import type {
  ImagePullCredentials,
  ImagePullSecret,
  ImagePullServiceAccount,
} from '../../../src/pullmanager/records.js';
import {
  JournalPullRecordsAccessor,
  openRecordStore,
  parseRecordStoreSpec,
} from '../../../src/strategies/index.js';
import { ticks } from '../../../src/time.js';
import { FakeClock, FakeImageService, T0 } from '../../support/kubelet-fakes.js';
import { MemoryFileSystem } from '../../support/memory-fs.js';

/**
 * Invariant: for any sequence of pull intents, pulls recorded with any credentials, failed pulls, credential checks
 * with any pod credentials, image-GC prunes, clock moves and restarts (without a crash mid-pull), the PullManager
 * on each decision-identical strategy (`fs`, `fs+lru`, `fs+lru:<i>/<r>`, `journal`, `journal:volatile-intents`)
 * answers exactly as on the profile's own record stack, and both end with the same records and intents.
 */

const ROOT = '/var/lib/kubelet';
const IMAGES = ['nginx', 'nginx:1.25', 'example.com/team/app:v1', 'example.com/other/app'];
const REFS = ['sha256:aaa', 'sha256:bbb', 'sha256:ccc', 'sha256:ddd'];

type Open = (fs: MemoryFileSystem, clock: FakeClock, profile: KubeletProfile) => PullRecordsAccessor;

const fromSpec =
  (text: string): Open =>
  (fs, clock, profile) => {
    const spec = parseRecordStoreSpec(text);
    if (!spec.ok) throw new Error(spec.error);
    return openRecordStore(spec.value, { fs, kubeletRoot: ROOT, profile, clock }).accessor;
  };

const profileStack: Open = (fs, _clock, profile) => openPullRecordsStore(fs, ROOT, profile).accessor;

type Op =
  | { readonly op: 'intent'; readonly image: string }
  | {
      readonly op: 'pulled';
      readonly image: string;
      readonly ref: string;
      readonly credentials: ImagePullCredentials | undefined;
    }
  | { readonly op: 'failed'; readonly image: string }
  | { readonly op: 'check'; readonly image: string; readonly ref: string; readonly pod: PodCredentials }
  | { readonly op: 'prune'; readonly inUse: readonly string[]; readonly untilBackMicros: number }
  | { readonly op: 'advance'; readonly micros: number }
  | { readonly op: 'removeImage'; readonly ref: string }
  | { readonly op: 'restart' };

const image = fc.constantFrom(...IMAGES);
const ref = fc.constantFrom(...REFS);
const secret: fc.Arbitrary<ImagePullSecret> = fc.record({
  uid: fc.constantFrom('u1', 'u2'),
  namespace: fc.constantFrom('default', 'tenant'),
  name: fc.constantFrom('pull', 'other'),
  credentialHash: fc.constantFrom('', 'h1', 'h2'),
});
const account: fc.Arbitrary<ImagePullServiceAccount> = fc.record({
  uid: fc.constantFrom('sa-u1', 'sa-u2'),
  namespace: fc.constantFrom('default', 'tenant'),
  name: fc.constantFrom('builder', 'default'),
});
const credentials: fc.Arbitrary<ImagePullCredentials | undefined> = fc.oneof(
  fc.constant(undefined),
  fc.constant({ nodePodsAccessible: true }),
  fc.constant({ kubernetesSecrets: [], nodePodsAccessible: false }),
  fc.record({ kubernetesSecrets: fc.array(secret, { minLength: 1, maxLength: 2 }) }),
  fc.record({ kubernetesServiceAccounts: fc.array(account, { minLength: 1, maxLength: 2 }) }),
);
const pod: fc.Arbitrary<PodCredentials> = fc.record(
  { secrets: fc.array(secret, { maxLength: 2 }), serviceAccount: account },
  { requiredKeys: ['secrets'] },
);
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: image.map((i): Op => ({ op: 'intent', image: i })) },
  {
    weight: 4,
    arbitrary: fc.record({ image, ref, credentials }).map((p): Op => ({ op: 'pulled', ...p })),
  },
  { weight: 1, arbitrary: image.map((i): Op => ({ op: 'failed', image: i })) },
  { weight: 6, arbitrary: fc.record({ image, ref, pod }).map((c): Op => ({ op: 'check', ...c })) },
  {
    weight: 1,
    arbitrary: fc
      .record({ inUse: fc.subarray(REFS), untilBackMicros: fc.integer({ min: 0, max: 3_000_000 }) })
      .map((p): Op => ({ op: 'prune', ...p })),
  },
  {
    weight: 2,
    arbitrary: fc.integer({ min: 0, max: 2_500_000 }).map((m): Op => ({ op: 'advance', micros: m })),
  },
  { weight: 1, arbitrary: ref.map((r): Op => ({ op: 'removeImage', ref: r })) },
  { weight: 1, arbitrary: fc.constant<Op>({ op: 'restart' }) },
);

/** One kubelet: a filesystem, a record store and the pull manager on it; the clock and the runtime are shared. */
class Kubelet {
  readonly fs = new MemoryFileSystem();
  accessor!: PullRecordsAccessor;
  manager!: PullManager;

  constructor(
    private readonly open: Open,
    private readonly world: {
      readonly profile: KubeletProfile;
      readonly clock: FakeClock;
      readonly images: FakeImageService;
      readonly policy: ImagePullCredentialsVerificationPolicy;
    },
  ) {
    this.start();
  }

  start(): void {
    const { profile, clock, images, policy } = this.world;
    this.accessor = this.open(this.fs, clock, profile);
    const allowlist = parseAllowlist(['example.com/other/*']);
    if (!allowlist.ok) throw new Error('allowlist');
    this.manager = createPullManager({
      accessor: this.accessor,
      policy: createPolicyEnforcer(policy, allowlist.value, profile.allowlistMatching),
      imageService: images,
      clock,
      recorder: discardEvents,
      credentialMappingKey: profile.credentialMappingKey,
    });
  }
}

function runBoth(
  open: Open,
  volatileIntents: boolean,
  version: KubeletVersion,
  policy: ImagePullCredentialsVerificationPolicy,
  ops: readonly Op[],
): void {
  const world = {
    profile: kubeletProfile(version),
    clock: new FakeClock(T0),
    images: new FakeImageService(),
    policy,
  };
  const tagsByRef = new Map<string, Set<string>>();
  const expected = new Kubelet(profileStack, world);
  const actual = new Kubelet(open, world);
  const both = <T>(call: (k: Kubelet) => T, what: string): void => {
    const want = call(expected);
    expect(call(actual), what).toEqual(want);
  };
  ops.forEach((o, step) => {
    const at = `step ${step}: ${JSON.stringify(o)}`;
    switch (o.op) {
      case 'intent':
        both((k) => k.manager.recordPullIntent(o.image), at);
        break;
      case 'pulled': {
        // The runtime now has the image under this tag, so a restart can turn a leftover intent into a record.
        const tags = tagsByRef.get(o.ref) ?? new Set<string>();
        tags.add(o.image);
        tagsByRef.set(o.ref, tags);
        world.images.add({ id: o.ref, repoTags: [...tags] });
        both((k) => k.manager.recordImagePulled(o.image, o.ref, o.credentials), at);
        break;
      }
      case 'failed':
        both((k) => k.manager.recordImagePullFailed(o.image), at);
        break;
      case 'check':
        both((k) => k.manager.mustAttemptImagePull(o.image, o.ref, () => ({ ok: true, value: o.pod })), at);
        break;
      case 'prune':
        both(
          (k) =>
            k.manager.pruneUnknownRecords(o.inUse, ticks(Math.max(0, world.clock.now() - o.untilBackMicros))),
          at,
        );
        break;
      case 'advance':
        world.clock.advance(o.micros);
        break;
      case 'removeImage':
        world.images.remove(o.ref);
        tagsByRef.delete(o.ref);
        break;
      case 'restart':
        // Volatile intents are the documented exception: a restart while a pull is in flight differs on purpose.
        if (volatileIntents && expected.accessor.listImagePullIntents().intents.length > 0) break;
        expected.start();
        actual.start();
        break;
    }
    for (const i of IMAGES) both((k) => k.manager.intentCount(i), `${at}: intentCount(${i})`);
  });
  both((k) => k.manager.mustPullChecks, 'mustPullChecks');
  both((k) => k.accessor.listImagePulledRecords(), 'records at the end');
  both((k) => k.accessor.listImagePullIntents(), 'intents at the end');
  // And from disk again, as the next kubelet would see them.
  expected.start();
  actual.start();
  both((k) => k.accessor.listImagePulledRecords(), 'records after a final restart');
}

const STRATEGIES: Array<[string, Open, boolean]> = [
  ['fs', fromSpec('fs'), false],
  ['fs+lru', fromSpec('fs+lru'), false],
  ['fs+lru:2/3', fromSpec('fs+lru:2/3'), false],
  ['journal', fromSpec('journal'), false],
  [
    'journal (compaction slack 2)',
    (fs, _clock, profile) => new JournalPullRecordsAccessor(fs, ROOT, profile, { compactionSlackLines: 2 }),
    false,
  ],
  ['journal:volatile-intents', fromSpec('journal:volatile-intents'), true],
];

const policies = fc.constantFrom<ImagePullCredentialsVerificationPolicy>(
  'NeverVerifyPreloadedImages',
  'NeverVerifyPreloadedImages',
  'AlwaysVerify',
  'NeverVerifyAllowlistedImages',
);

describe('decision equivalence with the profile’s own stack (differential, 1.36)', () => {
  it.each(STRATEGIES)('%s makes the same decisions as the 1.36 stack', (_name, open, volatileIntents) => {
    fc.assert(
      fc.property(policies, fc.array(op, { minLength: 1, maxLength: 60 }), (policy, ops) =>
        runBoth(open, volatileIntents, '1.36', policy, ops),
      ),
      { numRuns: 120 },
    );
  });
});

describe('decision equivalence under other profiles', () => {
  // 1.33 records have no service-account field: its files drop service accounts. The journal and `fs` read back
  // what the files hold, so they agree; a cache in front of 1.33 files would keep them in memory until a restart
  // (a combination no kubelet release has), so the cached strategies are compared under 1.34 instead.
  const cases: Array<[string, Open, boolean, KubeletVersion]> = [
    ['fs', fromSpec('fs'), false, '1.33'],
    ['journal', fromSpec('journal'), false, '1.33'],
    ['journal:volatile-intents', fromSpec('journal:volatile-intents'), true, '1.33'],
    ['fs+lru:2/3', fromSpec('fs+lru:2/3'), false, '1.34'],
    ['journal', fromSpec('journal'), false, '1.35'],
  ];
  it.each(cases)('%s makes the same decisions as the %s stack', (_name, open, volatileIntents, version) => {
    fc.assert(
      fc.property(policies, fc.array(op, { minLength: 1, maxLength: 60 }), (policy, ops) =>
        runBoth(open, volatileIntents, version, policy, ops),
      ),
      { numRuns: 100 },
    );
  });
});
