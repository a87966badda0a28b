import { dockerConfigFromSecret, parseDockerConfigEntry } from '../src/credentials/index.js';
import type { DockerConfig } from '../src/ports.js';
import { parseNormalizedNamed } from '../src/reference/index.js';
import type { ApiServer, StoredPod } from './world/api-server.js';
import { serviceAccountToken, serviceAccountUsername } from './world/credential-sources.js';
import type { SimRegistry } from './world/registry.js';

interface Credential {
  readonly username: string;
  readonly password: string;
}

/** What the oracle needs to know about the world at the moment of a container start. */
export interface OracleContext {
  readonly api: ApiServer;
  readonly registryFor: (host: string) => SimRegistry | undefined;
  /** The node's docker config (node-wide credentials). */
  readonly nodeCredentials: DockerConfig | undefined;
  /** Registry hosts for which the node has a KEP-4412 service-account-token provider. */
  readonly serviceAccountProviderHosts: ReadonlySet<string>;
  /** What those providers return when asked without a service account: the node's own identity, per host. */
  readonly providerNodeCredentials: Readonly<Record<string, Credential>>;
}

export interface OracleVerdict {
  readonly violation: boolean;
  /** Why, in words, for traces and reports. */
  readonly why: string;
}

/**
 * Ground truth for one container start (docs/contract.md §4): a violation is a start of an image from a
 * non-public repository although, at that moment, none of the credentials the pod holds (its pull secrets, its
 * service account's provider token) nor the node's credentials (its docker config, the identity its credential
 * providers answer with when no service account is given) would be accepted by the registry for a pull of the
 * repository the container's image names. Independent of what the kubelet believed; other repositories with the
 * same digest do not matter.
 */
export function judgeContainerStart(context: OracleContext, pod: StoredPod, image: string): OracleVerdict {
  const parsed = parseNormalizedNamed(image);
  if (!parsed.ok) return { violation: false, why: 'image name does not parse' };
  const host = parsed.value.domain;
  const repository = parsed.value.path;
  const registry = context.registryFor(host);
  if (registry === undefined || !registry.hasRepository(repository)) {
    return { violation: false, why: 'repository unknown to any registry (not a private repository)' };
  }
  if (registry.isPublic(repository)) return { violation: false, why: 'public repository' };

  for (const credential of podCredentials(context, pod, host)) {
    if (registry.wouldAuthorize(repository, credential))
      return { violation: false, why: 'the pod holds a credential the registry accepts' };
  }
  for (const credential of configCredentials(context.nodeCredentials)) {
    if (registry.wouldAuthorize(repository, credential))
      return { violation: false, why: 'node-wide credentials the registry accepts' };
  }
  const identity = context.providerNodeCredentials[host];
  if (identity !== undefined && registry.wouldAuthorize(repository, identity))
    return {
      violation: false,
      why: "the node's own identity, from its credential provider, the registry accepts",
    };
  return { violation: true, why: `no credential of the pod or the node may pull ${host}/${repository}` };
}

/** Every username/password in the pod's pull secrets, plus its service-account token where a provider exists. */
function podCredentials(context: OracleContext, pod: StoredPod, host: string): Credential[] {
  const out: Credential[] = [];
  for (const name of pod.imagePullSecrets) {
    const secret = context.api.getSecret(pod.namespace, name);
    if (secret === undefined) continue;
    const config = dockerConfigFromSecret(secret);
    if (config.ok) out.push(...configCredentials(config.config));
  }
  if (context.serviceAccountProviderHosts.has(host)) {
    const account = context.api.getServiceAccount(pod.namespace, pod.serviceAccountName);
    if (account !== undefined) {
      out.push({
        username: serviceAccountUsername(account.namespace, account.name),
        password: serviceAccountToken(account),
      });
    }
  }
  return out;
}

function configCredentials(config: DockerConfig | undefined): Credential[] {
  if (config === undefined) return [];
  const out: Credential[] = [];
  for (const key of Object.keys(config).sort()) {
    const entry = parseDockerConfigEntry(config[key]);
    if (entry.ok && (entry.value.username !== '' || entry.value.password !== '')) {
      out.push({ username: entry.value.username, password: entry.value.password });
    }
  }
  return out;
}
