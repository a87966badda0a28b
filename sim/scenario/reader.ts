import type { Ticks } from '../../src/time.js';
import { cut, InputError, type InputIssue, type IssueCode, MAX_LISTED_ISSUES, type Path } from '../errors.js';
import { kindName, typeName } from '../input/issues.js';
import { parseDuration } from '../kernel/time.js';

export { formatPath, type Path, type PathSegment } from '../errors.js';

export { kindName, typeName } from '../input/issues.js';

/**
 * Collects validation issues (every one, not just the first) with their field path and, where the source text
 * is known, the line. Each reader method returns the value when it is valid and `undefined` otherwise, so a
 * caller can keep going and report the rest of the file. A value of `undefined` (YAML and JSON never produce
 * one; it is what `required` returns for a missing field) gives `undefined` without a second issue.
 */
export class Reader {
  readonly issues: InputIssue[] = [];
  /** Issues found beyond the ones kept. */
  omitted = 0;
  #secretDepth = 0;

  constructor(
    readonly file: string,
    private readonly lineOf: (path: Path) => number | undefined = () => undefined,
    /** Paths whose values may hold secrets (sim/input/secrets.ts): messages never quote them. */
    private readonly isSecret: (path: Path) => boolean = () => false,
  ) {}

  /** The source line of a field, when known. */
  lineAt(path: Path): number | undefined {
    return this.lineOf(path);
  }

  /**
   * Reads a part of the file that holds secrets: inside `read`, messages name a wrong value's kind but never
   * quote it (contract §4: secrets never appear in clear, error messages included).
   */
  secret<T>(read: () => T): T {
    this.#secretDepth++;
    try {
      return read();
    } finally {
      this.#secretDepth--;
    }
  }

  /** A value as messages show it: quoted, or only its kind inside `secret`. */
  describe(value: unknown, path: Path): string {
    return this.#hidden(path) ? kindName(value) : typeName(value);
  }

  /** Whether messages about the value at `path` must not quote it. */
  #hidden(path: Path): boolean {
    return this.#secretDepth > 0 || this.isSecret(path);
  }

  /**
   * Records an issue. Only the first MAX_LISTED_ISSUES are kept (and their lines looked up); the rest are
   * counted, so that a file with 40 000 unknown keys is answered at once.
   */
  issue(path: Path, message: string, code: IssueCode = 'invalid_value'): undefined {
    if (this.issues.length >= MAX_LISTED_ISSUES) {
      this.omitted++;
      return undefined;
    }
    const line = this.lineOf(path);
    this.issues.push({ code, file: this.file, ...(line === undefined ? {} : { line }), path, message });
    return undefined;
  }

  /** The error for every issue found, or undefined when there is none. */
  error(): InputError | undefined {
    return this.issues.length === 0 ? undefined : new InputError(this.issues, this.omitted);
  }

  /** A mapping whose keys are all in `allowed` (unknown fields are errors). */
  object(value: unknown, path: Path, allowed?: readonly string[]): Record<string, unknown> | undefined {
    if (value === undefined) return undefined;
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      return this.issue(path, `expected a mapping, got ${this.describe(value, path)}`, 'invalid_type');
    }
    const record = value as Record<string, unknown>;
    if (allowed !== undefined) {
      for (const key of Object.keys(record)) {
        if (!allowed.includes(key))
          this.issue(
            [...path, key],
            `unknown field (expected one of: ${allowed.join(', ')})`,
            'unknown_field',
          );
      }
    }
    return record;
  }

  required(record: Record<string, unknown>, key: string, path: Path): unknown {
    if (!(key in record) || record[key] === undefined || record[key] === null) {
      this.issue([...path, key], 'required field is missing', 'missing');
      return undefined;
    }
    return record[key];
  }

  list(value: unknown, path: Path): unknown[] | undefined {
    if (value === undefined) return undefined;
    if (!Array.isArray(value))
      return this.issue(path, `expected a list, got ${this.describe(value, path)}`, 'invalid_type');
    return value;
  }

  string(
    value: unknown,
    path: Path,
    options: { nonEmpty?: boolean; pattern?: RegExp; patternHint?: string } = {},
  ): string | undefined {
    if (value === undefined) return undefined;
    if (typeof value !== 'string')
      return this.issue(path, `expected a string, got ${this.describe(value, path)}`, 'invalid_type');
    if (options.nonEmpty && value.length === 0) return this.issue(path, 'must not be empty');
    if (options.pattern !== undefined && !options.pattern.test(value)) {
      const shown = this.#hidden(path) ? 'the value' : JSON.stringify(cut(value, 60));
      return this.issue(
        path,
        `${shown} is not valid: expected ${options.patternHint ?? `a value matching ${options.pattern}`}`,
      );
    }
    return value;
  }

  oneOf<T extends string>(value: unknown, path: Path, choices: readonly T[]): T | undefined {
    if (value === undefined) return undefined;
    if (typeof value !== 'string' || !(choices as readonly string[]).includes(value)) {
      return this.issue(path, `expected one of ${choices.join(', ')}, got ${this.describe(value, path)}`);
    }
    return value as T;
  }

  boolean(value: unknown, path: Path): boolean | undefined {
    if (value === undefined) return undefined;
    if (typeof value !== 'boolean')
      return this.issue(path, `expected true or false, got ${this.describe(value, path)}`, 'invalid_type');
    return value;
  }

  integer(value: unknown, path: Path, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
    if (value === undefined) return undefined;
    if (typeof value !== 'number' || !Number.isInteger(value))
      return this.issue(path, `expected an integer, got ${this.describe(value, path)}`, 'invalid_type');
    if (value < min || value > max)
      return this.issue(path, `expected an integer from ${min} to ${max}, got ${value}`);
    return value;
  }

  number(value: unknown, path: Path, min: number, max: number): number | undefined {
    if (value === undefined) return undefined;
    if (typeof value !== 'number' || !Number.isFinite(value))
      return this.issue(path, `expected a number, got ${this.describe(value, path)}`, 'invalid_type');
    if (value < min || value > max)
      return this.issue(path, `expected a number from ${min} to ${max}, got ${value}`);
    return value;
  }

  /** A Go/Kubernetes-style duration (`90s`, `5m`, `1h30m`); a bare 0 is accepted. */
  duration(value: unknown, path: Path): Ticks | undefined {
    if (value === undefined) return undefined;
    if (value === 0) return 0 as Ticks;
    if (typeof value !== 'string')
      return this.issue(
        path,
        `expected a duration such as 90s, 5m or 1h30m, got ${this.describe(value, path)}`,
      );
    try {
      return parseDuration(value);
    } catch (error) {
      return this.issue(path, (error as Error).message);
    }
  }

  stringList(value: unknown, path: Path, options: { nonEmpty?: boolean } = {}): string[] | undefined {
    const list = this.list(value, path);
    if (list === undefined) return undefined;
    const out: string[] = [];
    let ok = true;
    list.forEach((item, index) => {
      const s = this.string(item, [...path, index], options);
      if (s === undefined) ok = false;
      else out.push(s);
    });
    return ok ? out : undefined;
  }

  /** A mapping of string to string. */
  stringMap(value: unknown, path: Path): Record<string, string> | undefined {
    const record = this.object(value, path);
    if (record === undefined) return undefined;
    const out: Record<string, string> = {};
    let ok = true;
    for (const [key, item] of Object.entries(record)) {
      const s = this.string(item, [...path, key]);
      if (s === undefined) ok = false;
      else out[key] = s;
    }
    return ok ? out : undefined;
  }
}
