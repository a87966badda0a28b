/**
 * `pkg/kubelet/images/pullmanager/image_pull_manager_test.go`, the record bookkeeping: RecordPullIntent,
 * RecordImagePulled, the start-up `initialize` (leftover intents) and PruneUnknownRecords (facts moved here from
 * test/src/pullmanager/manager.test.ts, which keeps its own behaviour tests). Upstream sets the
 * in-flight counter directly; here the same count is reached by as many RecordPullIntent calls. Cases only in the
 * newer stored file (@ 00f1e470) run in 1.34+ (pull-manager-setup.ts).
 */
import { expect } from 'vitest';
import type { KubeletVersion } from '../../src/profiles.js';
import type { ImagePullCredentials } from '../../src/pullmanager/records.js';
import { ticks } from '../../src/time.js';
import { PULLED_DIR, PULLING_DIR, T0 } from '../support/kubelet-fakes.js';
import { FIXTURE_SECRET, FIXTURE_SERVICE_ACCOUNT, readJson, startManager } from '../support/pull-records.js';
import {
  ALL_VERSIONS,
  FILE,
  initializeImages,
  PULLED,
  PULLING,
  WITH_SERVICE_ACCOUNTS,
  withTestData,
} from './pull-manager-setup.js';
import { upstreamTest } from './upstream-case.js';

/** T0 of test/support/kubelet-fakes.ts as the record file holds it. */
const T0_RFC3339 = '2026-01-15T12:00:00Z';
const INTENT_FILE = 'sha256-7d8c031e2f1aeaa71649ca3e0b64c9902370ed460ef57fb07582a87a5a1e1c02';

const recordPullIntent = upstreamTest<{ startCounter: number; wantCounter: number }>({
  file: FILE,
  test: 'TestFileBasedImagePullManager_RecordPullIntent',
  versions: ALL_VERSIONS,
  // Both upstream rows are named "first pull"; go test runs the second as "first pull#01".
  cases: [
    { case: 'first pull', facts: { startCounter: 0, wantCounter: 1 } },
    { case: 'first pull#01', facts: { startCounter: 1, wantCounter: 2 } },
  ],
  check({ startCounter, wantCounter }, version) {
    const image = 'repo.repo/test/test:latest';
    const { manager, fs } = startManager({ version });
    for (let i = 0; i < startCounter; i++) manager.recordPullIntent(image);
    manager.recordPullIntent(image);
    expect(fs.list(PULLING_DIR)).toEqual([INTENT_FILE]);
    expect(manager.intentCount(image)).toBe(wantCounter);
    expect(readJson(fs, `${PULLING_DIR}/${INTENT_FILE}`)).toMatchObject({ kind: 'ImagePullIntent', image });
  },
});

interface RecordFacts {
  readonly image: string;
  readonly imageRef: string;
  readonly creds: ImagePullCredentials;
  readonly pullsInFlight: number;
  readonly existingPulling?: readonly string[];
  readonly existingPulled?: readonly string[];
  readonly expectPulled: readonly string[];
  readonly expectPullingRemoved?: string;
  readonly checkedPullFile: string;
  readonly expectUpdated: boolean;
  readonly mapping: Readonly<Record<string, ImagePullCredentials>>;
  /** The credential-mapping key form, when the case needs the opt-in `familiar`. */
  readonly keyForm?: 'familiar';
}

const SECRET = FIXTURE_SECRET;
const TEST_SA = FIXTURE_SERVICE_ACCOUNT;
const SOMETHING = 'docker.io/testing/test:something';
const NODE_WIDE = { nodePodsAccessible: true };
const V1 = { image: 'repo.repo/test/test:v1', imageRef: 'testimageref', creds: NODE_WIDE };
const ON_TESTIMAGEREF = {
  existingPulled: [PULLED.testimageref],
  expectPulled: [PULLED.testimageref],
  existingPulling: [PULLING.testSomething],
  pullsInFlight: 1,
  expectPullingRemoved: PULLING.testSomething,
  checkedPullFile: PULLED.testimageref,
};
const ON_SA_RECORD = {
  ...ON_TESTIMAGEREF,
  imageRef: 'testimageref-sa',
  existingPulled: [PULLED.serviceAccount],
  expectPulled: [PULLED.serviceAccount],
  checkedPullFile: PULLED.serviceAccount,
};
/**
 * The familiar-name cases exist only in the copy of the file on the branch of PR #138211 (not merged): they expect
 * the credential-mapping key as written, where every released kubelet keys by the normalised name
 * (`trimImageTagDigest` → `parsers.ParseImageName`, image_pull_manager.go @ a02748c1). pullsim runs them under its
 * opt-in key form.
 */
