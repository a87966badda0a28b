export { type Base64Result, decodeGoBase64 } from './base64.js';
export {
  type GoDurationGroup,
  type GoDurationSyntaxError,
  parseGoDuration,
  scanGoDuration,
} from './duration.js';
export { goFilepathMatch, hasGlobMeta } from './glob.js';
export {
  GoJsonObject,
  type GoJsonParseOptions,
  type GoJsonParseResult,
  type GoJsonValue,
  goJsonKind,
  parseGoJson,
} from './json.js';
export { goJsonString } from './json-encode.js';
export { goQuote } from './quote.js';
export {
  formatRfc3339Seconds,
  GO_ZERO_TIME_UNIX_SECONDS,
  type GoTime,
  parseRfc3339,
  rfc3339Error,
} from './rfc3339.js';
export { type GoUrl, parseGoUrl, splitHostPort } from './url.js';
export {
  bytesToGoString,
  compareGoStrings,
  decodeRune,
  goStringToBytes,
  goTrimSpace,
  hexDigitValue,
  isAscii,
} from './utf8.js';
