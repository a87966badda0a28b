import { describe, expect, it } from 'vitest';
import { classifyViolation, DOCUMENTED_GAPS, type GapContext, type PullLogEntry } from '../../sim/gaps.js';
import type { SecretObject } from '../../src/ports.js';
import type { MustAttemptImagePullMatch } from '../../src/pullmanager/manager.js';
import type { ImagePullSecret } from '../../src/pullmanager/records.js';
import { ticks } from '../../src/time.js';
import { credentialHashOf, dockerConfigJsonSecret } from '../support/kubelet-fakes.js';

/*
 * classifyViolation (sim/gaps.ts) names the documented kubelet gap behind a violating start, and checks the pull
 * manager's own account of the reuse against the world: a claim that does not hold is `unexplained`, never a gap.
 * Each case below builds the context of docs/modes.md "What violation means" for one class.
 */

const HOST = 'reg.example.com';
const IMAGE = `${HOST}/t0/app:v1`;
const IMAGE_REF = `sha256:${'1'.repeat(64)}`;

const secretA = dockerConfigJsonSecret({
  namespace: 't0',
  name: 'regcred',
  uid: 'uid-a',
  registry: HOST,
  username: 't0',
  password: 'pw-0',
});
const hashA = credentialHashOf('t0', 'pw-0');
const hashB = credentialHashOf('t1', 'pw-1');

function pullSecret(secret: SecretObject, credentialHash: string): ImagePullSecret {
  return { uid: secret.uid, namespace: secret.namespace, name: secret.name, credentialHash };
}

function context(overrides: Partial<GapContext> = {}): GapContext {
  return {
    gateEnabled: true,
    policy: 'AlwaysVerify',
    allowlist: [],
    allowlistMatching: 'normalised',
    now: ticks(100_000_000),
    pulls: [],
    recordsDeletedAt: [],
    registryChangedAt: [],
    podSecrets: [],
    podServiceAccount: undefined,
    presetNodeWide: () => false,
    recordFileExists: () => false,
    intentFileExists: () => false,
    ...overrides,
  };
}

/** A pull that landed at `t`, the registry having answered it at `requested` (default: the same tick). */
function pullAt(
  t: number,
  credential: PullLogEntry['credential'],
  image = IMAGE,
  requested = t,
): PullLogEntry {
  return { t: ticks(t), requested: ticks(requested), image, imageRef: IMAGE_REF, credential };
}

function reuse(match: MustAttemptImagePullMatch | undefined, image = IMAGE) {
  return { pulled: false, image, imageRef: IMAGE_REF, ...(match === undefined ? {} : { match }) };
}

const pulledStart = { pulled: true, image: IMAGE, imageRef: IMAGE_REF };

