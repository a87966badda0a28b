import { InputError } from '../errors.js';
import { COLLECT_SCRIPT, importNode } from '../node-import/index.js';
import type { ImportOptions } from './declare/import.js';
import { type CliIo, EXIT_OK, writeOutputFile } from './io.js';

/** `pullsim import DIR [--out FILE]`: the collected node as a scenario; returns the exit code. */
export async function importCommand(options: ImportOptions, io: CliIo): Promise<number> {
  if (options.collectScript) {
    io.stdout(COLLECT_SCRIPT);
    return EXIT_OK;
  }
  if (options.dir === undefined)
    throw new InputError({
      code: 'invalid_option',
      path: [],
      message: 'import needs the directory of collected files (or --collect-script)',
    });
  const imported = await importNode(options.dir);
  if (options.out === undefined) io.stdout(imported.yaml);
  else writeOutputFile(options.out, imported.yaml);
  if (options.notes) for (const note of imported.notes) io.stderr(`note: ${note.about}: ${note.message}\n`);
  return EXIT_OK;
}
