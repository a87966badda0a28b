/**
 * The strict decoder of the image-pull record files: the apimachinery JSON serializer's Decode as the kubelet's
 * record scheme uses it (`fs_pullrecords.go` `createKubeletConfigSchemeEncoderDecoder`), with the verdicts (and,
 * closely, the messages) of its strict universal decoder, over Go's JSON scanner (`src/go/json.ts`): `JSON.parse`
 * silently keeps the last of two duplicate keys, which the kubelet rejects.
 */
import {
  GO_ZERO_TIME_UNIX_SECONDS,
  GoJsonObject,
  type GoJsonParseOptions,
  type GoJsonValue,
  goJsonKind,
  goQuote,
  parseGoJson,
  parseRfc3339,
  rfc3339Error,
} from '../go/index.js';
import type { RecordApiVersion } from '../profiles.js';
import { TICKS_PER_SECOND, type Ticks } from '../time.js';
import {
  type ImagePullCredentials,
  type ImagePulledRecord,
  type ImagePullIntent,
  type ImagePullSecret,
  type ImagePullServiceAccount,
  RECORD_GROUP,
} from './record-types.js';

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
  return decodeKind<ImagePullIntent>(text, options, 'ImagePullIntent');
}

/** Strictly decodes a pulled-record file (fs_pullrecords.go `decodePulledRecord`); rules as for intents. */
export function decodeImagePulledRecord(text: string, options: DecodeOptions): Decoded<ImagePulledRecord> {
  return decodeKind<ImagePulledRecord>(text, options, 'ImagePulledRecord');
}

