/**
 * Docker image references as the kubelet parses them: the grammar and normalisation of
 * github.com/distribution/reference (the version kubernetes vendors in 1.33–1.36, `vendor/github.com/distribution/
 * reference/{regexp,reference,normalize}.go`, with digest validation from `opencontainers/go-digest`), plus the
 * kubelet's `pkg/util/parsers.ParseImageName` and `applyDefaultImageTag` (`pkg/kubelet/images/image_manager.go`).
 *
 * Every error text is upstream's, byte for byte, because the kubelet puts them in events and container statuses.
 * The grammar regexps are built once, at module load, from the same building blocks as upstream's `regexp.go`.
 */
import { goQuote } from '../go/index.js';

/** A parsed, named image reference (distribution's `Named`, with its optional `Tagged` / `Digested` parts). */
export interface NamedReference {
  /**
   * The registry host (and port). Empty only in one upstream quirk: a first segment that `splitDockerDomain` takes
   * for a domain but the grammar rejects as one (`a_b.c/foo`) is re-read as part of the path.
   */
  readonly domain: string;
  readonly path: string;
  /** domain + '/' + path (just the path when the domain is empty). */
  readonly name: string;
  readonly tag?: string;
  readonly digest?: string;
}

/** The outcome of a parse: the value, or upstream's error text. */
export type ParseResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: string };

/** The kubelet's `parsers.ParseImageName` result: the tag is "latest" only when there is neither tag nor digest. */
export interface ParsedImageName {
  readonly repository: string;
  readonly tag: string;
  readonly digest: string;
}

/**
 * How the key of a pulled record's `credentialMapping` is formed (`KubeletProfile`;
 * docs/kubelet-model.md#image-names-and-keys).
 */
export type ImageKeyForm = 'normalised' | 'familiar';

// ---------------------------------------------------------------------------------------------------------------
// Constants and errors (reference.go, normalize.go, go-digest)

/** `RepositoryNameTotalLengthMax`: the longest path (without domain) a repository name may have. */
const REPOSITORY_NAME_TOTAL_LENGTH_MAX = 255;

const LEGACY_DEFAULT_DOMAIN = 'index.docker.io';
const DEFAULT_DOMAIN = 'docker.io';
const OFFICIAL_REPO_PREFIX = 'library/';
const LOCALHOST = 'localhost';
/** `parsers.DefaultImageTag`. */
const DEFAULT_IMAGE_TAG = 'latest';

/** distribution's sentinel errors; `ParseNormalizedNamed` returns them unwrapped. */
const ReferenceErrors = {
  referenceInvalidFormat: 'invalid reference format',
  nameContainsUppercase: 'repository name must be lowercase',
  nameEmpty: 'repository name must have at least one component',
  nameTooLong: `repository name must not be more than ${REPOSITORY_NAME_TOTAL_LENGTH_MAX} characters`,
  nameNotCanonical: 'repository name must be canonical',
  digestInvalidFormat: 'invalid checksum digest format',
  digestInvalidLength: 'invalid checksum digest length',
  digestUnsupported: 'unsupported digest algorithm',
} as const;

// ---------------------------------------------------------------------------------------------------------------
// Grammar (regexp.go). Go's RE2 and JavaScript agree here: every class is ASCII, Go's `\w` is JavaScript's `\w`
// without the `u` flag, `[[:xdigit:]]` is written out, and leftmost-first submatches are what a backtracking
// engine returns.

const optional = (...parts: string[]): string => `(?:${parts.join('')})?`;
const anyTimes = (...parts: string[]): string => `(?:${parts.join('')})*`;
const capture = (...parts: string[]): string => `(${parts.join('')})`;
const anchored = (...parts: string[]): string => `^${parts.join('')}$`;

const alphanumeric = '[a-z0-9]+';
const separator = '(?:[._]|__|[-]+)';
const domainNameComponent = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const optionalPort = '(?::[0-9]+)?';
const tagPat = '[\\w][\\w.-]{0,127}';
const digestPat = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][0-9A-Fa-f]{32,}';
const identifier = '([a-f0-9]{64})';
const ipv6address = '\\[(?:[a-fA-F0-9:]+)\\]';

const domainName = domainNameComponent + anyTimes('\\.', domainNameComponent);
const host = `(?:${domainName}|${ipv6address})`;
const domainAndPort = host + optionalPort;
const pathComponent = alphanumeric + anyTimes(separator, alphanumeric);
const remoteName = pathComponent + anyTimes('/', pathComponent);
const namePat = optional(domainAndPort, '/') + remoteName;

