/**
 * The kubelet's image-pull record types and their on-disk codec (spec/cache.md §1.3, §1.4, §2.6).
 *
 * Upstream the types live in `staging/src/k8s.io/kubelet/config/v1alpha1|v1beta1/types.go` and are encoded by the
 * apimachinery JSON serializer and decoded by its strict universal decoder (`fs_pullrecords.go`
 * `createKubeletConfigSchemeEncoderDecoder`). This module reproduces the bytes the encoder writes and the verdicts
 * (and, closely, the messages) of the strict decoder, with a small recursive-descent JSON parser: `JSON.parse`
 * silently keeps the last of two duplicate keys, which the kubelet rejects.
 */
import { createHash } from 'node:crypto';
import { compareGoStrings } from '../go/index.js';
import type { RecordApiVersion } from '../profiles.js';
import type { Ticks } from '../time.js';

// ---------------------------------------------------------------------------------------------------------------
// Types

/** `ImagePullIntent`: a pull of `image` (the pod's `image` string, verbatim) is in flight. */
export interface ImagePullIntent {
  readonly image: string;
}

/** `ImagePullSecret`: the coordinates of a pull secret and the SHA-256 of the credentials it held. */
export interface ImagePullSecret {
  readonly uid: string;
  readonly namespace: string;
  readonly name: string;
  readonly credentialHash: string;
}

/** `ImagePullServiceAccount` (KEP-4412 plugin credentials bound to a service account). */
export interface ImagePullServiceAccount {
  readonly uid: string;
  readonly namespace: string;
  readonly name: string;
}

/**
 * `ImagePullCredentials`: what an image was pulled with. Decoding leaves out empty lists and a false
 * `nodePodsAccessible`, the same fields the encoder omits, so a decoded value is in canonical form.
 */
export interface ImagePullCredentials {
  readonly kubernetesSecrets?: readonly ImagePullSecret[];
  readonly kubernetesServiceAccounts?: readonly ImagePullServiceAccount[];
  readonly nodePodsAccessible?: boolean;
}

/**
 * `ImagePulledRecord`. lastUpdatedTime: µs since the Unix epoch (Ticks), null = Go's zero time (encodes as null).
 * In memory it keeps µs; on disk it is truncated to whole seconds UTC (RFC 3339 'YYYY-MM-DDTHH:MM:SSZ').
 */
export interface ImagePulledRecord {
  readonly lastUpdatedTime: Ticks | null;
  readonly imageRef: string;
  readonly credentialMapping: Readonly<Record<string, ImagePullCredentials>>;
}

/** The API group of the record kinds (`kubelet.config.k8s.io`; the KEP's `imagemanager.` prefix was never used). */
export const RECORD_GROUP = 'kubelet.config.k8s.io';

/** The version the kubelet migrates to and reports as "latest" (cache.md §2.6, §2.7). */
export const LATEST_RECORD_API_VERSION: RecordApiVersion = 'v1beta1';

// ---------------------------------------------------------------------------------------------------------------
// File names

/**
 * The file name of a record: `sha256-` + lowercase hex SHA-256 of the key's raw UTF-8 bytes (`cacheFilename`,
 * fs_pullrecords.go). Key = the intent's image string or the pulled record's imageRef, verbatim.
 */
export function recordFileName(key: string): string {
  let name = fileNameMemo.get(key);
  if (name === undefined) {
    name = 'sha256-' + createHash('sha256').update(key, 'utf8').digest('hex');
    if (fileNameMemo.size >= FILE_NAME_MEMO_LIMIT) fileNameMemo.clear();
    fileNameMemo.set(key, name);
  }
  return name;
}

/** File names by key: every intent write, read and delete names the same few files (a pure function, bounded). */
const fileNameMemo = new Map<string, string>();
const FILE_NAME_MEMO_LIMIT = 16_384;

// ---------------------------------------------------------------------------------------------------------------
// Encoding

/** Options of the record encoder. */
export interface EncodeOptions {
  /**
   * Whether the record types have the `kubernetesServiceAccounts` field (1.34+). The 1.33 types do not, so a 1.33
   * kubelet cannot hold, let alone write, service-account coordinates: they are dropped. Default true.
   */
  readonly serviceAccountField?: boolean;
}

/**
 * The exact bytes the kubelet writes for an intent (apimachinery JSON serializer, fs_pullrecords.go
 * `WriteImagePullIntent`): compact JSON, `kind`, `apiVersion`, `image`, then one newline.
 */
export function encodeImagePullIntent(intent: ImagePullIntent, apiVersion: RecordApiVersion): string {
  return `{"kind":"ImagePullIntent","apiVersion":${goString(`${RECORD_GROUP}/${apiVersion}`)},"image":${goString(intent.image)}}\n`;
}

