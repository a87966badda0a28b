import { describe, expect, it } from 'vitest';
import { KUBELET_VERSIONS } from '../../../src/profiles.js';
import { FileSystemPullRecordsAccessor } from '../../../src/pullmanager/fs-accessor.js';
import {
  createPullManager,
  type MustPullCheckResult,
  NoopPullManager,
  WRITE_RECORD_WHILE_MATCHING_LIMIT,
} from '../../../src/pullmanager/manager.js';
import { createPolicyEnforcer, parseAllowlist } from '../../../src/pullmanager/policy.js';
import type { ImagePullSecret } from '../../../src/pullmanager/records.js';
import { ticks } from '../../../src/time.js';
import { initializeImages } from '../../conformance/pull-manager-setup.js';
import {
  FakeClock,
  FakeImageService,
  intentPath,
  KUBELET_ROOT,
  PULLED_DIR,
  PULLING_DIR,
  RecordingEventRecorder,
  recordPath,
  seconds,
  T0,
} from '../../support/kubelet-fakes.js';
import { MemoryFileSystem } from '../../support/memory-fs.js';
import {
  FIXTURE_SECRET,
  FIXTURE_SERVICE_ACCOUNT,
  failingPodCredentials,
  fixtureText,
  PULLED_FIXTURES,
  PULLING_FIXTURES,
  podCredentials,
  putFixtures,
  readJson,
  startManager,
} from '../../support/pull-records.js';

const FIXTURE_SA = FIXTURE_SERVICE_ACCOUNT;
const TEST_IMAGE = 'docker.io/testing/test:latest';

const secret = (n: number, hash = `hash-${n}`): ImagePullSecret => ({
  uid: `uid-${String(n).padStart(3, '0')}`,
  namespace: `ns-${String(n).padStart(3, '0')}`,
  name: 'pull',
  credentialHash: hash,
});

/** The versions whose decoder reads the v1beta1 fixtures (#132579). */
const BETA_READERS = ['1.35', '1.36'] as const;

// -----------------------------------------------------------------------------------------------------------------
// Intent bookkeeping

describe('intent bookkeeping (RecordPullIntent, RecordImagePullFailed, RecordImagePulled)', () => {
  it('RecordPullIntent writes the intent file named after the raw image string, then counts the pull', () => {
    const { manager, fs } = startManager();
    expect(manager.recordPullIntent('repo.repo/test/test:latest')).toEqual({});
    // The file name comes from the upstream test (TestFileBasedImagePullManager_RecordPullIntent).
    const path = `${PULLING_DIR}/sha256-7d8c031e2f1aeaa71649ca3e0b64c9902370ed460ef57fb07582a87a5a1e1c02`;
    expect(fs.read(path)).toBe(
      '{"kind":"ImagePullIntent","apiVersion":"kubelet.config.k8s.io/v1beta1","image":"repo.repo/test/test:latest"}\n',
    );
    expect(manager.intentCount('repo.repo/test/test:latest')).toBe(1);
  });

  it('concurrent pulls of one image string share one file; it is deleted only when the last pull ends', () => {
    const { manager, fs } = startManager();
    const image = 'reg.io/p/app:1';
    for (let i = 0; i < 3; i++) manager.recordPullIntent(image);
    expect(manager.intentCount(image)).toBe(3);
    expect(fs.list(PULLING_DIR)).toHaveLength(1);
    expect(fs.count('rename')).toBe(3); // the file is rewritten by every RecordPullIntent

    manager.recordImagePulled(image, 'sha256:ref', { nodePodsAccessible: true });
    expect(manager.intentCount(image)).toBe(2);
    expect(fs.exists(intentPath(image))).toBe(true);
    manager.recordImagePullFailed(image);
    expect(manager.intentCount(image)).toBe(1);
    expect(fs.exists(intentPath(image))).toBe(true);
    manager.recordImagePullFailed(image);
    expect(manager.intentCount(image)).toBe(0);
    expect(fs.exists(intentPath(image))).toBe(false);
  });

  it('a failed intent write returns "failed to record image pull intent: …" and counts nothing', () => {
    const { manager, fs } = startManager({ version: '1.33' });
    fs.failNext(`${intentPath('nginx')}.tmp`, 'ENOSPC', { op: 'writeFile' });
    const answer = manager.recordPullIntent('nginx');
    expect(answer.error).toMatch(/^failed to record image pull intent: /);
    expect(answer.error).toContain('no space left on device');
    expect(manager.intentCount('nginx')).toBe(0);
  });

  it('a failed intent delete is logged and keeps the counter; the next decrement deletes the file', () => {
    const { manager, fs, recorder } = startManager({ version: '1.33' });
    manager.recordPullIntent('nginx');
    fs.failNext(intentPath('nginx'), 'EIO', { op: 'remove' });
    manager.recordImagePullFailed('nginx');
    expect(recorder.logMessages()).toContain('failed to remove image pull intent');
    expect(manager.intentCount('nginx')).toBe(1);
    expect(fs.exists(intentPath('nginx'))).toBe(true);
    manager.recordImagePullFailed('nginx');
    expect(manager.intentCount('nginx')).toBe(0);
    expect(fs.exists(intentPath('nginx'))).toBe(false);
  });

  it('a failed pulled-record write keeps the intent file and the counter (the image stays kubelet-pulled)', () => {
    const { manager, fs, recorder } = startManager({ version: '1.33' });
    manager.recordPullIntent('nginx');
    fs.failNext(`${recordPath('sha256:ref')}.tmp`, 'ENOSPC', { op: 'writeFile' });
    manager.recordImagePulled('nginx', 'sha256:ref', { nodePodsAccessible: true });
    expect(recorder.logMessages()).toContain('failed to write image pulled record');
    expect(manager.intentCount('nginx')).toBe(1);
    expect(fs.exists(intentPath('nginx'))).toBe(true);
    expect(fs.exists(recordPath('sha256:ref'))).toBe(false);
  });

  it('an image name that does not parse fails the record write: nothing is written and the intent is kept', () => {
    const { manager, fs, recorder } = startManager({ version: '1.33' });
    manager.recordPullIntent('Invalid/NAME');
    manager.recordImagePulled('Invalid/NAME', 'sha256:ref', { nodePodsAccessible: true });
    const log = recorder.logs.find((l) => l.message === 'failed to write image pulled record');
    expect(String(log?.fields?.err)).toMatch(/^invalid image name "Invalid\/NAME": /);
    expect(fs.exists(recordPath('sha256:ref'))).toBe(false);
    expect(manager.intentCount('Invalid/NAME')).toBe(1);
  });

  it('a decrement with a zero counter (after a restart) deletes a leftover intent file', () => {
    const { manager, fs } = startManager({ version: '1.36', pulling: [PULLING_FIXTURES.testLatest] });
    expect(manager.intentCount(TEST_IMAGE)).toBe(0);
    manager.recordImagePullFailed(TEST_IMAGE);
    expect(fs.exists(intentPath(TEST_IMAGE))).toBe(false);
  });

  it('intents are keyed by the raw string: nginx, nginx:latest and docker.io/library/nginx:latest are three files', () => {
    const { manager, fs } = startManager();
    for (const image of ['nginx', 'nginx:latest', 'docker.io/library/nginx:latest'])
      manager.recordPullIntent(image);
    expect(fs.list(PULLING_DIR)).toHaveLength(3);
    expect(manager.intentCount('nginx')).toBe(1);
    expect(manager.intentCount('nginx:latest')).toBe(1);
  });
});

