import { Argument, type Command } from '@commander-js/extra-typings';
import type { Parsed } from '../command.js';

/** The formats whose JSON Schema `pullsim schema` prints. */
const SCHEMA_KINDS = ['scenario', 'workload'] as const;

/** Declares `pullsim schema KIND`: the JSON Schema of an input format. */
export function declareSchema(program: Command) {
  return program
    .command('schema')
    .description('print the JSON Schema of an input file format (for editors and validators)')
    .addArgument(new Argument('<kind>', 'the file format').choices(SCHEMA_KINDS));
}

/** The format `pullsim schema` was asked for. */
export type SchemaOptions = Parsed<typeof declareSchema, ['kind']>;