/**
 * The exact bytes the kubelet writes for a pulled record (fs_pullrecords.go `WriteImagePulledRecord`): fields in
 * struct order, map keys sorted by UTF-8 bytes, empty mapping/lists and a false `nodePodsAccessible` omitted,
 * `lastUpdatedTime` in whole UTC seconds (or null), Go's HTML-safe string escaping, one trailing newline. Lists
 * are written in the order given (the manager keeps them sorted).
 */
export function encodeImagePulledRecord(
  record: ImagePulledRecord,
  apiVersion: RecordApiVersion,
  { serviceAccountField = true }: EncodeOptions = {},
): string {
  let out = `{"kind":"ImagePulledRecord","apiVersion":${goString(`${RECORD_GROUP}/${apiVersion}`)},"lastUpdatedTime":`;
  out += record.lastUpdatedTime === null ? 'null' : `"${formatRfc3339Seconds(record.lastUpdatedTime)}"`;
  out += `,"imageRef":${goString(record.imageRef)}`;
  const keys = Object.keys(record.credentialMapping);
  if (keys.length > 0) {
    keys.sort(compareGoStrings);
    out += ',"credentialMapping":{';
    keys.forEach((key, index) => {
      if (index > 0) out += ',';
      // Every key comes from Object.keys of the same object, so the lookup cannot miss.
      out += `${goString(key)}:${encodeCredentials(record.credentialMapping[key]!, serviceAccountField)}`;
    });
    out += '}';
  }
  return out + '}\n';
}

function encodeCredentials(credentials: ImagePullCredentials, serviceAccountField: boolean): string {
  const parts: string[] = [];
  const secrets = credentials.kubernetesSecrets ?? [];
  if (secrets.length > 0) {
    const items = secrets.map(
      (s) =>
        `{"uid":${goString(s.uid)},"namespace":${goString(s.namespace)},"name":${goString(s.name)},"credentialHash":${goString(s.credentialHash)}}`,
    );
    parts.push(`"kubernetesSecrets":[${items.join(',')}]`);
  }
  const serviceAccounts = serviceAccountField ? (credentials.kubernetesServiceAccounts ?? []) : [];
  if (serviceAccounts.length > 0) {
    const items = serviceAccounts.map(
      (a) => `{"uid":${goString(a.uid)},"namespace":${goString(a.namespace)},"name":${goString(a.name)}}`,
    );
    parts.push(`"kubernetesServiceAccounts":[${items.join(',')}]`);
  }
  if (credentials.nodePodsAccessible === true) parts.push('"nodePodsAccessible":true');
  return `{${parts.join(',')}}`;
}

const HEX = '0123456789abcdef';

/**
 * A JSON string literal as Go's encoding/json writes it with HTML escaping on (the encoder's default): `"` and
 * `\` escaped, \b \f \n \r \t short forms (Go ≥ 1.22), other control characters, `<`, `>` and `&` as `\u00XX`,
 * U+2028/U+2029 as `\u2028`/`\u2029`, and invalid UTF-8 (in JS: an unpaired surrogate) as `\ufffd`.
 */
function goString(value: string): string {
  let out = '"';
  let start = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    let escaped: string | undefined;
    if (c < 0x20 || c === 0x22 || c === 0x5c || c === 0x3c || c === 0x3e || c === 0x26) {
      escaped = shortEscape(c) ?? `\\u00${HEX[c >> 4]}${HEX[c & 0xf]}`;
    } else if (c === 0x2028 || c === 0x2029) {
      escaped = c === 0x2028 ? '\\u2028' : '\\u2029';
    } else if (c >= 0xd800 && c <= 0xdfff) {
      const next = value.charCodeAt(i + 1);
      if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        i++; // a valid pair stays as it is
        continue;
      }
      escaped = '\\ufffd';
    }
    if (escaped !== undefined) {
      out += value.slice(start, i) + escaped;
      start = i + 1;
    }
  }
  return out + value.slice(start) + '"';
}

function shortEscape(c: number): string | undefined {
  switch (c) {
    case 0x22:
      return '\\"';
    case 0x5c:
      return '\\\\';
    case 0x08:
      return '\\b';
    case 0x0c:
      return '\\f';
    case 0x0a:
      return '\\n';
    case 0x0d:
      return '\\r';
    case 0x09:
      return '\\t';
    default:
      return undefined;
  }
}

/** `metav1.Time.MarshalJSON`: the UTC time truncated to whole seconds, RFC 3339. */
function formatRfc3339Seconds(value: Ticks): string {
  const seconds = Math.floor(value / 1_000_000);
  return new Date(seconds * 1000).toISOString().slice(0, 19) + 'Z';
}

// ---------------------------------------------------------------------------------------------------------------
// Decoding

/** What the strict decoder accepts: the registered versions and the shape of the record types. */
export interface DecodeOptions {
  readonly decodableApiVersions: readonly RecordApiVersion[];
  /** 1.33 types have no kubernetesServiceAccounts field: strict decoding rejects it */
  readonly serviceAccountField: boolean;
}

/** A decoded object with the apiVersion it was stored in, or the decoder's error text. */
export type Decoded<T> =
  | { readonly ok: true; readonly value: T; readonly apiVersion: RecordApiVersion }
  | { readonly ok: false; readonly error: string };

