/**
 * A Markdown table of the fields of a JSON Schema (as `z.toJSONSchema` writes them): one row per field, with what
 * it accepts and its description, so that a doc's field list is generated from the schema rather than kept by hand.
 */

export interface JsonSchema {
  readonly type?: string;
  readonly const?: unknown;
  readonly enum?: readonly unknown[];
  readonly minimum?: number;
  readonly maximum?: number;
  readonly minLength?: number;
  readonly pattern?: string;
  readonly anyOf?: readonly JsonSchema[];
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly required?: readonly string[];
  readonly description?: string;
}

export interface TableOptions {
  /** Names for the string patterns the schema uses (e.g. a duration's), shown instead of `text`. */
  readonly patterns?: Readonly<Record<string, string>>;
}

/** The part of a JSON Schema at `path` (`schemaAt(s, 'properties', 'spec')`), or undefined. */
export function schemaAt(schema: unknown, ...path: readonly (string | number)[]): unknown {
  return path.reduce<unknown>(
    (value, key) => (value as Record<string | number, unknown> | undefined)?.[key],
    schema,
  );
}

const code = (value: unknown) => `\`${String(value)}\``;
/** A number as the docs write it: thousands apart by a space. */
const spaced = (n: number) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ' ');

function oneOrOther(choices: readonly string[]): string {
  const distinct = [...new Set(choices)];
  return distinct.length <= 1
    ? (distinct[0] ?? '')
    : `${distinct.slice(0, -1).join(', ')} or ${distinct[distinct.length - 1]}`;
}

/** What a schema accepts, in a few words: `` `small`, `medium` or `large` ``, `integer from 1 to 100 000`. */
function accepted(schema: JsonSchema, { patterns = {} }: TableOptions = {}): string {
  if (schema.anyOf !== undefined) return oneOrOther(schema.anyOf.map((s) => accepted(s, { patterns })));
  if ('const' in schema) return code(schema.const);
  if (schema.enum !== undefined) return oneOrOther(schema.enum.map(code));
  if (schema.type === 'integer' || schema.type === 'number') {
    const kind = schema.type === 'integer' ? 'integer' : 'number';
    const { minimum: min, maximum: max } = schema;
    if (min !== undefined && max !== undefined && max < Number.MAX_SAFE_INTEGER)
      return `${kind} from ${spaced(min)} to ${spaced(max)}`;
    return min === undefined ? kind : `${kind} ≥ ${spaced(min)}`;
  }
  if (schema.type === 'string') {
    const named = schema.pattern === undefined ? undefined : patterns[schema.pattern];
    return named ?? (schema.minLength !== undefined && schema.minLength > 0 ? 'text, not empty' : 'text');
  }
  return schema.type === 'object' ? 'mapping' : 'anything';
}

/** The rows of every field under `schema`, depth first, each named by its dotted path. */
function rows(schema: JsonSchema, prefix: string, options: TableOptions): string[] {
  return Object.entries(schema.properties ?? {}).flatMap(([key, field]) => {
    const path = `${prefix}${key}`;
    const required = schema.required?.includes(key) ? ' (required)' : '';
    const description = (field.description ?? '').replace(/\|/g, '\\|');
    return [
      `| \`${path}\` | ${accepted(field, options)}${required} | ${description} |`,
      ...rows(field, `${path}.`, options),
    ];
  });
}

/** The table of every field of `schema`. */
export function fieldTable(schema: JsonSchema, options: TableOptions = {}): string {
  return ['| field | accepts | what it sets |', '|---|---|---|', ...rows(schema, '', options)].join('\n');
}
