import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { StartupRow } from './suite.js';
import type { Workload } from './workload.js';

/** What the start-up process is asked to measure (see `measureStartupRows`). */
export interface StartupRequest {
  readonly strategies: readonly string[];
  readonly records: readonly number[];
  readonly workload: Workload;
}

/** The start-up process's answer: its rows, or why it could not measure them. */
export type StartupAnswer = { readonly rows: StartupRow[] } | { readonly error: string };

/** A start-up experiment running in a child process. */
export interface StartupInChild {
  /** The rows, once the child has answered; rejects when it fails or dies without answering. */
  readonly rows: Promise<StartupRow[]>;
  /** Ends the child early (the caller failed and will not read the rows). */
  stop(): void;
}

/**
 * Starts the start-up experiment in a child process (the compiled `startup-child.js`). Start it before the
 * workload runs: the child works on another core meanwhile, and its answer waits in the IPC channel until this
 * thread is free to read it.
 */
export function measureStartupInChild(childScript: URL, request: StartupRequest): StartupInChild {
  const child = fork(fileURLToPath(childScript), [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  let stopped = false;
  const rows = new Promise<StartupRow[]>((resolve, reject) => {
    let answer: StartupAnswer | undefined;
    child.once('message', (message: StartupAnswer) => {
      answer = message;
    });
    child.once('error', reject);
    child.once('close', (code, signal) => {
      if (answer !== undefined && 'rows' in answer) resolve(answer.rows);
      else if (stopped) resolve([]);
      else
        reject(
          new Error(
            `start-up experiment: ${answer?.error ?? `the process ended (${signal ?? `exit code ${code}`}) without results`}`,
          ),
        );
    });
  });
  child.send(request);
  return {
    rows,
    stop: () => {
      stopped = true;
      child.kill();
    },
  };
}