// -----------------------------------------------------------------------------------------------------------------
// MustAttemptImagePull, step by step

describe('MustAttemptImagePull steps (image_pull_manager.go)', () => {
  it('step 1: an empty imageRef means must pull, with no I/O, no credential lookup and no metric', () => {
    const { manager, fs } = startManager();
    fs.clearLog();
    const creds = podCredentials();
    const answer = manager.mustAttemptImagePull('nginx', '', creds);
    expect(answer.mustPull).toBe(true);
    expect(answer.result).toBeUndefined();
    expect(fs.log).toEqual([]);
    expect(creds.calls).toBe(0);
    expect(manager.mustPullChecks).toEqual({
      credentialPolicyAllowed: 0,
      credentialRecordFound: 0,
      mustAuthenticate: 0,
      error: 0,
    });
  });

  describe.each(KUBELET_VERSIONS)(
    'step 2a: an unreadable pulled record forces a pull, never an error (%s)',
    (version) => {
      it('a malformed record file → must pull, result "error", logged, no error returned', () => {
        const { manager, recorder } = startManager({ version, pulled: [PULLED_FIXTURES.malformed] });
        const answer = manager.mustAttemptImagePull(
          'docker.io/testing/broken',
          'testbrokenrecord',
          podCredentials(),
        );
        expect(answer).toMatchObject({ mustPull: true, result: 'error' });
        expect(answer.error).toBeUndefined();
        expect(recorder.logMessages()).toContain('Unable to access cache records about image pulls');
      });

      it('a read error (EIO) on the record file → must pull, result "error"', () => {
        const fs = new MemoryFileSystem();
        // 1.35+ also read the file at start-up (migration walk, cache warm-up), which then cannot cache it.
        fs.failNext(recordPath('policyallowed'), 'EIO', { op: 'readFile', times: 3 });
        const { manager } = startManager({ version, fs, pulled: [PULLED_FIXTURES.policyExempt] });
        const answer = manager.mustAttemptImagePull(
          'docker.io/testing/policyexempt',
          'policyallowed',
          podCredentials(),
        );
        expect(answer).toMatchObject({ mustPull: true, result: 'error' });
      });
    },
  );

  it.each(['1.33', '1.34'] as const)(
    'step 2a: a directory where the record file should be (EISDIR) → must pull, result "error" (%s, files only)',
    (version) => {
      const fs = new MemoryFileSystem();
      fs.putDir(recordPath('testimageref'));
      const { manager } = startManager({ version, fs });
      expect(manager.mustAttemptImagePull(TEST_IMAGE, 'testimageref', podCredentials())).toMatchObject({
        mustPull: true,
        result: 'error',
      });
    },
  );

  it('step 2a: with the 1.35+ cache, a directory at the record path is never read (an authoritative miss is "absent")', () => {
    const fs = new MemoryFileSystem();
    fs.putDir(recordPath('testimageref'));
    const { manager, store } = startManager({ version: '1.35', fs });
    expect(store.cache?.pulledRecordsAuthoritative).toBe(true);
    fs.clearLog();
    expect(manager.mustAttemptImagePull(TEST_IMAGE, 'testimageref', podCredentials())).toMatchObject({
      mustPull: false,
      result: 'credentialPolicyAllowed',
    });
    expect(fs.count('readFile')).toBe(0);
  });

  it('step 2a comes before the policy: even NeverVerify answers "must pull" for an unreadable record', () => {
    const { manager } = startManager({ policy: 'NeverVerify', pulled: [PULLED_FIXTURES.malformed] });
    expect(
      manager.mustAttemptImagePull('docker.io/testing/broken', 'testbrokenrecord', podCredentials()),
    ).toMatchObject({ mustPull: true, result: 'error' });
  });

  it('step 2b: any record for the imageRef makes the image kubelet-pulled, whatever names it holds (#138175)', () => {
    // The record holds docker.io/testing/test only; the image asked about is another repository.
    const { manager } = startManager({ pulled: [PULLED_FIXTURES.secret] });
    const creds = podCredentials([FIXTURE_SECRET]);
    const answer = manager.mustAttemptImagePull('docker.io/testing/different:latest', 'testimageref', creds);
    // Merged behaviour; the unmerged PR #138211 would answer false here (docs/kubelet-model.md#unmerged-fixes).
    expect(answer).toMatchObject({ mustPull: true, result: 'mustAuthenticate' });
    expect(creds.calls).toBe(0);
  });

  it('step 2c: an in-flight pull of this process counts without reading the intent file', () => {
    const { manager, fs } = startManager({ version: '1.33' });
    manager.recordPullIntent(TEST_IMAGE);
    fs.clearLog();
    const answer = manager.mustAttemptImagePull(TEST_IMAGE, 'testexistingref', podCredentials());
    expect(answer).toMatchObject({ mustPull: true, result: 'mustAuthenticate' });
    expect(fs.log.filter((e) => e.path === intentPath(TEST_IMAGE))).toEqual([]);
  });

  it.each(KUBELET_VERSIONS)(
    'step 2c: an intent file left by an earlier run makes the image kubelet-pulled (%s)',
    (version) => {
      const fs = new MemoryFileSystem();
      // The v1alpha1 intent fixture decodes in every version.
      const image = 'docker.io/testing/test:something';
      fs.put(intentPath(image), fixtureText('pulling', PULLING_FIXTURES.testSomething));
      const { manager } = startManager({ version, fs });
      expect(manager.intentCount(image)).toBe(0);
      expect(manager.mustAttemptImagePull(image, 'testexistingref', podCredentials())).toMatchObject({
        mustPull: true,
        result: 'mustAuthenticate',
      });
    },
  );

  it('step 2c: an intent file whose content names another image does not count (collision guard)', () => {
    const { manager, fs } = startManager({ version: '1.33' });
    fs.put(
      intentPath('nginx'),
      '{"kind":"ImagePullIntent","apiVersion":"kubelet.config.k8s.io/v1alpha1","image":"other"}\n',
    );
    expect(manager.mustAttemptImagePull('nginx', 'sha256:ref', podCredentials())).toMatchObject({
      mustPull: false,
      result: 'credentialPolicyAllowed',
    });
  });

  it('step 2c: an intent read error forces a pull, result "error"', () => {
    const { manager, fs, recorder } = startManager({ version: '1.33' });
    fs.failNext(intentPath('nginx'), 'EACCES', { op: 'readFile' });
    expect(manager.mustAttemptImagePull('nginx', 'sha256:ref', podCredentials())).toMatchObject({
      mustPull: true,
      result: 'error',
    });
    const log = recorder.logs.find((l) => l.message === 'Unable to access cache records about image pulls');
    expect(String(log?.fields?.err)).toMatch(/^failed to check existence of an image pull intent: /);
  });

  it('step 3: NeverVerify → no pull even for a kubelet-pulled image with a non-matching record', () => {
    const { manager } = startManager({ policy: 'NeverVerify', pulled: [PULLED_FIXTURES.secret] });
    const creds = podCredentials();
    expect(manager.mustAttemptImagePull(TEST_IMAGE, 'testimageref', creds)).toMatchObject({
      mustPull: false,
      result: 'credentialPolicyAllowed',
    });
    expect(creds.calls).toBe(0);
  });

  it('step 3: NeverVerifyPreloadedImages → a preloaded image (no record, no intent) needs no pull', () => {
    const { manager } = startManager();
    expect(manager.mustAttemptImagePull(TEST_IMAGE, 'testexistingref', podCredentials())).toMatchObject({
      mustPull: false,
      result: 'credentialPolicyAllowed',
    });
  });

  it('step 4: only an intent exists (no record) → must pull, result "mustAuthenticate"', () => {
    const { manager } = startManager({ pulling: [PULLING_FIXTURES.testLatest] });
    const creds = podCredentials([FIXTURE_SECRET]);
    expect(manager.mustAttemptImagePull(TEST_IMAGE, 'testexistingref', creds)).toMatchObject({
      mustPull: true,
      result: 'mustAuthenticate',
    });
    expect(creds.calls).toBe(0);
  });

  it('step 4: AlwaysVerify on a preloaded image (no record) → must pull', () => {
    const { manager } = startManager({ policy: 'AlwaysVerify' });
    expect(manager.mustAttemptImagePull(TEST_IMAGE, 'testexistingref', podCredentials())).toMatchObject({
      mustPull: true,
      result: 'mustAuthenticate',
    });
  });

  it('step 5: an image name that does not parse (with a record present) → must pull, result "error"', () => {
    const { manager } = startManager({ pulled: [PULLED_FIXTURES.secret] });
    const creds = podCredentials([FIXTURE_SECRET]);
    expect(manager.mustAttemptImagePull('Invalid/NAME', 'testimageref', creds)).toMatchObject({
      mustPull: true,
      result: 'error',
    });
    expect(creds.calls).toBe(0);
  });

  it('step 6: a record with an empty credential mapping (as created at start-up) → must pull', () => {
    const { manager } = startManager({ pulled: [PULLED_FIXTURES.emptyMapping] });
    const creds = podCredentials([FIXTURE_SECRET]);
    expect(manager.mustAttemptImagePull(TEST_IMAGE, 'testemptycredmapping', creds)).toMatchObject({
      mustPull: true,
      result: 'mustAuthenticate',
    });
    expect(creds.calls).toBe(0);
  });

  it('step 7: a node-wide entry lets every pod use the image; pod credentials are not even looked up', () => {
    const { manager } = startManager({ pulled: [PULLED_FIXTURES.anonymous] });
    const creds = podCredentials([FIXTURE_SECRET], FIXTURE_SA);
    expect(manager.mustAttemptImagePull(TEST_IMAGE, 'testimage-anonpull', creds)).toMatchObject({
      mustPull: false,
      result: 'credentialRecordFound',
    });
    expect(creds.calls).toBe(0);
  });

  it('step 8: an entry with no secrets and no service accounts → must pull, pod credentials not looked up', () => {
    const { manager, fs } = startManager({ version: '1.33' });
    // A brand-new record stores the credentials as given, so an empty credential object makes an empty entry.
    manager.recordImagePulled('reg.io/p/app:1', 'sha256:ref', {});
    expect(fs.read(recordPath('sha256:ref'))).toContain('"credentialMapping":{"reg.io/p/app":{}}');
    const creds = podCredentials([FIXTURE_SECRET]);
    expect(manager.mustAttemptImagePull('reg.io/p/app:1', 'sha256:ref', creds)).toMatchObject({
      mustPull: true,
      result: 'mustAuthenticate',
    });
    expect(creds.calls).toBe(0);
  });

  it('step 9: pod credentials are looked up only now; a lookup error returns (true, error), result "error"', () => {
    const { manager } = startManager({ pulled: [PULLED_FIXTURES.secret] });
    const creds = failingPodCredentials("invalid character 'n' looking for beginning of object key string");
    const answer = manager.mustAttemptImagePull(TEST_IMAGE, 'testimageref', creds);
    expect(answer).toMatchObject({
      mustPull: true,
      result: 'error',
      error: "invalid character 'n' looking for beginning of object key string",
    });
    expect(creds.calls).toBe(1);
    expect(manager.mustPullChecks.error).toBe(1);
  });

  describe('step 10: pod secrets × recorded secrets', () => {
    it("the pod's exact secret (hash and coordinates) → no pull, no write", () => {
      const { manager, fs } = startManager({ pulled: [PULLED_FIXTURES.secret] });
      fs.clearLog();
      const creds = podCredentials([FIXTURE_SECRET]);
      expect(manager.mustAttemptImagePull(TEST_IMAGE, 'testimageref', creds)).toMatchObject({
        mustPull: false,
        result: 'credentialRecordFound',
      });
      expect(creds.calls).toBe(1);
      expect(fs.count('writeFile')).toBe(0);
    });

    it('the same hash under other coordinates → no pull, and the new coordinates are added (sorted)', () => {
      const { manager, fs } = startManager({ pulled: [PULLED_FIXTURES.secret] });
      const other = { ...FIXTURE_SECRET, namespace: 'differentns' };
      expect(manager.mustAttemptImagePull(TEST_IMAGE, 'testimageref', podCredentials([other]))).toMatchObject(
        {
          mustPull: false,
          result: 'credentialRecordFound',
        },
      );
      expect(readJson(fs, recordPath('testimageref'))).toMatchObject({
        credentialMapping: { 'docker.io/testing/test': { kubernetesSecrets: [FIXTURE_SECRET, other] } },
      });
    });

    it('the same coordinates with another hash (a rotated secret) → no pull, and the stored hash is replaced', () => {
      const { manager, fs } = startManager({ pulled: [PULLED_FIXTURES.secret] });
      const rotated = { ...FIXTURE_SECRET, credentialHash: 'differenthash' };
      expect(
        manager.mustAttemptImagePull(TEST_IMAGE, 'testimageref', podCredentials([rotated])),
      ).toMatchObject({
        mustPull: false,
      });
      expect(readJson(fs, recordPath('testimageref'))).toMatchObject({
        credentialMapping: { 'docker.io/testing/test': { kubernetesSecrets: [rotated] } },
      });
    });

    it.each([
      ['another UID', { ...FIXTURE_SECRET, uid: 'different uid', credentialHash: 'differenthash' }],
      ['another namespace', { ...FIXTURE_SECRET, namespace: 'differentns', credentialHash: 'differenthash' }],
    ])('a secret with %s and another hash → must pull', (_what, podSecret) => {
      const { manager } = startManager({ pulled: [PULLED_FIXTURES.secret] });
      expect(
        manager.mustAttemptImagePull(TEST_IMAGE, 'testimageref', podCredentials([podSecret])),
      ).toMatchObject({
        mustPull: true,
        result: 'mustAuthenticate',
      });
    });

    it('a pod with no credentials never matches a secret entry → must pull', () => {
      const { manager } = startManager({ pulled: [PULLED_FIXTURES.secret] });
      expect(manager.mustAttemptImagePull(TEST_IMAGE, 'testimageref', podCredentials())).toMatchObject({
        mustPull: true,
      });
    });

    it('a recorded empty hash never matches by value, only by coordinates (no write when both are empty)', () => {
      const { manager, fs } = startManager({ pulled: [PULLED_FIXTURES.brokenHash] });
      const sameSecret = { ...FIXTURE_SECRET, credentialHash: '' };
      const otherSecret = { ...sameSecret, namespace: 'differentns' };
      expect(
        manager.mustAttemptImagePull(TEST_IMAGE, 'test-brokenhash', podCredentials([otherSecret])).mustPull,
      ).toBe(true);
      fs.clearLog();
      expect(
        manager.mustAttemptImagePull(TEST_IMAGE, 'test-brokenhash', podCredentials([sameSecret])),
      ).toMatchObject({ mustPull: false, result: 'credentialRecordFound' });
      expect(fs.count('writeFile')).toBe(0);
    });

    it('every pod secret is tried in keyring order: a later one may match', () => {
      const { manager } = startManager({ pulled: [PULLED_FIXTURES.secret] });
      const first = { ...FIXTURE_SECRET, uid: 'u2', name: 'other', credentialHash: 'nope' };
      expect(
        manager.mustAttemptImagePull(TEST_IMAGE, 'testimageref', podCredentials([first, FIXTURE_SECRET]))
          .mustPull,
      ).toBe(false);
    });

    it('a failed match-time write is logged and the answer is still "no pull"', () => {
      const { manager, fs, recorder } = startManager({ version: '1.33' });
      manager.recordImagePulled('reg.io/p/app:1', 'sha256:ref', { kubernetesSecrets: [secret(1)] });
      fs.failNext(`${recordPath('sha256:ref')}.tmp`, 'ENOSPC', { op: 'writeFile' });
      const other = { ...secret(2), credentialHash: secret(1).credentialHash };
      expect(
        manager.mustAttemptImagePull('reg.io/p/app:1', 'sha256:ref', podCredentials([other])).mustPull,
      ).toBe(false);
      expect(recorder.logMessages()).toContain('failed to write an image pulled record');
    });
  });

  describe(`step 10: the ${WRITE_RECORD_WHILE_MATCHING_LIMIT}-secret limit on match-time writes`, () => {
    /** A record whose entry holds `count` secrets (ns-000 … ), written through the manager as a new record. */
    function withSecrets(count: number) {
      const harness = startManager({ version: '1.33' });
      const secrets = Array.from({ length: count }, (_, i) => secret(i));
      harness.manager.recordImagePulled('reg.io/p/app:1', 'sha256:ref', { kubernetesSecrets: secrets });
      harness.fs.clearLog();
      return { ...harness, secrets };
    }

    it('the limit is 100 (writeRecordWhileMatchingLimit)', () => {
      expect(WRITE_RECORD_WHILE_MATCHING_LIMIT).toBe(100);
    });

    it('99 recorded secrets: a coordinate match with a new hash is accepted and the hash is replaced', () => {
      const { manager, fs } = withSecrets(99);
      const rotated = { ...secret(5), credentialHash: 'rotated' };
      expect(
        manager.mustAttemptImagePull('reg.io/p/app:1', 'sha256:ref', podCredentials([rotated])),
      ).toMatchObject({
        mustPull: false,
        result: 'credentialRecordFound',
      });
      expect(fs.read(recordPath('sha256:ref'))).toContain('"credentialHash":"rotated"');
    });

    it('100 recorded secrets: a coordinate match with a new hash is NOT accepted (must pull)', () => {
      const { manager, fs } = withSecrets(100);
      const rotated = { ...secret(5), credentialHash: 'rotated' };
      expect(
        manager.mustAttemptImagePull('reg.io/p/app:1', 'sha256:ref', podCredentials([rotated])),
      ).toMatchObject({
        mustPull: true,
        result: 'mustAuthenticate',
      });
      expect(fs.count('writeFile')).toBe(0);
    });

    it('100 recorded secrets: after a coordinate match the scan goes on and a later hash match still counts', () => {
      const { manager, fs } = withSecrets(100);
      // Coordinates of #0, but the credential content of #57: the loop passes #0 and accepts at #57.
      const podSecret = { ...secret(0), credentialHash: secret(57).credentialHash };
      expect(
        manager.mustAttemptImagePull('reg.io/p/app:1', 'sha256:ref', podCredentials([podSecret])),
      ).toMatchObject({ mustPull: false, result: 'credentialRecordFound' });
      expect(fs.count('writeFile')).toBe(0);
    });

    it('100 recorded secrets: a hash match under new coordinates is accepted without a write', () => {
      const { manager, fs } = withSecrets(100);
      const newcomer = {
        uid: 'uid-new',
        namespace: 'zz',
        name: 'pull',
        credentialHash: secret(3).credentialHash,
      };
      expect(
        manager.mustAttemptImagePull('reg.io/p/app:1', 'sha256:ref', podCredentials([newcomer])).mustPull,
      ).toBe(false);
      expect(fs.count('writeFile')).toBe(0);
      expect(fs.read(recordPath('sha256:ref'))).not.toContain('uid-new');
    });

    it('100 recorded secrets: after the secret scan the service account is still checked', () => {
      const harness = startManager({ version: '1.34' });
      const secrets = Array.from({ length: 100 }, (_, i) => secret(i));
      harness.manager.recordImagePulled('reg.io/p/app:1', 'sha256:ref', { kubernetesSecrets: secrets });
      harness.manager.recordImagePulled('reg.io/p/app:1', 'sha256:ref', {
        kubernetesServiceAccounts: [FIXTURE_SA],
      });
      const rotated = { ...secret(0), credentialHash: 'rotated' };
      expect(
        harness.manager.mustAttemptImagePull(
          'reg.io/p/app:1',
          'sha256:ref',
          podCredentials([rotated], FIXTURE_SA),
        ),
      ).toMatchObject({ mustPull: false, result: 'credentialRecordFound' });
    });
  });

  describe.each(BETA_READERS)('step 11: the pod service account (%s)', (version) => {
    it("the pod's exact service account → no pull, no write", () => {
      const { manager, fs } = startManager({ version, pulled: [PULLED_FIXTURES.serviceAccount] });
      fs.clearLog();
      expect(
        manager.mustAttemptImagePull(TEST_IMAGE, 'testimageref-sa', podCredentials([], FIXTURE_SA)),
      ).toMatchObject({ mustPull: false, result: 'credentialRecordFound' });
      expect(fs.count('writeFile')).toBe(0);
    });

    it.each([
      ['another UID', { ...FIXTURE_SA, uid: 'different-sa-uid' }],
      ['another namespace', { ...FIXTURE_SA, namespace: 'different-ns' }],
    ])('a service account with %s → must pull', (_what, account) => {
      const { manager } = startManager({ version, pulled: [PULLED_FIXTURES.serviceAccount] });
      expect(
        manager.mustAttemptImagePull(TEST_IMAGE, 'testimageref-sa', podCredentials([], account)),
      ).toMatchObject({
        mustPull: true,
        result: 'mustAuthenticate',
      });
    });
  });

  it('step 12: nothing matches → must pull, result "mustAuthenticate"', () => {
    const { manager } = startManager({ pulled: [PULLED_FIXTURES.serviceAccount] });
    expect(
      manager.mustAttemptImagePull(TEST_IMAGE, 'testimageref-sa', podCredentials([FIXTURE_SECRET])),
    ).toMatchObject({ mustPull: true, result: 'mustAuthenticate' });
  });
});