const REFERENCE_REGEXP = new RegExp(
  anchored(capture(namePat), optional(':', capture(tagPat)), optional('@', capture(digestPat))),
);
const ANCHORED_NAME_REGEXP = new RegExp(anchored(optional(capture(domainAndPort), '/'), capture(remoteName)));
const ANCHORED_IDENTIFIER_REGEXP = new RegExp(anchored(identifier));

// go-digest: the algorithms the kubelet binary links (sha256 and sha512 via crypto imports, sha384 with sha512)
// and their encoded forms; an unknown algorithm is "unsupported" only if it is at least well-formed.
const DIGEST_ENCODED_REGEXPS: ReadonlyMap<string, RegExp> = new Map([
  ['sha256', /^[a-f0-9]{64}$/],
  ['sha384', /^[a-f0-9]{96}$/],
  ['sha512', /^[a-f0-9]{128}$/],
]);
const DIGEST_ENCODED_LENGTHS: ReadonlyMap<string, number> = new Map([
  ['sha256', 64],
  ['sha384', 96],
  ['sha512', 128],
]);
const GO_DIGEST_ANCHORED_REGEXP = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;

// ---------------------------------------------------------------------------------------------------------------
// Parsing

/** distribution `Parse`: a syntactically valid reference, without any normalisation (reference.go). */
export function parseReference(s: string): ParseResult<NamedReference> {
  const matches = REFERENCE_REGEXP.exec(s);
  if (matches === null) {
    if (s === '') return fail(ReferenceErrors.nameEmpty);
    if (REFERENCE_REGEXP.test(goToLower(s))) return fail(ReferenceErrors.nameContainsUppercase);
    return fail(ReferenceErrors.referenceInvalidFormat);
  }
  const name = matches[1]!;
  // The name regexp accepts exactly what the reference regexp's name group does, so upstream's fallback for a
  // non-match is unreachable. Go's FindStringSubmatch reports a group that took no part as "": no domain is "".
  const nameMatch = ANCHORED_NAME_REGEXP.exec(name)!;
  const domain = nameMatch[1] ?? '';
  const path = nameMatch[2]!;
  if (path.length > REPOSITORY_NAME_TOTAL_LENGTH_MAX) return fail(ReferenceErrors.nameTooLong);

  const tag = matches[2] ?? '';
  const digest = matches[3] ?? '';
  if (digest !== '') {
    const digestError = validateDigest(digest);
    if (digestError !== undefined) return fail(digestError);
  }
  return { ok: true, value: namedReference(domain, path, tag, digest) };
}

/**
 * distribution `ParseNormalizedNamed` (normalize.go): parse a familiar name from the Docker UI into a fully
 * qualified reference (`nginx:1` → `docker.io/library/nginx:1`). The form the kubelet uses everywhere.
 *
 * The lowercase error is the wrapped form `invalid reference format: repository name (<remote>) must be lowercase`,
 * where <remote> is the normalised remainder up to its first colon (`ROOT` → `library/ROOT`). Both copies of
 * normalize.go that kubernetes has vendored since moving to github.com/distribution/reference (kubernetes/kubernetes
 * vendor/github.com/distribution/reference/normalize.go @ e0a566e71f693433f4bed729380e215e98a263ea and
 * @ 78fc8e44052f699bf598f84b697b41e5a328c9c5) carry it, so 1.33–1.36 print it. The older text "invalid reference
 * format: repository name must be lowercase" (docker/distribution era kubelets) is gone; the bare sentinel
 * "repository name must be lowercase" is still reachable through `Parse`, e.g. for `UPPER_case/foo`.
 */
export function parseNormalizedNamed(image: string): ParseResult<NamedReference> {
  const cached = normalizedCache.get(image);
  if (cached !== undefined) return cached;
  const result = Object.freeze(parseNormalizedNamedUncached(image));
  // A bounded memo: the simulator asks about the same few image strings on every sync. Results are frozen values
  // of the input alone, so sharing them cannot change any outcome.
  if (normalizedCache.size >= NORMALIZED_CACHE_ENTRIES_MAX) normalizedCache.clear();
  normalizedCache.set(image, result);
  return result;
}

const NORMALIZED_CACHE_ENTRIES_MAX = 4096;
const normalizedCache = new Map<string, ParseResult<NamedReference>>();

