/**
 * `pkg/kubelet/images/image_manager_test.go`, the rest: evalCRIPullErr's mapping of CRI pull errors, and the
 * credentials EnsureImageExists hands to the pull manager (`mockImagePullManagerWithTracking`): a service account's
 * coordinates when its plugin credentials come with them, nothing for node-wide credentials, and no call at all
 * with the gate off. Same versions as test/conformance/image-manager.ts.
 */
import { expect } from 'vitest';
import { evalCriPullError } from '../../src/image-manager/errors.js';
import type { KubeletVersion } from '../../src/profiles.js';
import {
  type Coordinates,
  mockPullManager,
  pullerTestEnv,
  type RegistryCredentials,
} from './image-manager-harness.js';
import { WITH_SERVICE_ACCOUNTS } from './pull-manager-setup.js';
import { upstreamTest } from './upstream-case.js';

const FILE = 'pkg/kubelet/images/image_manager_test.go';

const evalCriPullErr = upstreamTest<{ input: string; reason: string; msg: string; exact: boolean }>({
  file: FILE,
  test: 'TestEvalCRIPullErr',
  versions: WITH_SERVICE_ACCOUNTS,
  cases: [
    { case: 'fallback error', facts: { input: 'test', reason: 'ErrImagePull', msg: 'test', exact: false } },
    {
      case: 'registry is unavailable',
      facts: {
        input: 'RegistryUnavailable',
        reason: 'RegistryUnavailable',
        msg: 'image pull failed for test because the registry is unavailable',
        exact: true,
      },
    },
    {
      case: 'registry is unavailable with additional error message',
      facts: {
        input: 'RegistryUnavailable: foo',
        reason: 'RegistryUnavailable',
        msg: 'image pull failed for test because the registry is unavailable: foo',
        exact: true,
      },
    },
    {
      case: 'signature is invalid',
      facts: {
        input: 'SignatureValidationFailed',
        reason: 'SignatureValidationFailed',
        msg: 'image pull failed for test because the signature validation failed',
        exact: true,
      },
    },
    {
      case: 'signature is invalid with additional error message (wrapped)',
      facts: {
        input: 'SignatureValidationFailed: bar',
        reason: 'SignatureValidationFailed',
        msg: 'image pull failed for test because the signature validation failed: bar',
        exact: true,
      },
    },
  ],
  check({ input, reason, msg, exact }) {
    const got = evalCriPullError('test', input);
    expect(got.reason).toBe(reason);
    if (exact) expect(got.message).toBe(msg);
    else expect(got.message).toContain(msg);
  },
});

interface TrackingFacts {
  readonly gate: boolean;
  readonly registry?: RegistryCredentials;
  readonly mustAttemptReturn: boolean;
  readonly shouldCallMustAttemptPull: boolean;
  readonly expectedSecrets?: readonly Coordinates[];
  readonly expectedServiceAccounts: readonly Coordinates[];
  readonly expectedImagePull: boolean;
}

const SA_NAME = 'test-service-account';
const account = (uid: string): Coordinates => ({ namespace: 'test-ns', name: SA_NAME, uid });

/** One IfNotPresent EnsureImageExists of the present image with the tracking mock; must not fail. */
function checkTracking(facts: TrackingFacts, version: KubeletVersion, serviceAccountName: string): void {
  const mock = mockPullManager(() => facts.gate && facts.mustAttemptReturn);
  const env = pullerTestEnv(
    {
      image: 'present_image',
      policy: 'IfNotPresent',
      gate: facts.gate,
      serviceAccountName,
      ...(facts.registry === undefined ? {} : { registry: facts.registry }),
    },
    version,
    mock,
  );
  const got = env.step();
  expect(got.err).toBeNull();
  expect(mock.mustAttemptCalled, 'MustAttemptImagePull called').toBe(facts.shouldCallMustAttemptPull);
  if (facts.shouldCallMustAttemptPull) {
    expect(mock.lastServiceAccounts.map((a) => ({ ...a }))).toEqual(facts.expectedServiceAccounts);
    if (facts.expectedSecrets !== undefined) expect(mock.lastSecrets).toEqual(facts.expectedSecrets);
  }
  const calls = facts.expectedImagePull ? ['GetImageRef', 'PullImage', 'GetImageSize'] : ['GetImageRef'];
  expect(got.calls).toEqual(calls);
}

/** A gate-on case whose service account's plugin credentials reach the mock; `mustPull` is the mock's answer. */
function saCase(name: string, uid: string, mustPull: boolean) {
  const facts: TrackingFacts = {
    gate: true,
    registry: { kind: 'serviceAccount', uid },
    mustAttemptReturn: mustPull,
    shouldCallMustAttemptPull: true,
    expectedServiceAccounts: [account(uid)],
    expectedImagePull: mustPull,
  };
  return { case: name, facts };
}

const withServiceAccountCoordinates = upstreamTest<TrackingFacts>({
  file: FILE,
  test: 'TestEnsureImageExistsWithServiceAccountCoordinates',
  versions: WITH_SERVICE_ACCOUNTS,
  cases: [
    saCase('service account credentials passed to image pull manager', 'sa-uid-123', false),
    saCase('service account credentials require image pull', 'sa-uid-456', true),
    {
      case: 'feature gate disabled - no service account check',
      facts: {
        gate: false,
        mustAttemptReturn: false,
        shouldCallMustAttemptPull: false,
        expectedServiceAccounts: [],
        expectedImagePull: false,
      },
    },
  ],
  check: (facts, version) => checkTracking(facts, version, SA_NAME),
});

const withNodeCredentialsOnly = upstreamTest<TrackingFacts>({
  file: FILE,
  test: 'TestEnsureImageExistsWithNodeCredentialsOnly',
  versions: WITH_SERVICE_ACCOUNTS,
  cases: [
    {
      case: 'TestEnsureImageExistsWithNodeCredentialsOnly',
      facts: {
        gate: true,
        registry: { kind: 'node' },
        mustAttemptReturn: false,
        shouldCallMustAttemptPull: true,
        expectedSecrets: [],
        expectedServiceAccounts: [],
        expectedImagePull: false,
      },
    },
  ],
  check: (facts, version) => checkTracking(facts, version, ''),
});

export const IMAGE_MANAGER_CREDENTIAL_TESTS = [
  evalCriPullErr,
  withServiceAccountCoordinates,
  withNodeCredentialsOnly,
];