// -----------------------------------------------------------------------------------------------------------------
// Policies inside MustAttemptImagePull

describe('policies as they act inside MustAttemptImagePull (RequireCredentialVerificationForImage)', () => {
  const allowlist = ['docker.io/testing/*'];

  it('NeverVerifyAllowlistedImages ignores pull history: an allowlisted image with a non-matching record is used', () => {
    const { manager } = startManager({
      policy: 'NeverVerifyAllowlistedImages',
      allowlist,
      pulled: [PULLED_FIXTURES.secret],
    });
    expect(manager.mustAttemptImagePull(TEST_IMAGE, 'testimageref', podCredentials())).toMatchObject({
      mustPull: false,
      result: 'credentialPolicyAllowed',
    });
  });

  it('NeverVerifyAllowlistedImages: a preloaded image that is not allowlisted is verified (no record → pull)', () => {
    const { manager } = startManager({ policy: 'NeverVerifyAllowlistedImages', allowlist });
    expect(
      manager.mustAttemptImagePull('reg.io/p/app:1', 'sha256:preloaded', podCredentials()),
    ).toMatchObject({
      mustPull: true,
      result: 'mustAuthenticate',
    });
  });

  it('AlwaysVerify: a kubelet-pulled image with a matching record is used', () => {
    const { manager } = startManager({ policy: 'AlwaysVerify', pulled: [PULLED_FIXTURES.secret] });
    expect(
      manager.mustAttemptImagePull(TEST_IMAGE, 'testimageref', podCredentials([FIXTURE_SECRET])).mustPull,
    ).toBe(false);
  });

  it('NeverVerifyPreloadedImages: once an intent exists on disk the image string counts as kubelet-pulled', () => {
    const { manager } = startManager({ pulling: [PULLING_FIXTURES.testLatest] });
    expect(manager.mustAttemptImagePull(TEST_IMAGE, 'testexistingref', podCredentials()).mustPull).toBe(true);
    // Another string for the same image is still preloaded: intents are keyed by the exact string.
    expect(
      manager.mustAttemptImagePull('docker.io/testing/test', 'testexistingref', podCredentials()).mustPull,
    ).toBe(false);
  });
});

