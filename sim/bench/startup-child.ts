/**
 * The start-up experiment in a process of its own (`pullsim bench` forks the compiled file, so the experiment runs
 * on a second core while the workload runs on the first, and its memory stays out of their RSS). It receives one
 * request on the IPC channel, answers with the rows (or the error's message) and disconnects; the counts are the
 * same as in-process.
 */
import process from 'node:process';
import type { StartupAnswer, StartupRequest } from './startup-process.js';
import { measureStartupRows } from './suite.js';

process.once('message', (request: StartupRequest) => {
  let answer: StartupAnswer;
  try {
    answer = { rows: measureStartupRows(request.strategies, request.records, request.workload) };
  } catch (error) {
    answer = { error: error instanceof Error ? error.message : String(error) };
  }
  process.send?.(answer, () => process.disconnect());
});
