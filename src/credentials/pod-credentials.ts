/**
 * A pod's registry credentials for one image, as the kubelet assembles them (`image_manager.go`
 * `makeLookupPullCredentialsFunc`): `secrets.MakeDockerKeyring(pullSecrets, UnionDockerKeyring{nodeKeyring,
 * externalCredentialProviderKeyring})`, then `Lookup(repository)`. Three keyrings are searched in order and their
 * results concatenated: the pod's pull secrets (one keyring for all secrets, so their keys share one reverse-sorted
 * index), the node's docker config, and the credential-provider plugins (one keyring for all plugins).
 */
import type { CredentialProviderPlugin, DockerConfig, SecretObject, ServiceAccountObject } from '../ports.js';
import { decodeDockerConfig, dockerConfigFromSecret } from './docker-config.js';
import {
  type CredentialSource,
  DockerKeyring,
  type KeyringEntry,
  keyringEntries,
  type TrackedAuthConfig,
} from './keyring.js';

/** Everything the kubelet uses to assemble a pod's credentials for one image (IM-new makeLookupPullCredentialsFunc + keyring union order: pod secrets, node keyring, plugins). */
export interface PodCredentialContext {
  readonly pullSecrets: readonly SecretObject[];
  readonly nodeConfig: DockerConfig | undefined;
  readonly plugins: readonly CredentialProviderPlugin[];
  readonly serviceAccount: ServiceAccountObject | undefined;
  readonly serviceAccountTracking: boolean;
  /** hashes are computed only when the feature gate is on */
  readonly computeHashes: boolean;
  /**
   * The pod's `spec.serviceAccountName` as handed to the plugins, when the caller knows it. A name without a
   * `serviceAccount` object means the lookup of that service account failed: `pluginProvider.provide` then gives
   * nothing for service-account-mode plugins, even those that do not require one. When omitted, the name is taken
   * from `serviceAccount` (absent = the pod has none).
   */
  readonly serviceAccountName?: string;
}

/**
 * The pod's credentials for `repository` (the normalised name without tag or digest, e.g. `docker.io/library/nginx`),
 * in the order the kubelet tries them (`image_manager.go` `makeLookupPullCredentialsFunc`). A pull secret whose data
 * does not decode fails the whole lookup with Go's JSON error text.
 */
export function lookupPullCredentials(
  repository: string,
  context: PodCredentialContext,
): { ok: true; credentials: TrackedAuthConfig[] } | { ok: false; error: string } {
  const options = { computeHash: context.computeHashes };

  // secrets.MakeDockerKeyring: every usable secret goes into one keyring; no usable secret, no pod keyring.
  const podKeyring = new DockerKeyring();
  let usableSecrets = 0;
  for (const secret of context.pullSecrets) {
    const config = dockerConfigFromSecret(secret);
    if (!config.ok) return config;
    if (config.config === undefined) continue;
    podKeyring.addEntries(secretEntries(secret, config.config, context.computeHashes));
    usableSecrets++;
  }

  // The node keyring: config.json / .dockercfg, node-wide (no source). A file that does not decode is skipped.
  const credentials = usableSecrets > 0 ? podKeyring.lookup(repository) : [];
  if (context.nodeConfig !== undefined) {
    const nodeKeyring = new DockerKeyring();
    nodeKeyring.addEntries(nodeEntries(context.nodeConfig, context.computeHashes));
    credentials.push(...nodeKeyring.lookup(repository));
  }
  // No plugin configured, no plugin keyring: an empty keyring finds nothing.
  if (context.plugins.length > 0)
    credentials.push(...pluginCredentials(repository, context, options).lookup(repository));
  return { ok: true, credentials };
}

/**
 * Keyring entries remembered per immutable input: a secret (an update is a new object) or the node's docker config,
 * and whether hashes are computed. The kubelet builds a fresh keyring for every pod sync from the same few secrets;
 * parsing, key normalisation and SHA-256 of each credential then need doing once.
 */
const secretEntriesMemo: EntriesMemo = new WeakMap();
const nodeEntriesMemo: EntriesMemo = new WeakMap();

/** Per input object: the entries without hashes and with them. */
type EntriesMemo = WeakMap<object, [KeyringEntry[] | undefined, KeyringEntry[] | undefined]>;

function remembered(
  memo: EntriesMemo,
  input: object,
  computeHash: boolean,
  build: () => KeyringEntry[],
): KeyringEntry[] {
  let slots = memo.get(input);
  if (slots === undefined) {
    slots = [undefined, undefined];
    memo.set(input, slots);
  }
  const slot = computeHash ? 1 : 0;
  slots[slot] ??= build();
  return slots[slot];
}

