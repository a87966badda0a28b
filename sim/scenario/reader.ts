import type { Ticks } from '../../src/time.js';
import type { InputIssue } from '../errors.js';
import { parseDuration } from '../kernel/time.js';

export type PathSegment = string | number;
export type Path = readonly PathSegment[];

/** `spec.timeline[3].apply.spec.containers[0].image` from its segments. */
export function formatPath(path: Path): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

/** Describes a JSON value's type the way error messages name it. */
export function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string')
    return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 37)}...` : value)}`;
  return `${typeof value} ${String(value)}`;
}

/** Like typeName, without the value: for fields that hold passwords, tokens or docker configs. */
export function kindName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `a ${typeof value} (the value is not shown)`;
}

/**
 * Collects validation issues (every one, not just the first) with their field path and, where the source text
 * is known, the line. Each reader method returns the value when it is valid and `undefined` otherwise, so a
 * caller can keep going and report the rest of the file. A value of `undefined` (YAML and JSON never produce
 * one; it is what `required` returns for a missing field) gives `undefined` without a second issue.
 */
export class Reader {
  readonly issues: InputIssue[] = [];
  #secretDepth = 0;

  constructor(
    readonly file: string,
    private readonly lineOf: (path: Path) => number | undefined = () => undefined,
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
  describe(value: unknown): string {
    return this.#secretDepth > 0 ? kindName(value) : typeName(value);
  }

  issue(path: Path, message: string): undefined {
    const line = this.lineOf(path);
    this.issues.push({
      file: this.file,
      ...(line === undefined ? {} : { line }),
      path: formatPath(path),
      message,
    });
    return undefined;
  }

  /** A mapping whose keys are all in `allowed` (unknown fields are errors). */
  object(value: unknown, path: Path, allowed?: readonly string[]): Record<string, unknown> | undefined {
    if (value === undefined) return undefined;
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      return this.issue(path, `expected a mapping, got ${this.describe(value)}`);
    }
    const record = value as Record<string, unknown>;
    if (allowed !== undefined) {
      for (const key of Object.keys(record)) {
        if (!allowed.includes(key))
          this.issue([...path, key], `unknown field (expected one of: ${allowed.join(', ')})`);
      }
    }
    return record;
  }

  required(record: Record<string, unknown>, key: string, path: Path): unknown {
    if (!(key in record) || record[key] === undefined || record[key] === null) {
      this.issue([...path, key], 'required field is missing');
      return undefined;
    }
    return record[key];
  }

  list(value: unknown, path: Path): unknown[] | undefined {
    if (value === undefined) return undefined;
    if (!Array.isArray(value)) return this.issue(path, `expected a list, got ${this.describe(value)}`);
    return value;
  }

  string(
    value: unknown,
    path: Path,
    options: { nonEmpty?: boolean; pattern?: RegExp; patternHint?: string } = {},
  ): string | undefined {
    if (value === undefined) return undefined;
    if (typeof value !== 'string') return this.issue(path, `expected a string, got ${this.describe(value)}`);
    if (options.nonEmpty && value.length === 0) return this.issue(path, 'must not be empty');
    if (options.pattern !== undefined && !options.pattern.test(value)) {
      const shown = this.#secretDepth > 0 ? 'the value' : JSON.stringify(value);
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
      return this.issue(path, `expected one of ${choices.join(', ')}, got ${this.describe(value)}`);
    }
    return value as T;
  }

  boolean(value: unknown, path: Path): boolean | undefined {
    if (value === undefined) return undefined;
    if (typeof value !== 'boolean')
      return this.issue(path, `expected true or false, got ${this.describe(value)}`);
    return value;
  }

  integer(value: unknown, path: Path, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
    if (value === undefined) return undefined;
    if (typeof value !== 'number' || !Number.isInteger(value))
      return this.issue(path, `expected an integer, got ${this.describe(value)}`);
    if (value < min || value > max)
      return this.issue(path, `expected an integer from ${min} to ${max}, got ${value}`);
    return value;
  }

  number(value: unknown, path: Path, min: number, max: number): number | undefined {
    if (value === undefined) return undefined;
    if (typeof value !== 'number' || !Number.isFinite(value))
      return this.issue(path, `expected a number, got ${this.describe(value)}`);
    if (value < min || value > max)
      return this.issue(path, `expected a number from ${min} to ${max}, got ${value}`);
    return value;
  }

  /** A Go/Kubernetes-style duration (`90s`, `5m`, `1h30m`); a bare 0 is accepted. */
  duration(value: unknown, path: Path): Ticks | undefined {
    if (value === undefined) return undefined;
    if (value === 0) return 0 as Ticks;
    if (typeof value !== 'string')
      return this.issue(path, `expected a duration such as 90s, 5m or 1h30m, got ${this.describe(value)}`);
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
