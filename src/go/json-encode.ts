/**
 * Go's encoding/json string encoder (`appendString` in encode.go) with HTML escaping on, as `json.Marshal` and the
 * apimachinery JSON serializer use it.
 */

const HEX = '0123456789abcdef';

/**
 * A JSON string literal as Go's encoding/json writes it with HTML escaping on (the encoder's default): `"` and
 * `\` escaped, \b \f \n \r \t short forms (Go ≥ 1.22), other control characters, `<`, `>` and `&` as `\u00XX`,
 * U+2028/U+2029 as `\u2028`/`\u2029`, and invalid UTF-8 (in JS: a lone surrogate) as `\ufffd`, once per unit.
 *
 * @example goJsonString('a<b') // '"a\\u003cb"'
 */
export function goJsonString(value: string): string {
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
