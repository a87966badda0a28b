/**
 * What the model-based tests of the record stores draw from (test/src/pullmanager/accessor-model.test.ts and
 * test/src/strategies/strategies-model.test.ts): a few intent images and record refs, so that commands collide, the
 * credential shapes a record can hold, and the order a List returns (by file name).
 */
import fc from 'fast-check';
import { type ImagePullCredentials, recordFileName } from '../../src/pullmanager/records.js';

const IMAGES = ['a', 'b', 'c', 'd', 'e', 'f'];
const REFS = ['r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7'];

export const image = fc.constantFrom(...IMAGES);
export const ref = fc.constantFrom(...REFS);

/** Node-wide access, one or two secrets (some without a hash), or one or two service accounts. */
export const credentials: fc.Arbitrary<ImagePullCredentials> = fc.oneof(
  fc.constant({ nodePodsAccessible: true }),
  fc.record({
    kubernetesSecrets: fc.array(
      fc.record({
        uid: fc.constantFrom('u1', 'u2'),
        namespace: fc.constantFrom('default', 'ns'),
        name: fc.constantFrom('s1', 's2'),
        credentialHash: fc.constantFrom('', 'h1', 'h2'),
      }),
      { minLength: 1, maxLength: 2 },
    ),
  }),
  fc.record({
    kubernetesServiceAccounts: fc.array(
      fc.record({
        uid: fc.constant('sa-uid'),
        namespace: fc.constant('default'),
        name: fc.constantFrom('sa1', 'sa2'),
      }),
      { minLength: 1, maxLength: 2 },
    ),
  }),
);

/** The order of a List: by record file name (`sha256-<hex of the key>`). */
export const byFileName = (a: string, b: string) => (recordFileName(a) < recordFileName(b) ? -1 : 1);
