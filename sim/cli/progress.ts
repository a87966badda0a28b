import cliProgress from 'cli-progress';
import type { CliIo } from './io.js';

/**
 * A progress bar named `name` with a `{label}` after the percentage, drawn on the progress stream when standard
 * output is a terminal; undefined otherwise, so that pipes and files never receive one.
 */
export function progressBar(io: CliIo, name: string): cliProgress.SingleBar | undefined {
  if (!io.isTTY || io.progress === undefined) return undefined;
  return new cliProgress.SingleBar(
    { stream: io.progress, format: `${name} [{bar}] {percentage}% {label}`, hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
}
