/**
 * Invariant: whenever MustAttemptImagePull meets an unreadable pulled record or pull intent for the image it is
 * asked about (a read fault, a corrupt or undecodable file, a directory in its place), it answers "must pull" –
 * result `error`, no error returned – whatever the policy, because step 2 reads before the policy is consulted
 * (docs/kubelet-model.md#mustattemptimagepull steps 2a/2c; image_pull_manager.go @ a02748c1 returns `true, nil`
 * before RequireCredentialVerificationForImage), so not even NeverVerify or an allowlisted image is exempt; and when
 * no such error is met, faults and corrupt files elsewhere leave the answer exactly as the rules give it.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type DirEntry,
  type FileStat,
  type FileSystem,
  FsError,
  type FsErrorCode,
} from '../../../src/ports.js';
import { KUBELET_VERSIONS, type KubeletVersion, kubeletProfile } from '../../../src/profiles.js';
import { createPullManager } from '../../../src/pullmanager/manager.js';
import {
  createPolicyEnforcer,
  type ImagePullCredentialsVerificationPolicy,
  parseAllowlist,
  VERIFICATION_POLICIES,
} from '../../../src/pullmanager/policy.js';
import { openPullRecordsStore } from '../../../src/pullmanager/pull-records-store.js';
import {
  FakeClock,
  FakeImageService,
  intentPath,
  KUBELET_ROOT,
  PULLED_DIR,
  PULLING_DIR,
  RecordingEventRecorder,
  recordPath,
} from '../../support/kubelet-fakes.js';
import { MemoryFileSystem } from '../../support/memory-fs.js';
import { fixtureText, PULLED_FIXTURES, podCredentials } from '../../support/pull-records.js';

const TARGET_REF = `sha256:${'a'.repeat(64)}`;
const OTHER_REF = `sha256:${'b'.repeat(64)}`;
const OTHER_IMAGE = 'other.io/x/y:2';
const IMAGES = ['nginx', 'docker.io/library/nginx:1.27', 'reg.io/p/app:1', 'test.io/test/image1'] as const;
type Image = (typeof IMAGES)[number];

const ALLOWLIST = ['docker.io/library/*', 'test.io/test/image1'];
/** Whether each image matches ALLOWLIST: raw string (≤ 1.35) or normalised name (1.36, #137629). */
const ALLOWLISTED: Record<'raw' | 'normalised', Record<Image, boolean>> = {
  raw: {
    nginx: false,
    'docker.io/library/nginx:1.27': true,
    'reg.io/p/app:1': false,
    'test.io/test/image1': true,
  },
  normalised: {
    nginx: true,
    'docker.io/library/nginx:1.27': true,
    'reg.io/p/app:1': false,
    'test.io/test/image1': true,
  },
};

// ---------------------------------------------------------------------------------------------------------------
// File contents, written by hand from docs/kubelet-model.md#record-files

const KEYS = ['docker.io/library/nginx', 'reg.io/p/app', 'test.io/test/image1'];
const nodeWide = `{${KEYS.map((k) => `"${k}":{"nodePodsAccessible":true}`).join(',')}}`;
const withSecret = `{${KEYS.map(
  (k) => `"${k}":{"kubernetesSecrets":[{"uid":"u","namespace":"ns","name":"s","credentialHash":"h"}]}`,
).join(',')}}`;
const record = (version: string, imageRef: string, mapping?: string, extra = '') =>
  `{"kind":"ImagePulledRecord","apiVersion":"kubelet.config.k8s.io/${version}","lastUpdatedTime":"2024-10-21T12:26:40Z",` +
  `"imageRef":"${imageRef}"${mapping === undefined ? '' : `,"credentialMapping":${mapping}`}${extra}}\n`;
const intent = (version: string, image: string, extra = '') =>
  `{"kind":"ImagePullIntent","apiVersion":"kubelet.config.k8s.io/${version}","image":"${image}"${extra}}\n`;

type RecordState =
  | 'absent'
  | 'nodeWide'
  | 'secret'
  | 'emptyMapping'
  | 'nodeWideBeta'
  | 'foreign'
  | 'truncated'
  | 'malformedFixture'
  | 'wrongKind'
  | 'unknownField'
  | 'directory';
