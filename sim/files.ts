import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from './errors.js';
import { parseScenario } from './scenario/load.js';
import type { Scenario } from './scenario/types.js';

/**
 * Reading scenario files from disk: the one place besides the CLI that touches real files, so that the library
 * API can offer `loadScenario(path)`.
 */

const SCENARIO_FILE = /\.(ya?ml|json)$/;

/** Reads and validates one scenario file; bad input throws InputError with every issue. */
export function loadScenario(path: string): Scenario {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new InputError({
      code: 'unreadable',
      file: path,
      path: [],
      message: `cannot read the file (${code})`,
    });
  }
  return parseScenario(text, path);
}

/** Expands the command-line paths: files as given, directories to their scenario files (recursively, sorted). */
export function scenarioFiles(paths: readonly string[]): string[] {
  const out: string[] = [];
  for (const path of paths) {
    if (!isDirectoryAt(path)) {
      out.push(path);
      continue;
    }
    const walk = (dir: string): void => {
      for (const name of readdirSync(dir).sort()) {
        const full = join(dir, name);
        if (isDirectoryAt(full)) walk(full);
        else if (SCENARIO_FILE.test(name)) out.push(full);
      }
    };
    walk(path);
  }
  return out;
}

/**
 * Whether a path is a directory. A path that cannot be read (missing, a dangling link, no permission) is bad
 * input, also when it was found inside a directory.
 */
function isDirectoryAt(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch (error) {
    throw new InputError({
      code: 'unreadable',
      file: path,
      path: [],
      message: `cannot read the file (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`,
    });
  }
}

/** Loads several files, reporting the issues of every bad file at once. */
export function loadScenarios(paths: readonly string[]): { file: string; scenario: Scenario }[] {
  const files = scenarioFiles(paths);
  if (files.length === 0)
    throw new InputError({
      code: 'unreadable',
      path: [],
      message: `no scenario files (*.yaml, *.yml, *.json) in ${paths.join(', ')}`,
    });
  const loaded: { file: string; scenario: Scenario }[] = [];
  const issues: InputError['issues'][number][] = [];
  for (const file of files) {
    try {
      loaded.push({ file, scenario: loadScenario(file) });
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      issues.push(...error.issues);
    }
  }
  if (issues.length > 0) throw new InputError(issues);
  return loaded;
}
