/**
 * `hashAuthConfig` (`pkg/credentialprovider/keyring.go`): the lowercase hex SHA-256 of `json.Marshal(AuthConfig)`.
 * The struct's fields are username, password, auth, email, serveraddress, identitytoken, registrytoken, all
 * `omitempty`; the keyring only ever fills username, password and email, so the encoded form is
 * `{"username":…,"password":…,"email":…}` minus the empty ones. The registry and the credential's source are not part
 * of it: identical credentials hash identically wherever they come from
 * (docs/kubelet-model.md#the-credential-hash).
 */
import { createHash } from 'node:crypto';
import { bytesToGoString, goJsonString, goStringToBytes } from '../go/index.js';

/** A lone surrogate: in a credential string, a raw byte (U+DC80…U+DCFF) or a character Go cannot hold. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * The Go string `text` stands for, spelt canonically: carried raw bytes that together form valid UTF-8 become that
 * character, and any other lone surrogate U+FFFD (see `goStringToBytes`). Only raw bytes that are not valid UTF-8
 * stay lone surrogates, which `goJsonString` writes as `\ufffd` one byte at a time, as Go's encoder does.
 */
function canonicalGoString(text: string): string {
  return LONE_SURROGATE.test(text) ? bytesToGoString(goStringToBytes(text)) : text;
}

const UTF8 = new TextEncoder();

/**
 * The exact bytes `json.Marshal(&AuthConfig{Username, Password, Email})` produces. Strings are Go strings: a lone
 * surrogate U+DC80…U+DCFF stands for one raw, non-UTF-8 byte (see `src/go/utf8.ts`).
 */
export function authConfigJson(auth: { username?: string; password?: string; email?: string }): Uint8Array {
  let out = '{';
  const fields: [string, string | undefined][] = [
    ['username', auth.username],
    ['password', auth.password],
    ['email', auth.email],
  ];
  for (const [name, value] of fields) {
    if (value === undefined || value === '') continue;
    if (out.length > 1) out += ',';
    out += `"${name}":${goJsonString(canonicalGoString(value))}`;
  }
  // Every lone surrogate is escaped by now, so the UTF-8 encoding is exact.
  return UTF8.encode(`${out}}`);
}

/**
 * `hashAuthConfig`: lowercase hex SHA-256 of the Go JSON encoding of the credential (`keyring.go`). Depends only on
 * username, password and email.
 *
 * @example credentialHash({ username: 'u', password: 'p' }) // sha256('{"username":"u","password":"p"}')
 */
export function credentialHash(auth: { username?: string; password?: string; email?: string }): string {
  const json = authConfigJson(auth);
  const key = Buffer.from(json.buffer, json.byteOffset, json.byteLength).toString('latin1');
  let hash = hashMemo.get(key);
  if (hash === undefined) {
    hash = createHash('sha256').update(json).digest('hex');
    if (hashMemo.size >= HASH_MEMO_LIMIT) hashMemo.clear();
    hashMemo.set(key, hash);
  }
  return hash;
}

/**
 * Hashes by their input. A pod start hashes the same few credentials again and again (the kubelet builds a fresh
 * keyring per pod), and SHA-256 is the costliest step; the memo only remembers a pure function's results.
 */
const hashMemo = new Map<string, string>();
const HASH_MEMO_LIMIT = 4096;
