export {
  applyDefaultImageTag,
  familiarName,
  familiarString,
  goQuote,
  type NamedReference,
  type ParseResult,
  parseImageName,
  parseNamed,
  parseNormalizedNamed,
  parseReference,
  referenceString,
  trimImageTagDigest,
} from './reference.js';
