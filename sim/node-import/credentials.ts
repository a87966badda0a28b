import {
  credentialHash,
  DEFAULT_REGISTRY_HOST,
  DOCKER_CONFIG_JSON_KEY,
  DOCKERCFG_KEY,
  decodeDockerConfig,
  dockerConfigFromSecret,
  normalizeRegistryKey,
  SECRET_TYPE_DOCKER_CONFIG_JSON,
  SECRET_TYPE_DOCKERCFG,
} from '../../src/credentials/index.js';
import type { DockerConfig } from '../../src/ports.js';
import type { SecretObject } from './inputs.js';

/*
 * Secrets never leave (docs/audit.md "What import produces"). Every credential read from a pull secret or from the
 * node's docker config is replaced by a generated one (`user-N` / `replaced-N`, N in the order first met), the
 * same real credential always by the same replacement. The pulled records store `hashAuthConfig` of the credential a
 * pull used (src/credentials/credential-hash.ts), so each record hash that is the hash of a real credential is
 * rewritten to the hash of its replacement, and every other 64-hex record hash (a rotated or deleted secret's) to
 * the hash of a generated credential that nothing holds. A pod's credential therefore matches a record after the
 * import exactly when it matched before, and no value derived from a real credential is written.
 */

/** A generated credential standing for a real one. */
export interface Replacement {
  readonly username: string;
  readonly password: string;
}

/** A docker config entry with its credential replaced, under its original registry key. */
export interface ReplacedEntry extends Replacement {
  readonly key: string;
  /** The registry host the key names (`docker.io` for Docker Hub's names), or undefined for a glob key. */
  readonly host: string | undefined;
}

const RECORD_HASH = /("credentialHash"\s*:\s*")([0-9a-f]{64})(")/g;

/** Replaces credentials consistently and rewrites the record hashes that follow from them. */
export class CredentialReplacer {
  readonly #byCredential = new Map<string, Replacement>();
  /** Real credential hash → the replacement's hash. */
  readonly #hashes = new Map<string, string>();
  /** Record hashes that matched no credential found, → the hash standing for them. */
  readonly #unmatched = new Map<string, string>();

  /** The replacement of a real credential (username, password, email: what the kubelet hashes). */
  replace(real: {
    readonly username: string;
    readonly password: string;
    readonly email: string;
  }): Replacement {
    const realHash = credentialHash(real);
    const known = this.#byCredential.get(realHash);
    if (known !== undefined) return known;
    const n = this.#byCredential.size + 1;
    const replacement = { username: `user-${n}`, password: `replaced-${n}` };
    this.#byCredential.set(realHash, replacement);
    this.#hashes.set(realHash, credentialHash(replacement));
    return replacement;
  }

  /** Every entry of a docker config, replaced (in the config's order). */
  replaceConfig(config: DockerConfig): ReplacedEntry[] {
    return Object.entries(config).map(([key, entry]) => ({
      key,
      host: registryHostOf(key),
      ...this.replace({
        username: entry.username ?? '',
        password: entry.password ?? '',
        email: entry.email ?? '',
      }),
    }));
  }

  /** A record file with every 64-hex credential hash rewritten; call it after every credential was replaced. */
  rewriteRecord(text: string): string {
    return text.replace(RECORD_HASH, (_match, before: string, hash: string, after: string) => {
      let replaced = this.#hashes.get(hash) ?? this.#unmatched.get(hash);
      if (replaced === undefined) {
        const n = this.#unmatched.size + 1;
        replaced = credentialHash({ username: `unmatched-${n}`, password: `unmatched-${n}` });
        this.#unmatched.set(hash, replaced);
      }
      return `${before}${replaced}${after}`;
    });
  }

  /** How many record hashes matched no credential found on the node (so far). */
  get unmatchedHashes(): number {
    return this.#unmatched.size;
  }
}

/** The registry host of a docker config key (`https://index.docker.io/v1/` → `docker.io`); undefined for a glob. */
function registryHostOf(key: string): string | undefined {
  const normalized = normalizeRegistryKey(key);
  if (normalized === undefined || normalized.includes('*')) return undefined;
  const host = normalized.split('/')[0] as string;
  return host === DEFAULT_REGISTRY_HOST || host === 'registry-1.docker.io' ? 'docker.io' : host;
}

/** What a pull secret holds, as the kubelet reads it. */
export type PullSecretContent =
  | { readonly kind: 'config'; readonly config: DockerConfig }
  | { readonly kind: 'unparseable' }
  | { readonly kind: 'empty' }
  | { readonly kind: 'not-a-pull-secret' };

/** Reads a Secret as the kubelet's keyring does (`secretsToTrackedDockerConfigs`): only the two docker types count. */
export function pullSecretContent(secret: SecretObject): PullSecretContent {
  const type = secret.type ?? 'Opaque';
  if (type !== SECRET_TYPE_DOCKER_CONFIG_JSON && type !== SECRET_TYPE_DOCKERCFG)
    return { kind: 'not-a-pull-secret' };
  const data = Object.fromEntries(
    Object.entries(secret.data ?? {}).map(([key, value]) => [
      key,
      Buffer.from(value, 'base64').toString('utf8'),
    ]),
  );
  const decoded = dockerConfigFromSecret({
    uid: secret.metadata.uid ?? '',
    namespace: secret.metadata.namespace ?? 'default',
    name: secret.metadata.name,
    type,
    data,
  });
  if (!decoded.ok) return { kind: 'unparseable' };
  return decoded.config === undefined ? { kind: 'empty' } : { kind: 'config', config: decoded.config };
}

/**
 * The `.dockerconfigjson` / `.dockercfg` data of a replaced pull secret; an unparseable one stays unparseable (the
 * kubelet then fails the pod's credential lookup, docs/kubelet-model.md#pull-secrets-the-kubelet-cannot-parse).
 */
export function replacedSecretData(
  type: string,
  entries: readonly ReplacedEntry[] | undefined,
): Record<string, string> {
  const json = type === SECRET_TYPE_DOCKERCFG;
  const key = json ? DOCKERCFG_KEY : DOCKER_CONFIG_JSON_KEY;
  if (entries === undefined) return { [key]: json ? '{"unparseable":5}' : '{"auths":5}' };
  const auths = Object.fromEntries(
    entries.map((e) => [e.key, { username: e.username, password: e.password }]),
  );
  return { [key]: JSON.stringify(json ? auths : { auths }) };
}

/**
 * The node's docker config (`config.json`) as the kubelet reads it (`ReadDockerConfigFile`: `{"auths": …}` or the
 * older bare map); undefined when the kubelet could not read it, with the reason (which quotes nothing of it).
 */
export function readNodeDockerConfig(text: string): { config: DockerConfig } | { problem: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { problem: 'not valid JSON' };
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    return { problem: 'not a JSON object' };
  const record = parsed as Record<string, unknown>;
  const auths = 'auths' in record ? record.auths : record;
  if (auths === null || typeof auths !== 'object' || Array.isArray(auths))
    return { problem: '"auths" is not a JSON object' };
  const decoded = decodeDockerConfig(auths as DockerConfig);
  return decoded.ok ? { config: decoded.config } : { problem: 'an entry the kubelet cannot decode' };
}