// -----------------------------------------------------------------------------------------------------------------
// Metrics

describe('kubelet_imagemanager_image_mustpull_checks_total (metrics.go)', () => {
  it('counts one result label per check with a non-empty imageRef', () => {
    const { manager } = startManager({
      pulled: [PULLED_FIXTURES.malformed, PULLED_FIXTURES.anonymous, PULLED_FIXTURES.secret],
    });
    const results: (MustPullCheckResult | undefined)[] = [
      manager.mustAttemptImagePull('docker.io/testing/broken', 'testbrokenrecord', podCredentials()).result,
      manager.mustAttemptImagePull(TEST_IMAGE, 'testimage-anonpull', podCredentials()).result,
      manager.mustAttemptImagePull(TEST_IMAGE, 'preloaded', podCredentials()).result,
      manager.mustAttemptImagePull(TEST_IMAGE, 'testimageref', podCredentials()).result,
      manager.mustAttemptImagePull(TEST_IMAGE, '', podCredentials()).result,
    ];
    expect(results).toEqual([
      'error',
      'credentialRecordFound',
      'credentialPolicyAllowed',
      'mustAuthenticate',
      undefined,
    ]);
    expect(manager.mustPullChecks).toEqual({
      credentialPolicyAllowed: 1,
      credentialRecordFound: 1,
      mustAuthenticate: 1,
      error: 1,
    });
  });

  it('reproduces the worked counter example of metrics_test.go (file accessor only, allowlist policy)', () => {
    const fs = new MemoryFileSystem();
    const clock = new FakeClock();
    const files = new FileSystemPullRecordsAccessor(fs, KUBELET_ROOT, {
      recordApiVersion: 'v1beta1',
      decodableApiVersions: ['v1alpha1', 'v1beta1'],
      serviceAccountField: true,
      migrateRecordsAtStartup: true,
    });
    const allowlist = parseAllowlist(['docker.io/testing/policyexempt']);
    if (!allowlist.ok) throw new Error('allowlist');
    const manager = createPullManager({
      accessor: files,
      policy: createPolicyEnforcer('NeverVerifyAllowlistedImages', allowlist.value, 'raw'),
      imageService: new FakeImageService(),
      clock,
      recorder: new RecordingEventRecorder(),
      credentialMappingKey: 'normalised',
    });
    // As upstream, the test data is copied in after the manager was created.
    putFixtures(fs, {
      pulled: [
        PULLED_FIXTURES.malformed,
        PULLED_FIXTURES.anonymous,
        PULLED_FIXTURES.policyExempt,
        PULLED_FIXTURES.secret,
      ],
    });
    const none = podCredentials();
    for (let i = 0; i < 3; i++) {
      const answer = manager.mustAttemptImagePull('docker.io/testing/broken', 'testbrokenrecord', none);
      expect(answer.mustPull).toBe(true);
      expect(answer.error).toBeUndefined();
    }
    for (let i = 0; i < 4; i++)
      expect(
        manager.mustAttemptImagePull('docker.io/testing/test', 'testimage-anonpull', none).mustPull,
      ).toBe(false);
    for (let i = 0; i < 2; i++)
      expect(
        manager.mustAttemptImagePull('docker.io/testing/policyexempt', 'policyallowed', none).mustPull,
      ).toBe(false);
    expect(
      manager.mustAttemptImagePull('docker.io/testing/norecords', 'somewhatunknown', none).mustPull,
    ).toBe(true);
    expect(
      manager.mustAttemptImagePull('docker.io/testing/test', 'testimageref', podCredentials([FIXTURE_SECRET]))
        .mustPull,
    ).toBe(false);
    expect(manager.mustPullChecks).toEqual({
      error: 3,
      credentialRecordFound: 5,
      credentialPolicyAllowed: 2,
      mustAuthenticate: 1,
    });
  });
});

