import * as z from 'zod';
import { scenarioSchema } from './schema/scenario.js';

/*
 * The scenario format as a JSON Schema (draft 2020-12), generated from the zod schema the loader uses: editors
 * complete and check scenario files with it (`# yaml-language-server: $schema=…` at the top of a file). The loader
 * checks more than a schema can say (references between sections, the kubelet's own configuration rules), so a
 * file the schema accepts may still be refused, with a message; a file the schema refuses, the loader refuses too.
 */

/** Where the published copy lives in the repository and the package (docs/schema/). */
export const SCENARIO_SCHEMA_FILE = 'docs/schema/scenario.schema.json';

export function scenarioJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(scenarioSchema, {
    io: 'input',
    unrepresentable: 'any',
    target: 'draft-2020-12',
  }) as Record<string, unknown>;
  return { ...schema, $id: 'https://github.com/pullsim/pullsim/docs/schema/scenario.schema.json' };
}