const FAMILIAR =
  'the opt-in `credentialMappingKey: familiar`: the case exists only on the branch of PR #138211 (not merged) and ' +
  'expects the key as written, where released kubelets key by the normalised name ' +
  '(docs/kubelet-model.md#image-names-and-keys)';
const sa = (case_: string, facts: RecordFacts, option?: string) => ({
  case: case_,
  facts,
  versions: WITH_SERVICE_ACCOUNTS as readonly KubeletVersion[],
  ...(option === undefined ? {} : { option }),
});

const recordImagePulled = upstreamTest<RecordFacts>({
  file: FILE,
  test: 'TestFileBasedImagePullManager_RecordImagePulled',
  versions: ALL_VERSIONS,
  cases: [
    {
      case: 'new pull record',
      facts: {
        ...V1,
        expectPulled: [PULLED.testimageref],
        existingPulling: [PULLING.repoV1],
        pullsInFlight: 1,
        expectPullingRemoved: PULLING.repoV1,
        checkedPullFile: PULLED.testimageref,
        expectUpdated: true,
        mapping: { 'repo.repo/test/test': NODE_WIDE },
      },
    },
    {
      case: 'new pull record, more pulls in-flight',
      facts: {
        ...V1,
        expectPulled: [PULLED.testimageref],
        existingPulling: [PULLING.repoV1],
        pullsInFlight: 2,
        checkedPullFile: PULLED.testimageref,
        expectUpdated: true,
        mapping: { 'repo.repo/test/test': NODE_WIDE },
      },
    },
    {
      case: 'merge into existing record',
      facts: {
        ...V1,
        existingPulled: [PULLED.testimageref, PULLED.anonpull, PULLED.emptyCredMapping],
        expectPulled: [PULLED.testimageref, PULLED.anonpull, PULLED.emptyCredMapping],
        existingPulling: [PULLING.repoV1],
        pullsInFlight: 1,
        expectPullingRemoved: PULLING.repoV1,
        checkedPullFile: PULLED.testimageref,
        expectUpdated: true,
        mapping: {
          'repo.repo/test/test': NODE_WIDE,
          'docker.io/testing/test': { kubernetesSecrets: [SECRET] },
        },
      },
    },
    {
      case: 'merge into existing record - existing key in creds mapping',
      facts: {
        ...ON_TESTIMAGEREF,
        image: SOMETHING,
        imageRef: 'testimageref',
        creds: {
          kubernetesSecrets: [
            { uid: 'newuid', namespace: 'newns', name: 'newname', credentialHash: 'somehash' },
          ],
        },
        expectUpdated: true,
        mapping: {
          'docker.io/testing/test': {
            kubernetesSecrets: [
              SECRET,
              { uid: 'newuid', namespace: 'newns', name: 'newname', credentialHash: 'somehash' },
            ],
          },
        },
      },
    },
    {
      case: 'existing record stays unchanged',
      facts: {
        ...ON_TESTIMAGEREF,
        image: SOMETHING,
        imageRef: 'testimageref',
        creds: { kubernetesSecrets: [SECRET] },
        expectUpdated: false,
        mapping: { 'docker.io/testing/test': { kubernetesSecrets: [SECRET] } },
      },
    },
    sa('new pull record with service account credentials', {
      image: 'docker.io/sa-test/app:v1',
      imageRef: 'sa-testimageref',
      creds: { kubernetesServiceAccounts: [{ uid: 'sa-uid-123', namespace: 'default', name: 'test-sa' }] },
      expectPulled: ['sha256-7ff6218f8ead494f56af9cb95c4b855fb62609d01342fe961553ac2ed520fcfb'],
      pullsInFlight: 1,
      expectPullingRemoved: 'sha256-0b79dd5fccc09268cfa5ca054c82bce049461690e016778175fd92f79e7314dd',
      checkedPullFile: 'sha256-7ff6218f8ead494f56af9cb95c4b855fb62609d01342fe961553ac2ed520fcfb',
      expectUpdated: true,
      mapping: {
        'docker.io/sa-test/app': {
          kubernetesServiceAccounts: [{ uid: 'sa-uid-123', namespace: 'default', name: 'test-sa' }],
        },
      },
    }),
    sa('merge service account into existing record with secrets', {
      ...ON_TESTIMAGEREF,
      image: SOMETHING,
      imageRef: 'testimageref',
      creds: {
        kubernetesServiceAccounts: [{ uid: 'sa-uid-456', namespace: 'kube-system', name: 'system-sa' }],
      },
      expectUpdated: true,
      mapping: {
        'docker.io/testing/test': {
          kubernetesSecrets: [SECRET],
          kubernetesServiceAccounts: [{ uid: 'sa-uid-456', namespace: 'kube-system', name: 'system-sa' }],
        },
      },
    }),
    sa('merge additional service account into existing record with service accounts', {
      ...ON_SA_RECORD,
      image: SOMETHING,
      creds: { kubernetesServiceAccounts: [{ uid: 'sa-uid-789', namespace: 'app-ns', name: 'app-sa' }] },
      expectUpdated: true,
      mapping: {
        'docker.io/testing/test': {
          kubernetesServiceAccounts: [{ uid: 'sa-uid-789', namespace: 'app-ns', name: 'app-sa' }, TEST_SA],
        },
      },
    }),
    sa('duplicate service account should not create duplicates', {
      ...ON_SA_RECORD,
      image: SOMETHING,
      creds: { kubernetesServiceAccounts: [TEST_SA] },
      expectUpdated: false,
      mapping: { 'docker.io/testing/test': { kubernetesServiceAccounts: [TEST_SA] } },
    }),
    sa(
      'record with familiar image name - only the last segment',
      {
        image: 'testing@sha256:f24acc752be18b93b0504c86312bbaf482c9efb0c45e925bbccb0a591cebd7af',
        imageRef: 'testimageref-familiarlast',
        creds: { kubernetesServiceAccounts: [TEST_SA] },
        existingPulling: ['sha256-7ffc99ef20589dc844b202c4cba501d1aaf06d1481935aa1e160029afd639847'],
        expectPulled: ['sha256-f2ba1256df29972c4fe11d8af7d302e37631c6077a2ed29d8bee55ee77cf26ad'],
        pullsInFlight: 1,
        expectPullingRemoved: 'sha256-7ffc99ef20589dc844b202c4cba501d1aaf06d1481935aa1e160029afd639847',
        checkedPullFile: 'sha256-f2ba1256df29972c4fe11d8af7d302e37631c6077a2ed29d8bee55ee77cf26ad',
        expectUpdated: true,
        mapping: { testing: { kubernetesServiceAccounts: [TEST_SA] } },
        keyForm: 'familiar',
      },
      FAMILIAR,
    ),
    sa(
      'record with familiar image name - org and name',
      {
        image: 'secretorg/myimage:customtag',
        imageRef: 'testimageref-familiarwithorg',
        creds: { kubernetesServiceAccounts: [TEST_SA] },
        existingPulling: ['sha256-5f3ca9e4d82e32203c2fafb410dfae9c8047bc6ebe57d642fe264d479e152955'],
        expectPulled: ['sha256-ff66306c3a398c6e6b64d8f7acdd1aebc37fce76add3849f9d3f59274434234a'],
        pullsInFlight: 1,
        expectPullingRemoved: 'sha256-5f3ca9e4d82e32203c2fafb410dfae9c8047bc6ebe57d642fe264d479e152955',
        checkedPullFile: 'sha256-ff66306c3a398c6e6b64d8f7acdd1aebc37fce76add3849f9d3f59274434234a',
        expectUpdated: true,
        mapping: { 'secretorg/myimage': { kubernetesServiceAccounts: [TEST_SA] } },
        keyForm: 'familiar',
      },
      FAMILIAR,
    ),
  ],
  check(facts, version) {
    const fs = withTestData(version, {
      pulled: facts.existingPulled ?? [],
      pulling: facts.existingPulling ?? [],
    });
    const profileOverrides = facts.keyForm === undefined ? {} : { credentialMappingKey: facts.keyForm };
    const { manager, clock } = startManager({ version, fs, profileOverrides });
    for (let i = 0; i < facts.pullsInFlight; i++) manager.recordPullIntent(facts.image);
    const checked = `${PULLED_DIR}/${facts.checkedPullFile}`;
    const before = fs.exists(checked) ? (readJson(fs, checked) as { lastUpdatedTime?: unknown }) : undefined;
    clock.set(T0);
    manager.recordImagePulled(facts.image, facts.imageRef, facts.creds);
    expect(manager.intentCount(facts.image), 'intent counter decremented').toBe(facts.pullsInFlight - 1);
    for (const name of facts.expectPulled) expect(fs.exists(`${PULLED_DIR}/${name}`), name).toBe(true);
    if (facts.expectPullingRemoved !== undefined)
      expect(fs.exists(`${PULLING_DIR}/${facts.expectPullingRemoved}`), 'intent removed').toBe(false);
    const got = readJson(fs, checked) as {
      lastUpdatedTime?: unknown;
      imageRef?: string;
      credentialMapping?: unknown;
    };
    const wantTime = facts.expectUpdated ? T0_RFC3339 : before?.lastUpdatedTime;
    expect(got.lastUpdatedTime, 'lastUpdatedTime').toBe(wantTime);
    expect(got.imageRef).toBe(facts.imageRef);
    expect(got.credentialMapping).toEqual(facts.mapping);
  },
});