describe('classifyViolation', () => {
  it('lists every class but unexplained as a documented gap', () => {
    expect([...DOCUMENTED_GAPS].sort()).toEqual(
      [
        'allowlisted',
        'deleted-records',
        'never-verify',
        'no-verification',
        'node-wide',
        'preloaded',
        'revocation',
        'rotation',
        'start-race',
      ].sort(),
    );
  });

  describe('feature gate off (legacy)', () => {
    it('a reused image is no-verification: kubernetes#18787 itself', () => {
      expect(classifyViolation(context({ gateEnabled: false }), reuse(undefined))).toBe('no-verification');
    });

    it('a start that pulled is a start-race only when the registry changed since the pull', () => {
      const pulls = [pullAt(50_000_000, 'secret')];
      expect(
        classifyViolation(
          context({ gateEnabled: false, pulls, registryChangedAt: [ticks(60_000_000)] }),
          pulledStart,
        ),
      ).toBe('start-race');
      expect(classifyViolation(context({ gateEnabled: false, pulls }), pulledStart)).toBe('unexplained');
    });
  });

  describe('start-race (a pull for this very start)', () => {
    it('counts a change in the tick before the pull committed (the same registry answer)', () => {
      const pulls = [pullAt(50_000_000, 'secret')];
      expect(classifyViolation(context({ pulls, registryChangedAt: [ticks(49_999_999)] }), pulledStart)).toBe(
        'start-race',
      );
    });

    it('counts a change while the image was transferred, after the registry answered', () => {
      const pulls = [pullAt(50_000_000, 'secret', IMAGE, 49_700_000)];
      const at = (t: number) =>
        classifyViolation(context({ pulls, registryChangedAt: [ticks(t)] }), pulledStart);
      expect(at(49_700_000)).toBe('start-race');
      expect(at(49_850_000)).toBe('start-race');
      expect(at(49_699_999)).toBe('unexplained');
    });

    it('a change well before the pull explains nothing', () => {
      const pulls = [pullAt(50_000_000, 'secret')];
      expect(classifyViolation(context({ pulls, registryChangedAt: [ticks(49_999_998)] }), pulledStart)).toBe(
        'unexplained',
      );
    });

    it('uses the last pull of the imageRef', () => {
      const pulls = [pullAt(90_000_000, 'secret'), pullAt(10_000_000, 'secret')];
      expect(classifyViolation(context({ pulls, registryChangedAt: [ticks(50_000_000)] }), pulledStart)).toBe(
        'unexplained',
      );
    });

    it('a claimed pull that the node never made is unexplained', () => {
      expect(classifyViolation(context({ registryChangedAt: [ticks(1)] }), pulledStart)).toBe('unexplained');
    });
  });

  it('a reuse without the pull manager saying why is unexplained', () => {
    expect(classifyViolation(context(), reuse(undefined))).toBe('unexplained');
  });

  describe('policy exemptions', () => {
    const policyMatch = (pulledByKubelet: boolean): MustAttemptImagePullMatch => ({
      kind: 'policy',
      pulledByKubelet,
    });

    it('never-verify: NeverVerify checks no credentials', () => {
      expect(classifyViolation(context({ policy: 'NeverVerify' }), reuse(policyMatch(true)))).toBe(
        'never-verify',
      );
    });

    it('allowlisted: only for an image the allowlist really holds', () => {
      const allowlisted = context({ policy: 'NeverVerifyAllowlistedImages', allowlist: [`${HOST}/t0/*`] });
      expect(classifyViolation(allowlisted, reuse(policyMatch(true)))).toBe('allowlisted');
      expect(classifyViolation(allowlisted, reuse(policyMatch(true), `${HOST}/t1/app:v1`))).toBe(
        'unexplained',
      );
    });

    it('allowlisted: raw matching (≤ 1.35) compares the image string as written, normalised its name', () => {
      const allowlist = ['docker.io/library/nginx'];
      const raw = context({ policy: 'NeverVerifyAllowlistedImages', allowlist, allowlistMatching: 'raw' });
      const normalised = context({ policy: 'NeverVerifyAllowlistedImages', allowlist });
      expect(classifyViolation(raw, reuse(policyMatch(true), 'nginx:1.27'))).toBe('unexplained');
      expect(classifyViolation(normalised, reuse(policyMatch(true), 'nginx:1.27'))).toBe('allowlisted');
    });

    it('an allowlist the kubelet would refuse exempts nothing', () => {
      const bad = context({ policy: 'NeverVerifyAllowlistedImages', allowlist: [`${HOST}/t0/app:v1`] });
      expect(classifyViolation(bad, reuse(policyMatch(true)))).toBe('unexplained');
    });

    it('preloaded: an image the kubelet never pulled, with no record or intent on disk', () => {
      const preloaded = context({ policy: 'NeverVerifyPreloadedImages' });
      expect(classifyViolation(preloaded, reuse(policyMatch(false)))).toBe('preloaded');
    });

    it('preloaded: a pull whose record write failed leaves no record, and the image counts as preloaded', () => {
      const writeFailed = context({
        policy: 'NeverVerifyPreloadedImages',
        pulls: [pullAt(50_000_000, 'secret')],
        recordsDeletedAt: [ticks(40_000_000)],
      });
      expect(classifyViolation(writeFailed, reuse(policyMatch(false)))).toBe('preloaded');
    });

    it('deleted-records: the image was pulled, then the record directory was wiped', () => {
      const wiped = context({
        policy: 'NeverVerifyPreloadedImages',
        pulls: [pullAt(50_000_000, 'secret')],
        recordsDeletedAt: [ticks(50_000_000)],
      });
      expect(classifyViolation(wiped, reuse(policyMatch(false)))).toBe('deleted-records');
    });

    it('anti-cheat: a claimed preloaded image whose record file exists is unexplained', () => {
      const recorded = context({
        policy: 'NeverVerifyPreloadedImages',
        recordFileExists: (ref) => ref === IMAGE_REF,
      });
      expect(classifyViolation(recorded, reuse(policyMatch(false)))).toBe('unexplained');
    });

    it('anti-cheat: a claimed preloaded image with an intent for the image string is unexplained', () => {
      const intent = context({ policy: 'NeverVerifyPreloadedImages', intentFileExists: (i) => i === IMAGE });
      expect(classifyViolation(intent, reuse(policyMatch(false)))).toBe('unexplained');
    });

    it('NeverVerifyPreloadedImages exempts nothing the kubelet pulled', () => {
      const preloaded = context({ policy: 'NeverVerifyPreloadedImages' });
      expect(classifyViolation(preloaded, reuse(policyMatch(true)))).toBe('unexplained');
    });

    it('AlwaysVerify has no policy exemption', () => {
      expect(classifyViolation(context(), reuse(policyMatch(false)))).toBe('unexplained');
    });
  });

  describe('node-wide', () => {
    const nodeWide: MustAttemptImagePullMatch = { kind: 'node-wide' };

    it('an image pulled anonymously or with node credentials is usable by every pod', () => {
      expect(classifyViolation(context({ pulls: [pullAt(1, 'anonymous')] }), reuse(nodeWide))).toBe(
        'node-wide',
      );
      expect(classifyViolation(context({ pulls: [pullAt(1, 'node')] }), reuse(nodeWide))).toBe('node-wide');
    });

    it('a node-wide record preset in the image_manager files', () => {
      expect(
        classifyViolation(context({ presetNodeWide: (ref) => ref === IMAGE_REF }), reuse(nodeWide)),
      ).toBe('node-wide');
    });

    it('anti-cheat: an image only ever pulled with a pod secret is not node-wide', () => {
      expect(classifyViolation(context({ pulls: [pullAt(1, 'secret')] }), reuse(nodeWide))).toBe(
        'unexplained',
      );
    });

    it('anti-cheat: the same digest pulled anonymously under another repository is not node-wide (#138175)', () => {
      const publicPull = pullAt(1, 'anonymous', `${HOST}/shared/base:v1`);
      expect(classifyViolation(context({ pulls: [publicPull] }), reuse(nodeWide))).toBe('unexplained');
    });
  });

  describe('secret matches', () => {
    it('revocation: the pod offers the very credential that was recorded (hashes equal)', () => {
      const match: MustAttemptImagePullMatch = {
        kind: 'secret',
        by: 'hash',
        podSecret: pullSecret(secretA, hashA),
        cachedSecret: pullSecret(secretA, hashA),
      };
      expect(classifyViolation(context({ podSecrets: [secretA] }), reuse(match))).toBe('revocation');
    });

    it('revocation holds across secrets: another secret with the same credential', () => {
      const copy = dockerConfigJsonSecret({
        namespace: 't1',
        name: 'copy',
        uid: 'uid-copy',
        registry: HOST,
        username: 't0',
        password: 'pw-0',
      });
      const match: MustAttemptImagePullMatch = {
        kind: 'secret',
        by: 'hash',
        podSecret: pullSecret(copy, hashA),
        cachedSecret: pullSecret(secretA, hashA),
      };
      expect(classifyViolation(context({ podSecrets: [copy] }), reuse(match))).toBe('revocation');
    });

    it('anti-cheat: a claimed hash match whose hashes differ is unexplained (a skipped comparison)', () => {
      const match: MustAttemptImagePullMatch = {
        kind: 'secret',
        by: 'hash',
        podSecret: pullSecret(secretA, hashA),
        cachedSecret: { uid: 'uid-b', namespace: 't1', name: 'regcred', credentialHash: hashB },
      };
      expect(classifyViolation(context({ podSecrets: [secretA] }), reuse(match))).toBe('unexplained');
    });

    it('anti-cheat: two empty hashes are no match', () => {
      const match: MustAttemptImagePullMatch = {
        kind: 'secret',
        by: 'hash',
        podSecret: pullSecret(secretA, ''),
        cachedSecret: pullSecret(secretA, ''),
      };
      expect(classifyViolation(context({ podSecrets: [secretA] }), reuse(match))).toBe('unexplained');
    });

    it('anti-cheat: the pod must hold the claimed secret, with the claimed credential hash', () => {
      const match: MustAttemptImagePullMatch = {
        kind: 'secret',
        by: 'hash',
        podSecret: pullSecret(secretA, hashB),
        cachedSecret: pullSecret(secretA, hashB),
      };
      // The secret exists, but its content hashes to hashA, not to the claimed hashB.
      expect(classifyViolation(context({ podSecrets: [secretA] }), reuse(match))).toBe('unexplained');
      // The pod holds no such secret at all.
      const claimed: MustAttemptImagePullMatch = {
        kind: 'secret',
        by: 'hash',
        podSecret: pullSecret(secretA, hashA),
        cachedSecret: pullSecret(secretA, hashA),
      };
      expect(classifyViolation(context({ podSecrets: [] }), reuse(claimed))).toBe('unexplained');
    });

    it('rotation: the same secret object (UID, namespace, name) with new content', () => {
      const match: MustAttemptImagePullMatch = {
        kind: 'secret',
        by: 'coordinates',
        podSecret: pullSecret(secretA, hashA),
        cachedSecret: pullSecret(secretA, hashB),
      };
      expect(classifyViolation(context({ podSecrets: [secretA] }), reuse(match))).toBe('rotation');
    });

    it('anti-cheat: a re-created secret (another UID) matched by coordinates is unexplained', () => {
      const match: MustAttemptImagePullMatch = {
        kind: 'secret',
        by: 'coordinates',
        podSecret: pullSecret(secretA, hashA),
        cachedSecret: { ...pullSecret(secretA, hashB), uid: 'uid-old' },
      };
      expect(classifyViolation(context({ podSecrets: [secretA] }), reuse(match))).toBe('unexplained');
    });
  });

  describe('service-account matches (KEP-4412)', () => {
    const account = { uid: 'sa-uid', namespace: 't0', name: 'builder' };
    const match: MustAttemptImagePullMatch = { kind: 'service-account', account };

    it('revocation: the pod runs as the recorded service account', () => {
      expect(classifyViolation(context({ podServiceAccount: account }), reuse(match))).toBe('revocation');
    });

    it('anti-cheat: another service account, a re-created one, or none is unexplained', () => {
      expect(
        classifyViolation(context({ podServiceAccount: { ...account, name: 'default' } }), reuse(match)),
      ).toBe('unexplained');
      expect(
        classifyViolation(context({ podServiceAccount: { ...account, uid: 'new' } }), reuse(match)),
      ).toBe('unexplained');
      expect(classifyViolation(context(), reuse(match))).toBe('unexplained');
    });
  });

  it('an unparsable image name is compared as written', () => {
    const nodeWide: MustAttemptImagePullMatch = { kind: 'node-wide' };
    const odd = 'Not A Valid Image';
    const pulls: PullLogEntry[] = [pullAt(1, 'node', odd)];
    expect(classifyViolation(context({ pulls }), reuse(nodeWide, odd))).toBe('node-wide');
  });
});