/**
 * Strictly decodes an intent file (fs_pullrecords.go `decodeIntent`): bad JSON, a missing or unregistered
 * apiVersion/kind, unknown or duplicate fields, wrong types, or another kind ⇒ an error.
 */
export function decodeImagePullIntent(text: string, options: DecodeOptions): Decoded<ImagePullIntent> {
  const decoded = decodeObject(text, options);
  if (!decoded.ok) return { ok: false, error: decoded.error };
  if (decoded.kind !== 'ImagePullIntent') {
    return { ok: false, error: `failed to convert object to *ImagePullIntent: *config.${decoded.kind}` };
  }
  return { ok: true, value: decoded.value as ImagePullIntent, apiVersion: decoded.apiVersion };
}

/** Strictly decodes a pulled-record file (fs_pullrecords.go `decodePulledRecord`); rules as for intents. */
export function decodeImagePulledRecord(text: string, options: DecodeOptions): Decoded<ImagePulledRecord> {
  const decoded = decodeObject(text, options);
  if (!decoded.ok) return { ok: false, error: decoded.error };
  if (decoded.kind !== 'ImagePulledRecord') {
    return { ok: false, error: `failed to convert object to *ImagePulledRecord: *config.${decoded.kind}` };
  }
  return { ok: true, value: decoded.value as ImagePulledRecord, apiVersion: decoded.apiVersion };
}

/**
 * Kinds registered in the kubelet's record scheme besides the two record kinds (`kubeletconfigv1alpha1` /
 * `v1beta1.AddToScheme`). A file of one of them decodes upstream and then fails the type check; this decoder does
 * not model their schemas and goes straight to that type-check error.
 */
const OTHER_REGISTERED_KINDS: Readonly<Record<RecordApiVersion, readonly string[]>> = {
  v1alpha1: ['CredentialProviderConfig'],
  v1beta1: ['KubeletConfiguration', 'SerializedNodeConfigSource', 'CredentialProviderConfig'],
};

const SCHEME_NAME = 'pkg/kubelet/images/pullmanager/fs_pullrecords.go';

/** JSON field names of the record types (TypeMeta's kind and apiVersion are fields too). */
const INTENT_FIELDS: ReadonlySet<string> = new Set(['kind', 'apiVersion', 'image']);
const RECORD_FIELDS: ReadonlySet<string> = new Set([
  'kind',
  'apiVersion',
  'lastUpdatedTime',
  'imageRef',
  'credentialMapping',
]);

type DecodedObject =
  | {
      readonly ok: true;
      readonly kind: string;
      readonly value: unknown;
      readonly apiVersion: RecordApiVersion;
    }
  | { readonly ok: false; readonly error: string };

/**
 * Decoded files by their text, per set of options. A record file is read again and again unchanged (every image GC
 * lists every record), and decoding is a pure function of the text: the answer is kept and shared. The record types
 * are readonly all the way down, so no caller can change what another is given. Bounded per options object.
 */
const decodeMemo = new WeakMap<DecodeOptions, Map<string, DecodedObject>>();
const DECODE_MEMO_LIMIT = 8192;

/** `decodeObjectUncached`, remembered (see `decodeMemo`). */
function decodeObject(text: string, options: DecodeOptions): DecodedObject {
  let memo = decodeMemo.get(options);
  if (memo === undefined) {
    memo = new Map();
    decodeMemo.set(options, memo);
  }
  let decoded = memo.get(text);
  if (decoded === undefined) {
    decoded = decodeObjectUncached(text, options);
    if (memo.size >= DECODE_MEMO_LIMIT) memo.clear();
    memo.set(text, decoded);
  }
  return decoded;
}

