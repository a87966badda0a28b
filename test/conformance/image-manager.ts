/**
 * `pkg/kubelet/images/image_manager_test.go`: EnsureImageExists against a fake runtime and a mock pull manager
 * (test/conformance/image-manager-harness.ts). `pullerTestCases()` runs three times — TestParallelPuller,
 * TestSerializedPuller (the runtime's calls, the error, the message) and TestImagePullPrecheck (the calls, the
 * event reasons, the error) — over the cases without the gate and their `[KubeletEnsureSecretPulledImages]` copies
 * with it, plus the gate's own cases (pull secrets, service-account credentials, node credentials). The pod
 * start-up latency recorder the first two also check is not modelled. The stored file tracks service accounts,
 * so it runs in the versions that do (1.34–1.36). A test without subtests is listed under its own name.
 */
import { expect } from 'vitest';
import { applyDefaultImageTag } from '../../src/reference/index.js';
import { type Coordinates, type EnvFacts, type Observed, pullerTestEnv } from './image-manager-harness.js';
import { WITH_SERVICE_ACCOUNTS } from './pull-manager-setup.js';
import { type UpstreamCase, upstreamTest } from './upstream-case.js';

const FILE = 'pkg/kubelet/images/image_manager_test.go';
const GATE = '[KubeletEnsureSecretPulledImages] ';

type Expect = Omit<Observed, 'msg'> & { readonly msg?: string };
interface PullerFacts extends EnvFacts {
  readonly steps: readonly Expect[];
}

const pulled: Expect = {
  calls: ['GetImageRef', 'PullImage', 'GetImageSize'],
  err: null,
  events: ['Pulling', 'Pulled'],
};
const alwaysPulled: Expect = {
  calls: ['PullImage', 'GetImageSize'],
  err: null,
  events: ['Pulling', 'Pulled'],
};
const present: Expect = { calls: ['GetImageRef'], err: null, events: ['Pulled'] };
const neverPull: Expect = { calls: ['GetImageRef'], err: 'ErrImageNeverPull', events: ['ErrImageNeverPull'] };
const inspectFailed: Expect = { calls: ['GetImageRef'], err: 'ImageInspectError', events: ['InspectFailed'] };
const pullFailed: Expect = {
  calls: ['GetImageRef', 'PullImage'],
  err: 'ErrImagePull',
  events: ['Pulling', 'Failed'],
};
const backOff: Expect = { calls: ['GetImageRef'], err: 'ImagePullBackOff', events: ['BackOff'] };
const invalidName: Expect = { calls: [], err: 'InvalidImageName', events: ['InspectFailed'] };
const SIGNATURE = 'image pull failed for typo_image because the signature validation failed';
const signatureFailed: Expect = { ...pullFailed, err: 'SignatureValidationFailed', msg: SIGNATURE };
const signatureBackOff: Expect = {
  ...backOff,
  msg: `Back-off pulling image "typo_image": SignatureValidationFailed: ${SIGNATURE}`,
};

const thrice = (step: Expect) => [step, step, step];
const QPS = 'pullsim does not model the registry pull QPS limiter (registryPullQPS, registryBurst)';

type PullerCase = UpstreamCase<PullerFacts>;
const on = (facts: Omit<PullerFacts, 'gate'>): PullerFacts => ({ ...facts, gate: true });

