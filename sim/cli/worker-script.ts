import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The compiled script of a worker thread or child process, relative to the calling module, or undefined when it
 * does not exist (running from the TypeScript sources, as the tests do: the work then runs in this thread).
 */
export function workerScript(relative: string, from: string): URL | undefined {
  const url = new URL(relative, from);
  return existsSync(fileURLToPath(url)) ? url : undefined;
}