/** The apimachinery JSON serializer's Decode: syntax, type meta, scheme lookup, strict typed unmarshal. */
function decodeObjectUncached(text: string, options: DecodeOptions): DecodedObject {
  let root: JsonValue;
  try {
    root = new JsonParser(text).parseDocument();
  } catch (error) {
    if (error instanceof JsonSyntaxError) {
      return { ok: false, error: `couldn't get version/kind; json parse error: ${error.message}` };
    }
    throw error;
  }

  // SimpleMetaFactory.Interpret reads kind and apiVersion with plain encoding/json (last duplicate wins).
  if (root.t !== J_OBJ && root.t !== J_NULL) {
    return {
      ok: false,
      error: `couldn't get version/kind; json parse error: json: cannot unmarshal ${jsonTypeName(root)} into Go value of type struct { APIVersion string "json:\\"apiVersion,omitempty\\""; Kind string "json:\\"kind,omitempty\\"" }`,
    };
  }
  let kind = '';
  let apiVersion = '';
  if (root.t === J_OBJ) {
    for (const [key, value] of root.entries) {
      if (key !== 'kind' && key !== 'apiVersion') continue;
      if (value.t === J_NULL) continue;
      if (value.t !== J_STR) {
        return {
          ok: false,
          error: `couldn't get version/kind; json parse error: json: cannot unmarshal ${jsonTypeName(value)} into Go struct field .${key} of type string`,
        };
      }
      if (key === 'kind') kind = value.v;
      else apiVersion = value.v;
    }
  }
  const { group, version } = parseGroupVersion(apiVersion);
  if (kind === '') return { ok: false, error: `Object 'Kind' is missing in '${text}'` };
  if (version === '') return { ok: false, error: `Object 'apiVersion' is missing in '${text}'` };

  const registeredVersion = options.decodableApiVersions.find((v) => v === version);
  const knownKind = kind === 'ImagePullIntent' || kind === 'ImagePulledRecord';
  if (
    group !== RECORD_GROUP ||
    registeredVersion === undefined ||
    (!knownKind && !OTHER_REGISTERED_KINDS[registeredVersion].includes(kind))
  ) {
    const gv = group === '' ? version : `${group}/${version}`;
    return {
      ok: false,
      error: `no kind "${kind}" is registered for version "${gv}" in scheme "${SCHEME_NAME}"`,
    };
  }
  if (!knownKind) return { ok: true, kind, value: undefined, apiVersion: registeredVersion };

  const decoder = new TypedDecoder(registeredVersion, options.serviceAccountField);
  // Only an object reaches this point: a null document has no kind.
  const obj = root as JsonObject;
  const value = kind === 'ImagePullIntent' ? decoder.intent(obj) : decoder.pulledRecord(obj);
  const error = decoder.error();
  if (error !== undefined) return { ok: false, error };
  return { ok: true, kind, value, apiVersion: registeredVersion };
}

