import { workloadJsonSchema } from '../bench/workload-schema.js';
import { scenarioJsonSchema } from '../scenario/json-schema.js';
import type { SchemaOptions } from './declare/schema.js';
import { type CliIo, EXIT_OK } from './io.js';

const SCHEMAS = { scenario: scenarioJsonSchema, workload: workloadJsonSchema } as const;

/** `pullsim schema KIND`: prints the format's JSON Schema; returns the exit code. */
export function schemaCommand(options: SchemaOptions, io: CliIo): number {
  io.stdout(`${JSON.stringify(SCHEMAS[options.kind](), null, 2)}\n`);
  return EXIT_OK;
}