interface DirFacts {
  readonly intents?: readonly string[];
  readonly pulled?: readonly string[];
  readonly wantIntents?: readonly string[];
  readonly wantPulled?: readonly string[];
}

const THREE_PULLED = [PULLED.anonpull, PULLED.testimageref, PULLED.emptyCredMapping];

const initialize = upstreamTest<DirFacts>({
  file: FILE,
  test: 'TestFileBasedImagePullManager_initialize',
  versions: ALL_VERSIONS,
  cases: [
    { case: 'no pulling/pulled records', facts: {} },
    { case: 'only pulled records', facts: { pulled: THREE_PULLED, wantPulled: THREE_PULLED } },
    {
      case: 'pulling intent that matches an existing image - no matching pulled record',
      facts: {
        pulled: THREE_PULLED,
        intents: [PULLING.testSomething],
        wantPulled: [...THREE_PULLED, PULLED.testimageref1],
      },
    },
    {
      case: 'pulling intent that matches an existing image - a pull record matches',
      facts: { pulled: THREE_PULLED, intents: [PULLING.repoV1], wantPulled: THREE_PULLED },
    },
    {
      case: 'multiple pulling intents that match existing images',
      facts: {
        pulled: THREE_PULLED,
        intents: [PULLING.repoV1, PULLING.testSomething],
        wantPulled: [...THREE_PULLED, PULLED.testimageref1],
      },
    },
  ],
  check(facts, version) {
    const fs = withTestData(version, { pulled: facts.pulled ?? [], pulling: facts.intents ?? [] });
    startManager({ version, fs, images: initializeImages() });
    expect(fs.list(PULLING_DIR), 'intents').toEqual([...(facts.wantIntents ?? [])].sort());
    expect(fs.list(PULLED_DIR), 'pulled records').toEqual([...(facts.wantPulled ?? [])].sort());
  },
});

