/**
 * The keys of the credential-provider plugin's response cache (`pkg/credentialprovider/plugin/plugin.go`):
 * `generateCacheKey`, `generateServiceAccountCacheKey`, the base key a response's `cacheKeyType` selects (the
 * `switch response.CacheKeyType` in `pluginProvider.provide`), `parseRegistry` and `getHashIfNotEmpty`.
 *
 * Keys are built with `golang.org/x/crypto/cryptobyte`: every string is written as its bytes behind a big-endian
 * uint16 length, the number of annotations as a uint32. A key is returned as a byte string (one character per byte,
 * U+0000…U+00FF), so the keys of the upstream tests compare as written there (`"\x00\x06image1\x00\x00"`). Input
 * strings are Go strings (`src/go/utf8.ts`: UTF-8, raw bytes as U+DC80…U+DCFF). A part longer than 65535 bytes
 * makes the builder fail, as cryptobyte does; `provide` then logs the error and gives no credentials.
 *
 * The service-account key differs by version (docs/kubelet-model.md#the-plugin-response-cache): 1.33 (KEP-4412
 * alpha) keys on the service account's namespace, name, UID and the annotations handed to the plugin; from 1.34
 * kubernetes/kubernetes#132617 adds `tokenAttributes.cacheType` and, for `cacheType: Token`, appends the marker
 * `token` and the SHA-256 of the pod's token, so that each token gets its own entry.
 */
import { createHash } from 'node:crypto';
import { compareGoStrings, goStringToBytes } from '../go/index.js';
import type { KubeletProfile } from '../profiles.js';

/** `credentialproviderapi.PluginCacheKeyType`: what a plugin's answer is valid for. */
export type PluginCacheKeyType = 'Image' | 'Registry' | 'Global';

/** `kubeletconfig.ServiceAccountTokenCacheType` (1.34+, #132617): per service account, or per token. */
export type ServiceAccountTokenCacheType = 'ServiceAccount' | 'Token';

/** `globalCacheKey`: the base key of a `Global` answer. */
export const GLOBAL_CACHE_KEY = 'global';

/** `cacheKeyParams` (1.34+; the four arguments of 1.33's `generateServiceAccountCacheKey` plus the token part). */
export interface ServiceAccountCacheKeyParams {
  readonly namespace: string;
  readonly serviceAccountName: string;
  readonly serviceAccountUid: string;
  /** The annotations handed to the plugin (required and optional keys that the service account has). */
  readonly annotations: Readonly<Record<string, string>>;
  /** `getHashIfNotEmpty(token)`; part of the key only with `cacheType: Token` (1.34+). */
  readonly tokenHash?: string;
  readonly cacheType?: ServiceAccountTokenCacheType;
}

/** A key, or cryptobyte's error when a part does not fit its length prefix. */
export type CacheKeyResult =
  | { readonly ok: true; readonly key: string }
  | { readonly ok: false; readonly error: string };

const UINT16_MAX = 0xffff;

/** A cryptobyte builder reduced to what the keys use: length-prefixed strings and one uint32. */
class KeyBuilder {
  private readonly bytes: number[] = [];
  private error: string | undefined;

  addString(text: string): this {
    const bytes = goStringToBytes(text);
    if (bytes.length > UINT16_MAX) {
      // cryptobyte's flushChild; the first error sticks.
      this.error ??= `cryptobyte: pending child length ${bytes.length} exceeds 2-byte length prefix`;
      return this;
    }
    this.bytes.push(bytes.length >> 8, bytes.length & 0xff);
    for (const byte of bytes) this.bytes.push(byte);
    return this;
  }

  /** The count, then each key and value, keys in Go's byte order (`sets.StringKeySet(...).List()`). */
  addAnnotations(annotations: Readonly<Record<string, string>>): this {
    const keys = Object.keys(annotations).sort(compareGoStrings);
    const count = keys.length;
    this.bytes.push((count >>> 24) & 0xff, (count >>> 16) & 0xff, (count >>> 8) & 0xff, count & 0xff);
    for (const key of keys) this.addString(key).addString(annotations[key] as string);
    return this;
  }

  build(): CacheKeyResult {
    if (this.error !== undefined) return { ok: false, error: this.error };
    let key = '';
    for (const byte of this.bytes) key += String.fromCharCode(byte);
    return { ok: true, key };
  }
}

/** `generateCacheKey`: the base key (image, registry or `global`), then the service-account key (may be empty). */
export function generateCacheKey(baseKey: string, serviceAccountCacheKey: string): CacheKeyResult {
  // The service-account key is already a byte string: write it byte for byte, not as UTF-8 of its characters.
  return new KeyBuilder().addString(baseKey).addString(byteStringToGoString(serviceAccountCacheKey)).build();
}

/**
 * `generateServiceAccountCacheKey` as the profile's kubelet builds it: namespace, name, UID and annotations; with
 * the cache type of 1.34+ (`profile.pluginServiceAccountCacheType`) and `cacheType: Token`, also `token` and the
 * token's hash.
 */
export function generateServiceAccountCacheKey(
  params: ServiceAccountCacheKeyParams,
  profile: Pick<KubeletProfile, 'pluginServiceAccountCacheType'>,
): CacheKeyResult {
  const builder = new KeyBuilder()
    .addString(params.namespace)
    .addString(params.serviceAccountName)
    .addString(params.serviceAccountUid)
    .addAnnotations(params.annotations);
  if (profile.pluginServiceAccountCacheType && params.cacheType === 'Token') {
    builder.addString('token').addString(params.tokenHash ?? '');
  }
  return builder.build();
}

/** `parseRegistry`: everything before the first `/` (the host, with its port). */
export function parseRegistry(image: string): string {
  const slash = image.indexOf('/');
  return slash < 0 ? image : image.slice(0, slash);
}

/** The base key of an answer with this `cacheKeyType`, or undefined for a type the kubelet rejects. */
export function baseCacheKey(cacheKeyType: string, image: string): string | undefined {
  switch (cacheKeyType) {
    case 'Image':
      return image;
    case 'Registry':
      return parseRegistry(image);
    case 'Global':
      return GLOBAL_CACHE_KEY;
    default:
      return undefined;
  }
}

/** `getHashIfNotEmpty`: `sha256:<hex>` of the token's bytes, or empty for an empty token. */
export function getHashIfNotEmpty(data: string): string {
  if (data === '') return '';
  return `sha256:${createHash('sha256').update(goStringToBytes(data)).digest('hex')}`;
}

/** A byte string back to the Go string whose bytes it holds (bytes ≥ 0x80 as raw-byte surrogates). */
function byteStringToGoString(bytes: string): string {
  let out = '';
  for (let index = 0; index < bytes.length; index++) {
    const code = bytes.charCodeAt(index);
    out += code < 0x80 ? bytes[index] : String.fromCharCode(0xdc00 + code);
  }
  return out;
}
