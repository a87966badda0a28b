/**
 * The parts of Go's `net/url.Parse` and `net.SplitHostPort` the keyring relies on (golang/go
 * `src/net/url/url.go` @ 011829989365218ba4532e86ab0b6702971daab3): the host (percent-decoded, validated) and
 * the percent-decoded path of an `http://` or `https://` URL — the keyring prefixes `https://` to every key and
 * image before parsing, so scheme-less and opaque forms never reach Go's parser. Query and fragment are cut off;
 * userinfo is validated and dropped. Any error makes the whole parse fail, which the keyring treats as "entry
 * ignored" or "no match".
 *
 * Later Go security releases tighten bracketed hosts (CVE-2025-47912: the brackets must hold an IPv6 address;
 * CVE-2026-25679: an IPv6 literal must start the host). They are not modelled: registry keys are host names.
 */
import { bytesToGoString, goStringToBytes, hexDigitValue } from './utf8.js';

export interface GoUrl {
  /** `URL.Host`: host[:port], percent-decoded. */
  readonly host: string;
  /** `URL.Path`, percent-decoded. */
  readonly path: string;
}

type Mode = 'path' | 'host' | 'zone' | 'userPassword' | 'fragment';

/** `url.Parse(rawUrl)` for a URL starting with `http://` or `https://`, reduced to host and path; undefined on error. */
export function parseGoUrl(rawUrl: string): GoUrl | undefined {
  const schemeEnd = rawUrl.indexOf('://');
  if (!/^https?$/.test(rawUrl.slice(0, schemeEnd))) throw new Error(`parseGoUrl needs an http(s) URL`);
  const hash = rawUrl.indexOf('#');
  const beforeFragment = hash < 0 ? rawUrl : rawUrl.slice(0, hash);
  if (hash >= 0 && unescapeUrl(rawUrl.slice(hash + 1), 'fragment') === undefined) return undefined;
  if (containsControlByte(beforeFragment)) return undefined; // "net/url: invalid control character in URL"
  // After "scheme://": a query (or a lone trailing "?", Go's ForceQuery) ends the part that matters here.
  let rest = beforeFragment.slice(schemeEnd + 3);
  const question = rest.indexOf('?');
  if (question >= 0) rest = rest.slice(0, question);
  const slash = rest.indexOf('/');
  const host = parseAuthority(slash < 0 ? rest : rest.slice(0, slash));
  if (host === undefined) return undefined;
  const path = unescapeUrl(slash < 0 ? '' : rest.slice(slash), 'path');
  return path === undefined ? undefined : { host, path };
}

/** Go's `stringContainsCTLByte`: a byte below 0x20 or DEL. */
function containsControlByte(text: string): boolean {
  for (let index = 0; index < text.length; index++) {
    const c = text.charCodeAt(index);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

function parseAuthority(authority: string): string | undefined {
  const at = authority.lastIndexOf('@');
  const host = parseHost(at < 0 ? authority : authority.slice(at + 1));
  if (host === undefined || at < 0) return host;
  const userinfo = authority.slice(0, at);
  if (!/^[A-Za-z0-9\-._:~!$&'()*+,;=%@]*$/.test(userinfo)) return undefined; // "net/url: invalid userinfo"
  const colon = userinfo.indexOf(':');
  const parts = colon < 0 ? [userinfo] : [userinfo.slice(0, colon), userinfo.slice(colon + 1)];
  return parts.every((part) => unescapeUrl(part, 'userPassword') !== undefined) ? host : undefined;
}

function validOptionalPort(port: string): boolean {
  return /^(:[0-9]*)?$/.test(port);
}

function parseHost(host: string): string | undefined {
  if (host.startsWith('[')) {
    const close = host.lastIndexOf(']');
    if (close < 0) return undefined; // "missing ']' in host"
    if (!validOptionalPort(host.slice(close + 1))) return undefined;
    const zone = host.slice(0, close).indexOf('%25');
    if (zone >= 0) {
      const parts = [
        unescapeUrl(host.slice(0, zone), 'host'),
        unescapeUrl(host.slice(zone, close), 'zone'),
        unescapeUrl(host.slice(close), 'host'),
      ];
      return parts.some((part) => part === undefined) ? undefined : parts.join('');
    }
  } else {
    const colon = host.lastIndexOf(':');
    if (colon >= 0 && !validOptionalPort(host.slice(colon))) return undefined; // "invalid port … after host"
  }
  return unescapeUrl(host, 'host');
}

/**
 * Go's `shouldEscape(c, encodeHost)`: what a host may not contain unescaped. Besides unreserved characters, Go allows
 * the sub-delims, ":" (port), "[" "]" (IPv6) and `< > "` (which it cannot %-encode in a host either).
 */
function mustEscapeInHost(c: number): boolean {
  if ((c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39)) return false;
  return !'-_.~!$&\'()*+,;=:[]<>"'.includes(String.fromCharCode(c));
}

/** Go's `unescape(s, mode)`: validates escapes (and host characters) and decodes `%XX` to bytes. */
function unescapeUrl(text: string, mode: Mode): string | undefined {
  let escapes = 0;
  for (let index = 0; index < text.length; ) {
    const c = text.charCodeAt(index);
    if (c === 0x25 /* % */) {
      escapes++;
      const high = hexDigitValue(text.charCodeAt(index + 1));
      const low = hexDigitValue(text.charCodeAt(index + 2));
      if (high < 0 || low < 0) return undefined; // "invalid URL escape"
      const isPercent25 = high === 2 && low === 5;
      // In a host, %-encoding is only for non-ASCII bytes (and %25 inside an IPv6 zone).
      if (mode === 'host' && high < 8 && !isPercent25) return undefined;
      if (mode === 'zone') {
        const value = high * 16 + low;
        if (!isPercent25 && value !== 0x20 && mustEscapeInHost(value)) return undefined;
      }
      index += 3;
      continue;
    }
    if ((mode === 'host' || mode === 'zone') && c < 0x80 && mustEscapeInHost(c)) return undefined; // "invalid character … in host name"
    index++;
  }
  if (escapes === 0) return text;
  const bytes: number[] = [];
  for (let index = 0; index < text.length; ) {
    if (text.charCodeAt(index) === 0x25) {
      bytes.push(hexDigitValue(text.charCodeAt(index + 1)) * 16 + hexDigitValue(text.charCodeAt(index + 2)));
      index += 3;
      continue;
    }
    const width = text.codePointAt(index)! > 0xffff ? 2 : 1;
    bytes.push(...goStringToBytes(text.slice(index, index + width)));
    index += width;
  }
  return bytesToGoString(Uint8Array.from(bytes));
}

/** `net.SplitHostPort`; undefined on any of its errors (missing port, too many colons, stray brackets). */
export function splitHostPort(hostport: string): { host: string; port: string } | undefined {
  const colon = hostport.lastIndexOf(':');
  if (colon < 0) return undefined;
  let host: string;
  let from = 0;
  let to = 0;
  if (hostport.startsWith('[')) {
    const end = hostport.indexOf(']');
    if (end < 0 || end + 1 !== colon) return undefined;
    host = hostport.slice(1, end);
    from = 1;
    to = end + 1;
  } else {
    host = hostport.slice(0, colon);
    if (host.includes(':')) return undefined;
  }
  if (hostport.slice(from).includes('[') || hostport.slice(to).includes(']')) return undefined;
  return { host, port: hostport.slice(colon + 1) };
}
