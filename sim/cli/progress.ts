import cliProgress from 'cli-progress';
import type { CliIo } from './io.js';

/**
 * A progress bar named `name`, followed by `after` (cli-progress tokens; by default the percentage and a
 * `{label}`), drawn on the progress stream when standard output is a terminal; undefined otherwise, so that pipes
 * and files never receive one.
 */
export function progressBar(
  io: CliIo,
  name: string,
  after = '{percentage}% {label}',
): cliProgress.SingleBar | undefined {
  if (!io.isTTY || io.progress === undefined) return undefined;
  return new cliProgress.SingleBar(
    { stream: io.progress, format: `${name} [{bar}] ${after}`, hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
}