/** `schema.ParseGroupVersion` as used by `FromAPIVersionAndKind`: a malformed value counts as empty. */
function parseGroupVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf('/');
  if (slash < 0) return { group: '', version: apiVersion };
  if (apiVersion.indexOf('/', slash + 1) >= 0) return { group: '', version: '' };
  return { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

// ---------------------------------------------------------------------------------------------------------------
// Typed strict decoding (sigs.k8s.io/json UnmarshalStrict semantics)

/**
 * Walks the parsed tree into the record types the way the case-sensitive strict unmarshal does: `null` leaves a
 * field at its zero value; a wrong JSON type is a hard error (the first one wins); unknown and duplicate fields (also
 * duplicate map keys) are strict errors, collected, de-duplicated by text and capped at 100, and reported only
 * when no hard error occurred. Values of unknown fields are skipped unchecked, as upstream.
 */
class TypedDecoder {
  #hardError: string | undefined;
  readonly #strictErrors: string[] = [];
  readonly #seenStrict = new Set<string>();

  constructor(
    private readonly version: RecordApiVersion,
    private readonly serviceAccountField: boolean,
  ) {}

  error(): string | undefined {
    if (this.#hardError !== undefined) return this.#hardError;
    if (this.#strictErrors.length > 0) return `strict decoding error: ${this.#strictErrors.join(', ')}`;
    return undefined;
  }

  intent(obj: JsonObject): ImagePullIntent {
    let image = '';
    const seen = new Set<string>();
    for (const [key, value] of obj.entries) {
      if (this.#hardError !== undefined) break;
      if (!INTENT_FIELDS.has(key)) this.#unknown(key);
      else if (this.#known(seen, key) && key === 'image')
        image = this.#string(value, 'ImagePullIntent', 'image', image);
    }
    return { image };
  }

  pulledRecord(obj: JsonObject): ImagePulledRecord {
    let lastUpdatedTime: Ticks | null = null;
    let imageRef = '';
    let credentialMapping: Record<string, ImagePullCredentials> = {};
    const seen = new Set<string>();
    for (const [key, value] of obj.entries) {
      if (this.#hardError !== undefined) break;
      if (!RECORD_FIELDS.has(key)) {
        this.#unknown(key);
        continue;
      }
      this.#known(seen, key);
      switch (key) {
        case 'kind':
        case 'apiVersion':
          break;
        case 'lastUpdatedTime':
          lastUpdatedTime = this.#time(value, lastUpdatedTime);
          break;
        case 'imageRef':
          imageRef = this.#string(value, 'ImagePulledRecord', 'imageRef', imageRef);
          break;
        case 'credentialMapping':
          credentialMapping = this.#credentialMapping(value, credentialMapping);
          break;
      }
    }
    return { lastUpdatedTime, imageRef, credentialMapping };
  }

  /** Notes a known field; a second occurrence is a strict error (unknown fields are never checked for it). */
  #known(seen: Set<string>, key: string): true {
    if (seen.has(key)) this.#strict(`duplicate field "${key}"`);
    else seen.add(key);
    return true;
  }

  #unknown(key: string): void {
    this.#strict(`unknown field ${quoteGo(key)}`);
  }

  #strict(message: string): void {
    if (this.#strictErrors.length >= 100 || this.#seenStrict.has(message)) return;
    this.#seenStrict.add(message);
    this.#strictErrors.push(message);
  }

  #typeError(value: JsonValue, struct: string, field: string, type: string): void {
    this.#hardError ??= `json: cannot unmarshal ${jsonTypeName(value)} into Go struct field ${struct}.${field} of type ${type}`;
  }

  #string(value: JsonValue, struct: string, field: string, current: string): string {
    if (value.t === J_STR) return value.v;
    if (value.t !== J_NULL) this.#typeError(value, struct, field, 'string');
    return current;
  }

  #bool(value: JsonValue, struct: string, field: string, current: boolean): boolean {
    if (value.t === J_BOOL) return value.v;
    if (value.t !== J_NULL) this.#typeError(value, struct, field, 'bool');
    return current;
  }

  /** `metav1.Time.UnmarshalJSON`: null ⇒ zero time; otherwise a string in RFC 3339; its errors abort decoding. */
  #time(value: JsonValue, current: Ticks | null): Ticks | null {
    if (value.t === J_NULL) return null;
    if (value.t !== J_STR) {
      this.#hardError ??= `json: cannot unmarshal ${jsonTypeName(value)} into Go value of type string`;
      return current;
    }
    const parsed = parseRfc3339(value.v);
    if (typeof parsed === 'string') {
      this.#hardError ??= parsed;
      return current;
    }
    return parsed;
  }

  #credentialMapping(
    value: JsonValue,
    current: Record<string, ImagePullCredentials>,
  ): Record<string, ImagePullCredentials> {
    if (value.t === J_NULL) return {};
    if (value.t !== J_OBJ) {
      this.#typeError(
        value,
        'ImagePulledRecord',
        'credentialMapping',
        `map[string]${this.version}.ImagePullCredentials`,
      );
      return current;
    }
    // Decoding into an existing Go map adds to it; a fresh object per field occurrence is equivalent because a
    // second occurrence is a duplicate-field error anyway.
    const mapping: Record<string, ImagePullCredentials> = {};
    const seenKeys = new Set<string>();
    for (const [key, entry] of value.entries) {
      if (this.#hardError !== undefined) break;
      if (seenKeys.has(key)) this.#strict(`duplicate field ${quoteGo(key)}`);
      else seenKeys.add(key);
      // defineProperty keeps a key such as "__proto__" an ordinary own property.
      Object.defineProperty(mapping, key, {
        value: this.#credentials(entry),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return mapping;
  }

  #credentials(value: JsonValue): ImagePullCredentials {
    if (value.t === J_NULL) return {};
    if (value.t !== J_OBJ) {
      this.#typeError(
        value,
        'ImagePulledRecord',
        'credentialMapping',
        `${this.version}.ImagePullCredentials`,
      );
      return {};
    }
    let secrets: ImagePullSecret[] = [];
    let serviceAccounts: ImagePullServiceAccount[] = [];
    let nodePodsAccessible = false;
    const seen = new Set<string>();
    for (const [key, entry] of value.entries) {
      if (this.#hardError !== undefined) break;
      const known =
        key === 'kubernetesSecrets' ||
        key === 'nodePodsAccessible' ||
        (key === 'kubernetesServiceAccounts' && this.serviceAccountField);
      if (!known) {
        this.#unknown(key);
        continue;
      }
      this.#known(seen, key);
      if (key === 'kubernetesSecrets') {
        secrets = this.#list(entry, 'kubernetesSecrets', 'ImagePullSecret', secrets, (o) => this.#secret(o));
      } else if (key === 'kubernetesServiceAccounts') {
        serviceAccounts = this.#list(
          entry,
          'kubernetesServiceAccounts',
          'ImagePullServiceAccount',
          serviceAccounts,
          (o) => this.#serviceAccount(o),
        );
      } else {
        nodePodsAccessible = this.#bool(
          entry,
          'ImagePullCredentials',
          'credentialMapping.nodePodsAccessible',
          nodePodsAccessible,
        );
      }
    }
    const credentials: { -readonly [K in keyof ImagePullCredentials]: ImagePullCredentials[K] } = {};
    if (secrets.length > 0) credentials.kubernetesSecrets = secrets;
    if (serviceAccounts.length > 0) credentials.kubernetesServiceAccounts = serviceAccounts;
    if (nodePodsAccessible) credentials.nodePodsAccessible = true;
    return credentials;
  }

  #list<T>(
    value: JsonValue,
    field: string,
    elementType: string,
    current: T[],
    decodeElement: (obj: JsonObject | undefined) => T,
  ): T[] {
    if (value.t === J_NULL) return [];
    if (value.t !== J_ARR) {
      this.#typeError(
        value,
        'ImagePullCredentials',
        `credentialMapping.${field}`,
        `[]${this.version}.${elementType}`,
      );
      return current;
    }
    const out: T[] = [];
    for (const item of value.items) {
      if (this.#hardError !== undefined) break;
      if (item.t === J_NULL) {
        out.push(decodeElement(undefined));
      } else if (item.t !== J_OBJ) {
        this.#typeError(
          item,
          'ImagePullCredentials',
          `credentialMapping.${field}`,
          `${this.version}.${elementType}`,
        );
      } else {
        out.push(decodeElement(item));
      }
    }
    return out;
  }

  #secret(obj: JsonObject | undefined): ImagePullSecret {
    const s = { uid: '', namespace: '', name: '', credentialHash: '' };
    if (obj === undefined) return s;
    const seen = new Set<string>();
    for (const [key, value] of obj.entries) {
      if (this.#hardError !== undefined) break;
      if (key === 'uid' || key === 'namespace' || key === 'name' || key === 'credentialHash') {
        this.#known(seen, key);
        s[key] = this.#string(value, 'ImagePullSecret', `credentialMapping.kubernetesSecrets.${key}`, s[key]);
      } else {
        this.#unknown(key);
      }
    }
    return s;
  }

  #serviceAccount(obj: JsonObject | undefined): ImagePullServiceAccount {
    const a = { uid: '', namespace: '', name: '' };
    if (obj === undefined) return a;
    const seen = new Set<string>();
    for (const [key, value] of obj.entries) {
      if (this.#hardError !== undefined) break;
      if (key === 'uid' || key === 'namespace' || key === 'name') {
        this.#known(seen, key);
        a[key] = this.#string(
          value,
          'ImagePullServiceAccount',
          `credentialMapping.kubernetesServiceAccounts.${key}`,
          a[key],
        );
      } else {
        this.#unknown(key);
      }
    }
    return a;
  }
}