/** `noFGPullerTestCases()`, with the gate as given. */
function noFeatureGateCases(gate: boolean, prefix: string): PullerCase[] {
  const f = (facts: Omit<PullerFacts, 'gate'>): PullerFacts => ({ ...facts, gate });
  const cases: PullerCase[] = [
    {
      case: 'image missing, pull',
      facts: f({ image: 'missing_image', policy: 'IfNotPresent', steps: [pulled] }),
    },
    {
      case: "image present, allow all, don't pull ",
      facts: f({ image: 'present_image', policy: 'IfNotPresent', steps: thrice(present) }),
    },
    {
      case: 'image present, pull',
      facts: f({ image: 'present_image', policy: 'Always', steps: thrice(alwaysPulled) }),
    },
    {
      case: 'image missing, never pull',
      facts: f({ image: 'missing_image', policy: 'Never', steps: thrice(neverPull) }),
    },
    {
      case: 'image missing, pull if not present, fail on image inspect',
      facts: f({
        image: 'missing_image',
        policy: 'IfNotPresent',
        inspectErr: 'unknown inspectError',
        steps: thrice(inspectFailed),
      }),
    },
    {
      case: 'image missing, unable to fetch',
      facts: f({
        image: 'typo_image',
        policy: 'IfNotPresent',
        pullerErr: '404',
        steps: [pullFailed, pullFailed, backOff, pullFailed, backOff, backOff],
      }),
    },
    {
      case: 'image present and qps>0, pull',
      facts: f({ image: 'present_image', policy: 'Always', steps: thrice(alwaysPulled) }),
    },
    { case: 'image present and excessive qps rate, pull', notPorted: QPS },
    {
      case: 'invalid image name, no pull',
      facts: f({ image: 'FAILED_IMAGE', policy: 'Always', steps: [invalidName] }),
    },
    {
      case: 'invalid image name with http, no pull',
      facts: f({ image: 'http://url', policy: 'Always', steps: [invalidName] }),
    },
    {
      case: 'invalid image name with sha256, no pull',
      facts: f({
        image: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
        policy: 'Always',
        steps: [invalidName],
      }),
    },
    {
      case: 'image missing, SignatureValidationFailed',
      facts: f({
        image: 'typo_image',
        policy: 'IfNotPresent',
        pullerErr: 'SignatureValidationFailed',
        steps: [signatureFailed, signatureFailed, signatureBackOff, signatureFailed, signatureBackOff],
      }),
    },
  ];
  return cases.map((row) => ({ ...row, case: prefix + row.case }));
}

const testuid = { namespace: 'testns', name: 'testname', uid: 'testuid' };
const otheruid = { namespace: 'testns', name: 'testname', uid: 'someothertestuid' };
const account = (uid: string): Coordinates => ({ namespace: 'test-ns', name: 'test-service-account', uid });
const PRESENT = { image: 'present_image', policy: 'IfNotPresent' } as const;

/** The gate's own cases of `ensureSecretImagesTestCases()`. */
const ENSURE_SECRET_CASES: PullerCase[] = [
  {
    case: 'image present, unknown to image pull manager, pull',
    facts: on({
      ...PRESENT,
      allowed: { secrets: { another_image: [testuid] } },
      pullSecrets: [testuid],
      steps: thrice(pulled),
    }),
  },
  {
    case: 'image present, unknown secret to image pull manager, pull',
    facts: on({
      ...PRESENT,
      allowed: { secrets: { present_image: [testuid] } },
      pullSecrets: [otheruid],
      steps: thrice(pulled),
    }),
  },
  {
    case: 'image present, unknown secret to image pull manager, never pull policy -> fail',
    facts: on({
      ...PRESENT,
      policy: 'Never',
      allowed: { secrets: { present_image: [testuid] } },
      pullSecrets: [otheruid],
      steps: thrice(neverPull),
    }),
  },
  {
    case: "image present, a secret matches one of known to the image pull manager, don't pull",
    facts: on({
      ...PRESENT,
      allowed: { secrets: { present_image: [testuid] } },
      pullSecrets: [otheruid, testuid],
      steps: thrice(present),
    }),
  },
  {
    case: "image present, service account credentials available, don't pull",
    facts: on({
      ...PRESENT,
      serviceAccountName: 'test-service-account',
      registry: { kind: 'serviceAccount', uid: 'sa-uid-123' },
      steps: [present],
    }),
  },
  {
    case: "image present, service account allowed by pull manager, don't pull",
    facts: on({
      ...PRESENT,
      serviceAccountName: 'test-service-account',
      allowed: { serviceAccounts: { present_image: [account('sa-uid-123')] } },
      registry: { kind: 'serviceAccount', uid: 'sa-uid-123' },
      steps: [present],
    }),
  },
  {
    case: 'image present, mixed credentials (secrets + service accounts), pull required',
    facts: on({
      ...PRESENT,
      serviceAccountName: 'test-service-account',
      pullSecrets: [{ namespace: 'testns', name: 'testname', uid: 'secret-uid' }],
      registry: { kind: 'serviceAccount', uid: 'sa-uid-456' },
      allowed: {
        secrets: { present_image: [{ namespace: 'testns', name: 'testname', uid: 'different-secret-uid' }] },
      },
      steps: [pulled],
    }),
  },
  {
    case: 'image present, only node credentials (no source), proceed without tracking',
    facts: on({ ...PRESENT, registry: { kind: 'node' }, steps: [present] }),
  },
].map((row) => ({ ...row, case: GATE + row.case }));

/** `pullerTestCases()`: the cases without the gate, the gate's own, then the former again with the gate on. */
const PULLER_CASES: readonly PullerCase[] = [
  ...noFeatureGateCases(false, ''),
  ...ENSURE_SECRET_CASES,
  ...noFeatureGateCases(true, GATE),
];

