/**
 * Bad input from a user: an unreadable file, invalid YAML, an unknown field, an invalid value. Issues are data
 * (`{ code, path, message }`, with the file and line where known); they become text only at the edge, where the
 * CLI prints `file:line: path.to.field: what was expected` (one line per issue, at most MAX_LISTED_ISSUES of
 * them) and exits with code 2, without a stack trace.
 */

export type PathSegment = string | number;
/** Where a value is in a file: `['spec', 'timeline', 3, 'apply']`; empty for the whole input. */
export type Path = readonly PathSegment[];

/** What kind of problem an issue is, for programs that read issues (the message is for people). */
export type IssueCode =
  /** The file cannot be read (missing, a directory, no permission). */
  | 'unreadable'
  /** The file is not valid YAML or JSON. */
  | 'invalid_yaml'
  /** The file is larger, deeper or uses more aliases than pullsim reads. */
  | 'limit'
  /** A value of the wrong type (a list where a mapping is expected, …). */
  | 'invalid_type'
  /** A field pullsim does not know. */
  | 'unknown_field'
  /** A required field is absent. */
  | 'missing'
  /** A value of the right type that is not allowed (out of range, not one of the choices, a bad pattern). */
  | 'invalid_value'
  /** Two entries that must differ (hosts, names, users). */
  | 'duplicate'
  /** A name that refers to nothing declared (a node, a registry, a pod, a user). */
  | 'unknown_reference'
  /** A kubelet configuration the kubelet itself refuses to start with. */
  | 'invalid_configuration'
  /** A command-line option or argument. */
  | 'invalid_option';

export interface InputIssue {
  readonly code: IssueCode;
  /** The field path; empty for the whole input. */
  readonly path: Path;
  readonly message: string;
  /** The file the issue is in, when there is one. */
  readonly file?: string;
  /** 1-based line in that file, when known. */
  readonly line?: number;
}

/** How many issues an error lists; the rest are counted in a last line. */
export const MAX_LISTED_ISSUES = 20;
/** No issue line is longer than this (500 with the CLI's `pullsim: ` prefix) (a long value or key is cut, never echoed whole). */
const MAX_ISSUE_LINE = 490;
/** Path segments (map keys) longer than this are cut in messages. */
const MAX_SEGMENT = 60;

/** `spec.timeline[3].apply.spec.containers[0].image` from its segments. */
export function formatPath(path: Path): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (/^(--)?[A-Za-z_][A-Za-z0-9_-]*$/.test(segment) && segment.length <= MAX_SEGMENT)
      out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(cut(segment, MAX_SEGMENT))}]`;
  }
  return out;
}

/** A string cut to `max` characters, with `...` marking the cut. */
export function cut(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}

/** One issue as a line: `file:line: path: message`, at most MAX_ISSUE_LINE characters. */
export function formatIssue(issue: InputIssue): string {
  const where =
    issue.file === undefined
      ? ''
      : issue.line === undefined
        ? `${issue.file}: `
        : `${issue.file}:${issue.line}: `;
  const path = formatPath(issue.path);
  return cut(`${where}${path === '' ? '' : `${path}: `}${issue.message}`, MAX_ISSUE_LINE);
}

/** The lines an error prints: the first MAX_LISTED_ISSUES issues, then how many more there are. */
export function formatIssues(issues: readonly InputIssue[], omitted = 0): string[] {
  const lines = issues.slice(0, MAX_LISTED_ISSUES).map(formatIssue);
  const more = Math.max(0, issues.length - MAX_LISTED_ISSUES) + omitted;
  if (more > 0) {
    const file = issues[0]?.file;
    const where = file !== undefined && issues.every((issue) => issue.file === file) ? `${file}: ` : '';
    lines.push(`${where}and ${more} more ${more === 1 ? 'problem' : 'problems'}`);
  }
  return lines;
}

export class InputError extends Error {
  readonly issues: readonly InputIssue[];
  /** Issues found but not kept (beyond the cap of a collector); counted in the message. */
  readonly omitted: number;

  constructor(issues: readonly InputIssue[] | InputIssue | string, omitted = 0) {
    const list: readonly InputIssue[] =
      typeof issues === 'string'
        ? [{ code: 'invalid_value', path: [], message: issues }]
        : Array.isArray(issues)
          ? issues
          : [issues as InputIssue];
    super(formatIssues(list, omitted).join('\n'));
    this.name = 'InputError';
    this.issues = list;
    this.omitted = omitted;
  }

  /** The printed lines (capped). */
  lines(): string[] {
    return formatIssues(this.issues, this.omitted);
  }
}