interface PruneFacts {
  readonly imageList: readonly string[];
  readonly wantFiles: readonly string[];
}

const pruneUnknownRecords = upstreamTest<PruneFacts>({
  file: FILE,
  test: 'TestFileBasedImagePullManager_PruneUnknownRecords',
  versions: ALL_VERSIONS,
  cases: [
    {
      case: 'all images present',
      facts: {
        imageList: ['testimage-anonpull', 'testimageref', 'testemptycredmapping'],
        wantFiles: THREE_PULLED,
      },
    },
    { case: 'remove all records on empty list from the GC', facts: { imageList: [], wantFiles: [] } },
    {
      case: 'remove all records on list of untracked images from the GC',
      facts: { imageList: ['untracked1', 'different-untracked'], wantFiles: [] },
    },
    {
      case: 'remove records without a match in the image list from the GC',
      facts: {
        imageList: ['testimage-anonpull', 'untracked1', 'testimageref', 'different-untracked'],
        wantFiles: [PULLED.anonpull, PULLED.testimageref],
      },
    },
  ],
  check({ imageList, wantFiles }, version) {
    const { manager, fs } = startManager({ version, fs: withTestData(version, { pulled: THREE_PULLED }) });
    manager.pruneUnknownRecords(imageList, ticks(Date.UTC(2024, 11, 25, 0, 1, 0) * 1000));
    expect(fs.list(PULLED_DIR)).toEqual([...wantFiles].sort());
  },
});

export const IMAGE_PULL_MANAGER_RECORD_TESTS = [
  recordPullIntent,
  recordImagePulled,
  initialize,
  pruneUnknownRecords,
];