/** Decodes a file and checks that it holds `kind` (the type assertion after the scheme's Decode). */
function decodeKind<T>(
  text: string,
  options: DecodeOptions,
  kind: 'ImagePullIntent' | 'ImagePulledRecord',
): Decoded<T> {
  const decoded = decodeObject(text, options);
  if (!decoded.ok) return { ok: false, error: decoded.error };
  if (decoded.kind !== kind) {
    return { ok: false, error: `failed to convert object to *${kind}: *config.${decoded.kind}` };
  }
  return { ok: true, value: decoded.value as T, apiVersion: decoded.apiVersion };
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

/**
 * How record files are scanned: the offending character quoted, as the scanner does (a record holds no secret), and
 * raw lone surrogates kept as they are.
 */
const JSON_OPTIONS: GoJsonParseOptions = { errors: 'quoted', loneSurrogates: 'keep' };

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
  const parsed = parseGoJson(text, JSON_OPTIONS);
  if (!parsed.ok) return { ok: false, error: `couldn't get version/kind; json parse error: ${parsed.error}` };
  const root = parsed.value;

  // SimpleMetaFactory.Interpret reads kind and apiVersion with plain encoding/json (last duplicate wins).
  if (root !== null && !(root instanceof GoJsonObject)) {
    return {
      ok: false,
      error: `couldn't get version/kind; json parse error: json: cannot unmarshal ${goJsonKind(root)} into Go value of type struct { APIVersion string "json:\\"apiVersion,omitempty\\""; Kind string "json:\\"kind,omitempty\\"" }`,
    };
  }
  let kind = '';
  let apiVersion = '';
  if (root !== null) {
    for (const [key, value] of root.members) {
      if (key !== 'kind' && key !== 'apiVersion') continue;
      if (value === null) continue;
      if (typeof value !== 'string') {
        return {
          ok: false,
          error: `couldn't get version/kind; json parse error: json: cannot unmarshal ${goJsonKind(value)} into Go struct field .${key} of type string`,
        };
      }
      if (key === 'kind') kind = value;
      else apiVersion = value;
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
  const obj = root as GoJsonObject;
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

  intent(obj: GoJsonObject): ImagePullIntent {
    let image = '';
    const seen = new Set<string>();
    for (const [key, value] of obj.members) {
      if (this.#hardError !== undefined) break;
      if (!INTENT_FIELDS.has(key)) this.#unknown(key);
      else if (this.#known(seen, key) && key === 'image')
        image = this.#string(value, 'ImagePullIntent', 'image', image);
    }
    return { image };
  }

  pulledRecord(obj: GoJsonObject): ImagePulledRecord {
    let lastUpdatedTime: Ticks | null = null;
    let imageRef = '';
    let credentialMapping: Record<string, ImagePullCredentials> = {};
    const seen = new Set<string>();
    for (const [key, value] of obj.members) {
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
    this.#strict(`unknown field ${goQuote(key)}`);
  }

  #strict(message: string): void {
    if (this.#strictErrors.length >= 100 || this.#seenStrict.has(message)) return;
    this.#seenStrict.add(message);
    this.#strictErrors.push(message);
  }

  #typeError(value: GoJsonValue, struct: string, field: string, type: string): void {
    this.#hardError ??= `json: cannot unmarshal ${goJsonKind(value)} into Go struct field ${struct}.${field} of type ${type}`;
  }

  #string(value: GoJsonValue, struct: string, field: string, current: string): string {
    if (typeof value === 'string') return value;
    if (value !== null) this.#typeError(value, struct, field, 'string');
    return current;
  }

  #bool(value: GoJsonValue, struct: string, field: string, current: boolean): boolean {
    if (typeof value === 'boolean') return value;
    if (value !== null) this.#typeError(value, struct, field, 'bool');
    return current;
  }

  /** `metav1.Time.UnmarshalJSON`: null ⇒ zero time; otherwise a string in RFC 3339; its errors abort decoding. */
  #time(value: GoJsonValue, current: Ticks | null): Ticks | null {
    if (value === null) return null;
    if (typeof value !== 'string') {
      this.#hardError ??= `json: cannot unmarshal ${goJsonKind(value)} into Go value of type string`;
      return current;
    }
    const parsed = lastUpdatedTime(value);
    if (typeof parsed === 'string') {
      this.#hardError ??= parsed;
      return current;
    }
    return parsed;
  }

  /** A credentialMapping value, or one of its entries, of the wrong JSON kind for `type`. */
  #mappingTypeError(value: GoJsonValue, type: string): void {
    this.#typeError(value, 'ImagePulledRecord', 'credentialMapping', type);
  }

  #credentialMapping(
    value: GoJsonValue,
    current: Record<string, ImagePullCredentials>,
  ): Record<string, ImagePullCredentials> {
    if (value === null) return {};
    if (!(value instanceof GoJsonObject)) {
      this.#mappingTypeError(value, `map[string]${this.version}.ImagePullCredentials`);
      return current;
    }
    // Decoding into an existing Go map adds to it; a fresh object per field occurrence is equivalent because a
    // second occurrence is a duplicate-field error anyway.
    const mapping: Record<string, ImagePullCredentials> = {};
    const seenKeys = new Set<string>();
    for (const [key, entry] of value.members) {
      if (this.#hardError !== undefined) break;
      if (seenKeys.has(key)) this.#strict(`duplicate field ${goQuote(key)}`);
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

  #credentials(value: GoJsonValue): ImagePullCredentials {
    if (value === null) return {};
    if (!(value instanceof GoJsonObject)) {
      this.#mappingTypeError(value, `${this.version}.ImagePullCredentials`);
      return {};
    }
    let secrets: ImagePullSecret[] = [];
    let serviceAccounts: ImagePullServiceAccount[] = [];
    let nodePodsAccessible = false;
    const seen = new Set<string>();
    for (const [key, entry] of value.members) {
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
    value: GoJsonValue,
    field: string,
    elementType: string,
    current: T[],
    decodeElement: (obj: GoJsonObject | undefined) => T,
  ): T[] {
    if (value === null) return [];
    if (!Array.isArray(value)) {
      this.#typeError(
        value,
        'ImagePullCredentials',
        `credentialMapping.${field}`,
        `[]${this.version}.${elementType}`,
      );
      return current;
    }
    const out: T[] = [];
    for (const item of value as readonly GoJsonValue[]) {
      if (this.#hardError !== undefined) break;
      if (item === null) {
        out.push(decodeElement(undefined));
      } else if (!(item instanceof GoJsonObject)) {
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

  #secret(obj: GoJsonObject | undefined): ImagePullSecret {
    const s = { uid: '', namespace: '', name: '', credentialHash: '' };
    if (obj === undefined) return s;
    const seen = new Set<string>();
    for (const [key, value] of obj.members) {
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

  #serviceAccount(obj: GoJsonObject | undefined): ImagePullServiceAccount {
    const a = { uid: '', namespace: '', name: '' };
    if (obj === undefined) return a;
    const seen = new Set<string>();
    for (const [key, value] of obj.members) {
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

/**
 * A record's `lastUpdatedTime` in ticks, or Go's error text. Fractional seconds are kept to the microsecond (Go keeps
 * nanoseconds; the extra digits are truncated). The zero time `0001-01-01T00:00:00Z` is null; any other instant
 * before the Unix epoch cannot be held in Ticks and is reported as an error (the kubelet would accept it; no real
 * record has one).
 */
function lastUpdatedTime(text: string): Ticks | null | string {
  const parsed = parseRfc3339(text);
  if (!parsed.ok) return parsed.error;
  const { unixSeconds, nanoseconds, wholeSecond } = parsed.value;
  if (unixSeconds === GO_ZERO_TIME_UNIX_SECONDS && wholeSecond) return null;
  if (unixSeconds < 0)
    return rfc3339Error(text, 'time before the Unix epoch is not representable in pullsim').error;
  const value = unixSeconds * TICKS_PER_SECOND + Math.floor(nanoseconds / 1000);
  if (!Number.isSafeInteger(value))
    return rfc3339Error(text, 'time after year 2255 is not representable in pullsim').error;
  return value as Ticks;
}
