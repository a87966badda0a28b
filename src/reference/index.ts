export {
  applyDefaultImageTag,
  familiarName,
  familiarString,
  type NamedReference,
  type ParseResult,
  parseImageName,
  parseNamed,
  parseNormalizedNamed,
  parseReference,
  referenceString,
  trimImageTagDigest,
} from './reference.js';