// -----------------------------------------------------------------------------------------------------------------
// Writing pulled records

describe('writing pulled records (writePulledRecordIfChanged)', () => {
  it('a new record stores the credentials as given: not sorted, not de-duplicated', () => {
    const { manager, fs, clock } = startManager();
    clock.set(ticks(T0 + 500_000)); // half a second: the file holds whole seconds
    const z = { uid: 'uid-z', namespace: 'z-namespace', name: 'z-name', credentialHash: 'hash-z' };
    const a = { uid: 'uid-a', namespace: 'a-namespace', name: 'a-name', credentialHash: 'hash-a' };
    manager.recordImagePulled('reg.io/p/app:1', 'sha256:ref', { kubernetesSecrets: [z, a, z] });
    expect(fs.read(recordPath('sha256:ref'))).toBe(
      '{"kind":"ImagePulledRecord","apiVersion":"kubelet.config.k8s.io/v1beta1","lastUpdatedTime":"2026-01-15T12:00:00Z",' +
        '"imageRef":"sha256:ref","credentialMapping":{"reg.io/p/app":{"kubernetesSecrets":[' +
        '{"uid":"uid-z","namespace":"z-namespace","name":"z-name","credentialHash":"hash-z"},' +
        '{"uid":"uid-a","namespace":"a-namespace","name":"a-name","credentialHash":"hash-a"},' +
        '{"uid":"uid-z","namespace":"z-namespace","name":"z-name","credentialHash":"hash-z"}]}}}\n',
    );
  });

  it('merging into an existing record sorts the secrets and sets lastUpdatedTime to now', () => {
    const { manager, fs, clock } = startManager({ pulled: [PULLED_FIXTURES.secret] });
    clock.set(T0);
    const creds = {
      kubernetesSecrets: [{ uid: 'newuid', namespace: 'newns', name: 'newname', credentialHash: 'h' }],
    };
    manager.recordImagePulled('docker.io/testing/test:something', 'testimageref', creds);
    expect(readJson(fs, recordPath('testimageref'))).toEqual({
      kind: 'ImagePulledRecord',
      apiVersion: 'kubelet.config.k8s.io/v1beta1',
      lastUpdatedTime: '2026-01-15T12:00:00Z',
      imageRef: 'testimageref',
      credentialMapping: {
        'docker.io/testing/test': { kubernetesSecrets: [FIXTURE_SECRET, creds.kubernetesSecrets[0]] },
      },
    });
  });

  it('an unchanged merge writes nothing and keeps lastUpdatedTime', () => {
    const { manager, fs } = startManager({ pulled: [PULLED_FIXTURES.secret] });
    fs.clearLog();
    manager.recordImagePulled('docker.io/testing/test:something', 'testimageref', {
      kubernetesSecrets: [FIXTURE_SECRET],
    });
    expect(fs.count('writeFile')).toBe(0);
    expect(fs.read(recordPath('testimageref'))).toBe(fixtureText('pulled', PULLED_FIXTURES.secret));
  });

  it('a corrupt record is treated as absent and overwritten by the next record write', () => {
    const { manager, fs, recorder } = startManager({ pulled: [PULLED_FIXTURES.malformed] });
    manager.recordImagePulled('docker.io/testing/broken:1', 'testbrokenrecord', { nodePodsAccessible: true });
    expect(recorder.logMessages()).toContain('failed to retrieve an ImagePulledRecord');
    expect(readJson(fs, recordPath('testbrokenrecord'))).toMatchObject({
      imageRef: 'testbrokenrecord',
      credentialMapping: { 'docker.io/testing/broken': { nodePodsAccessible: true } },
    });
  });

  it('the credential-mapping key is the normalised name without tag or digest by default', () => {
    const { manager, fs } = startManager();
    manager.recordImagePulled('nginx:1.27', 'sha256:a', { nodePodsAccessible: true });
    manager.recordImagePulled('secretorg/myimage:customtag', 'sha256:b', { nodePodsAccessible: true });
    manager.recordImagePulled('repo.repo/test/test:v1', 'sha256:c', { nodePodsAccessible: true });
    expect(
      Object.keys((readJson(fs, recordPath('sha256:a')) as { credentialMapping: object }).credentialMapping),
    ).toEqual(['docker.io/library/nginx']);
    expect(readJson(fs, recordPath('sha256:b'))).toMatchObject({
      credentialMapping: { 'docker.io/secretorg/myimage': {} },
    });
    expect(readJson(fs, recordPath('sha256:c'))).toMatchObject({
      credentialMapping: { 'repo.repo/test/test': {} },
    });
  });
});

