/**
 * Small scenario files for the CLI, report and check tests. They are written to temporary directories so that
 * the tests do not depend on the scenario library under scenarios/, which grows independently.
 */
import { scenarioText } from './cli-harness.js';

const DIGEST_APP = `sha256:${'1'.repeat(64)}`;

/**
 * Tenant B runs tenant A's private image without credentials (kubernetes/kubernetes#18787): a violation in
 * `legacy` and `NeverVerify`, a refusal in the verifying modes (the same story as scenarios/cross-tenant-reuse.yaml).
 */
export function crossTenantText(
  options: { name?: string; expect?: readonly string[]; kubelet?: string } = {},
): string {
  const {
    name = 'cross-tenant',
    expect = [
      '{ pod: team-a/a, state: running, violation: false, pulls: 1 }',
      '{ pod: team-b/b, modes: [legacy, NeverVerify], state: running, violation: true, pulls: 0 }',
      '{ pod: team-b/b, modes: [AlwaysVerify, NeverVerifyPreloadedImages], state: waiting, reason: [ErrImagePull, ImagePullBackOff], pulls: { min: 1 } }',
    ],
    kubelet,
  } = options;
  const spec = [
    'until: 3m',
    ...(kubelet === undefined ? [] : [`kubelet: ${kubelet}`]),
    'registries:',
    '  - host: private.example.com',
    '    users: [{ username: team-a, password: s3cret-a }]',
    '    repositories:',
    '      - name: team-a/app',
    '        pullers: [team-a]',
    `        tags: { v1: { digest: "${DIGEST_APP}", sizeBytes: 1000000 } }`,
    'objects:',
    '  - apiVersion: v1',
    '    kind: Secret',
    '    metadata: { namespace: team-a, name: regcred }',
    '    type: kubernetes.io/dockerconfigjson',
    '    stringData:',
    `      .dockerconfigjson: '{"auths":{"private.example.com":{"username":"team-a","password":"s3cret-a"}}}'`,
    '  - apiVersion: v1',
    '    kind: Pod',
    '    metadata: { namespace: team-a, name: a }',
    '    spec:',
    '      imagePullSecrets: [{ name: regcred }]',
    '      containers: [{ name: app, image: private.example.com/team-a/app:v1, imagePullPolicy: IfNotPresent }]',
    'timeline:',
    '  - at: 1m',
    '    apply:',
    '      apiVersion: v1',
    '      kind: Pod',
    '      metadata: { namespace: team-b, name: b }',
    '      spec:',
    '        containers: [{ name: app, image: private.example.com/team-a/app:v1, imagePullPolicy: IfNotPresent }]',
    ...(expect.length === 0 ? [] : ['expect:', ...expect.map((line) => `  - ${line}`)]),
  ].join('\n');
  return scenarioText(name, spec, "Tenant B runs tenant A's private image (kubernetes#18787)");
}

/** The line of the n-th expect line (0-based) in crossTenantText (for FAIL messages). */
export function crossTenantExpectLine(index: number, options: { kubelet?: string } = {}): number {
  const lines = crossTenantText(options).split('\n');
  return lines.indexOf('  expect:') + 2 + index;
}

/** A public image pulled anonymously: no violation in any mode. */
export function publicImageText(name = 'public-image'): string {
  return scenarioText(
    name,
    `
      until: 2m
      registries:
        - host: docker.io
          repositories: [{ name: library/nginx, public: true, tags: { "1.27": {} } }]
      objects:
        - apiVersion: v1
          kind: Pod
          metadata: { name: web }
          spec: { containers: [{ name: nginx, image: "nginx:1.27" }] }
      expect:
        - { pod: default/web, state: running, violation: false, started: true }
    `,
  );
}