function parseNormalizedNamedUncached(image: string): ParseResult<NamedReference> {
  if (ANCHORED_IDENTIFIER_REGEXP.test(image)) {
    return fail(`invalid repository name (${image}), cannot specify 64-byte hexadecimal strings`);
  }
  const [domain, remainder] = splitDockerDomain(image);
  const tagSeparator = remainder.indexOf(':');
  const remote = tagSeparator > -1 ? remainder.slice(0, tagSeparator) : remainder;
  if (goToLower(remote) !== remote) {
    return fail(`invalid reference format: repository name (${remote}) must be lowercase`);
  }
  // Parse always yields a named reference here: its grammar needs at least one path component.
  return parseReference(`${domain}/${remainder}`);
}

/**
 * distribution `ParseNamed` (reference.go): like `parseNormalizedNamed`, but the input must already be in the
 * canonical form (`docker.io/library/nginx`, not `nginx`).
 */
export function parseNamed(s: string): ParseResult<NamedReference> {
  const named = parseNormalizedNamed(s);
  if (!named.ok) return named;
  if (referenceString(named.value) !== s) return fail(ReferenceErrors.nameNotCanonical);
  return named;
}

/**
 * The kubelet's `parsers.ParseImageName` (pkg/util/parsers/parsers.go): the normalised repository, the tag and the
 * digest; the tag defaults to "latest" only when there is neither tag nor digest. Errors are wrapped as
 * `couldn't parse image name "<image>": <err>` (Go `%q`).
 */
export function parseImageName(image: string): ParseResult<ParsedImageName> {
  const named = parseNormalizedNamed(image);
  if (!named.ok) return fail(parseImageNameError(image, named.error));
  const { name, tag = '', digest = '' } = named.value;
  return {
    ok: true,
    value: { repository: name, tag: tag === '' && digest === '' ? DEFAULT_IMAGE_TAG : tag, digest },
  };
}

/**
 * The kubelet's `applyDefaultImageTag` (pkg/kubelet/images/image_manager.go): append the default tag to the RAW
 * string when it has neither tag nor digest. The name is deliberately not qualified (`busybox` → `busybox:latest`,
 * never `docker.io/library/busybox:latest`) to keep the CRI agnostic of default registries. The error is
 * `parseImageName`'s, unwrapped; EnsureImageExists prefixes it with `Failed to apply default image tag "<image>": `.
 */
export function applyDefaultImageTag(image: string): ParseResult<string> {
  const parsed = parseImageName(image);
  if (!parsed.ok) return parsed;
  const { tag, digest } = parsed.value;
  // Upstream's exact condition; with a parsed reference it holds exactly when the tag was defaulted.
  const defaulted = digest === '' && tag !== '' && !image.endsWith(`:${tag}`);
  return { ok: true, value: defaulted ? `${image}:${tag}` : image };
}

/**
 * The key of a pulled record's `credentialMapping` (`trimImageTagDigest`, pkg/kubelet/images/pullmanager/
 * image_pull_manager.go). `normalised`: the repository of `parseImageName`, as in the merged 1.33–1.36 code
 * (`nginx:1` → `docker.io/library/nginx`). `familiar`: the name as written minus tag and digest
 * (`secretorg/myimage:customtag` → `secretorg/myimage`), which a newer upstream test expects; the change behind
 * it is not located (docs/kubelet-model.md#image-names-and-keys). Both reject what `parseImageName` rejects, with
 * its error.
 */
export function trimImageTagDigest(image: string, form: ImageKeyForm): ParseResult<string> {
  const named = parseNormalizedNamed(image);
  if (!named.ok) return fail(parseImageNameError(image, named.error));
  const { name, tag, digest } = named.value;
  if (form === 'normalised') return { ok: true, value: name };
  // The parsed text is a suffix of the input, so the input ends in [":" tag]["@" digest].
  let end = image.length;
  if (digest !== undefined) end -= digest.length + 1;
  if (tag !== undefined) end -= tag.length + 1;
  return { ok: true, value: image.slice(0, end) };
}

// ---------------------------------------------------------------------------------------------------------------
// Formatting

/** distribution `FamiliarName` (normalize.go `familiarizeName`): `docker.io/library/nginx` → `nginx`. */
export function familiarName(ref: NamedReference): string {
  if (ref.domain !== DEFAULT_DOMAIN) return ref.name;
  // Only a single-level name under library/ loses the prefix: library/foo/bar stays as it is.
  if (ref.path.startsWith(OFFICIAL_REPO_PREFIX)) {
    const remainder = ref.path.slice(OFFICIAL_REPO_PREFIX.length);
    if (!remainder.includes('/')) return remainder;
  }
  return ref.path;
}

