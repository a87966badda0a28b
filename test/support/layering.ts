import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { cruise, type ICruiseResult } from 'dependency-cruiser';
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';

/** The repository root: where the dependency-cruiser and knip configurations are. */
export const REPOSITORY_ROOT = join(import.meta.dirname, '../..');

/** One broken rule of .dependency-cruiser.cjs: its name and the import that breaks it. */
export interface LayeringViolation {
  readonly rule: string;
  readonly from: string;
  readonly to: string;
}

/**
 * Runs dependency-cruiser with the repository's rules on `src/` and `sim/` of `baseDir` (the repository
 * itself, or a fixture tree laid out like it, with a tsconfig.json) and returns every violation, sorted.
 */
export async function layeringViolations(baseDir: string): Promise<LayeringViolation[]> {
  const options = await extractDepcruiseOptions(join(REPOSITORY_ROOT, '.dependency-cruiser.cjs'));
  const tsConfigFile = join(baseDir, 'tsconfig.json');
  const { output } = await cruise(
    ['src', 'sim'],
    { ...options, baseDir, tsConfig: { fileName: tsConfigFile } },
    {},
    { tsConfig: extractTSConfig(tsConfigFile) },
  );
  const violations = (output as ICruiseResult).summary.violations.map(({ rule, from, to }) => ({
    rule: rule.name,
    from,
    to,
  }));
  const key = ({ rule, from, to }: LayeringViolation) => `${rule} ${from} ${to}`;
  return violations.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/** What knip printed and its exit code (0: no unused file, export or dependency). */
export function knipReport(): { readonly status: number | null; readonly output: string } {
  const knip = join(REPOSITORY_ROOT, 'node_modules/knip/bin/knip.js');
  const result = spawnSync(process.execPath, [knip, '--no-progress'], {
    cwd: REPOSITORY_ROOT,
    encoding: 'utf8',
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}
