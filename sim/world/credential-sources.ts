import type {
  CredentialProviderPlugin,
  CredentialSources,
  DockerConfig,
  SecretObject,
  ServiceAccountObject,
} from '../../src/ports.js';
import type { ApiServer } from './api-server.js';

/** The username a KEP-4412 token carries for a service account. */
export function serviceAccountUsername(namespace: string, name: string): string {
  return `system:serviceaccount:${namespace}:${name}`;
}

/**
 * The token the simulated provider mints for a service account. It is bound to the account's UID, so a service
 * account deleted and re-created under the same name gets tokens the registry no longer accepts for the old one.
 * Tokens are secrets: outputs redact them like passwords.
 */
export function serviceAccountToken(account: ServiceAccountObject): string {
  return `sa-token.${account.namespace}.${account.name}.${account.uid}`;
}

/**
 * The registry's check of a service-account token (what an OIDC-federated registry does with the cluster's
 * issuer): valid when it was minted for a service account that exists now with that UID.
 */
export function serviceAccountTokenValidator(api: ApiServer): (username: string, token: string) => boolean {
  return (username, token) => {
    const match = /^system:serviceaccount:([^:]+):([^:]+)$/.exec(username);
    if (match === null) return false;
    const account = api.getServiceAccount(match[1] as string, match[2] as string);
    return account !== undefined && serviceAccountToken(account) === token;
  };
}

/**
 * A KEP-4412 exec credential provider in service-account-token mode for one registry host: the kubelet hands it a
 * token for the pod's service account and it returns registry credentials tied to that account.
 */
export class ServiceAccountTokenProvider implements CredentialProviderPlugin {
  readonly name: string;
  readonly serviceAccountTokenMode = true;

  constructor(
    readonly host: string,
    readonly requireServiceAccount: boolean,
    /** What it answers when the kubelet runs it without a service account (`requireServiceAccount: false`). */
    readonly nodeIdentity?: { readonly username: string; readonly password: string },
  ) {
    this.name = `sa-token-provider:${host}`;
  }

  matchesImage(repository: string): boolean {
    return repository.startsWith(`${this.host}/`);
  }

  provide(request: {
    readonly repository: string;
    readonly serviceAccount?: ServiceAccountObject;
  }): DockerConfig | undefined {
    const account = request.serviceAccount;
    if (account === undefined)
      return this.nodeIdentity === undefined ? undefined : { [this.host]: { ...this.nodeIdentity } };
    return {
      [this.host]: {
        username: serviceAccountUsername(account.namespace, account.name),
        password: serviceAccountToken(account),
      },
    };
  }
}

/** What a node's kubelet can read: secrets and service accounts from the API server, its config.json, its plugins. */
export class NodeCredentialSources implements CredentialSources {
  constructor(
    private readonly api: ApiServer,
    private readonly nodeConfig: DockerConfig | undefined,
    private readonly providerPlugins: readonly CredentialProviderPlugin[],
  ) {}

  getSecret(namespace: string, name: string): SecretObject | undefined {
    return this.api.getSecret(namespace, name);
  }

  getServiceAccount(namespace: string, name: string): ServiceAccountObject | undefined {
    return this.api.getServiceAccount(namespace, name);
  }

  nodeDockerConfig(): DockerConfig | undefined {
    return this.nodeConfig;
  }

  plugins(): readonly CredentialProviderPlugin[] {
    return this.providerPlugins;
  }
}
