import type { SecretManifest } from './types.js';

/**
 * A `kubernetes.io/dockerconfigjson` pull secret holding one registry login, as generated worlds (campaigns, bench
 * workloads) and tests write them.
 */
export function pullSecret(
  namespace: string,
  name: string,
  host: string,
  username: string,
  password: string,
): SecretManifest {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { namespace, name },
    type: 'kubernetes.io/dockerconfigjson',
    stringData: { '.dockerconfigjson': JSON.stringify({ auths: { [host]: { username, password } } }) },
  };
}
