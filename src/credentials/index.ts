export { authConfigJson, credentialHash } from './credential-hash.js';
export {
  type DecodedDockerConfigEntry,
  DOCKER_CONFIG_JSON_KEY,
  DOCKERCFG_KEY,
  decodeDockerConfig,
  dockerConfigFromSecret,
  normalizeRegistryKey,
  parseDockerConfigEntry,
  SECRET_TYPE_DOCKER_CONFIG_JSON,
  SECRET_TYPE_DOCKERCFG,
} from './docker-config.js';
export {
  type CredentialSource,
  DEFAULT_REGISTRY_HOST,
  DockerKeyring,
  isDefaultRegistryMatch,
  type TrackedAuthConfig,
  urlsMatchStr,
} from './keyring.js';
export {
  lookupPullCredentials,
  type PodCredentialContext,
  podCredentialsForMatching,
} from './pod-credentials.js';
export { validateCredentialProviders } from './provider-config.js';
