import {
  type Document,
  isAlias,
  isCollection,
  isPair,
  isScalar,
  LineCounter,
  parseDocument,
  visit,
} from 'yaml';
import { InputError, type InputIssue, type Path } from '../errors.js';

/*
 * Reading a YAML (or JSON) input file, hardened: the size, the nesting depth and the alias expansion are bounded,
 * each with its own message; a syntax error names its line and the kind of problem but never quotes the text
 * (the file may hold a Secret: the offending token could be a password); the yaml library's warnings are kept
 * from the process's stderr; and every value's line can be looked up for messages.
 */

/** Files larger than this are refused before parsing (a node with 10 000 record files is about 5 MiB of YAML). */
export const MAX_INPUT_BYTES = 16 * 1024 * 1024;
/** Deeper nesting than this is refused: no pullsim input nests more than ~12 levels. */
export const MAX_INPUT_DEPTH = 64;
/** How many aliases (`*name`) a file may expand, so that an alias bomb cannot exhaust memory. */
export const MAX_INPUT_ALIASES = 100;

export interface YamlInput {
  /** The file's content as plain data (mappings, lists, scalars). */
  readonly root: unknown;
  /** The 1-based line of the value at `path`, or of its nearest enclosing value; 1 when nothing is known. */
  readonly lineOf: (path: Path) => number;
  /** Where in the text the value at `path` (or its nearest enclosing value) starts: for reporting in file order. */
  readonly offsetOf: (path: Path) => number;
}

/** What each yaml error code means, in words that quote nothing from the file. */
const YAML_PROBLEMS: Readonly<Record<string, string>> = {
  ALIAS_PROPS: 'an alias cannot have an anchor or a tag',
  BAD_ALIAS: 'an alias is not valid here',
  BAD_DIRECTIVE: 'a directive is not valid',
  BAD_DQ_ESCAPE: 'a double-quoted string has an invalid escape',
  BAD_INDENT: 'the indentation is wrong',
  BAD_PROP_ORDER: 'an anchor or tag is in the wrong place',
  BAD_SCALAR_START: 'a plain value starts with a character that needs quoting',
  BLOCK_AS_IMPLICIT_KEY: 'a block value is used as a key',
  BLOCK_IN_FLOW: 'a block value is inside a flow collection ([…] or {…})',
  DUPLICATE_KEY: 'a key is repeated in the same mapping',
  IMPOSSIBLE: 'the text cannot be parsed',
  KEY_OVER_1024_CHARS: 'a key is longer than 1024 characters',
  MISSING_CHAR: 'a closing character is missing (a quote, ] or })',
  MULTILINE_IMPLICIT_KEY: 'a key spans several lines',
  MULTIPLE_ANCHORS: 'a value has two anchors',
  MULTIPLE_DOCS: 'the file holds one YAML document, but a second one starts here',
  MULTIPLE_TAGS: 'a value has two tags',
  NON_STRING_KEY: 'a key is not a string',
  TAB_AS_INDENT: 'a tab is used for indentation (use spaces)',
  TAG_RESOLVE_FAILED: 'a tag cannot be resolved',
  UNEXPECTED_TOKEN: 'unexpected text (a stray character, or a value where a key is expected)',
};

function sizeIssue(file: string, text: string): InputIssue | undefined {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes <= MAX_INPUT_BYTES) return undefined;
  const mb = (n: number) => `${(n / (1024 * 1024)).toFixed(1)} MiB`;
  return {
    code: 'limit',
    file,
    line: 1,
    path: [],
    message: `the file is ${mb(bytes)}; pullsim reads input files of at most ${mb(MAX_INPUT_BYTES)}`,
  };
}

/** Parses `text`; throws InputError (every syntax problem with its line, or the limit it passes). */
export function readYaml(text: string, file: string): YamlInput {
  const tooLarge = sizeIssue(file, text);
  if (tooLarge !== undefined) throw new InputError(tooLarge);
  const lineCounter = new LineCounter();
  const lineAt = (offset: number) => lineCounter.linePos(offset).line;
  let document: Document.Parsed;
  try {
    document = parseDocument(text, {
      lineCounter,
      // The library's own duplicate-key check compares every pair of keys (18 s for 40 000 keys); duplicateKeys
      // below does the same check with a set per mapping.
      uniqueKeys: false,
      prettyErrors: false,
      logLevel: 'error',
    });
  } catch (error) {
    throw overflow(error, file);
  }
  if (document.errors.length > 0) throw new InputError(syntaxIssues(document, lineAt, file));
  const duplicates = duplicateKeys(document, lineAt, file);
  if (duplicates.length > 0) throw new InputError(duplicates);
  const deep = depthIssue(document, lineAt, file);
  if (deep !== undefined) throw new InputError(deep);
  const root = toData(document, lineAt, file);
  if (root === null || root === undefined) {
    throw new InputError({ code: 'missing', file, line: 1, path: [], message: 'the file is empty' });
  }
  const offsetOf = offsetFinder(document);
  return { root, offsetOf, lineOf: (path) => lineAt(offsetOf(path)) };
}