/** Go's `%q` for the ASCII-printable keys that occur in practice; other keys via JSON escaping (close enough). */
function quoteGo(value: string): string {
  return JSON.stringify(value);
}

// ---------------------------------------------------------------------------------------------------------------
// RFC 3339 (Go's time.Parse(time.RFC3339, s))

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:[.,](\d+))?(Z|[+-]\d{2}:\d{2})$/;
const TICKS_PER_SECOND = 1_000_000;

/**
 * Parses an RFC 3339 timestamp into ticks, or returns Go's error text. Fractional seconds are kept to the
 * microsecond (Go keeps nanoseconds; the extra digits are truncated). The zero time `0001-01-01T00:00:00Z` is
 * null; any other instant before the Unix epoch cannot be held in Ticks and is reported as an error (the kubelet
 * would accept it; no real record has one).
 */
function parseRfc3339(text: string): Ticks | null | string {
  const fail = (reason: string) =>
    `parsing time ${JSON.stringify(text)} as "2006-01-02T15:04:05Z07:00": ${reason}`;
  const m = RFC3339.exec(text);
  if (m === null) return fail(`cannot parse ${JSON.stringify(text)} as "2006-01-02T15:04:05Z07:00"`);
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (month < 1 || month > 12) return fail('month out of range');
  if (day < 1 || day > daysIn(year, month)) return fail('day out of range');
  if (hour > 23) return fail('hour out of range');
  if (minute > 59) return fail('minute out of range');
  if (second > 59) return fail('second out of range');
  let offsetSeconds = 0;
  const zone = m[8]!;
  if (zone !== 'Z') {
    const zoneHours = Number(zone.slice(1, 3));
    const zoneMinutes = Number(zone.slice(4, 6));
    if (zoneHours > 23 || zoneMinutes > 59) return fail('time zone offset out of range');
    offsetSeconds = (zone[0] === '-' ? -1 : 1) * (zoneHours * 3600 + zoneMinutes * 60);
  }
  const fraction = m[7] ?? '';
  const micros = Number((fraction + '000000').slice(0, 6));
  const epochSeconds =
    daysFromCivil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second - offsetSeconds;
  if (epochSeconds === ZERO_TIME_EPOCH_SECONDS && micros === 0 && /^0*$/.test(fraction)) return null;
  if (epochSeconds < 0) return fail('time before the Unix epoch is not representable in pullsim');
  const value = epochSeconds * TICKS_PER_SECOND + micros;
  if (!Number.isSafeInteger(value)) return fail('time after year 2255 is not representable in pullsim');
  return value as Ticks;
}