// -----------------------------------------------------------------------------------------------------------------
// Name forms

describe('which form of the image name is used where', () => {
  it('the pulled record is keyed by the imageRef, not by the image name', () => {
    const { manager, fs } = startManager();
    manager.recordImagePulled('nginx', 'testimageref', { nodePodsAccessible: true });
    expect(fs.list(PULLED_DIR)).toEqual([PULLED_FIXTURES.secret]); // sha256("testimageref"), fs_pullrecords.go
  });

  it.each([
    ['secretorg/myimage:customtag', 'secretorg/myimage'],
    ['testing@sha256:f24acc752be18b93b0504c86312bbaf482c9efb0c45e925bbccb0a591cebd7af', 'testing'],
  ])('the familiar key form (profile option) keeps the name as written: %s → %s', (image, key) => {
    const { manager, fs } = startManager({ profileOverrides: { credentialMappingKey: 'familiar' } });
    manager.recordImagePulled(image, 'sha256:ref', { kubernetesServiceAccounts: [FIXTURE_SA] });
    expect(readJson(fs, recordPath('sha256:ref'))).toMatchObject({
      credentialMapping: { [key]: { kubernetesServiceAccounts: [FIXTURE_SA] } },
    });
  });

  it('normalised keys: nginx and docker.io/library/nginx:1.2 share one entry; familiar keys: they do not', () => {
    const normalised = startManager().manager;
    normalised.recordImagePulled('nginx', 'sha256:ref', { nodePodsAccessible: true });
    expect(
      normalised.mustAttemptImagePull('docker.io/library/nginx:1.2', 'sha256:ref', podCredentials()).mustPull,
    ).toBe(false);

    const familiar = startManager({ profileOverrides: { credentialMappingKey: 'familiar' } }).manager;
    familiar.recordImagePulled('nginx', 'sha256:ref', { nodePodsAccessible: true });
    expect(
      familiar.mustAttemptImagePull('docker.io/library/nginx:1.2', 'sha256:ref', podCredentials()),
    ).toMatchObject({ mustPull: true, result: 'mustAuthenticate' });
  });
});

