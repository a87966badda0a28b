/**
 * `kubelet_image_manager_ensure_image_requests_total{present_locally, pull_policy, pull_required}`
 * (pkg/kubelet/images/metrics.go `recordEnsureImageRequest`, #132644): EnsureImageExists sets the two pointers as it
 * learns them and records them when it returns; a label never set reads `unknown`.
 */
import { describe, expect, it } from 'vitest';
import type { PullPolicy } from '../../../src/image-manager/index.js';
import type { KubeletImageConfig } from '../../../src/kubelet.js';
import type { EnsureImageRequestCount } from '../../../src/pullmanager/metrics.js';
import {
  brokenSecret,
  ensureRequest,
  pullFailed,
  pullSucceeded,
  startTestNode,
  type TestNode,
} from '../../support/kubelet-fakes.js';

const NGINX_REF = `sha256:${'1'.repeat(64)}`;
const GATE_ON: KubeletImageConfig = { featureGates: { KubeletEnsureSecretPulledImages: true } };
const ALWAYS_VERIFY: KubeletImageConfig = {
  ...GATE_ON,
  imagePullCredentialsVerificationPolicy: 'AlwaysVerify',
};
const GATE_OFF: KubeletImageConfig = { featureGates: { KubeletEnsureSecretPulledImages: false } };

function node(config: KubeletImageConfig, present: boolean): TestNode {
  const n = startTestNode({ version: '1.36', config });
  if (present) n.images.add({ id: NGINX_REF, repoTags: ['docker.io/library/nginx:latest'] }, 'nginx:latest');
  return n;
}

/** A record of nginx that only another namespace's secret may use: AlwaysVerify asks the pod's credentials. */
function recordedForOthers(n: TestNode): TestNode {
  n.stack.pullManager.recordImagePulled('nginx', NGINX_REF, {
    kubernetesSecrets: [{ uid: 'u', namespace: 'other', name: 's', credentialHash: 'h' }],
  });
  return n;
}

const series = (n: TestNode) => n.stack.imageManager.ensureImageRequests;
const one = (
  pullPolicy: EnsureImageRequestCount['pullPolicy'],
  presentLocally: EnsureImageRequestCount['presentLocally'],
  pullRequired: EnsureImageRequestCount['pullRequired'],
): EnsureImageRequestCount[] => [{ pullPolicy, presentLocally, pullRequired, count: 1 }];

describe('ensure-image requests counter: the labels on every way out of EnsureImageExists', () => {
  it.each<[string, () => TestNode, PullPolicy, EnsureImageRequestCount[]]>([
    [
      'Always: never inspected, always pulls',
      () => node(GATE_ON, true),
      'Always',
      one('always', 'unknown', 'true'),
    ],
    [
      'IfNotPresent, absent: pulls',
      () => node(GATE_ON, false),
      'IfNotPresent',
      one('ifnotpresent', 'false', 'true'),
    ],
    [
      'IfNotPresent, present, gate off',
      () => node(GATE_OFF, true),
      'IfNotPresent',
      one('ifnotpresent', 'true', 'false'),
    ],
    [
      'IfNotPresent, present, policy allows',
      () => node(GATE_ON, true),
      'IfNotPresent',
      one('ifnotpresent', 'true', 'false'),
    ],
    [
      'IfNotPresent, present, must re-verify: pulls',
      () => recordedForOthers(node(ALWAYS_VERIFY, true)),
      'IfNotPresent',
      one('ifnotpresent', 'true', 'true'),
    ],
    [
      'Never, absent: refused before the pull decision',
      () => node(GATE_ON, false),
      'Never',
      one('never', 'false', 'unknown'),
    ],
    [
      'Never, present but not accessible: refused after it',
      () => recordedForOthers(node(ALWAYS_VERIFY, true)),
      'Never',
      one('never', 'true', 'true'),
    ],
  ])('%s', (_, makeNode, policy, expected) => {
    const n = makeNode();
    n.ensure(ensureRequest('nginx', policy), pullSucceeded(NGINX_REF));
    expect(series(n)).toEqual(expected);
  });

  it('an image name that does not parse, or an inspection error: both labels unknown', () => {
    const n = node(GATE_ON, false);
    n.ensure(ensureRequest('NGINX', 'IfNotPresent'));
    n.images.statusError = 'rpc error: code = Unavailable desc = connection refused';
    n.ensure(ensureRequest('nginx', 'Never'));
    expect(series(n)).toEqual([
      { pullPolicy: 'ifnotpresent', presentLocally: 'unknown', pullRequired: 'unknown', count: 1 },
      { pullPolicy: 'never', presentLocally: 'unknown', pullRequired: 'unknown', count: 1 },
    ]);
  });

  it('a MustAttemptImagePull error (the lazy credential lookup failed): pull_required unknown', () => {
    const n = recordedForOthers(node(ALWAYS_VERIFY, true));
    const { result } = n.ensure(
      ensureRequest('nginx', 'IfNotPresent', { pullSecrets: [brokenSecret('default', 'broken')] }),
    );
    expect(result.ok).toBe(false);
    expect(series(n)).toEqual(one('ifnotpresent', 'true', 'unknown'));
  });

  it('a pull is counted when it ends, failed or not, and requests add up per label set', () => {
    const n = node(GATE_ON, false);
    const { job } = n.ensure(ensureRequest('nginx', 'Always'), pullFailed('connection reset'), () =>
      expect(series(n)).toEqual([]),
    );
    expect(job).toBeDefined();
    n.ensure(ensureRequest('nginx', 'Always'));
    expect(series(n)).toEqual([
      { pullPolicy: 'always', presentLocally: 'unknown', pullRequired: 'true', count: 2 },
    ]);
  });
});