/** distribution `FamiliarString`: the familiar name with its tag and digest (`nginx:1.27@sha256:…`). */
export function familiarString(ref: NamedReference): string {
  return withTagAndDigest(familiarName(ref), ref);
}

/** distribution `Reference.String()`: the full name with its tag and digest. */
export function referenceString(ref: NamedReference): string {
  return withTagAndDigest(ref.name, ref);
}

// ---------------------------------------------------------------------------------------------------------------
// Internals

/**
 * normalize.go `splitDockerDomain`: the first segment is a domain if it is `localhost`, contains `.` or `:`, or
 * has an upper-case letter (namespaces may not); `index.docker.io` becomes `docker.io`; single-level Docker Hub
 * names get `library/`. A name without `/` is always a Docker Hub name, even `localhost` or `example.com`.
 */
function splitDockerDomain(name: string): [domain: string, remainder: string] {
  const slash = name.indexOf('/');
  if (slash === -1) return [DEFAULT_DOMAIN, OFFICIAL_REPO_PREFIX + name];
  const maybeDomain = name.slice(0, slash);
  const maybeRemainder = name.slice(slash + 1);
  let domain: string;
  let remainder: string;
  if (maybeDomain === LOCALHOST) {
    [domain, remainder] = [maybeDomain, maybeRemainder];
  } else if (maybeDomain === LEGACY_DEFAULT_DOMAIN) {
    [domain, remainder] = [DEFAULT_DOMAIN, maybeRemainder];
  } else if (maybeDomain.includes('.') || maybeDomain.includes(':')) {
    [domain, remainder] = [maybeDomain, maybeRemainder];
  } else if (goToLower(maybeDomain) !== maybeDomain) {
    [domain, remainder] = [maybeDomain, maybeRemainder];
  } else {
    [domain, remainder] = [DEFAULT_DOMAIN, name];
  }
  if (domain === DEFAULT_DOMAIN && !remainder.includes('/')) remainder = OFFICIAL_REPO_PREFIX + remainder;
  return [domain, remainder];
}

/** go-digest `Digest.Validate`: the error text, or undefined when valid. */
function validateDigest(digest: string): string | undefined {
  // The grammar guarantees "<algorithm>:<hex>" with a non-empty algorithm and at least 32 hex digits.
  const colon = digest.indexOf(':');
  const algorithm = digest.slice(0, colon);
  const encoded = digest.slice(colon + 1);
  const encodedRegexp = DIGEST_ENCODED_REGEXPS.get(algorithm);
  if (encodedRegexp === undefined) {
    return GO_DIGEST_ANCHORED_REGEXP.test(digest)
      ? ReferenceErrors.digestUnsupported
      : ReferenceErrors.digestInvalidFormat;
  }
  if (encoded.length !== DIGEST_ENCODED_LENGTHS.get(algorithm)) return ReferenceErrors.digestInvalidLength;
  return encodedRegexp.test(encoded) ? undefined : ReferenceErrors.digestInvalidFormat;
}

function namedReference(domain: string, path: string, tag: string, digest: string): NamedReference {
  const name = domain === '' ? path : `${domain}/${path}`;
  return Object.freeze({
    domain,
    path,
    name,
    ...(tag === '' ? {} : { tag }),
    ...(digest === '' ? {} : { digest }),
  });
}

function withTagAndDigest(name: string, ref: NamedReference): string {
  let out = name;
  if (ref.tag !== undefined) out += `:${ref.tag}`;
  if (ref.digest !== undefined) out += `@${ref.digest}`;
  return out;
}

function parseImageNameError(image: string, error: string): string {
  return `couldn't parse image name ${goQuote(image)}: ${error}`;
}

function fail(error: string): { readonly ok: false; readonly error: string } {
  return { ok: false, error };
}

const NON_ASCII = /[\u0080-\uffff]/;

/**
 * Go's `strings.ToLower` (simple case mapping). JavaScript's `toLowerCase` differs only where it matters for the
 * grammar at U+0130 (İ): Go maps it to ASCII `i`, JavaScript to `i` + U+0307.
 */
function goToLower(s: string): string {
  if (!NON_ASCII.test(s)) return s.toLowerCase();
  return s.replaceAll('\u0130', 'i').toLowerCase();
}
