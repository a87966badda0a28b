/**
 * Who may pull from a simulated registry: authentication of the credential, then the repository's existence, then
 * its access list (steps 2–4 of the order in registry.ts), and the texts of the refusals as containerd reports
 * them. The same decision serves `pull` and the violation oracle's `wouldAuthorize`.
 */
import type { RegistryStore, RepositoryIndex } from './registry-store.js';

/** Username prefix of Kubernetes service-account tokens (KEP-4412 credential providers). */
const SERVICE_ACCOUNT_USERNAME_PREFIX = 'system:serviceaccount:';

/** The failures a registry can answer a pull with. */
export type PullFailureStatus = 'unauthorized' | 'forbidden' | 'notFound' | 'rateLimited' | 'unavailable';

/** Registry credentials for one request; undefined means anonymous. */
export type RegistryAuth = { readonly username: string; readonly password: string } | undefined;

/** Checks a service-account token presented as a password. */
export type TokenValidator = (username: string, password: string) => boolean;

/** What authorization decided for one request. */
export type Decision =
  | { readonly kind: 'allowed'; readonly repository: RepositoryIndex; readonly username: string | undefined }
  | { readonly kind: 'unauthorized'; readonly badCredentials: boolean }
  | { readonly kind: 'forbidden' }
  | { readonly kind: 'notFound' };

/**
 * Authentication, then repository existence, then authorization. A credential with an empty username and an empty
 * password is anonymous (an empty docker auth entry); a wrong credential is refused even for a public repository.
 */
export function authorize(
  store: RegistryStore,
  repository: string,
  auth: RegistryAuth,
  tokenValidator: TokenValidator | undefined,
): Decision {
  const username =
    auth === undefined || (auth.username === '' && auth.password === '') ? undefined : auth.username;
  if (
    auth !== undefined &&
    username !== undefined &&
    !authenticate(store, username, auth.password, tokenValidator)
  ) {
    return { kind: 'unauthorized', badCredentials: true };
  }
  const repo = store.repository(repository);
  if (repo === undefined) {
    return username === undefined ? { kind: 'unauthorized', badCredentials: false } : { kind: 'notFound' };
  }
  if (repo.state.public) return { kind: 'allowed', repository: repo, username };
  if (username === undefined) return { kind: 'unauthorized', badCredentials: false };
  if (!repo.pullers.has(username)) return { kind: 'forbidden' };
  return { kind: 'allowed', repository: repo, username };
}

function authenticate(
  store: RegistryStore,
  username: string,
  password: string,
  tokenValidator: TokenValidator | undefined,
): boolean {
  if (username.startsWith(SERVICE_ACCOUNT_USERNAME_PREFIX) && tokenValidator !== undefined) {
    return tokenValidator(username, password);
  }
  return store.passwordMatches(username, password);
}

/** Registry error texts as containerd reports them; they never contain a credential. */
export function failureMessage(
  host: string,
  status: PullFailureStatus,
  repository: string,
  reference: string,
  badCredentials = false,
): string {
  const separator = reference.includes(':') ? '@' : ':';
  const manifestUrl = `https://${host}/v2/${repository}/manifests/${reference}`;
  switch (status) {
    case 'unauthorized':
      if (badCredentials) {
        return (
          `failed to authorize: failed to fetch oauth token: unexpected status from GET request to ` +
          `https://${host}/token?scope=repository%3A${encodeURIComponent(repository)}%3Apull` +
          `&service=${host}: 401 Unauthorized`
        );
      }
      return (
        'pull access denied, repository does not exist or may require authorization: ' +
        'server message: insufficient_scope: authorization failed'
      );
    case 'forbidden':
      return `unexpected status from HEAD request to ${manifestUrl}: 403 Forbidden`;
    case 'notFound':
      return `${host}/${repository}${separator}${reference}: not found`;
    case 'rateLimited':
      return (
        `unexpected status from HEAD request to ${manifestUrl}: 429 Too Many Requests - Server message: ` +
        'toomanyrequests: You have reached your pull rate limit.'
      );
    case 'unavailable':
      return `dial tcp: lookup ${host}: connection refused`;
  }
}
