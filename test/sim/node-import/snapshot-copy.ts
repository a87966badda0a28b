import { cpSync } from 'node:fs';
import { join } from 'node:path';

/** The fixture node's directory. */
export const SNAPSHOT = join(import.meta.dirname, '../../fixtures/node-snapshot');

/** A copy of the fixture node under `parent`, to change one piece of it. */
export function copySnapshot(parent: string, name: string): string {
  const dir = join(parent, name);
  cpSync(SNAPSHOT, dir, { recursive: true });
  return dir;
}