function secretEntries(secret: SecretObject, config: DockerConfig, computeHash: boolean): KeyringEntry[] {
  return remembered(secretEntriesMemo, secret, computeHash, () => {
    const source: CredentialSource = {
      kind: 'secret',
      uid: secret.uid,
      namespace: secret.namespace,
      name: secret.name,
    };
    return keyringEntries(config, source, { computeHash });
  });
}

function nodeEntries(nodeConfig: DockerConfig, computeHash: boolean): KeyringEntry[] {
  return remembered(nodeEntriesMemo, nodeConfig, computeHash, () => {
    const decoded = decodeDockerConfig(nodeConfig);
    return decoded.ok ? keyringEntries(decoded.config, undefined, { computeHash }) : [];
  });
}

/**
 * `externalCredentialProviderKeyring.Lookup` with `pluginProvider.provide` (`pkg/credentialprovider/plugin`): every
 * plugin whose `matchImages` cover the image is asked, and its answer is added to one keyring for all plugins. The
 * plugin response carries only username and password (`credentialproviderapi.AuthConfig`), so `email` and `auth` of
 * a modelled response are ignored.
 *
 * Service-account token mode (KEP-4412): without a service-account name and with `requireServiceAccount` the plugin
 * is not run; with a name whose service account cannot be read it is not run either; with a service account the
 * credentials carry `ServiceAccountCoordinates{uid of the SA, pod namespace, SA name}` — only where the profile tracks
 * service accounts (1.34+; in 1.33 plugin credentials are node-wide). The pod namespace is the service account's
 * namespace here (a pod can only use a service account of its own namespace). That plugins share one keyring is
 * read from `plugins_test.go` (two plugins answering for one key give two credentials); the Lookup source itself
 * was not available.
 */
function pluginCredentials(
  repository: string,
  context: PodCredentialContext,
  options: { readonly computeHash: boolean },
): DockerKeyring {
  const keyring = new DockerKeyring();
  const serviceAccount = context.serviceAccount;
  const serviceAccountName = context.serviceAccountName ?? serviceAccount?.name ?? '';
  for (const plugin of context.plugins) {
    if (!plugin.matchesImage(repository)) continue;
    let source: CredentialSource | undefined;
    let request: Parameters<CredentialProviderPlugin['provide']>[0] = { repository };
    if (plugin.serviceAccountTokenMode) {
      if (serviceAccountName === '' && plugin.requireServiceAccount) continue;
      if (serviceAccountName !== '') {
        if (serviceAccount === undefined) continue; // getServiceAccountData failed: no token, no plugin call
        request = { repository, serviceAccount };
        if (context.serviceAccountTracking) {
          source = {
            kind: 'serviceAccount',
            uid: serviceAccount.uid,
            namespace: serviceAccount.namespace,
            name: serviceAccount.name,
          };
        }
      }
    }
    const provided = plugin.provide(request);
    if (provided === undefined) continue;
    const config: DockerConfig = Object.fromEntries(
      Object.entries(provided).map(([key, entry]) => [
        key,
        { username: entry.username ?? '', password: entry.password ?? '' },
      ]),
    );
    keyring.add(config, source, options);
  }
  return keyring;
}

/**
 * The pod credentials `MustAttemptImagePull` compares with a record (docs/kubelet-model.md#mustattemptimagepull,
 * step 9): Secret-sourced entries (one per matching key) and the FIRST ServiceAccount-sourced entry.
 */
export function podCredentialsForMatching(credentials: readonly TrackedAuthConfig[]): {
  secrets: { uid: string; namespace: string; name: string; credentialHash: string }[];
  serviceAccount?: { uid: string; namespace: string; name: string };
} {
  const secrets: { uid: string; namespace: string; name: string; credentialHash: string }[] = [];
  let serviceAccount: { uid: string; namespace: string; name: string } | undefined;
  for (const credential of credentials) {
    const source = credential.source;
    if (source === undefined) continue; // node-wide credentials take no part in matching
    if (source.kind === 'secret') {
      secrets.push({
        uid: source.uid,
        namespace: source.namespace,
        name: source.name,
        credentialHash: credential.credentialHash,
      });
    } else {
      serviceAccount ??= { uid: source.uid, namespace: source.namespace, name: source.name };
    }
  }
  return serviceAccount === undefined ? { secrets } : { secrets, serviceAccount };
}