// -----------------------------------------------------------------------------------------------------------------
// Initialize and prune

describe('initialize: leftover intents at kubelet start', () => {
  const upstreamImages = initializeImages;
  const existingPulled = [PULLED_FIXTURES.anonymous, PULLED_FIXTURES.secret, PULLED_FIXTURES.emptyMapping];

  it('no intents → returns at once without asking the runtime', () => {
    const images = upstreamImages();
    const { fs } = startManager({ images, pulled: existingPulled });
    expect(images.listCalls).toBe(0);
    expect(fs.list(PULLED_DIR)).toEqual([...existingPulled].sort());
  });

  it('an intent equal to a RepoTag of an image without a record becomes a credential-less record', () => {
    const images = upstreamImages();
    const { fs, manager } = startManager({
      images,
      pulled: existingPulled,
      pulling: [PULLING_FIXTURES.testSomething],
    });
    expect(fs.list(PULLING_DIR)).toEqual([]);
    expect(fs.list(PULLED_DIR)).toEqual([...existingPulled, PULLED_FIXTURES.secretOtherNamespace].sort());
    // The new record has an empty mapping: "pulled by the kubelet", every later use must verify.
    expect(readJson(fs, recordPath('testimageref1'))).toEqual({
      kind: 'ImagePulledRecord',
      apiVersion: 'kubelet.config.k8s.io/v1beta1',
      lastUpdatedTime: '2026-01-15T12:00:00Z',
      imageRef: 'testimageref1',
    });
    expect(manager.intentCount('docker.io/testing/test:something')).toBe(0);
  });

  it('an intent matching an image that already has a record leaves the record unchanged and is deleted', () => {
    const { fs } = startManager({
      images: upstreamImages(),
      pulled: existingPulled,
      pulling: [PULLING_FIXTURES.repoV1],
    });
    expect(fs.list(PULLING_DIR)).toEqual([]);
    expect(fs.read(recordPath('testimageref'))).toBe(fixtureText('pulled', PULLED_FIXTURES.secret));
  });

  it('several intents matching several images are all converted', () => {
    const { fs } = startManager({
      images: upstreamImages(),
      pulled: existingPulled,
      pulling: [PULLING_FIXTURES.repoV1, PULLING_FIXTURES.testSomething],
    });
    expect(fs.list(PULLING_DIR)).toEqual([]);
    expect(fs.list(PULLED_DIR)).toHaveLength(4);
  });

  it('only exact RepoTag/RepoDigest strings match: an intent for "nginx" stays when the CRI says docker.io/library/nginx:latest', () => {
    const fs = new MemoryFileSystem();
    const images = new FakeImageService();
    images.add({ id: 'sha256:nginx', repoTags: ['docker.io/library/nginx:latest'] });
    const digest = `reg.io/p/app@sha256:${'a'.repeat(64)}`;
    images.add({ id: 'sha256:app', repoDigests: [digest] });
    const writer = startManager({ fs });
    writer.manager.recordPullIntent('nginx');
    writer.manager.recordPullIntent(digest);
    const { manager } = startManager({ fs, images });
    expect(fs.exists(intentPath('nginx'))).toBe(true);
    expect(fs.exists(intentPath(digest))).toBe(false);
    expect(fs.exists(recordPath('sha256:app'))).toBe(true);
    expect(fs.exists(recordPath('sha256:nginx'))).toBe(false);
    // The leftover intent keeps "nginx" kubelet-pulled, with a zero in-memory counter.
    expect(manager.intentCount('nginx')).toBe(0);
    expect(manager.mustAttemptImagePull('nginx', 'sha256:nginx', podCredentials()).mustPull).toBe(true);
  });

  it('a runtime that cannot list images is logged; all intents stay', () => {
    const images = upstreamImages();
    images.listError = 'rpc error: code = Unavailable';
    const { fs, recorder } = startManager({ images, pulling: [PULLING_FIXTURES.testSomething] });
    expect(recorder.logMessages()).toContain('failed to list images');
    expect(fs.list(PULLING_DIR)).toEqual([PULLING_FIXTURES.testSomething]);
  });

  it('a record write error keeps the intent; an intent delete error is logged', () => {
    const fs = new MemoryFileSystem();
    const images = upstreamImages();
    fs.failNext(`${recordPath('testimageref1')}.tmp`, 'ENOSPC', { op: 'writeFile' });
    const first = startManager({ fs, images, pulling: [PULLING_FIXTURES.testSomething] });
    expect(first.recorder.logMessages()).toContain('failed to write an image pull record');
    expect(fs.list(PULLING_DIR)).toEqual([PULLING_FIXTURES.testSomething]);

    fs.failNext(intentPath('docker.io/testing/test:something'), 'EIO', { op: 'remove' });
    const second = startManager({ fs, images });
    expect(second.recorder.logMessages()).toContain('failed to remove image pull intent file');
    expect(fs.exists(recordPath('testimageref1'))).toBe(true);
  });

  it('a listing error is logged and start-up goes on with the intents that could be read', () => {
    const fs = new MemoryFileSystem();
    fs.put(`${PULLING_DIR}/sha256-garbage`, 'not json');
    const { recorder } = startManager({
      version: '1.33',
      fs,
      images: upstreamImages(),
      pulling: [PULLING_FIXTURES.testSomething],
    });
    expect(recorder.logMessages()).toContain(
      'there were errors listing ImagePullIntents, continuing with an incomplete records list',
    );
    expect(fs.exists(recordPath('testimageref1'))).toBe(true);
  });
});