type IntentState = 'absent' | 'valid' | 'validBeta' | 'foreign' | 'truncated' | 'unknownField' | 'directory';

const RECORD_STATES: readonly RecordState[] = [
  'absent',
  'nodeWide',
  'secret',
  'emptyMapping',
  'nodeWideBeta',
  'foreign',
  'truncated',
  'malformedFixture',
  'wrongKind',
  'unknownField',
  'directory',
];
const INTENT_STATES: readonly IntentState[] = [
  'absent',
  'valid',
  'validBeta',
  'foreign',
  'truncated',
  'unknownField',
  'directory',
];

const beta = (version: KubeletVersion) => version === '1.35' || version === '1.36';

/** The record as the check would see it when reading it succeeds: undefined = absent, or its entry kind. */
function readableRecord(
  state: RecordState,
  version: KubeletVersion,
): 'nodeWide' | 'secret' | 'empty' | undefined {
  switch (state) {
    case 'nodeWide':
      return 'nodeWide';
    case 'nodeWideBeta':
      return beta(version) ? 'nodeWide' : undefined;
    case 'secret':
      return 'secret';
    case 'emptyMapping':
      return 'empty';
    default:
      return undefined;
  }
}

/** Whether reading the file in this state is an error for this version (docs/kubelet-model.md#record-files). */
function recordUnreadable(state: RecordState, version: KubeletVersion): boolean {
  if (state === 'nodeWideBeta') return !beta(version);
  return ['truncated', 'malformedFixture', 'wrongKind', 'unknownField', 'directory'].includes(state);
}

function intentUnreadable(state: IntentState, version: KubeletVersion): boolean {
  if (state === 'validBeta') return !beta(version);
  return ['truncated', 'unknownField', 'directory'].includes(state);
}

function intentReadable(state: IntentState, version: KubeletVersion): boolean {
  return state === 'valid' || (state === 'validBeta' && beta(version));
}

function putRecord(fs: MemoryFileSystem, path: string, imageRef: string, state: RecordState): void {
  switch (state) {
    case 'absent':
      return;
    case 'nodeWide':
      fs.put(path, record('v1alpha1', imageRef, nodeWide));
      break;
    case 'secret':
      fs.put(path, record('v1alpha1', imageRef, withSecret));
      break;
    case 'emptyMapping':
      fs.put(path, record('v1alpha1', imageRef));
      break;
    case 'nodeWideBeta':
      fs.put(path, record('v1beta1', imageRef, nodeWide));
      break;
    case 'foreign':
      fs.put(path, record('v1alpha1', 'sha256:foreign', nodeWide));
      break;
    case 'truncated':
      fs.put(path, record('v1alpha1', imageRef, nodeWide).slice(0, 60));
      break;
    case 'malformedFixture':
      fs.put(path, fixtureText('pulled', PULLED_FIXTURES.malformed));
      break;
    case 'wrongKind':
      fs.put(path, intent('v1alpha1', 'nginx'));
      break;
    case 'unknownField':
      fs.put(path, record('v1alpha1', imageRef, nodeWide, ',"extra":1'));
      break;
    case 'directory':
      fs.putDir(path);
      break;
  }
}

