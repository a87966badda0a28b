import { runKernelSelfCheck } from '../kernel/selfcheck.js';
import type { SelfcheckOptions } from './declare/selfcheck.js';
import { type CliIo, EXIT_OK, writeOutputFile } from './io.js';

/** `pullsim selfcheck`: the kernel's seeded self-check and its trace hash. Returns the exit code. */
export function selfcheckCommand(options: SelfcheckOptions, io: CliIo): number {
  const result = runKernelSelfCheck(options.seed);
  if (options.trace !== undefined) writeOutputFile(options.trace, result.trace.toJsonLines());
  const summary = {
    seed: result.seed,
    workers: result.workers,
    steps: result.steps,
    outcome: result.outcome,
    endTime: result.endTime,
    traceHash: result.traceHash,
  };
  if (options.json) {
    io.stdout(`${JSON.stringify(summary, null, 2)}\n`);
  } else {
    io.stdout(
      `pullsim kernel self-check\n` +
        `  seed ${summary.seed}, ${summary.workers} workers, ${summary.steps} events, outcome ${summary.outcome}, virtual time ${summary.endTime}\n` +
        `  traceHash ${summary.traceHash}\n`,
    );
  }
  return EXIT_OK;
}