describe('PruneUnknownRecords (image GC)', () => {
  const GC_START = ticks(Date.UTC(2024, 11, 25, 0, 1, 0) * 1000);

  // The upstream cases of TestFileBasedImagePullManager_PruneUnknownRecords are in test/conformance.

  it('a record last updated at or after `until` is kept; one strictly before it is deleted', () => {
    const { manager, fs, clock } = startManager();
    clock.set(T0);
    manager.recordImagePulled('reg.io/a:1', 'sha256:a', { nodePodsAccessible: true });
    manager.pruneUnknownRecords([], T0);
    expect(fs.exists(recordPath('sha256:a'))).toBe(true);
    manager.pruneUnknownRecords([], ticks(T0 + 1));
    expect(fs.exists(recordPath('sha256:a'))).toBe(false);
  });

  it('the on-disk time (whole seconds) is compared: a record written at .5 s is pruned by a GC that started at .25 s', () => {
    const { manager, fs, clock } = startManager();
    clock.set(ticks(T0 + 500_000));
    manager.recordImagePulled('reg.io/a:1', 'sha256:a', { nodePodsAccessible: true });
    manager.pruneUnknownRecords([], ticks(T0 + 250_000));
    expect(fs.exists(recordPath('sha256:a'))).toBe(false);
  });

  it('intents are never pruned', () => {
    const { manager, fs } = startManager({ pulling: [PULLING_FIXTURES.testLatest] });
    manager.pruneUnknownRecords([], ticks(T0 + seconds(3600)));
    expect(fs.list(PULLING_DIR)).toEqual([PULLING_FIXTURES.testLatest]);
  });

  it('listing and delete errors are logged; the prune goes on', () => {
    const fs = new MemoryFileSystem();
    fs.put(`${PULLED_DIR}/sha256-garbage`, 'not json');
    const { manager, recorder } = startManager({
      version: '1.33',
      fs,
      pulled: [PULLED_FIXTURES.emptyMapping, PULLED_FIXTURES.policyExempt],
    });
    fs.failNext(recordPath('testemptycredmapping'), 'EIO', { op: 'remove' });
    manager.pruneUnknownRecords([], GC_START);
    expect(recorder.logMessages()).toEqual(
      expect.arrayContaining([
        'there were errors listing ImagePulledRecords, garbage collection will proceed with incomplete records list',
        'failed to remove an ImagePulledRecord',
      ]),
    );
    expect(fs.exists(recordPath('testemptycredmapping'))).toBe(true);
    expect(fs.exists(recordPath('policyallowed'))).toBe(false);
  });
});

// -----------------------------------------------------------------------------------------------------------------

describe('NoopPullManager (feature gate off)', () => {
  it('never asks for a pull, records nothing and counts nothing', () => {
    const noop = new NoopPullManager();
    expect(noop.recordPullIntent()).toEqual({});
    noop.recordImagePulled();
    noop.recordImagePullFailed();
    noop.pruneUnknownRecords();
    expect(noop.mustAttemptImagePull()).toMatchObject({ mustPull: false });
    expect(noop.intentCount()).toBe(0);
    expect(Object.values(noop.mustPullChecks)).toEqual([0, 0, 0, 0]);
  });
});
