/**
 * Docker config entries and pull secrets, as `pkg/credentialprovider/config.go` (`DockerConfigEntry.UnmarshalJSON`,
 * `decodeDockerConfigFieldAuth`, `DockerConfigJSON`) and `pkg/credentialprovider/secrets/secrets.go`
 * @ 09284d926ccb1645776e981afac15f8995d5251b read them, and the registry-key normalisation of
 * `BasicDockerKeyring.Add` (`keyring.go`).
 *
 * Decoding follows Go's `encoding/json` rather than `JSON.parse`: field names match case-insensitively, a `null`
 * leaves a field empty, a value of the wrong type is an `UnmarshalTypeError`, duplicate members are applied in
 * document order. Error texts use Go's wording but never contain secret data.
 */

import {
  bytesToGoString,
  decodeGoBase64,
  GoJsonObject,
  type GoJsonValue,
  goJsonKind,
  goStringToBytes,
  goTrimSpace,
  parseGoJson,
  parseGoUrl,
} from '../go/index.js';
import type { DockerConfig, DockerConfigEntry, SecretObject } from '../ports.js';

/** `v1.SecretTypeDockerConfigJson` and its data key. */
export const SECRET_TYPE_DOCKER_CONFIG_JSON = 'kubernetes.io/dockerconfigjson';
export const DOCKER_CONFIG_JSON_KEY = '.dockerconfigjson';
/** `v1.SecretTypeDockercfg` and its data key. */
export const SECRET_TYPE_DOCKERCFG = 'kubernetes.io/dockercfg';
export const DOCKERCFG_KEY = '.dockercfg';

/** A docker config entry after decoding: `auth`, when present, has replaced username and password. */
export interface DecodedDockerConfigEntry {
  readonly username: string;
  readonly password: string;
  readonly email: string;
}

/** Go's `*json.UnmarshalTypeError`, kept structured so that an outer decoder can add its field context. */
interface TypeError {
  readonly kind: 'type';
  readonly value: string;
  readonly type: string;
  readonly struct: string;
  readonly field: string;
}

type DecodeError = TypeError | { readonly kind: 'other'; readonly message: string };

type Decoded<T> = { ok: true; value: T } | { ok: false; error: DecodeError };

const ENTRY_STRUCT = 'dockerConfigEntryWithAuth';
const ENTRY_TYPE = `credentialprovider.${ENTRY_STRUCT}`;
const AUTH_FORMAT_ERROR = 'unable to parse auth field, must be formatted as base64(username:password)';

function errorText(error: DecodeError): string {
  if (error.kind === 'other') return error.message;
  if (error.struct !== '' || error.field !== '') {
    return `json: cannot unmarshal ${error.value} into Go struct field ${error.struct}.${error.field} of type ${error.type}`;
  }
  return `json: cannot unmarshal ${error.value} into Go value of type ${error.type}`;
}

/** Go's `addErrorContext`: a type error raised inside a struct field gets the struct and the field path. */
function inField(error: DecodeError, struct: string, field: string): DecodeError {
  if (error.kind === 'other') return error;
  return { ...error, struct, field: error.field === '' ? field : `${field}.${error.field}` };
}

function typeError(raw: unknown, type: string, struct = '', field = ''): TypeError {
  return { kind: 'type', value: goJsonKind(raw), type, struct, field };
}

/** The members of a JSON object in document order (plain objects: own enumerable keys), or undefined. */
function membersOf(raw: unknown): readonly (readonly [string, unknown])[] | undefined {
  if (raw instanceof GoJsonObject) return raw.members;
  if (typeof raw === 'object' && raw !== null && !Array.isArray(raw)) return Object.entries(raw);
  return undefined;
}

/**
 * Go's struct-field lookup: an exact match, else a case-insensitive one (`foldName`: ASCII upper-casing; U+017F
 * LATIN SMALL LETTER LONG S folds to "S" and U+212A KELVIN SIGN to "K", the only non-ASCII runes that fold onto
 * ASCII letters).
 */
function fieldFor<F extends string>(key: string, fields: readonly F[]): F | undefined {
  const exact = fields.find((field) => field === key);
  if (exact !== undefined) return exact;
  const folded = key.replace(/[a-z\u017f\u212a]/g, (char) =>
    char === '\u017f' ? 'S' : char === '\u212a' ? 'K' : char.toUpperCase(),
  );
  return fields.find((field) => field.toUpperCase() === folded);
}

const ENTRY_FIELDS = ['username', 'password', 'email', 'auth'] as const;