function runSteps(facts: PullerFacts, version: Parameters<typeof pullerTestEnv>[1]): [Observed, Expect][] {
  const env = pullerTestEnv(facts, version);
  return facts.steps.map((expected) => [env.step(), expected]);
}

function pullerTest(test: 'TestParallelPuller' | 'TestSerializedPuller') {
  return upstreamTest<PullerFacts>({
    file: FILE,
    test,
    versions: WITH_SERVICE_ACCOUNTS,
    cases: PULLER_CASES,
    check(facts, version) {
      for (const [[got, want], tick] of runSteps(facts, version).map((pair, i) => [pair, i] as const)) {
        expect(got.calls, `calls, tick ${tick}`).toEqual(want.calls);
        expect(got.err, `error, tick ${tick}`).toBe(want.err);
        expect(got.msg, `message, tick ${tick}`).toContain(want.msg ?? '');
      }
    },
  });
}

const imagePullPrecheck = upstreamTest<PullerFacts>({
  file: FILE,
  test: 'TestImagePullPrecheck',
  versions: WITH_SERVICE_ACCOUNTS,
  cases: PULLER_CASES,
  check(facts, version) {
    for (const [[got, want], tick] of runSteps(facts, version).map((pair, i) => [pair, i] as const)) {
      expect(got.calls, `calls, tick ${tick}`).toEqual(want.calls);
      expect(got.events, `event reasons, tick ${tick}`).toEqual(want.events);
      expect(got.err, `error, tick ${tick}`).toBe(want.err);
    }
  },
});

const DIGEST = 'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

const applyDefaultTag = upstreamTest<{ input: string; output: string }>({
  file: FILE,
  test: 'TestApplyDefaultImageTag',
  versions: WITH_SERVICE_ACCOUNTS,
  cases: [
    { case: 'root', facts: { input: 'root', output: 'root:latest' } },
    { case: 'root:tag', facts: { input: 'root:tag', output: 'root:tag' } },
    { case: 'root@sha', facts: { input: `root@${DIGEST}`, output: `root@${DIGEST}` } },
    { case: 'root:latest@sha', facts: { input: `root:latest@${DIGEST}`, output: `root:latest@${DIGEST}` } },
    { case: 'root:latest', facts: { input: 'root:latest', output: 'root:latest' } },
  ],
  check({ input, output }) {
    expect(applyDefaultImageTag(input)).toEqual({ ok: true, value: output });
  },
});

const RUNTIME_HANDLER = 'pullsim does not model the runtime handler or the pod annotations passed to the CRI';
const CONCURRENCY =
  'drives goroutines against a fake runtime that blocks pulls; pullsim queues pulls in its own puller (src/image-manager/puller.ts), tested in test/src/image-manager';

const runtimeTests = [
  upstreamTest<never>({
    file: FILE,
    test: 'TestPullAndListImageWithPodAnnotations',
    versions: WITH_SERVICE_ACCOUNTS,
    cases: [{ case: 'test pull and list image with pod annotations', notPorted: RUNTIME_HANDLER }],
    check() {},
  }),
  upstreamTest<never>({
    file: FILE,
    test: 'TestPullAndListImageWithRuntimeHandlerInImageCriAPIFeatureGate',
    versions: WITH_SERVICE_ACCOUNTS,
    cases: [{ case: 'test pull and list image with pod annotations', notPorted: RUNTIME_HANDLER }],
    check() {},
  }),
  upstreamTest<never>({
    file: FILE,
    test: 'TestMaxParallelImagePullsLimit',
    versions: WITH_SERVICE_ACCOUNTS,
    cases: [{ case: 'TestMaxParallelImagePullsLimit', notPorted: CONCURRENCY }],
    check() {},
  }),
  upstreamTest<never>({
    file: FILE,
    test: 'TestParallelPodPullingTimeRecorderWithErr',
    versions: WITH_SERVICE_ACCOUNTS,
    cases: [
      {
        case: 'TestParallelPodPullingTimeRecorderWithErr',
        notPorted: `${CONCURRENCY}; pullsim does not model the pod start-up latency recorder`,
      },
    ],
    check() {},
  }),
];

export const IMAGE_MANAGER_TESTS = [
  pullerTest('TestParallelPuller'),
  pullerTest('TestSerializedPuller'),
  applyDefaultTag,
  ...runtimeTests,
  imagePullPrecheck,
];
