/**
 * Bad input from a user: an unreadable file, invalid YAML, an unknown field, an invalid value. The CLI prints
 * `file: path.to.field: what was expected` (one line per issue) and exits with code 2, without a stack trace.
 */
export interface InputIssue {
  /** The file the issue is in, when there is one. */
  readonly file?: string;
  /** 1-based line in that file, when known. */
  readonly line?: number;
  /** The field path, e.g. `spec.timeline[3].apply.spec.containers[0].image`; empty for the whole input. */
  readonly path: string;
  readonly message: string;
}

export function formatIssue(issue: InputIssue): string {
  const where =
    issue.file === undefined
      ? ''
      : issue.line === undefined
        ? `${issue.file}: `
        : `${issue.file}:${issue.line}: `;
  return `${where}${issue.path === '' ? '' : `${issue.path}: `}${issue.message}`;
}

export class InputError extends Error {
  readonly issues: readonly InputIssue[];

  constructor(issues: readonly InputIssue[] | InputIssue | string) {
    const list =
      typeof issues === 'string'
        ? [{ path: '', message: issues }]
        : Array.isArray(issues)
          ? issues
          : [issues as InputIssue];
    super(list.map(formatIssue).join('\n'));
    this.name = 'InputError';
    this.issues = list;
  }
}