/** `DockerConfigEntry.UnmarshalJSON`: decode into `dockerConfigEntryWithAuth`, then let `auth` override. */
function decodeEntry(raw: unknown): Decoded<DecodedDockerConfigEntry> {
  const fields = { username: '', password: '', email: '', auth: '' };
  if (raw === null || raw === undefined)
    return { ok: true, value: { username: '', password: '', email: '' } };
  const members = membersOf(raw);
  if (members === undefined) return { ok: false, error: typeError(raw, ENTRY_TYPE) };
  let saved: TypeError | undefined;
  for (const [key, value] of members) {
    const field = fieldFor(key, ENTRY_FIELDS);
    if (field === undefined || value === null || value === undefined) continue;
    if (typeof value === 'string') fields[field] = value;
    else saved ??= typeError(value, 'string', ENTRY_STRUCT, field);
  }
  if (saved !== undefined) return { ok: false, error: saved };
  if (fields.auth.length === 0) {
    return { ok: true, value: { username: fields.username, password: fields.password, email: fields.email } };
  }
  const auth = decodeAuthField(fields.auth);
  if (!auth.ok) return { ok: false, error: { kind: 'other', message: auth.error } };
  return { ok: true, value: { username: auth.username, password: auth.password, email: fields.email } };
}

/**
 * `decodeDockerConfigFieldAuth`: base64 of `user:pass`, split at the first colon. Padded input (ending in "=" after
 * trimming white space) is read with the padded alphabet, anything else with the unpadded one.
 */
function decodeAuthField(
  field: string,
): { ok: true; username: string; password: string } | { ok: false; error: string } {
  const padded = goTrimSpace(field).endsWith('=');
  const decoded = decodeGoBase64(goStringToBytes(field), { padded });
  if (!decoded.ok) return decoded;
  const colon = decoded.bytes.indexOf(0x3a);
  if (colon < 0) return { ok: false, error: AUTH_FORMAT_ERROR };
  return {
    ok: true,
    username: bytesToGoString(decoded.bytes.subarray(0, colon)),
    password: bytesToGoString(decoded.bytes.subarray(colon + 1)),
  };
}

/**
 * One docker config entry (`{"username", "password", "email", "auth"}`) decoded as the kubelet decodes it
 * (`config.go` `DockerConfigEntry.UnmarshalJSON`). `raw` is a JSON value; `null` is an empty entry.
 *
 * @example parseDockerConfigEntry({ auth: 'Zm9vOmJhcg==' }) // { ok: true, value: { username: 'foo', password: 'bar', email: '' } }
 */
export function parseDockerConfigEntry(
  raw: unknown,
): { ok: true; value: { username: string; password: string; email: string } } | { ok: false; error: string } {
  const decoded = decodeEntry(raw);
  return decoded.ok ? decoded : { ok: false, error: errorText(decoded.error) };
}

type DecodedConfig = Map<string, DecodedDockerConfigEntry>;

/** Decodes the members of a `DockerConfig` map into `into`; the first failing entry aborts (Go returns at once). */
function decodeConfigMembers(raw: GoJsonObject, into: DecodedConfig): DecodeError | undefined {
  for (const [registry, value] of raw.members) {
    const entry = decodeEntry(value);
    if (!entry.ok) return entry.error;
    into.set(registry, entry.value);
  }
  return undefined;
}

/** `json.Unmarshal(data, &DockerConfig{})` (the `.dockercfg` format: a bare map of registry → entry). */
function decodeDockercfg(value: GoJsonValue): Decoded<DecodedConfig> {
  const config: DecodedConfig = new Map();
  if (value === null) return { ok: true, value: config };
  if (!(value instanceof GoJsonObject)) {
    return { ok: false, error: typeError(value, 'credentialprovider.DockerConfig') };
  }
  const error = decodeConfigMembers(value, config);
  return error === undefined ? { ok: true, value: config } : { ok: false, error };
}

const CONFIG_JSON_FIELDS = ['auths', 'HttpHeaders'] as const;

/** `json.Unmarshal(data, &DockerConfigJSON{})` (the `.dockerconfigjson` format: `{"auths": {…}, "HttpHeaders": {…}}`). */
function decodeDockerConfigJson(value: GoJsonValue): Decoded<DecodedConfig> {
  if (value === null) return { ok: true, value: new Map() };
  if (!(value instanceof GoJsonObject)) {
    return { ok: false, error: typeError(value, 'credentialprovider.DockerConfigJSON') };
  }
  // A repeated "auths" member merges into the same map (Go reuses a non-nil map); "auths": null resets it to nil.
  let auths: DecodedConfig | undefined;
  let saved: TypeError | undefined;
  for (const [key, member] of value.members) {
    const field = fieldFor(key, CONFIG_JSON_FIELDS);
    if (field === undefined || member === null) {
      if (field === 'auths') auths = undefined;
      continue;
    }
    if (field === 'auths') {
      if (member instanceof GoJsonObject) {
        auths ??= new Map();
        const error = decodeConfigMembers(member, auths);
        if (error !== undefined) return { ok: false, error: inField(error, 'DockerConfigJSON', 'auths') };
      } else {
        saved ??= typeError(member, 'credentialprovider.DockerConfig', 'DockerConfigJSON', 'auths');
      }
      continue;
    }
    // HttpHeaders is map[string]string: its shape is checked although the kubelet never uses it.
    if (member instanceof GoJsonObject) {
      const wrong = member.members.find(([, header]) => header !== null && typeof header !== 'string');
      if (wrong !== undefined) saved ??= typeError(wrong[1], 'string', 'DockerConfigJSON', 'HttpHeaders');
    } else {
      saved ??= typeError(member, 'map[string]string', 'DockerConfigJSON', 'HttpHeaders');
    }
  }
  if (saved !== undefined) return { ok: false, error: saved };
  return { ok: true, value: auths ?? new Map() };
}

