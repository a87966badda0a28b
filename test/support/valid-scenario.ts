/**
 * A valid scenario, as plain data, that uses most parts of the format: the starting point of the bad-input
 * mutation test and of the CLI tests. Secrets in it are distinctive so that tests can look for leaks.
 */

const HEX_1 = '1'.repeat(64);

export const VALID_PASSWORD_A = 'pwA-7f3k';
export const VALID_PASSWORD_B = 'pwB-9x2m';

const b64 = (text: string): string => Buffer.from(text).toString('base64');

/** A JSON-like value (what a scenario file holds). */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * A fresh copy of the valid scenario (callers may mutate it). It is kept short (names of a few letters) because
 * parsing dominates the cost of the bad-input property, which feeds it through the CLI a thousand times.
 */
export function validScenario(): { [key: string]: Json } {
  const auths = (user: string, password: string) =>
    JSON.stringify({ auths: { 'r.io': { username: user, password } } });
  return {
    apiVersion: 'pullsim/v1alpha1',
    kind: 'Scenario',
    metadata: { name: 'valid', description: 'mutation base' },
    spec: {
      seed: 7,
      until: '8m',
      kubelet: {
        version: '1.35',
        featureGates: { KubeletEnsureSecretPulledImages: true },
        imagePullCredentialsVerificationPolicy: 'NeverVerifyAllowlistedImages',
        preloadedImagesVerificationAllowlist: ['r.io/lib/base', 'k8s.io/*'],
        serializeImagePulls: false,
        maxParallelImagePulls: 2,
        syncFrequency: '30s',
      },
      registries: [
        {
          host: 'r.io',
          users: [
            { username: 'a', password: VALID_PASSWORD_A },
            { username: 'b', password: VALID_PASSWORD_B },
          ],
          repositories: [
            {
              name: 'a/app',
              public: false,
              pullers: ['a'],
              tags: { v1: { digest: `sha256:${HEX_1}`, sizeBytes: 9 }, v2: {} },
            },
            { name: 'lib/base', public: true, tags: { v1: { sizeBytes: 5 } } },
          ],
          rateLimit: { perUser: { capacity: 5, refillPerHour: 60 } },
          latency: { min: '10ms', max: '1s' },
          bandwidthBytesPerSecond: 50000,
        },
        {
          host: 'sa.io',
          serviceAccountTokenProvider: { requireServiceAccount: true },
          repositories: [{ name: 's/t', pullers: ['system:serviceaccount:s:sa'] }],
        },
      ],
      nodes: [
        {
          name: 'n1',
          images: ['r.io/lib/base:v1', { ref: 'r.io/a/app:v1' }],
          credentials: { auths: { 'r.io': { auth: b64(`b:${VALID_PASSWORD_B}`) } } },
          imageGC: { capacityBytes: 1000000, highThresholdPercent: 90, period: '5m' },
          fsFaults: { readError: 0 },
        },
        { name: 'n2', device: 'ssd', imageManagerFiles: {} },
      ],
      objects: [
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a' } },
        {
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: { namespace: 'a', name: 'rc' },
          type: 'kubernetes.io/dockerconfigjson',
          data: { '.dockerconfigjson': b64(auths('a', VALID_PASSWORD_A)) },
        },
        {
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: { namespace: 'b', name: 'rc' },
          type: 'kubernetes.io/dockerconfigjson',
          stringData: { '.dockerconfigjson': auths('b', VALID_PASSWORD_B) },
        },
        {
          apiVersion: 'v1',
          kind: 'ServiceAccount',
          metadata: { namespace: 's', name: 'sa' },
          imagePullSecrets: [{ name: 'rc' }],
        },
        {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { namespace: 'a', name: 'a' },
          spec: {
            nodeName: 'n1',
            imagePullSecrets: [{ name: 'rc' }],
            containers: [{ name: 'c', image: 'r.io/a/app:v1', imagePullPolicy: 'IfNotPresent', ports: [] }],
          },
        },
      ],
      timeline: [
        {
          at: '30s',
          apply: {
            apiVersion: 'v1',
            kind: 'Pod',
            metadata: { namespace: 'b', name: 'b' },
            spec: {
              nodeName: 'n1',
              restartPolicy: 'Always',
              containers: [{ name: 'c', image: 'r.io/a/app:v1' }],
            },
          },
        },
        { at: '1m', action: 'restartKubelet', node: 'n1', downtime: '5s' },
        { at: '2m', action: 'revokePuller', host: 'r.io', repository: 'a/app', username: 'a' },
        { at: '3m', action: 'setPolicy', node: 'n2', policy: 'AlwaysVerify' },
        { at: '4m', action: 'changePassword', host: 'r.io', username: 'b', password: 'pwC-4d' },
        { at: '5m', delete: { kind: 'Pod', namespace: 'b', name: 'b' } },
      ],
      expect: [
        { pod: 'a/a', container: 'c', modes: ['legacy'], state: 'running', pulls: { min: 0, max: 3 } },
        { pod: 'b/b', at: '1m', violation: true, reason: ['ErrImageNeverPull'] },
      ],
    },
  };
}

/**
 * Writes JSON-like data as YAML quickly (yaml's own `stringify` costs more than the parse being tested): block
 * mappings and lists, with lists and mappings of scalars in flow style and every string JSON-quoted.
 */
export function toYaml(value: Json): string {
  const scalar = (v: Json): string => (typeof v === 'string' ? JSON.stringify(v) : String(v));
  const isFlat = (v: Json): boolean =>
    v === null ||
    typeof v !== 'object' ||
    (Array.isArray(v) ? v : Object.values(v)).every((x) => x === null || typeof x !== 'object');
  const flow = (v: Json): string => {
    if (v === null || typeof v !== 'object') return scalar(v);
    if (Array.isArray(v)) return `[${v.map(flow).join(', ')}]`;
    return `{ ${Object.entries(v)
      .map(([k, x]) => `${JSON.stringify(k)}: ${flow(x)}`)
      .join(', ')} }`;
  };
  const block = (v: Json, pad: string): string[] => {
    const out: string[] = [];
    if (Array.isArray(v)) {
      for (const item of v) {
        if (isFlat(item)) out.push(`${pad}- ${flow(item)}`);
        else {
          const [first = '', ...rest] = block(item, `${pad}  `);
          out.push(`${pad}- ${first.trimStart()}`, ...rest);
        }
      }
      return out;
    }
    for (const [key, item] of Object.entries(v as { [key: string]: Json })) {
      if (isFlat(item)) out.push(`${pad}${JSON.stringify(key)}: ${flow(item)}`);
      else out.push(`${pad}${JSON.stringify(key)}:`, ...block(item, `${pad}  `));
    }
    return out;
  };
  return isFlat(value) ? `${flow(value)}\n` : `${block(value, '').join('\n')}\n`;
}