function daysIn(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

/** Go's zero `time.Time`, 0001-01-01T00:00:00Z, in seconds relative to the Unix epoch. */
const ZERO_TIME_EPOCH_SECONDS = daysFromCivil(1, 1, 1) * 86_400;

// ---------------------------------------------------------------------------------------------------------------
// JSON parser

const J_OBJ = 0;
const J_ARR = 1;
const J_STR = 2;
const J_NUM = 3;
const J_BOOL = 4;
const J_NULL = 5;

/** A parsed JSON object keeps every entry in file order, duplicates included, so strict decoding can see them. */
interface JsonObject {
  readonly t: typeof J_OBJ;
  readonly entries: Array<[string, JsonValue]>;
}

type JsonValue =
  | JsonObject
  | { readonly t: typeof J_ARR; readonly items: JsonValue[] }
  | { readonly t: typeof J_STR; readonly v: string }
  | { readonly t: typeof J_NUM }
  | { readonly t: typeof J_BOOL; readonly v: boolean }
  | { readonly t: typeof J_NULL };

function jsonTypeName(value: JsonValue): string {
  switch (value.t) {
    case J_OBJ:
      return 'object';
    case J_ARR:
      return 'array';
    case J_STR:
      return 'string';
    case J_NUM:
      return 'number';
    case J_BOOL:
      return 'bool';
    case J_NULL:
      return 'null';
  }
}

/** A syntax error with Go's scanner message (encoding/json `SyntaxError`). */
class JsonSyntaxError extends Error {}

const NULL_VALUE: JsonValue = { t: J_NULL };
const TRUE_VALUE: JsonValue = { t: J_BOOL, v: true };
const FALSE_VALUE: JsonValue = { t: J_BOOL, v: false };
const NUMBER_VALUE: JsonValue = { t: J_NUM };

/** Go's encoding/json scanner nesting limit. */
const MAX_DEPTH = 10_000;

/** An open container while parsing: an object waiting for the value of `key`, or an array. */
type OpenContainer =
  | { readonly t: typeof J_OBJ; readonly entries: Array<[string, JsonValue]>; key: string }
  | { readonly t: typeof J_ARR; readonly items: JsonValue[] };

/**
 * A hand-written JSON parser over a string that reports errors with Go's scanner messages. Containers are kept on
 * an explicit stack, so nesting up to Go's limit (10 000) cannot overflow the JS call stack. Only RFC 8259 JSON:
 * whitespace is space, tab, CR and LF; numbers are syntax-checked but not converted (no record field is a number);
 * `\u` escapes combine surrogate pairs and turn an unpaired surrogate into U+FFFD, as Go's unquote does.
 */
class JsonParser {
  #pos = 0;

  constructor(private readonly text: string) {}

  parseDocument(): JsonValue {
    const text = this.text;
    const open: OpenContainer[] = [];
    this.#skipSpace();
    for (;;) {
      // Parse one value; an opened non-empty container goes on the stack and its first member is parsed next.
      let value: JsonValue;
      const c = text.charCodeAt(this.#pos);
      if (c === 0x7b || c === 0x5b) {
        if (open.length >= MAX_DEPTH) throw new JsonSyntaxError('exceeded max depth');
        this.#pos++;
        this.#skipSpace();
        const close = c === 0x7b ? 0x7d : 0x5d;
        if (text.charCodeAt(this.#pos) === close) {
          this.#pos++;
          value = c === 0x7b ? { t: J_OBJ, entries: [] } : { t: J_ARR, items: [] };
        } else if (c === 0x7b) {
          open.push({ t: J_OBJ, entries: [], key: this.#objectKey() });
          continue;
        } else {
          open.push({ t: J_ARR, items: [] });
          continue;
        }
      } else {
        value = this.#scalar(c);
      }

      // Attach the value to its container; close every container that ends here.
      for (;;) {
        const top = open[open.length - 1];
        if (top === undefined) {
          this.#skipSpace();
          if (this.#pos < text.length) this.#fail('after top-level value');
          return value;
        }
        if (top.t === J_OBJ) top.entries.push([top.key, value]);
        else top.items.push(value);
        this.#skipSpace();
        const next = text.charCodeAt(this.#pos);
        if (next === 0x2c) {
          this.#pos++;
          this.#skipSpace();
          if (top.t === J_OBJ) top.key = this.#objectKey();
          break;
        }
        if (next === (top.t === J_OBJ ? 0x7d : 0x5d)) {
          this.#pos++;
          open.pop();
          value = top.t === J_OBJ ? { t: J_OBJ, entries: top.entries } : { t: J_ARR, items: top.items };
          continue;
        }
        this.#fail(top.t === J_OBJ ? 'after object key:value pair' : 'after array element');
      }
    }
  }

  #fail(context: string): never {
    if (this.#pos >= this.text.length) throw new JsonSyntaxError('unexpected end of JSON input');
    throw new JsonSyntaxError(`invalid character ${quoteChar(this.text.charCodeAt(this.#pos))} ${context}`);
  }

  #skipSpace(): void {
    const text = this.text;
    let pos = this.#pos;
    while (pos < text.length) {
      const c = text.charCodeAt(pos);
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
      pos++;
    }
    this.#pos = pos;
  }

  /** Reads `"key"` and the colon after it, leaving `#pos` at the value. */
  #objectKey(): string {
    if (this.text.charCodeAt(this.#pos) !== 0x22) this.#fail('looking for beginning of object key string');
    const key = this.#string();
    this.#skipSpace();
    if (this.text.charCodeAt(this.#pos) !== 0x3a) this.#fail('after object key');
    this.#pos++;
    this.#skipSpace();
    return key;
  }

  #scalar(c: number): JsonValue {
    switch (c) {
      case 0x22: // "
        return { t: J_STR, v: this.#string() };
      case 0x74: // t
        this.#literal('true');
        return TRUE_VALUE;
      case 0x66: // f
        this.#literal('false');
        return FALSE_VALUE;
      case 0x6e: // n
        this.#literal('null');
        return NULL_VALUE;
      default:
        if (c === 0x2d || isDigit(c)) {
          this.#number();
          return NUMBER_VALUE;
        }
        return this.#fail('looking for beginning of value');
    }
  }

  /** Parses a string literal starting at the opening quote. */
  #string(): string {
    const text = this.text;
    let pos = this.#pos + 1;
    let out = '';
    let start = pos;
    for (;;) {
      if (pos >= text.length) {
        this.#pos = pos;
        this.#fail('in string literal');
      }
      const c = text.charCodeAt(pos);
      if (c === 0x22) {
        this.#pos = pos + 1;
        return out + text.slice(start, pos);
      }
      if (c < 0x20) {
        this.#pos = pos;
        this.#fail('in string literal');
      }
      if (c !== 0x5c) {
        pos++;
        continue;
      }
      out += text.slice(start, pos);
      this.#pos = pos + 1;
      out += this.#escape();
      pos = this.#pos;
      start = pos;
    }
  }

  /** Decodes one escape; `#pos` is just after the backslash and ends after the escape. */
  #escape(): string {
    const c = this.text.charCodeAt(this.#pos);
    this.#pos++;
    switch (c) {
      case 0x22:
        return '"';
      case 0x5c:
        return '\\';
      case 0x2f:
        return '/';
      case 0x62:
        return '\b';
      case 0x66:
        return '\f';
      case 0x6e:
        return '\n';
      case 0x72:
        return '\r';
      case 0x74:
        return '\t';
      case 0x75: {
        const unit = this.#hex4();
        if (unit < 0xd800 || unit > 0xdfff) return String.fromCharCode(unit);
        if (
          unit <= 0xdbff &&
          this.text.charCodeAt(this.#pos) === 0x5c &&
          this.text.charCodeAt(this.#pos + 1) === 0x75
        ) {
          const save = this.#pos;
          this.#pos += 2;
          const low = this.#hex4();
          if (low >= 0xdc00 && low <= 0xdfff) return String.fromCharCode(unit, low);
          // Not a low surrogate: the high one becomes U+FFFD and the second escape is decoded on its own.
          this.#pos = save;
        }
        return '\ufffd';
      }
      default:
        this.#pos--;
        return this.#fail('in string escape code');
    }
  }

  #hex4(): number {
    let value = 0;
    for (let i = 0; i < 4; i++) {
      const c = this.text.charCodeAt(this.#pos);
      let digit: number;
      if (c >= 0x30 && c <= 0x39) digit = c - 0x30;
      else if (c >= 0x61 && c <= 0x66) digit = c - 0x57;
      else if (c >= 0x41 && c <= 0x46) digit = c - 0x37;
      else return this.#fail('in \\u hexadecimal character escape');
      value = value * 16 + digit;
      this.#pos++;
    }
    return value;
  }

  #literal(word: string): void {
    for (let i = 1; i < word.length; i++) {
      this.#pos++;
      if (this.text.charCodeAt(this.#pos) !== word.charCodeAt(i)) {
        this.#fail(`in literal ${word} (expecting ${quoteChar(word.charCodeAt(i))})`);
      }
    }
    this.#pos++;
  }

  #number(): void {
    const text = this.text;
    if (text.charCodeAt(this.#pos) === 0x2d) {
      this.#pos++;
      const c = text.charCodeAt(this.#pos);
      if (!(c >= 0x30 && c <= 0x39)) this.#fail('in numeric literal');
    }
    if (text.charCodeAt(this.#pos) === 0x30) this.#pos++;
    else this.#digits();
    if (text.charCodeAt(this.#pos) === 0x2e) {
      this.#pos++;
      if (!isDigit(text.charCodeAt(this.#pos))) this.#fail('after decimal point in numeric literal');
      this.#digits();
    }
    const e = text.charCodeAt(this.#pos);
    if (e === 0x65 || e === 0x45) {
      this.#pos++;
      const sign = text.charCodeAt(this.#pos);
      if (sign === 0x2b || sign === 0x2d) this.#pos++;
      if (!isDigit(text.charCodeAt(this.#pos))) this.#fail('in exponent of numeric literal');
      this.#digits();
    }
  }

  #digits(): void {
    while (isDigit(this.text.charCodeAt(this.#pos))) this.#pos++;
  }
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** Go's `quoteChar`: `'x'`, with `'\''` and `'"'` special-cased and control characters escaped. */
function quoteChar(c: number): string {
  if (c === 0x27) return `'\\''`;
  if (c === 0x22) return `'"'`;
  const quoted = JSON.stringify(String.fromCharCode(c));
  return `'${quoted.slice(1, -1)}'`;
}