function putIntent(fs: MemoryFileSystem, path: string, image: string, state: IntentState): void {
  switch (state) {
    case 'absent':
      return;
    case 'valid':
      fs.put(path, intent('v1alpha1', image));
      break;
    case 'validBeta':
      fs.put(path, intent('v1beta1', image));
      break;
    case 'foreign':
      fs.put(path, intent('v1alpha1', 'foreign/image:1'));
      break;
    case 'truncated':
      fs.put(path, intent('v1alpha1', image).slice(0, 40));
      break;
    case 'unknownField':
      fs.put(path, intent('v1alpha1', image, ',"x":1'));
      break;
    case 'directory':
      fs.putDir(path);
      break;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// A filesystem that notes which reads failed while it is armed

class ProbeFileSystem implements FileSystem {
  armed = false;
  readonly reads: { path: string; failed: boolean }[] = [];
  constructor(readonly inner: MemoryFileSystem) {}

  readFile(path: string): string {
    try {
      const data = this.inner.readFile(path);
      if (this.armed) this.reads.push({ path, failed: false });
      return data;
    } catch (error) {
      // ENOENT is how an absent record or intent reads: "does not exist", not an error.
      if (this.armed && error instanceof FsError) this.reads.push({ path, failed: error.code !== 'ENOENT' });
      throw error;
    }
  }
  mkdirAll(path: string): void {
    this.inner.mkdirAll(path);
  }
  writeFile(path: string, data: string): void {
    this.inner.writeFile(path, data);
  }
  rename(from: string, to: string): void {
    this.inner.rename(from, to);
  }
  readDir(path: string): DirEntry[] {
    return this.inner.readDir(path);
  }
  remove(path: string): void {
    this.inner.remove(path);
  }
  stat(path: string): FileStat {
    return this.inner.stat(path);
  }
}

// ---------------------------------------------------------------------------------------------------------------

type FaultTarget = 'record' | 'intent' | 'otherRecord' | 'otherIntent' | 'pulledDir' | 'pullingDir';
interface Fault {
  readonly target: FaultTarget;
  readonly code: FsErrorCode;
  readonly times: number;
  readonly armed: 'atStart' | 'beforeCheck';
}

const faultArb: fc.Arbitrary<Fault> = fc.record({
  target: fc.constantFrom<FaultTarget>(
    'record',
    'intent',
    'otherRecord',
    'otherIntent',
    'pulledDir',
    'pullingDir',
  ),
  code: fc.constantFrom<FsErrorCode>('EIO', 'EACCES', 'EISDIR'),
  times: fc.integer({ min: 1, max: 3 }),
  armed: fc.constantFrom('atStart', 'beforeCheck'),
});

const caseArb = fc.record({
  version: fc.constantFrom(...KUBELET_VERSIONS),
  policy: fc.constantFrom(...VERIFICATION_POLICIES),
  image: fc.constantFrom(...IMAGES),
  recordState: fc.constantFrom(...RECORD_STATES),
  intentState: fc.constantFrom(...INTENT_STATES),
  otherRecordState: fc.constantFrom<RecordState>('absent', 'nodeWide', 'truncated', 'directory'),
  otherIntentState: fc.constantFrom<IntentState>('absent', 'valid', 'truncated'),
  inFlight: fc.boolean(),
  faults: fc.array(faultArb, { maxLength: 4 }),
});

function pathOf(target: FaultTarget, image: string): { path: string; op: 'readFile' | 'readDir' } {
  switch (target) {
    case 'record':
      return { path: recordPath(TARGET_REF), op: 'readFile' };
    case 'intent':
      return { path: intentPath(image), op: 'readFile' };
    case 'otherRecord':
      return { path: recordPath(OTHER_REF), op: 'readFile' };
    case 'otherIntent':
      return { path: intentPath(OTHER_IMAGE), op: 'readFile' };
    case 'pulledDir':
      return { path: PULLED_DIR, op: 'readDir' };
    case 'pullingDir':
      return { path: PULLING_DIR, op: 'readDir' };
  }
}

function policyRequiresVerification(
  policy: ImagePullCredentialsVerificationPolicy,
  image: Image,
  version: KubeletVersion,
  pulledByKubelet: boolean,
): boolean {
  switch (policy) {
    case 'NeverVerify':
      return false;
    case 'NeverVerifyPreloadedImages':
      return pulledByKubelet;
    case 'NeverVerifyAllowlistedImages':
      return !ALLOWLISTED[version === '1.36' ? 'normalised' : 'raw'][image];
    case 'AlwaysVerify':
      return true;
  }
}

describe('MustAttemptImagePull is fail-safe on unreadable records and intents', () => {
  it('an error met at step 2 always means "must pull"; otherwise the answer follows the rules', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const memory = new MemoryFileSystem();
        putRecord(memory, recordPath(TARGET_REF), TARGET_REF, c.recordState);
        putIntent(memory, intentPath(c.image), c.image, c.intentState);
        putRecord(memory, recordPath(OTHER_REF), OTHER_REF, c.otherRecordState);
        putIntent(memory, intentPath(OTHER_IMAGE), OTHER_IMAGE, c.otherIntentState);
        const arm = (when: Fault['armed']) => {
          for (const fault of c.faults.filter((f) => f.armed === when)) {
            const { path, op } = pathOf(fault.target, c.image);
            memory.failNext(path, fault.code, { op, times: fault.times });
          }
        };
        arm('atStart');

        const fs = new ProbeFileSystem(memory);
        const profile = kubeletProfile(c.version);
        const allowlist = parseAllowlist(c.policy === 'NeverVerifyAllowlistedImages' ? ALLOWLIST : []);
        if (!allowlist.ok) throw new Error('allowlist');
        const store = openPullRecordsStore(fs, KUBELET_ROOT, profile);
        const manager = createPullManager({
          accessor: store.accessor,
          policy: createPolicyEnforcer(c.policy, allowlist.value, profile.allowlistMatching),
          imageService: new FakeImageService(),
          clock: new FakeClock(),
          recorder: new RecordingEventRecorder(),
          credentialMappingKey: profile.credentialMappingKey,
        });
        if (c.inFlight) manager.recordPullIntent(c.image);
        arm('beforeCheck');

        fs.armed = true;
        const answer = manager.mustAttemptImagePull(c.image, TARGET_REF, podCredentials());
        fs.armed = false;

        const recordReads = fs.reads.filter((r) => r.path === recordPath(TARGET_REF));
        const intentReads = fs.reads.filter((r) => r.path === intentPath(c.image));
        const metError =
          recordReads.some((r) => r.failed || recordUnreadable(c.recordState, c.version)) ||
          intentReads.some((r) => r.failed || intentUnreadable(c.intentState, c.version));

        if (metError) {
          expect(answer).toMatchObject({ mustPull: true, result: 'error' });
          expect(answer.error).toBeUndefined();
          return;
        }

        // No error reached the check: the answer follows the rules, for a pod without credentials.
        const seen = readableRecord(c.recordState, c.version);
        const pulledByKubelet =
          seen !== undefined || manager.intentCount(c.image) > 0 || intentReadable(c.intentState, c.version);
        let mustPull: boolean;
        if (!policyRequiresVerification(c.policy, c.image, c.version, pulledByKubelet)) mustPull = false;
        else if (seen === undefined) mustPull = true;
        else mustPull = seen !== 'nodeWide';
        expect(answer.result).not.toBe('error');
        expect(answer.mustPull).toBe(mustPull);
      }),
      { numRuns: 400 },
    );
  });

  it.each(['NeverVerify', 'NeverVerifyAllowlistedImages'] as const)(
    'example: %s with an allowlisted image still answers "must pull" when the record cannot be read',
    (policy) => {
      const memory = new MemoryFileSystem();
      putRecord(memory, recordPath(TARGET_REF), TARGET_REF, 'nodeWide');
      memory.failNext(recordPath(TARGET_REF), 'EIO', { op: 'readFile' });
      const profile = kubeletProfile('1.33');
      const allowlist = parseAllowlist(policy === 'NeverVerify' ? [] : ALLOWLIST);
      if (!allowlist.ok) throw new Error('allowlist');
      const manager = createPullManager({
        accessor: openPullRecordsStore(memory, KUBELET_ROOT, profile).accessor,
        policy: createPolicyEnforcer(policy, allowlist.value, profile.allowlistMatching),
        imageService: new FakeImageService(),
        clock: new FakeClock(),
        recorder: new RecordingEventRecorder(),
        credentialMappingKey: 'normalised',
      });
      expect(manager.mustAttemptImagePull('test.io/test/image1', TARGET_REF, podCredentials())).toMatchObject(
        {
          mustPull: true,
          result: 'error',
        },
      );
      // The same check once the fault is gone: the policy exempts the image.
      expect(manager.mustAttemptImagePull('test.io/test/image1', TARGET_REF, podCredentials())).toMatchObject(
        {
          mustPull: false,
          result: 'credentialPolicyAllowed',
        },
      );
    },
  );
});
