import { describe, expect, it } from 'vitest';
import * as credentials from '../../../src/credentials/index.js';

describe('src/credentials/index.ts', () => {
  it('re-exports the public API by name', () => {
    expect(Object.keys(credentials).sort()).toEqual(
      [
        'DEFAULT_REGISTRY_HOST',
        'DOCKERCFG_KEY',
        'DOCKER_CONFIG_JSON_KEY',
        'DockerKeyring',
        'SECRET_TYPE_DOCKERCFG',
        'SECRET_TYPE_DOCKER_CONFIG_JSON',
        'authConfigJson',
        'credentialHash',
        'decodeDockerConfig',
        'dockerConfigFromSecret',
        'isDefaultRegistryMatch',
        'lookupPullCredentials',
        'normalizeRegistryKey',
        'parseDockerConfigEntry',
        'podCredentialsForMatching',
        'urlsMatchStr',
        'validateCredentialProviders',
      ].sort(),
    );
  });
});
