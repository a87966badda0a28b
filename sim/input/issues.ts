import * as z from 'zod';
import { cut, InputError, type InputIssue, type IssueCode, MAX_LISTED_ISSUES, type Path } from '../errors.js';
import { list, MISSING as MISSING_MESSAGE, QUOTED, VALUE } from './kit.js';

const ANY_LIST = list(z.unknown());

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
  /** Where the value at a path starts in the text, to report problems in file order. */
  readonly offsetOf?: (path: Path) => number;
  /** Whether the value at a path may hold a secret (sim/input/secrets.ts). */
  readonly isSecret?: (path: Path) => boolean;
}

export class Issues {
  readonly kept: InputIssue[] = [];
  /** Where each kept issue's value starts in the text. */
  readonly #offsets: number[] = [];
  #omitted = 0;
  readonly #source: IssueSource;

  constructor(source: IssueSource) {
    this.#source = source;
  }

  get count(): number {
    return this.kept.length + this.#omitted;
  }

  /** The line of the value at `path`, when known. */
  lineAt(path: Path): number | undefined {
    return this.#source.lineOf?.(path);
  }

  /** Records a problem at `path`. */
  add(path: Path, message: string, code: IssueCode = 'invalid_value'): undefined {
    if (this.kept.length >= MAX_LISTED_ISSUES) {
      this.#omitted++;
      return undefined;
    }
    const line = this.#source.lineOf?.(path);
    this.#offsets.push(this.#source.offsetOf?.(path) ?? 0);
    this.kept.push({ code, file: this.#source.file, ...(line === undefined ? {} : { line }), path, message });
    return undefined;
  }

  /** Validates `value` (found at `path`) against `schema`: its output, or undefined after recording every issue. */
  parse<T extends z.ZodType>(
    schema: T,
    value: unknown,
    path: Path,
    { missing }: { readonly missing?: string } = {},
  ): z.output<T> | undefined {
    const result = schema.safeParse(value, { reportInput: true });
    if (result.success) return result.data;
    for (const issue of unknownFieldsFirst(result.error.issues)) {
      const field = issue.path.length === 0 ? undefined : requiredNull(schema, value, issue.path as Path);
      this.#addZod(field ?? issue, path, missing);
    }
    return undefined;
  }

  /**
   * A list whose items are validated one by one: undefined when `value` is not a list, else each item's output
   * (undefined for an item with issues), so that the valid items can still be checked against each other.
   */
  items<T extends z.ZodType>(schema: T, value: unknown, path: Path): (z.output<T> | undefined)[] | undefined {
    if (this.parse(ANY_LIST, value, path) === undefined) return undefined;
    return (value as unknown[]).map((item, index) => this.parse(schema, item, [...path, index]));
  }

  /** `missing` words a missing field's message (e.g. `required field of retag is missing`). */
  #addZod(issue: z.core.$ZodIssue, base: Path, missing?: string): void {
    const path = [...base, ...(issue.path as Path)];
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) this.add([...path, key], issue.message, 'unknown_field');
      return;
    }
    if (issue.code === 'invalid_union') {
      // The branch whose type the value has explains the problem (`images[0].id`, not "no branch matched").
      const branch = issue.errors.find((errors) =>
        errors.every((inner) => inner.path.length > 0 || inner.code !== 'invalid_type'),
      );
      if (branch !== undefined && branch.length > 0) {
        for (const inner of branch) this.#addZod(inner, path, missing);
        return;
      }
    }
    const input = (issue as { input?: unknown }).input;
    const secret = this.#source.isSecret?.(path) ?? false;
    const message = issue.message
      .replace(VALUE, () => (secret ? kindName(input) : typeName(input)))
      .replace(QUOTED, () => (secret ? 'the value' : quoted(input)));
    const code = codeOf(issue, input);
    this.add(path, code === 'missing' && missing !== undefined ? missing : message, code);
  }

  /** The error for every issue found, or undefined when there is none. */
  error(): InputError | undefined {
    if (this.count === 0) return undefined;
    // In file order: checks that span fields run after the schema's, but their problems sit among the others.
    const ordered = this.kept
      .map((issue, index) => ({ issue, index, offset: this.#offsets[index] ?? 0 }))
      .sort((a, b) => a.offset - b.offset || a.index - b.index)
      .map(({ issue }) => issue);
    return new InputError(ordered, this.#omitted);
  }

  /** Throws the error when there is one. */
  throwIfAny(): void {
    const error = this.error();
    if (error !== undefined) throw error;
  }
}

/** A value as JSON, cut to a readable length. */
function quoted(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(cut(value, 60));
  return cut(JSON.stringify(value) ?? String(value), 60);
}

/**
 * The issues in reading order: a mapping's unknown fields before the problems inside it (zod reports them after
 * the fields it knows).
 */
function unknownFieldsFirst(issues: readonly z.core.$ZodIssue[]): z.core.$ZodIssue[] {
  const out: z.core.$ZodIssue[] = [];
  for (const issue of issues) {
    if (issue.code !== 'unrecognized_keys') {
      out.push(issue);
      continue;
    }
    const inside = out.findIndex((other) => issue.path.every((segment, i) => other.path[i] === segment));
    out.splice(inside < 0 ? out.length : inside, 0, issue);
  }
  return out;
}

/**
 * A required field written without a value (`metadata:`) is missing, as the API server would say, not of the
 * wrong type: the issue re-worded when the value at `path` is null and the schema there does not allow it.
 */
function requiredNull(schema: z.ZodType, root: unknown, path: Path): z.core.$ZodIssue | undefined {
  let value: unknown = root;
  for (const segment of path) value = (value as Record<string | number, unknown> | null)?.[segment];
  if (value !== null) return undefined;
  const field = schemaAt(schema, path);
  if (field === undefined || field._zod.optin === 'optional' || field.safeParse(null).success)
    return undefined;
  return {
    code: 'invalid_type',
    expected: 'nonoptional',
    path: [...path],
    message: MISSING_MESSAGE,
  } as z.core.$ZodIssue;
}

/** The schema of the value at `path` (through objects, lists, maps and wrappers), when it can be followed. */
function schemaAt(schema: z.ZodType, path: Path): z.ZodType | undefined {
  let current: z.ZodType | undefined = schema;
  for (const segment of path) {
    current = current === undefined ? undefined : child(unwrap(current), segment);
  }
  return current;
}

function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  for (let depth = 0; depth < 8; depth++) {
    const def = current._zod.def as { innerType?: z.ZodType; in?: z.ZodType };
    const next = def.innerType ?? def.in;
    if (next === undefined) return current;
    current = next;
  }
  return current;
}

function child(schema: z.ZodType, segment: string | number): z.ZodType | undefined {
  if (schema instanceof z.ZodObject) return (schema.shape as Record<string, z.ZodType>)[segment];
  if (schema instanceof z.ZodArray) return schema.element as z.ZodType;
  if (schema instanceof z.ZodRecord) return schema._zod.def.valueType as z.ZodType;
  return undefined;
}

function codeOf(issue: z.core.$ZodIssue, input: unknown): IssueCode {
  if (input === undefined && (issue.code === 'invalid_type' || issue.code === 'invalid_value'))
    return 'missing';
  if (issue.code === 'invalid_type') return 'invalid_type';
  if (issue.code === 'custom') {
    const code = (issue.params as { code?: IssueCode } | undefined)?.code;
    if (code !== undefined) return code;
  }
  return 'invalid_value';
}