function toDockerConfig(config: DecodedConfig): DockerConfig {
  // Object.fromEntries defines own properties, so a registry key such as "__proto__" stays an ordinary key.
  return Object.fromEntries(config);
}

/**
 * The docker config a pull secret carries, as `secretsToTrackedDockerConfigs` (`secrets/secrets.go`) reads it: type
 * `kubernetes.io/dockerconfigjson` with a non-empty `.dockerconfigjson` (`{"auths": …}`), or type
 * `kubernetes.io/dockercfg` with a non-empty `.dockercfg` (a bare map). Any other secret yields `config: undefined`
 * (ignored). Data that does not decode is an error, and the kubelet then fails the whole credential lookup with
 * Go's `json.Unmarshal` error text (which never contains secret data here).
 */
export function dockerConfigFromSecret(
  secret: SecretObject,
): { ok: true; config: DockerConfig | undefined } | { ok: false; error: string } {
  // Secrets are immutable values (an update is a new object), so the decoded config is remembered per object.
  let decoded = secretConfigMemo.get(secret);
  if (decoded === undefined) {
    decoded = decodeSecretConfig(secret);
    secretConfigMemo.set(secret, decoded);
  }
  return decoded;
}

const secretConfigMemo = new WeakMap<
  SecretObject,
  { ok: true; config: DockerConfig | undefined } | { ok: false; error: string }
>();

function decodeSecretConfig(
  secret: SecretObject,
): { ok: true; config: DockerConfig | undefined } | { ok: false; error: string } {
  const read = (key: string): string | undefined => {
    const data = Object.hasOwn(secret.data, key) ? secret.data[key] : undefined;
    return data !== undefined && data.length > 0 ? data : undefined;
  };
  let decoded: Decoded<DecodedConfig>;
  const configJson =
    secret.type === SECRET_TYPE_DOCKER_CONFIG_JSON ? read(DOCKER_CONFIG_JSON_KEY) : undefined;
  const dockercfg = secret.type === SECRET_TYPE_DOCKERCFG ? read(DOCKERCFG_KEY) : undefined;
  if (configJson !== undefined) {
    const parsed = parseGoJson(configJson);
    if (!parsed.ok) return parsed;
    decoded = decodeDockerConfigJson(parsed.value);
  } else if (dockercfg !== undefined) {
    const parsed = parseGoJson(dockercfg);
    if (!parsed.ok) return parsed;
    decoded = decodeDockercfg(parsed.value);
  } else {
    return { ok: true, config: undefined };
  }
  return decoded.ok
    ? { ok: true, config: toDockerConfig(decoded.value) }
    : { ok: false, error: errorText(decoded.error) };
}

/**
 * Decodes every entry of a docker config given as data (for instance the node's `config.json`), folding `auth`
 * into username and password. One undecodable entry fails the whole config, as `ReadDockerConfigFile` then skips
 * the file (`config.go`).
 */
export function decodeDockerConfig(
  config: DockerConfig,
): { ok: true; config: DockerConfig } | { ok: false; error: string } {
  const decoded: DecodedConfig = new Map();
  for (const [registry, entry] of Object.entries(config) as [string, DockerConfigEntry][]) {
    const value = decodeEntry(entry);
    if (!value.ok) return { ok: false, error: errorText(value.error) };
    decoded.set(registry, value.value);
  }
  return { ok: true, config: toDockerConfig(decoded) };
}

/**
 * The key a docker config entry is stored under (`BasicDockerKeyring.Add`, `keyring.go`): `https://` is prefixed
 * when there is no `http://`/`https://` scheme, the URL is parsed (undefined: Go's parse error, the entry is
 * skipped), a leading `/v1/` or `/v2/` path is cut to `/`, and the key is host + path, or the host alone when the
 * path is empty or `/`.
 *
 * @example normalizeRegistryKey('https://index.docker.io/v1/') // 'index.docker.io'
 */
export function normalizeRegistryKey(key: string): string | undefined {
  const value = key.startsWith('https://') || key.startsWith('http://') ? key : `https://${key}`;
  const parsed = parseGoUrl(value);
  if (parsed === undefined) return undefined;
  let path = parsed.path;
  if (path.startsWith('/v2/') || path.startsWith('/v1/')) path = path.slice(3);
  return path.length > 0 && path !== '/' ? parsed.host + path : parsed.host;
}
