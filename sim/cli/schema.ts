import { Argument, type Command } from '@commander-js/extra-typings';
import type { Parsed } from './command.js';
import type { CliIo } from './io.js';

/** The formats whose JSON Schema `pullsim schema` prints. */
export const SCHEMA_KINDS = ['scenario', 'workload'] as const;

/** Declares `pullsim schema KIND`: the JSON Schema of an input format. */
export function declareSchema(program: Command) {
  return program
    .command('schema')
    .description('print the JSON Schema of an input file format (for editors and validators)')
    .addArgument(new Argument('<kind>', 'the file format').choices(SCHEMA_KINDS));
}

/** The format `pullsim schema` was asked for. */
export type SchemaOptions = Parsed<typeof declareSchema, ['kind']>;

/** `pullsim schema KIND`: prints the schema as JSON; resolves to the exit code. */
export async function schema(options: SchemaOptions, io: CliIo): Promise<number> {
  const { scenarioJsonSchema } = await import('../scenario/json-schema.js');
  const { workloadJsonSchema } = await import('../bench/workload-schema.js');
  const schemas = { scenario: scenarioJsonSchema, workload: workloadJsonSchema } as const;
  io.stdout(`${JSON.stringify(schemas[options.kind](), null, 2)}\n`);
  return 0;
}
