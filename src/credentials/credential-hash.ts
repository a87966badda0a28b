/**
 * `hashAuthConfig` (`pkg/credentialprovider/keyring.go`): the lowercase hex SHA-256 of `json.Marshal(AuthConfig)`.
 * The struct's fields are username, password, auth, email, serveraddress, identitytoken, registrytoken, all
 * `omitempty`; the keyring only ever fills username, password and email, so the encoded form is
 * `{"username":…,"password":…,"email":…}` minus the empty ones. The registry and the credential's source are not part
 * of it: identical credentials hash identically wherever they come from
 * (docs/kubelet-model.md#the-credential-hash).
 */
import { createHash } from 'node:crypto';
import { decodeRune, goStringToBytes } from '../go/index.js';

const HEX = '0123456789abcdef';

/** Characters Go's encoder writes unchanged (with `SetEscapeHTML(true)`, which `json.Marshal` uses). */
const PLAIN = /^[\x20\x21\x23-\x25\x27-\x3b\x3d\x3f-\x5b\x5d-\x7f]*$/;

/**
 * Go's `appendString` with HTML escaping: `"` and `\` escaped, `\b \f \n \r \t` short forms, other control bytes and
 * `< > &` as `\u00XX`, U+2028/U+2029 as `\u2028`/`\u2029`, and each byte that is not valid UTF-8 as `\ufffd`.
 */
function appendGoJsonString(out: number[], text: string): void {
  out.push(0x22);
  if (PLAIN.test(text)) {
    for (let index = 0; index < text.length; index++) out.push(text.charCodeAt(index));
    out.push(0x22);
    return;
  }
  const bytes = goStringToBytes(text);
  const pushAscii = (ascii: string): void => {
    for (let index = 0; index < ascii.length; index++) out.push(ascii.charCodeAt(index));
  };
  for (let index = 0; index < bytes.length; ) {
    const b = bytes[index]!;
    if (b < 0x80) {
      switch (b) {
        case 0x22:
          pushAscii('\\"');
          break;
        case 0x5c:
          pushAscii('\\\\');
          break;
        case 0x08:
          pushAscii('\\b');
          break;
        case 0x0c:
          pushAscii('\\f');
          break;
        case 0x0a:
          pushAscii('\\n');
          break;
        case 0x0d:
          pushAscii('\\r');
          break;
        case 0x09:
          pushAscii('\\t');
          break;
        default:
          if (b < 0x20 || b === 0x3c || b === 0x3e || b === 0x26)
            pushAscii(`\\u00${HEX[b >> 4]}${HEX[b & 0xf]}`);
          else out.push(b);
      }
      index++;
      continue;
    }
    const [codePoint, size] = decodeRune(bytes, index);
    if (codePoint < 0) pushAscii('\\ufffd');
    else if (codePoint === 0x2028 || codePoint === 0x2029) pushAscii(`\\u202${HEX[codePoint & 0xf]}`);
    else for (let k = 0; k < size; k++) out.push(bytes[index + k]!);
    index += size;
  }
  out.push(0x22);
}

/**
 * The exact bytes `json.Marshal(&AuthConfig{Username, Password, Email})` produces. Strings are Go strings: a lone
 * surrogate U+DC80…U+DCFF stands for one raw, non-UTF-8 byte (see `src/go/utf8.ts`).
 */
export function authConfigJson(auth: { username?: string; password?: string; email?: string }): Uint8Array {
  const out: number[] = [0x7b];
  const fields: [string, string | undefined][] = [
    ['username', auth.username],
    ['password', auth.password],
    ['email', auth.email],
  ];
  for (const [name, value] of fields) {
    if (value === undefined || value === '') continue;
    if (out.length > 1) out.push(0x2c);
    appendGoJsonString(out, name);
    out.push(0x3a);
    appendGoJsonString(out, value);
  }
  out.push(0x7d);
  return Uint8Array.from(out);
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
