export { decodeGoBase64 } from './base64.js';
export {
  type GoDurationSyntaxError,
  parseGoDuration,
  scanGoDuration,
} from './duration.js';
export { goFilepathMatch, hasGlobMeta } from './glob.js';
export {
  GoJsonObject,
  type GoJsonParseOptions,
  type GoJsonValue,
  goJsonKind,
  parseGoJson,
} from './json.js';
export { goJsonString } from './json-encode.js';
export { goQuote } from './quote.js';
export {
  formatRfc3339Seconds,
  GO_ZERO_TIME_UNIX_SECONDS,
  parseRfc3339,
  rfc3339Error,
} from './rfc3339.js';
export { type GoUrl, parseGoUrl, splitHostPort } from './url.js';
export {
  bytesToGoString,
  compareGoStrings,
  goStringToBytes,
  goTrimSpace,
} from './utf8.js';
