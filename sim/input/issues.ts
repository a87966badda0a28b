import type * as z from 'zod';
import { cut, InputError, type InputIssue, type IssueCode, MAX_LISTED_ISSUES, type Path } from '../errors.js';
import { QUOTED, VALUE } from './kit.js';

/*
 * Collects the issues of one input file: those of its schema (zod issues, located and worded here) and those of
 * the checks that need more than one field (references, duplicates, the kubelet's own validation). Only the first
 * MAX_LISTED_ISSUES are kept and their lines looked up; the rest are counted, so a file with 40 000 unknown keys
 * is answered at once.
 */

/** Describes a value's type the way error messages name it. */
export function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `the string ${JSON.stringify(cut(value, 40))}`;
  return `${typeof value} ${String(value)}`;
}

/** Like typeName, without the value: for values that may hold passwords, tokens or docker configs. */
export function kindName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `a ${typeof value} (the value is not shown)`;
}

export interface IssueSource {
  readonly file: string;
  /** The line of the value at a path (1 when nothing is known). */
  readonly lineOf?: (path: Path) => number | undefined;
  /** Whether the value at a path may hold a secret (sim/input/secrets.ts). */
  readonly isSecret?: (path: Path) => boolean;
}

export class Issues {
  readonly kept: InputIssue[] = [];
  #omitted = 0;
  readonly #source: IssueSource;

  constructor(source: IssueSource) {
    this.#source = source;
  }

  get count(): number {
    return this.kept.length + this.#omitted;
  }

  /** Records a problem at `path`. */
  add(path: Path, message: string, code: IssueCode = 'invalid_value'): undefined {
    if (this.kept.length >= MAX_LISTED_ISSUES) {
      this.#omitted++;
      return undefined;
    }
    const line = this.#source.lineOf?.(path);
    this.kept.push({ code, file: this.#source.file, ...(line === undefined ? {} : { line }), path, message });
    return undefined;
  }

  /** Validates `value` (found at `path`) against `schema`: its output, or undefined after recording every issue. */
  parse<T extends z.ZodType>(schema: T, value: unknown, path: Path): z.output<T> | undefined {
    const result = schema.safeParse(value, { reportInput: true });
    if (result.success) return result.data;
    for (const issue of result.error.issues) this.#addZod(issue, path);
    return undefined;
  }

  #addZod(issue: z.core.$ZodIssue, base: Path): void {
    const path = [...base, ...(issue.path as Path)];
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) this.add([...path, key], issue.message, 'unknown_field');
      return;
    }
    const input = (issue as { input?: unknown }).input;
    const secret = this.#source.isSecret?.(path) ?? false;
    const message = issue.message
      .replace(VALUE, () => (secret ? kindName(input) : typeName(input)))
      .replace(QUOTED, () => (secret ? 'the value' : JSON.stringify(cut(String(input), 60))));
    this.add(path, message, codeOf(issue, input));
  }

  /** The error for every issue found, or undefined when there is none. */
  error(): InputError | undefined {
    return this.count === 0 ? undefined : new InputError(this.kept, this.#omitted);
  }

  /** Throws the error when there is one. */
  throwIfAny(): void {
    const error = this.error();
    if (error !== undefined) throw error;
  }
}

function codeOf(issue: z.core.$ZodIssue, input: unknown): IssueCode {
  if (issue.code === 'invalid_type') return input === undefined ? 'missing' : 'invalid_type';
  if (issue.code === 'custom') {
    const code = (issue.params as { code?: IssueCode } | undefined)?.code;
    if (code !== undefined) return code;
  }
  return 'invalid_value';
}