/** One issue per line and kind of problem (the parser often reports one mistake several times). */
function syntaxIssues(
  document: Document.Parsed,
  lineAt: (offset: number) => number,
  file: string,
): InputIssue[] {
  const seen = new Set<string>();
  const issues: InputIssue[] = [];
  for (const error of document.errors) {
    const line = lineAt(error.pos[0]);
    const message = `invalid YAML: ${YAML_PROBLEMS[error.code] ?? 'the text cannot be parsed'}`;
    const key = `${line}:${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    issues.push({ code: 'invalid_yaml', file, line, path: [], message });
  }
  return issues;
}

/** Keys repeated in one mapping (as the yaml library's `uniqueKeys` finds them), in linear time. */
function duplicateKeys(
  document: Document.Parsed,
  lineAt: (offset: number) => number,
  file: string,
): InputIssue[] {
  const issues: InputIssue[] = [];
  visit(document, {
    Map(_key, map) {
      const seen = new Set<unknown>();
      for (const pair of map.items) {
        const key = isScalar(pair.key) ? pair.key.value : pair.key;
        if (!seen.has(key)) {
          seen.add(key);
          continue;
        }
        const range = isScalar(pair.key) ? pair.key.range : undefined;
        issues.push({
          code: 'invalid_yaml',
          file,
          line: range ? lineAt(range[0]) : 1,
          path: [],
          message: `invalid YAML: ${YAML_PROBLEMS.DUPLICATE_KEY}`,
        });
      }
      return undefined;
    },
  });
  return issues;
}

/** A stack overflow inside the parser (only reachable past the depth bound) as a clear message. */
function overflow(error: unknown, file: string): unknown {
  if (!(error instanceof RangeError)) return error;
  return new InputError({
    code: 'limit',
    file,
    line: 1,
    path: [],
    message: `the file nests values more than ${MAX_INPUT_DEPTH} levels deep`,
  });
}

/** The first collection nested deeper than MAX_INPUT_DEPTH, walked without recursion. */
function depthIssue(
  document: Document.Parsed,
  lineAt: (offset: number) => number,
  file: string,
): InputIssue | undefined {
  const stack: { node: unknown; depth: number }[] = [{ node: document.contents, depth: 1 }];
  while (stack.length > 0) {
    const { node, depth } = stack.pop() as { node: unknown; depth: number };
    if (!isCollection(node)) continue;
    if (depth > MAX_INPUT_DEPTH) {
      const line = node.range === undefined || node.range === null ? 1 : lineAt(node.range[0]);
      return {
        code: 'limit',
        file,
        line,
        path: [],
        message: `values are nested more than ${MAX_INPUT_DEPTH} levels deep here; pullsim inputs nest a few levels`,
      };
    }
    for (const item of node.items as unknown[]) {
      if (isPair(item)) {
        stack.push({ node: item.key, depth: depth + 1 });
        stack.push({ node: item.value, depth: depth + 1 });
      } else stack.push({ node: item, depth: depth + 1 });
    }
  }
  return undefined;
}

/** The document as plain data, with alias expansion bounded. */
function toData(document: Document.Parsed, lineAt: (offset: number) => number, file: string): unknown {
  try {
    return document.toJS({ maxAliasCount: MAX_INPUT_ALIASES });
  } catch (error) {
    if (error instanceof RangeError) throw overflow(error, file);
    const alias = firstAlias(document);
    const unresolved = alias !== undefined && alias.resolved === undefined;
    throw new InputError({
      code: unresolved ? 'invalid_yaml' : 'limit',
      file,
      line: alias?.offset === undefined ? 1 : lineAt(alias.offset),
      path: [],
      message: unresolved
        ? 'invalid YAML: an alias (*name) refers to an anchor (&name) that is not defined before it'
        : `invalid YAML: the aliases (*name) expand too much; pullsim expands at most ${MAX_INPUT_ALIASES} of them`,
    });
  }
}

/** The first alias whose anchor is missing, or else the first alias. */
function firstAlias(document: Document.Parsed): { offset?: number; resolved: unknown } | undefined {
  let first: { offset?: number; resolved: unknown } | undefined;
  visit(document, {
    Alias(_key, node) {
      if (!isAlias(node)) return undefined;
      const resolved = node.resolve(document);
      const found = { ...(node.range ? { offset: node.range[0] } : {}), resolved };
      if (resolved === undefined) {
        first = found;
        return visit.BREAK;
      }
      first ??= found;
      return undefined;
    },
  });
  return first;
}

/** Looks up offsets lazily: only the issues that are printed ask. */
function offsetFinder(document: Document.Parsed): (path: Path) => number {
  return (path) => {
    for (let length = path.length; length >= 0; length--) {
      const prefix = path.slice(0, length);
      const node = document.getIn(prefix, true) as { range?: [number, number, number] } | undefined;
      if (node?.range !== undefined) return node.range[0];
      const key = length > 0 ? pairKeyOffset(document, prefix) : undefined;
      if (key !== undefined) return key;
    }
    return 0;
  };
}

/** The source offset of the key of a mapping entry (for a field whose value is null or missing). */
function pairKeyOffset(document: Document.Parsed, path: Path): number | undefined {
  const parent = document.getIn(path.slice(0, -1), true) as
    | { items?: { key?: { value?: unknown; range?: [number, number, number] } }[] }
    | undefined;
  const key = path[path.length - 1];
  const pair = parent?.items?.find((item) => item.key?.value === key);
  return pair?.key?.range?.[0];
}
